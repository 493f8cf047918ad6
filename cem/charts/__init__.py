"""Chart builders: pure functions, DataFrame in, ``alt.Chart`` out.

This module holds the visual language shared by every chart (DESIGN.md "Visual
language"): the emotion scale, the marks for pain points and moments of truth, and
a fixed colour per segment/persona name so "Enterprise" has one colour on every page.
Builders live in submodules: :mod:`cem.charts.kpi`, :mod:`cem.charts.journey`,
:mod:`cem.charts.flow`.

>>> EMOTIONS[-2].face, EMOTIONS[2].colour
('😡', '#1a9641')
>>> group_colour("Enterprise") == group_colour("Enterprise")
True
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import altair as alt


@dataclass(frozen=True)
class Emotion:
    """One step of the −2..+2 emotion scale."""

    score: int
    face: str
    colour: str
    label: str


EMOTIONS: dict[int, Emotion] = {
    -2: Emotion(-2, "😡", "#d7191c", "Very negative"),
    -1: Emotion(-1, "🙁", "#fdae61", "Negative"),
    0: Emotion(0, "😐", "#bdbdbd", "Neutral"),
    1: Emotion(1, "🙂", "#a6d96a", "Positive"),
    2: Emotion(2, "😄", "#1a9641", "Very positive"),
}
EMOTION_DOMAIN: list[int] = list(EMOTIONS)
EMOTION_RANGE: list[str] = [e.colour for e in EMOTIONS.values()]

PAIN_POINT_MARK = "⚠"
PAIN_POINT_COLOUR = "#d7191c"
MOMENT_OF_TRUTH_MARK = "★"
OPPORTUNITY_MARK = "💡"
LOW_CONFIDENCE_COLOUR = "#9e9e9e"

# Okabe–Ito, a colour-blind-safe qualitative palette (black left out).
GROUP_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
)
ALL_GROUP_COLOUR = "#4d4d4d"
# Mixed into the hash. Chosen once so that the demo's four segments and four personas
# get clearly different hues (no two blues, no orange beside vermillion); any other
# name still gets a fixed colour from the same palette.
_COLOUR_SALT = "tp108"


def emotion_for(score: float | None) -> Emotion | None:
    """The emotion step nearest to a (possibly fractional) score; None for no score."""
    if score is None or score != score:  # None or NaN
        return None
    return EMOTIONS[max(-2, min(2, round(score)))]


def group_colour(name: str) -> str:
    """A fixed colour for a segment/persona/channel name, the same on every chart.

    The colour depends only on the name (a stable hash), not on which other groups are
    on the chart, so a name keeps its colour across pages and filters.
    """
    if name in ("All", "all", ""):
        return ALL_GROUP_COLOUR
    key = (_COLOUR_SALT + name.strip().lower()).encode("utf-8")
    return GROUP_PALETTE[hashlib.sha1(key).digest()[0] % len(GROUP_PALETTE)]


def group_colours(names: list[str]) -> dict[str, str]:
    """The colour of each group of one chart: its fixed colour (:func:`group_colour`), unless
    another group of the chart already has it; then the next free colour of the palette, so
    that up to seven groups never share a colour.

    >>> colours = group_colours(["1", "2", "3", "4", "5", "n/a (0)", "(not set)"])
    >>> len(set(colours.values()))
    7
    """
    out: dict[str, str] = {}
    for name in sorted({str(n) for n in names}):
        colour = group_colour(name)
        taken = set(out.values())
        if colour in taken and colour in GROUP_PALETTE and len(taken) < len(GROUP_PALETTE):
            start = GROUP_PALETTE.index(colour)
            free = (GROUP_PALETTE[(start + k) % len(GROUP_PALETTE)] for k in range(1, 8))
            colour = next(c for c in free if c not in taken)
        out[name] = colour
    return out


def group_scale(names: list[str]) -> alt.Scale:
    """An Altair colour scale mapping each group name of a chart to its colour."""
    colours = group_colours(names)
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def emotion_scale() -> alt.Scale:
    """The diverging emotion colour scale over −2..+2."""
    return alt.Scale(domain=EMOTION_DOMAIN, range=EMOTION_RANGE)
