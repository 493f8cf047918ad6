"""Reading journeys: the picker list, one journey with its stages, cards and lane cells,
the version history and the snapshot/export shape.

Plain parameterised SQL over the small state tables (DESIGN.md: they are not Ibis).
This is the one reader of each concept: pages, io, the CLI and the planned-vs-actual
comparison all list journeys through :func:`list_journeys`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import duckdb

from cem.errors import NotFoundError
from cem.journeys.fields import EDITABLE_TOUCHPOINT_FIELDS, TOUCHPOINT_COLUMNS
from cem.journeys.lanes import lane_to_dict, lanes_from_json
from cem.journeys.model import (
    SNAPSHOT_FORMAT,
    SNAPSHOT_FORMAT_VERSION,
    Journey,
    JourneySummary,
    Stage,
    Touchpoint,
    VersionInfo,
)
from cem.store.db import Database

Cursor = duckdb.DuckDBPyConnection
TP_SELECT = ", ".join(TOUCHPOINT_COLUMNS)


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


def touchpoint_from_row(row: Iterable[Any]) -> Touchpoint:
    """A :class:`Touchpoint` from a row in :data:`TOUCHPOINT_COLUMNS` order."""
    values = dict(zip(TOUCHPOINT_COLUMNS, row, strict=True))
    values["pain_point"] = bool(values["pain_point"])
    values["moment_of_truth"] = bool(values["moment_of_truth"])
    if values["emotion"] is not None:
        values["emotion"] = int(values["emotion"])
    return Touchpoint(**values)


def load_journey(cur: Cursor, workspace: str, journey_id: int) -> Journey:
    """The journey as it is in the open transaction (or on the cursor)."""
    row = cur.execute(
        "SELECT journey_id, workspace, name, description, persona, version, created_at, "
        "updated_at, persona_quote, lanes, based_on, persona_goals, persona_avatar, "
        "persona_picture, persona_picture_type FROM journeys "
        "WHERE journey_id = ? AND workspace = ?",
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
        f"SELECT {TP_SELECT} FROM touchpoints WHERE journey_id = ? "
        "ORDER BY stage_id, position, touchpoint_id",
        [journey_id],
    ).fetchall()
    cell_rows = cur.execute(
        "SELECT stage_id, lane_key, text, version FROM journey_lane_cells "
        "WHERE journey_id = ? ORDER BY stage_id, lane_key",
        [journey_id],
    ).fetchall()
    by_stage: dict[int, list[Touchpoint]] = {}
    for r in tp_rows:
        tp = touchpoint_from_row(r)
        by_stage.setdefault(tp.stage_id, []).append(tp)
    cells: dict[int, list[tuple[str, str, int]]] = {}
    for stage_id, key, text, version in cell_rows:
        cells.setdefault(int(stage_id), []).append((key, text, int(version)))
    stages = tuple(
        Stage(
            int(s[0]),
            int(s[1]),
            s[2],
            int(s[3]),
            tuple(by_stage.get(int(s[0]), [])),
            tuple(cells.get(int(s[0]), [])),
        )
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
        persona_quote=row[8],
        lanes=lanes_from_json(row[9]),
        based_on=None if row[10] is None else int(row[10]),
        persona_goals=row[11],
        persona_avatar=row[12],
        persona_picture=None if row[13] is None else bytes(row[13]),
        persona_picture_type=row[14],
    )


def get_journey(db: Database, workspace: str, journey_id: int) -> Journey:
    """The journey with its stages, touchpoints and lane cells, in order."""
    return load_journey(db.cursor(), workspace, int(journey_id))


def find_journey(db: Database, workspace: str, name: str) -> int | None:
    """The id of the (newest) journey with exactly that name, if any."""
    row = db.execute(
        "SELECT journey_id FROM journeys WHERE workspace = ? AND name = ? "
        "ORDER BY journey_id DESC LIMIT 1",
        [workspace, name],
    ).fetchone()
    return int(row[0]) if row else None


def _versions(
    db: Database, workspace: str, journey_id: int, where: str, params: list[Any], order: str
) -> list[VersionInfo]:
    rows = db.execute(
        "SELECT v.version, v.action, v.author, v.created_at FROM journey_versions v "
        "JOIN journeys j USING (journey_id) WHERE v.journey_id = ? AND j.workspace = ? "
        f"{where} ORDER BY v.version {order}",
        [journey_id, workspace, *params],
    ).fetchall()
    return [VersionInfo(int(r[0]), r[1], r[2], r[3]) for r in rows]


def list_versions(
    db: Database, workspace: str, journey_id: int, limit: int = 200
) -> list[VersionInfo]:
    """The journey's version history, newest first."""
    return _versions(db, workspace, journey_id, "", [], f"DESC LIMIT {int(limit)}")


def changes_since(db: Database, workspace: str, journey_id: int, version: int) -> list[VersionInfo]:
    """The changes made after ``version`` (oldest first): 'what did the others do?'."""
    return _versions(db, workspace, journey_id, "AND v.version > ?", [int(version)], "ASC")


def list_personas(db: Database, workspace: str) -> list[str]:
    """Persona names of the workspace (the personas table and the journeys' personas)."""
    rows = db.execute(
        "SELECT name FROM personas WHERE workspace = ? UNION "
        "SELECT persona FROM journeys WHERE workspace = ? AND persona IS NOT NULL ORDER BY 1",
        [workspace, workspace],
    ).fetchall()
    return [r[0] for r in rows]


def persona_description(db: Database, workspace: str, persona: str | None) -> str | None:
    """The persona's description from the personas table (None when unknown)."""
    if not persona:
        return None
    row = db.execute(
        "SELECT description FROM personas WHERE workspace = ? AND name = ?", [workspace, persona]
    ).fetchone()
    return row[0] if row else None


# -- the snapshot / export shape ----------------------------------------------------------
def picture_digest(picture: bytes | None) -> str | None:
    """What a version snapshot holds for the persona's picture (its bytes are kept once
    per journey in ``journey_pictures``, by this digest)."""
    return hashlib.sha256(picture).hexdigest()[:16] if picture else None


def journey_to_dict(journey: Journey, *, with_ids: bool = True) -> dict[str, Any]:
    """The journey as plain JSON-ready data (the snapshot and export format).

    Each stage carries its touchpoints and ``cells`` (lane key -> text); the journey
    carries its ``lanes`` (key, label, kind, hidden) and the persona card (quote, goals,
    avatar; the picture only as a digest: :mod:`cem.journeys.io` adds its bytes).
    """
    stages = []
    for stage in journey.stages:
        tps = []
        for tp in stage.touchpoints:
            item = {k: getattr(tp, k) for k in EDITABLE_TOUCHPOINT_FIELDS}
            if with_ids:
                item |= {"touchpoint_id": tp.touchpoint_id, "version": tp.version}
            tps.append(item)
        entry: dict[str, Any] = {
            "name": stage.name,
            "touchpoints": tps,
            "cells": {key: text for key, text, _ in stage.cells},
        }
        if with_ids:
            entry |= {
                "stage_id": stage.stage_id,
                "version": stage.version,
                "cell_versions": {key: v for key, _, v in stage.cells},
            }
        stages.append(entry)
    return {
        "format": SNAPSHOT_FORMAT,
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "name": journey.name,
        "description": journey.description,
        "persona": journey.persona,
        "persona_quote": journey.persona_quote,
        "persona_goals": journey.persona_goals,
        "persona_avatar": journey.persona_avatar,
        "persona_picture": picture_digest(journey.persona_picture),
        "lanes": [lane_to_dict(lane) for lane in journey.lanes],
        "stages": stages,
    }


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


def subset_journey(journey: Journey, stage_ids: Iterable[int]) -> Journey:
    """A copy of ``journey`` with only the given stages (for showing part of a big map)."""
    wanted = set(stage_ids)
    return replace(journey, stages=tuple(s for s in journey.stages if s.stage_id in wanted))
