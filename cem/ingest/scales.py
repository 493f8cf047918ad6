"""Verbal scales: Likert labels read as ordered ratings 1..k, the labels kept for display.

A text column whose every answer is a label of one known scale (agreement, satisfaction,
frequency, "definitely", favourability, likelihood; in English, Spanish, French, German,
Italian, Dutch, Danish and Portuguese: :mod:`cem.ingest.scale_labels`)
becomes a numeric rating: the labels map to 1..k in the scale's order, so the column is a
driver, a KPI and a filter like any 1-5 rating, and filters and splits show ``4 · Agree``
(number and label, in order). Yes/no answers (en/es/fr/de/da/pt) become a 0/1 column,
read as "% yes". "Don't know", "N/A", "Unfamiliar", "Prefer not to say" (and
their forms in the other languages) are missing answers, not rejects and not a point on
the scale.

Detection reads the values only (case, accents and punctuation folded), never the header.
Each scale comes in the variants real surveys use (5 and 7 points, with or without a
neutral middle); the smallest variant that holds every answer of the sample decides k.

>>> scale = likert_scale(["Agree", "strongly agree", "Disagree", "Don't know", "Neutral"])
>>> scale.labels
('Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree')
>>> scale.rank("STRONGLY AGREE"), scale.rank("don’t know"), scale.display(4)
(5, None, '4 · Agree')
>>> likert_scale(["Tout à fait d'accord", "Pas d'accord", "D'accord"]).labels[-1]
"Tout à fait d'accord"
>>> likert_scale(["Red", "Blue", "Green"]) is None
True
>>> flag = likert_scale(["yes", "No", "YES", "n/a"])
>>> flag.rank("Yes"), flag.rank("no"), flag.display(1), flag.describe()
(1, 0, 'Yes', 'No/Yes (0/1)')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cem.ingest.scale_labels import FAMILIES, FLAGS, NOT_ON_SCALE

__all__ = ["NOT_ON_SCALE", "LikertScale", "fold", "is_not_on_scale", "likert_scale"]

_FAMILIES = FAMILIES
_FLAGS = FLAGS
MIN_LABELS = 3  # distinct scale labels a sample must show (two could be a yes/no flag)


# Letters that accent stripping leaves (in Python and in DuckDB): spelled out, the same way.
_LETTERS = (("ß", "ss"), ("æ", "ae"), ("ø", "o"), ("œ", "oe"))


def fold(text: object) -> str:
    """Lower case, accents and punctuation folded (``Don’t know`` -> ``don't know``).

    >>> fold("  Tout à fait d’accord! "), fold("Teils / teils"), fold("Sjældent")
    ("tout a fait d'accord", 'teils/teils', 'sjaeldent')
    """
    return _fold_text(str(text))


@functools.lru_cache(maxsize=8192)
def _fold_text(text: str) -> str:
    # Samples repeat their values (scales, closed questions): each text is folded once.
    s = unicodedata.normalize("NFKD", text.replace("’", "'").replace("`", "'"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    for letter, plain in _LETTERS:
        s = s.replace(letter, plain)
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"[^\w'/ ]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


_NOT_ON_SCALE_FOLDED = frozenset(fold(t) for t in NOT_ON_SCALE)


@dataclass(frozen=True)
class LikertScale:
    """An ordered verbal scale: ``labels[i]`` is rating ``i + 1``."""

    labels: tuple[str, ...]
    start: int = 1  # 0 for a yes/no flag (no = 0, yes = 1: read as "% yes")

    @property
    def points(self) -> int:
        return len(self.labels)

    @property
    def ranks(self) -> range:
        return range(self.start, self.start + self.points)

    def rank(self, value: object) -> int | None:
        """start..k for a label of the scale (folded), None for a missing answer."""
        key = fold(value)
        for rank, label in zip(self.ranks, self.labels, strict=True):
            if fold(label) == key:
                return rank
        return None

    def display(self, rank: int) -> str:
        """How ``rank`` reads in filters and splits: ``4 · Agree`` (sorts in order); a
        flag's ``Yes``/``No``."""
        label = self.labels[rank - self.start]
        return label if self.start == 0 else f"{rank} · {label}"

    def describe(self) -> str:
        """``Strongly disagree … Strongly agree (1-5)``; ``No/Yes (0/1)``."""
        if self.start == 0:
            return f"{self.labels[0]}/{self.labels[1]} (0/1)"
        return f"{self.labels[0]} … {self.labels[-1]} (1-{self.points})"

    def folded_ranks(self) -> list[tuple[str, int]]:
        """(folded label, rank) pairs, for the SQL that types the column."""
        return [(fold(label), rank) for rank, label in zip(self.ranks, self.labels, strict=True)]


_FOLDED_FLAGS = [(flag, {fold(label) for label in flag}) for flag in _FLAGS]
_FOLDED_VARIANTS = [
    (variant, frozenset(fold(label) for label in variant))
    for family in _FAMILIES
    for variant in family
]
_KNOWN_LABELS = frozenset(
    fold(label) for family in (*_FAMILIES, _FLAGS) for variant in family for label in variant
)


def scale_answers(values: Iterable[object]) -> list[object]:
    """The values that are labels of some known scale or not-on-scale answers (the rest:
    blanks and stray text such as "Meh", which a scale column rejects row by row)."""
    return [
        v
        for v in values
        if v is not None and (k := fold(v)) and (k in _KNOWN_LABELS or k in _NOT_ON_SCALE_FOLDED)
    ]


def is_not_on_scale(value: object) -> bool:
    """ "Don't know", "N/A", "Unfamiliar", ... (folded): a missing answer on a scale."""
    return fold(value) in _NOT_ON_SCALE_FOLDED


def likert_scale(values: Iterable[object]) -> LikertScale | None:
    """The scale whose labels hold every non-blank, on-scale answer in ``values`` (the
    smallest such variant), when at least three distinct labels occur; else None."""
    seen: set[str] = set()
    distinct = {str(v) for v in values if v is not None and not (isinstance(v, float) and v != v)}
    if len(distinct) > 60:  # more spellings than any scale has: not a scale (and cheap)
        return None
    for v in distinct:
        key = fold(v)
        if key and key not in _NOT_ON_SCALE_FOLDED:
            seen.add(key)
            if len(seen) > 7:
                return None
    for flag, folded in _FOLDED_FLAGS:
        if len(seen) == 2 and seen == folded:
            return LikertScale(flag, start=0)
    if len(seen) < MIN_LABELS or not seen <= _KNOWN_LABELS:
        return None
    best: Sequence[str] | None = None
    for variant, folded in _FOLDED_VARIANTS:
        if seen <= folded and (best is None or len(variant) < len(best)):
            best = variant
    return LikertScale(tuple(best)) if best is not None else None


RATING_LABEL_SHARE = 0.95  # a column kept as a rating: this share of answers must be labels


def rating_scale(values: Sequence[object]) -> LikertScale | None:
    """The verbal scale of a column kept as a rating: every answer a label of one scale
    (:func:`likert_scale`), or at least 95% of them, the few others (stray text such as
    "Kinda happy") read as no answer; the import counts and names them.

    >>> answers = ["Agree"] * 10 + ["Neutral"] * 5 + ["Disagree"] * 5 + ["Kinda"]
    >>> likert_scale(answers) is None, rating_scale(answers).labels[-1]
    (True, 'Strongly agree')
    >>> rating_scale(["Agree", "Neutral", "Disagree", "Kinda", "Sort of"]) is None
    True
    """
    strict = likert_scale(values)
    if strict is not None:
        return strict
    counts = Counter(v for v in values if v is not None and v == v)
    answers = Counter({v: n for v, n in counts.items() if fold(v) and not is_not_on_scale(v)})
    return mostly_labels_scale(answers, RATING_LABEL_SHARE)


def mostly_labels_scale(answers: Counter[Any], share: float) -> LikertScale | None:
    """The scale of ``answers`` (answer -> how often; blanks and "Don't know" left out)
    when at least ``share`` of them are labels of one known scale; else None."""
    labels = scale_answers(answers)
    if not answers or sum(answers[v] for v in labels) < share * answers.total():
        return None
    return likert_scale(labels)


_Q = "'"


def fold_sql(text_sql: str) -> str:
    """SQL twin of :func:`fold` (lower case, accents, apostrophes, punctuation, spaces)."""
    apostrophe = _Q * 4  # the SQL literal of one '
    s = f"lower(strip_accents(replace(replace({text_sql}, '’', {apostrophe}), '`', {apostrophe})))"
    for letter, plain in _LETTERS:
        s = f"replace({s}, '{letter}', '{plain}')"
    s = f"regexp_replace({s}, '\\s*/\\s*', '/', 'g')"
    s = f"regexp_replace({s}, '[^a-z0-9_{_Q * 2}/ ]+', ' ', 'g')"
    return f"trim(regexp_replace({s}, '\\s+', ' ', 'g'))"


def _literal(text: str) -> str:
    return _Q + text.replace(_Q, _Q * 2) + _Q


def rank_sql(text_sql: str, scale: LikertScale) -> str:
    """SQL: the rating 1..k of a text expression holding the scale's labels (NULL for a
    blank, a not-on-scale answer or an unknown label).

    >>> "WHEN 'yes' THEN 2 END" in rank_sql("x0", LikertScale(("No", "Yes")))
    True
    """
    whens = " ".join(f"WHEN {_literal(label)} THEN {rank}" for label, rank in scale.folded_ranks())
    return f"CASE {fold_sql(text_sql)} {whens} END"


def not_on_scale_sql(text_sql: str) -> str:
    """SQL: the text is a not-on-scale answer ("Don't know", "N/A", ...)."""
    tokens = ", ".join(_literal(t) for t in sorted(_NOT_ON_SCALE_FOLDED))
    return f"({fold_sql(text_sql)} IN ({tokens}))"


def store_scale_labels(
    cur: Any, import_id: int, scales: dict[str, LikertScale], attributes: Iterable[Any]
) -> None:
    """Record the labels of the scale columns of an import that loaded as ratings (the
    ``attributes``, :class:`~cem.analytics.attributes.AttributeColumn`, stored as numbers);
    read back by :func:`cem.analytics.attributes.scale_labels`."""
    numeric = {a.name for a in attributes if a.dtype == "numeric"}
    rows = [
        (int(import_id), name, float(rank), scale.display(rank))
        for name, scale in scales.items()
        if name in numeric
        for rank in scale.ranks
    ]
    if rows:
        cur.executemany("INSERT INTO attribute_scale_labels VALUES (?, ?, ?, ?)", rows)
