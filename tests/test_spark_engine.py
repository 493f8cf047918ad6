"""The same analytics on DuckDB and on Spark (local mode): every KPI x (no split, by
segment, by month), the catalogue, filters, attribute splits, drivers, data emotion and
Journey analytics' Flow figures on the demo workspace give the same numbers (relative
tolerance 1e-9)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spark_support import assert_same_frame, require_spark

from cem.analytics import catalogue, customer_kpis, drivers, overview
from cem.analytics.engine import Engine, duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.analytics.kpi_frames import kpi_frame
from cem.analytics.labels import CUSTOMER_METRICS, SURVEY_METRICS
from cem.demo.journey import DEMO_JOURNEY_NAME
from cem.journeys import api as jm
from cem.journeys import planned_actual as pa
from cem.journeys.data_emotion import journey_data_emotion
from cem.store.db import Database

pytestmark = pytest.mark.spark

GROUPINGS = {"no split": ((), None), "by segment": (("segment",), None), "by month": ((), "month")}
KPIS = [*SURVEY_METRICS, *CUSTOMER_METRICS]


@pytest.fixture(scope="module")
def engines(demo_db_file: Path) -> Iterator[tuple[Engine, Engine]]:
    """(DuckDB engine, Spark engine) over the demo workspace."""
    require_spark()
    from cem.analytics.spark import spark_session, spark_workspace_engine

    db = Database(demo_db_file)
    started = time.perf_counter()
    session = spark_session()
    print(f"\nSpark session started in {time.perf_counter() - started:.1f} s")
    with spark_workspace_engine(db, "demo", session=session) as spark:
        assert spark.name == "pyspark" and not spark.is_duckdb
        yield duckdb_engine(db), spark
    db.close()


@pytest.mark.parametrize("grouping", list(GROUPINGS))
@pytest.mark.parametrize("metric", KPIS)
def test_kpi_is_the_same_on_spark(
    engines: tuple[Engine, Engine], metric: str, grouping: str
) -> None:
    duck, spark = engines
    by, period = GROUPINGS[grouping]
    expected = kpi_frame(duck, "demo", metric, by=by, period=period)
    assert not expected.empty and int(expected.n.sum()) > 0
    assert_same_frame(expected, kpi_frame(spark, "demo", metric, by=by, period=period))


def test_rating_attributes_are_the_same_on_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    ratings = [m for m in catalogue.available_metrics(duck, "demo") if m.startswith("attr:")]
    assert ratings, "the demo has rating attributes"
    for metric in ratings[:2]:  # each costs ~10 s of Spark queries; the code path is one
        for by, period in GROUPINGS.values():
            assert_same_frame(
                kpi_frame(duck, "demo", metric, by=by, period=period),
                kpi_frame(spark, "demo", metric, by=by, period=period),
            )


def test_catalogue_is_the_same_on_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    assert catalogue.available_metrics(spark, "demo") == catalogue.available_metrics(duck, "demo")
    assert catalogue.dimension_values(spark, "demo") == catalogue.dimension_values(duck, "demo")
    assert catalogue.date_bounds(spark, "demo") == catalogue.date_bounds(duck, "demo")
    assert catalogue.filter_date_bounds(spark, "demo") == catalogue.filter_date_bounds(duck, "demo")
    assert_same_frame(
        catalogue.attribute_columns(duck, "demo"), catalogue.attribute_columns(spark, "demo")
    )


def test_filters_and_attribute_splits_are_the_same_on_spark(
    engines: tuple[Engine, Engine],
) -> None:
    duck, spark = engines
    values = catalogue.dimension_values(duck, "demo")
    attr = next(d for d in values if d.startswith("attr:"))
    filters = Filters.make(segment=values["segment"][:2], **{attr: values[attr][:1]})
    for metric in ("nps", "csat"):
        assert_same_frame(
            kpi_frame(duck, "demo", metric, by=[attr], period="quarter", filters=filters),
            kpi_frame(spark, "demo", metric, by=[attr], period="quarter", filters=filters),
        )
    assert overview.open_detractors(spark, "demo") == overview.open_detractors(duck, "demo")
    assert customer_kpis.revenue_at_risk(spark, "demo") == pytest.approx(
        customer_kpis.revenue_at_risk(duck, "demo"), rel=1e-9, nan_ok=True
    )


def test_drivers_and_data_emotion_are_the_same_on_spark(
    engines: tuple[Engine, Engine],
) -> None:
    duck, spark = engines
    outcome = next(iter(drivers.outcome_options(duck, "demo")))
    assert drivers.outcome_options(spark, "demo") == drivers.outcome_options(duck, "demo")
    assert_same_frame(
        drivers.key_drivers(duck, "demo", outcome), drivers.key_drivers(spark, "demo", outcome)
    )
    db = duck.database
    assert db is not None
    journey = jm.get_journey(db, "demo", jm.find_journey(db, "demo", DEMO_JOURNEY_NAME))
    assert_same_frame(
        journey_data_emotion(duck, "demo", journey), journey_data_emotion(spark, "demo", journey)
    )


def test_flow_figures_are_the_same_on_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    settings = {"gap_days": 7.0, "collapse_repeats": True, "per_journey": True}
    on_duck = ja.flow_figures(duck, "demo", **settings)  # type: ignore[arg-type]
    on_spark = ja.flow_figures(spark, "demo", **settings)  # type: ignore[arg-type]
    assert_same_frame(on_duck[0], on_spark[0])
    assert_same_frame(on_duck[1], on_spark[1])  # the usual stage/channel too: ties sort
    assert not on_duck[1].empty and on_duck[1]["usual_stage"].notna().all()


def test_paths_and_funnels_are_the_same_on_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    for kwargs in ({"k": 3}, {"k": 2, "collapse_repeats": True, "gap_days": 7.0}):
        assert_same_frame(
            ja.top_paths(duck, "demo", **kwargs),  # type: ignore[arg-type]
            ja.top_paths(spark, "demo", **kwargs),  # type: ignore[arg-type]
        )
    stages = ja.observed_stage_order(duck, "demo")
    assert ja.observed_stage_order(spark, "demo") == stages
    wanted = [s.lower() for s in stages]
    # "In order" on Spark takes the portable path (ordered stage strings); DuckDB its own.
    on_spark = ja.stage_reach(spark, "demo", None, wanted, in_order=True)
    portable = ja.stage_reach(duck, "demo", None, wanted, in_order=True, fast=False)
    assert on_spark == portable == ja.stage_reach(duck, "demo", None, wanted, in_order=True)
    assert on_spark[0][0] > on_spark[0][-1] > 0


def test_planned_vs_actual_is_the_same_on_spark(engines: tuple[Engine, Engine]) -> None:
    duck, spark = engines
    db = duck.database
    assert db is not None
    plan = pa.load_plan(db, "demo", jm.find_journey(db, "demo", DEMO_JOURNEY_NAME))
    on_duck, on_spark = pa.compare(duck, "demo", plan), pa.compare(spark, "demo", plan)
    for part in ("stages", "touchpoints", "unseen", "unmapped", "moves", "examples"):
        assert_same_frame(getattr(on_duck, part), getattr(on_spark, part))
    counts = ("journeys", "backwards", "skipping", "in_order")
    assert [getattr(on_spark, c) for c in counts] == [getattr(on_duck, c) for c in counts]
    assert on_duck.journeys > 0
