"""The edit dialogs of the journey map: a card, a new card, a stage, a lane cell, the
journey's persona and its lanes.

A dialog is opened by a click on the map (:func:`cem.ui.journeys.state.open_dialog`
fills its widgets from the journey the user saw) and saves against the versions it
was filled from, so a colleague's newer change is never overwritten (it shows as a
conflict instead). Quick choices — a face, a flag, a move — save at once and redraw the
map behind the open dialog; text is saved with **Save**.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cem import ui
from cem.charts import EMOTIONS
from cem.errors import NotFoundError
from cem.journeys import api as jm
from cem.journeys.lanes import TEXT, lane_key_for, moved
from cem.journeys.model import Journey, Lane
from cem.ui.journeys import state
from cem.ui.journeys.widgets import channel_options, show_outcomes

REFRESH = "jm_refresh"
TEXT_FIELDS = (("owner", "Owner"), ("pain_note", "Pain note"), ("opportunity", "💡 Opportunity"))


def _db() -> Any:
    return ui.get_database()


def _finish(saved: bool, close: bool = True) -> None:
    """After a save: close the dialog (or keep it open) and redraw the whole page.

    When nothing was saved (a conflict, a bad value) the dialog stays as it is and says why.
    """
    if not saved:
        show_outcomes(st.session_state.pop(state.OUTCOMES, []))
        return
    if close:
        state.close_dialog()
    st.rerun()


# -- opening ------------------------------------------------------------------------------
def open_touchpoint(journey: Journey, touchpoint_id: int) -> None:
    """Open the card dialog filled from ``journey``."""
    tp = journey.touchpoint(touchpoint_id)
    stage = journey.stage(tp.stage_id)
    fill = {
        "dlg_name": tp.name,
        "dlg_stage": stage.stage_id,
        "dlg_channel": tp.channel,
        "dlg_description": tp.description or "",
        **{f"dlg_{key}": getattr(tp, key) or "" for key, _ in TEXT_FIELDS},
        "dlg_pain_point": tp.pain_point,
        "dlg_moment_of_truth": tp.moment_of_truth,
    }
    state.open_dialog("touchpoint", touchpoint_id, fill, tp.version)


def open_new_touchpoint(stage_id: int) -> None:
    """Open the new-card dialog for one stage column."""
    state.open_dialog("new_touchpoint", stage_id, {"dlg_new_name": "", "dlg_new_channel": None})


def open_stage(journey: Journey, stage_id: int | None) -> None:
    """Open the stage dialog (``None``: add a stage)."""
    stage = None if stage_id is None else journey.stage(stage_id)
    name = "" if stage is None else stage.name
    state.open_dialog("stage", stage_id, {"dlg_stage_name": name})


def open_cell(journey: Journey, stage_id: int, lane: Lane) -> None:
    """Open the dialog of one lane cell (a stage's text in a text lane)."""
    stage = journey.stage(stage_id)
    fill = {"dlg_cell_text": stage.cell(lane.key)}
    state.open_dialog("cell", (stage_id, lane.key), fill, stage.cell_version(lane.key))


def open_details(journey: Journey) -> None:
    """Open the journey's name / persona / quote dialog."""
    fill = {
        "dlg_j_name": journey.name,
        "dlg_j_persona": journey.persona or "",
        "dlg_j_quote": journey.persona_quote or "",
        "dlg_j_description": journey.description or "",
    }
    state.open_dialog("details", journey.journey_id, fill)


# -- the dialogs ----------------------------------------------------------------------------
@st.dialog("Edit touchpoint", width="large", on_dismiss=state.close_dialog)
def touchpoint_dialog(workspace: str, journey: Journey, touchpoint_id: int) -> None:
    """Name, stage, channel, emotion faces, pain point, moment of truth, notes; moves."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    if st.session_state.pop(REFRESH, False):
        st.rerun()  # a flag was saved: redraw the map behind the dialog
    tp = journey.touchpoint(touchpoint_id)
    if st.session_state.pop("dlg_refill_stage", False):
        st.session_state["dlg_stage"] = tp.stage_id
    db, kw = _db(), state.edit_kwargs()

    def quick(ok: str, **fields: Any) -> None:
        saved = state.attempt(
            lambda: state.rebase(
                jm.update_touchpoint(
                    db, workspace, tp.touchpoint_id, expected_version=tp.version, **kw, **fields
                )
            ),
            ok,
        )
        _finish(saved, close=False)

    st.text_input("Touchpoint", key="dlg_name", max_chars=jm.MAX_NAME_LENGTH)
    st.markdown("**Emotion** (the team's view)")
    faces = st.container(horizontal=True, gap="small", key="dlg_faces")
    for score, emo in EMOTIONS.items():
        chosen = tp.emotion == score
        if faces.button(
            f"{emo.face} {score:+d}" if score else f"{emo.face} 0",
            key=f"face_{score + 2}",
            type="primary" if chosen else "secondary",
            help=f"{emo.label} ({score:+d})" + (" — click again to clear" if chosen else ""),
        ):
            quick(
                f"Emotion of '{tp.name}' set",
                emotion=None if chosen else score,
            )
    flags = st.columns(2)
    for column, key, label in (
        (flags[0], "pain_point", "⚠ Pain point"),
        (flags[1], "moment_of_truth", "★ Moment of truth"),
    ):
        column.toggle(
            label,
            key=f"dlg_{key}",
            on_change=_flag_changed,
            args=(workspace, tp.touchpoint_id, tp.version, key, getattr(tp, key), tp.name),
        )
    left, right = st.columns(2)
    stages = {s.stage_id: s.name for s in journey.stages}
    left.selectbox("Stage", list(stages), format_func=lambda i: stages.get(i, "?"), key="dlg_stage")
    right.selectbox("Channel", channel_options(journey), key="dlg_channel", accept_new_options=True)
    for (key, label), column in zip(TEXT_FIELDS, (left, right, left), strict=True):
        column.text_input(label, key=f"dlg_{key}")
    right.text_input("Notes", key="dlg_description")
    _move_buttons(workspace, journey, tp)
    save, delete = st.columns([1, 1])
    if save.button("Save", type="primary", key="dlg_save", width="stretch"):
        _save_touchpoint(workspace, journey, tp)
    if delete.button("🗑 Delete touchpoint", key="dlg_delete", width="stretch"):
        saved = state.attempt(
            lambda: jm.delete_touchpoint(
                db, workspace, tp.touchpoint_id, expected_version=tp.version, **kw
            ),
            f"Deleted '{tp.name}' (Undo brings it back)",
        )
        _finish(saved)


def _flag_changed(
    workspace: str, touchpoint_id: int, version: int, key: str, stored: bool, name: str
) -> None:
    """A pain-point / moment-of-truth toggle: save at once (undo the toggle on failure)."""
    value = bool(st.session_state.get(f"dlg_{key}"))
    saved = state.attempt(
        lambda: state.rebase(
            jm.update_touchpoint(
                _db(),
                workspace,
                touchpoint_id,
                expected_version=version,
                **state.edit_kwargs(),
                **{key: value},
            )
        ),
        f"Saved '{name}'",
    )
    if not saved:
        st.session_state[f"dlg_{key}"] = stored
    st.session_state[REFRESH] = True


def _move_buttons(workspace: str, journey: Journey, tp: jm.Touchpoint) -> None:
    """↑ ↓ within the stage, ← → to the neighbouring stage (each saves at once)."""
    index = next(i for i, s in enumerate(journey.stages) if s.stage_id == tp.stage_id)
    stage = journey.stages[index]
    moves = st.container(horizontal=True, gap="small", key="dlg_moves")
    moves.caption("Move")
    target: tuple[int | None, int | None] | None = None
    if moves.button("↑ Up", key="mv_up", disabled=tp.position == 0):
        target = (None, tp.position - 1)
    if moves.button("↓ Down", key="mv_down", disabled=tp.position >= len(stage.touchpoints) - 1):
        target = (None, tp.position + 1)
    if moves.button("← Previous stage", key="mv_left", disabled=index == 0):
        target = (journey.stages[index - 1].stage_id, None)
    if moves.button("Next stage →", key="mv_right", disabled=index >= len(journey.stages) - 1):
        target = (journey.stages[index + 1].stage_id, None)
    if target is not None:
        saved = state.attempt(
            lambda: state.rebase(
                jm.move_touchpoint(
                    _db(),
                    workspace,
                    tp.touchpoint_id,
                    expected_version=tp.version,
                    stage_id=target[0],
                    position=target[1],
                    **state.edit_kwargs(),
                )
            ),
            f"Moved '{tp.name}'",
        )
        st.session_state["dlg_refill_stage"] = True
        _finish(saved, close=False)


def _save_touchpoint(workspace: str, journey: Journey, tp: jm.Touchpoint) -> None:
    get = st.session_state.get
    fields = {
        "name": get("dlg_name"),
        "channel": get("dlg_channel"),
        "description": get("dlg_description"),
        **{key: get(f"dlg_{key}") for key, _ in TEXT_FIELDS},
    }
    target = get("dlg_stage")
    db, kw = _db(), state.edit_kwargs()

    def work() -> None:
        version = jm.update_touchpoint(
            db,
            workspace,
            tp.touchpoint_id,
            expected_version=state.opened_version(tp.version),
            **kw,
            **fields,
        )
        if target is not None and int(target) != tp.stage_id:
            jm.move_touchpoint(
                db, workspace, tp.touchpoint_id, expected_version=version, stage_id=target, **kw
            )

    _finish(state.attempt(work, f"Saved '{fields['name']}'"))


@st.dialog("Add a touchpoint", on_dismiss=state.close_dialog)
def new_touchpoint_dialog(workspace: str, journey: Journey, stage_id: int) -> None:
    """Name (Enter adds it) and channel of a new card in one stage column."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    stage = journey.stage(stage_id)
    with st.form("dlg_new_form", border=False, enter_to_submit=True):
        st.text_input(
            f"New touchpoint in {ui.escape_markdown(stage.name)}",
            key="dlg_new_name",
            max_chars=jm.MAX_NAME_LENGTH,
            placeholder="e.g. Order tracking page",
        )
        st.selectbox(
            "Channel", channel_options(journey), key="dlg_new_channel", accept_new_options=True
        )
        submitted = st.form_submit_button("Add touchpoint", type="primary", key="dlg_new_add")
    if submitted:
        name = st.session_state.get("dlg_new_name") or ""
        saved = state.attempt(
            lambda: jm.add_touchpoint(
                _db(),
                workspace,
                stage_id,
                name,
                channel=st.session_state.get("dlg_new_channel"),
                **state.edit_kwargs(),
            ),
            f"Added '{name.strip()}' to {stage.name}",
        )
        _finish(saved)


@st.dialog("Stage", on_dismiss=state.close_dialog)
def stage_dialog(workspace: str, journey: Journey, stage_id: int | None) -> None:
    """Add (``stage_id`` None) or rename a stage; move it ← →; delete it."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    db, kw = _db(), state.edit_kwargs()
    with st.form("dlg_stage_form", border=False, enter_to_submit=True):
        st.text_input("Stage name", key="dlg_stage_name", max_chars=jm.MAX_NAME_LENGTH)
        submitted = st.form_submit_button(
            "Add stage" if stage_id is None else "Rename", type="primary", key="dlg_stage_save"
        )
    name = st.session_state.get("dlg_stage_name") or ""
    if submitted and stage_id is None:
        _finish(
            state.attempt(
                lambda: jm.add_stage(db, workspace, journey.journey_id, name, **kw),
                f"Added stage '{name.strip()}'",
            )
        )
    if stage_id is None:
        return
    stage = journey.stage(stage_id)
    if submitted:
        _finish(
            state.attempt(
                lambda: jm.rename_stage(
                    db,
                    workspace,
                    stage_id,
                    name,
                    expected_version=stage.version,
                    **kw,
                ),
                f"Renamed stage to '{name.strip()}'",
            )
        )
    index = next(i for i, s in enumerate(journey.stages) if s.stage_id == stage_id)
    row = st.container(horizontal=True, gap="small")
    for label, key, step, disabled in (
        ("← Move left", "stage_left", -1, index == 0),
        ("Move right →", "stage_right", 1, index >= len(journey.stages) - 1),
    ):
        if row.button(label, key=key, disabled=disabled):
            saved = state.attempt(
                lambda s=step: jm.move_stage(
                    db, workspace, stage_id, index + s, expected_version=stage.version, **kw
                ),
                f"Moved stage '{stage.name}'",
            )
            _finish(saved, close=False)
    if row.button("🗑 Delete stage", key="stage_delete"):
        saved = state.attempt(
            lambda: jm.delete_stage(
                db,
                workspace,
                stage_id,
                expected_version=stage.version,
                touchpoint_versions={t.touchpoint_id: t.version for t in stage.touchpoints},
                **kw,
            ),
            f"Deleted stage '{stage.name}' (Undo brings it back)",
        )
        _finish(saved)


@st.dialog("Lane text", on_dismiss=state.close_dialog)
def cell_dialog(workspace: str, journey: Journey, stage_id: int, lane_key: str) -> None:
    """One stage's text in one text lane."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    stage = journey.stage(stage_id)
    lane = next(lane for lane in journey.lanes if lane.key == lane_key)
    st.text_area(
        f"{ui.escape_markdown(lane.label)} · {ui.escape_markdown(stage.name)}",
        key="dlg_cell_text",
        height=120,
        max_chars=jm.MAX_TEXT_LENGTH,
    )
    if st.button("Save", type="primary", key="dlg_cell_save"):
        _finish(
            state.attempt(
                lambda: jm.set_lane_cell(
                    _db(),
                    workspace,
                    stage_id,
                    lane_key,
                    st.session_state.get("dlg_cell_text"),
                    expected_version=state.opened_version(stage.cell_version(lane_key)),
                    **state.edit_kwargs(),
                ),
                f"Saved '{lane.label}' of {stage.name}",
            )
        )


@st.dialog("Journey and persona", on_dismiss=state.close_dialog)
def details_dialog(workspace: str, journey: Journey) -> None:
    """The journey's name and description, its persona and the persona's quote."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    st.text_input("Journey name", key="dlg_j_name", max_chars=jm.MAX_NAME_LENGTH)
    st.text_input("Persona", key="dlg_j_persona", max_chars=jm.MAX_NAME_LENGTH)
    st.text_input("Persona's quote", key="dlg_j_quote", placeholder="In their own words")
    st.text_area("Description", key="dlg_j_description", height=80)
    if st.button("Save", type="primary", key="dlg_j_save"):
        get = st.session_state.get
        _finish(
            state.attempt(
                lambda: jm.update_journey(
                    _db(),
                    workspace,
                    journey.journey_id,
                    expected_version=journey.version,
                    name=get("dlg_j_name"),
                    persona=get("dlg_j_persona"),
                    persona_quote=get("dlg_j_quote"),
                    description=get("dlg_j_description"),
                    **state.edit_kwargs(),
                ),
                "Saved the journey's details",
            )
        )


@st.dialog("Lanes", width="large", on_dismiss=state.close_dialog)
def lanes_dialog(workspace: str, journey: Journey) -> None:
    """Show/hide, rename and reorder the lanes; add a text lane."""
    db, kw = _db(), state.edit_kwargs()

    def save(lanes: tuple[Lane, ...], ok: str) -> None:
        _finish(
            state.attempt(
                lambda: jm.update_lanes(
                    db, workspace, journey.journey_id, lanes, expected_version=journey.version, **kw
                ),
                ok,
            ),
            close=False,
        )

    for index, lane in enumerate(journey.lanes):
        row = st.columns([0.5, 3, 0.5, 0.5, 1], vertical_alignment="center")
        shown = row[0].checkbox(
            "Show", value=not lane.hidden, key=f"lane_show_{lane.key}", label_visibility="collapsed"
        )
        if shown == lane.hidden:
            save(
                tuple(
                    Lane(x.key, x.label, x.kind, not shown) if x.key == lane.key else x
                    for x in journey.lanes
                ),
                f"{'Showed' if shown else 'Hid'} lane '{lane.label}'",
            )
        new_label = row[1].text_input(
            "Name", value=lane.label, key=f"lane_label_{lane.key}", label_visibility="collapsed"
        )
        if new_label.strip() and new_label.strip() != lane.label:
            save(
                tuple(
                    Lane(x.key, new_label.strip(), x.kind, x.hidden) if x.key == lane.key else x
                    for x in journey.lanes
                ),
                f"Renamed lane '{lane.label}'",
            )
        if row[2].button("↑", key=f"lane_up_{lane.key}", disabled=index == 0):
            save(moved(journey.lanes, lane.key, -1), f"Moved lane '{lane.label}' up")
        if row[3].button(
            "↓", key=f"lane_down_{lane.key}", disabled=index == len(journey.lanes) - 1
        ):
            save(moved(journey.lanes, lane.key, 1), f"Moved lane '{lane.label}' down")
        row[4].caption("your text" if lane.kind == TEXT else "from the map/data")
    with st.form("lane_add", border=False, enter_to_submit=True):
        label = st.text_input(
            "New text lane", placeholder="e.g. Feelings, Evidence, Ideas", key="lane_add_name"
        )
        if st.form_submit_button("Add lane", key="lane_add_save") and label.strip():
            key = lane_key_for(label, [x.key for x in journey.lanes])
            save((*journey.lanes, Lane(key, label.strip(), TEXT)), f"Added lane '{label.strip()}'")


def show_open_dialog(workspace: str, journey: Journey) -> None:
    """Call the one dialog that is open (Streamlit allows one per run)."""
    opened = st.session_state.get(state.DIALOG)
    if not opened:
        return
    kind, target = opened
    try:
        if kind == "touchpoint":
            journey.touchpoint(target)
            touchpoint_dialog(workspace, journey, target)
        elif kind == "new_touchpoint":
            new_touchpoint_dialog(workspace, journey, journey.stage(target).stage_id)
        elif kind == "stage":
            stage_dialog(workspace, journey, target)
        elif kind == "cell":
            journey.stage(target[0])
            cell_dialog(workspace, journey, target[0], target[1])
        elif kind == "details":
            details_dialog(workspace, journey)
        elif kind == "lanes":
            lanes_dialog(workspace, journey)
    except NotFoundError:
        state.close_dialog()
        st.toast("That part of the map was removed by a colleague.", icon="👥")
