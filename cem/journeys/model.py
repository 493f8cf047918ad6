"""The journey map model: journeys, ordered stages, ordered touchpoints, versions and undo.

Plain parameterised SQL over the small state tables ``journeys``, ``stages``,
``touchpoints`` and ``journey_versions`` (DESIGN.md: small state tables are not Ibis).

Every change runs in one transaction that

1. checks the version the editor based it on (optimistic concurrency, below),
2. writes the change (positions are kept dense: 0, 1, 2, ... within the journey for
   stages and within the stage for touchpoints),
3. bumps the journey's version and writes a full JSON snapshot of the journey to
   ``journey_versions`` with a human action ("Renamed stage 'Buy' to 'Purchase'") and
   the author (the editing session's name),
4. bumps the workspace revision (the UI cache keys on it).

Optimistic concurrency — the rule
---------------------------------
* Every stage and every touchpoint has its own ``version``; it goes up by one whenever
  *that* object is edited, renamed, moved by a user or restored. Positions that shift
  only because a neighbour was inserted, moved or deleted do not count as a change.
* An edit names the version of the object it was based on (``expected_version``).
  If the object's version is now different, someone else changed it first: the edit
  raises :class:`~cem.errors.ConflictError` whose message names that change and its
  author, and nothing is written, so the other person's change is kept.
* Because the check is per object, edits of *different* touchpoints (or stages) never
  conflict, even though each of them bumps the journey's version.
* Changes to the whole journey — its name/description/persona, undo and restore —
  name the journey version they were based on; they conflict only when a later
  version changed the same thing (for details) or anything at all (for undo/restore,
  which would otherwise silently discard a colleague's work).
* Deleting a stage may name the versions of the touchpoints it holds; if any of them
  changed (or one was added) since, the delete conflicts instead of losing that work.
* An object that someone else deleted raises ConflictError saying so.

>>> from cem.store.db import Database
>>> from cem.store.workspaces import ensure_workspace
>>> db = Database(":memory:")
>>> _ = ensure_workspace(db, "w")
>>> jid = create_journey(db, "w", "Trip", outline=[("Book", ["Website"]), ("Stay", [])])
>>> j = get_journey(db, "w", jid)
>>> [s.name for s in j.stages], j.stages[0].touchpoints[0].name, j.version
(['Book', 'Stay'], 'Website', 1)
>>> tp = j.stages[0].touchpoints[0]
>>> update_touchpoint(db, "w", tp.touchpoint_id, expected_version=tp.version, emotion=-1)
2
>>> list_versions(db, "w", jid)[0].action
"Set emotion of 'Website' to -1 🙁"
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import duckdb

from cem.errors import ConflictError, InputError, NotFoundError
from cem.store.db import Database, bump_revision

Cursor = duckdb.DuckDBPyConnection

MAX_NAME_LENGTH = 120
MAX_TEXT_LENGTH = 2000
DEFAULT_AUTHOR = "someone"
DEMO_JOURNEY_NAME = "Brightwave customer journey"
DEMO_PERSONA = "Busy Parent"
SNAPSHOT_FORMAT = "touchpoint-journey"
SNAPSHOT_FORMAT_VERSION = 1
# How far back a conflict message looks for the change that made a version stale.
_CONFLICT_LOOKBACK = 500

CHANNELS: tuple[str, ...] = (
    "web",
    "app",
    "email",
    "phone",
    "chat",
    "store",
    "social",
    "sms",
    "field",
    "courier",
    "mail",
    "in person",
    "other",
)
CHANNEL_ICONS: dict[str, str] = {
    "web": "🌐",
    "app": "📱",
    "email": "✉️",
    "phone": "📞",
    "chat": "💬",
    "store": "🏬",
    "social": "📣",
    "sms": "📨",
    "field": "🔧",
    "courier": "📦",
    "mail": "📮",
    "in person": "🤝",
    "other": "•",
}
EDITABLE_TOUCHPOINT_FIELDS: tuple[str, ...] = (
    "name",
    "channel",
    "description",
    "owner",
    "emotion",
    "pain_point",
    "pain_note",
    "moment_of_truth",
    "opportunity",
    "data_key",
)
_TEXT_FIELDS = ("channel", "description", "owner", "pain_note", "opportunity", "data_key")
_FIELD_LABELS = {
    "name": "name",
    "channel": "channel",
    "description": "description",
    "owner": "owner",
    "emotion": "emotion",
    "pain_point": "pain point",
    "pain_note": "pain note",
    "moment_of_truth": "moment of truth",
    "opportunity": "opportunity",
    "data_key": "data key",
}
_FACES = {-2: "😡", -1: "🙁", 0: "😐", 1: "🙂", 2: "😄"}


# -- value types --------------------------------------------------------------------------
@dataclass(frozen=True)
class Touchpoint:
    """One touchpoint card of a stage."""

    touchpoint_id: int
    stage_id: int
    position: int
    name: str
    channel: str | None = None
    description: str | None = None
    owner: str | None = None
    emotion: int | None = None
    pain_point: bool = False
    pain_note: str | None = None
    moment_of_truth: bool = False
    opportunity: str | None = None
    data_key: str | None = None
    version: int = 1


@dataclass(frozen=True)
class Stage:
    """One column of the map, with its touchpoints in order."""

    stage_id: int
    position: int
    name: str
    version: int = 1
    touchpoints: tuple[Touchpoint, ...] = ()


@dataclass(frozen=True)
class Journey:
    """A journey with its stages (in order), as loaded at one version."""

    journey_id: int
    workspace: str
    name: str
    description: str | None
    persona: str | None
    version: int
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    stages: tuple[Stage, ...] = field(default=())

    @property
    def touchpoints(self) -> list[Touchpoint]:
        """Every touchpoint in journey order (stage by stage)."""
        return [tp for stage in self.stages for tp in stage.touchpoints]

    def stage(self, stage_id: int) -> Stage:
        """The stage with that id (NotFoundError if it is not in this journey)."""
        for stage in self.stages:
            if stage.stage_id == stage_id:
                return stage
        raise NotFoundError(f"Stage {stage_id} is not in journey '{self.name}'.")

    def touchpoint(self, touchpoint_id: int) -> Touchpoint:
        """The touchpoint with that id (NotFoundError if it is not in this journey)."""
        for tp in self.touchpoints:
            if tp.touchpoint_id == touchpoint_id:
                return tp
        raise NotFoundError(f"Touchpoint {touchpoint_id} is not in journey '{self.name}'.")


@dataclass(frozen=True)
class JourneySummary:
    """One line of the journey picker."""

    journey_id: int
    name: str
    persona: str | None
    version: int
    updated_at: dt.datetime | None
    n_stages: int
    n_touchpoints: int


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a journey's version history."""

    version: int
    action: str
    author: str | None
    created_at: dt.datetime | None


# -- validation -------------------------------------------------------------------------
def clean_name(value: object, what: str = "A name") -> str:
    """A trimmed, non-empty name without control characters (InputError otherwise).

    >>> clean_name("  Purchase ")
    'Purchase'
    """
    text = "" if value is None else str(value)
    text = text.strip()
    if not text:
        raise InputError(f"{what} cannot be empty.")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"{what} can have at most {MAX_NAME_LENGTH} characters.")
    if any(ord(ch) < 32 for ch in text):
        raise InputError(f"{what} cannot contain control characters.")
    return text


def clean_text(value: object, what: str = "A note") -> str | None:
    """Optional free text: trimmed, None when empty (InputError when too long)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT_LENGTH:
        raise InputError(f"{what} can have at most {MAX_TEXT_LENGTH} characters.")
    return text


def clean_emotion(value: object) -> int | None:
    """An emotion score −2..+2, or None. Accepts ints, '+1', '-2', faces and '1 🙂'.

    >>> clean_emotion("+1"), clean_emotion("😡"), clean_emotion(None), clean_emotion("2 😄")
    (1, -2, None, 2)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        raise InputError("An emotion is a whole number from -2 to +2.")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("−", "-")
        if not text:
            return None
        for score, face in _FACES.items():
            if text == face:
                return score
        token = text.split()[0]
        try:
            number = float(token)
        except ValueError as exc:
            raise InputError(
                f"'{value}' is not an emotion: use a whole number from -2 to +2."
            ) from exc
    if number != int(number) or not -2 <= number <= 2:
        raise InputError(f"'{value}' is not an emotion: use a whole number from -2 to +2.")
    return int(number)


def clean_flag(value: object, what: str = "A flag") -> bool:
    """A yes/no value from a bool, 0/1 or text (yes/no, true/false, x, ⚠/★)."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in {"", "0", "no", "n", "false", "f"}:
        return False
    if text in {"1", "yes", "y", "true", "t", "x", "⚠", "★"}:
        return True
    raise InputError(f"{what}: '{value}' is not yes/no.")


def format_emotion(score: int | None) -> str:
    """'−1 🙁'-style text of an emotion (used in actions and selects).

    >>> format_emotion(-1), format_emotion(2), format_emotion(None)
    ('-1 🙁', '+2 😄', 'not set')
    """
    if score is None:
        return "not set"
    return f"{score:+d} {_FACES[score]}" if score else f"0 {_FACES[0]}"


def channel_icon(channel: str | None) -> str:
    """An icon for a channel word (a dot for unknown ones)."""
    return CHANNEL_ICONS.get((channel or "").strip().lower(), "•")


def _clean_touchpoint_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in EDITABLE_TOUCHPOINT_FIELDS:
            raise InputError(f"'{key}' is not a touchpoint field.")
        if key == "name":
            out[key] = clean_name(value, "A touchpoint name")
        elif key == "emotion":
            out[key] = clean_emotion(value)
        elif key in ("pain_point", "moment_of_truth"):
            out[key] = clean_flag(value, _FIELD_LABELS[key].capitalize())
        elif key == "channel":
            text = clean_text(value, "A channel")
            out[key] = text.lower() if text else None
        else:
            out[key] = clean_text(value, _FIELD_LABELS[key].capitalize())
    return out


# -- reading ----------------------------------------------------------------------------
_TP_COLUMNS = (
    "touchpoint_id, stage_id, position, name, channel, description, owner, emotion, "
    "pain_point, pain_note, moment_of_truth, opportunity, data_key, version"
)


def list_journeys(db: Database, workspace: str) -> list[JourneySummary]:
    """The workspace's journeys, most recently changed first."""
    rows = db.execute(
        """SELECT j.journey_id, j.name, j.persona, j.version, j.updated_at,
                  (SELECT count(*) FROM stages s WHERE s.journey_id = j.journey_id),
                  (SELECT count(*) FROM touchpoints t WHERE t.journey_id = j.journey_id)
           FROM journeys j WHERE j.workspace = ?
           ORDER BY j.updated_at DESC, j.journey_id DESC""",
        [workspace],
    ).fetchall()
    return [
        JourneySummary(int(r[0]), r[1], r[2], int(r[3]), r[4], int(r[5]), int(r[6])) for r in rows
    ]


def journey_version(db: Database, workspace: str, journey_id: int) -> int:
    """The journey's current version (cheap: for live polling); -1 when it is gone."""
    row = db.execute(
        "SELECT version FROM journeys WHERE journey_id = ? AND workspace = ?",
        [journey_id, workspace],
    ).fetchone()
    return int(row[0]) if row else -1


def _load(cur: Cursor, workspace: str, journey_id: int) -> Journey:
    row = cur.execute(
        "SELECT journey_id, workspace, name, description, persona, version, created_at, "
        "updated_at FROM journeys WHERE journey_id = ? AND workspace = ?",
        [journey_id, workspace],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"There is no journey {journey_id} in workspace '{workspace}'.")
    stage_rows = cur.execute(
        "SELECT stage_id, position, name, version FROM stages WHERE journey_id = ? "
        "ORDER BY position, stage_id",
        [journey_id],
    ).fetchall()
    tp_rows = cur.execute(
        f"SELECT {_TP_COLUMNS} FROM touchpoints WHERE journey_id = ? "
        "ORDER BY stage_id, position, touchpoint_id",
        [journey_id],
    ).fetchall()
    by_stage: dict[int, list[Touchpoint]] = {}
    for r in tp_rows:
        tp = Touchpoint(
            touchpoint_id=int(r[0]),
            stage_id=int(r[1]),
            position=int(r[2]),
            name=r[3],
            channel=r[4],
            description=r[5],
            owner=r[6],
            emotion=None if r[7] is None else int(r[7]),
            pain_point=bool(r[8]),
            pain_note=r[9],
            moment_of_truth=bool(r[10]),
            opportunity=r[11],
            data_key=r[12],
            version=int(r[13]),
        )
        by_stage.setdefault(tp.stage_id, []).append(tp)
    stages = tuple(
        Stage(int(s[0]), int(s[1]), s[2], int(s[3]), tuple(by_stage.get(int(s[0]), [])))
        for s in stage_rows
    )
    return Journey(
        journey_id=int(row[0]),
        workspace=row[1],
        name=row[2],
        description=row[3],
        persona=row[4],
        version=int(row[5]),
        created_at=row[6],
        updated_at=row[7],
        stages=stages,
    )


def get_journey(db: Database, workspace: str, journey_id: int) -> Journey:
    """The journey with its stages and touchpoints, in order."""
    return _load(db.cursor(), workspace, int(journey_id))


def find_journey(db: Database, workspace: str, name: str) -> int | None:
    """The id of the (newest) journey with exactly that name, if any."""
    row = db.execute(
        "SELECT journey_id FROM journeys WHERE workspace = ? AND name = ? "
        "ORDER BY journey_id DESC LIMIT 1",
        [workspace, name],
    ).fetchone()
    return int(row[0]) if row else None


def list_versions(
    db: Database, workspace: str, journey_id: int, limit: int = 200
) -> list[VersionInfo]:
    """The journey's version history, newest first."""
    rows = db.execute(
        """SELECT v.version, v.action, v.author, v.created_at FROM journey_versions v
           JOIN journeys j USING (journey_id)
           WHERE v.journey_id = ? AND j.workspace = ? ORDER BY v.version DESC LIMIT ?""",
        [journey_id, workspace, limit],
    ).fetchall()
    return [VersionInfo(int(r[0]), r[1], r[2], r[3]) for r in rows]


def changes_since(db: Database, workspace: str, journey_id: int, version: int) -> list[VersionInfo]:
    """The changes made after ``version`` (oldest first): 'what did the others do?'."""
    rows = db.execute(
        """SELECT v.version, v.action, v.author, v.created_at FROM journey_versions v
           JOIN journeys j USING (journey_id)
           WHERE v.journey_id = ? AND j.workspace = ? AND v.version > ? ORDER BY v.version""",
        [journey_id, workspace, version],
    ).fetchall()
    return [VersionInfo(int(r[0]), r[1], r[2], r[3]) for r in rows]


# -- snapshots --------------------------------------------------------------------------
def journey_to_dict(journey: Journey, *, with_ids: bool = True) -> dict[str, Any]:
    """The journey as plain JSON-ready data (the snapshot and export format)."""
    stages = []
    for stage in journey.stages:
        tps = []
        for tp in stage.touchpoints:
            item = {k: getattr(tp, k) for k in EDITABLE_TOUCHPOINT_FIELDS}
            if with_ids:
                item |= {"touchpoint_id": tp.touchpoint_id, "version": tp.version}
            tps.append(item)
        entry: dict[str, Any] = {"name": stage.name, "touchpoints": tps}
        if with_ids:
            entry |= {"stage_id": stage.stage_id, "version": stage.version}
        stages.append(entry)
    return {
        "format": SNAPSHOT_FORMAT,
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "name": journey.name,
        "description": journey.description,
        "persona": journey.persona,
        "stages": stages,
    }


def _write_version(
    cur: Cursor,
    workspace: str,
    journey_id: int,
    action: str,
    author: str | None,
    changed: Iterable[str],
    meta: Mapping[str, Any] | None = None,
) -> int:
    """Bump the journey version, snapshot it, bump the workspace revision."""
    cur.execute(
        "UPDATE journeys SET version = version + 1, updated_at = current_localtimestamp() "
        "WHERE journey_id = ?",
        [journey_id],
    )
    journey = _load(cur, workspace, journey_id)
    snapshot = journey_to_dict(journey) | {
        "changed": sorted(set(changed)),
        "meta": dict(meta or {}),
    }
    cur.execute(
        "INSERT INTO journey_versions(journey_id, version, action, author, snapshot) "
        "VALUES (?, ?, ?, ?, ?)",
        [journey_id, journey.version, action, author or DEFAULT_AUTHOR, json.dumps(snapshot)],
    )
    bump_revision(cur, workspace)
    return journey.version


def _last_change_of(cur: Cursor, journey_id: int, tag: str, after: int = 0) -> str:
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


# -- internal helpers -------------------------------------------------------------------
def _journey_row(cur: Cursor, workspace: str, journey_id: int) -> tuple[str, int]:
    row = cur.execute(
        "SELECT name, version FROM journeys WHERE journey_id = ? AND workspace = ?",
        [journey_id, workspace],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"There is no journey {journey_id} in workspace '{workspace}'.")
    return row[0], int(row[1])


def _stage_row(cur: Cursor, workspace: str, stage_id: int) -> tuple[int, str, int, int]:
    """(journey_id, name, version, position) of a stage in the workspace."""
    row = cur.execute(
        "SELECT s.journey_id, s.name, s.version, s.position FROM stages s "
        "JOIN journeys j USING (journey_id) WHERE s.stage_id = ? AND j.workspace = ?",
        [stage_id, workspace],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"There is no stage {stage_id} in workspace '{workspace}'.")
    return int(row[0]), row[1], int(row[2]), int(row[3])


def _deleted_conflict(cur: Cursor, workspace: str, what: str, tag: str, obj_id: int) -> None:
    """Raise ConflictError when a stage/touchpoint was deleted by someone (else NotFound)."""
    row = cur.execute(
        "SELECT v.journey_id, v.action, v.author FROM journey_versions v "
        "JOIN journeys j USING (journey_id) WHERE j.workspace = ? "
        "AND list_contains(CAST(v.snapshot->'$.changed' AS VARCHAR[]), ?) "
        "ORDER BY v.version DESC LIMIT 1",
        [workspace, tag],
    ).fetchone()
    if row is not None:
        raise ConflictError(
            f"That {what} no longer exists: it was removed by “{row[1]}” by "
            f"{row[2] or DEFAULT_AUTHOR}. Your change was not saved."
        )
    raise ConflictError(
        f"That {what} ({obj_id}) no longer exists: someone removed it or undid its creation. "
        "Your change was not saved."
    )


def _check_version(
    cur: Cursor, journey_id: int, what: str, tag: str, expected: int | None, actual: int
) -> None:
    if expected is not None and int(expected) != actual:
        change = _last_change_of(cur, journey_id, tag)
        raise ConflictError(
            f"{what} was changed by someone else since you loaded it ({change}). "
            "Their change was kept and yours was not saved; look again and redo it if "
            "it still applies."
        )


def _renumber(cur: Cursor, table: str, id_column: str, ids: Sequence[int]) -> None:
    """Set positions 0..n-1 in the given order (one statement)."""
    if not ids:
        return
    cur.execute(
        f"UPDATE {table} SET position = v.pos FROM "
        "(SELECT unnest(?::BIGINT[]) AS id, unnest(?::INTEGER[]) AS pos) v "
        f"WHERE {table}.{id_column} = v.id",
        [list(ids), list(range(len(ids)))],
    )


def _stage_ids(cur: Cursor, journey_id: int) -> list[int]:
    rows = cur.execute(
        "SELECT stage_id FROM stages WHERE journey_id = ? ORDER BY position, stage_id",
        [journey_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _touchpoint_ids(cur: Cursor, stage_id: int) -> list[int]:
    rows = cur.execute(
        "SELECT touchpoint_id FROM touchpoints WHERE stage_id = ? ORDER BY position, touchpoint_id",
        [stage_id],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _clamp_position(position: int | None, length: int) -> int:
    if position is None:
        return length
    return max(0, min(int(position), length))


def _next_id(cur: Cursor, sequence: str) -> int:
    return int(cur.execute(f"SELECT nextval('{sequence}')").fetchone()[0])


def _insert_touchpoint(
    cur: Cursor, journey_id: int, stage_id: int, position: int, fields: Mapping[str, Any]
) -> int:
    tp_id = _next_id(cur, "touchpoint_id_seq")
    values = {k: fields.get(k) for k in EDITABLE_TOUCHPOINT_FIELDS}
    values["pain_point"] = bool(values["pain_point"])
    values["moment_of_truth"] = bool(values["moment_of_truth"])
    cur.execute(
        f"INSERT INTO touchpoints({_TP_COLUMNS}, journey_id) VALUES ({', '.join(['?'] * 15)})",
        [tp_id, stage_id, position]
        + [values[k] for k in EDITABLE_TOUCHPOINT_FIELDS]
        + [int(fields.get("version", 1) or 1), journey_id],
    )
    return tp_id


_TP_TYPES = (
    "BIGINT",
    "BIGINT",
    "INTEGER",
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "SMALLINT",
    "BOOLEAN",
    "VARCHAR",
    "BOOLEAN",
    "VARCHAR",
    "VARCHAR",
    "BIGINT",
    "BIGINT",
)


def _bulk_insert_touchpoints(cur: Cursor, rows: Sequence[Sequence[Any]]) -> None:
    """Insert many touchpoints in one statement (one list parameter per column).

    Each row: touchpoint_id, stage_id, position, the editable fields, version, journey_id.
    """
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    selects = ", ".join(f"unnest(?::{t}[])" for t in _TP_TYPES)
    cur.execute(
        f"INSERT INTO touchpoints({_TP_COLUMNS}, journey_id) SELECT {selects}",
        [list(col) for col in columns],
    )


def _insert_stage(cur: Cursor, journey_id: int, position: int, name: str, version: int = 1) -> int:
    stage_id = _next_id(cur, "stage_id_seq")
    cur.execute(
        "INSERT INTO stages(stage_id, journey_id, position, name, version) VALUES (?, ?, ?, ?, ?)",
        [stage_id, journey_id, position, name, version],
    )
    return stage_id


# An outline is [(stage name, [touchpoint name or dict of touchpoint fields, ...]), ...].
Outline = Sequence[tuple[str, Sequence[str | Mapping[str, Any]]]]


def _clean_outline(outline: Outline | None) -> list[tuple[str, list[dict[str, Any]]]]:
    cleaned: list[tuple[str, list[dict[str, Any]]]] = []
    for s_index, (stage_name, tps) in enumerate(outline or []):
        name = clean_name(stage_name, f"Stage {s_index + 1}: the stage name")
        items = []
        for t_index, tp in enumerate(tps):
            raw = {"name": tp} if isinstance(tp, str) else dict(tp)
            try:
                items.append(_clean_touchpoint_fields(raw))
            except InputError as exc:
                raise InputError(f"Stage '{name}', touchpoint {t_index + 1}: {exc}") from exc
            if "name" not in items[-1]:
                raise InputError(f"Stage '{name}', touchpoint {t_index + 1}: it needs a name.")
        cleaned.append((name, items))
    return cleaned


def _insert_outline(
    cur: Cursor, journey_id: int, outline: list[tuple[str, list[dict[str, Any]]]]
) -> None:
    total = sum(len(tps) for _, tps in outline)
    ids = iter(
        int(r[0])
        for r in cur.execute(
            "SELECT nextval('touchpoint_id_seq') FROM range(?)", [total]
        ).fetchall()
    )
    rows: list[list[Any]] = []
    for s_pos, (stage_name, tps) in enumerate(outline):
        stage_id = _insert_stage(cur, journey_id, s_pos, stage_name)
        for t_pos, tp in enumerate(tps):
            values = [tp.get(k) for k in EDITABLE_TOUCHPOINT_FIELDS]
            values[5] = bool(values[5])  # pain_point
            values[7] = bool(values[7])  # moment_of_truth
            rows.append([next(ids), stage_id, t_pos, *values, 1, journey_id])
    _bulk_insert_touchpoints(cur, rows)


# -- journeys ---------------------------------------------------------------------------
def create_journey(
    db: Database,
    workspace: str,
    name: str,
    *,
    description: str | None = None,
    persona: str | None = None,
    outline: Outline | None = None,
    author: str | None = None,
    action: str | None = None,
) -> int:
    """Create a journey (empty, or from an outline of stages and touchpoints); its id."""
    clean = clean_name(name, "A journey name")
    stages = _clean_outline(outline)
    with db.transaction() as cur:
        if (
            cur.execute("SELECT count(*) FROM workspaces WHERE name = ?", [workspace]).fetchone()[0]
            == 0
        ):
            raise NotFoundError(f"There is no workspace called '{workspace}'.")
        journey_id = _next_id(cur, "journey_id_seq")
        cur.execute(
            "INSERT INTO journeys(journey_id, workspace, name, description, persona, version) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [
                journey_id,
                workspace,
                clean,
                clean_text(description, "A description"),
                clean_text(persona, "A persona"),
            ],
        )
        _insert_outline(cur, journey_id, stages)
        _write_version(
            cur, workspace, journey_id, action or f"Created journey '{clean}'", author, ["*"]
        )
    return journey_id


def create_journey_from_dict(
    db: Database,
    workspace: str,
    data: Mapping[str, Any],
    *,
    name: str | None = None,
    persona: str | None = None,
    author: str | None = None,
    action: str | None = None,
) -> int:
    """Create a journey from :func:`journey_to_dict`-shaped data (ids/versions ignored)."""
    outline = [
        (
            s.get("name"),
            [
                {k: tp.get(k) for k in EDITABLE_TOUCHPOINT_FIELDS if k in tp}
                for tp in s.get("touchpoints", [])
            ],
        )
        for s in data.get("stages", [])
    ]
    return create_journey(
        db,
        workspace,
        name or data.get("name") or "",
        description=data.get("description"),
        persona=persona if persona is not None else data.get("persona"),
        outline=outline,
        author=author,
        action=action,
    )


def duplicate_journey(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    name: str | None = None,
    persona: str | None = None,
    author: str | None = None,
) -> int:
    """A copy of a journey (all stages and touchpoints), e.g. for another persona."""
    source = get_journey(db, workspace, journey_id)
    new_name = name or f"{source.name} (copy)"
    return create_journey_from_dict(
        db,
        workspace,
        journey_to_dict(source, with_ids=False),
        name=new_name,
        persona=persona,
        author=author,
        action=f"Duplicated journey '{source.name}' as '{new_name}'",
    )


def update_journey(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    expected_version: int | None,
    author: str | None = None,
    **changes: Any,
) -> None:
    """Change a journey's name, description and/or persona.

    Conflicts only when a version after ``expected_version`` changed the same details.
    """
    allowed = {"name", "description", "persona"}
    unknown = set(changes) - allowed
    if unknown:
        raise InputError(f"'{sorted(unknown)[0]}' is not a journey field.")
    values: dict[str, Any] = {}
    for key, value in changes.items():
        values[key] = (
            clean_name(value, "A journey name")
            if key == "name"
            else clean_text(value, key.capitalize())
        )
    with db.transaction() as cur:
        old_name, version = _journey_row(cur, workspace, journey_id)
        if expected_version is not None and int(expected_version) != version:
            row = cur.execute(
                "SELECT action, author FROM journey_versions WHERE journey_id = ? AND version > ? "
                "AND (list_contains(CAST(snapshot->'$.changed' AS VARCHAR[]), 'journey') "
                "OR list_contains(CAST(snapshot->'$.changed' AS VARCHAR[]), '*')) "
                "ORDER BY version DESC LIMIT 1",
                [journey_id, int(expected_version)],
            ).fetchone()
            if row is not None:
                raise ConflictError(
                    f"The journey's details were changed by someone else since you loaded "
                    f"them (“{row[0]}” by {row[1] or DEFAULT_AUTHOR}). Their change was kept."
                )
        current = dict(
            zip(
                ("name", "description", "persona"),
                cur.execute(
                    "SELECT name, description, persona FROM journeys WHERE journey_id = ?",
                    [journey_id],
                ).fetchone(),
                strict=True,
            )
        )
        diff = {k: v for k, v in values.items() if current[k] != v}
        if not diff:
            return
        for key, value in diff.items():
            cur.execute(f"UPDATE journeys SET {key} = ? WHERE journey_id = ?", [value, journey_id])
        if set(diff) == {"name"}:
            action = f"Renamed journey '{old_name}' to '{diff['name']}'"
        else:
            action = f"Edited journey '{old_name}': " + ", ".join(sorted(diff))
        _write_version(cur, workspace, journey_id, action, author, ["journey"])


def delete_journey(db: Database, workspace: str, journey_id: int) -> None:
    """Delete a journey with its stages, touchpoints and history."""
    with db.transaction() as cur:
        _journey_row(cur, workspace, journey_id)
        for table in ("touchpoints", "stages", "journey_versions", "journeys"):
            cur.execute(f"DELETE FROM {table} WHERE journey_id = ?", [journey_id])
        bump_revision(cur, workspace)


# -- stages -----------------------------------------------------------------------------
def add_stage(
    db: Database,
    workspace: str,
    journey_id: int,
    name: str,
    *,
    position: int | None = None,
    author: str | None = None,
) -> int:
    """Insert a stage at ``position`` (default: last); returns its id."""
    clean = clean_name(name, "A stage name")
    with db.transaction() as cur:
        _journey_row(cur, workspace, journey_id)
        ids = _stage_ids(cur, journey_id)
        pos = _clamp_position(position, len(ids))
        stage_id = _insert_stage(cur, journey_id, pos, clean)
        _renumber(cur, "stages", "stage_id", ids[:pos] + [stage_id] + ids[pos:])
        _write_version(
            cur, workspace, journey_id, f"Added stage '{clean}'", author, [f"stage:{stage_id}"]
        )
    return stage_id


def rename_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    name: str,
    *,
    expected_version: int | None,
    author: str | None = None,
) -> None:
    """Rename a stage (conflicts when the stage changed since ``expected_version``)."""
    clean = clean_name(name, "A stage name")
    with db.transaction() as cur:
        journey_id, old, _, _ = _live_stage_row(cur, workspace, stage_id, expected_version)
        if clean == old:
            return
        cur.execute(
            "UPDATE stages SET name = ?, version = version + 1 WHERE stage_id = ?",
            [clean, stage_id],
        )
        _write_version(
            cur,
            workspace,
            journey_id,
            f"Renamed stage '{old}' to '{clean}'",
            author,
            [f"stage:{stage_id}"],
        )


def move_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    position: int,
    *,
    expected_version: int | None,
    author: str | None = None,
) -> None:
    """Move a stage to ``position`` (0-based; clamped); the others close up."""
    with db.transaction() as cur:
        journey_id, name, _, _ = _live_stage_row(cur, workspace, stage_id, expected_version)
        ids = [i for i in _stage_ids(cur, journey_id) if i != stage_id]
        pos = _clamp_position(position, len(ids))
        if ids[:pos] + [stage_id] + ids[pos:] == _stage_ids(cur, journey_id):
            return
        _renumber(cur, "stages", "stage_id", ids[:pos] + [stage_id] + ids[pos:])
        cur.execute("UPDATE stages SET version = version + 1 WHERE stage_id = ?", [stage_id])
        _write_version(
            cur,
            workspace,
            journey_id,
            f"Moved stage '{name}' to position {pos + 1}",
            author,
            [f"stage:{stage_id}"],
        )


def delete_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    *,
    expected_version: int | None,
    touchpoint_versions: Mapping[int, int] | None = None,
    author: str | None = None,
) -> None:
    """Delete a stage and its touchpoints.

    ``touchpoint_versions`` (id -> version the editor saw): when given, the delete
    conflicts if any touchpoint of the stage changed or was added since.
    """
    with db.transaction() as cur:
        journey_id, name, _, _ = _live_stage_row(cur, workspace, stage_id, expected_version)
        if touchpoint_versions is not None:
            current = dict(
                cur.execute(
                    "SELECT touchpoint_id, version FROM touchpoints WHERE stage_id = ?",
                    [stage_id],
                ).fetchall()
            )
            for tp_id, tp_version in current.items():
                if touchpoint_versions.get(int(tp_id)) != int(tp_version):
                    change = _last_change_of(cur, journey_id, f"touchpoint:{tp_id}")
                    raise ConflictError(
                        f"Stage '{name}' was not deleted: one of its touchpoints was changed "
                        f"or added by someone else since you loaded it ({change})."
                    )
        tp_tags = [
            f"touchpoint:{r[0]}"
            for r in cur.execute(
                "SELECT touchpoint_id FROM touchpoints WHERE stage_id = ?", [stage_id]
            ).fetchall()
        ]
        cur.execute("DELETE FROM touchpoints WHERE stage_id = ?", [stage_id])
        cur.execute("DELETE FROM stages WHERE stage_id = ?", [stage_id])
        _renumber(cur, "stages", "stage_id", _stage_ids(cur, journey_id))
        _write_version(
            cur,
            workspace,
            journey_id,
            f"Deleted stage '{name}'"
            + (f" and its {len(tp_tags)} touchpoint(s)" if tp_tags else ""),
            author,
            [f"stage:{stage_id}", *tp_tags],
        )


# -- touchpoints ------------------------------------------------------------------------
def add_touchpoint(
    db: Database,
    workspace: str,
    stage_id: int,
    name: str,
    *,
    position: int | None = None,
    author: str | None = None,
    **fields: Any,
) -> int:
    """Insert a touchpoint into a stage at ``position`` (default: last); returns its id."""
    values = _clean_touchpoint_fields({"name": name, **fields})
    with db.transaction() as cur:
        journey_id, stage_name, _, _ = _live_stage_row(cur, workspace, stage_id, None)
        ids = _touchpoint_ids(cur, stage_id)
        pos = _clamp_position(position, len(ids))
        tp_id = _insert_touchpoint(cur, journey_id, stage_id, pos, values)
        _renumber(cur, "touchpoints", "touchpoint_id", ids[:pos] + [tp_id] + ids[pos:])
        _write_version(
            cur,
            workspace,
            journey_id,
            f"Added touchpoint '{values['name']}' to stage '{stage_name}'",
            author,
            [f"touchpoint:{tp_id}"],
        )
    return tp_id


def _touchpoint_row(cur: Cursor, workspace: str, touchpoint_id: int) -> dict[str, Any]:
    row = cur.execute(
        f"SELECT {', '.join('t.' + c.strip() for c in _TP_COLUMNS.split(','))}, t.journey_id "
        "FROM touchpoints t JOIN journeys j USING (journey_id) "
        "WHERE t.touchpoint_id = ? AND j.workspace = ?",
        [touchpoint_id, workspace],
    ).fetchone()
    if row is None:
        _deleted_conflict(
            cur, workspace, "touchpoint", f"touchpoint:{touchpoint_id}", touchpoint_id
        )
    names = [c.strip() for c in _TP_COLUMNS.split(",")] + ["journey_id"]
    return dict(zip(names, row, strict=True))  # type: ignore[arg-type]


def _live_stage_row(
    cur: Cursor, workspace: str, stage_id: int, expected_version: int | None
) -> tuple[int, str, int, int]:
    """The stage's row for an edit, after the deleted and version conflict checks.

    Raises ConflictError when someone deleted the stage or changed it since
    ``expected_version`` (no version check when that is None).
    """
    try:
        journey_id, name, version, position = _stage_row(cur, workspace, stage_id)
    except NotFoundError:
        _deleted_conflict(cur, workspace, "stage", f"stage:{stage_id}", stage_id)
        raise
    _check_version(
        cur, journey_id, f"Stage '{name}'", f"stage:{stage_id}", expected_version, version
    )
    return journey_id, name, version, position


def _live_touchpoint_row(
    cur: Cursor, workspace: str, touchpoint_id: int, expected_version: int | None
) -> dict[str, Any]:
    """The touchpoint's row for an edit, after the deleted and version conflict checks."""
    row = _touchpoint_row(cur, workspace, touchpoint_id)
    _check_version(
        cur,
        row["journey_id"],
        f"Touchpoint '{row['name']}'",
        f"touchpoint:{touchpoint_id}",
        expected_version,
        int(row["version"]),
    )
    return row


def describe_touchpoint_change(name: str, diff: Mapping[str, Any]) -> str:
    """A human action for a touchpoint edit.

    >>> describe_touchpoint_change("Installation", {"pain_point": True})
    "Marked 'Installation' as a pain point"
    >>> describe_touchpoint_change("Bill", {"owner": "Ana", "channel": "email"})
    "Edited 'Bill': channel, owner"
    """
    if set(diff) == {"name"}:
        return f"Renamed touchpoint '{name}' to '{diff['name']}'"
    if set(diff) == {"emotion"}:
        return f"Set emotion of '{name}' to {format_emotion(diff['emotion'])}"
    if set(diff) == {"pain_point"}:
        return (
            f"Marked '{name}' as a pain point"
            if diff["pain_point"]
            else f"Cleared the pain point on '{name}'"
        )
    if set(diff) == {"moment_of_truth"}:
        return (
            f"Marked '{name}' as a moment of truth"
            if diff["moment_of_truth"]
            else f"Cleared the moment of truth on '{name}'"
        )
    return f"Edited '{name}': " + ", ".join(sorted(_FIELD_LABELS[k] for k in diff))


def update_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    expected_version: int | None,
    author: str | None = None,
    **changes: Any,
) -> int:
    """Edit a touchpoint's fields (conflicts when it changed since ``expected_version``).

    Returns the touchpoint's version after the edit."""
    values = _clean_touchpoint_fields(changes)
    with db.transaction() as cur:
        row = _live_touchpoint_row(cur, workspace, touchpoint_id, expected_version)
        diff = {k: v for k, v in values.items() if row[k] != v}
        if not diff:
            return int(row["version"])
        assignments = ", ".join(f"{k} = ?" for k in diff)
        cur.execute(
            f"UPDATE touchpoints SET {assignments}, version = version + 1 WHERE touchpoint_id = ?",
            [*diff.values(), touchpoint_id],
        )
        _write_version(
            cur,
            workspace,
            row["journey_id"],
            describe_touchpoint_change(row["name"], diff),
            author,
            [f"touchpoint:{touchpoint_id}"],
        )
    return int(row["version"]) + 1


def move_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    expected_version: int | None,
    stage_id: int | None = None,
    position: int | None = None,
    author: str | None = None,
) -> int:
    """Move a touchpoint within its stage or to another stage of the same journey.

    ``position`` is 0-based in the target stage (default: last when the stage changes,
    unchanged otherwise). Both stages keep dense positions. Returns the new version.
    """
    with db.transaction() as cur:
        row = _live_touchpoint_row(cur, workspace, touchpoint_id, expected_version)
        journey_id = row["journey_id"]
        source = int(row["stage_id"])
        target = source if stage_id is None else int(stage_id)
        target_journey, target_name, _, _ = _stage_row(cur, workspace, target)
        if target_journey != journey_id:
            raise InputError("A touchpoint can only move to a stage of the same journey.")
        if target == source:
            ids = [i for i in _touchpoint_ids(cur, source) if i != touchpoint_id]
            pos = _clamp_position(row["position"] if position is None else position, len(ids))
            new_order = ids[:pos] + [touchpoint_id] + ids[pos:]
            if new_order == _touchpoint_ids(cur, source):
                return int(row["version"])
            _renumber(cur, "touchpoints", "touchpoint_id", new_order)
            action = f"Moved touchpoint '{row['name']}' to position {pos + 1}"
        else:
            ids = _touchpoint_ids(cur, target)
            pos = _clamp_position(position, len(ids))
            cur.execute(
                "UPDATE touchpoints SET stage_id = ? WHERE touchpoint_id = ?",
                [target, touchpoint_id],
            )
            _renumber(cur, "touchpoints", "touchpoint_id", ids[:pos] + [touchpoint_id] + ids[pos:])
            _renumber(cur, "touchpoints", "touchpoint_id", _touchpoint_ids(cur, source))
            action = f"Moved touchpoint '{row['name']}' to stage '{target_name}'"
        cur.execute(
            "UPDATE touchpoints SET version = version + 1 WHERE touchpoint_id = ?", [touchpoint_id]
        )
        _write_version(cur, workspace, journey_id, action, author, [f"touchpoint:{touchpoint_id}"])
    return int(row["version"]) + 1


def delete_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    expected_version: int | None,
    author: str | None = None,
) -> None:
    """Delete a touchpoint (conflicts when it changed since ``expected_version``)."""
    with db.transaction() as cur:
        row = _live_touchpoint_row(cur, workspace, touchpoint_id, expected_version)
        cur.execute("DELETE FROM touchpoints WHERE touchpoint_id = ?", [touchpoint_id])
        _renumber(cur, "touchpoints", "touchpoint_id", _touchpoint_ids(cur, int(row["stage_id"])))
        _write_version(
            cur,
            workspace,
            row["journey_id"],
            f"Deleted touchpoint '{row['name']}'",
            author,
            [f"touchpoint:{touchpoint_id}"],
        )


# -- undo, redo, restore ----------------------------------------------------------------
def _snapshot(cur: Cursor, journey_id: int, version: int) -> dict[str, Any]:
    row = cur.execute(
        "SELECT snapshot FROM journey_versions WHERE journey_id = ? AND version = ?",
        [journey_id, version],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"Version {version} of this journey does not exist.")
    return json.loads(row[0])


def _restore(
    cur: Cursor,
    workspace: str,
    journey_id: int,
    version: int,
    action: str,
    author: str | None,
    meta: Mapping[str, Any],
) -> None:
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
    cur.execute("DELETE FROM touchpoints WHERE journey_id = ?", [journey_id])
    cur.execute("DELETE FROM stages WHERE journey_id = ?", [journey_id])
    cur.execute(
        "UPDATE journeys SET name = ?, description = ?, persona = ? WHERE journey_id = ?",
        [snap["name"], snap.get("description"), snap.get("persona"), journey_id],
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
        for t_pos, tp in enumerate(stage["touchpoints"]):
            tid = int(tp["touchpoint_id"])
            t_version = max(int(old_tp.get(tid, 0)), int(tp.get("version", 1))) + 1
            values = [tp.get(k) for k in EDITABLE_TOUCHPOINT_FIELDS]
            values[5] = bool(values[5])
            values[7] = bool(values[7])
            rows.append([tid, sid, t_pos, *values, t_version, journey_id])
    _bulk_insert_touchpoints(cur, rows)
    _write_version(cur, workspace, journey_id, action, author, ["*"], meta)


def _effective_position(cur: Cursor, journey_id: int) -> tuple[int, int, str | None]:
    """(current version, the version whose state it shows, kind of the last change)."""
    row = cur.execute(
        "SELECT version, snapshot->>'$.meta.restored_from', snapshot->>'$.meta.kind' "
        "FROM journey_versions WHERE journey_id = ? ORDER BY version DESC LIMIT 1",
        [journey_id],
    ).fetchone()
    if row is None:
        raise NotFoundError("This journey has no history.")
    current = int(row[0])
    shown = int(row[1]) if row[1] is not None else current
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
    author: str | None,
) -> str:
    """Shared body of :func:`undo` and :func:`redo` (``kind`` is "undo" or "redo").

    Undo restores the state before the shown one and names the shown version's action;
    redo restores the state after it and names that later version's action.
    """
    with db.transaction() as cur:
        _journey_row(cur, workspace, journey_id)
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
            cur,
            workspace,
            journey_id,
            target,
            f"{kind.capitalize()}: {action}",
            author,
            {"restored_from": target, "kind": kind},
        )
    return str(action)


def undo(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    expected_version: int | None = None,
    author: str | None = None,
) -> str:
    """Undo the last change by restoring the state before it, as a new version.

    Repeated undos step further back; an undo is itself a version (so it can be undone,
    or redone with :func:`redo`). Returns the action that was undone.
    """
    return _undo_or_redo(db, workspace, journey_id, "undo", expected_version, author)


def redo(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    expected_version: int | None = None,
    author: str | None = None,
) -> str:
    """Redo the change that the last undo took back. Returns that change's action."""
    return _undo_or_redo(db, workspace, journey_id, "redo", expected_version, author)


def restore_version(
    db: Database,
    workspace: str,
    journey_id: int,
    version: int,
    *,
    expected_version: int | None = None,
    author: str | None = None,
) -> None:
    """Make the journey look as it did at ``version`` again (as a new version)."""
    with db.transaction() as cur:
        _journey_row(cur, workspace, journey_id)
        _check_whole_journey(cur, journey_id, expected_version, "restored")
        _restore(
            cur,
            workspace,
            journey_id,
            int(version),
            f"Restored version {int(version)}",
            author,
            {"restored_from": int(version), "kind": "restore"},
        )


def snapshot_at(db: Database, workspace: str, journey_id: int, version: int) -> dict[str, Any]:
    """The stored snapshot of one version (journey_to_dict shape)."""
    _journey_row(db.cursor(), workspace, journey_id)
    return _snapshot(db.cursor(), journey_id, version)


# -- demo -------------------------------------------------------------------------------
_DEMO_DETAILS: dict[str, dict[str, Any]] = {
    "Social media ad": {"emotion": 0, "owner": "Marketing"},
    "Search result": {"emotion": 0, "owner": "Marketing"},
    "Website visit": {"emotion": 1, "owner": "Digital"},
    "Pricing page": {
        "emotion": -1,
        "owner": "Digital",
        "opportunity": "Show the all-in monthly price, router included",
    },
    "Live chat": {"emotion": 1, "owner": "Sales"},
    "Online checkout": {
        "emotion": 1,
        "owner": "Digital",
        "moment_of_truth": True,
        "description": "Order, choose an installation slot, pay",
    },
    "Order confirmation email": {"emotion": 1, "owner": "Digital"},
    "Delivery": {"emotion": 0, "owner": "Logistics"},
    "Installation": {
        "emotion": -2,
        "owner": "Field operations",
        "pain_point": True,
        "pain_note": "Missed or late engineer visits; the family waits in all day",
        "moment_of_truth": True,
        "opportunity": "Two-hour arrival windows with live engineer tracking",
    },
    "Welcome call": {"emotion": 1, "owner": "Customer care"},
    "Mobile app": {"emotion": 1, "owner": "Digital"},
    "First bill": {
        "emotion": -1,
        "owner": "Billing",
        "opportunity": "Explain the pro-rata first bill before it arrives",
    },
    "Help centre": {"emotion": 0, "owner": "Customer care"},
    "Phone support": {
        "emotion": -2,
        "owner": "Customer care",
        "pain_point": True,
        "pain_note": "Long hold times at peak hours; repeated identity checks",
        "opportunity": "Call-back instead of hold; one identity check per call",
    },
    "Store visit": {"emotion": 1, "owner": "Retail"},
    "Renewal offer": {"emotion": 0, "owner": "Retention"},
    "Loyalty reward": {"emotion": 2, "owner": "Retention"},
}


def demo_outline() -> list[tuple[str, list[dict[str, Any]]]]:
    """The demo journey's outline, from :data:`cem.demo.workspace.DEMO_STAGES` plus team details."""
    from cem.demo.workspace import DEMO_STAGES

    return [
        (
            stage,
            [
                {"name": tp, "channel": channel, "data_key": tp, **_DEMO_DETAILS.get(tp, {})}
                for tp, channel in tps
            ],
        )
        for stage, tps in DEMO_STAGES
    ]


def seed_demo_journey(db: Database, workspace: str, *, author: str = "demo") -> int:
    """Create the demo journey "Brightwave customer journey" (replacing an existing one
    of that name, so it is idempotent); returns its id."""
    from cem.demo.workspace import DEMO_PERSONAS

    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO personas(workspace, name, description) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [workspace, DEMO_PERSONA, DEMO_PERSONAS.get(DEMO_PERSONA)],
        )
        for (jid,) in cur.execute(
            "SELECT journey_id FROM journeys WHERE workspace = ? AND name = ?",
            [workspace, DEMO_JOURNEY_NAME],
        ).fetchall():
            for table in ("touchpoints", "stages", "journey_versions", "journeys"):
                cur.execute(f"DELETE FROM {table} WHERE journey_id = ?", [jid])
    return create_journey(
        db,
        workspace,
        DEMO_JOURNEY_NAME,
        description="From first ad to renewal, for a family broadband and mobile customer.",
        persona=DEMO_PERSONA,
        outline=demo_outline(),
        author=author,
    )


def with_touchpoint(journey: Journey, tp: Touchpoint) -> Journey:
    """A copy of ``journey`` with one touchpoint replaced (for optimistic UI previews)."""
    stages = tuple(
        replace(
            s,
            touchpoints=tuple(
                tp if t.touchpoint_id == tp.touchpoint_id else t for t in s.touchpoints
            ),
        )
        for s in journey.stages
    )
    return replace(journey, stages=stages)


def touchpoint_dict(tp: Touchpoint) -> dict[str, Any]:
    """A touchpoint as a plain dict (all fields)."""
    return asdict(tp)


def subset_journey(journey: Journey, stage_ids: Iterable[int]) -> Journey:
    """A copy of ``journey`` with only the given stages (for showing part of a big map)."""
    wanted = set(stage_ids)
    return replace(journey, stages=tuple(s for s in journey.stages if s.stage_id in wanted))


def list_personas(db: Database, workspace: str) -> list[str]:
    """Persona names of the workspace (the personas table and the journeys' personas)."""
    rows = db.execute(
        "SELECT name FROM personas WHERE workspace = ? UNION "
        "SELECT persona FROM journeys WHERE workspace = ? AND persona IS NOT NULL ORDER BY 1",
        [workspace, workspace],
    ).fetchall()
    return [r[0] for r in rows]
