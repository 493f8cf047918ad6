"""Streamlit pieces of the journey map page, and the pure logic that turns the edit
state of ``st.data_editor`` into journey operations.

The editors show a *base* journey (the one the user saw when the table was drawn).
On the next run the editor's edit state (``edited_rows``/``added_rows``/
``deleted_rows``, row numbers of that base table) is diffed against the base and applied
as operations carrying the base versions, so a stale edit of an object someone else
changed raises :class:`~cem.errors.ConflictError` instead of overwriting their work
(see the concurrency rule in :mod:`cem.journeys.writes`).

>>> from cem.journeys.model import Journey, Stage, Touchpoint
>>> tp = Touchpoint(7, 1, 0, "Checkout", channel="web", emotion=1)
>>> j = Journey(1, "w", "Shop", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
>>> touchpoint_editor_frame(j)[["stage", "position", "touchpoint", "emotion"]].to_dict("records")
[{'stage': '1 · Buy', 'position': 1, 'touchpoint': 'Checkout', 'emotion': '+1 🙂'}]
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cem.access.principal import Principal
from cem.charts import EMOTIONS, MOMENT_OF_TRUTH_MARK, PAIN_POINT_MARK
from cem.errors import ConflictError, InputError, TouchpointError
from cem.journeys import api as jm
from cem.journeys.model import Journey
from cem.ui.graph import GraphEdge, GraphNode

EMOTION_OPTIONS: list[str] = [jm.format_emotion(score) for score in EMOTIONS]
TOUCHPOINT_EDITOR_COLUMNS: list[str] = [
    "stage",
    "position",
    "touchpoint",
    "channel",
    "emotion",
    "pain_point",
    "moment_of_truth",
    "owner",
    "pain_note",
    "opportunity",
    "description",
    "data_key",
]
STAGE_EDITOR_COLUMNS: list[str] = ["position", "stage", "touchpoints"]
_TEXT_COLUMNS = ("touchpoint", "owner", "pain_note", "opportunity", "description", "data_key")


@dataclass(frozen=True)
class Outcome:
    """What happened to one operation: kind is 'saved', 'conflict' or 'error'."""

    kind: str
    message: str


# -- editor frames (pure) ---------------------------------------------------------------
def stage_label(index: int, name: str) -> str:
    """The unique label of a stage in select boxes: '2 · Research'."""
    return f"{index + 1} · {name}"


def stage_labels(journey: Journey) -> dict[str, int]:
    """label -> stage_id, in journey order."""
    return {stage_label(i, s.name): s.stage_id for i, s in enumerate(journey.stages)}


def stage_editor_frame(journey: Journey) -> pd.DataFrame:
    """The stage table: 1-based position, name, number of touchpoints."""
    return pd.DataFrame(
        [
            {"position": i + 1, "stage": s.name, "touchpoints": len(s.touchpoints)}
            for i, s in enumerate(journey.stages)
        ],
        columns=STAGE_EDITOR_COLUMNS,
    ).astype({"position": "int64", "touchpoints": "int64"})


def touchpoint_editor_frame(journey: Journey) -> pd.DataFrame:
    """The touchpoint table in journey order (row i = ``journey.touchpoints[i]``)."""
    rows = []
    for s_index, stage in enumerate(journey.stages):
        for tp in stage.touchpoints:
            rows.append(
                {
                    "stage": stage_label(s_index, stage.name),
                    "position": tp.position + 1,
                    "touchpoint": tp.name,
                    "channel": tp.channel,
                    "emotion": jm.format_emotion(tp.emotion) if tp.emotion is not None else None,
                    "pain_point": tp.pain_point,
                    "moment_of_truth": tp.moment_of_truth,
                    "owner": tp.owner,
                    "pain_note": tp.pain_note,
                    "opportunity": tp.opportunity,
                    "description": tp.description,
                    "data_key": tp.data_key,
                }
            )
    frame = pd.DataFrame(rows, columns=TOUCHPOINT_EDITOR_COLUMNS)
    frame["position"] = frame["position"].astype("int64")
    frame["pain_point"] = frame["pain_point"].astype(bool)
    frame["moment_of_truth"] = frame["moment_of_truth"].astype(bool)
    return frame


def channel_options(journey: Journey) -> list[str]:
    """The standard channels plus any other channel the journey uses."""
    extra = sorted({tp.channel for tp in journey.touchpoints if tp.channel} - set(jm.CHANNELS))
    return list(jm.CHANNELS) + extra


# -- applying editor changes (pure: no Streamlit) -----------------------------------------
def _run(outcomes: list[Outcome], func: Callable[[], Any], ok: str) -> Any:
    try:
        result = func()
    except ConflictError as exc:
        outcomes.append(Outcome("conflict", str(exc)))
        return None
    except TouchpointError as exc:
        outcomes.append(Outcome("error", str(exc)))
        return None
    outcomes.append(Outcome("saved", ok))
    return result if result is not None else True


def _rows(delta: Mapping[str, Any] | None) -> tuple[dict[int, dict], list[dict], list[int]]:
    delta = delta or {}
    edited = {int(k): dict(v) for k, v in (delta.get("edited_rows") or {}).items()}
    added = [dict(r) for r in (delta.get("added_rows") or [])]
    deleted = sorted(int(i) for i in (delta.get("deleted_rows") or []))
    return edited, added, deleted


def _is_blank(row: Mapping[str, Any]) -> bool:
    """True for an added row with nothing typed in it (a stray click)."""
    return (
        all(
            value is None
            or value is False
            or (isinstance(value, float) and value != value)
            or (isinstance(value, str) and not value.strip())
            for key, value in row.items()
            if key not in ("position", "stage")
        )
        and not str(row.get("stage") or "").strip()
    )


def has_changes(delta: Mapping[str, Any] | None) -> bool:
    """True when an editor state holds any edit."""
    edited, added, deleted = _rows(delta)
    return bool(edited or added or deleted)


def apply_stage_editor(
    db: Any,
    workspace: str,
    base: Journey,
    delta: Mapping[str, Any] | None,
    author: str,
    *,
    actor: Principal,
) -> list[Outcome]:
    """Apply the stage table's edits (deletes, renames, moves, then additions)."""
    edited, added, deleted = _rows(delta)
    outcomes: list[Outcome] = []
    stages = list(base.stages)
    for index in deleted:
        if index >= len(stages):
            continue
        stage = stages[index]
        _run(
            outcomes,
            lambda s=stage: jm.delete_stage(
                db,
                workspace,
                s.stage_id,
                expected_version=s.version,
                touchpoint_versions={t.touchpoint_id: t.version for t in s.touchpoints},
                author=author,
                actor=actor,
            ),
            f"Deleted stage '{stage.name}'",
        )
    for index, changes in sorted(edited.items()):
        if index >= len(stages) or index in deleted:
            continue
        stage = stages[index]
        version = stage.version
        if "stage" in changes and (changes["stage"] or "") != stage.name:
            ok = _run(
                outcomes,
                lambda s=stage, n=changes["stage"]: jm.rename_stage(
                    db,
                    workspace,
                    s.stage_id,
                    n or "",
                    expected_version=s.version,
                    author=author,
                    actor=actor,
                ),
                f"Renamed stage '{stage.name}' to '{changes['stage']}'",
            )
            if not ok:
                continue
            version += 1
        new_pos = changes.get("position")
        if new_pos is not None and new_pos == new_pos and int(new_pos) != index + 1:
            _run(
                outcomes,
                lambda s=stage, p=int(new_pos), v=version: jm.move_stage(
                    db, workspace, s.stage_id, p - 1, expected_version=v, author=author, actor=actor
                ),
                f"Moved stage '{stage.name}' to position {int(new_pos)}",
            )
    for row in added:
        if _is_blank(row):
            continue  # a stray click on the table's "+": nothing to save
        name = row.get("stage")
        pos = row.get("position")
        position = int(pos) - 1 if pos is not None and pos == pos else None
        _run(
            outcomes,
            lambda n=name, p=position: jm.add_stage(
                db, workspace, base.journey_id, n or "", position=p, author=author, actor=actor
            ),
            f"Added stage '{name}'",
        )
    return outcomes


def _touchpoint_changes(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, value in row.items():
        if column == "touchpoint":
            out["name"] = value
        elif column in jm.EDITABLE_TOUCHPOINT_FIELDS:
            out[column] = value
    return out


def apply_touchpoint_editor(
    db: Any,
    workspace: str,
    base: Journey,
    delta: Mapping[str, Any] | None,
    author: str,
    *,
    actor: Principal,
) -> list[Outcome]:
    """Apply the touchpoint table's edits (deletes, field edits, moves, then additions)."""
    edited, added, deleted = _rows(delta)
    outcomes: list[Outcome] = []
    tps = base.touchpoints
    labels = stage_labels(base)
    for index in deleted:
        if index >= len(tps):
            continue
        tp = tps[index]
        _run(
            outcomes,
            lambda t=tp: jm.delete_touchpoint(
                db,
                workspace,
                t.touchpoint_id,
                expected_version=t.version,
                author=author,
                actor=actor,
            ),
            f"Deleted touchpoint '{tp.name}'",
        )
    for index, changes in sorted(edited.items()):
        if index >= len(tps) or index in deleted:
            continue
        tp = tps[index]
        fields = _touchpoint_changes(changes)
        version: int | None = tp.version
        if fields:
            version = _run(
                outcomes,
                lambda t=tp, f=fields: jm.update_touchpoint(
                    db,
                    workspace,
                    t.touchpoint_id,
                    expected_version=t.version,
                    author=author,
                    actor=actor,
                    **f,
                ),
                f"Saved '{fields.get('name', tp.name)}'",
            )
            if not version:
                continue
        target_stage = None
        if "stage" in changes and changes["stage"] in labels:
            if labels[changes["stage"]] != tp.stage_id:
                target_stage = labels[changes["stage"]]
        elif "stage" in changes:
            outcomes.append(Outcome("error", f"Row {index + 1}: choose one of the stages."))
        new_pos = changes.get("position")
        position = int(new_pos) - 1 if new_pos is not None and new_pos == new_pos else None
        if target_stage is not None or (position is not None and position != tp.position):
            _run(
                outcomes,
                lambda t=tp, s=target_stage, p=position, v=version: jm.move_touchpoint(
                    db,
                    workspace,
                    t.touchpoint_id,
                    expected_version=v,
                    stage_id=s,
                    position=p,
                    author=author,
                    actor=actor,
                ),
                f"Moved '{tp.name}'",
            )
    for number, row in enumerate(added, start=1):
        if _is_blank(row):
            continue
        stage_id = labels.get(row.get("stage") or "")
        if stage_id is None:
            if not base.stages:
                outcomes.append(Outcome("error", "Add a stage first, then its touchpoints."))
                continue
            stage_id = base.stages[-1].stage_id if not row.get("stage") else None
        if stage_id is None:
            outcomes.append(Outcome("error", f"New row {number}: choose one of the stages."))
            continue
        fields = _touchpoint_changes(row)
        name = fields.pop("name", None)
        if not name or (isinstance(name, float) and name != name):
            outcomes.append(Outcome("error", f"New row {number}: give the touchpoint a name."))
            continue
        pos = row.get("position")
        position = int(pos) - 1 if pos is not None and pos == pos else None
        _run(
            outcomes,
            lambda s=stage_id, n=name, p=position, f=fields: jm.add_touchpoint(
                db, workspace, s, n, position=p, author=author, actor=actor, **f
            ),
            f"Added touchpoint '{name}'",
        )
    return outcomes


# -- graph (pure) ---------------------------------------------------------------------------
GRAPH_COLUMN = 240  # graph units between two stages' columns
GRAPH_FIRST_ROW = 110  # from a stage's box to its first touchpoint
GRAPH_ROW = 120  # between two touchpoints of a stage (room for a two-line label)
GRAPH_LABEL_ROOM = 160  # below the last row: its label
GRAPH_PX = (260, 700)  # the least and most height the graph is given


def graph_height(journey: Journey, width: int = 930) -> int:
    """Pixels the graph needs at ``width``: the drawing is scaled to fit the width, so a
    map with few touchpoints per stage needs little height (no empty canvas below)."""
    columns = max(1, len(journey.stages))
    rows = max((len(s.touchpoints) for s in journey.stages), default=0)
    span_x = columns * GRAPH_COLUMN
    span_y = GRAPH_FIRST_ROW + max(0, rows - 1) * GRAPH_ROW + GRAPH_LABEL_ROOM
    least, most = GRAPH_PX
    return int(min(most, max(least, span_y * width / span_x + 40)))


def graph_elements(journey: Journey) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Stages and touchpoints as a left-to-right flow in journey order, laid out as the
    board is: one column per stage, its box on top and its touchpoints stacked below it
    (fixed positions, so labels stay readable at 1280 px: a flat flow of 2 levels per
    stage drew them at a third of their size). Each stage is at level 2·i and its
    touchpoints at 2·i+1; they all flow into the next stage. Node ids:
    ``s:<stage_id>`` and ``t:<touchpoint_id>``. Labels and titles are plain text (the
    adapter escapes them); long labels wrap within their column.
    """
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    previous: list[str] = []
    for index, stage in enumerate(journey.stages):
        sid = f"s:{stage.stage_id}"
        nodes.append(
            GraphNode(
                sid,
                stage.name,
                f"Stage {index + 1}: {stage.name}\n{len(stage.touchpoints)} touchpoint(s)",
                size=26,
                colour="#37474f",
                shape="box",
                level=2 * index,
                x=index * GRAPH_COLUMN,
                y=0,
                extra={
                    "font": {"multi": False, "size": 24, "face": "sans-serif", "color": "#ffffff"},
                    "widthConstraint": {"maximum": GRAPH_COLUMN - 30},
                },
            )
        )
        for src in previous:
            edges.append(GraphEdge(src, sid, colour="#b0bec5"))
        previous = []
        for row, tp in enumerate(stage.touchpoints):
            tid = f"t:{tp.touchpoint_id}"
            emo = EMOTIONS.get(tp.emotion) if tp.emotion is not None else None
            marks = (PAIN_POINT_MARK + " " if tp.pain_point else "") + (
                MOMENT_OF_TRUTH_MARK + " " if tp.moment_of_truth else ""
            )
            title_lines = [
                tp.name,
                f"Stage: {stage.name}",
                f"Channel: {tp.channel or '—'}",
                f"Owner: {tp.owner or '—'}",
                f"Emotion: {jm.format_emotion(tp.emotion)}",
            ]
            if tp.pain_point:
                title_lines.append(f"{PAIN_POINT_MARK} Pain point: {tp.pain_note or ''}".rstrip())
            if tp.moment_of_truth:
                title_lines.append(f"{MOMENT_OF_TRUTH_MARK} Moment of truth")
            if tp.opportunity:
                title_lines.append(f"Opportunity: {tp.opportunity}")
            nodes.append(
                GraphNode(
                    tid,
                    marks + tp.name,
                    "\n".join(title_lines),
                    size=18,
                    colour=emo.colour if emo else "#e0e0e0",
                    shape="dot",
                    level=2 * index + 1,
                    x=index * GRAPH_COLUMN,
                    y=GRAPH_FIRST_ROW + row * GRAPH_ROW,
                    extra={
                        "font": {"multi": False, "size": 24, "face": "sans-serif"},
                        "widthConstraint": {"maximum": GRAPH_COLUMN - 30},
                        "borderWidth": 4 if tp.pain_point else 1,
                        "color": {
                            "background": emo.colour if emo else "#e0e0e0",
                            "border": "#d7191c" if tp.pain_point else "#424242",
                        },
                    },
                )
            )
            edges.append(GraphEdge(sid, tid, colour="#90a4ae"))
            previous.append(tid)
        if not stage.touchpoints:
            previous = [sid]
    return nodes, edges


# -- Streamlit rendering -------------------------------------------------------------------
def show_outcomes(outcomes: list[Outcome]) -> None:
    """Conflicts as warnings, errors as errors, a confirmation for a new journey and a
    short toast for what was saved."""
    import streamlit as st

    from cem.ui import escape_markdown

    saved = [o for o in outcomes if o.kind == "saved"]
    for outcome in outcomes:
        if outcome.kind == "conflict":
            st.warning(escape_markdown(outcome.message), icon="🔀")
        elif outcome.kind == "error":
            st.error(escape_markdown(outcome.message), icon="⚠️")
        elif outcome.kind == "created":
            st.success(escape_markdown(outcome.message), icon="✅")
            st.toast(escape_markdown(outcome.message), icon="✅")
    if len(saved) == 1:
        st.toast(escape_markdown(saved[0].message), icon="💾")
    elif saved:
        st.toast(f"Saved {len(saved)} changes", icon="💾")


def touchpoint_column_config(journey: Journey) -> dict[str, Any]:
    """Column settings of the touchpoint editor."""
    import streamlit as st

    stage_opts = list(stage_labels(journey))
    return {
        "stage": st.column_config.SelectboxColumn("Stage", options=stage_opts, required=True),
        "position": st.column_config.NumberColumn(
            "#", help="Position within the stage (1 = first)", min_value=1, step=1, width="small"
        ),
        "touchpoint": st.column_config.TextColumn("Touchpoint", required=True, max_chars=120),
        "channel": st.column_config.SelectboxColumn("Channel", options=channel_options(journey)),
        "emotion": st.column_config.SelectboxColumn(
            "Emotion", options=EMOTION_OPTIONS, help="The team's view: −2 😡 … +2 😄"
        ),
        "pain_point": st.column_config.CheckboxColumn(f"{PAIN_POINT_MARK} Pain"),
        "moment_of_truth": st.column_config.CheckboxColumn(f"{MOMENT_OF_TRUTH_MARK} MoT"),
        "owner": st.column_config.TextColumn("Owner", max_chars=120),
        "pain_note": st.column_config.TextColumn("Pain note", max_chars=2000),
        "opportunity": st.column_config.TextColumn("💡 Opportunity", max_chars=2000),
        "description": st.column_config.TextColumn("Description", max_chars=2000),
        "data_key": st.column_config.TextColumn(
            "Data key", help="Matches the touchpoint column of the responses (default: the name)"
        ),
    }


def stage_column_config() -> dict[str, Any]:
    """Column settings of the stage editor."""
    import streamlit as st

    return {
        "position": st.column_config.NumberColumn("#", min_value=1, step=1, width="small"),
        "stage": st.column_config.TextColumn("Stage", required=True, max_chars=120),
        "touchpoints": st.column_config.NumberColumn("Touchpoints", disabled=True, width="small"),
    }


def safe_html(text: object) -> str:
    """HTML-escaped text (for the rare place that builds HTML)."""
    return html.escape(str(text), quote=True)


def author_label(author: str | None) -> str:
    """A readable author name."""
    return author or jm.DEFAULT_AUTHOR


def check_input(value: str, what: str) -> str:
    """A non-empty trimmed name (InputError otherwise)."""
    if not value or not value.strip():
        raise InputError(f"{what} cannot be empty.")
    return value.strip()
