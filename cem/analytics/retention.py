"""Customer KPIs as pure Ibis expressions: churn rate, cohort retention, CLV and revenue
at risk (DESIGN.md "KPI definitions").

- Churn rate per period = customers lost in the period / customers active at its start
  (active: first seen before the period starts and not churned before it). A snapshot
  without churn dates (e.g. the Telco file: a churn flag only) gives churned / all
  customers per group instead (``period`` is then absent).
- Retention by cohort: of the customers first seen in a period (the cohort), the share
  still active at the start of the period ``periods_since`` later (0 is always 100%).
- CLV, simple: average revenue per customer per period x margin / churn rate per period,
  where both are measured over the customers' observed tenure (periods from first seen to
  churn or to the end of the data); historical CLV: revenue to date per customer.
- Revenue at risk: the revenue of customers whose latest NPS answer is a detractor (0-6).

>>> import pandas as pd
>>> c = ibis.memtable(pd.DataFrame({"churned": [True, False, False, True]}))
>>> float(ibis.duckdb.connect().execute(snapshot_churn_table(c)).value.iloc[0])
50.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from cem.analytics.kpis import LOW_CONFIDENCE_N, PERIODS, _div

_STEP = {
    "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1),
    "quarter": pd.DateOffset(months=3),
}


def period_index(ts: ir.TimestampValue, period: str) -> ir.IntegerValue:
    """A running integer per week/month/quarter (consecutive periods differ by 1)."""
    if period == "month":
        return ts.year() * 12 + ts.month() - 1
    if period == "quarter":
        return ts.year() * 4 + ts.quarter() - 1
    # Weeks start on Monday; 1970-01-01 was a Thursday.
    return ((ts.epoch_seconds() + 3 * 86400) // (7 * 86400)).cast("int64")


def period_starts(first: dt.date, last: dt.date, period: str) -> pd.DataFrame:
    """Start and end timestamps of every period from ``first`` to ``last`` (inclusive).

    >>> period_starts(dt.date(2025, 1, 15), dt.date(2025, 3, 2), "month").start.dt.month.tolist()
    [1, 2, 3]
    """
    if period not in PERIODS:
        from cem.errors import InputError

        raise InputError(f"Unknown period '{period}' (use week, month or quarter)")
    start = pd.Timestamp(first)
    if period == "week":
        start = start - pd.Timedelta(days=start.weekday())
    elif period == "month":
        start = start.replace(day=1)
    else:
        start = start.replace(day=1, month=3 * ((start.month - 1) // 3) + 1)
    starts = []
    while start <= pd.Timestamp(last):
        starts.append(start)
        start = start + _STEP[period]
    frame = pd.DataFrame({"start": pd.to_datetime(starts)})
    frame["end"] = frame.start + _STEP[period]
    frame["start"] = frame.start.astype("datetime64[us]")
    frame["end"] = frame.end.astype("datetime64[us]")
    return frame


def _finish(table: ir.Table) -> ir.Table:
    return table.mutate(low_confidence=table.n < LOW_CONFIDENCE_N)


def snapshot_churn_table(customers: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Churned / all customers (in %) per group, for tables without churn dates."""
    grouped = customers.group_by(list(by)) if by else customers
    agg = grouped.aggregate(
        n=customers.count(), churned=customers.churned.fill_null(False).sum().coalesce(0)
    )
    agg = agg.mutate(value=100.0 * _div(agg.churned, agg.n))
    return _finish(agg)


def churn_table(customers: ir.Table, periods: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Churn rate (in %) per period: ``lost`` in the period / ``n`` active at its start.

    ``periods`` has ``start``/``end`` timestamps (see :func:`period_starts`).
    """
    joined = customers.cross_join(periods)
    active = (joined.first_seen < joined.start) & (
        joined.churned_at.isnull() | (joined.churned_at >= joined.start)
    )
    lost = active & (joined.churned_at < joined.end)
    joined = joined.mutate(
        active=active.fill_null(False), lost=lost.fill_null(False), period=joined.start.date()
    )
    agg = joined.group_by(["period", *by]).aggregate(n=joined.active.sum(), lost=joined.lost.sum())
    agg = agg.mutate(value=100.0 * _div(agg.lost, agg.n))
    return _finish(agg)


def retention_table(
    customers: ir.Table, period: str, last_index: int, by: Sequence[str] = ()
) -> ir.Table:
    """Share (in %) of each first-seen cohort still active ``periods_since`` periods later.

    ``last_index`` is the :func:`period_index` of the end of the data: later periods are
    not observed yet and are left out.
    """
    c = customers.filter(customers.first_seen.notnull())
    c = c.mutate(
        cohort=c.first_seen.truncate(PERIODS[period]).date(),
        cohort_index=period_index(c.first_seen, period),
        churn_index=period_index(c.churned_at, period),
    )
    offsets = ibis.memtable(pd.DataFrame({"periods_since": range(0, 400)}))
    joined = c.cross_join(offsets)
    joined = joined.filter(joined.cohort_index + joined.periods_since <= last_index)
    still = joined.churn_index.isnull() | (
        joined.churn_index >= joined.cohort_index + joined.periods_since
    )
    joined = joined.mutate(still=still)
    agg = joined.group_by(["cohort", *by, "periods_since"]).aggregate(
        n=joined.count(), retained=joined.still.sum()
    )
    agg = agg.mutate(value=100.0 * _div(agg.retained, agg.n))
    return _finish(agg)


def clv_table(
    customers: ir.Table, period: str, last_index: int, by: Sequence[str] = (), margin: float = 1.0
) -> ir.Table:
    """Historical CLV (``historical_clv``: mean revenue to date per customer) and simple CLV
    (``value``: revenue per customer-period x margin / churn per customer-period)."""
    c = customers.filter(customers.revenue.notnull())
    start = period_index(c.first_seen, period)
    end = period_index(c.churned_at, period).coalesce(ibis.literal(last_index))
    tenure = ibis.greatest(end - start + 1, 1)
    c = c.mutate(tenure=tenure.cast("float64"), lost=(c.churned_at.notnull()).cast("int64"))
    grouped = c.group_by(list(by)) if by else c
    agg = grouped.aggregate(
        n=c.count(),
        historical_clv=c.revenue.mean(),
        revenue=c.revenue.sum(),
        exposure=c.tenure.sum(),
        lost=c.lost.sum(),
    )
    revenue_per_period = _div(agg.revenue, agg.exposure)
    churn_per_period = _div(agg.lost, agg.exposure)
    agg = agg.mutate(
        revenue_per_period=revenue_per_period,
        churn_per_period=churn_per_period,
        value=revenue_per_period * margin / churn_per_period.nullif(0.0),
    )
    return _finish(agg)


def revenue_at_risk_table(responses: ir.Table, customers: ir.Table) -> ir.Table:
    """One row: ``revenue_at_risk`` (revenue of customers whose latest NPS answer is a
    detractor), ``customers_at_risk``, ``total_revenue``, ``customers`` (with revenue) and
    ``customers_linked`` (of those, how many answered NPS: 0 means the customer list and the
    answers share no customer id, so nothing can be said about revenue at risk)."""
    answered = responses.filter(responses.nps.notnull() & responses.customer_id.notnull())
    order = [answered.submitted_at.desc(nulls_first=False), answered.response_id.desc()]
    ranked = answered.mutate(
        rank=ibis.row_number().over(group_by=answered.customer_id, order_by=order)
    )
    latest = ranked.filter(ranked["rank"] == 0).select("customer_id", latest_nps=ranked.nps)
    revenue = (
        customers.filter(customers.revenue.notnull())
        .group_by("customer_id")
        .aggregate(revenue=customers.revenue.max())
    )
    joined = revenue.left_join(latest, "customer_id")
    at_risk = joined.latest_nps.notnull() & (joined.latest_nps <= 6)
    return joined.aggregate(
        revenue_at_risk=joined.revenue.sum(where=at_risk).coalesce(0.0),
        customers_at_risk=at_risk.fill_null(False).sum().coalesce(0),
        total_revenue=joined.revenue.sum(),
        customers=joined.count(),
        customers_linked=joined.latest_nps.count(),
    )
