"""The one edit skeleton every journey change runs in (see :mod:`cem.journeys.writes`
for the concurrency rule), and the low-level row helpers the operations share.

:func:`journey_edit` checks the actor (``journey.edit``), opens one transaction, hands out
an :class:`Edit` whose lookups check the versions the editor saw, and — when the
operation recorded what it did — writes the new journey version with its snapshot (the
workspace's data revision is not bumped: a map edit leaves the response caches valid).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.errors import ConflictError, NotFoundError
from cem.journeys.fields import TOUCHPOINT_COLUMNS, TOUCHPOINT_TYPES
from cem.journeys.model import DEFAULT_AUTHOR, clean_text
from cem.journeys.reads import TP_SELECT, journey_to_dict, load_journey, picture_digest
from cem.store.db import Database

Cursor = duckdb.DuckDBPyConnection
ACTION = "journey.edit"
_CONFLICT_LOOKBACK = 500  # how far back a conflict message looks for the change


# -- the skeleton -----------------------------------------------------------------------
def write_version(
    cur: Cursor,
    workspace: str,
    journey_id: int,
    action: str,
    author: str | None,
    changed: Sequence[str],
    meta: Mapping[str, Any] | None = None,
) -> int:
    """Bump the journey version and snapshot it.

    The workspace revision (the key of the response/event caches) is left alone: a map
    edit changes no customer data, so the filters and KPIs stay cached; journey reads
    key on the journey's own version instead.
    """
    cur.execute(
        "UPDATE journeys SET version = version + 1, updated_at = current_localtimestamp() "
        "WHERE journey_id = ?",
        [journey_id],
    )
    journey = load_journey(cur, workspace, journey_id)
    keep_picture(cur, journey_id, journey.persona_picture, journey.persona_picture_type)
    snapshot = journey_to_dict(journey) | {
        "changed": sorted(set(changed)),
        "meta": dict(meta or {}),
    }
    cur.execute(
        "INSERT INTO journey_versions(journey_id, version, action, author, snapshot) "
        "VALUES (?, ?, ?, ?, ?)",
        [journey_id, journey.version, action, author or DEFAULT_AUTHOR, json.dumps(snapshot)],
    )
    return journey.version


def keep_picture(cur: Cursor, journey_id: int, picture: bytes | None, mime: str | None) -> None:
    """Keep the persona's picture by its digest (once), so a later undo can bring it back."""
    digest = picture_digest(picture)
    if digest is None:
        return
    held = cur.execute(
        "SELECT 1 FROM journey_pictures WHERE journey_id = ? AND digest = ?", [journey_id, digest]
    ).fetchone()
    if held is None:
        cur.execute(
            "INSERT INTO journey_pictures(journey_id, digest, picture, picture_type) "
            "VALUES (?, ?, ?, ?)",
            [journey_id, digest, picture, mime],
        )


def restore_picture(cur: Cursor, journey_id: int, digest: str | None) -> None:
    """Put back the picture a snapshot names (none: no picture). A digest with no kept
    bytes (a snapshot older than the picture store) leaves the current picture alone."""
    if digest is None:
        picture: Any = None
        mime = None
    else:
        row = cur.execute(
            "SELECT picture, picture_type FROM journey_pictures "
            "WHERE journey_id = ? AND digest = ?",
            [journey_id, digest],
        ).fetchone()
        if row is None:
            return
        picture, mime = row
    cur.execute(
        "UPDATE journeys SET persona_picture = ?, persona_picture_type = ? WHERE journey_id = ?",
        [picture, mime, journey_id],
    )


def last_change_of(cur: Cursor, journey_id: int, tag: str, after: int = 0) -> str:
    """'"<action>" by <author>' of the newest version that changed ``tag`` (for messages)."""
    rows = cur.execute(
        "SELECT action, author, snapshot->'$.changed' FROM journey_versions "
        "WHERE journey_id = ? AND version > ? ORDER BY version DESC LIMIT ?",
        [journey_id, after, _CONFLICT_LOOKBACK],
    ).fetchall()
    for action, author, changed in rows:
        tags = json.loads(changed) if isinstance(changed, str) else (changed or [])
        if tag in tags or "*" in tags:
            return f"“{action}” by {author or DEFAULT_AUTHOR}"
    return "a change by someone else"


class Edit:
    """One change in progress: the open cursor, the checked lookups and what was done."""

    def __init__(self, cur: Cursor, workspace: str, author: str | None) -> None:
        self.cur = cur
        self.workspace = workspace
        self.author = author
        self.journey_id: int | None = None
        self.action: str | None = None
        self.changed: list[str] = []
        self.meta: dict[str, Any] = {}
        self.version: int | None = None

    def journey(self, journey_id: int) -> tuple[str, int]:
        """(name, version) of a journey of the workspace (NotFoundError otherwise)."""
        row = self.cur.execute(
            "SELECT name, version FROM journeys WHERE journey_id = ? AND workspace = ?",
            [int(journey_id), self.workspace],
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"There is no journey {journey_id} in workspace '{self.workspace}'."
            )
        self.journey_id = int(journey_id)
        return row[0], int(row[1])

    def journey_unchanged(
        self, journey_id: int, expected_version: int | None, tag: str, what: str
    ) -> tuple[str, int]:
        """:meth:`journey`, then ConflictError when a version after ``expected_version``
        changed ``tag`` (the journey's details, its lanes)."""
        name, version = self.journey(journey_id)
        if expected_version is not None and int(expected_version) != version:
            self.check_changed_since(expected_version, [tag], what)
        return name, version

    def check_changed_since(
        self, expected_version: int | None, tags: Sequence[str], what: str
    ) -> None:
        """ConflictError when a version after ``expected_version`` changed one of ``tags``."""
        if expected_version is None or self.journey_id is None:
            return
        for tag in tags:
            change = last_change_of(self.cur, self.journey_id, tag, int(expected_version))
            if change != "a change by someone else":
                raise ConflictError(
                    f"{what} were changed by someone else since you loaded them ({change}). "
                    "Their change was kept."
                )

    def _deleted(self, what: str, tag: str, obj_id: int) -> None:
        row = self.cur.execute(
            "SELECT v.action, v.author FROM journey_versions v "
            "JOIN journeys j USING (journey_id) WHERE j.workspace = ? "
            "AND list_contains(CAST(v.snapshot->'$.changed' AS VARCHAR[]), ?) "
            "ORDER BY v.version DESC LIMIT 1",
            [self.workspace, tag],
        ).fetchone()
        if row is not None:
            raise ConflictError(
                f"That {what} no longer exists: it was removed by “{row[0]}” by "
                f"{row[1] or DEFAULT_AUTHOR}. Your change was not saved."
            )
        raise ConflictError(
            f"That {what} ({obj_id}) no longer exists: someone removed it or undid its "
            "creation. Your change was not saved."
        )

    def _check(self, what: str, tag: str, expected: int | None, actual: int) -> None:
        if expected is not None and int(expected) != actual:
            change = last_change_of(self.cur, self.journey_id or 0, tag)
            raise ConflictError(
                f"{what} was changed by someone else since you loaded it ({change}). "
                "Their change was kept and yours was not saved; look again and redo it if "
                "it still applies."
            )

    def stage(self, stage_id: int, expected_version: int | None) -> tuple[str, int, int]:
        """(name, version, position) of a live stage, after the conflict checks."""
        row = self.cur.execute(
            "SELECT s.journey_id, s.name, s.version, s.position FROM stages s "
            "JOIN journeys j USING (journey_id) WHERE s.stage_id = ? AND j.workspace = ?",
            [int(stage_id), self.workspace],
        ).fetchone()
        if row is None:
            self._deleted("stage", f"stage:{stage_id}", stage_id)
        self.journey_id = int(row[0])
        self._check(f"Stage '{row[1]}'", f"stage:{stage_id}", expected_version, int(row[2]))
        return row[1], int(row[2]), int(row[3])

    def touchpoint(self, touchpoint_id: int, expected_version: int | None) -> dict[str, Any]:
        """A live touchpoint's row (column -> value), after the conflict checks."""
        row = self.cur.execute(
            f"SELECT {', '.join('t.' + c for c in TOUCHPOINT_COLUMNS)}, t.journey_id "
            "FROM touchpoints t JOIN journeys j USING (journey_id) "
            "WHERE t.touchpoint_id = ? AND j.workspace = ?",
            [int(touchpoint_id), self.workspace],
        ).fetchone()
        if row is None:
            self._deleted("touchpoint", f"touchpoint:{touchpoint_id}", touchpoint_id)
        values = dict(zip([*TOUCHPOINT_COLUMNS, "journey_id"], row, strict=True))
        self.journey_id = int(values["journey_id"])
        self._check(
            f"Touchpoint '{values['name']}'",
            f"touchpoint:{touchpoint_id}",
            expected_version,
            int(values["version"]),
        )
        return values

    def done(self, action: str, *changed: str, meta: Mapping[str, Any] | None = None) -> None:
        """Record what the operation did: the skeleton then writes the version."""
        self.action = action
        self.changed.extend(changed)
        self.meta.update(meta or {})


@contextmanager
def journey_edit(
    db: Database, workspace: str, *, actor: Principal, author: str | None = None
) -> Iterator[Edit]:
    """The edit skeleton: permission, transaction, checked lookups, version snapshot."""
    require(actor, ACTION, workspace)
    with db.transaction() as cur:
        edit = Edit(cur, workspace, author)
        yield edit
        if edit.action is not None and edit.journey_id is not None:
            edit.version = write_version(
                cur, workspace, edit.journey_id, edit.action, author, edit.changed, edit.meta
            )
    if edit.action is not None:
        target = f"journey #{edit.journey_id}" if edit.journey_id is not None else None
        record(db, actor, f"journey.{edit.action}", workspace, target, ", ".join(edit.changed))


# -- positions and inserts --------------------------------------------------------------
def renumber(cur: Cursor, table: str, id_column: str, ids: Sequence[int]) -> None:
    """Set positions 0..n-1 in the given order (one statement)."""
    if not ids:
        return
    cur.execute(
        f"UPDATE {table} SET position = v.pos FROM "
        "(SELECT unnest(?::BIGINT[]) AS id, unnest(?::INTEGER[]) AS pos) v "
        f"WHERE {table}.{id_column} = v.id",
        [list(ids), list(range(len(ids)))],
    )


def stage_ids(cur: Cursor, journey_id: int) -> list[int]:
    """The journey's stage ids in order."""
    rows = cur.execute(
        "SELECT stage_id FROM stages WHERE journey_id = ? ORDER BY position, stage_id",
        [journey_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def touchpoint_ids(cur: Cursor, stage_id: int) -> list[int]:
    """The stage's touchpoint ids in order."""
    rows = cur.execute(
        "SELECT touchpoint_id FROM touchpoints WHERE stage_id = ? ORDER BY position, touchpoint_id",
        [stage_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def clamp(position: int | None, length: int) -> int:
    return length if position is None else max(0, min(int(position), length))


def next_id(cur: Cursor, sequence: str) -> int:
    return int(cur.execute(f"SELECT nextval('{sequence}')").fetchone()[0])


def insert_touchpoints(cur: Cursor, rows: Sequence[Sequence[Any]]) -> None:
    """Insert touchpoints in one statement; each row is in :data:`TOUCHPOINT_COLUMNS`
    order followed by the journey id."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    selects = ", ".join(f"unnest(?::{t}[])" for t in (*TOUCHPOINT_TYPES, "BIGINT"))
    cur.execute(
        f"INSERT INTO touchpoints({TP_SELECT}, journey_id) SELECT {selects}",
        [list(col) for col in columns],
    )


def insert_stage(
    cur: Cursor, journey_id: int, position: int, name: str, version: int = 1, stage_id: int = 0
) -> int:
    """Insert one stage row (a new id unless ``stage_id`` is given)."""
    stage_id = stage_id or next_id(cur, "stage_id_seq")
    cur.execute(
        "INSERT INTO stages(stage_id, journey_id, position, name, version) VALUES (?, ?, ?, ?, ?)",
        [stage_id, journey_id, position, name, version],
    )
    return stage_id


def insert_cells(cur: Cursor, journey_id: int, stage_id: int, cells: Mapping[str, Any]) -> None:
    """Write a stage's lane texts (empty ones are skipped); ``cells``: key -> text or
    (text, version)."""
    for key, value in cells.items():
        text, version = value if isinstance(value, tuple) else (value, 1)
        clean = clean_text(text, "A lane text")
        if clean:
            cur.execute(
                "INSERT INTO journey_lane_cells(journey_id, stage_id, lane_key, text, version) "
                "VALUES (?, ?, ?, ?, ?)",
                [journey_id, stage_id, str(key), clean, int(version)],
            )
