"""The result cache, and its warming after an import: the first page view after an import
finds its heavy results computed (the cached functions are not run again by the page)."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cem.access.principal import CLI_ADMIN
from cem.analytics import drivers, overview
from cem.analytics import result_cache as rc
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.charts import specs
from cem.ingest import load
from cem.journeys import planned_actual as pa
from cem.store.db import Database
from cem.ui import warm
from cem.voc import jobs

APP = str(Path(__file__).resolve().parents[1] / "app.py")
EVENTS_CSV = (
    b"Customer ID,Timestamp,Touchpoint,Channel,Stage\n"
    b"W1,2026-01-02 10:00,Website visit,web,Research\n"
    b"W1,2026-01-03 10:00,Online checkout,web,Purchase\n"
    b"W2,2026-01-02 11:00,Website visit,web,Research\n"
    b"W2,2026-01-04 09:00,Phone support,phone,Support\n"
)
RESPONSES_CSV = (
    "Customer ID,Submitted at,How likely are you to recommend us?,Comment,Speed rating\n"
    + "".join(
        f"R{i},2026-02-{1 + i % 27:02d},{i % 11},{'slow delivery' if i % 3 else ''},{1 + i % 5}\n"
        for i in range(60)
    )
).encode()
HEAVY = (
    overview.kpi_trend,
    ja.event_summary,
    ja.flow_figures,
    ja.observed_stage_order,
    pa.compare,
    drivers.key_drivers,
    specs.overview_trend_spec,
    specs.touchpoint_ranking_spec,
)


def _computed(*funcs: object) -> dict[tuple[str, str], int]:
    return {rc.function_name(f): rc.RESULTS.computed.get(rc.function_name(f), 0) for f in funcs}  # type: ignore[arg-type]


def _wait_warm(db: Database, workspace: str) -> None:
    for _ in range(2):  # the analysis may start the warmer's second round
        thread = warm._RUNNING.get((id(db), workspace))
        if thread is not None:
            thread.join(timeout=300)
        for voc in [t for t in threading.enumerate() if t.name == f"voc-{workspace}"]:
            voc.join(timeout=300)
    assert not jobs.is_running(db, workspace)
    assert (id(db), workspace) not in warm._RUNNING


def test_cache_computes_once_and_hands_out_copies(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.duckdb")
    calls: list[int] = []

    def frame(_source: object, workspace: str, n: int) -> pd.DataFrame:
        calls.append(n)
        return pd.DataFrame({"n": [n]})

    cache = rc.ResultCache(max_entries=2)
    first = cache.get(db, frame, "w", (1,), {}, on_engine=False)
    first.loc[0, "n"] = 99  # a caller changing its copy changes nothing cached
    assert cache.get(db, frame, "w", (1,), {}, on_engine=False).loc[0, "n"] == 1
    assert calls == [1]
    db.execute("INSERT INTO workspaces(name) VALUES ('w')")
    db.execute("UPDATE workspaces SET revision = revision + 1 WHERE name = 'w'")
    cache.get(db, frame, "w", (1,), {}, on_engine=False)  # a new revision recomputes
    cache.get(db, frame, "w", (2,), {}, on_engine=False)
    cache.get(db, frame, "w", (3,), {}, on_engine=False)  # evicts the least recent
    assert calls == [1, 1, 2, 3]
    assert not cache.holds(db, frame, "w", (1,), on_engine=False)
    db.close()


def test_concurrent_callers_share_one_computation(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.duckdb")
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow(_source: object, _workspace: str) -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    cache = rc.ResultCache()
    results: list[int] = []
    first = threading.Thread(
        target=lambda: results.append(cache.get(db, slow, "w", (), {}, on_engine=False))
    )
    first.start()
    started.wait(10)
    second = threading.Thread(
        target=lambda: results.append(cache.get(db, slow, "w", (), {}, on_engine=False))
    )
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert results == [42, 42] and calls == [1]
    db.close()


@pytest.fixture
def hooks() -> None:
    from cem.ui.voc import install_import_hook

    install_import_hook()  # as app.py: comment analysis first, then the warmer
    warm.install_warm_hook()


def test_import_warms_the_pages_first_results(app_env: Path, hooks: None) -> None:
    db = Database(app_env)
    try:
        load.import_file(db, "demo", EVENTS_CSV, "events", actor=CLI_ADMIN, file_name="e.csv")
        load.import_file(db, "demo", RESPONSES_CSV, "responses", actor=CLI_ADMIN, file_name="r.csv")
        _wait_warm(db, "demo")
        filters = Filters()
        summary = rc.cached_analytics(db, ja.event_summary, "demo", filters)
        per_journey = int(summary["events"]) <= warm.PER_JOURNEY_MAX_EVENTS  # type: ignore[call-overload]
        kwargs = {"gap_days": None, "collapse_repeats": True, "per_journey": per_journey}
        assert rc.RESULTS.holds(db, ja.flow_figures, "demo", (filters,), kwargs)
        outcome = next(iter(rc.cached_analytics(db, drivers.outcome_options, "demo")))
        assert rc.RESULTS.holds(db, drivers.key_drivers, "demo", (outcome, None, filters))
        journey_id = pa.list_journeys(db, "demo")[0][0]
        plan = pa.load_plan(db, "demo", journey_id)
        assert rc.RESULTS.holds(db, pa.compare, "demo", (plan, filters))
        # The imported customers are in the warmed figures.
        assert summary["customers"] == ja.event_summary(rc.duckdb_engine(db), "demo")["customers"]

        before = _computed(*HEAVY)
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        pages = ("pages/overview.py", "pages/journey_analytics.py", "pages/drivers.py")
        for page in (*pages, "pages/explorer.py"):
            at.switch_page(page)
            at.run()
            assert not at.exception, [e.value for e in at.exception]
        assert _computed(*HEAVY) == before  # nothing heavy ran again for the page views
        rc.RESULTS.clear()  # the control: without the warm cache the same views compute
        rc.RESULTS.use_store = False  # (the results the warmer kept in the database too)
        at.switch_page("pages/journey_analytics.py")
        at.run()
        at.switch_page("pages/drivers.py")
        at.run()
        at.switch_page("pages/explorer.py")
        at.run()
        at.switch_page("pages/overview.py")
        at.run()
        after = _computed(*HEAVY)
        for func in (specs.overview_trend_spec, specs.touchpoint_ranking_spec):
            assert after[rc.function_name(func)] > before[rc.function_name(func)]
        for func in (ja.flow_figures, drivers.key_drivers, overview.kpi_trend):
            assert after[rc.function_name(func)] == before[rc.function_name(func)] + 1
    finally:
        rc.RESULTS.use_store = True
        db.close()
