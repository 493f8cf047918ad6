"""Two-valued text answers read as a yes/no KPI: "% satisfied".

An export often carries its outcome as words: an airline survey's ``satisfaction`` column
holds "satisfied" or "neutral or dissatisfied". Such a text attribute with exactly two values,
one of which reads as the good one (:func:`guess_positive`), is a *flag*: its metric key is
``attr:<name>=<value>`` and it reads as the share of answers that are ``<value>``, with the
same Wilson band as a 0/1 answer (:func:`cem.analytics.kpis.yes_share_table`). Key drivers
offers the same flags as outcomes.

>>> guess_positive(["neutral or dissatisfied", "satisfied"]), flag_metric("satisfaction", "satisfied")
('satisfied', 'attr:satisfaction=satisfied')
>>> parse_flag_metric("attr:satisfaction=satisfied"), parse_flag_metric("attr:Wifi")
(('satisfaction', 'satisfied'), None)
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from cem.analytics.attributes import attribute_values
from cem.analytics.engine import Engine
from cem.analytics.filters import ATTRIBUTE_PREFIX

POSITIVE_WORDS = (
    "satisfied",
    "yes",
    "true",
    "1",
    "promoter",
    "happy",
    "positive",
    "good",
    "recommend",
    "loyal",
)


def guess_positive(values: Sequence[str]) -> str | None:
    """Which value of a two-valued flag means "satisfied" (None: neither reads so).

    >>> guess_positive(["No", "Yes"]), guess_positive(["red", "blue"])
    ('Yes', None)
    """
    for value in values:
        text = str(value).strip().lower()
        if text.startswith(("not", "un", "dis", "neutral", "no")):
            continue
        if any(text == w or text.startswith(w) for w in POSITIVE_WORDS):
            return str(value)
    return None


def flag_metric(name: str, positive: str) -> str:
    """The metric (and outcome) key of a flag."""
    return f"{ATTRIBUTE_PREFIX}{name}={positive}"


def parse_flag_metric(metric: str) -> tuple[str, str] | None:
    """(attribute name, value counted as yes) of a flag's key; None for other metrics."""
    if not metric.startswith(ATTRIBUTE_PREFIX) or "=" not in metric:
        return None
    name, positive = metric.removeprefix(ATTRIBUTE_PREFIX).split("=", 1)
    return name, positive


def flag_label(name: str, positive: str) -> str:
    """How a flag's KPI is called on screen: ``satisfaction: % “satisfied”``."""
    from cem.analytics.labels import metric_label

    return metric_label(flag_metric(name, positive))


def flag_attributes(engine: Engine, workspace: str) -> dict[str, str]:
    """Attribute name -> the value counted as yes, for every two-valued text attribute of
    the workspace's responses whose values read as an outcome (not e.g. Gender)."""
    from cem.analytics.catalogue import attribute_columns, dimension_values

    cols = attribute_columns(engine, workspace)
    if cols.empty:
        return {}
    names = cols[(cols.dtype == "text") & (cols.distinct_values == 2)].name.tolist()
    if not names:
        return {}
    values = dimension_values(engine, workspace)
    out: dict[str, str] = {}
    for name in names:
        options = values.get(ATTRIBUTE_PREFIX + name, [])
        positive = guess_positive(options) if len(options) == 2 else None
        if positive is not None:
            out[name] = positive
    return out


def flag_values(
    engine: Engine, workspace: str, name: str, positive: str, value: str = "rating"
) -> ir.Table:
    """A flag of responses as ``_row_id`` and ``value`` (1.0 when the answer is
    ``positive``, 0.0 for the other answer; unanswered rows are left out)."""
    flag = attribute_values(engine, workspace, "responses", name)
    flag = flag.filter(flag.text_value.notnull())
    return flag.select(
        _row_id=flag.row_id, **{value: (flag.text_value == positive).cast("float64")}
    )
