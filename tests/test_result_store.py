"""Heavy results kept in the database per data revision (cem.analytics.result_store): a
second process reads exactly what the first computed, and any write makes it stale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN
from cem.analytics import result_cache as rc
from cem.analytics import result_store as rs
from cem.analytics.engine import duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.journeys import planned_actual as pa
from cem.store.db import Database, bump_revision
from cem.store.workspaces import create_workspace, delete_workspace


@pytest.fixture
def keep_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rs, "KEEP_SECONDS", 0.0)  # the demo is small: keep even fast ones


def _kept(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM analytics_results").fetchone()[0])  # type: ignore[index]


def test_values_round_trip_exactly() -> None:
    frame = pd.DataFrame(
        {
            "a": [1, 2],
            "b": ["x", None],
            "c": [0.5, float("nan")],
            "d": pd.to_datetime(["2025-01-01", None]).astype("datetime64[s]"),
            "e": [True, False],
        }
    )
    value = {
        "frame": frame,
        ("k", 1): [np.int64(3), 2.5, None, pd.Timestamp("2025-02-03 04:05")],
        "when": dt.date(2025, 1, 2),
        "set": frozenset({"b", "a"}),
        "filters": Filters.make(segment=["SMB", "Enterprise"]),
        "series": pd.Series([1.5, 2.5], index=["a", "b"], name="x"),
        "row": frame.iloc[0],  # mixed values (object dtype)
    }
    back = rs.decode(rs.encode(value))
    assert rs.same(back, value)
    assert back["filters"] == value["filters"]
    pd.testing.assert_frame_equal(back["frame"], frame)
    assert not rs.same(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1.0]}))  # dtype counts


def test_other_objects_are_not_stored() -> None:
    class Foreign:
        pass

    with pytest.raises(rs.Unstorable):
        rs.encode(Foreign())
    with pytest.raises(rs.Unstorable):
        rs.decode({rs.TAG: "dc", "cls": "os:system", "v": {}})  # only cem dataclasses


def test_key_is_the_same_in_every_process() -> None:
    one = rs.result_key(("m", "f"), (Filters.make(segment=["b", "a"]),), {"k": frozenset("xyz")})
    two = rs.result_key(("m", "f"), (Filters.make(segment=["a", "b"]),), {"k": frozenset("zyx")})
    assert one == two
    assert one != rs.result_key(("m", "f"), (Filters.make(segment=["a"]),), {"k": frozenset()})


def test_another_version_of_the_code_never_reads_a_kept_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A result kept before an upgrade (another formula, another frame shape: the Key
    drivers ranking gained a column) is a different key: recomputed, never served."""
    key = rs.result_key(("cem.analytics.drivers", "key_drivers"), ("demo",), {})
    assert len(rs.code_fingerprint()) == 16
    monkeypatch.setattr(rs, "code_fingerprint", lambda: "another-version")
    assert rs.result_key(("cem.analytics.drivers", "key_drivers"), ("demo",), {}) != key


def test_a_fresh_process_reads_what_the_first_computed(
    demo_db_copy: Path, keep_everything: None
) -> None:
    db = Database(demo_db_copy)
    try:
        plan = pa.load_plan(db, "demo", pa.list_journeys(db, "demo")[0][0])
        filters = Filters()
        calls = [
            (ja.touchpoint_stats, (filters,), {"gap_days": None, "collapse_repeats": True}),
            (ja.transitions, (filters,), {"collapse_repeats": True, "per_journey": True}),
            (ja.observed_stage_order, (filters,), {}),
            (pa.compare, (plan, filters), {}),
            (ja.flow_figures, (filters,), {"collapse_repeats": True, "gap_days": 7.0}),
        ]
        first = rc.ResultCache(keep_in_background=False)
        computed = [first.get(db, f, "demo", a, k, on_engine=True) for f, a, k in calls]
        assert _kept(db) == len(calls)
        second = rc.ResultCache(
            keep_in_background=False
        )  # a restarted server: empty memory, same database
        read = [second.get(db, f, "demo", a, k, on_engine=True) for f, a, k in calls]
        assert second.loaded == len(calls) and not second.computed
        engine = duckdb_engine(db)
        for (func, args, kwargs), got, mine in zip(calls, read, computed, strict=True):
            fresh = func(engine, "demo", *args, **kwargs)  # type: ignore[operator]
            assert rs.same(got, fresh) and rs.same(got, mine)
        pd.testing.assert_frame_equal(read[3].stages, computed[3].stages)
        assert read[3].journeys == computed[3].journeys > 0
    finally:
        db.close()


def test_a_write_or_a_new_workspace_makes_kept_results_stale(
    demo_db_copy: Path, keep_everything: None
) -> None:
    db = Database(demo_db_copy)
    try:
        args = (Filters(),)
        rc.ResultCache(keep_in_background=False).get(
            db, ja.observed_stage_order, "demo", args, {}, on_engine=True
        )
        with db.transaction() as cur:
            bump_revision(cur, "demo")
        again = rc.ResultCache(keep_in_background=False)
        again.get(db, ja.observed_stage_order, "demo", args, {}, on_engine=True)
        assert again.loaded == 0 and sum(again.computed.values()) == 1
        assert _kept(db) == 1  # the stale row was replaced

        create_workspace(db, "w2", actor=CLI_ADMIN)
        rc.ResultCache(keep_in_background=False).get(
            db, ja.has_events, "w2", (), {}, on_engine=True
        )
        revision = db.data_version("w2")
        delete_workspace(db, "w2", actor=CLI_ADMIN)
        create_workspace(db, "w2", actor=CLI_ADMIN)
        with db.transaction() as cur:  # same name, same revision number: still not served
            for _ in range(revision - db.data_version("w2")):
                bump_revision(cur, "w2")
        assert db.data_version("w2") == revision
        fresh = rc.ResultCache(keep_in_background=False)
        fresh.get(db, ja.has_events, "w2", (), {}, on_engine=True)
        assert fresh.loaded == 0
    finally:
        db.close()


def test_read_only_databases_and_fast_results_are_not_written(
    demo_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rs, "KEEP_SECONDS", 3600.0)  # every result is "fast"
    db = Database(demo_db_copy)
    cache = rc.ResultCache(keep_in_background=False)
    cache.get(db, ja.has_events, "demo", (), {}, on_engine=True)
    assert _kept(db) == 0
    db.close()
    ro = Database(demo_db_copy, read_only=True)
    try:
        assert not rs.keep(ro, "demo", "k", ro.data_version("demo"), ("m", "f"), 1, 99.0)
    finally:
        ro.close()
