"""KPI definitions as pure Ibis expressions (DESIGN.md "KPI definitions").

Every function here takes an Ibis table expression and returns one, so the same
definition runs on DuckDB (the app), Polars, or any SQL engine Ibis compiles to
(Trino, BigQuery, Snowflake, Spark ...). Nothing here touches a database: the
DuckDB-facing layer is :mod:`cem.analytics.metrics`.

Conventions shared by every KPI table: the group keys first, then ``n`` (answers
that count), ``value`` (the KPI), ``moe`` (half-width of its 95% interval, NULL when
not defined), ``ci_low``/``ci_high`` and ``low_confidence`` (n < 30). A group with no
answers has ``n = 0`` and ``value`` NULL — never 0.

>>> import pandas as pd
>>> t = ibis.memtable(pd.DataFrame({"nps": [10, 9, 8, 3, None]}))
>>> row = ibis.duckdb.connect().execute(nps_table(t)).iloc[0]
>>> int(row.n), int(row.promoters), int(row.detractors), round(float(row.value), 1)
(4, 2, 1, 25.0)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from cem.errors import InputError

Z95 = 1.96
LOW_CONFIDENCE_N = 30
PERIODS: dict[str, str] = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}
MAX_TREND_PERIODS = 36


def _div(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """``numerator / denominator`` as a float, NULL when the denominator is 0."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0.0)


def _finish(table: ir.Table, bounds: tuple[float, float] | None = None) -> ir.Table:
    """Add the confidence interval and the low-confidence flag. The interval stays within
    the scale's ``bounds`` (NPS -100..100, a share 0..100, a 1-5 rating 1..5): a small
    group's normal-approximation band would otherwise cross values no answer can give."""
    low, high = table.value - table.moe, table.value + table.moe
    if bounds is not None:
        low = low.clip(lower=bounds[0], upper=bounds[1])
        high = high.clip(lower=bounds[0], upper=bounds[1])
    return table.mutate(ci_low=low, ci_high=high, low_confidence=table.n < LOW_CONFIDENCE_N)


def with_period(table: ir.Table, period: str | None, column: str = "submitted_at") -> ir.Table:
    """Add a ``period`` column (the start date of the row's week/month/quarter).

    Rows without a date cannot be placed in a period and are dropped.
    """
    if period is None:
        return table
    if period not in PERIODS:
        raise InputError(f"Unknown period '{period}' (use week, month, quarter or year)")
    table = table.filter(table[column].notnull())
    return table.mutate(period=table[column].truncate(PERIODS[period]).date())


def period_count(period: str, first: dt.date, last: dt.date) -> int:
    """How many ``period`` buckets (weeks, months, quarters, years) the dates span.

    >>> period_count("month", dt.date(2021, 1, 31), dt.date(2021, 3, 1))
    3
    >>> period_count("quarter", dt.date(2020, 12, 31), dt.date(2021, 1, 1))
    2
    """
    if period == "week":
        return (
            last - dt.timedelta(days=last.weekday()) - (first - dt.timedelta(days=first.weekday()))
        ).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    if period == "month":
        return months + 1
    if period == "quarter":
        return (last.year - first.year) * 4 + (last.month - 1) // 3 - (first.month - 1) // 3 + 1
    if period == "year":
        return last.year - first.year + 1
    raise InputError(f"Unknown period '{period}' (use week, month, quarter or year)")


def trend_period(
    period: str, first: dt.date | None, last: dt.date | None, limit: int = MAX_TREND_PERIODS
) -> str:
    """The period a trend is drawn by: ``period`` itself, or the next coarser one
    (week → month → quarter → year) while the dates would span more than ``limit``
    periods. A year is never made coarser.

    >>> trend_period("month", dt.date(2020, 1, 1), dt.date(2022, 12, 31))
    'month'
    >>> trend_period("month", dt.date(2020, 1, 1), dt.date(2023, 1, 1))
    'quarter'
    >>> trend_period("week", dt.date(1970, 1, 1), dt.date(2024, 6, 1))
    'year'
    """
    if period not in PERIODS:
        raise InputError(f"Unknown period '{period}' (use week, month, quarter or year)")
    if first is None or last is None:
        return period
    order = list(PERIODS)
    chosen = period
    while chosen != order[-1] and period_count(chosen, first, last) > limit:
        chosen = order[order.index(chosen) + 1]
    return chosen


PARTIAL_SHARE = 0.9  # a trend's end period whose dates cover less of its days is partial


def period_span(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the week (Monday-Sunday), month, quarter or year of ``day``.

    >>> period_span("month", dt.date(2024, 2, 14))
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> period_span("week", dt.date(2024, 2, 14))
    (datetime.date(2024, 2, 12), datetime.date(2024, 2, 18))
    """
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}.get(period)
    if months is None:
        raise InputError(f"Unknown period '{period}' (use week, month, quarter or year)")
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    after = first_month + months
    end = dt.date(day.year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def partial_periods(
    period: str, first: dt.date | None, last: dt.date | None
) -> list[tuple[dt.date, dt.date, dt.date]]:
    """The periods at the ends of a trend over ``first``..``last`` whose days the dates
    cover less than :data:`PARTIAL_SHARE` of: (period start, first day covered, last day
    covered). Their counts are not comparable with whole periods (a month exported on the
    14th looks like a drop), and their bands are wider.

    >>> partial_periods("month", dt.date(2024, 1, 1), dt.date(2024, 3, 14))
    [(datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 14))]
    >>> partial_periods("month", dt.date(2024, 1, 3), dt.date(2024, 3, 30))
    []
    """
    if first is None or last is None or last < first:
        return []
    out = []
    ends = [period_span(period, first)]
    if period_span(period, last) != ends[0]:
        ends.append(period_span(period, last))
    for start, end in ends:
        covered_from, covered_to = max(start, first), min(end, last)
        days = (end - start).days + 1
        if ((covered_to - covered_from).days + 1) / days < PARTIAL_SHARE:
            out.append((start, covered_from, covered_to))
    return out


def _group(table: ir.Table, by: Sequence[str]) -> ir.Table | ir.GroupedTable:
    return table.group_by(list(by)) if by else table


def nps_table(responses: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """NPS per group: promoters 9-10, passives 7-8, detractors 0-6 of the answered.

    ``value = 100 * (P - D) / n``; ``moe = 100 * 1.96 * sqrt((pP + pD - (pP - pD)^2) / n)``.
    ``promoters``/``passives``/``detractors`` are counts; ``share_*`` are fractions of n.
    """
    nps = responses.nps
    agg = _group(responses, by).aggregate(
        n=nps.count(),
        promoters=nps.count(where=nps >= 9),
        detractors=nps.count(where=nps <= 6),
    )
    agg = agg.mutate(passives=agg.n - agg.promoters - agg.detractors)
    agg = agg.mutate(
        share_promoters=_div(agg.promoters, agg.n),
        share_passives=_div(agg.passives, agg.n),
        share_detractors=_div(agg.detractors, agg.n),
    )
    variance = (
        agg.share_promoters
        + agg.share_detractors
        - (agg.share_promoters - agg.share_detractors) ** 2
    ) / agg.n.cast("float64")
    agg = agg.mutate(
        value=100.0 * (agg.share_promoters - agg.share_detractors),
        moe=100.0 * Z95 * variance.clip(lower=0.0).sqrt(),
    )
    return _finish(agg, (-100.0, 100.0))


def _proportion_table(
    table: ir.Table,
    by: Sequence[str],
    answered: ir.BooleanValue,
    hit: ir.BooleanValue,
    hit_name: str,
) -> ir.Table:
    """Share (in %) of answered rows where ``hit`` holds, with a normal-approximation MoE."""
    agg = _group(table, by).aggregate(
        n=answered.sum().coalesce(0),
        **{hit_name: (answered & hit).sum().coalesce(0)},
    )
    share = _div(agg[hit_name], agg.n)
    agg = agg.mutate(
        value=100.0 * share,
        moe=100.0 * Z95 * (share * (1.0 - share) / agg.n.cast("float64")).clip(lower=0.0).sqrt(),
    )
    return _finish(agg, (0.0, 100.0))


def csat_table(responses: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """CSAT per group: share (in %) of 1-5 answers that are 4 or 5, with ``satisfied`` count."""
    csat = responses.csat
    return _proportion_table(responses, by, csat.notnull(), csat >= 4, "satisfied")


def ces_table(responses: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """CES per group: mean 1-7 score (``value``), ``easy_share`` (% of 5-7), ``sd``.

    ``moe`` is ``1.96 * sd / sqrt(n)`` (normal approximation of the mean's interval).
    """
    ces = responses.ces
    agg = _group(responses, by).aggregate(
        n=ces.count(),
        value=ces.mean(),
        easy=(ces >= 5).sum().coalesce(0),
        sd=ces.std(how="sample"),
    )
    agg = agg.mutate(
        easy_share=100.0 * _div(agg.easy, agg.n),
        moe=Z95 * agg.sd / agg.n.cast("float64").sqrt(),
    )
    return _finish(agg, (1.0, 7.0))


def responses_table(responses: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Response count per group (``value`` = ``n``); no interval."""
    agg = _group(responses, by).aggregate(n=responses.count())
    agg = agg.mutate(value=agg.n.cast("float64"), moe=ibis.null("float64"))
    return _finish(agg)


def comment_share_table(responses: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Share (in %) of responses with a non-blank comment; ``n`` is all responses."""
    has_comment = responses.comment.notnull() & (responses.comment.strip().length() > 0)
    return _proportion_table(
        responses, by, responses.response_id.notnull(), has_comment.fill_null(False), "commented"
    )


def rating_table(
    ratings: ir.Table,
    by: Sequence[str] = (),
    *,
    top_from: float | None = 4.0,
    zero_means_na: bool = False,
    column: str = "rating",
    bounds: tuple[float, float] | None = None,
) -> ir.Table:
    """A numeric rating attribute as a KPI: mean (``value``), ``top2_share`` (% of answers
    at or above ``top_from``; none for a number that is no rating, ``top_from=None``),
    ``n``; 0 counts as "not applicable" when ``zero_means_na``. The band stays within
    ``bounds`` (the lowest and highest answer a mean can come from).
    """
    rating = ratings[column]
    if zero_means_na:
        rating = rating.nullif(0)
    measures: dict[str, ir.Value] = {
        "n": rating.count(),
        "value": rating.mean(),
        "sd": rating.std(how="sample"),
    }
    if top_from is not None:
        measures["top2"] = (rating >= top_from).sum().coalesce(0)
    agg = _group(ratings, by).aggregate(**measures)
    agg = agg.mutate(moe=Z95 * agg.sd / agg.n.cast("float64").sqrt())
    if top_from is not None:
        agg = agg.mutate(top2_share=100.0 * _div(agg.top2, agg.n))
    return _finish(agg, bounds)


def yes_share_table(
    ratings: ir.Table, by: Sequence[str] = (), *, column: str = "rating"
) -> ir.Table:
    """A 0/1 (yes/no) attribute as a KPI: ``value`` = % of answers that are 1 ("% yes"),
    ``yes`` count, ``n``; the 95% band is Wilson's score interval, which stays inside
    0-100% (the normal approximation's band would cross 0 or 100 near the ends), and
    ``moe`` is its half-width.
    """
    answer = ratings[column]
    agg = _group(ratings, by).aggregate(n=answer.count(), yes=(answer == 1).sum().coalesce(0))
    n = agg.n.cast("float64")
    share = _div(agg.yes, agg.n)
    z2 = Z95 * Z95
    centre = (share + z2 / (2.0 * n)) / (1.0 + z2 / n)
    half = (
        Z95
        * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).clip(lower=0.0).sqrt()
        / (1.0 + z2 / n)
    )
    return agg.mutate(
        value=100.0 * share,
        moe=100.0 * half,
        ci_low=(100.0 * (centre - half)).clip(lower=0.0, upper=100.0),
        ci_high=(100.0 * (centre + half)).clip(lower=0.0, upper=100.0),
        low_confidence=agg.n < LOW_CONFIDENCE_N,
    )


KPI_TABLES = {
    "nps": nps_table,
    "csat": csat_table,
    "ces": ces_table,
    "responses": responses_table,
    "comment_share": comment_share_table,
}
