"""Planned vs actual on a tiny journey map and a hand-made event log.

Plan "Plan": Discover [Ad, Blog] → Buy [Checkout (data_key checkout_v2)] → Use [App].
Events (one minute apart, per customer):
    u1: Ad, checkout_v2, APP          -> stages 0, 1, 2   in order
    u2: Ad, App                       -> 0, 2             skips Buy
    u3: Ad, Checkout, Ad, Checkout    -> 0, 1, 0, 1       goes backwards
    u4: Mystery, Newsletter(stage buy)-> -, 1             Newsletter placed by its stage column
    u5: Mystery                       -> not placed
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.charts.flow import planned_actual_chart
from cem.errors import NotFoundError
from cem.journeys import planned_actual as pa
from cem.store.db import Database
from tests.test_journey_analytics import insert_customer, insert_events

T0 = dt.datetime(2025, 5, 1, 9)


def make_plan(db: Database, workspace: str) -> int:
    db.execute(
        "INSERT INTO journeys (journey_id, workspace, name) VALUES (?, ?, ?)",
        [7, workspace, "Plan"],
    )
    for sid, pos, name in [(70, 0, "Discover"), (71, 1, "Buy"), (72, 2, "Use")]:
        db.execute(
            "INSERT INTO stages (stage_id, journey_id, position, name) VALUES (?,?,?,?)",
            [sid, 7, pos, name],
        )
    for tid, sid, pos, name, key in [
        (700, 70, 0, "Ad", None),
        (701, 70, 1, "Blog", None),
        (702, 71, 0, "Checkout", "checkout_v2"),
        (703, 72, 0, "App", ""),
    ]:
        db.execute(
            "INSERT INTO touchpoints (touchpoint_id, journey_id, stage_id, position, "
            "name, channel, data_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [tid, 7, sid, pos, name, "web", key],
        )
    return 7


def seq(cust: str, items: list[tuple[str, str | None]]) -> list[tuple]:
    return [
        (cust, T0 + dt.timedelta(minutes=i), tp, "web", stage)
        for i, (tp, stage) in enumerate(items)
    ]


@pytest.fixture
def plan_db(db: Database) -> Database:
    rows = (
        seq("u1", [("Ad", None), ("checkout_v2", None), ("APP", None)])
        + seq("u2", [("Ad", None), ("App", None)])
        + seq("u3", [("Ad", None), ("Checkout", None), ("Ad", None), ("Checkout", None)])
        + seq("u4", [("Mystery", None), ("Newsletter", "buy")])
        + seq("u5", [("Mystery", None)])
    )
    insert_events(db, "w", rows)
    for cust, seg in [("u1", "A"), ("u2", "A"), ("u3", "B"), ("u4", "B"), ("u5", "B")]:
        insert_customer(db, "w", cust, seg)
    make_plan(db, "w")
    return db


def test_plan_is_read_in_order(plan_db: Database) -> None:
    stages, touchpoints = pa.planned_journey(plan_db, "w", 7)
    assert [s.name for s in stages] == ["Discover", "Buy", "Use"]
    assert [(t.stage, t.name) for t in touchpoints] == [
        ("Discover", "Ad"),
        ("Discover", "Blog"),
        ("Buy", "Checkout"),
        ("Use", "App"),
    ]
    with pytest.raises(NotFoundError):
        pa.planned_journey(plan_db, "other", 7)  # another workspace's journey


def test_unseen_and_unmapped_touchpoints(plan_db: Database) -> None:
    result = pa.compare(duckdb_engine(plan_db), "w", pa.load_plan(plan_db, "w", 7))
    assert result.journey_name == "Plan"
    assert result.unseen["touchpoint"].tolist() == ["Blog"]
    assert result.unmapped[["touchpoint", "events", "customers"]].values.tolist() == [
        ["Mystery", 2, 2],
        ["Newsletter", 1, 1],
    ]
    # Events per planned touchpoint: Ad 4, Blog 0, Checkout 3 (incl. checkout_v2), App 2.
    tps = result.touchpoints.set_index("touchpoint")
    assert tps["events"].to_dict() == {"Ad": 4, "Blog": 0, "Checkout": 3, "App": 2}
    assert tps["position"].to_dict() == {"Ad": 0, "Blog": 1, "Checkout": 0, "App": 0}


def test_order_backwards_and_skips(plan_db: Database) -> None:
    result = pa.compare(duckdb_engine(plan_db), "w", pa.load_plan(plan_db, "w", 7))
    assert (result.journeys, result.backwards, result.skipping, result.in_order) == (4, 1, 1, 2)
    assert result.share(result.backwards) == pytest.approx(0.25)
    moves = {
        (r.from_stage, r.to_stage): (r.kind, r.moves, r.journeys) for r in result.moves.itertuples()
    }
    assert moves == {
        ("Discover", "Buy"): ("next stage", 3, 2),
        ("Buy", "Use"): ("next stage", 1, 1),
        ("Discover", "Use"): ("skip", 1, 1),
        ("Buy", "Discover"): ("backwards", 1, 1),
    }
    assert result.examples.values.tolist() == [
        ["backwards", "u3", "Discover → Buy → Discover → Buy"],
        ["skip", "u2", "Discover → Use"],
    ]


def test_stage_reach_and_dropoff(plan_db: Database) -> None:
    stages = pa.compare(duckdb_engine(plan_db), "w", pa.load_plan(plan_db, "w", 7)).stages
    # Furthest: u1 Use, u2 Use, u3 Buy, u4 Buy.
    assert stages["journeys"].tolist() == [4, 4, 2]
    assert stages["visited"].tolist() == [3, 3, 2]
    assert stages["dropped"].tolist() == [0, 2, 0]
    assert stages["drop_rate"].tolist() == pytest.approx([0.0, 0.5, 0.0])


def test_filters_apply(plan_db: Database) -> None:
    result = pa.compare(
        duckdb_engine(plan_db), "w", pa.load_plan(plan_db, "w", 7), Filters.make(segment=["A"])
    )  # u1, u2
    assert (result.journeys, result.backwards, result.skipping) == (2, 0, 1)
    assert result.unmapped.empty
    assert result.stages["journeys"].tolist() == [2, 2, 2]


def test_journey_without_events_or_stages(db: Database) -> None:
    make_plan(db, "w")
    result = pa.compare(duckdb_engine(db), "w", pa.load_plan(db, "w", 7))
    assert result.journeys == 0
    assert result.unseen["touchpoint"].tolist() == ["Ad", "Blog", "Checkout", "App"]
    assert result.stages["journeys"].tolist() == [0, 0, 0]
    db.execute("INSERT INTO journeys (journey_id, workspace, name) VALUES (8, 'w', 'Empty')")
    empty = pa.compare(duckdb_engine(db), "w", pa.load_plan(db, "w", 8))
    assert empty.stages.empty and empty.touchpoints.empty
    assert pa.list_journeys(db, "w") == [(8, "Empty"), (7, "Plan")]


def test_planned_actual_chart(plan_db: Database) -> None:
    result = pa.compare(duckdb_engine(plan_db), "w", pa.load_plan(plan_db, "w", 7))
    spec = planned_actual_chart(result.stages, result.touchpoints).to_dict()
    top, drops, bottom = spec["vconcat"]
    # Planned stages are the columns, in the planned order.
    assert top["layer"][0]["encoding"]["x"]["sort"] == ["Discover", "Buy", "Use"]
    values = {
        v["touchpoint"]: v for v in _values(spec, bottom.get("data") or bottom["layer"][0]["data"])
    }
    assert values["Blog"]["status"] == "planned, never seen"
    assert values["Blog"]["text"] == "Blog (unseen)"
    assert values["Ad"]["status"] == "planned, seen"
    drop_text = [
        v["drop_text"] for v in _values(spec, drops.get("data") or drops["layer"][0]["data"])
    ]
    assert drop_text == ["", "▼ 2 stop (50%)", ""]


def _values(spec: dict, data: dict) -> list[dict]:
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def test_chart_handles_empty_plan() -> None:
    stages = pd.DataFrame(
        columns=["position", "stage", "journeys", "visited", "dropped", "drop_rate"]
    )
    tps = pd.DataFrame(
        columns=["stage_position", "stage", "position", "touchpoint", "events", "seen"]
    )
    spec = planned_actual_chart(stages, tps).to_dict()
    assert len(spec["vconcat"]) == 3
