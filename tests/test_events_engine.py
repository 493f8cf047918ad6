"""The one-pass event analytics against independent computations.

* the DuckDB fast path of the "in order" funnel gives the numbers of the portable path;
* on the demo workspace, transitions, paths, both stage funnels, stage times and planned
  vs actual equal plain-pandas implementations of the definitions (written here, step
  by step, with no call to the code under test);
* the ``events`` CLI prints the page's numbers (hand-worked on the log of
  :mod:`tests.test_journey_analytics`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cem.analytics.engine import Engine, duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.events.funnels import stage_reach
from cem.analytics.filters import Filters
from cem.cli.main import main
from cem.journeys import planned_actual as pa
from cem.store.db import Database
from tests.test_journey_analytics import LOG, STAGES, insert_events


@pytest.fixture(scope="module")
def demo(demo_db_file) -> tuple[Engine, pd.DataFrame]:  # type: ignore[no-untyped-def]
    db = Database(demo_db_file)
    ev = db.execute(
        "SELECT event_id, customer_id, occurred_at, touchpoint, channel, stage FROM events "
        "WHERE workspace = 'demo' ORDER BY customer_id, occurred_at, event_id"
    ).df()
    return duckdb_engine(db), ev


def _next(ev: pd.DataFrame, column: str) -> pd.Series:
    return ev.groupby("customer_id", sort=False)[column].shift(-1)


# -- fast path == portable path -------------------------------------------------------------
def test_in_order_fast_path_equals_portable_path(db: Database) -> None:
    insert_events(db, "w", LOG)
    engine = duckdb_engine(db)
    wanted = [s.lower() for s in STAGES]
    for filters in (Filters(), Filters.make(channel=["web"])):
        for gap in (None, 3.0):
            fast = stage_reach(engine, "w", filters, wanted, in_order=True, gap_days=gap)
            slow = stage_reach(
                engine, "w", filters, wanted, in_order=True, gap_days=gap, fast=False
            )
            assert fast == slow
    assert stage_reach(engine, "w", None, wanted, in_order=True)[0] == [4, 2, 2, 1]


def test_in_order_fast_path_equals_portable_path_on_demo(demo) -> None:  # type: ignore[no-untyped-def]
    engine, _ = demo
    order = [s.lower() for s in ja.observed_stage_order(engine, "demo")]
    fast = stage_reach(engine, "demo", None, order, in_order=True)
    slow = stage_reach(engine, "demo", None, order, in_order=True, fast=False)
    assert fast == slow and fast[0][0] > fast[0][-1] > 0


# -- the demo against pandas ----------------------------------------------------------------
def test_transitions_equal_pandas_on_demo(demo) -> None:  # type: ignore[no-untyped-def]
    engine, ev = demo
    nxt = _next(ev, "touchpoint")
    for collapse in (False, True):
        keep = nxt.isna() | (nxt != ev["touchpoint"]) if collapse else pd.Series(True, ev.index)
        expected = (
            pd.DataFrame({"s": ev["touchpoint"][keep], "t": nxt[keep].fillna("<exit>")})
            .value_counts()
            .to_dict()
        )
        got = ja.transitions(engine, "demo", collapse_repeats=collapse, per_journey=False)
        got_map = {
            (r.source, r.target if r.target is not None else "<exit>"): r.transitions
            for r in got.itertuples()
        }
        assert got_map == expected
        assert got.groupby("source")["share"].sum().to_numpy() == pytest.approx(1.0)


def test_top_paths_equal_pandas_on_demo(demo) -> None:  # type: ignore[no-untyped-def]
    engine, ev = demo
    seqs = ev.groupby("customer_id", sort=False)["touchpoint"].agg(list)
    paths = seqs.map(lambda s: " → ".join(s[:3]) + (" → …" if len(s) > 3 else "")).value_counts()
    expected = sorted(paths.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    got = ja.top_paths(engine, "demo", k=3, limit=20)
    assert list(zip(got["path"], got["journeys"], strict=True)) == expected
    assert got["share"].tolist() == pytest.approx([n / len(seqs) for _, n in expected])


def test_stage_funnels_equal_pandas_on_demo(demo) -> None:  # type: ignore[no-untyped-def]
    engine, ev = demo
    order = ja.observed_stage_order(engine, "demo")
    index = {s.lower(): i for i, s in enumerate(order)}
    idx = ev["stage"].str.strip().str.lower().map(index)
    placed = ev.assign(idx=idx).dropna(subset=["idx"])
    furthest = placed.groupby("customer_id")["idx"].max()
    reached = [int((furthest >= i).sum()) for i in range(len(order))]
    visited = [
        int(placed.loc[placed["idx"] == i, "customer_id"].nunique()) for i in range(len(order))
    ]

    def greedy(items: list[float]) -> int:
        level = 0
        for x in items:
            if x == level:
                level += 1
        return level

    levels = placed.groupby("customer_id", sort=False)["idx"].agg(lambda s: greedy(list(s)))
    in_order = [int((levels > i).sum()) for i in range(len(order))]
    got = ja.stage_funnel(engine, "demo", stages=order)
    assert got["journeys"].tolist() == reached
    assert got["visited"].tolist() == visited
    got_in_order = ja.stage_funnel(engine, "demo", stages=order, mode="in_order")
    assert got_in_order["journeys"].tolist() == in_order
    assert in_order != reached  # the demo has backtracking, so the two modes differ

    secs = (placed["occurred_at"] - pd.Timestamp(0)).dt.total_seconds()
    first = placed.assign(secs=secs).groupby(["customer_id", "idx"])["secs"].min().unstack()
    timing = ja.time_between_stages(engine, "demo", stages=order)
    for i in range(len(order) - 1):
        a, b = first.get(float(i)), first.get(float(i + 1))
        hours = ((b - a) / 3600.0)[(a.notna()) & (b.notna()) & (b >= a)]
        assert timing.loc[i, "journeys"] == len(hours)
        if len(hours):
            assert timing.loc[i, "median_hours"] == pytest.approx(np.quantile(hours, 0.5))
            assert timing.loc[i, "p90_hours"] == pytest.approx(np.quantile(hours, 0.9))


def test_planned_vs_actual_equals_pandas_on_demo(demo, demo_db_file) -> None:  # type: ignore[no-untyped-def]
    engine, ev = demo
    db = engine.database
    assert db is not None
    (journey_id, _), *_ = pa.list_journeys(db, "demo")
    plan = pa.load_plan(db, "demo", journey_id)
    result = pa.compare(engine, "demo", plan)
    tp_map = pa.touchpoint_stage_map(list(plan.touchpoints))
    stage_map = plan.stage_map()
    idx = [
        tp_map.get(pa.match_key(t), stage_map.get(pa.match_key(s)) if s is not None else None)
        for t, s in zip(ev["touchpoint"], ev["stage"], strict=True)
    ]
    placed = ev.assign(idx=idx).dropna(subset=["idx"])
    seqs = placed.groupby("customer_id", sort=True)["idx"].agg(
        lambda s: [int(x) for i, x in enumerate(s) if i == 0 or x != s.iloc[i - 1]]
    )
    backwards = seqs.map(lambda q: any(b < a for a, b in zip(q, q[1:], strict=False)))
    skipping = seqs.map(lambda q: any(b > a + 1 for a, b in zip(q, q[1:], strict=False)))
    assert result.journeys == len(seqs)
    assert result.backwards == int(backwards.sum())
    assert result.skipping == int(skipping.sum())
    assert result.in_order == int((~backwards & ~skipping).sum())
    furthest = seqs.map(max)
    assert result.stages["journeys"].tolist() == [
        int((furthest >= i).sum()) for i in range(len(plan.stages))
    ]
    moves: dict[tuple[int, int], int] = {}
    for q in seqs:
        for a, b in zip(q, q[1:], strict=False):
            moves[(a, b)] = moves.get((a, b), 0) + 1
    names = [s.name for s in plan.stages]
    got = {(r.from_stage, r.to_stage): r.moves for r in result.moves.itertuples()}
    assert got == {(names[a], names[b]): n for (a, b), n in moves.items()}
    first_back = backwards[backwards].index[0]
    row = result.examples[result.examples["kind"] == "backwards"].iloc[0]
    assert row["customer_id"] == first_back
    assert row["sequence"] == " → ".join(names[i] for i in seqs[first_back])


# -- CLI ------------------------------------------------------------------------------------
@pytest.fixture
def cli_db(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "cli.duckdb"
    db = Database(path)
    insert_events(db, "w", LOG)
    db.close()
    monkeypatch.setenv("TOUCHPOINT_DB", str(path))
    return path


def _run(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    assert main(["events", *argv]) == 0
    return capsys.readouterr().out


def test_cli_funnel(cli_db, capsys) -> None:  # type: ignore[no-untyped-def]
    stages = ",".join(STAGES)
    out = _run(capsys, "funnel", "--workspace", "w", "--stages", stages, "--in-order")
    # c1 all four; c2 Aw, Re, Pu; c3, c5 Aw only (see test_stage_funnel_in_order).
    assert out.splitlines() == [
        "stage,journeys",
        "Awareness,4",
        "Research,2",
        "Purchase,2",
        "Support,1",
    ]
    out = _run(capsys, "funnel", "--workspace", "w", "--stages", stages, "--format", "json")
    # Furthest stage: c1 Support, c2 Purchase, c3 Purchase, c4 Support, c5 Research.
    assert json.loads(out) == [
        {"stage": "Awareness", "journeys": 5},
        {"stage": "Research", "journeys": 5},
        {"stage": "Purchase", "journeys": 4},
        {"stage": "Support", "journeys": 2},
    ]


def test_cli_paths_and_transitions(cli_db, capsys) -> None:  # type: ignore[no-untyped-def]
    out = _run(capsys, "paths", "--workspace", "w", "--k", "2")
    assert out.splitlines() == [
        "path,journeys,share",
        "Ad → Site → …,2,0.4",
        "Site → Ad,1,0.2",
        "Site → Ad → …,1,0.2",
        "Support,1,0.2",
    ]
    out = _run(capsys, "transitions", "--workspace", "w", "--collapse-repeats", "--format", "json")
    rows = {(r["source"], r["target"]): (r["transitions"], r["share"]) for r in json.loads(out)}
    # Site departures with repeats collapsed: c1 →Checkout, c2 →Checkout, c3 →Ad, c5 →Ad.
    assert rows[("Site", "Checkout")] == (2, pytest.approx(0.5))
    assert ("Site", "Site") not in rows
    assert rows[("Support", None)] == (2, pytest.approx(1.0))
    out = _run(capsys, "transitions", "--workspace", "w", "--filter", "channel=phone")
    assert out.splitlines() == ["source,target,transitions,share", "Support,,2,1.0"]


def test_cli_errors_are_one_line(cli_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["events", "paths", "--workspace", "nope"]) == 2
    assert "no workspace 'nope'" in capsys.readouterr().err
    assert main(["events", "paths", "--workspace", "w", "--filter", "colour=red"]) == 2
    assert "Unknown filter" in capsys.readouterr().err
    assert main(["events", "paths", "--workspace", "w", "--k", "0"]) == 2
