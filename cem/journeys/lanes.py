"""Lanes: the rows of a journey map, and the team's text per stage in each text lane.

A journey shows :data:`DEFAULT_LANES` until its team changes them: lanes can be hidden,
renamed, reordered, and text lanes added. *Text* lanes (customer goals, actions,
thoughts, backstage, or any the team adds) hold one text per stage cell; the *built-in*
lanes are drawn from the touchpoints (touchpoints, channels, emotion — the team's and
the customers' —, pain points, opportunities, owners) and from the data (KPIs: NPS and
CSAT with n per touchpoint).

The lane set is stored as JSON on the journey; cells in ``journey_lane_cells`` with a
version each, so two people writing different cells never conflict, and a stale write
of the same cell raises :class:`~cem.errors.ConflictError` (the rule in
:mod:`cem.journeys.writes`).

>>> [lane.key for lane in DEFAULT_LANES][:3]
['goals', 'actions', 'touchpoints']
>>> clean_lanes([{"key": "goals", "label": " Jobs to be done ", "kind": "text"}])[0].label
'Jobs to be done'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cem.errors import InputError
from cem.journeys.model import Lane, clean_name

TEXT = "text"
BUILT_IN_KINDS: tuple[str, ...] = (
    "touchpoints",
    "channels",
    "emotion",
    "pain_points",
    "opportunities",
    "owner",
    "kpis",
)
DEFAULT_LANES: tuple[Lane, ...] = (
    Lane("goals", "Customer goals", TEXT),
    Lane("actions", "Actions", TEXT),
    Lane("touchpoints", "Touchpoints", "touchpoints"),
    Lane("channels", "Channels", "channels"),
    Lane("thoughts", "Thoughts", TEXT),
    Lane("emotion", "Emotion", "emotion"),
    Lane("pain_points", "Pain points", "pain_points"),
    Lane("opportunities", "Opportunities", "opportunities"),
    Lane("backstage", "Backstage", TEXT),
    Lane("owner", "Owner", "owner"),
    Lane("kpis", "KPIs", "kpis"),
)
MAX_LANES = 30
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def lane_key_for(label: str, taken: Iterable[str]) -> str:
    """A new lane's key from its label, unique among ``taken``.

    >>> lane_key_for("Feelings & needs", ["goals"]), lane_key_for("Goals", ["goals"])
    ('feelings_needs', 'goals_2')
    """
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "lane"
    if not base[0].isalpha():
        base = f"lane_{base}"[:30]
    taken = set(taken)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def clean_lanes(raw: Sequence[Mapping[str, Any] | Lane]) -> tuple[Lane, ...]:
    """Validate a lane list (keys unique and well-formed, kinds known, labels clean)."""
    if len(raw) > MAX_LANES:
        raise InputError(f"A journey can have at most {MAX_LANES} lanes.")
    out: list[Lane] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        data = item.__dict__ if isinstance(item, Lane) else dict(item)
        key = str(data.get("key") or "")
        kind = str(data.get("kind") or TEXT)
        if not _KEY.match(key):
            raise InputError(f"Lane {index}: '{key}' is not a lane key (a-z, 0-9, _).")
        if key in seen:
            raise InputError(f"Lane {index}: the key '{key}' is used twice.")
        if kind != TEXT and kind not in BUILT_IN_KINDS:
            raise InputError(f"Lane {index}: unknown lane kind '{kind}'.")
        label = clean_name(data.get("label") or key, f"Lane {index}: the name")
        seen.add(key)
        out.append(Lane(key, label, kind, bool(data.get("hidden", False))))
    return tuple(out)


def lanes_from_json(value: str | None) -> tuple[Lane, ...]:
    """The lanes stored on a journey (the default set when none are stored)."""
    if not value:
        return DEFAULT_LANES
    return clean_lanes(json.loads(value))


def lanes_to_json(lanes: Sequence[Lane]) -> str:
    """The stored form of a lane list."""
    return json.dumps([lane_to_dict(lane) for lane in lanes], ensure_ascii=False)


def lane_to_dict(lane: Lane) -> dict[str, Any]:
    """One lane as JSON-ready data."""
    return {"key": lane.key, "label": lane.label, "kind": lane.kind, "hidden": lane.hidden}


def visible_lanes(lanes: Sequence[Lane]) -> list[Lane]:
    """The lanes that are shown, in order."""
    return [lane for lane in lanes if not lane.hidden]


def text_lanes(lanes: Sequence[Lane]) -> list[Lane]:
    """The lanes the team writes per stage."""
    return [lane for lane in lanes if lane.kind == TEXT]


def moved(lanes: Sequence[Lane], key: str, step: int) -> tuple[Lane, ...]:
    """The lane list with lane ``key`` moved ``step`` places (clamped).

    >>> [lane.key for lane in moved(DEFAULT_LANES, "actions", -1)][:2]
    ['actions', 'goals']
    """
    items = list(lanes)
    index = next(i for i, lane in enumerate(items) if lane.key == key)
    target = max(0, min(len(items) - 1, index + step))
    items.insert(target, items.pop(index))
    return tuple(items)
