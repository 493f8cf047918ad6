"""What metrics and dimensions are called on screen, and the explorer's readable table.

Pure names and pandas: no engine, no query. Pages, exports and the CLI use these so a
metric reads the same everywhere.

>>> metric_label("nps"), dimension_label("attr:Class"), dimension_label("touchpoint")
('NPS', 'Class', 'Touchpoint')
"""

from __future__ import annotations

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
