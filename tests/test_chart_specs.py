"""The Overview's chart specs computed as results: exactly the chart builders' specs, None
when there is nothing to draw, and kept in the database however fast they were built."""

from __future__ import annotations

from cem.analytics import kpi_frames, result_store
from cem.analytics import overview as kpi_overview
from cem.analytics import result_cache as rc
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.charts import kpi as kpi_charts
from cem.charts import specs
from cem.store.db import Database


def test_specs_are_the_builders_specs_and_are_kept(demo_db: Database) -> None:
    rc.RESULTS.keep_in_background = False  # kept before the database closes
    try:
        _specs_are_the_builders_specs_and_are_kept(demo_db)
    finally:
        rc.RESULTS.keep_in_background = True


def _specs_are_the_builders_specs_and_are_kept(demo_db: Database) -> None:
    engine = duckdb_engine(demo_db)
    window = kpi_overview.last_months_filters(engine, "demo", Filters(), 12)
    assert window is not None
    frame = kpi_frames.kpi_frame(engine, "demo", "nps", period="month", filters=window)
    built = kpi_charts.trend_chart(frame, title="NPS", metric="nps", height=220, band=True)
    spec = specs.overview_trend_spec(engine, "demo", "nps", "NPS", window)
    assert spec == built.to_dict(validate=False)
    ranking = kpi_overview.touchpoint_ranking(engine, "demo", Filters(), 3)
    expected = kpi_charts.touchpoint_chart(ranking["both"]).to_dict(validate=False)
    assert specs.touchpoint_ranking_spec(engine, "demo", Filters(), 3) == expected

    rc.RESULTS.clear()
    rc.cached_analytics(demo_db, specs.overview_trend_spec, "demo", "nps", "NPS", window)
    kept = demo_db.execute(
        "SELECT count(*) FROM analytics_results WHERE workspace = 'demo' AND function_name = ?",
        [".".join(rc.function_name(specs.overview_trend_spec))],
    ).fetchone()[0]
    assert kept == 1
    assert result_store.KEEP_SECONDS > 0  # kept although it may take less


def test_no_answers_in_the_window_draws_nothing(demo_db: Database) -> None:
    engine = duckdb_engine(demo_db)
    empty = Filters.make(segment=["no such segment"])
    assert specs.overview_trend_spec(engine, "demo", "nps", "NPS", empty) is None
    assert specs.touchpoint_ranking_spec(engine, "demo", empty, 3) is None
