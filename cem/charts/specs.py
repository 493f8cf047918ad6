"""The Overview's charts as Vega-Lite specs computed like any other result: cached per
workspace, filters and data revision, kept in the database (:mod:`cem.analytics.result_store`)
and warmed after an import (:mod:`cem.ui.warm`).

Building an Altair chart and turning it into a spec costs 50-300 ms of Python per chart; a
fresh server drawing the Overview's five charts paid it on its first view. Kept, the specs are
read back like the KPI frames they draw: a cold view builds no chart. Each function reads its
frame through the same cache as the pages (the Engine's database), so the frame is computed
once whichever asks first, and returns exactly the spec the chart builder gives (tests check
it), or None when there is nothing to draw. No Streamlit here.

>>> overview_trend_spec.keep_always, touchpoint_ranking_spec.keep_always
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cem.analytics import kpi_frames, result_cache
from cem.analytics import overview as kpi_overview
from cem.analytics.engine import Engine
from cem.analytics.filters import Filters
from cem.charts import kpi as kpi_charts

T = TypeVar("T")
TREND_HEIGHT = 220


def _cached(engine: Engine, func: Callable[..., T], workspace: str, *args: Any, **kw: Any) -> T:
    """``func(engine, workspace, ...)`` through the process-wide cache when the engine runs
    on Touchpoint's database (else computed: Spark)."""
    if engine.database is None:
        return func(engine, workspace, *args, **kw)
    return result_cache.cached_analytics(engine.database, func, workspace, *args, **kw)


def _always_kept(func: Callable[..., T]) -> Callable[..., T]:
    """Mark ``func``'s results to be kept in the store however fast they were computed."""
    func.keep_always = True  # type: ignore[attr-defined]
    return func


@_always_kept
def overview_trend_spec(
    engine: Engine, workspace: str, metric: str, label: str, window: Filters
) -> dict[str, Any] | None:
    """The Overview's 12-month trend chart of ``metric`` over ``window`` (the filters of
    :func:`cem.analytics.overview.last_months_filters`); None when the months hold no
    answer."""
    trend = _cached(engine, kpi_frames.kpi_frame, workspace, metric, period="month", filters=window)
    if trend.empty or not (trend.n > 0).any():
        return None
    chart = kpi_charts.trend_chart(
        trend, title=label, metric=metric, height=TREND_HEIGHT, band=metric != "responses"
    )
    return chart.to_dict(validate=False)  # type: ignore[no-any-return]


@_always_kept
def touchpoint_ranking_spec(
    engine: Engine, workspace: str, filters: Filters, n: int = 3
) -> dict[str, Any] | None:
    """The Overview's best and worst touchpoints by NPS; None without touchpoint names."""
    ranking = _cached(engine, kpi_overview.touchpoint_ranking, workspace, filters, n)
    if ranking["worst"].empty:
        return None
    return kpi_charts.touchpoint_chart(ranking["both"]).to_dict(validate=False)  # type: ignore[no-any-return]
