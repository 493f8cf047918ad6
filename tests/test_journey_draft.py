"""Drafts from real data: touchpoint order on hand-built event logs (worked by hand in the
comments), stages from the stage column, drop-off, channels, customers' emotion, and the
``python -m cem journey draft`` command."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.cli.main import main as cli_main
from cem.errors import InputError
from cem.journeys import api as jm
from cem.journeys.draft import create_draft_journey, draft_from_events
from cem.store.db import Database
from tests.test_journey_analytics import insert_events

T0 = dt.datetime(2025, 3, 1, 8)


def _paths(paths: dict[str, list[tuple[str, str | None, str | None]]]) -> list[tuple]:
    return [
        (cust, T0 + dt.timedelta(hours=i), tp, channel, stage)
        for cust, steps in paths.items()
        for i, (tp, channel, stage) in enumerate(steps)
    ]


@pytest.fixture
def unstaged(db: Database) -> Database:
    # First-visit positions relative to each path (0 = first event, 1 = last):
    #   u1 A B C -> A 0, B .5, C 1      u2 A C   -> A 0, C 1
    #   u3 B C D -> B 0, C .5, D 1      u4 A B   -> A 0, B 1
    # Medians: A 0, B .5, C 1, D 1 (C before D: 3 customers against 1).
    # Ends of paths: C (u1, u2), D (u3), B (u4).
    insert_events(
        db,
        "w",
        _paths(
            {
                "u1": [("A", "web", None), ("B", "web", None), ("C", "email", None)],
                "u2": [("A", "app", None), ("C", "email", None)],
                "u3": [("B", "web", None), ("C", "phone", None), ("D", "store", None)],
                "u4": [("A", "app", None), ("B", "web", None)],
            }
        ),
    )
    return db


def test_touchpoints_in_the_order_customers_meet_them(unstaged: Database) -> None:
    draft = draft_from_events(duckdb_engine(unstaged), "w")
    tps = [tp for _, stage in draft.stages for tp in stage]
    assert [tp.name for tp in tps] == ["A", "B", "C", "D"]
    assert [tp.position for tp in tps] == [0.0, 0.5, 1.0, 1.0]
    assert [tp.customers for tp in tps] == [3, 3, 3, 1]
    assert [round(tp.drop_off, 4) for tp in tps] == [0.0, round(1 / 3, 4), round(2 / 3, 4), 1.0]
    # Channel: the one most of its events use (A: app 2 of 3; C: email 2 of 3).
    assert [tp.channel for tp in tps] == ["app", "web", "email", "store"]
    # No stage column: stages "Step n" of equal size, for the team to rename.
    assert [name for name, _ in draft.stages] == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert draft.customers == 4


def test_stage_column_groups_and_orders_stages(db: Database) -> None:
    # W is always first (0); X at .5, 1, .5 -> .5; Y at 1, .5, 1 -> 1.
    # Y's events say Buy twice and Use once -> Buy. Buy's median position .75 > Discover's 0.
    insert_events(
        db,
        "w",
        _paths(
            {
                "v1": [("W", "web", "Discover"), ("X", "web", "Buy"), ("Y", "web", "Buy")],
                "v2": [("W", "web", "Discover"), ("Y", "app", "Buy"), ("X", "web", "Buy")],
                "v3": [("W", "web", "Discover"), ("X", "app", "Buy"), ("Y", "web", "Use")],
            }
        ),
    )
    draft = draft_from_events(duckdb_engine(db), "w")
    assert [(name, [tp.name for tp in tps]) for name, tps in draft.stages] == [
        ("Discover", ["W"]),
        ("Buy", ["X", "Y"]),
    ]


def test_draft_journey_has_data_keys_and_customers_emotion(unstaged: Database) -> None:
    # Responses at touchpoint "c": NPS 0 and 10 -> mean 5 -> 0 on −2..+2; at "A": CSAT 5 -> +2.
    for rid, tp, nps, csat in [(1, " c ", 0, None), (2, "C", 10, None), (3, "a", None, 5)]:
        unstaged.execute(
            "INSERT INTO responses_base (response_id, workspace, import_id, touchpoint, nps, csat) "
            "VALUES (?, 'w', 1, ?, ?, ?)",
            [rid, tp, nps, csat],
        )
    jid = create_draft_journey(duckdb_engine(unstaged), "w", "From data", actor=LOCAL_ADMIN)
    journey = jm.get_journey(unstaged, "w", jid)
    by_name = {tp.name: tp for tp in journey.touchpoints}
    assert [tp.name for tp in journey.touchpoints] == ["A", "B", "C", "D"]
    assert (by_name["A"].emotion, by_name["C"].emotion, by_name["B"].emotion) == (2, 0, None)
    assert all(tp.data_key == tp.name for tp in journey.touchpoints)
    assert (
        by_name["C"].description
        == "3 customers · 67% of them end here · customers' emotion +0.0 (n=2)"
    )
    # Drop-off of 25% or more with at least 30 customers is flagged; these have 3, so none.
    assert not any(tp.pain_point for tp in journey.touchpoints)


def test_no_events_is_a_clear_error(db: Database) -> None:
    from cem.store.workspaces import ensure_workspace

    ensure_workspace(db, "empty")
    with pytest.raises(InputError, match="no touchpoint events"):
        draft_from_events(duckdb_engine(db), "empty")


def test_cli_prints_the_draft_as_json(
    unstaged: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = unstaged.path
    unstaged.close()
    status = cli_main(
        [
            "journey",
            "draft",
            "--workspace",
            "w",
            "--name",
            "CLI draft",
            "--format",
            "json",
            "--db",
            path,
        ]
    )
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert [[tp["name"] for tp in s["touchpoints"]] for s in out["stages"]] == [
        ["A"],
        ["B"],
        ["C"],
        ["D"],
    ]
    assert out["stages"][0]["touchpoints"][0]["channel"] == "app"
    db = Database(path)
    assert jm.get_journey(db, "w", out["journey_id"]).name == "CLI draft"
