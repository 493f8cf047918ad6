"""What the Overview and Explorer pages ask of the KPI engine: trends with change and
significance, splits vs the rest, KPI tiles, touchpoint rankings, open detractors, the
trend window, and the verbatims behind a number. Every number comes from
:func:`cem.analytics.kpi_frames.kpi_frame` (one definition per metric) on an
:class:`~cem.analytics.engine.Engine`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import ibis
import pandas as pd

from cem.analytics import kpis
from cem.analytics.catalogue import date_bounds
from cem.analytics.engine import Engine
from cem.analytics.filters import ATTRIBUTE_PREFIX, Filters, filtered_table
from cem.analytics.kpi_frames import kpi_frame, rating_values, with_dimensions
from cem.analytics.labels import NOT_SET, SCORE_COLUMN
from cem.analytics.significance import change_vs_previous, compare_rows, versus_rest

CLOSED_CASE_STATUSES = ("closed", "resolved", "done")
# The headline KPIs (the Overview's tiles and the PDF summary's) and their window.
HEADLINE_METRICS: tuple[tuple[str, str], ...] = (
    ("nps", "NPS"),
    ("csat", "CSAT"),
    ("ces", "CES"),
    ("responses", "Responses"),
)
WINDOW_DAYS = 90


def kpi_trend(
    engine: Engine,
    workspace: str,
    metric: str,
    *,
    period: str = "month",
    by: Sequence[str] = (),
    filters: Filters | None = None,
) -> pd.DataFrame:
    """:func:`kpi_frame` by period (and ``by``), with change vs the previous period and,
    for one dimension, significance vs the rest of the same period."""
    frame = kpi_frame(engine, workspace, metric, by=by, period=period, filters=filters)
    group = by[0] if by else None
    frame = change_vs_previous(frame, metric, group)
    if group:
        frame = versus_rest(frame, group, metric)
    return frame.sort_values(["period", *by]).reset_index(drop=True)


def kpi_split(
    engine: Engine, workspace: str, metric: str, dim: str, filters: Filters | None = None
) -> pd.DataFrame:
    """:func:`kpi_frame` by one dimension over the whole filtered range, vs the rest."""
    frame = kpi_frame(engine, workspace, metric, by=[dim], filters=filters)
    return versus_rest(frame, dim, metric)


def _last_date(engine: Engine, workspace: str, filters: Filters) -> dt.date | None:
    """The last response date, capped by the filters' end date."""
    _, last = date_bounds(engine, workspace)
    if filters.date_to and last:
        last = min(last, filters.date_to)
    return last


def _tile(row: pd.Series) -> dict[str, Any]:
    return {
        "value": row.value,
        "n": int(row.n),
        "moe": row.moe,
        "low_confidence": bool(row.low_confidence),
    }


def kpi_snapshot(
    engine: Engine,
    workspace: str,
    metric: str,
    filters: Filters | None = None,
    window_days: int = 90,
) -> dict[str, Any]:
    """A KPI tile: the last ``window_days`` of data vs the ``window_days`` before.

    Without dates the tile shows all data and no change. Returns ``value``, ``n``,
    ``moe``, ``low_confidence``, ``change``, ``significant``, ``words``, ``window``
    (a description) and the rows themselves (``current``/``previous``).
    """
    filters = filters or Filters()
    last = _last_date(engine, workspace, filters)
    if last is None:
        row = kpi_frame(engine, workspace, metric, filters=filters).iloc[0]
        return _tile(row) | {
            "change": math.nan,
            "significant": None,
            "words": "no dates, no trend",
            "window": "all responses",
            "current": row,
            "previous": None,
        }
    start = last - dt.timedelta(days=window_days - 1)
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    prev_end = start - dt.timedelta(days=1)
    prev_start = prev_end - dt.timedelta(days=window_days - 1)
    if filters.date_from and filters.date_from > prev_start:
        prev_start = filters.date_from
    current = kpi_frame(engine, workspace, metric, filters=filters.with_dates(start, last)).iloc[0]
    previous = None
    if prev_start <= prev_end:
        previous = kpi_frame(
            engine, workspace, metric, filters=filters.with_dates(prev_start, prev_end)
        ).iloc[0]
    if previous is not None:
        change, sig, words = compare_rows(metric, current, previous)
        if metric == "responses":
            words = words.replace(", within noise", "").replace(", significant", "")
            sig = None
    else:
        change, sig, words = math.nan, None, "no earlier period to compare"
    return _tile(current) | {
        "change": change,
        "significant": sig,
        "words": words,
        "window": f"{start:%d %b %Y} – {last:%d %b %Y}",
        "previous_window": f"{prev_start:%d %b %Y} – {prev_end:%d %b %Y}",
        "current": current,
        "previous": previous,
    }


def touchpoint_ranking(
    engine: Engine,
    workspace: str,
    filters: Filters | None = None,
    count: int = 3,
    metric: str = "nps",
) -> dict[str, pd.DataFrame]:
    """The ``count`` worst and best touchpoints by a KPI (with n). Touchpoints with fewer
    than 30 answers are left out when enough others have 30 or more. ``both`` holds the
    best then the worst with a ``rank_group`` column (for the chart)."""
    frame = kpi_frame(engine, workspace, metric, by=["touchpoint"], filters=filters)
    frame = frame[(frame.n > 0) & (frame.touchpoint != NOT_SET)]
    confident = frame[~frame.low_confidence]
    if len(confident) >= 2 * count:
        frame = confident
    ranked = frame.sort_values(["value", "n"], ascending=[True, False])
    worst = ranked.head(count)
    best = ranked.drop(worst.index).tail(count).iloc[::-1]
    both = pd.concat(
        [best.assign(rank_group="Best"), worst.assign(rank_group="Worst")], ignore_index=True
    )
    return {
        "worst": worst.reset_index(drop=True),
        "best": best.reset_index(drop=True),
        "both": both,
    }


def open_detractors(
    engine: Engine, workspace: str, filters: Filters | None = None, days: int = 30
) -> dict[str, Any]:
    """Detractors (NPS 0-6) in the last ``days`` days of data that have no closed case.

    Without dates, every detractor without a closed case counts. Returns ``count``,
    ``since`` (a date or None) and ``days``.
    """
    filters = filters or Filters()
    last = _last_date(engine, workspace, filters)
    since = None
    if last is not None:
        since = last - dt.timedelta(days=days - 1)
        if filters.date_from and filters.date_from > since:
            since = filters.date_from
        filters = filters.with_dates(since, last)
    table = filtered_table(engine, workspace, "responses", filters)
    table = table.filter(table.nps <= 6)
    cases = engine.table("cases")
    closed = cases.filter(
        (cases.workspace == workspace)
        & cases.status.lower().isin(list(CLOSED_CASE_STATUSES))
        & cases.response_id.notnull()
    )
    table = table.filter(~table.response_id.isin(closed.response_id))
    count = engine.to_pandas(table.aggregate(n=table.count())).iloc[0]["n"]
    return {"count": int(count), "since": since, "days": days}


def last_months_filters(
    engine: Engine, workspace: str, filters: Filters | None = None, months: int = 12
) -> Filters | None:
    """``filters`` narrowed to the last ``months`` calendar months of data (the overview's
    trend window); None when the data has no dates.

    The window ends at the last response date inside the filters and starts on the first
    day of the month ``months - 1`` months earlier.
    """
    filters = filters or Filters()
    last = _last_date(engine, workspace, filters)
    if last is None:
        return None
    start = (pd.Timestamp(last).replace(day=1) - pd.DateOffset(months=months - 1)).date()
    if filters.date_from and filters.date_from > start:
        start = filters.date_from
    return filters.with_dates(start, last)


def verbatims(
    engine: Engine,
    workspace: str,
    metric: str = "nps",
    *,
    filters: Filters | None = None,
    period: str | None = None,
    period_start: Any = None,
    dim: str | None = None,
    dim_value: str | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The comments behind one number: the responses of one period and/or group that
    answered ``metric``, newest first (comment, score, date, segment, touchpoint, channel).
    """
    table = filtered_table(engine, workspace, "responses", filters or Filters())
    table = table.filter(table.comment.notnull() & (table.comment.strip().length() > 0))
    table = with_dimensions(engine, workspace, table, [dim] if dim else [])
    score = SCORE_COLUMN.get(metric)
    if metric.startswith(ATTRIBUTE_PREFIX):
        attr = rating_values(engine, workspace, metric.removeprefix(ATTRIBUTE_PREFIX), "score")
        table = table.inner_join(attr, table.response_id == attr._row_id)
    elif score:
        table = table.filter(table[score].notnull()).mutate(score=table[score])
    else:
        table = table.mutate(score=ibis.null("float64"))
    if period and period_start is not None:
        table = kpis.with_period(table, period)
        table = table.filter(table.period == pd.Timestamp(period_start).date())
    if dim and dim_value is not None:
        table = table.filter(
            table[dim].isnull() if dim_value == NOT_SET else table[dim] == dim_value
        )
    out = table.order_by(
        [table.submitted_at.desc(nulls_first=False), table.response_id.desc()]
    ).limit(limit)
    out = out.select(
        date=out.submitted_at,
        score=out.score,
        comment=out.comment,
        segment=out.segment,
        touchpoint=out.touchpoint,
        channel=out.channel,
    )
    return engine.to_pandas(out)
