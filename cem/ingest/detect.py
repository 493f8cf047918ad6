"""Role detection: which column of an upload is the NPS, the date, the customer id, ...

Each column gets a role (one of :data:`ROLES` for the kind of data), or stays an
*attribute* (kept as is: numeric attributes become ratings/drivers and filters, text
ones filter dimensions), or is *ignored* (a leftover row index). Every guess comes with
a confidence (0-1) and a one-line reason that the import page shows.

How a column earns a role (generic rules, no file-specific names):

1. Its **header**, normalised (``customerID`` -> ``customer id``, ``NPS_SCORE`` ->
   ``nps score``), is matched against English words and common variants for each role
   ("How likely are you to recommend ..." -> NPS, "Review Text" -> comment, "Created at"
   -> date, "TotalCharges" -> revenue, ...). Headers starting with ``next``/``prev`` (a
   pre-computed following row) are penalised.
2. Its **values** must fit the role: NPS whole numbers 0-10, CSAT 1-5, CES 1-7, dates in a
   recognisable format, churn flags yes/no/true/false/1/0, revenue numeric.
3. A role can be earned by values alone (no header hint) only when exactly one column fits:
   whole numbers 0-10 reaching 7 or more -> NPS, 1-5 -> CSAT, 1-7 reaching 6 -> CES, a single
   date column -> the date, a single long free-text column -> the comment.
4. Each role goes to its best-scoring column; each column takes at most one role.
5. Events need a touchpoint; when no column is named like one, the channel column is used
   for it too (a path across devices/channels is the journey), with a low confidence and a
   note; otherwise the user sets a constant (``--set touchpoint=purchase``).

A leftover index column (blank header, ``Unnamed: 0``, ``index``, ``number``, ``#``, ``row``,
with values counting 0,1,2,... or 1,2,3,...) is ignored.

>>> import pandas as pd
>>> df = pd.DataFrame({"Date": ["01/02/2024"], "How likely are you to recommend us?": ["9"]})
>>> guesses = detect_roles(df, "responses")
>>> [(g.column, g.role) for g in guesses]
[('Date', 'submitted_at'), ('How likely are you to recommend us?', 'nps')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from cem.ingest.dates import DateFormat, detect_date_format

ROLES: dict[str, tuple[str, ...]] = {
    "responses": (
        "customer_id",
        "submitted_at",
        "nps",
        "csat",
        "ces",
        "comment",
        "channel",
        "touchpoint",
        "stage",
        "segment",
        "persona",
    ),
    "events": ("customer_id", "occurred_at", "touchpoint", "channel", "stage"),
    "customers": (
        "customer_id",
        "segment",
        "persona",
        "first_seen",
        "churned",
        "churned_at",
        "revenue",
    ),
}
KIND_HELP: dict[str, str] = {
    "responses": "survey answers or reviews: one row per response (NPS, CSAT, CES, comment, "
    "ratings).",
    "events": "a touchpoint log: one row per thing a customer did (customer, time, touchpoint).",
    "customers": "a customer list: one row per customer (segment, first seen, churn, revenue).",
}
ROLE_LABELS: dict[str, str] = {
    "customer_id": "customer id",
    "submitted_at": "date of the response",
    "occurred_at": "time of the event",
    "nps": "NPS (0-10)",
    "csat": "CSAT (1-5)",
    "ces": "CES (1-7)",
    "comment": "comment",
    "channel": "channel",
    "touchpoint": "touchpoint",
    "stage": "journey stage",
    "segment": "segment",
    "persona": "persona",
    "first_seen": "first seen / sign-up date",
    "churned": "churn flag",
    "churned_at": "churn date",
    "revenue": "revenue",
}
DATE_ROLES = frozenset({"submitted_at", "occurred_at", "first_seen", "churned_at"})
SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SCORE_SHARE = 0.6  # a score column named like one: this share of values must be in range
ATTRIBUTE = "attribute"
IGNORE = "ignore"

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "churned", "churn", "lost", "left"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "active", "retained", "stayed"})
_ID_SUBJECTS = (
    "customer|client|user|visitor|member|account|cust|respondent|passenger|buyer|shopper|"
    "guest|patient|subscriber|contact|person|consumer|household"
)

# (role, regex over the normalised header, score). The first matching pattern per role counts.
_NAME_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    "customer_id": (
        (rf"\b({_ID_SUBJECTS}) ?(id|no|number|key|code|ref)\b", 1.0),
        (rf"\b(id|no) ({_ID_SUBJECTS})\b", 1.0),
        (r"^(customer|client|user|visitor|member|account|email|e mail)$", 0.7),
        (r"^(id|uid|guid)$", 0.55),
    ),
    "nps": (
        (r"\b(nps|net promoter|recommend|likelihood to recommend|ltr)\b", 1.0),
        (r"\bpromoter score\b", 1.0),
    ),
    "csat": (
        (r"\b(csat|customer satisfaction|satisfaction score|satisfaction rating)\b", 1.0),
        (r"^(overall )?(rating|stars|star rating|score|satisfaction|overall)$", 0.75),
        (r"\b(how satisfied|satisfied with)\b", 0.9),
    ),
    "ces": (
        (r"\b(ces|customer effort|effort score|effort)\b", 1.0),
        (r"\b(how easy|ease of)\b", 0.6),
    ),
    "comment": (
        (
            r"\b(comments?|feedback|verbatims?|review text|review|reviews|free text|open text|"
            r"remarks?|reason|why|what could we|tell us|suggestions?|complaint|text|message|"
            r"body|notes?|answer text|opinion)\b",
            0.9,
        ),
    ),
    "channel": (
        (r"\b(channel|medium|source channel|device|platform|app|via|device app)\b", 0.9),
        (r"^(source|origin)$", 0.6),
    ),
    "touchpoint": (
        (r"\b(touch ?points?|interaction|event( type| name)?|action|activity|page)\b", 0.9),
        (r"\b(survey (sub )?type|survey name|trigger|sub type)\b", 0.75),
    ),
    "stage": ((r"\b(journey stage|stage|phase|lifecycle|funnel step|step)\b", 0.9),),
    "segment": ((r"\b(segment|customer type|customer segment|tier|plan|cohort group)\b", 0.9),),
    "persona": ((r"\bpersonas?\b", 1.0),),
    "submitted_at": (
        (
            r"\b(response date|survey date|submitted( at| on| date)?|submission( date)?|"
            r"completed( at| on| date)?|created( at| on| date)?|responded( at| on)?|"
            r"date submitted|date completed|recorded( at)?)\b",
            1.0,
        ),
        (r"\b(date|datetime|timestamp|time stamp|ts|time|when|day)\b", 0.85),
    ),
    "occurred_at": (
        (r"\b(event (date|time)|occurred( at| on)?|timestamp|time stamp|datetime)\b", 1.0),
        (r"\b(ts|date|time|created( at| on)?|when|day|ds)\b", 0.85),
    ),
    "first_seen": (
        (
            r"\b(first seen|sign ?up( date)?|signed up|joined( at| on)?|join date|"
            r"registration( date)?|registered( at| on)?|customer since|member since|"
            r"first purchase|acquired( at| on)?|acquisition date|start date|created( at| on)?)\b",
            1.0,
        ),
        (r"^(date|since)$", 0.5),
    ),
    "churned": (
        (r"\b(churn|churned|is churned|attrition|attrited|exited|cancelled|canceled)\b", 1.0),
        (r"\b(left|lost)\b", 0.6),
    ),
    "churned_at": (
        (
            r"\b(churn(ed)? (date|at|on)|cancell?ed (at|on|date)|cancellation date|"
            r"end date|left (at|on)|lost (at|on))\b",
            1.0,
        ),
    ),
    "revenue": (
        (
            r"\b(total (charges|revenue|spend|spent|sales|amount|value)|lifetime value|clv|ltv|"
            r"revenue to date|total)\b",
            1.0,
        ),
        (r"\b(revenue|sales|spend|spent|amount|charges|value|monetary|arpu|price)\b", 0.8),
    ),
}
_NEGATIVE = re.compile(r"^(next|prev|previous|last|prior) ")
_INDEX_NAMES = re.compile(r"^(|unnamed( \d+)?|index|idx|number|no|#|row|row number|row id)$")
_TIME_HINT = re.compile(r"\b(start|min|begin|first|from)\b")
_END_HINT = re.compile(r"\b(end|max|until|to|stop)\b")


@dataclass(frozen=True)
class ColumnGuess:
    """What detection thinks one column is."""

    column: str
    role: str  # a role name, ATTRIBUTE or IGNORE
    confidence: float
    why: str
    dtype: str  # 'numeric' | 'text' | 'date' | 'empty'
    date_format: DateFormat | None = None


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


def normalise_header(name: str) -> str:
    """Lower-case words of a header: ``customerID`` -> ``customer id``.

    >>> normalise_header("MonthlyCharges")
    'monthly charges'
    >>> normalise_header("  NPS_SCORE ")
    'nps score'
    >>> normalise_header("Unnamed: 0")
    'unnamed 0'
    """
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    s = re.sub(r"[^0-9a-zA-Z#]+", " ", s).strip().lower()
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


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


def profile_column(column: str, values: pd.Series) -> _Profile:
    """Summarise a sample column's values (as text)."""
    vals = [str(v).strip() for v in values.tolist() if not _blank(v)]
    n = len(vals)
    nums: list[float] = []
    for v in vals:
        x = to_number(v)
        if x is None:
            break
        nums.append(x)
    numeric = n > 0 and len(nums) == n
    integer = numeric and all(x.is_integer() for x in nums)
    lower = {v.lower() for v in vals}
    norm = normalise_header(column)
    sequential = False
    if integer and n >= 3:
        ints = [int(x) for x in nums]
        sequential = ints == list(range(ints[0], ints[0] + n)) and ints[0] in (0, 1)
    date_hint = bool(
        re.search(r"\b(date|time|ts|ds|day|since|at|on|when|seen|timestamp|dt)\b", norm)
    )
    share: dict[str, float] = {}
    if n:
        for role, (lo, hi) in SCORE_RANGES.items():
            ok = 0
            for v in vals:
                try:
                    x = float(v)
                except ValueError:
                    continue
                ok += x.is_integer() and lo <= x <= hi
            share[role] = ok / n
    return _Profile(
        column=column,
        norm=norm,
        n=n,
        numeric=numeric,
        integer=integer,
        vmin=min(nums) if numeric else None,
        vmax=max(nums) if numeric else None,
        distinct=len(set(vals)),
        mean_len=(sum(len(v) for v in vals) / n) if n else 0.0,
        spaces=(sum(1 for v in vals if " " in v) / n) if n else 0.0,
        boolean=n > 0 and lower <= (TRUE_WORDS | FALSE_WORDS) and len(lower) <= 2,
        sequential=sequential,
        date_format=None
        if (numeric and not date_hint) or n == 0
        else detect_date_format(vals, allow_serial=date_hint),
        share_in_range=share,
        bool_share=(sum(1 for v in vals if v.lower() in TRUE_WORDS | FALSE_WORDS) / n)
        if n
        else 0.0,
    )


def _name_score(role: str, norm: str) -> float:
    best = 0.0
    for pattern, score in _NAME_RULES.get(role, ()):
        if re.search(pattern, norm):
            best = max(best, score)
            break
    if best and _NEGATIVE.search(norm):
        best *= 0.4
    return best


def _value_fit(role: str, p: _Profile, strong_name: bool = False) -> tuple[bool, str]:
    """(fits, reason) for the column's values against a role.

    A score column with a strong header hint may hold some out-of-range values (they are
    rejected row by row), but not zeros on a 1-based scale: 0 there means "not applicable",
    which makes the column a rating attribute, not a CSAT/CES score.
    """
    if p.n == 0:
        return False, "the sample is empty"
    if role in SCORE_RANGES:
        lo, hi = SCORE_RANGES[role]
        if p.integer and p.vmin is not None and p.vmax is not None and lo <= p.vmin <= p.vmax <= hi:
            return True, f"whole numbers {int(p.vmin)}-{int(p.vmax)}"
        share = p.share_in_range.get(role, 0.0)
        zero_na = lo == 1 and p.vmin == 0
        if strong_name and share >= SCORE_SHARE and not zero_na:
            return True, f"{share:.0%} of the values are whole numbers {lo}-{hi} (others rejected)"
        return False, f"values are not whole numbers {lo}-{hi}"
    if role in DATE_ROLES:
        if p.date_format is not None:
            return True, f"dates like {p.date_format.label}"
        return False, "values are not dates"
    if role == "churned":
        if p.boolean:
            return True, "yes/no values"
        if strong_name and p.bool_share >= SCORE_SHARE:
            return True, f"{p.bool_share:.0%} yes/no values (others rejected)"
        return False, "values are not yes/no"
    if role == "revenue":
        if p.numeric:
            return True, "numbers"
        return False, "values are not numbers"
    if role == "comment":
        if not p.numeric and p.mean_len >= 4:
            return True, "free text"
        return False, "values are not free text"
    if role in ("channel", "touchpoint", "stage", "segment", "persona"):
        if p.numeric or p.date_format is not None:
            return False, "values are numbers or dates, not names"
        return True, f"{p.distinct} distinct names in the sample"
    if role == "customer_id":
        return True, "identifiers"
    return True, ""


def _value_only_score(role: str, p: _Profile) -> float:
    """Score for a role earned by values alone (rule 3); 0 when the values don't say it."""
    if p.sequential:
        return 0.0
    if role == "nps":
        if p.integer and p.vmin is not None and p.vmax is not None:
            if p.vmin >= 0 and 7 <= p.vmax <= 10 and p.distinct >= 4:
                return 0.5
    if role == "csat":
        if p.integer and p.vmin is not None and p.vmax is not None:
            if p.vmin >= 1 and 4 <= p.vmax <= 5 and p.distinct >= 3:
                return 0.45
    if role == "ces":
        if p.integer and p.vmin is not None and p.vmax is not None:
            if p.vmin >= 1 and 6 <= p.vmax <= 7 and p.distinct >= 4:
                return 0.4
    if role in DATE_ROLES and p.date_format is not None:
        return 0.5
    if role == "comment":
        if not p.numeric and p.mean_len >= 25 and p.spaces >= 0.6 and p.distinct >= 0.5 * p.n:
            return 0.5
    if role == "churned" and p.boolean and not p.integer:
        return 0.0
    return 0.0


def is_index_column(p: _Profile) -> bool:
    """A leftover row index: a blank/``Unnamed``/``index``/``number`` header counting 0.. or 1.."""
    return p.sequential and bool(_INDEX_NAMES.match(p.norm))


def detect_roles(sample: pd.DataFrame, kind: str) -> list[ColumnGuess]:
    """Guess the role of every column of ``sample`` (values as text) for ``kind``.

    Returns one :class:`ColumnGuess` per column, in the file's order.
    """
    if kind not in ROLES:
        raise ValueError(f"unknown kind {kind!r}")
    roles = ROLES[kind]
    profiles = [profile_column(str(c), sample[c]) for c in sample.columns]

    candidates: list[tuple[float, str, int, str]] = []  # (score, role, column index, why)
    value_only: dict[str, list[tuple[float, int, str]]] = {}
    for i, p in enumerate(profiles):
        if is_index_column(p):
            continue
        for role in roles:
            name = _name_score(role, p.norm)
            fits, reason = _value_fit(role, p, strong_name=name >= 0.9)
            if name > 0 and fits:
                score = name
                if role in DATE_ROLES:
                    # Prefer full timestamps, start times over end times.
                    if p.date_format is not None and "hh" in p.date_format.label:
                        score += 0.04
                    if (
                        p.date_format is not None
                        and p.date_format.kind == "iso"
                        and any(":" in str(x) for x in sample[p.column].head(50).tolist())
                    ):
                        score += 0.04
                    if _TIME_HINT.search(p.norm):
                        score += 0.02
                    if _END_HINT.search(p.norm):
                        score -= 0.05
                if role == "revenue" and re.search(r"\b(monthly|month|avg|average)\b", p.norm):
                    score -= 0.2
                why = f"header “{p.column}” suggests {ROLE_LABELS[role]}"
                if reason:
                    why += f"; {reason}"
                candidates.append((score, role, i, why))
            else:
                vs = _value_only_score(role, p)
                if vs > 0:
                    value_only.setdefault(role, []).append(
                        (vs, i, f"values fit {ROLE_LABELS[role]} ({reason})")
                    )
    for role, cands in value_only.items():
        if len(cands) == 1:
            score, i, why = cands[0]
            candidates.append((score, role, i, why))

    candidates.sort(key=lambda c: (-c[0], c[2]))
    taken_roles: dict[str, int] = {}
    taken_cols: dict[int, tuple[str, float, str]] = {}
    for score, role, i, why in candidates:
        if role in taken_roles or i in taken_cols:
            continue
        taken_roles[role] = i
        taken_cols[i] = (role, min(score, 1.0), why)

    guesses: list[ColumnGuess] = []
    for i, p in enumerate(profiles):
        dtype = (
            "empty"
            if p.n == 0
            else "date"
            if p.date_format is not None and not p.numeric
            else "numeric"
            if p.numeric
            else "text"
        )
        if is_index_column(p):
            guesses.append(
                ColumnGuess(p.column, IGNORE, 0.9, "a leftover row index (0, 1, 2, ...)", dtype)
            )
        elif i in taken_cols:
            role, conf, why = taken_cols[i]
            guesses.append(
                ColumnGuess(
                    p.column,
                    role,
                    round(conf, 2),
                    why,
                    dtype,
                    p.date_format if role in DATE_ROLES else None,
                )
            )
        else:
            what = (
                "numeric attribute (rating/driver, filter)"
                if p.numeric
                else "empty in the sample; kept as an attribute"
                if p.n == 0
                else "text attribute (filter dimension)"
            )
            guesses.append(ColumnGuess(p.column, ATTRIBUTE, 0.0, f"no role fits: {what}", dtype))
    return guesses


def fallback_touchpoint(guesses: list[ColumnGuess]) -> ColumnGuess | None:
    """For events without a touchpoint column: the channel column (rule 5), if any."""
    if any(g.role == "touchpoint" for g in guesses):
        return None
    for g in guesses:
        if g.role == "channel":
            return g
    return None
