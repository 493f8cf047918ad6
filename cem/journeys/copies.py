"""Journeys made from other journeys: from exported data, duplicates, future-state copies,
and the difference between two journeys (current vs future state, or two personas).

>>> a = {"stages": [{"name": "Buy", "touchpoints": [{"name": "Till", "emotion": -1}]}]}
>>> b = {"stages": [{"name": "Buy", "touchpoints": [{"name": "Till", "emotion": 1},
...                                                 {"name": "App", "emotion": 2}]}]}
>>> [(c.kind, c.touchpoint, c.detail) for c in journey_diff(a, b)]
[('changed', 'Till', 'emotion -1 🙁 → +1 🙂'), ('added', 'App', 'in Buy')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cem.access.principal import Principal
from cem.journeys.fields import EDITABLE_TOUCHPOINT_FIELDS, FIELDS
from cem.journeys.presentation import format_emotion
from cem.journeys.reads import get_journey, journey_to_dict
from cem.journeys.writes import create_journey
from cem.store.db import Database


def create_journey_from_dict(
    db: Database,
    workspace: str,
    data: Mapping[str, Any],
    *,
    actor: Principal,
    name: str | None = None,
    persona: str | None = None,
    based_on: int | None = None,
    author: str | None = None,
    action: str | None = None,
    picture: bytes | None = None,
) -> int:
    """Create a journey from :func:`journey_to_dict`-shaped data (ids/versions ignored);
    ``picture`` is the persona's picture (the data holds only its digest)."""
    stages = list(data.get("stages", []))
    outline = [
        (
            s.get("name"),
            [
                {k: tp.get(k) for k in EDITABLE_TOUCHPOINT_FIELDS if k in tp}
                for tp in s.get("touchpoints", [])
            ],
        )
        for s in stages
    ]
    return create_journey(
        db,
        workspace,
        name or data.get("name") or "",
        actor=actor,
        description=data.get("description"),
        persona=persona if persona is not None else data.get("persona"),
        persona_quote=data.get("persona_quote"),
        persona_goals=data.get("persona_goals"),
        persona_avatar=data.get("persona_avatar"),
        persona_picture=picture,
        outline=outline,
        stage_cells=[dict(s.get("cells") or {}) for s in stages],
        lanes=data.get("lanes"),
        based_on=based_on,
        author=author,
        action=action,
    )


def duplicate_journey(
    db: Database,
    workspace: str,
    journey_id: int,
    *,
    actor: Principal,
    name: str | None = None,
    persona: str | None = None,
    author: str | None = None,
    future_state: bool = False,
) -> int:
    """A copy of a journey (stages, touchpoints, lanes and their texts).

    ``future_state``: the copy is the *future state* of this one (named "… (future)" by
    default and remembered as based on it, so the page can show what differs).
    """
    source = get_journey(db, workspace, journey_id)
    suffix = "future state" if future_state else "copy"
    new_name = name or f"{source.name} ({suffix})"
    verb = "Made a future-state copy of" if future_state else "Duplicated"
    return create_journey_from_dict(
        db,
        workspace,
        journey_to_dict(source, with_ids=False),
        actor=actor,
        name=new_name,
        persona=persona,
        based_on=journey_id if future_state else None,
        author=author,
        picture=source.persona_picture,
        action=f"{verb} journey '{source.name}' as '{new_name}'",
    )


@dataclass(frozen=True)
class Change:
    """One difference between two journeys: kind is added, removed, changed or moved."""

    kind: str
    stage: str
    touchpoint: str | None
    detail: str


def _show(field: str, value: Any) -> str:
    if field == "emotion":
        return format_emotion(value)
    if FIELDS[field].kind == "flag":
        return "yes" if value else "no"
    return f"“{value}”" if value else "—"


def _norm(field: str, value: Any) -> Any:
    if FIELDS[field].kind == "flag":
        return bool(value)
    return None if value in ("", None) else value


def journey_diff(current: Mapping[str, Any], future: Mapping[str, Any]) -> list[Change]:
    """What changed from ``current`` to ``future`` (both :func:`journey_to_dict` data).

    Stages are matched by name, touchpoints by name (a touchpoint in another stage is
    *moved*). Order: stage changes, then touchpoints in the future journey's order, then
    removed touchpoints.
    """
    changes: list[Change] = []
    cur_stages = [s["name"] for s in current.get("stages", [])]
    fut_stages = [s["name"] for s in future.get("stages", [])]
    for name in fut_stages:
        if name not in cur_stages:
            changes.append(Change("added", name, None, "new stage"))
    for name in cur_stages:
        if name not in fut_stages:
            changes.append(Change("removed", name, None, "stage removed"))
    before = {
        tp["name"]: (s["name"], tp) for s in current.get("stages", []) for tp in s["touchpoints"]
    }
    seen: set[str] = set()
    for stage in future.get("stages", []):
        for tp in stage["touchpoints"]:
            seen.add(tp["name"])
            if tp["name"] not in before:
                changes.append(Change("added", stage["name"], tp["name"], f"in {stage['name']}"))
                continue
            old_stage, old = before[tp["name"]]
            if old_stage != stage["name"]:
                changes.append(
                    Change("moved", stage["name"], tp["name"], f"{old_stage} → {stage['name']}")
                )
            diffs = [
                f"{FIELDS[k].label} {_show(k, old.get(k))} → {_show(k, tp.get(k))}"
                for k in EDITABLE_TOUCHPOINT_FIELDS
                if k != "name" and _norm(k, old.get(k)) != _norm(k, tp.get(k))
            ]
            if diffs:
                changes.append(Change("changed", stage["name"], tp["name"], "; ".join(diffs)))
    for name, (stage_name, _) in before.items():
        if name not in seen:
            changes.append(Change("removed", stage_name, name, f"from {stage_name}"))
    return changes
