"""Scores answered in words: a CSAT question answered "Very dissatisfied … Very satisfied",
a CES question answered on an agreement or ease scale.

Detection never makes a verbal scale a score by itself: such a column is kept as a rating
1..k, and when its header asks the score's question the page says so (a note: "choose it
for CSAT if it is your CSAT question"). When the user confirms it (the mapping editor,
``--map column=csat``), the labels are read as 1..k in the scale's order, "Don't know" as a
blank answer, and any other text is a row-level reject. A scale that cannot be that score
is refused in words: CSAT is 1-5, CES 1-7, NPS 0-10 (no verbal scale has the eleven points
of NPS; its 0-10 answers are numbers).

>>> from cem.ingest.sample import Sample
>>> sample = Sample(["How satisfied were you?"], {"How satisfied were you?": [
...     "Very satisfied", "Dissatisfied", "Neutral", "Don't know"]})
>>> scales = verbal_score_scales({"csat": "How satisfied were you?"}, sample)
>>> scales["How satisfied were you?"].describe()
'Very dissatisfied … Very satisfied (1-5)'
>>> verbal_score_hints({}, sample)[0][:60]
'“How satisfied were you?” answers on a verbal scale, Very di'
"""

from __future__ import annotations

import re
from collections import Counter

from cem.errors import MappingError
from cem.ingest.profile import is_missing, normalise_header, to_number
from cem.ingest.sample import Sample
from cem.ingest.scales import (
    LikertScale,
    is_not_on_scale,
    mostly_labels_scale,
    rating_scale,
)
from cem.ingest.vocab import CES_WORDS, CSAT_WORDS, NPS_WORDS, ROLE_LABELS, SCORE_RANGES

STRAY_SHARE = 0.8  # this share of a column's answers must be scale labels
_HEADER_WORDS = {"nps": NPS_WORDS, "csat": CSAT_WORDS, "ces": CES_WORDS}


def column_scale(values: list[object]) -> LikertScale | None:
    """The verbal scale (1..k, not a yes/no flag) of a column's values; None when the
    values are numbers or not one scale's labels. A few stray answers ("Meh") do not hide
    the scale: they are rejected row by row when the column is loaded as a score."""
    answers = Counter(
        {v: n for v, n in Counter(values).items() if not is_missing(v) and not is_not_on_scale(v)}
    )
    if not answers or all(to_number(str(v)) is not None for v in answers):
        return None
    scale = mostly_labels_scale(answers, STRAY_SHARE)
    return scale if scale is not None and scale.start == 1 else None


def verbal_score_scales(roles: dict[str, str], sample: Sample) -> dict[str, LikertScale]:
    """column -> scale for every score role (NPS, CSAT, CES) whose column holds verbal-scale
    labels. Raises :class:`MappingError` when that scale cannot be the score."""
    out: dict[str, LikertScale] = {}
    for role, (lo, hi) in SCORE_RANGES.items():
        col = roles.get(role)
        if col is None or col not in sample.columns:
            continue
        scale = column_scale(list(sample[col]))
        if scale is None:
            continue
        if scale.points > hi - lo + 1 or scale.points < 3 or role == "nps":
            fits = [
                ROLE_LABELS[r]
                for r, (a, b) in SCORE_RANGES.items()
                if r != "nps" and 3 <= scale.points <= b - a + 1
            ]
            why = (
                "NPS needs answers from 0 to 10"
                if role == "nps"
                else f"{role.upper()} has {hi - lo + 1} points at most"
            )
            other = f"choose it for {' or '.join(fits)}, or " if fits else ""
            raise MappingError(
                f"“{col}” answers on a {scale.points}-point verbal scale, {scale.describe()}, "
                f"so it cannot be {ROLE_LABELS[role]}: {why}. Instead, {other}leave its role "
                "empty to keep it as a rating."
            )
        out[col] = scale
    return out


def verbal_score_hints(roles: dict[str, str], sample: Sample) -> list[str]:
    """Notes for columns without a role whose header asks a score's question and whose
    answers are a verbal scale that fits it: kept as a rating unless the user confirms."""
    used = set(roles.values())
    notes = []
    for col in sample.columns:
        if col in used:
            continue
        norm = normalise_header(str(col))
        scale = None
        for role, words in _HEADER_WORDS.items():
            lo, hi = SCORE_RANGES[role]
            if role == "nps" or role in roles or not words.search(norm):
                continue
            scale = scale or column_scale(list(sample[col]))
            if scale is not None and 3 <= scale.points <= hi - lo + 1:
                kept = (
                    "a rating"
                    if rating_scale(list(sample[col])) is not None
                    else "text (some answers are not labels of the scale)"
                )
                notes.append(
                    f"“{col}” answers on a verbal scale, {scale.describe()}: it is kept as "
                    f"{kept}. If it is your {role.upper()} question, choose it for "
                    f"{ROLE_LABELS[role]} in the roles table; its labels are then read as "
                    f"1-{scale.points}."
                )
                break
    return notes


# "10 - Extremely likely", "0 = Not at all likely", "5 (Very satisfied)": a number with the
# label of its scale point, as survey tools export the end points of a 0-10 or 1-5 scale.
_ANCHORED = re.compile(r"^\s*(\d{1,2})\s*(?:[-–—=:]|\()\s*[^\d\s].*$", re.S)
_ANCHORED_SQL = "^\\s*([0-9]{1,2})\\s*([-–—=:]|\\()\\s*[^0-9\\s]"


def anchored_number(value: object) -> str | None:
    """The number of a labelled scale point (``"10 - Extremely likely"`` -> ``"10"``).

    >>> anchored_number("10 - Extremely likely"), anchored_number("0 = Not at all likely")
    ('10', '0')
    >>> anchored_number("5 (Very satisfied)"), anchored_number("12-03-2024"), anchored_number("7")
    ('5', None, None)
    """
    m = _ANCHORED.match(str(value)) if value is not None else None
    return m.group(1) if m else None


def anchored_columns(sample: Sample) -> list[str]:
    """Columns whose answers are numbers, the scale's ends (and middle) written with their
    label (``10 - Extremely likely``, then ``9``, ``8`` …): read as the numbers. Answers that
    all carry a label (``1 - Yes``, ``2 - No``) are coded choices, left as they are."""
    out = []
    for col in sample.columns:
        # Each distinct answer once: what follows only asks which answers occur.
        vals = {str(v).strip() for v in set(sample[col]) if not is_missing(v)}
        labelled = {int(n) for v in vals if (n := anchored_number(v)) is not None}
        plain = {int(v) for v in vals if re.fullmatch(r"\d{1,2}", v)}
        if not labelled or not plain:
            continue  # every value labelled ("1 - Yes", "2 - No") is a coded answer, not this
        if any(anchored_number(v) is None and not re.fullmatch(r"\d{1,2}", v) for v in vals):
            continue
        numbers = labelled | plain
        ends = {min(numbers), max(numbers), (min(numbers) + max(numbers)) / 2}
        if labelled <= ends:
            out.append(str(col))
    return out


def anchored_sql(column_sql: str) -> str:
    """SQL twin of :func:`anchored_number`: the number of a labelled value, else the value."""
    return (
        f"CASE WHEN regexp_matches({column_sql}, '{_ANCHORED_SQL}') THEN "
        f"regexp_extract({column_sql}, '{_ANCHORED_SQL}', 1) ELSE {column_sql} END"
    )
