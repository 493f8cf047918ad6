"""The journey map's value types and the validation of everything a user types into it.

A journey has ordered stages; a stage has ordered touchpoint cards (the fields in
:mod:`cem.journeys.fields`) and one text per *lane* (customer goals, thoughts,
backstage, …: :mod:`cem.journeys.lanes`). Reads are in :mod:`cem.journeys.reads`,
changes in :mod:`cem.journeys.writes`, undo and history in :mod:`cem.journeys.history`;
:mod:`cem.journeys.api` gathers them.

>>> tp = Touchpoint(7, 1, 0, "Checkout", emotion=1)
>>> j = Journey(1, "w", "Shop", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
>>> j.touchpoint(7).name, [t.name for t in j.touchpoints]
('Checkout', ['Checkout'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cem.errors import InputError, NotFoundError
from cem.journeys.fields import EDITABLE_TOUCHPOINT_FIELDS, FIELDS

MAX_NAME_LENGTH = 120
MAX_TEXT_LENGTH = 2000
DEFAULT_AUTHOR = "someone"
SNAPSHOT_FORMAT = "touchpoint-journey"
SNAPSHOT_FORMAT_VERSION = 3  # 2: lanes, lane cells, persona quote; 3: persona goals, avatar
FACES: dict[int, str] = {-2: "😡", -1: "🙁", 0: "😐", 1: "🙂", 2: "😄"}

# An outline is [(stage name, [touchpoint name or dict of touchpoint fields, ...]), ...].
Outline = Sequence[tuple[str, Sequence[str | Mapping[str, Any]]]]


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
    """One column of the map, with its touchpoints in order and its lane texts."""

    stage_id: int
    position: int
    name: str
    version: int = 1
    touchpoints: tuple[Touchpoint, ...] = ()
    cells: tuple[tuple[str, str, int], ...] = ()  # (lane key, text, version)

    def cell(self, lane_key: str) -> str:
        """The stage's text in a text lane ('' when empty)."""
        return next((text for key, text, _ in self.cells if key == lane_key), "")

    def cell_version(self, lane_key: str) -> int:
        """The version of that lane cell (0 while it has never been written)."""
        return next((v for key, _, v in self.cells if key == lane_key), 0)


@dataclass(frozen=True)
class Lane:
    """One row of the map: a text lane the team fills per stage, or a built-in one.

    ``kind`` is ``text`` or one of :data:`cem.journeys.lanes.BUILT_IN_KINDS`.
    """

    key: str
    label: str
    kind: str
    hidden: bool = False


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
    persona_quote: str | None = None
    lanes: tuple[Lane, ...] = ()
    based_on: int | None = None
    persona_goals: str | None = None  # one goal a line
    persona_avatar: str | None = None  # an emoji or letters, shown without a picture
    persona_picture: bytes | None = field(default=None, repr=False)
    persona_picture_type: str | None = None

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
        for score, face in FACES.items():
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


def clean_touchpoint_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate touchpoint fields by their kind (see :data:`~cem.journeys.fields.FIELDS`).

    >>> clean_touchpoint_fields({"name": " Bill ", "channel": "Email", "pain_point": "yes"})
    {'name': 'Bill', 'channel': 'email', 'pain_point': True}
    """
    out: dict[str, Any] = {}
    for key, value in fields.items():
        spec = FIELDS.get(key)
        if spec is None:
            raise InputError(f"'{key}' is not a touchpoint field.")
        label = spec.label.capitalize()
        if spec.kind == "name":
            out[key] = clean_name(value, "A touchpoint name")
        elif spec.kind == "emotion":
            out[key] = clean_emotion(value)
        elif spec.kind == "flag":
            out[key] = clean_flag(value, label)
        elif spec.kind == "channel":
            text = clean_text(value, "A channel")
            out[key] = text.lower() if text else None
        else:
            out[key] = clean_text(value, label)
    return out


def touchpoint_values(fields: Mapping[str, Any]) -> list[Any]:
    """The editable fields of a (clean) touchpoint mapping in column order; flags as bool."""
    return [
        bool(fields.get(k)) if FIELDS[k].kind == "flag" else fields.get(k)
        for k in EDITABLE_TOUCHPOINT_FIELDS
    ]


def clean_outline(outline: Outline | None) -> list[tuple[str, list[dict[str, Any]]]]:
    """Validate an outline; each touchpoint becomes a dict of clean fields with a name."""
    cleaned: list[tuple[str, list[dict[str, Any]]]] = []
    for s_index, (stage_name, tps) in enumerate(outline or []):
        name = clean_name(stage_name, f"Stage {s_index + 1}: the stage name")
        items = []
        for t_index, tp in enumerate(tps):
            raw = {"name": tp} if isinstance(tp, str) else dict(tp)
            try:
                items.append(clean_touchpoint_fields(raw))
            except InputError as exc:
                raise InputError(f"Stage '{name}', touchpoint {t_index + 1}: {exc}") from exc
            if "name" not in items[-1]:
                raise InputError(f"Stage '{name}', touchpoint {t_index + 1}: it needs a name.")
        cleaned.append((name, items))
    return cleaned
