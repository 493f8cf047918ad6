"""Warm the result cache after an import, so the first page view after it is fast.

:func:`after_import` is an import hook (``cem.ingest.load.AFTER_IMPORT``, installed by
``app.py`` through :func:`install_warm_hook`): when an import has committed it starts one
background thread per workspace that computes what the heavy pages show first, with the
pages' default settings and no filters, through the same process-wide cache the pages
read (:mod:`cem.analytics.result_cache`), so the keys are the pages' keys:

* the sidebar's filter choices (dimension values, date bounds);
* the Overview: KPI tiles, loop panels, 12-month trends, touchpoint ranking, rising themes;
* Journey analytics, its first view (Flow): event summary, transitions and touchpoint
  statistics with repeats collapsed (one query: ``flow_figures``), the observed stage order;
* Planned vs actual of each journey map of the workspace (at most :data:`MAX_PLANS`);
* Key drivers for the first outcome and all rating scales;
* the KPI explorer's first view: the first metric's trend by month (or the coarser period
  its dates need), no split.

The comment analysis started by the same import bumps the data revision when it ends
(its themes are data), which would make results computed before it stale: the warmer
first waits for that analysis, and warms again when the revision moved while it worked.
This module imports no Streamlit (it runs outside page runs); it lives beside the pages'
panels because it mirrors their default calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from cem import background
from cem.analytics import catalogue, customer_kpis, drivers, kpis
from cem.analytics import overview as kpi_overview
from cem.analytics import result_cache as rc
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.charts import specs
from cem.errors import TouchpointError
from cem.journeys import planned_actual as pa
from cem.store.db import Database
from cem.voc import analytics as voc_analytics

log = logging.getLogger(__name__)
# Per-journey transition shares double the time; the Flow view skips them on larger logs.
PER_JOURNEY_MAX_EVENTS = 2_000_000
MAX_PLANS = 5
WINDOW = kpi_overview.WINDOW_DAYS
MAX_ROUNDS = 3
WAIT_FOR_ANALYSIS_SECONDS = 1800.0
_RUNNING: dict[tuple[int, str], threading.Thread] = {}
_AGAIN: set[tuple[int, str]] = set()
_LOCK = threading.Lock()


def journey_analytics_first_view(db: Database, workspace: str, filters: Filters) -> None:
    """The Journey analytics page's tiles and its Flow view, default settings."""
    if not rc.cached_analytics(db, ja.has_events, workspace):
        return
    summary = rc.cached_analytics(db, ja.event_summary, workspace, filters)
    if int(summary["events"]) == 0:  # type: ignore[call-overload]
        return
    per_journey = int(summary["events"]) <= PER_JOURNEY_MAX_EVENTS  # type: ignore[call-overload]
    rc.cached_analytics(
        db,
        ja.flow_figures,
        workspace,
        filters,
        gap_days=None,
        collapse_repeats=True,
        per_journey=per_journey,
    )
    rc.cached_analytics(db, ja.observed_stage_order, workspace, filters)


def planned_vs_actual(db: Database, workspace: str, filters: Filters) -> None:
    """Planned vs actual of the workspace's journey maps (the first :data:`MAX_PLANS`)."""
    if not rc.cached_analytics(db, ja.has_events, workspace):
        return
    for journey_id, _name in rc.cached_query(db, pa.list_journeys, workspace)[:MAX_PLANS]:
        plan = pa.load_plan(db, workspace, journey_id)
        rc.cached_analytics(db, pa.compare, workspace, plan, filters)


def key_drivers(db: Database, workspace: str, filters: Filters) -> None:
    """The Key drivers page's first ranking: the first outcome, all rating scales."""
    ratings = rc.cached_analytics(db, catalogue.rating_attributes, workspace)
    rc.cached_analytics(db, drivers.driver_candidates, workspace)
    outcomes = rc.cached_analytics(db, drivers.outcome_options, workspace)
    if ratings and outcomes:
        rc.cached_analytics(db, drivers.key_drivers, workspace, next(iter(outcomes)), None, filters)


def kpi_explorer(db: Database, workspace: str, filters: Filters) -> None:
    """The KPI explorer's first view (``pages/explorer.py`` with its defaults): the first
    metric by month, or by the coarser period that its dates need, no split."""
    available = rc.cached_analytics(db, catalogue.available_metrics, workspace)
    first, last = rc.cached_analytics(db, catalogue.date_bounds, workspace)
    if not available or last is None:
        return
    rc.cached_analytics(
        db,
        kpi_overview.kpi_trend,
        workspace,
        next(iter(available)),
        period=kpis.trend_period("month", first, last),
        by=(),
        filters=filters,
    )


def overview(db: Database, workspace: str, filters: Filters) -> None:
    """The Overview's tiles, loop panels, 12-month trends, touchpoint ranking and rising
    themes (the calls of :mod:`cem.ui.analytics.overview`)."""
    available = rc.cached_analytics(db, catalogue.available_metrics, workspace)
    if not available:
        return
    rc.cached_analytics(db, catalogue.date_bounds, workspace)
    rc.cached_analytics(db, kpi_overview.kpi_snapshot, workspace, "responses", filters, WINDOW)
    for metric, _label in kpi_overview.HEADLINE_METRICS:
        if metric in available:
            rc.cached_analytics(db, kpi_overview.kpi_snapshot, workspace, metric, filters, WINDOW)
    rc.cached_analytics(db, kpi_overview.open_detractors, workspace, filters, 30)
    rc.cached_analytics(db, customer_kpis.revenue_at_risk, workspace, filters)
    window = rc.cached_analytics(db, kpi_overview.last_months_filters, workspace, filters, 12)
    if window is not None:
        for metric, label in kpi_overview.HEADLINE_METRICS:
            if metric in available:  # the chart's spec, and through it its KPI frame
                rc.cached_analytics(db, specs.overview_trend_spec, workspace, metric, label, window)
    if "nps" in available:
        rc.cached_analytics(db, specs.touchpoint_ranking_spec, workspace, filters, 3)
    rc.cached_analytics(db, voc_analytics.rising_themes, workspace, filters)


def sidebar_filters(db: Database, workspace: str, filters: Filters) -> None:
    """The choices of the shared sidebar filters (every page draws them)."""
    rc.cached_analytics(db, catalogue.dimension_values, workspace)
    rc.cached_analytics(db, catalogue.filter_date_bounds, workspace)


WARMERS: tuple[Callable[[Database, str, Filters], None], ...] = (
    sidebar_filters,
    overview,
    journey_analytics_first_view,
    planned_vs_actual,
    key_drivers,
    kpi_explorer,
)


def warm_workspace(db: Database, workspace: str) -> int:
    """Compute every page's first results for ``workspace`` (unfiltered) into the cache,
    until the data revision holds still; returns the revision warmed."""
    filters = Filters()
    revision = db.data_version(workspace)
    for _ in range(MAX_ROUNDS):
        for warmer in WARMERS:
            try:
                warmer(db, workspace, filters)
            except TouchpointError as exc:  # the page shows the same message itself
                log.info("Warming %s of %s stopped: %s", warmer.__name__, workspace, exc)
        now = db.data_version(workspace)
        if now == revision:
            break
        revision = now
    return revision


def _wait_for_comment_analysis(db: Database, workspace: str) -> None:
    from cem.voc import jobs

    deadline = time.monotonic() + WAIT_FOR_ANALYSIS_SECONDS
    while jobs.is_running(db, workspace) and time.monotonic() < deadline:
        time.sleep(0.5)


def _run(db: Database, workspace: str) -> None:
    key = (id(db), workspace)
    try:
        while True:
            _wait_for_comment_analysis(db, workspace)
            warm_workspace(db, workspace)
            with _LOCK:
                if key not in _AGAIN:
                    _RUNNING.pop(key, None)
                    return
                _AGAIN.discard(key)
    except Exception:  # noqa: BLE001 - a failed warm-up only means a slower first view
        log.exception("Warming the cache of %s failed", workspace)
        with _LOCK:
            _RUNNING.pop(key, None)
            _AGAIN.discard(key)


def after_import(db: Database, workspace: str, kind: str) -> threading.Thread | None:
    """The import hook: warm ``workspace``'s pages in the background (one thread per
    workspace; an import during a warm-up makes it warm once more at the end)."""
    key = (id(db), workspace)
    with _LOCK:
        running = _RUNNING.get(key)
        if running is not None and running.is_alive():
            _AGAIN.add(key)
            return running
        thread = background.start(_run, (db, workspace), f"warm-{workspace}")
        _RUNNING[key] = thread
        return thread


def install_warm_hook() -> None:
    """Warm the pages after every import made in this process (``app.py`` calls it after
    the comment-analysis hook, so the warmer finds that analysis running)."""
    from cem.ingest import load

    if after_import not in load.AFTER_IMPORT:
        load.AFTER_IMPORT.append(after_import)
