"""Undo, redo and restoring a journey's earlier version.

Every change wrote a full snapshot (:func:`cem.journeys.reads.journey_to_dict`) to
``journey_versions``. Undo restores the state before the shown one as a *new* version
(so an undo can itself be undone or redone); restore brings back any version. These
whole-journey operations conflict when anything changed after the version the editor
saw, since they would otherwise silently discard a colleague's work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cem.access.principal import Principal
from cem.errors import ConflictError, InputError, NotFoundError
from cem.journeys.edit import (
    Cursor,
    Edit,
    insert_cells,
    insert_touchpoints,
    journey_edit,
    keep_picture,
    restore_picture,
)
from cem.journeys.lanes import clean_lanes, lanes_to_json
from cem.journeys.model import DEFAULT_AUTHOR, touchpoint_values
from cem.store.db import Database


def _snapshot(cur: Cursor, journey_id: int, version: int) -> dict[str, Any]:
    row = cur.execute(
        "SELECT snapshot FROM journey_versions WHERE journey_id = ? AND version = ?",
        [journey_id, version],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Version {version} of this journey does not exist.")
    return json.loads(row[0])


def _restore(
    edit: Edit, journey_id: int, version: int, action: str, meta: Mapping[str, Any]
) -> None:
    cur = edit.cur
    snap = _snapshot(cur, journey_id, version)
    old_stage = dict(
        cur.execute(
            "SELECT stage_id, version FROM stages WHERE journey_id = ?", [journey_id]
        ).fetchall()
    )
    old_tp = dict(
        cur.execute(
            "SELECT touchpoint_id, version FROM touchpoints WHERE journey_id = ?", [journey_id]
        ).fetchall()
    )
    old_cells = {
        (int(s), k): int(v)
        for s, k, v in cur.execute(
            "SELECT stage_id, lane_key, version FROM journey_lane_cells WHERE journey_id = ?",
            [journey_id],
        ).fetchall()
    }
    for table in ("journey_lane_cells", "touchpoints", "stages"):
        cur.execute(f"DELETE FROM {table} WHERE journey_id = ?", [journey_id])
    current = cur.execute(
        "SELECT persona_picture, persona_picture_type FROM journeys WHERE journey_id = ?",
        [journey_id],
    ).fetchone()
    if current is not None and current[0] is not None:
        keep_picture(cur, journey_id, bytes(current[0]), current[1])  # redo brings it back
    restore_picture(cur, journey_id, snap.get("persona_picture"))
    lanes = snap.get("lanes")
    cur.execute(
        "UPDATE journeys SET name = ?, description = ?, persona = ?, persona_quote = ?, "
        "persona_goals = ?, persona_avatar = ?, lanes = ? WHERE journey_id = ?",
        [
            snap["name"],
            snap.get("description"),
            snap.get("persona"),
            snap.get("persona_quote"),
            snap.get("persona_goals"),
            snap.get("persona_avatar"),
            lanes_to_json(clean_lanes(lanes)) if lanes else None,
            journey_id,
        ],
    )
    rows: list[list[Any]] = []
    for s_pos, stage in enumerate(snap["stages"]):
        sid = int(stage["stage_id"])
        # Every restored object gets a version above any it had, so stale editors conflict.
        s_version = max(int(old_stage.get(sid, 0)), int(stage.get("version", 1))) + 1
        cur.execute(
            "INSERT INTO stages(stage_id, journey_id, position, name, version) "
            "VALUES (?, ?, ?, ?, ?)",
            [sid, journey_id, s_pos, stage["name"], s_version],
        )
        cell_versions = stage.get("cell_versions") or {}
        insert_cells(
            cur,
            journey_id,
            sid,
            {
                key: (
                    text,
                    max(old_cells.get((sid, key), 0), int(cell_versions.get(key, 1))) + 1,
                )
                for key, text in (stage.get("cells") or {}).items()
            },
        )
        for t_pos, tp in enumerate(stage["touchpoints"]):
            tid = int(tp["touchpoint_id"])
            t_version = max(int(old_tp.get(tid, 0)), int(tp.get("version", 1))) + 1
            rows.append([tid, sid, t_pos, *touchpoint_values(tp), t_version, journey_id])
    insert_touchpoints(cur, rows)
    edit.done(action, "*", meta=meta)


def _effective_position(cur: Cursor, journey_id: int) -> tuple[int, int, str | None]:
    """(current version, the version whose state it shows, kind of the last change).

    Only an undo or a redo moves the position back into the history: a restore from the
    History tab is a change like any other (undoing it goes back to the state before it,
    not to the version before the one it restored)."""
    row = cur.execute(
        "SELECT version, snapshot->>'$.meta.restored_from', snapshot->>'$.meta.kind' "
        "FROM journey_versions WHERE journey_id = ? ORDER BY version DESC LIMIT 1",
        [journey_id],
    ).fetchone()
    if row is None:
        raise NotFoundError("This journey has no history.")
    current = int(row[0])
    shown = int(row[1]) if row[1] is not None and row[2] in ("undo", "redo") else current
    return current, shown, row[2]


def _check_whole_journey(
    cur: Cursor, journey_id: int, expected_version: int | None, verb: str
) -> None:
    if expected_version is None:
        return
    rows = cur.execute(
        "SELECT action, author FROM journey_versions WHERE journey_id = ? AND version > ? "
        "ORDER BY version DESC LIMIT 1",
        [journey_id, int(expected_version)],
    ).fetchall()
    if rows:
        raise ConflictError(
            f"Nothing was {verb}: the journey was changed by someone else since you loaded it "
            f"(“{rows[0][0]}” by {rows[0][1] or DEFAULT_AUTHOR}). Look at the map again first."
        )


def can_undo(db: Database, workspace: str, journey_id: int) -> bool:
    """True when there is an earlier state to go back to."""
    _, shown, _ = _effective_position(db.cursor(), journey_id)
    return shown > 1


def can_redo(db: Database, workspace: str, journey_id: int) -> bool:
    """True when the last change was an undo/redo with a later state to return to."""
    current, shown, kind = _effective_position(db.cursor(), journey_id)
    return kind in ("undo", "redo") and shown + 1 < current


def _undo_or_redo(
    db: Database,
    workspace: str,
    journey_id: int,
    kind: str,
    expected_version: int | None,
    actor: Principal,
    author: str | None,
) -> str:
    """Shared body of :func:`undo` and :func:`redo` (``kind`` is "undo" or "redo").

    Undo restores the state before the shown one and names the shown version's action;
    redo restores the state after it and names that later version's action.
    """
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        cur = edit.cur
        edit.journey(journey_id)
        _check_whole_journey(
            cur, journey_id, expected_version, "undone" if kind == "undo" else "redone"
        )
        current, shown, last_kind = _effective_position(cur, journey_id)
        if kind == "undo":
            if shown <= 1:
                raise InputError("There is nothing to undo.")
            target, named = shown - 1, shown
        else:
            if last_kind not in ("undo", "redo") or shown + 1 >= current:
                raise InputError("There is nothing to redo.")
            target, named = shown + 1, shown + 1
        action = cur.execute(
            "SELECT action FROM journey_versions WHERE journey_id = ? AND version = ?",
            [journey_id, named],
        ).fetchone()[0]
        _restore(
            edit,
            journey_id,
            target,
            f"{kind.capitalize()}: {action}",
            {"restored_from": target, "kind": kind},
        )
    return str(action)


def undo(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    actor: Principal,
    expected_version: int | None = None,
    author: str | None = None,
) -> str:
    """Undo the last change by restoring the state before it, as a new version.

    Repeated undos step further back; an undo is itself a version (so it can be undone,
    or redone with :func:`redo`). Returns the action that was undone.
    """
    return _undo_or_redo(db, workspace, journey_id, "undo", expected_version, actor, author)


def redo(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    actor: Principal,
    expected_version: int | None = None,
    author: str | None = None,
) -> str:
    """Redo the change that the last undo took back. Returns that change's action."""
    return _undo_or_redo(db, workspace, journey_id, "redo", expected_version, actor, author)


def restore_version(
    db: Database,
    workspace: str,
    journey_id: int,
    version: int,
    *,
    actor: Principal,
    expected_version: int | None = None,
    author: str | None = None,
) -> None:
    """Make the journey look as it did at ``version`` again (as a new version)."""
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        edit.journey(journey_id)
        _check_whole_journey(edit.cur, journey_id, expected_version, "restored")
        _restore(
            edit,
            journey_id,
            int(version),
            f"Restored version {int(version)}",
            {"restored_from": int(version), "kind": "restore"},
        )


def snapshot_at(db: Database, workspace: str, journey_id: int, version: int) -> dict[str, Any]:
    """The stored snapshot of one version (journey_to_dict shape)."""
    cur = db.cursor()
    if not cur.execute(
        "SELECT count(*) FROM journeys WHERE journey_id = ? AND workspace = ?",
        [journey_id, workspace],
    ).fetchone()[0]:
        raise NotFoundError(f"There is no journey {journey_id} in workspace '{workspace}'.")
    return _snapshot(cur, journey_id, version)
