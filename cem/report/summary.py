"""The numbers of the executive summary, gathered from the same analytics functions the
Overview page calls (:mod:`cem.analytics.overview`, :mod:`cem.analytics.kpi_frames`,
:mod:`cem.analytics.customer_kpis`): nothing is recomputed differently here.

Numbers the data does not support are left out (``None`` / absent), never shown as 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cem.analytics import catalogue, customer_kpis, kpi_frames, overview
from cem.analytics.engine import Engine
from cem.analytics.filters import Filters
from cem.analytics.overview import HEADLINE_METRICS, WINDOW_DAYS
from cem.format import format_kpi_value, format_margin

TREND_MONTHS = 12
RANKED_TOUCHPOINTS = 3


@dataclass(frozen=True)
class Headline:
    """One KPI tile: value, n, margin and the change vs the previous window in words."""

    metric: str
    label: str
    value_text: str
    n: int
    margin_text: str
    change_text: str
    low_confidence: bool


@dataclass
class Summary:
    """Everything the PDF shows; absent numbers are None or empty."""

    workspace: str
    filters_text: str
    window_text: str
    headlines: list[Headline] = field(default_factory=list)
    trends: dict[str, pd.DataFrame] = field(default_factory=dict)
    trend_window_text: str | None = None
    ranking: pd.DataFrame | None = None
    open_detractors: dict[str, Any] | None = None
    revenue_at_risk: dict[str, float] | None = None
    labels: dict[str, str] = field(default_factory=dict)


def change_text(snap: dict[str, Any], window_days: int) -> str:
    """'▲ 4 pts, within noise vs the previous 90 days', or why there is no comparison."""
    if snap["previous"] is None:
        return str(snap["words"])
    return f"{snap['words']} vs the previous {window_days} days ({snap['previous_window']})"


def headline(
    engine: Engine, workspace: str, metric: str, label: str, filters: Filters
) -> Headline | None:
    """The tile of one KPI, or None when it has no answers in the window."""
    snap = overview.kpi_snapshot(engine, workspace, metric, filters, WINDOW_DAYS)
    if not snap["n"] or math.isnan(float(snap["value"])):
        return None
    return Headline(
        metric=metric,
        label=label,
        value_text=format_kpi_value(metric, float(snap["value"])),
        n=int(snap["n"]),
        margin_text=format_margin(metric, snap["moe"]),
        change_text=change_text(snap, WINDOW_DAYS),
        low_confidence=bool(snap["low_confidence"]) and metric != "responses",
    )


def gather_summary(engine: Engine, workspace: str, filters: Filters | None = None) -> Summary:
    """The executive summary's numbers for ``workspace`` under ``filters``."""
    filters = filters or Filters()
    available = catalogue.available_metrics(engine, workspace)
    metrics = [(m, label) for m, label in HEADLINE_METRICS if m in available]
    window = "all responses"
    if metrics:
        window = overview.kpi_snapshot(engine, workspace, "responses", filters, WINDOW_DAYS)[
            "window"
        ]
    summary = Summary(
        workspace=workspace,
        filters_text=filters.describe(),
        window_text=window,
        labels=dict(metrics),
    )
    for metric, label in metrics:
        tile = headline(engine, workspace, metric, label, filters)
        if tile is not None:
            summary.headlines.append(tile)
    if not metrics:
        return summary
    trend_filters = overview.last_months_filters(engine, workspace, filters, TREND_MONTHS)
    if trend_filters is not None:
        summary.trend_window_text = trend_filters.describe().split(";")[0]
        for metric, _ in metrics:
            frame = kpi_frames.kpi_frame(
                engine, workspace, metric, period="month", filters=trend_filters
            )
            if not frame.empty and (frame.n > 0).any():
                summary.trends[metric] = frame
    if "nps" in available:
        ranking = overview.touchpoint_ranking(engine, workspace, filters, RANKED_TOUCHPOINTS)
        if not ranking["worst"].empty:
            summary.ranking = ranking["both"]
        summary.open_detractors = overview.open_detractors(engine, workspace, filters, 30)
        risk = customer_kpis.revenue_at_risk(engine, workspace, filters)
        total = risk["total_revenue"]
        if risk["customers_linked"] and total == total and total > 0:  # ids in both
            summary.revenue_at_risk = risk
    return summary


def generated_text(now: dt.datetime) -> str:
    """The generation time as printed on the report, in UTC."""
    return f"{now.astimezone(dt.UTC):%d %b %Y %H:%M} UTC"
