"""The lanes dialog of the journey map: show/hide, rename and reorder the lanes, add a
text lane. Each change saves at once against the journey version the dialog shows and
redraws the map behind the open dialog (:func:`cem.ui.journeys.state.quick`)."""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.journeys import api as jm
from cem.journeys.lanes import TEXT, lane_key_for, moved
from cem.journeys.model import Journey, Lane
from cem.ui.journeys import state
from cem.ui.journeys.widgets import show_outcomes


@state.dialog("lanes")
def lanes_dialog(workspace: str, journey: Journey) -> None:
    """Show/hide, rename and reorder the lanes; add a text lane."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    for index, lane in enumerate(journey.lanes):
        row = st.columns([0.5, 3, 0.5, 0.5, 1], vertical_alignment="center")
        shown = not lane.hidden
        row[0].checkbox(
            "Show",
            value=shown,
            key=f"lane_show_{lane.key}",
            label_visibility="collapsed",
            on_change=_save_lanes,
            args=(
                workspace,
                journey,
                tuple(
                    Lane(x.key, x.label, x.kind, shown) if x.key == lane.key else x
                    for x in journey.lanes
                ),
                f"{'Hid' if shown else 'Showed'} lane '{lane.label}'",
            ),
        )
        row[1].text_input(
            "Name",
            value=lane.label,
            key=f"lane_label_{lane.key}",
            label_visibility="collapsed",
            on_change=_rename_lane,
            args=(workspace, journey, lane, f"lane_label_{lane.key}"),
        )
        row[2].button(
            "↑",
            key=f"lane_up_{lane.key}",
            disabled=index == 0,
            on_click=_save_lanes,
            args=(
                workspace,
                journey,
                moved(journey.lanes, lane.key, -1),
                f"Moved lane '{lane.label}' up",
            ),
        )
        row[3].button(
            "↓",
            key=f"lane_down_{lane.key}",
            disabled=index == len(journey.lanes) - 1,
            on_click=_save_lanes,
            args=(
                workspace,
                journey,
                moved(journey.lanes, lane.key, 1),
                f"Moved lane '{lane.label}' down",
            ),
        )
        row[4].caption("your text" if lane.kind == TEXT else "from the map/data")
    with st.form("lane_add", border=False, enter_to_submit=True):
        st.text_input(
            "New text lane", placeholder="e.g. Feelings, Evidence, Ideas", key="lane_add_name"
        )
        st.form_submit_button(
            "Add lane", key="lane_add_save", on_click=_add_lane, args=(workspace, journey)
        )


def _save_lanes(workspace: str, journey: Journey, lanes: tuple[Lane, ...], ok: str) -> None:
    state.quick(
        lambda: jm.update_lanes(
            ui.get_database(),
            workspace,
            journey.journey_id,
            lanes,
            expected_version=journey.version,
            **state.edit_kwargs(),
        ),
        ok,
    )


def _rename_lane(workspace: str, journey: Journey, lane: Lane, key: str) -> None:
    label = (st.session_state.get(key) or "").strip()
    if not label or label == lane.label:
        return
    _save_lanes(
        workspace,
        journey,
        tuple(
            Lane(x.key, label, x.kind, x.hidden) if x.key == lane.key else x for x in journey.lanes
        ),
        f"Renamed lane '{lane.label}'",
    )


def _add_lane(workspace: str, journey: Journey) -> None:
    label = (st.session_state.get("lane_add_name") or "").strip()
    if not label:
        return
    key = lane_key_for(label, [x.key for x in journey.lanes])
    _save_lanes(
        workspace, journey, (*journey.lanes, Lane(key, label, TEXT)), f"Added lane '{label}'"
    )
