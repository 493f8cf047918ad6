"""The evidence for a role: a column's header wording (:func:`name_score`), whether its
values fit the role (:func:`value_fit`), a role earned by values alone
(:func:`value_only_score`), and why a column stays an attribute (:func:`attribute_reason`).
"""

from __future__ import annotations

import re

from cem.analytics.attributes import CATALOGUE_MAX_VALUES
from cem.ingest.profile import _Profile, is_rating_profile
from cem.ingest.vocab import (
    _LITERAL_SCORE,
    _NAME_RULES,
    _NEGATIVE,
    _NOT_CUSTOMER,
    _OTHER_DATE,
    _REPLY,
    CSAT_WORDS,
    DATE_ROLES,
    MONEY_WORDS,
    NOT_SCORE_WORDS,
    SCORE_RANGES,
    SCORE_SHARE,
)

_TEXT_ROLES = frozenset(
    {"comment", "channel", "touchpoint", "stage", "segment", "persona", "customer_id"}
)


def name_score(role: str, norm: str) -> float:
    best = 0.0
    for pattern, score in _NAME_RULES.get(role, ()):
        if re.search(pattern, norm):
            best = max(best, score)
            break
    if best and _NEGATIVE.search(norm):
        best *= 0.4
    if role == "customer_id" and best and _NOT_CUSTOMER.search(norm):
        return 0.0
    money = bool(MONEY_WORDS.search(norm)) and not CSAT_WORDS.search(norm)
    if role in SCORE_RANGES and best and (NOT_SCORE_WORDS.search(norm) or money):
        # "number of visits", "agent interactions", "app version": never a score, unless
        # the header literally names the score (e.g. "NPS", "Net Promoter Score").
        if not re.search(r"\b(nps|net promoter|csat|ces)\b", norm):
            return 0.0
    if role in ("submitted_at", "occurred_at") and best and _OTHER_DATE.search(norm):
        best -= 0.3
    if best and _REPLY.search(norm) and role != "customer_id":
        return 0.0
    return best


# A yes/no question may have one or two further options ("No internet service").
YES_NO_OPTIONS = 4


def value_fit(role: str, p: _Profile, strong_name: bool = False) -> tuple[bool, str]:
    """(fits, reason) for the column's values against a role.

    A score column with a header naming it may hold some out-of-range values (they are
    rejected row by row); a column literally headed ``NPS``/``CSAT``/``CES`` keeps its role
    whatever share of its values is bad (header evidence outranks value ranges). A 1-based
    scale with zeros (0 = not applicable) is a rating attribute, not a CSAT/CES score; an
    NPS question must reach above 5 (a 1-5 "recommend" scale is a rating).
    """
    if p.n == 0:
        return False, "the sample is empty"
    if role in SCORE_RANGES:
        lo, hi = SCORE_RANGES[role]
        literal = bool(_LITERAL_SCORE.match(p.norm))
        share = p.share_in_range.get(role, 0.0)
        top = (p.max_in_range or {}).get(role, 0.0)
        if role == "nps" and top <= 5 and not literal:
            return False, "answers stay within 1-5: a rating, not a 0-10 recommend scale"
        if role == "ces" and top <= 5 and not literal:
            return False, "answers stay within 1-5: a rating, not the 1-7 effort scale"
        if p.integer and p.vmin is not None and p.vmax is not None and lo <= p.vmin <= p.vmax <= hi:
            return True, f"whole numbers {int(p.vmin)}-{int(p.vmax)}"
        zero_na = lo == 1 and p.vmin == 0
        if literal and share > 0:
            return True, f"{share:.0%} of the values are whole numbers {lo}-{hi} (others rejected)"
        if strong_name and share >= SCORE_SHARE and not zero_na:
            return True, f"{share:.0%} of the values are whole numbers {lo}-{hi} (others rejected)"
        return False, f"values are not whole numbers {lo}-{hi}"
    if p.scale is not None and role in _TEXT_ROLES:
        return False, "answers are the labels of a rating scale, not names or free text"
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
        if p.free_text:
            return True, f"free text (about {p.words:.0f} words, {p.distinct_ratio:.0%} distinct)"
        if (
            strong_name
            and not p.numeric
            and p.date_format is None
            and p.code_share < 0.5
            and p.mean_len >= 3
            and (p.n < 10 or p.distinct_ratio >= 0.34)
        ):
            return True, "text under a comment header"
        if p.code_share >= 0.3:
            return False, "values are codes (ids, links, versions), not free text"
        if p.n >= 10 and p.distinct_ratio < 0.5:
            return False, "few distinct answers: a closed question, not free text"
        return False, "values are not free text"
    if role in ("channel", "touchpoint", "stage", "segment", "persona"):
        if p.numeric or p.date_format is not None:
            return False, "values are numbers or dates, not names"
        if p.n >= 20 and p.distinct_ratio > 0.9:
            return False, "almost every value differs: not a small set of names"
        if p.distinct <= YES_NO_OPTIONS and p.bool_share >= 0.5:
            return False, "mostly yes/no answers: a closed question, not names"
        return True, f"{p.distinct} distinct names in the sample"
    if role == "customer_id":
        if p.free_text:
            return False, "values are sentences, not identifiers"
        return True, "identifiers"
    return True, ""


def value_only_score(role: str, p: _Profile) -> float:
    """Score for a role earned by values alone; 0 when the values don't say it.

    Scores are never earned by values alone (a 0-10 column without NPS wording is a rating
    attribute); only dates and free text are. A churn date is not either: any date of a
    customer list (HubSpot's "Last Activity Date") would make every customer churned.
    """
    if p.sequential or role == "churned_at":
        return 0.0
    if role in DATE_ROLES and p.date_format is not None:
        return 0.5 - (0.3 if _OTHER_DATE.search(p.norm) or _REPLY.search(p.norm) else 0.0)
    if role == "comment" and p.free_text and not _REPLY.search(p.norm):
        return 0.45 + 0.1 * p.fill + 0.05 * min(1.0, p.mean_len / 100)
    return 0.0


def attribute_reason(p: _Profile) -> str:
    if p.n == 0:
        return "empty in the sample; kept as an attribute"
    if p.scale is not None and p.scale.start == 0:
        return (
            f"answers are {p.scale.labels[1]}/{p.scale.labels[0]}: read as “% yes” (a KPI, an "
            "outcome for key drivers, a filter)"
        )
    if p.scale is not None:
        return (
            f"answers are {p.scale.labels[0]} … {p.scale.labels[-1]}: read as a rating "
            f"1-{p.scale.points} in that order (charts, key drivers and filters show the "
            "labels); “Don't know”/“N/A” count as no answer"
            + (
                f"; so do the few answers that are not labels ({', '.join(p.stray[:3])}"
                + (", …)" if len(p.stray) > 3 else ")")
                if p.stray
                else ""
            )
        )
    if p.numeric and is_rating_profile(p):
        lo, hi = int(p.vmin or 0), int(p.vmax or 0)
        word = "NPS/CSAT/CES" if lo >= 0 and hi <= 10 else "score"
        return (
            f"whole numbers {lo}-{hi} without {word} wording in the header: a rating "
            "attribute (driver, KPI, filter); choose NPS/CSAT/CES yourself if it is one"
        )
    if p.duration:
        return "durations (h:mm:ss), never dates or scores: text attribute"
    if p.numeric and (NOT_SCORE_WORDS.search(p.norm) or MONEY_WORDS.search(p.norm)):
        return "a count/amount/id (header words): numeric attribute, never a score"
    if p.numeric:
        return "numeric attribute (filter, driver)"
    if p.date_format is not None and not p.numeric:
        return "another date (not when the response/event happened): kept as an attribute"
    if _REPLY.search(p.norm) and not p.numeric:
        return "a reply by the company, not the customer's comment: text attribute"
    if p.code_share >= 0.3:
        return "codes (ids, links, versions): text attribute"
    if p.distinct > CATALOGUE_MAX_VALUES:
        return f"text attribute; over {CATALOGUE_MAX_VALUES} different values, so not a filter"
    return "text attribute (filter dimension)"


def attribute_kind(p: _Profile) -> str:
    """What a column without a role is kept as, in a few words for the page's role column:
    ``rating 1-5 (Strongly disagree … Strongly agree)``, ``yes/no (% yes)``, ``text (filter)``.
    """
    if p.n == 0:
        return "empty"
    if p.scale is not None and p.scale.start == 0:
        return "yes/no (read as % yes)"
    if p.scale is not None:
        return f"rating 1-{p.scale.points} ({p.scale.labels[0]} … {p.scale.labels[-1]})"
    if p.numeric and is_rating_profile(p):
        return f"rating {int(p.vmin or 0)}-{int(p.vmax or 0)}"
    if p.numeric and p.vmin == 0 and p.vmax == 1 and p.distinct == 2:
        return "yes/no (read as % yes)"
    if p.numeric:
        return "number"
    if p.duration:
        return "duration (text)"
    if p.date_format is not None:
        return "another date (not used for trends)"
    if p.distinct > CATALOGUE_MAX_VALUES:
        return "text (too many values to filter by)"
    return "text (filter)"
