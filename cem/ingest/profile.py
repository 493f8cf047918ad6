"""Profiles of sample columns: what a column's values look like (numbers, whole numbers,
dates, yes/no, free text, codes, option lists), computed once per column for detection and
the data-health check.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from cem.ingest.dates import DateFormat, detect_date_format
from cem.ingest.sample import Sample
from cem.ingest.scales import LikertScale, is_not_on_scale, rating_scale
from cem.ingest.vocab import (
    _CODE,
    _DATE_HINT,
    _DURATION,
    _INDEX_NAMES,
    FALSE_WORDS,
    FREE_TEXT_MIN_LEN,
    MISSING_TOKENS,
    MONEY_WORDS,
    NOT_SCORE_WORDS,
    SCORE_RANGES,
    TRUE_WORDS,
)

MOSTLY_DIGITS = 0.4  # free text is words: values with more digits than this are not


@dataclass(frozen=True)
class _Profile:
    column: str
    norm: str
    n: int
    numeric: bool
    integer: bool
    vmin: float | None
    vmax: float | None
    distinct: int
    mean_len: float
    spaces: float
    boolean: bool
    sequential: bool
    date_format: DateFormat | None
    share_in_range: dict[str, float]
    bool_share: float
    rows: int = 0  # sample rows, blanks included
    words: float = 0.0  # mean words per value
    code_share: float = 0.0  # share of values that are codes (UUID, URL, version, id)
    max_in_range: dict[str, float] | None = None  # the largest in-range value per score
    options: bool = False  # values are picks from a short list (multi-select joined by , or ;)
    scale: LikertScale | None = None  # Likert labels (Strongly disagree ... Strongly agree)
    duration: bool = False  # h:mm:ss values (0:42:10): never a date
    stray: tuple[str, ...] = ()  # a scale column's answers that are not its labels ("Kinda")
    digit_share: float = 0.0  # share of the values' characters (spaces aside) that are digits
    top_share: float = 0.0  # share of the non-blank values that are its most common value

    @property
    def distinct_ratio(self) -> float:
        return self.distinct / self.n if self.n else 0.0

    @property
    def fill(self) -> float:
        return self.n / self.rows if self.rows else 0.0

    @property
    def free_text(self) -> bool:
        """Values read as people's words: long, several words, varied, not codes."""
        varied = self.distinct_ratio >= (0.5 if self.n >= 20 else 0.34)
        enough = self.n >= 8 or self.rows < 30
        return (
            enough
            and not self.options
            and self.scale is None
            and not self.numeric
            and self.date_format is None
            and self.mean_len >= FREE_TEXT_MIN_LEN
            and self.words >= 2.5
            and self.code_share < 0.3
            and self.digit_share < MOSTLY_DIGITS  # timestamps in a form no reader knows
            and varied
        )


def normalise_header(name: str) -> str:
    """Lower-case words of a header, accents removed: ``customerID`` -> ``customer id``.

    >>> normalise_header("MonthlyCharges")
    'monthly charges'
    >>> normalise_header("  NPS_SCORE ")
    'nps score'
    >>> normalise_header("Unnamed: 0")
    'unnamed 0'
    >>> normalise_header("¿Recomendaría nuestra tienda?")
    'recomendaria nuestra tienda'
    """
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[^\w#]+|_", " ", s).strip().lower()
    return re.sub(r"\s+", " ", s)


_CURRENCY = re.compile(r"^[£$€¥]\s*|\s*[£$€¥%]$")


def to_number(text: str) -> float | None:
    """A number written as text (``1,234.5``, ``£12``, ``7``), else None.

    >>> to_number("£1,200.50"), to_number("abc")
    (1200.5, None)
    """
    v = _CURRENCY.sub("", text.strip())
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", v):
        v = v.replace(",", "")
    try:
        return float(v)
    except ValueError:
        return None


_QUESTION = re.compile(
    r"(^|[:#] ?)(how|what|which|why|when|where|who|do|did|does|are|is|was|were|would|will|"
    r"have|has|could|should|please|rate|select|tell|describe|overall|to what|in your|"
    r"como|que|cual|por que|comment|quel|quelle|pourquoi|wie|was|welche|warum|hoe|wat|"
    r"hvordan|hvad|hvilke|qual|quais|come|quale|perche)\b"
)


def is_question_header(name: str) -> bool:
    """A header that is a survey question (so an answer to it is an answer of the row).

    >>> is_question_header("How often do you use it?"), is_question_header("Status")
    (True, False)
    >>> is_question_header("Industry #1:What industries does your role support")
    True
    """
    text = unicodedata.normalize("NFKD", str(name)).lower().replace("\xa0", " ").strip()
    text = re.sub(r"^[¿¡\s]+", "", text)
    return "?" in text or bool(_QUESTION.search(text))


def is_missing(v: object) -> bool:
    """A blank cell or a missing-value token (``NA``, ``N/A``, ``NULL``, ``-``, ...).

    >>> [is_missing(v) for v in (None, " ", "NA", "n/a", "—", "0", "none")]
    [True, True, True, True, True, False, False]
    """
    if v is None or (isinstance(v, float) and v != v):
        return True
    text = str(v).strip()
    return text == "" or text.lower() in MISSING_TOKENS


_blank = is_missing


def profile_column(column: str, values: Iterable[object]) -> _Profile:
    """Summarise a sample column's values (as text). Detection, the kind guess and the
    data-health check profile the same sample columns: each is profiled once (memoised on
    the header and the values)."""
    return _profile_values(str(column), tuple(values))


@functools.lru_cache(maxsize=512)
def _profile_values(column: str, raw: tuple[object, ...]) -> _Profile:
    # Samples repeat values (closed questions, scores): each distinct text is read once.
    blank = {v: is_missing(v) for v in set(raw)}
    vals = [str(v).strip() for v in raw if not blank[v]]
    distinct_raw = set(vals)
    scale = rating_scale(vals) if 2 <= len(distinct_raw) <= 40 else None
    stray: tuple[str, ...] = ()
    if scale is not None:  # "Don't know", "Unfamiliar": missing answers on a scale
        vals = [v for v in vals if not is_not_on_scale(v)]
        stray = tuple(sorted(v for v in set(vals) if scale.rank(v) is None))
    n = len(vals)
    number_of = {v: to_number(v) for v in set(vals)}
    parsed = [number_of[v] for v in vals]
    nums = [x for x in parsed if x is not None]
    numeric = n > 0 and len(nums) == n
    integer = numeric and all(x.is_integer() for x in nums)
    lower = {v.lower() for v in set(vals)}
    norm = normalise_header(column)
    sequential = False
    if integer and n >= 3:
        ints = [int(x) for x in nums]
        sequential = ints == list(range(ints[0], ints[0] + n)) and ints[0] in (0, 1)
    date_hint = bool(_DATE_HINT.search(norm))
    share: dict[str, float] = {}
    top: dict[str, float] = {}
    if n:
        for role, (lo, hi) in SCORE_RANGES.items():
            ok = [x for x in parsed if x is not None and x.is_integer() and lo <= x <= hi]
            share[role] = len(ok) / n
            top[role] = max(ok) if ok else 0.0
    counts = Counter(vals)
    durations = n > 0 and sum(c for v, c in counts.items() if _DURATION.match(v)) >= 0.8 * n
    parts_of = {
        v: [x.strip().lower() for x in re.split(r",\s|;\s?", v) if x.strip()] for v in counts
    }
    parts = sum(len(parts_of[v]) * c for v, c in counts.items())
    distinct_parts = len({x for p in parts_of.values() for x in p})
    options = (
        parts >= 10
        and parts > len(vals) * 1.2
        and distinct_parts <= min(0.5 * parts, max(12, 0.15 * parts))
    )
    flags = TRUE_WORDS | FALSE_WORDS
    return _Profile(
        column=column,
        norm=norm,
        n=n,
        numeric=numeric,
        integer=integer,
        vmin=min(nums) if numeric else None,
        vmax=max(nums) if numeric else None,
        distinct=len(counts),
        mean_len=(sum(len(v) * c for v, c in counts.items()) / n) if n else 0.0,
        spaces=(sum(c for v, c in counts.items() if " " in v) / n) if n else 0.0,
        boolean=n > 0 and lower <= flags and len(lower) <= 2,
        sequential=sequential,
        date_format=None
        if (numeric and not date_hint) or n == 0 or durations
        else detect_date_format(vals, allow_serial=date_hint),
        share_in_range=share,
        bool_share=(sum(c for v, c in counts.items() if v.lower() in flags) / n) if n else 0.0,
        rows=len(raw),
        words=(sum(len(v.split()) * c for v, c in counts.items()) / n) if n else 0.0,
        code_share=(
            (sum(c for v, c in counts.items() if " " not in v and _CODE.match(v)) / n) if n else 0.0
        ),
        max_in_range=top,
        top_share=(max(counts.values()) / n) if n else 0.0,
        options=options,
        scale=scale,
        duration=durations,
        stray=stray,
        digit_share=_digit_share(counts),
    )


def _digit_share(counts: Counter[str]) -> float:
    """The share of the characters (spaces aside) of ``counts``' values that are digits.

    >>> _digit_share(Counter({"Mon, 01 Jul 2024 10:00:00 GMT": 2})), _digit_share(Counter({"Late by 2 days": 3}))
    (0.5, 0.09090909090909091)
    """
    chars = sum(len(v.replace(" ", "")) * c for v, c in counts.items())
    digits = sum(sum(ch.isdigit() for ch in v) * c for v, c in counts.items())
    return digits / chars if chars else 0.0


def is_index_column(p: _Profile) -> bool:
    """A leftover row index: a blank/``Unnamed``/``index``/``number`` header counting 0.. or 1.."""
    return p.sequential and bool(_INDEX_NAMES.match(p.norm))


def _dtype(p: _Profile) -> str:
    if p.n == 0:
        return "empty"
    if p.date_format is not None and not p.numeric:
        return "date"
    return "numeric" if p.numeric else "text"


def is_rating_profile(p: _Profile) -> bool:
    """Whole numbers from 0/1 up to 4-10 with three or more values, not a count/id/year."""
    if p.scale is not None and p.scale.points >= 4:
        return True  # a verbal scale, read as the rating 1..k
    return bool(
        p.integer
        and p.vmin is not None
        and p.vmax is not None
        and p.vmin >= 0
        and 4 <= p.vmax <= 10
        and p.distinct >= 3
        and not p.sequential
        and not NOT_SCORE_WORDS.search(p.norm)
        and not MONEY_WORDS.search(p.norm)
    )


def profile_sample(sample: Sample) -> list[_Profile]:
    """One profile per column of a sample (values as text)."""
    return [profile_column(str(c), sample[c]) for c in sample.columns]
