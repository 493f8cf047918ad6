"""What metrics and dimensions are called on screen, and the explorer's readable table.

Pure names and pandas: no engine, no query. Pages, exports and the CLI use these so a
metric reads the same everywhere.

>>> metric_label("nps"), dimension_label("attr:Class"), dimension_label("touchpoint")
('NPS', 'Class', 'Touchpoint')
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cem.analytics.filters import ATTRIBUTE_PREFIX

NOT_SET = "(not set)"
SURVEY_METRICS: dict[str, str] = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "responses": "Responses",
    "comment_share": "Comment share",
}
CUSTOMER_METRICS: dict[str, str] = {"churn": "Churn rate", "retention": "Retention", "clv": "CLV"}
SCORE_COLUMN: dict[str, str] = {"nps": "nps", "csat": "csat", "ces": "ces"}


def dimension_label(dim: str) -> str:
    """How a dimension is called on screen: ``attr:Class`` -> ``Class``."""
    return (
        dim.removeprefix(ATTRIBUTE_PREFIX)
        if dim.startswith(ATTRIBUTE_PREFIX)
        else (dim.replace("_", " ").capitalize())
    )


def metric_label(metric: str) -> str:
    """How a metric is called on screen.

    >>> metric_label("attr:satisfaction=satisfied"), metric_label("attr:Wifi")
    ('satisfaction: % “satisfied”', 'Wifi')
    """
    if metric.startswith(ATTRIBUTE_PREFIX):
        name, sep, positive = metric.removeprefix(ATTRIBUTE_PREFIX).partition("=")
        return f"{name}: % “{positive}”" if sep else name
    return SURVEY_METRICS.get(metric) or CUSTOMER_METRICS.get(metric) or metric


def kpi_table(frame: pd.DataFrame, metric: str, dim: str | None = None) -> pd.DataFrame:
    """The explorer's table (and its CSV/XLSX export): the same numbers as the chart,
    with readable column names: period, group, value, n, ±MoE, low confidence, change vs
    the previous period and difference vs the rest (with significance in words)."""
    label = metric_label(metric)
    columns: dict[str, str] = {}
    if "period" in frame.columns:
        columns["period"] = "Period"
    if dim:  # a rating split by its own answers: the group column is named apart
        name = dimension_label(dim)
        columns[dim] = f"{name} (answer)" if name == label else name
    columns["value"] = label
    if metric != "responses":  # a count has no interval
        columns["moe"] = "± (95%)"
    columns.update({"n": "n", "low_confidence": "Low confidence (n<30)"})
    if "change_words" in frame.columns:
        columns["change_words"] = "vs previous period"
    if "vs_rest_words" in frame.columns:
        columns["vs_rest_words"] = "vs rest"
    for extra, name in (
        ("share_promoters", "Promoters %"),
        ("share_detractors", "Detractors %"),
        ("easy_share", "% easy (5-7)"),
        ("top2_share", "Top-2-box %"),
    ):
        if extra in frame.columns:
            columns[extra] = name
    table = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    if "Period" in table.columns:
        table["Period"] = pd.to_datetime(table["Period"]).dt.date
    for name in ("Promoters %", "Detractors %"):
        if name in table.columns:
            table[name] = (100 * table[name]).round(1)
    for name in ("% easy (5-7)", "Top-2-box %"):
        if name in table.columns:
            table[name] = table[name].astype("float64").round(1)
    if metric == "responses":
        table[label] = table[label].astype("int64")
    return table.reset_index(drop=True)


def as_shown(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """:func:`kpi_table`'s numbers as the screen writes them (NPS whole, other scores to one
    decimal, the margin to one): what the CSV/XLSX export holds.

    >>> t = kpi_table(pd.DataFrame({"value": [-58.1395], "moe": [15.6129], "n": [86],
    ...                             "low_confidence": [False]}), "nps")
    >>> as_shown(t, "nps").iloc[0, :2].tolist()
    [-58.0, 15.6]
    """
    shown = table.copy()
    label = metric_label(metric)
    if metric != "responses" and label in shown.columns:
        shown[label] = shown[label].astype("float64").round(0 if metric == "nps" else 1)
    if "± (95%)" in shown.columns:
        shown["± (95%)"] = shown["± (95%)"].astype("float64").round(1)
    return shown


def partial_period_note(
    period: str, partial: list[tuple[dt.date, dt.date, dt.date]], count: bool = False
) -> str | None:
    """The sentence under a trend whose first or last period holds only part of its days
    (see :func:`cem.analytics.kpis.partial_periods`); None when none does. ``count``: the
    trend is a count (it drops in a partial period), else a score (its band widens).

    >>> march = [(dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 14))]
    >>> print(partial_period_note("month", march, count=True))
    March 2024 (dates 1 Mar–14 Mar 2024) is partial: its count is lower than a whole month's.
    >>> print(partial_period_note("month", march))
    March 2024 (dates 1 Mar–14 Mar 2024) is partial: fewer answers than a whole month, a wider band.
    """
    if not partial:
        return None
    named = [
        f"{period_name(period, start)} (dates {a.day} {a:%b}–{b.day} {b:%b %Y})"
        for start, a, b in partial
    ]
    one = len(named) == 1
    what = " and ".join(named) + (" is partial: " if one else " are partial: ")
    if count:
        return (
            what + f"{'its count is' if one else 'their counts are'} lower than a whole {period}'s."
        )
    return (
        what + f"fewer answers than a whole {period}, {'a wider band' if one else 'wider bands'}."
    )


def period_name(period: str, start: dt.date) -> str:
    """How a period reads: ``March 2024``, ``Q1 2024``, ``2024``, ``the week of 12 Feb 2024``.

    >>> period_name("quarter", dt.date(2024, 4, 1)), period_name("week", dt.date(2024, 2, 12))
    ('Q2 2024', 'the week of 12 Feb 2024')
    """
    if period == "week":
        return f"the week of {start.day} {start:%b %Y}"
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if period == "year":
        return str(start.year)
    return f"{start:%B %Y}"
