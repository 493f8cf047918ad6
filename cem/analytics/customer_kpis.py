"""Customer KPIs on an engine: churn rate, cohort retention, CLV and revenue at risk.

The definitions are the pure Ibis expressions of :mod:`cem.analytics.retention`; this
module scopes them to a workspace and its filters, runs them on the
:class:`~cem.analytics.engine.Engine` and tidies the frame like
:func:`cem.analytics.kpi_frames.kpi_frame` does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics import retention
from cem.analytics.engine import Engine
from cem.analytics.filters import Filters, base_table, filtered_table
from cem.analytics.kpi_frames import ordered, tidy
from cem.analytics.labels import metric_label
from cem.errors import InputError

CUSTOMER_DIMENSIONS = ("segment", "persona")


def customer_filters(filters: Filters | None) -> Filters:
    """The part of ``filters`` a customer list has: its segment and persona (no dates)."""
    dims = (filters or Filters()).dimensions
    return Filters(dimensions=tuple((d, v) for d, v in dims if d in CUSTOMER_DIMENSIONS))


def customer_bounds(engine: Engine, workspace: str) -> tuple[Any, Any, bool]:
    """(first first-seen date, last date seen or churned, whether any churn date exists)."""
    c = base_table(engine, workspace, "customers")
    row = engine.to_pandas(
        c.aggregate(
            first=c.first_seen.min(),
            last_seen=c.first_seen.max(),
            last_churn=c.churned_at.max(),
            churn_dates=c.churned_at.count(),
        )
    ).iloc[0]
    first = None if pd.isna(row["first"]) else pd.Timestamp(row["first"])
    ends = [pd.Timestamp(v) for v in (row["last_seen"], row["last_churn"]) if not pd.isna(v)]
    last = max(ends) if ends else None
    return first, last, bool(int(row["churn_dates"] or 0))


def customer_kpi_frame(
    engine: Engine,
    workspace: str,
    metric: str,
    *,
    by: Sequence[str] = (),
    period: str = "month",
    filters: Filters | None = None,
    margin: float = 1.0,
) -> pd.DataFrame:
    """Churn rate, cohort retention or CLV of a workspace's customers (see
    :mod:`cem.analytics.retention`). Dimension filters apply; the date range limits the
    periods shown (churn) or the cohorts (retention)."""
    filters = filters or Filters()
    dims_only = Filters(dimensions=filters.dimensions)
    customers = filtered_table(engine, workspace, "customers", dims_only)
    for dim in by:
        if dim not in CUSTOMER_DIMENSIONS:
            raise InputError(f"Customers can be split by segment or persona, not '{dim}'")
    first, last, has_dates = customer_bounds(engine, workspace)
    if metric == "churn" and (not has_dates or first is None):
        return tidy(snapshot_churn(engine, customers, by), by)
    if first is None or last is None:
        raise InputError(
            "The customers of this workspace have no first-seen dates, so "
            f"{metric_label(metric).lower()} per period cannot be computed."
        )
    last_index = period_number(last, period)
    if metric == "churn":
        periods = retention.period_starts(first.date(), last.date(), period)
        periods = periods[1:]  # nobody is active at the start of the first period
        if filters.date_from:
            periods = periods[periods.end > pd.Timestamp(filters.date_from)]
        if filters.date_to:
            periods = periods[periods.start <= pd.Timestamp(filters.date_to)]
        expr = retention.churn_table(customers, ibis.memtable(periods), by)
        keys = ["period", *by]
    elif metric == "retention":
        if filters.date_from:
            customers = customers.filter(
                customers.first_seen
                >= ibis.timestamp(dt.datetime.combine(filters.date_from, dt.time.min))
            )
        if filters.date_to:
            customers = customers.filter(
                customers.first_seen
                < ibis.timestamp(
                    dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
                )
            )
        expr = retention.retention_table(customers, period, last_index, by)
        keys = ["cohort", *by, "periods_since"]
    else:
        expr = retention.clv_table(customers, period, last_index, by, margin=margin)
        keys = list(by)
    frame = engine.to_pandas(expr)
    if "cohort" in frame.columns:
        frame["cohort"] = pd.to_datetime(frame["cohort"])
    return ordered(frame, keys)


def snapshot_churn(engine: Engine, customers: ir.Table, by: Sequence[str]) -> pd.DataFrame:
    """Churned / all customers per group (tables without churn dates)."""
    frame = engine.to_pandas(retention.snapshot_churn_table(customers, by))
    return frame[list(by) + [c for c in frame.columns if c not in by]]


def period_number(ts: Any, period: str) -> int:
    """The running number of the week/month/quarter of ``ts`` (as
    :func:`cem.analytics.retention.period_index` computes it in the engine).

    >>> period_number("2025-03-15", "month") - period_number("2025-01-01", "month")
    2
    """
    stamp = pd.Timestamp(ts)
    if period == "month":
        return stamp.year * 12 + stamp.month - 1
    if period == "quarter":
        return stamp.year * 4 + (stamp.month - 1) // 3
    return int((stamp.normalize().value // 10**9 + 3 * 86400) // (7 * 86400))


def revenue_at_risk(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> dict[str, float]:
    """Revenue of customers whose latest NPS answer (within the filters) is a detractor.

    Returns ``revenue_at_risk``, ``customers_at_risk``, ``total_revenue`` and
    ``customers`` (with revenue); ``total_revenue`` is NaN when no customer has revenue.
    """
    filters = filters or Filters()
    responses = filtered_table(engine, workspace, "responses", filters)
    customers = filtered_table(engine, workspace, "customers", customer_filters(filters))
    row = engine.to_pandas(retention.revenue_at_risk_table(responses, customers)).iloc[0]
    return {k: float(row[k]) if not pd.isna(row[k]) else math.nan for k in row.index}


def customer_summary(
    engine: Engine, workspace: str, filters: Filters | None = None
) -> dict[str, float | int | None]:
    """The customer list at a glance: ``customers``, ``with_churn`` (customers whose churn
    flag is known), ``churned``, ``churn_share`` (% of those; None without any flag),
    ``revenue`` (sum; None when no customer has revenue). Segment/persona filters apply.
    """
    c = filtered_table(engine, workspace, "customers", customer_filters(filters))
    row = engine.to_pandas(
        c.aggregate(
            customers=c.count(),
            with_churn=c.churned.count(),
            churned=c.churned.fill_null(False).cast("int64").sum().coalesce(0),
            revenue=c.revenue.sum(),
        )
    ).iloc[0]
    known = int(row["with_churn"] or 0)
    churned = int(row["churned"] or 0)
    return {
        "customers": int(row["customers"] or 0),
        "with_churn": known,
        "churned": churned,
        "churn_share": 100.0 * churned / known if known else None,
        "revenue": None if pd.isna(row["revenue"]) else float(row["revenue"]),
    }
