"""The edit dialogs of the journey map: a card, a new card, a stage, a lane cell, the
journey's persona and its lanes.

A dialog is opened by a click on the map (:func:`cem.ui.journeys.state.open_dialog`
fills its widgets from the journey the user saw) and saves against the versions it
was filled from, so a colleague's newer change is never overwritten (it shows as a
conflict instead). Every save runs in a widget callback and then reruns only the map
fragment (:data:`cem.ui.journeys.state.MAP_FRAGMENT`), never the whole page:

* a face or a flag saves and reruns only the open dialog, which reads the card again;
  the map behind is redrawn when the dialog closes (Esc, X, Save), so a late redraw can
  never reopen a dialog the user just dismissed;
* a move saves and redraws the map behind the open dialog
  (:func:`~cem.ui.journeys.state.redraw_map`);
* **Save** / **Add** / **Delete** save, close the dialog and redraw the map
  (:func:`~cem.ui.journeys.state.saved_and_close`); the map's rerun closes the dialog on
  the screen (:func:`cem.ui.journeys.state.close_closed`);
* a refused save (a conflict, a bad value) leaves the dialog open with the reason.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cem import ui
from cem.charts import EMOTIONS
from cem.errors import ConflictError, NotFoundError
from cem.journeys import api as jm
from cem.journeys.model import Journey, Lane
from cem.ui.journeys import lane_dialog, persona_dialog, state
from cem.ui.journeys.state import dialog as _dialog
from cem.ui.journeys.state import final as _final
from cem.ui.journeys.state import quick as _quick
from cem.ui.journeys.widgets import channel_options, show_outcomes

TEXT_FIELDS = (("owner", "Owner"), ("pain_note", "Pain note"), ("opportunity", "💡 Opportunity"))
# The card's text fields (field -> label), each in the widget ``dlg_<field>``.
CARD_FIELDS = {
    "name": "Touchpoint",
    "channel": "Channel",
    **dict(TEXT_FIELDS),
    "description": "Notes",
}


def _db() -> Any:
    return ui.get_database()


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
    """Open the stage dialog (``None``: add a stage); a rename checks the version it
    was opened with."""
    stage = None if stage_id is None else journey.stage(stage_id)
    name = "" if stage is None else stage.name
    state.open_dialog(
        "stage", stage_id, {"dlg_stage_name": name}, None if stage is None else stage.version
    )


def open_cell(journey: Journey, stage_id: int, lane: Lane) -> None:
    """Open the dialog of one lane cell (a stage's text in a text lane)."""
    stage = journey.stage(stage_id)
    fill = {"dlg_cell_text": stage.cell(lane.key)}
    state.open_dialog("cell", (stage_id, lane.key), fill, stage.cell_version(lane.key))


def open_details(journey: Journey) -> None:
    """Open the journey's name / persona dialog (its Save checks the version it was
    opened with)."""
    state.open_dialog("details", journey.journey_id, persona_dialog.fill(journey), journey.version)


# -- the card dialog ------------------------------------------------------------------------
@_dialog("touchpoint")
def touchpoint_dialog(workspace: str, journey: Journey, touchpoint_id: int) -> None:
    """Name, stage, channel, emotion faces, pain point, moment of truth, notes; moves."""
    refused = _save_refused()
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    # A face or a flag reruns only this dialog: read the card as saved (one version
    # query when nothing changed), not as the map last drew it.
    journey = state.read_journey(workspace, journey.journey_id)
    try:
        tp = journey.touchpoint(touchpoint_id)
    except NotFoundError:
        _deleted_card(workspace, journey, told=refused)
        return
    if st.session_state.pop("dlg_refill_stage", False):
        st.session_state["dlg_stage"] = tp.stage_id
    # One row for the faces and the two flags, one for name, stage and channel, one for the
    # moves and Delete: the whole card fits a 1280x720 projector without scrolling.
    st.markdown("**Emotion** (the team's view)")
    top = st.container(horizontal=True, gap="small", vertical_alignment="center")
    faces = top.container(horizontal=True, gap="small", key="dlg_faces", width="content")
    for score, emo in EMOTIONS.items():
        chosen = tp.emotion == score
        faces.button(
            f"{emo.face} {score:+d}" if score else f"{emo.face} 0",
            key=f"face_{score + 2}",
            type="primary" if chosen else "secondary",
            help=f"{emo.label} ({score:+d})" + (" — click again to clear" if chosen else ""),
            on_click=_set_fields,
            args=(workspace, tp, f"Emotion of '{tp.name}' set"),
            kwargs={"emotion": None if chosen else score},
        )
    top.space("medium")
    for key, label in (("pain_point", "⚠ Pain point"), ("moment_of_truth", "★ Moment of truth")):
        top.toggle(
            label,
            key=f"dlg_{key}",
            on_change=_flag_changed,
            args=(workspace, tp, key),
        )
    # A form: the texts go to the server with the Save (Enter), not each on its own when
    # it loses focus — one run per save. A face or a flag saves at once (outside it).
    with st.form("dlg_card_form", border=False):
        name, stage, channel = st.columns([2, 1, 1])
        name.text_input("Touchpoint", key="dlg_name", max_chars=jm.MAX_NAME_LENGTH)
        stages = {s.stage_id: s.name for s in journey.stages}
        stage.selectbox(
            "Stage", list(stages), format_func=lambda i: stages.get(i, "?"), key="dlg_stage"
        )
        channel.selectbox(
            "Channel", channel_options(journey), key="dlg_channel", accept_new_options=True
        )
        left, right = st.columns(2)
        for (key, label), column in zip(TEXT_FIELDS, (left, right, left), strict=True):
            column.text_input(label, key=f"dlg_{key}")
        right.text_input("Notes", key="dlg_description")
        st.form_submit_button(
            "Save",
            type="primary",
            key="dlg_save",
            width="stretch",
            on_click=_save_touchpoint,
            args=(workspace, journey.journey_id, tp),
        )
    bottom = _move_buttons(workspace, journey, tp)
    bottom.space("stretch")
    bottom.button(
        "🗑 Delete touchpoint",
        key="dlg_delete",
        width="content",
        on_click=_final,
        args=(
            lambda: jm.delete_touchpoint(
                _db(),
                workspace,
                tp.touchpoint_id,
                expected_version=tp.version,
                **state.edit_kwargs(),
            ),
            f"Deleted '{tp.name}' (Undo brings it back)",
        ),
    )


def _deleted_card(workspace: str, journey: Journey, told: bool) -> None:
    """A colleague deleted the card while this dialog was open: say so, keep what was
    typed on screen and offer to add it back (nothing typed is lost without a word)."""
    if not told:
        st.warning("A colleague deleted this touchpoint while you had it open.", icon="🔀")
    get = st.session_state.get
    typed = {field: get(f"dlg_{field}") for field in CARD_FIELDS}
    typed["name"] = typed["name"] or ""
    shown = [f"**{CARD_FIELDS[k]}**: {ui.escape_markdown(str(v))}" for k, v in typed.items() if v]
    if shown:
        st.markdown("What you had in this card:  \n" + "  \n".join(shown))
    stages = {s.stage_id for s in journey.stages}
    stage_id = get("dlg_stage") if get("dlg_stage") in stages else None
    row = st.container(horizontal=True, gap="small")
    if typed["name"].strip() and (stage_id or journey.stages):
        target = stage_id or journey.stages[0].stage_id
        fields = {k: v for k, v in typed.items() if k != "name" and v}
        row.button(
            "Add it back as a new touchpoint",
            key="dlg_add_back",
            type="primary",
            on_click=_final,
            args=(
                lambda: jm.add_touchpoint(
                    _db(), workspace, target, typed["name"], **state.edit_kwargs(), **fields
                ),
                f"Added '{typed['name']}' back",
            ),
        )
    row.button("Close", key="dlg_close_deleted", on_click=state.saved_and_close)


def _update_card(workspace: str, tp: jm.Touchpoint, **fields: Any) -> None:
    """Save fields of the card as the dialog shows it; the open text is now relative to
    the new version."""
    state.rebase(
        jm.update_touchpoint(
            _db(),
            workspace,
            tp.touchpoint_id,
            expected_version=tp.version,
            **state.edit_kwargs(),
            **fields,
        )
    )


def _set_fields(workspace: str, tp: jm.Touchpoint, ok: str, **fields: Any) -> None:
    """A face click: save at once, against the card as the dialog shows it. Only the
    dialog reruns (it shows the saved face); the map behind is redrawn when the dialog
    closes, so an Esc straight after the click cannot be undone by a late map redraw
    that opens the dialog again."""
    state.attempt(lambda: _update_card(workspace, tp, **fields), ok)


def _flag_changed(workspace: str, tp: jm.Touchpoint, key: str) -> None:
    """A pain-point / moment-of-truth toggle: save at once (undo the toggle on failure);
    like a face, it reruns only the dialog."""
    value = bool(st.session_state.get(f"dlg_{key}"))
    saved = state.attempt(lambda: _update_card(workspace, tp, **{key: value}), f"Saved '{tp.name}'")
    if not saved:
        st.session_state[f"dlg_{key}"] = getattr(tp, key)


def _move_buttons(workspace: str, journey: Journey, tp: jm.Touchpoint) -> Any:
    """↑ ↓ within the stage, ← → to the neighbouring stage (each saves at once); returns
    their row (the dialog puts Delete at its end)."""
    index = next(i for i, s in enumerate(journey.stages) if s.stage_id == tp.stage_id)
    stage = journey.stages[index]
    moves = st.container(horizontal=True, gap="small", key="dlg_moves", vertical_alignment="center")
    moves.caption("Move", width="content")
    for label, key, disabled, target in (
        ("↑ Up", "mv_up", tp.position == 0, (None, tp.position - 1)),
        ("↓ Down", "mv_down", tp.position >= len(stage.touchpoints) - 1, (None, tp.position + 1)),
        (
            "← Previous stage",
            "mv_left",
            index == 0,
            (journey.stages[index - 1].stage_id if index else None, None),
        ),
        (
            "Next stage →",
            "mv_right",
            index >= len(journey.stages) - 1,
            (journey.stages[min(index + 1, len(journey.stages) - 1)].stage_id, None),
        ),
    ):
        moves.button(
            label, key=key, disabled=disabled, on_click=_move, args=(workspace, tp, target)
        )
    return moves


def _move(workspace: str, tp: jm.Touchpoint, target: tuple[int | None, int | None]) -> None:
    st.session_state["dlg_refill_stage"] = True
    _quick(
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


def _save_touchpoint(workspace: str, journey_id: int, tp: jm.Touchpoint) -> None:
    get = st.session_state.get
    fields = state.changed_in_dialog({field: f"dlg_{field}" for field in CARD_FIELDS})
    target = get("dlg_stage")
    db, kw = _db(), state.edit_kwargs()

    def work() -> None:
        try:
            version = jm.update_touchpoint(
                db,
                workspace,
                tp.touchpoint_id,
                expected_version=state.opened_version(tp.version),
                **kw,
                **fields,
            )
        except ConflictError as exc:
            # A colleague saved the card since this dialog opened: their change stands and
            # the dialog keeps what you typed; a second Save, now knowing, puts yours in.
            try:
                current = state.read_journey(workspace, journey_id).touchpoint(tp.touchpoint_id)
            except NotFoundError:
                raise exc from None  # deleted: the dialog says so and offers to add it back
            state.rebase(current.version)
            raise ConflictError(
                f"{exc} Your text is still in this dialog: Save again to put it in place of theirs."
            ) from exc
        if target is not None and int(target) != tp.stage_id:
            jm.move_touchpoint(
                db, workspace, tp.touchpoint_id, expected_version=version, stage_id=target, **kw
            )

    _final(work, f"Saved '{fields.get('name') or tp.name}'")


# -- new card, stage, lane cell -----------------------------------------------------------
@_dialog("new_touchpoint")
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
        st.form_submit_button(
            "Add touchpoint",
            type="primary",
            key="dlg_new_add",
            on_click=_add_touchpoint,
            args=(workspace, stage_id, stage.name),
        )


def _add_touchpoint(workspace: str, stage_id: int, stage_name: str) -> None:
    name = st.session_state.get("dlg_new_name") or ""
    _final(
        lambda: jm.add_touchpoint(
            _db(),
            workspace,
            stage_id,
            name,
            channel=st.session_state.get("dlg_new_channel"),
            **state.edit_kwargs(),
        ),
        f"Added '{name.strip()}' to {stage_name}",
    )


@_dialog("stage")
def stage_dialog(workspace: str, journey: Journey, stage_id: int | None) -> None:
    """Add (``stage_id`` None) or rename a stage; move it ← →; delete it."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    with st.form("dlg_stage_form", border=False, enter_to_submit=True):
        st.text_input("Stage name", key="dlg_stage_name", max_chars=jm.MAX_NAME_LENGTH)
        st.form_submit_button(
            "Add stage" if stage_id is None else "Rename",
            type="primary",
            key="dlg_stage_save",
            on_click=_stage_submit,
            args=(workspace, journey.journey_id, stage_id),
        )
    if stage_id is None:
        return
    stage = journey.stage(stage_id)
    index = next(i for i, s in enumerate(journey.stages) if s.stage_id == stage_id)
    row = st.container(horizontal=True, gap="small")
    for label, key, step, disabled in (
        ("← Move left", "stage_left", -1, index == 0),
        ("Move right →", "stage_right", 1, index >= len(journey.stages) - 1),
    ):
        row.button(
            label,
            key=key,
            disabled=disabled,
            on_click=_move_stage,
            args=(workspace, stage, index + step),
        )
    row.button(
        "🗑 Delete stage",
        key="stage_delete",
        on_click=_final,
        args=(
            lambda: jm.delete_stage(
                _db(),
                workspace,
                stage_id,
                expected_version=stage.version,
                touchpoint_versions={t.touchpoint_id: t.version for t in stage.touchpoints},
                **state.edit_kwargs(),
            ),
            f"Deleted stage '{stage.name}' (Undo brings it back)",
        ),
    )


def _stage_submit(workspace: str, journey_id: int, stage_id: int | None) -> None:
    name = st.session_state.get("dlg_stage_name") or ""
    db, kw = _db(), state.edit_kwargs()
    if stage_id is None:
        _final(
            lambda: jm.add_stage(db, workspace, journey_id, name, **kw),
            f"Added stage '{name.strip()}'",
        )
        return
    # Checked against the stage as the dialog was opened: a colleague's rename (or move)
    # made while it was open is a conflict, not something to overwrite.
    opened = st.session_state.get(state.OPENED_VERSION)
    _final(
        lambda: jm.rename_stage(db, workspace, stage_id, name, expected_version=opened, **kw),
        f"Renamed stage to '{name.strip()}'",
    )


def _move_stage(workspace: str, stage: jm.Stage, position: int) -> None:
    _quick(
        lambda: state.rebase(
            jm.move_stage(
                _db(),
                workspace,
                stage.stage_id,
                position,
                expected_version=stage.version,
                **state.edit_kwargs(),
            )
        ),
        f"Moved stage '{stage.name}'",
    )


@_dialog("cell")
def cell_dialog(workspace: str, journey: Journey, stage_id: int, lane_key: str) -> None:
    """One stage's text in one text lane."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    stage = journey.stage(stage_id)
    lane = next(lane for lane in journey.lanes if lane.key == lane_key)
    # A form: the text goes to the server with the Save (Ctrl+Enter), not first on its own
    # when the text area loses focus — one run per save instead of two.
    with st.form("dlg_cell_form", border=False):
        st.text_area(
            f"{ui.escape_markdown(lane.label)} · {ui.escape_markdown(stage.name)}",
            key="dlg_cell_text",
            height=120,
            max_chars=jm.MAX_TEXT_LENGTH,
        )
        st.form_submit_button(
            "Save",
            type="primary",
            key="dlg_cell_save",
            on_click=_save_cell,
            args=(workspace, stage_id, stage.name, lane, stage.cell_version(lane_key)),
        )


def _save_cell(workspace: str, stage_id: int, stage_name: str, lane: Lane, current: int) -> None:
    _final(
        lambda: jm.set_lane_cell(
            _db(),
            workspace,
            stage_id,
            lane.key,
            st.session_state.get("dlg_cell_text"),
            expected_version=state.opened_version(current),
            **state.edit_kwargs(),
        ),
        f"Saved '{lane.label}' of {stage_name}",
    )


# -- journey details and lanes ----------------------------------------------------------------
@_dialog("details")
def details_dialog(workspace: str, journey: Journey) -> None:
    """The journey's name and description, and its persona card."""
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    persona_dialog.body(workspace, journey)


def _save_refused() -> bool:
    """Whether the dialog's last Save was refused as a conflict (its message is pending)."""
    return any(o.kind == "conflict" for o in st.session_state.get(state.OUTCOMES, []))


def show_open_dialog(workspace: str, journey: Journey) -> None:
    """Call the one dialog that is open (Streamlit allows one per run)."""
    opened = st.session_state.get(state.DIALOG)
    if not opened:
        return
    kind, target = opened
    try:
        if kind == "touchpoint":
            if not _save_refused():  # a Save refused because the card was deleted: say so there
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
            lane_dialog.lanes_dialog(workspace, journey)
    except NotFoundError:
        state.close_dialog()
        st.toast("That part of the map was removed by a colleague.", icon="👥")
