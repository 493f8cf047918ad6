"""Changing journeys: one edit skeleton, and the operations built on it.

Every change runs inside :func:`journey_edit`, which

1. checks the actor may edit journeys in the workspace (:func:`cem.access.principal.require`),
2. opens one transaction,
3. lets the operation look up the objects it changes with the version the editor based
   the change on (:meth:`Edit.stage`, :meth:`Edit.touchpoint`, … raise
   :class:`~cem.errors.ConflictError` when that object changed or was deleted since),
4. and, when the operation recorded what it did (:meth:`Edit.done`), bumps the journey's
   version, writes a full JSON snapshot to ``journey_versions`` with the human action
   ("Renamed stage 'Buy' to 'Purchase'") and the author. The workspace's data revision
   is not bumped (no customer data changed, so the KPI caches stay warm); readers of
   journeys key their caches on the journey version.

Optimistic concurrency — the rule
---------------------------------
* Every stage, touchpoint and lane cell has its own ``version``; it goes up by one
  whenever *that* object is edited, renamed, moved by a user or restored. Positions that
  shift only because a neighbour was inserted, moved or deleted do not count as a change.
* An edit names the version of the object it was based on (``expected_version``). If the
  object's version is now different, someone else changed it first: the edit raises
  ConflictError naming that change and its author, and nothing is written.
* Because the check is per object, edits of *different* cards, stages or cells never
  conflict, even though each of them bumps the journey's version.
* Changes to the whole journey (details, lanes) conflict only when a later version
  changed the same thing; undo/restore (:mod:`cem.journeys.history`) when anything did.
* Deleting a stage may name the versions of the touchpoints it holds; if any of them
  changed (or one was added) since, the delete conflicts instead of losing that work.

>>> from cem.access.principal import LOCAL_ADMIN as me
>>> from cem.journeys.reads import get_journey, list_versions
>>> from cem.store.db import Database
>>> from cem.store.workspaces import ensure_workspace
>>> db = Database(":memory:")
>>> _ = ensure_workspace(db, "w")
>>> jid = create_journey(db, "w", "Trip", outline=[("Book", ["Website"]), ("Stay", [])], actor=me)
>>> tp = get_journey(db, "w", jid).stages[0].touchpoints[0]
>>> update_touchpoint(db, "w", tp.touchpoint_id, expected_version=tp.version, emotion=-1, actor=me)
2
>>> list_versions(db, "w", jid)[0].action
"Set emotion of 'Website' to -1 🙁"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cem.access.principal import Principal
from cem.errors import ConflictError, InputError, NotFoundError
from cem.journeys.edit import (
    clamp,
    insert_cells,
    insert_stage,
    insert_touchpoints,
    journey_edit,
    last_change_of,
    next_id,
    renumber,
    stage_ids,
    touchpoint_ids,
)
from cem.journeys.lanes import TEXT, clean_lanes, lanes_from_json, lanes_to_json
from cem.journeys.model import (
    Lane,
    Outline,
    clean_name,
    clean_outline,
    clean_text,
    clean_touchpoint_fields,
    touchpoint_values,
)
from cem.journeys.persona import clean_avatar, clean_goals, clean_picture
from cem.journeys.presentation import describe_touchpoint_change
from cem.store.db import Database, bump_revision

JOURNEY_DETAILS = (
    "name",
    "description",
    "persona",
    "persona_quote",
    "persona_goals",
    "persona_avatar",
)


def _clean_detail(key: str, value: Any) -> str | None:
    if key == "name":
        return clean_name(value, "A journey name")
    if key == "persona_goals":
        return clean_goals(value)
    if key == "persona_avatar":
        return clean_avatar(value)
    return clean_text(value, key.replace("_", " ").capitalize())


# -- journeys ---------------------------------------------------------------------------
def create_journey(
    db: Database,
    workspace: str,
    name: str,
    *,
    actor: Principal,
    description: str | None = None,
    persona: str | None = None,
    persona_quote: str | None = None,
    persona_goals: str | None = None,
    persona_avatar: str | None = None,
    persona_picture: bytes | None = None,
    outline: Outline | None = None,
    stage_cells: Sequence[Mapping[str, str]] | None = None,
    lanes: Sequence[Lane | Mapping[str, Any]] | None = None,
    based_on: int | None = None,
    author: str | None = None,
    action: str | None = None,
) -> int:
    """Create a journey (empty, or from an outline of stages and touchpoints); its id.

    ``stage_cells[i]`` holds stage *i*'s lane texts; ``lanes`` the lane set (default lanes
    when None); ``persona_picture`` an image checked by :mod:`cem.journeys.persona`.
    """
    clean = clean_name(name, "A journey name")
    picture = clean_picture(persona_picture)
    stages = clean_outline(outline)
    lane_json = None if lanes is None else lanes_to_json(clean_lanes(lanes))
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        cur = edit.cur
        if not cur.execute(
            "SELECT count(*) FROM workspaces WHERE name = ?", [workspace]
        ).fetchone()[0]:
            raise NotFoundError(f"There is no workspace called '{workspace}'.")
        journey_id = next_id(cur, "journey_id_seq")
        cur.execute(
            "INSERT INTO journeys(journey_id, workspace, name, description, persona, version, "
            "persona_quote, lanes, based_on, persona_goals, persona_avatar, persona_picture, "
            "persona_picture_type) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
            [
                journey_id,
                workspace,
                clean,
                clean_text(description, "A description"),
                clean_text(persona, "A persona"),
                clean_text(persona_quote, "A persona quote"),
                lane_json,
                based_on,
                clean_goals(persona_goals),
                clean_avatar(persona_avatar),
                None if picture is None else picture[0],
                None if picture is None else picture[1],
            ],
        )
        total = sum(len(tps) for _, tps in stages)
        ids = iter(
            int(r[0])
            for r in cur.execute(
                "SELECT nextval('touchpoint_id_seq') FROM range(?)", [total]
            ).fetchall()
        )
        rows: list[list[Any]] = []
        for s_pos, (stage_name, tps) in enumerate(stages):
            stage_id = insert_stage(cur, journey_id, s_pos, stage_name)
            if stage_cells and s_pos < len(stage_cells):
                insert_cells(cur, journey_id, stage_id, stage_cells[s_pos] or {})
            for t_pos, tp in enumerate(tps):
                rows.append([next(ids), stage_id, t_pos, *touchpoint_values(tp), 1, journey_id])
        insert_touchpoints(cur, rows)
        edit.journey_id = journey_id
        edit.done(action or f"Created journey '{clean}'", "*")
    return journey_id


def update_journey(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
    **changes: Any,
) -> int:
    """Change a journey's name, description and/or persona card (name, quote, goals, avatar).

    Conflicts only when a version after ``expected_version`` changed the same details.
    Returns the journey's version afterwards.
    """
    unknown = set(changes) - set(JOURNEY_DETAILS)
    if unknown:
        raise InputError(f"'{sorted(unknown)[0]}' is not a journey field.")
    values = {key: _clean_detail(key, value) for key, value in changes.items()}
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        old_name, version = edit.journey_unchanged(
            journey_id, expected_version, "journey", "The journey's details"
        )
        current = dict(
            zip(
                JOURNEY_DETAILS,
                edit.cur.execute(
                    f"SELECT {', '.join(JOURNEY_DETAILS)} FROM journeys WHERE journey_id = ?",
                    [journey_id],
                ).fetchone(),
                strict=True,
            )
        )
        diff = {k: v for k, v in values.items() if current[k] != v}
        if not diff:
            return version
        for key, value in diff.items():
            edit.cur.execute(
                f"UPDATE journeys SET {key} = ? WHERE journey_id = ?", [value, journey_id]
            )
        if set(diff) == {"name"}:
            action = f"Renamed journey '{old_name}' to '{diff['name']}'"
        else:
            action = f"Edited journey '{old_name}': " + ", ".join(
                k.replace("_", " ") for k in sorted(diff)
            )
        edit.done(action, "journey")
    return int(edit.version or version)


def delete_journey(db: Database, workspace: str, journey_id: int, *, actor: Principal) -> None:
    """Delete a journey with its stages, touchpoints, lane cells and history."""
    with journey_edit(db, workspace, actor=actor) as edit:
        edit.journey(journey_id)
        for table in (
            "journey_lane_cells",
            "touchpoints",
            "stages",
            "journey_versions",
            "journey_pictures",
            "journeys",
        ):
            edit.cur.execute(f"DELETE FROM {table} WHERE journey_id = ?", [journey_id])
        bump_revision(edit.cur, workspace)


# -- stages -----------------------------------------------------------------------------
def add_stage(
    db: Database,
    workspace: str,
    journey_id: int,
    name: str,
    *,
    actor: Principal,
    position: int | None = None,
    author: str | None = None,
) -> int:
    """Insert a stage at ``position`` (default: last); returns its id."""
    clean = clean_name(name, "A stage name")
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        edit.journey(journey_id)
        ids = stage_ids(edit.cur, journey_id)
        pos = clamp(position, len(ids))
        stage_id = insert_stage(edit.cur, journey_id, pos, clean)
        renumber(edit.cur, "stages", "stage_id", ids[:pos] + [stage_id] + ids[pos:])
        edit.done(f"Added stage '{clean}'", f"stage:{stage_id}")
    return stage_id


def rename_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    name: str,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
) -> None:
    """Rename a stage (conflicts when the stage changed since ``expected_version``)."""
    clean = clean_name(name, "A stage name")
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        old, _, _ = edit.stage(stage_id, expected_version)
        if clean == old:
            return
        edit.cur.execute(
            "UPDATE stages SET name = ?, version = version + 1 WHERE stage_id = ?",
            [clean, stage_id],
        )
        edit.done(f"Renamed stage '{old}' to '{clean}'", f"stage:{stage_id}")


def move_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    position: int,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
) -> int:
    """Move a stage to ``position`` (0-based; clamped); the others close up. Returns the
    stage's version after the move."""
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        name, version, _ = edit.stage(stage_id, expected_version)
        current = stage_ids(edit.cur, edit.journey_id or 0)
        ids = [i for i in current if i != stage_id]
        pos = clamp(position, len(ids))
        if ids[:pos] + [stage_id] + ids[pos:] == current:
            return version
        renumber(edit.cur, "stages", "stage_id", ids[:pos] + [stage_id] + ids[pos:])
        edit.cur.execute("UPDATE stages SET version = version + 1 WHERE stage_id = ?", [stage_id])
        edit.done(f"Moved stage '{name}' to position {pos + 1}", f"stage:{stage_id}")
    return version + 1


def delete_stage(
    db: Database,
    workspace: str,
    stage_id: int,
    *,
    actor: Principal,
    expected_version: int | None,
    touchpoint_versions: Mapping[int, int] | None = None,
    author: str | None = None,
) -> None:
    """Delete a stage with its touchpoints and lane texts.

    ``touchpoint_versions`` (id -> version the editor saw): when given, the delete
    conflicts if any touchpoint of the stage changed or was added since.
    """
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        name, _, _ = edit.stage(stage_id, expected_version)
        cur = edit.cur
        current = dict(
            cur.execute(
                "SELECT touchpoint_id, version FROM touchpoints WHERE stage_id = ?", [stage_id]
            ).fetchall()
        )
        if touchpoint_versions is not None:
            for tp_id, tp_version in current.items():
                if touchpoint_versions.get(int(tp_id)) != int(tp_version):
                    change = last_change_of(cur, edit.journey_id or 0, f"touchpoint:{tp_id}")
                    raise ConflictError(
                        f"Stage '{name}' was not deleted: one of its touchpoints was changed "
                        f"or added by someone else since you loaded it ({change})."
                    )
        for table in ("touchpoints", "journey_lane_cells", "stages"):
            cur.execute(f"DELETE FROM {table} WHERE stage_id = ?", [stage_id])
        renumber(cur, "stages", "stage_id", stage_ids(cur, edit.journey_id or 0))
        suffix = f" and its {len(current)} touchpoint(s)" if current else ""
        edit.done(
            f"Deleted stage '{name}'{suffix}",
            f"stage:{stage_id}",
            *(f"touchpoint:{t}" for t in current),
        )


# -- touchpoints ------------------------------------------------------------------------
def add_touchpoint(
    db: Database,
    workspace: str,
    stage_id: int,
    name: str,
    *,
    actor: Principal,
    position: int | None = None,
    author: str | None = None,
    **fields: Any,
) -> int:
    """Insert a touchpoint into a stage at ``position`` (default: last); returns its id."""
    values = clean_touchpoint_fields({"name": name, **fields})
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        stage_name, _, _ = edit.stage(stage_id, None)
        ids = touchpoint_ids(edit.cur, stage_id)
        pos = clamp(position, len(ids))
        tp_id = next_id(edit.cur, "touchpoint_id_seq")
        insert_touchpoints(
            edit.cur, [[tp_id, stage_id, pos, *touchpoint_values(values), 1, edit.journey_id]]
        )
        renumber(edit.cur, "touchpoints", "touchpoint_id", ids[:pos] + [tp_id] + ids[pos:])
        edit.done(
            f"Added touchpoint '{values['name']}' to stage '{stage_name}'", f"touchpoint:{tp_id}"
        )
    return tp_id


def update_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
    **changes: Any,
) -> int:
    """Edit a touchpoint's fields (conflicts when it changed since ``expected_version``).

    Returns the touchpoint's version after the edit."""
    values = clean_touchpoint_fields(changes)
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        row = edit.touchpoint(touchpoint_id, expected_version)
        diff = {k: v for k, v in values.items() if row[k] != v}
        if not diff:
            return int(row["version"])
        assignments = ", ".join(f"{k} = ?" for k in diff)
        edit.cur.execute(
            f"UPDATE touchpoints SET {assignments}, version = version + 1 WHERE touchpoint_id = ?",
            [*diff.values(), touchpoint_id],
        )
        edit.done(describe_touchpoint_change(row["name"], diff), f"touchpoint:{touchpoint_id}")
    return int(row["version"]) + 1


def move_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    actor: Principal,
    expected_version: int | None,
    stage_id: int | None = None,
    position: int | None = None,
    author: str | None = None,
) -> int:
    """Move a touchpoint within its stage or to another stage of the same journey.

    ``position`` is 0-based in the target stage (default: last when the stage changes,
    unchanged otherwise). Both stages keep dense positions. Returns the new version.
    """
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        row = edit.touchpoint(touchpoint_id, expected_version)
        journey_id, source = edit.journey_id, int(row["stage_id"])
        target = source if stage_id is None else int(stage_id)
        target_name, _, _ = edit.stage(target, None)
        if edit.journey_id != journey_id:
            raise InputError("A touchpoint can only move to a stage of the same journey.")
        cur = edit.cur
        if target == source:
            current = touchpoint_ids(cur, source)
            ids = [i for i in current if i != touchpoint_id]
            pos = clamp(row["position"] if position is None else position, len(ids))
            if ids[:pos] + [touchpoint_id] + ids[pos:] == current:
                return int(row["version"])
            renumber(cur, "touchpoints", "touchpoint_id", ids[:pos] + [touchpoint_id] + ids[pos:])
            action = f"Moved touchpoint '{row['name']}' to position {pos + 1}"
        else:
            ids = touchpoint_ids(cur, target)
            pos = clamp(position, len(ids))
            cur.execute(
                "UPDATE touchpoints SET stage_id = ? WHERE touchpoint_id = ?",
                [target, touchpoint_id],
            )
            renumber(cur, "touchpoints", "touchpoint_id", ids[:pos] + [touchpoint_id] + ids[pos:])
            renumber(cur, "touchpoints", "touchpoint_id", touchpoint_ids(cur, source))
            action = f"Moved touchpoint '{row['name']}' to stage '{target_name}'"
        cur.execute(
            "UPDATE touchpoints SET version = version + 1 WHERE touchpoint_id = ?", [touchpoint_id]
        )
        edit.done(action, f"touchpoint:{touchpoint_id}")
    return int(row["version"]) + 1


def delete_touchpoint(
    db: Database,
    workspace: str,
    touchpoint_id: int,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
) -> None:
    """Delete a touchpoint (conflicts when it changed since ``expected_version``)."""
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        row = edit.touchpoint(touchpoint_id, expected_version)
        edit.cur.execute("DELETE FROM touchpoints WHERE touchpoint_id = ?", [touchpoint_id])
        renumber(
            edit.cur, "touchpoints", "touchpoint_id", touchpoint_ids(edit.cur, int(row["stage_id"]))
        )
        edit.done(f"Deleted touchpoint '{row['name']}'", f"touchpoint:{touchpoint_id}")


# -- lanes --------------------------------------------------------------------------------
def set_lane_cell(
    db: Database,
    workspace: str,
    stage_id: int,
    lane_key: str,
    text: str | None,
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
) -> int:
    """Write one stage's text in a text lane (empty text clears it); the cell's new version.

    ``expected_version`` is the cell version the editor saw (0 for a cell never written);
    a different current version means someone else wrote it first (ConflictError).
    """
    clean = clean_text(text, "A lane text")
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        stage_name, _, _ = edit.stage(stage_id, None)
        journey = edit.cur.execute(
            "SELECT lanes FROM journeys WHERE journey_id = ?", [edit.journey_id]
        ).fetchone()
        lanes = {lane.key: lane for lane in lanes_from_json(journey[0])}
        lane = lanes.get(lane_key)
        if lane is None or lane.kind != TEXT:
            raise InputError(f"'{lane_key}' is not a text lane of this journey.")
        row = edit.cur.execute(
            "SELECT text, version FROM journey_lane_cells WHERE stage_id = ? AND lane_key = ?",
            [stage_id, lane_key],
        ).fetchone()
        old_text, version = (row[0], int(row[1])) if row else (None, 0)
        tag = f"cell:{stage_id}:{lane_key}"
        if expected_version is not None and int(expected_version) != version:
            raise ConflictError(
                f"'{lane.label}' of stage '{stage_name}' was changed by someone else since you "
                f"loaded it ({last_change_of(edit.cur, edit.journey_id or 0, tag)}). Their "
                "text was kept and yours was not saved."
            )
        if old_text == clean:
            return version
        edit.cur.execute(
            "DELETE FROM journey_lane_cells WHERE stage_id = ? AND lane_key = ?",
            [stage_id, lane_key],
        )
        if clean is not None:
            insert_cells(edit.cur, edit.journey_id or 0, stage_id, {lane_key: (clean, version + 1)})
        verb = "Cleared" if clean is None else "Wrote"
        edit.done(f"{verb} '{lane.label}' of stage '{stage_name}'", tag)
    return version + 1


def update_lanes(
    db: Database,
    workspace: str,
    journey_id: int,
    lanes: Sequence[Lane | Mapping[str, Any]],
    *,
    actor: Principal,
    expected_version: int | None,
    author: str | None = None,
    action: str | None = None,
) -> None:
    """Replace the journey's lane set (hide, rename, reorder, add or remove lanes).

    Conflicts when a version after ``expected_version`` changed the lanes. The texts of
    a removed text lane stay stored (adding the lane back shows them again).
    """
    clean = clean_lanes(lanes)
    with journey_edit(db, workspace, actor=actor, author=author) as edit:
        name, version = edit.journey_unchanged(journey_id, expected_version, "lanes", "The lanes")
        stored = edit.cur.execute(
            "SELECT lanes FROM journeys WHERE journey_id = ?", [journey_id]
        ).fetchone()[0]
        if lanes_from_json(stored) == clean:
            return
        edit.cur.execute(
            "UPDATE journeys SET lanes = ? WHERE journey_id = ?",
            [lanes_to_json(clean), journey_id],
        )
        edit.done(action or f"Changed the lanes of '{name}'", "lanes")
