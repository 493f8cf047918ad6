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

>>> sample = Sample.from_rows(["Date", "How likely are you to recommend us?"], [["01/02/2024", "9"]])
>>> guesses = detect_roles(sample, "responses")
>>> [(g.column, g.role) for g in guesses]
[('Date', 'submitted_at'), ('How likely are you to recommend us?', 'nps')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cem.ingest.dates import DateFormat
from cem.ingest.profile import (
    _dtype,
    _Profile,
    is_index_column,
    is_missing,
    is_question_header,
    is_rating_profile,
    normalise_header,
    profile_column,
    profile_sample,
    to_number,
)
from cem.ingest.sample import Sample
from cem.ingest.scoring import (
    attribute_kind,
    attribute_reason,
    name_score,
    value_fit,
    value_only_score,
)
from cem.ingest.verbal_scores import column_scale
from cem.ingest.vocab import (
    _END_HINT,
    _EVENT_TOUCHPOINT,
    _TIME_HINT,
    ATTRIBUTE,
    COMMENT_FIELD,
    CSAT_WORDS,
    DATE_ROLES,
    FALSE_WORDS,
    IGNORE,
    KIND_HELP,
    LOW_CONFIDENCE,
    MISSING_TOKENS,
    MONEY_WORDS,
    NOT_SCORE_WORDS,
    NPS_WORDS,
    ROLE_LABELS,
    ROLES,
    SCORE_RANGES,
    TRUE_WORDS,
)

__all__ = [
    "ATTRIBUTE",
    "COMMENT_FIELD",
    "CSAT_WORDS",
    "DATE_ROLES",
    "FALSE_WORDS",
    "IGNORE",
    "KIND_HELP",
    "LOW_CONFIDENCE",
    "MISSING_TOKENS",
    "MONEY_WORDS",
    "NOT_SCORE_WORDS",
    "NPS_WORDS",
    "ROLE_LABELS",
    "ROLES",
    "SCORE_RANGES",
    "TRUE_WORDS",
    "ColumnGuess",
    "KindGuess",
    "detect_kind",
    "detect_roles",
    "fallback_touchpoint",
    "is_index_column",
    "is_missing",
    "is_question_header",
    "is_rating_profile",
    "normalise_header",
    "profile_column",
    "profile_sample",
    "to_number",
]


PLACEHOLDER_SHARE = 0.2  # a survey's "customer id" whose one value is on this share of rows


@dataclass(frozen=True)
class ColumnGuess:
    """What detection thinks one column is."""

    column: str
    role: str  # a role name, COMMENT_FIELD, ATTRIBUTE or IGNORE
    confidence: float
    why: str
    dtype: str  # 'numeric' | 'text' | 'date' | 'empty'
    date_format: DateFormat | None = None
    kept_as: str = ""  # for an attribute: "rating 1-5 (…)", "yes/no (read as % yes)", ...

    @property
    def please_check(self) -> bool:
        """A role guessed with low confidence: the page asks the user to check it (not a
        further free-text field: it changes no number, it is only searchable)."""
        return (
            self.role not in (ATTRIBUTE, IGNORE, COMMENT_FIELD) and self.confidence < LOW_CONFIDENCE
        )


def detect_roles(
    sample: Sample, kind: str, profiles: list[_Profile] | None = None
) -> list[ColumnGuess]:
    """Guess the role of every column of ``sample`` (values as text) for ``kind``.

    Returns one :class:`ColumnGuess` per column, in the file's order. Further free-text
    columns (after the primary comment) get :data:`COMMENT_FIELD`: they are stored as text
    attributes and indexed for search with the comment.
    """
    if kind not in ROLES:
        raise ValueError(f"unknown kind {kind!r}")
    roles = ROLES[kind]
    profiles = profiles if profiles is not None else profile_sample(sample)

    candidates: list[tuple[float, str, int, str]] = []  # (score, role, column index, why)
    value_only: dict[str, list[tuple[float, int, str]]] = {}
    for i, p in enumerate(profiles):
        if is_index_column(p):
            continue
        for role in roles:
            name = name_score(role, p.norm)
            if (
                role == "touchpoint"
                and kind == "events"
                and not name
                and _EVENT_TOUCHPOINT.search(p.norm)
            ):
                name = 0.6
            fits, reason = value_fit(role, p, strong_name=name >= 0.9)
            if name > 0 and fits:
                score = name
                if role in DATE_ROLES:
                    # Prefer full timestamps, start times over end times.
                    if p.date_format is not None and (
                        "hh" in p.date_format.label or p.date_format.kind == "epoch"
                    ):
                        score += 0.04
                    if (
                        p.date_format is not None
                        and p.date_format.kind in ("iso", "iso_utc")
                        and any(":" in str(x) for x in list(sample[p.column])[:50])
                    ):
                        score += 0.04
                    if _TIME_HINT.search(p.norm):
                        score += 0.02
                    if _END_HINT.search(p.norm):
                        score -= 0.05
                if role == "revenue" and re.search(r"\b(monthly|month|avg|average)\b", p.norm):
                    score -= 0.2
                if role == "comment":
                    score += 0.05 * p.fill + 0.04 * min(1.0, p.mean_len / 100)
                if role == "customer_id" and (
                    (p.n >= 20 and p.distinct <= 2)  # a placeholder ("anonymous"), not an id
                    or (p.sequential and kind != "customers")  # 1, 2, 3 … numbers the rows
                    # One "customer" behind a fifth of the answers ("A Google user"): a
                    # placeholder for whoever did not sign in, not one person.
                    or (kind == "responses" and p.n >= 20 and p.top_share >= PLACEHOLDER_SHARE)
                ):
                    continue
                why = f"header “{p.column}” suggests {ROLE_LABELS[role]}"
                if reason:
                    why += f"; {reason}"
                candidates.append((score, role, i, why))
            else:
                vs = value_only_score(role, p)
                if vs > 0:
                    value_only.setdefault(role, []).append(
                        (vs, i, f"values fit {ROLE_LABELS[role]} ({reason})")
                    )
    for role, cands in value_only.items():
        if role == "comment" or len(cands) == 1:
            candidates.extend((score, role, i, why) for score, i, why in cands)
        else:  # several date columns and none named like one: ask
            for score, i, why in cands:
                candidates.append((score - 0.2, role, i, why + "; one of several, please check"))

    candidates.sort(key=lambda c: (-c[0], c[2]))
    taken_roles: dict[str, int] = {}
    taken_cols: dict[int, tuple[str, float, str]] = {}
    for score, role, i, why in candidates:
        if i in taken_cols:
            continue
        if role in taken_roles:
            if role == "comment" and profiles[i].free_text:
                primary = profiles[taken_roles[role]].column
                taken_cols[i] = (
                    COMMENT_FIELD,
                    min(score, 1.0),
                    f"free text too: kept as a further comment field (searchable); "
                    f"“{primary}” is the main comment",
                )
            continue
        if role in SCORE_RANGES and score < LOW_CONFIDENCE:
            continue  # no score is guessed below the threshold
        taken_roles[role] = i
        taken_cols[i] = (role, min(score, 1.0), why)

    guesses: list[ColumnGuess] = []
    for i, p in enumerate(profiles):
        dtype = _dtype(p)
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
            guesses.append(
                ColumnGuess(
                    p.column,
                    ATTRIBUTE,
                    0.0,
                    attribute_reason(p),
                    dtype,
                    kept_as=attribute_kind(p),
                )
            )
    return guesses


def fallback_touchpoint(guesses: list[ColumnGuess]) -> ColumnGuess | None:
    """For events without a touchpoint column: the channel column (rule 5), if any."""
    if any(g.role == "touchpoint" for g in guesses):
        return None
    for g in guesses:
        if g.role == "channel":
            return g
    return None


@dataclass(frozen=True)
class KindGuess:
    """The detected kind of a file, how sure, and why (in words for the page and CLI)."""

    kind: str
    confidence: float
    reason: str


def detect_kind(sample: Sample) -> KindGuess:
    """Responses, events or customers, from the columns' roles and the ids' repetition.

    - a column asking for NPS/CSAT/CES -> responses;
    - a unique id per row with churn, revenue or a sign-up date -> customers;
    - the same id on several rows with a time -> events (a touchpoint log);
    - a survey question answered on a verbal scale -> responses;
    - free text or ratings -> responses; a unique id per row -> customers.
    """
    profiles = profile_sample(sample)
    guesses = {k: detect_roles(sample, k, profiles) for k in ROLES}
    by_kind = {k: {g.role: g.column for g in gs} for k, gs in guesses.items()}
    resp, events, cust = by_kind["responses"], by_kind["events"], by_kind["customers"]
    scores = [r for r in ("nps", "csat", "ces") if r in resp]
    if scores:
        col = resp[scores[0]]
        article = "an" if scores[0] == "nps" else "a"  # "an NPS", "a CSAT", "a CES"
        return KindGuess("responses", 0.95, f"“{col}” asks for {article} {scores[0].upper()} score")

    def id_repeats(column: str | None) -> float | None:
        if column is None:
            return None
        vals = [v for v in sample[column] if not is_missing(v)]
        return (len(vals) / len(set(vals))) if vals else None

    named_comment = next(
        (g for g in guesses["responses"] if g.role == "comment" and g.confidence >= 0.9),
        None,
    )
    if named_comment is not None:
        return KindGuess("responses", 0.85, f"“{named_comment.column}” holds customers' own words")
    asked = next(
        (
            c
            for c in sample.columns
            if is_question_header(str(c)) and column_scale(list(sample[c])) is not None
        ),
        None,
    )
    if asked is not None:
        return KindGuess("responses", 0.8, f"“{asked}” is a survey question answered on a scale")
    cid = cust.get("customer_id")
    repeats = id_repeats(cid)
    sure = {g.role for g in guesses["customers"] if g.confidence >= LOW_CONFIDENCE}
    customer_facts = [r for r in ("churned", "revenue", "first_seen") if r in sure]
    if repeats is not None and repeats <= 1.02 and customer_facts:
        return KindGuess(
            "customers",
            0.85,
            f"one row per “{cid}” with {', '.join(ROLE_LABELS[r] for r in customer_facts)}",
        )
    eid = events.get("customer_id")
    erepeats = id_repeats(eid)
    if erepeats is not None and erepeats > 1.1 and "occurred_at" in events:
        return KindGuess(
            "events",
            0.8,
            f"the same “{eid}” appears on several rows, each with a time "
            f"(“{events['occurred_at']}”): a log of what customers did",
        )
    ratings = [p.column for p in profiles if (p.numeric or p.scale) and is_rating_profile(p)]
    if "comment" in resp:
        return KindGuess("responses", 0.8, f"“{resp['comment']}” holds customers' own words")
    if ratings:
        return KindGuess(
            "responses", 0.7, f"{len(ratings)} rating column(s) such as “{ratings[0]}”"
        )
    if repeats is not None and repeats <= 1.02:
        return KindGuess("customers", 0.6, f"one row per “{cid}”: a customer list")
    if erepeats is not None and "occurred_at" in events:
        return KindGuess("events", 0.5, f"ids in “{eid}” with times: please check")
    return KindGuess(
        "responses",
        0.3,
        "no score, comment, rating or customer id recognised: please check the kind",
    )
