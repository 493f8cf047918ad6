"""The journey map as one keyed fragment: persona card, toolbar (or the present-mode bar),
the board and the open dialog.

Everything a facilitator does on the map — a card click, a face, a Save — reruns only
this fragment (:data:`cem.ui.journeys.state.MAP_FRAGMENT`), not the page with its
sidebar filters and tabs: the journey is read again only when its version moved, and
what is derived from it (undo state, the persona's description, the curve) is kept per
version (:func:`cem.ui.journeys.state.derived`).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from cem import ui
from cem.analytics.filters import Filters
from cem.errors import TouchpointError
from cem.journeys import api as jm
from cem.journeys.model import Journey
from cem.ui.journeys import dialogs, panels, state
from cem.ui.journeys.board import render_board
from cem.ui.journeys.persona_dialog import persona_card
from cem.ui.journeys.widgets import show_outcomes


@st.fragment(key=state.MAP_FRAGMENT)
def map_fragment(workspace: str, journey_id: int, filters: Filters, present: bool) -> None:
    """Draw the map of one journey (see the module docstring)."""
    state.close_closed()  # first: a Save in a dialog just closed it
    try:
        journey = state.read_journey(workspace, journey_id)
    except TouchpointError as exc:
        ui.show_error(exc)
        return
    st.session_state["jm_seen_version"] = journey.version
    if not st.session_state.get(state.DIALOG):
        show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    try:
        emotion, kpis = panels.data_behind(workspace, journey, filters)
    except TouchpointError as exc:
        ui.show_error(exc)
        emotion, kpis = None, None
    db = ui.get_database()
    if present:
        present_bar(journey)
        render_board(panels.board_subset(journey), emotion, kpis, present=True)
    else:
        description = state.derived(
            journey, "persona", lambda: jm.persona_description(db, workspace, journey.persona)
        )
        persona_card(journey, description)
        toolbar(workspace, journey)
        if not journey.stages:
            st.info("This journey has no stages yet: **+ Stage** adds the first (e.g. Awareness).")
        else:
            render_board(panels.board_subset(journey), emotion, kpis, present=False)
    dialogs.show_open_dialog(workspace, journey)


def toolbar(workspace: str, journey: Journey) -> None:
    """Undo, redo, add a stage, lanes, persona, present mode; the last change."""
    db = ui.get_database()
    jid = journey.journey_id
    undo, redo, last = state.derived(
        journey,
        "toolbar",
        lambda: (
            jm.can_undo(db, workspace, jid),
            jm.can_redo(db, workspace, jid),
            jm.list_versions(db, workspace, jid, limit=1),
        ),
    )
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")

    def history(step: Callable[..., str], verb: str) -> None:
        done = state.attempt(
            lambda: step(
                db, workspace, jid, expected_version=journey.version, **state.edit_kwargs()
            ),
            lambda action: f"{verb}: {action}",
        )
        if done:  # the whole page: the History tab below the map lists the new version too
            st.rerun()

    # Undo is the journey's, shared by everyone editing it: the button says whose change
    # it would undo (the toolbar's last change), the toast what it undid.
    whose = (
        f"“{last[0].action}” by {last[0].author or 'someone'}"
        if last and not last[0].action.startswith(("Undo: ", "Redo: "))
        else "the last change"
    )
    bar.button(
        "↶ Undo",
        key="undo",
        on_click=history,
        args=(jm.undo, "Undone"),
        disabled=not undo,
        help=f"Undo {ui.escape_markdown(whose)} — the journey's last change, yours or a "
        "colleague's",
    )
    bar.button("↷ Redo", key="redo", on_click=history, args=(jm.redo, "Redone"), disabled=not redo)
    bar.button("+ Stage", key="add_stage", on_click=dialogs.open_stage, args=(journey, None))
    bar.button("☰ Lanes", key="lanes", on_click=state.open_dialog, args=("lanes", jid))
    bar.button("👤 Persona", key="persona", on_click=dialogs.open_details, args=(journey,))
    bar.button(
        "▶ Present",
        key="present_on",
        type="primary",
        on_click=_present,
        args=(True,),
        help="Full-width map for the projector (Esc leaves)",
    )
    if last:
        bar.caption(
            f"Version {last[0].version} · {ui.escape_markdown(last[0].author or 'someone')}: "
            f"{ui.escape_markdown(last[0].action)}"
        )


def _present(on: bool) -> None:
    """Enter or leave present mode: the whole page changes (sidebar, tabs), so rerun it."""
    state.set_present(on)
    st.rerun()


def present_bar(journey: Journey) -> None:
    """Present mode's only controls: ← → focus a stage, Esc leaves."""
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")
    n = len(journey.stages)
    bar.markdown(f"### {ui.escape_markdown(journey.name)}")
    bar.button(
        "◀",
        key="focus_prev",
        shortcut="Left",
        on_click=state.step_focus,
        args=(-1, n),
        help="Previous stage (←)",
    )
    bar.button(
        "▶",
        key="focus_next",
        shortcut="Right",
        on_click=state.step_focus,
        args=(1, n),
        help="Next stage (→)",
    )
    bar.button("✕ Exit (Esc)", key="present_off", shortcut="Esc", on_click=_present, args=(False,))
    with bar:
        persona_card(
            journey, None, hint=False
        )  # beside the controls: the curve stays above the fold
