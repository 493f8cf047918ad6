"""Journey analytics on a hand-made event log; every expected number is worked out by hand
in the comments below (no call to the code under test computes an expectation).

The log (event ids in insertion order; D1 = 2025-03-01):

    id cust time        touchpoint channel stage
     1 c1   D1 10:00    Ad         web     Awareness
     2 c1   D1 12:00    Site       web     Research
     3 c1   D2 10:00    Checkout   web     Purchase
     4 c1   D3 10:00    Support    phone   Support
     5 c2   D1 09:00    Ad         social  Awareness
     6 c2   D1 09:00    Site       web     Research     (tie with 5: id order)
     7 c2   D5 09:00    Site       web     Research     (repeat)
     8 c2   D5 10:00    Checkout   web     Purchase
     9 c3   D2 08:00    Site       web     Research
    10 c3   D2 09:00    Ad         social  Awareness    (backwards)
    11 c3   D12 09:00   Checkout   web     Purchase     (10-day gap)
    12 c4   D3 10:00    Support    phone   Support      (single event)
    13 c5   D4 10:00    Site       web     Research
    14 c5   D4 10:00    Ad         social  Awareness    (tie with 13: id beats name)

Sequences: c1 Ad,Site,Checkout,Support · c2 Ad,Site,Site,Checkout · c3 Site,Ad,Checkout ·
c4 Support · c5 Site,Ad.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from cem.analytics.engine import duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.errors import InputError
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

D1 = dt.datetime(2025, 3, 1)
STAGES = ["Awareness", "Research", "Purchase", "Support"]


def at(day: int, hour: int) -> dt.datetime:
    return D1 + dt.timedelta(days=day - 1, hours=hour)


LOG = [
    ("c1", at(1, 10), "Ad", "web", "Awareness"),
    ("c1", at(1, 12), "Site", "web", "Research"),
    ("c1", at(2, 10), "Checkout", "web", "Purchase"),
    ("c1", at(3, 10), "Support", "phone", "Support"),
    ("c2", at(1, 9), "Ad", "social", "Awareness"),
    ("c2", at(1, 9), "Site", "web", "Research"),
    ("c2", at(5, 9), "Site", "web", "Research"),
    ("c2", at(5, 10), "Checkout", "web", "Purchase"),
    ("c3", at(2, 8), "Site", "web", "Research"),
    ("c3", at(2, 9), "Ad", "social", "Awareness"),
    ("c3", at(12, 9), "Checkout", "web", "Purchase"),
    ("c4", at(3, 10), "Support", "phone", "Support"),
    ("c5", at(4, 10), "Site", "web", "Research"),
    ("c5", at(4, 10), "Ad", "social", "Awareness"),
]


def insert_events(db: Database, workspace: str, rows: list[tuple], start_id: int = 1) -> None:
    ensure_workspace(db, workspace)
    for i, (cust, when, tp, channel, stage) in enumerate(rows):
        db.execute(
            "INSERT INTO events_base (event_id, workspace, import_id, source_row, customer_id,"
            " occurred_at, touchpoint, channel, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [start_id + i, workspace, 1, i + 1, cust, when, tp, channel, stage],
        )


def insert_customer(db: Database, workspace: str, cust: str, segment: str) -> None:
    db.execute(
        "INSERT INTO customers (workspace, import_id, customer_id, segment) VALUES (?, ?, ?, ?)",
        [workspace, 1, cust, segment],
    )


def insert_response(
    db: Database, workspace: str, rid: int, cust: str | None, nps: int | None, csat: int | None
) -> None:
    db.execute(
        "INSERT INTO responses_base (response_id, workspace, import_id, customer_id, nps, "
        "csat) VALUES (?, ?, ?, ?, ?, ?)",
        [rid, workspace, 1, cust, nps, csat],
    )


@pytest.fixture
def log_db(db: Database) -> Database:
    insert_events(db, "w", LOG)
    # Another workspace with the same customer id must never leak in.
    insert_events(db, "other", [("c1", at(1, 11), "Ad", "web", "Awareness")], start_id=100)
    for cust, seg in [
        ("c1", "SMB"),
        ("c2", "SMB"),
        ("c3", "Enterprise"),
        ("c4", "Enterprise"),
        ("c5", "Enterprise"),
    ]:
        insert_customer(db, "w", cust, seg)
    return db


def as_dict(df: pd.DataFrame, value: str) -> dict[tuple[str, str | None], object]:
    return {(r.source, r.target): getattr(r, value) for r in df.itertuples()}


# -- transitions --------------------------------------------------------------------------
def test_transition_counts_exits_and_shares(log_db: Database) -> None:
    df = ja.transitions(duckdb_engine(log_db), "w")
    assert as_dict(df, "transitions") == {
        ("Ad", "Site"): 2,
        ("Site", "Checkout"): 2,
        ("Site", "Ad"): 2,  # c3 and c5 (tie)
        ("Checkout", None): 2,
        ("Support", None): 2,
        ("Checkout", "Support"): 1,
        ("Site", "Site"): 1,
        ("Ad", "Checkout"): 1,
        ("Ad", None): 1,
    }
    # share = A->B / departures from A (exits included): Ad 4, Site 5, Checkout 3, Support 2.
    shares = as_dict(df, "share")
    assert shares[("Ad", "Site")] == pytest.approx(2 / 4)
    assert shares[("Ad", None)] == pytest.approx(1 / 4)
    assert shares[("Site", "Checkout")] == pytest.approx(2 / 5)
    assert shares[("Site", "Site")] == pytest.approx(1 / 5)
    assert shares[("Checkout", None)] == pytest.approx(2 / 3)
    assert shares[("Support", None)] == pytest.approx(1.0)
    for source, group in df.groupby("source"):
        assert group["share"].sum() == pytest.approx(1.0), source
    # journey_share = journeys with A->B / journeys that visited A (Site: c1,c2,c3,c5).
    jshare = as_dict(df, "journey_share")
    assert jshare[("Site", "Site")] == pytest.approx(1 / 4)
    assert jshare[("Site", "Ad")] == pytest.approx(2 / 4)
    assert jshare[("Checkout", "Support")] == pytest.approx(1 / 3)
    assert df.loc[df["target"].isna(), "is_exit"].all()
    assert not df.loc[df["target"].notna(), "is_exit"].any()
    # Most frequent first, ties by source name.
    assert list(df["transitions"])[:5] == [2, 2, 2, 2, 2]
    assert list(df["source"])[:5] == ["Ad", "Checkout", "Site", "Site", "Support"]


def test_same_time_events_follow_event_id_not_name(log_db: Database) -> None:
    df = ja.transitions(duckdb_engine(log_db), "w", Filters.make(segment=["Enterprise"]))
    # c5: Site (id 13) then Ad (id 14) at the same minute; by name it would be Ad -> Site.
    counts = as_dict(df, "transitions")
    assert counts[("Site", "Ad")] == 2  # c3 and c5
    assert ("Ad", "Site") not in counts


def test_collapse_repeats_removes_self_loops(log_db: Database) -> None:
    df = ja.transitions(duckdb_engine(log_db), "w", collapse_repeats=True)
    counts = as_dict(df, "transitions")
    assert ("Site", "Site") not in counts
    assert counts[("Site", "Checkout")] == 2
    # Site departures are now 4 (c2's two Site events count once).
    assert as_dict(df, "share")[("Site", "Checkout")] == pytest.approx(2 / 4)


def test_gap_rule_splits_journeys(log_db: Database) -> None:
    # gap > 3 days: c2 splits at D1->D5 (4 days), c3 at D2->D12; c1's 1-day gaps stay.
    df = ja.transitions(duckdb_engine(log_db), "w", gap_days=3)
    counts = as_dict(df, "transitions")
    assert counts == {
        ("Ad", "Site"): 2,
        ("Site", "Checkout"): 2,  # c1, c2 (2nd journey)
        ("Site", "Ad"): 2,
        ("Ad", None): 2,  # c3 1st journey, c5
        ("Checkout", None): 2,
        ("Support", None): 2,
        ("Checkout", "Support"): 1,
        ("Site", None): 1,  # c2's 1st journey ends at Site
    }
    stats = ja.touchpoint_stats(duckdb_engine(log_db), "w", gap_days=3).set_index("touchpoint")
    assert int(stats.loc["Checkout", "starts"]) == 1  # c3's 2nd journey starts there
    assert int(stats.loc["Site", "journeys"]) == 5  # c1, c2a, c2b, c3a, c5
    assert int(stats.loc["Site", "customers"]) == 4
    with pytest.raises(InputError):
        ja.transitions(duckdb_engine(log_db), "w", gap_days=0)


def test_filters_apply(log_db: Database) -> None:
    # Only D1-D2: c1 Ad,Site,Checkout · c2 Ad,Site · c3 Site,Ad.
    df = ja.transitions(
        duckdb_engine(log_db), "w", Filters.make(dt.date(2025, 3, 1), dt.date(2025, 3, 2))
    )
    assert as_dict(df, "transitions") == {
        ("Ad", "Site"): 2,
        ("Site", "Checkout"): 1,
        ("Checkout", None): 1,
        ("Site", None): 1,
        ("Site", "Ad"): 1,
        ("Ad", None): 1,
    }
    # Segment through the customers table: Enterprise = c3, c4, c5.
    df = ja.transitions(duckdb_engine(log_db), "w", Filters.make(segment=["Enterprise"]))
    assert as_dict(df, "transitions") == {
        ("Site", "Ad"): 2,
        ("Ad", "Checkout"): 1,
        ("Checkout", None): 1,
        ("Support", None): 1,
        ("Ad", None): 1,
    }


def test_touchpoint_stats(log_db: Database) -> None:
    stats = ja.touchpoint_stats(duckdb_engine(log_db), "w").set_index("touchpoint")
    cols = ["events", "journeys", "customers", "starts", "exits"]
    assert stats.loc["Site", cols].to_dict() == {
        "events": 5,
        "journeys": 4,
        "customers": 4,
        "starts": 2,
        "exits": 0,
    }
    assert stats.loc["Support", cols].to_dict() == {
        "events": 2,
        "journeys": 2,
        "customers": 2,
        "starts": 1,
        "exits": 2,
    }
    # Site positions: c1 2, c2 2 and 3, c3 1, c5 1 -> mean 9/5.
    assert stats.loc["Site", "mean_step"] == pytest.approx(9 / 5)
    assert stats.loc["Site", "usual_stage"] == "Research"
    assert stats.loc["Ad", "usual_channel"] == "social"  # social 3 (c2, c3, c5), web 1
    assert list(stats.index) == ["Site", "Ad", "Checkout", "Support"]  # events 5, 4, 3, 2


SETTINGS = [
    {"gap_days": gap, "collapse_repeats": collapse, "per_journey": per_journey}
    for gap in (None, 3.0)
    for collapse in (False, True)
    for per_journey in (False, True)
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda k: "-".join(map(str, k.values())))
def test_flow_figures_are_transitions_and_stats_from_one_query(
    log_db: Database, settings: dict[str, object]
) -> None:
    engine = duckdb_engine(log_db)
    per_journey = settings["per_journey"]
    stats_settings = {k: v for k, v in settings.items() if k != "per_journey"}
    for filters in (Filters(), Filters(dimensions=(("channel", ("web",)),))):
        trans, stats = ja.flow_figures(engine, "w", filters, **settings)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(trans, ja.transitions(engine, "w", filters, **settings))  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(
            stats,
            ja.touchpoint_stats(engine, "w", filters, **stats_settings),  # type: ignore[arg-type]
        )
        assert trans["transitions"].dtype == "int64" and stats["events"].dtype == "int64"
        if per_journey:
            assert trans["journeys"].dtype == "int64"
    # The hand-worked figures above, from the one query.
    if not settings["collapse_repeats"] and settings["gap_days"] is None:
        trans, stats = ja.flow_figures(engine, "w", **settings)  # type: ignore[arg-type]
        assert stats.set_index("touchpoint").loc["Site", "events"] == 5
        assert as_dict(trans, "transitions")[("Site", "Ad")] == 2


def test_flow_figures_of_an_empty_workspace(log_db: Database) -> None:
    ensure_workspace(log_db, "empty")
    trans, stats = ja.flow_figures(duckdb_engine(log_db), "empty")
    assert trans.empty and stats.empty
    assert list(stats.columns) == list(ja.touchpoint_stats(duckdb_engine(log_db), "empty").columns)


def test_workspace_isolation_and_empty(log_db: Database) -> None:
    other = ja.transitions(duckdb_engine(log_db), "other")
    assert as_dict(other, "transitions") == {("Ad", None): 1}
    ensure_workspace(log_db, "empty")
    assert ja.transitions(duckdb_engine(log_db), "empty").empty
    assert ja.top_paths(duckdb_engine(log_db), "empty").empty
    assert not ja.has_events(duckdb_engine(log_db), "empty") and ja.has_events(
        duckdb_engine(log_db), "w"
    )


# -- paths --------------------------------------------------------------------------------
def test_top_paths(log_db: Database) -> None:
    df = ja.top_paths(duckdb_engine(log_db), "w", k=2)
    # c1, c2: Ad → Site then more; c3: Site → Ad then more; c4: Support (ended);
    # c5: Site → Ad (ended). Ties ordered by path text.
    assert df[["rank", "path", "length", "ended", "journeys"]].values.tolist() == [
        [1, "Ad → Site → …", 2, False, 2],
        [2, "Site → Ad", 2, True, 1],
        [3, "Site → Ad → …", 2, False, 1],
        [4, "Support", 1, True, 1],
    ]
    assert list(df["share"]) == pytest.approx([0.4, 0.2, 0.2, 0.2])
    # k=4 with repeats collapsed: c2 is Ad, Site, Checkout.
    df4 = ja.top_paths(duckdb_engine(log_db), "w", k=4, collapse_repeats=True)
    assert dict(zip(df4["path"], df4["journeys"], strict=True)) == {
        "Ad → Site → Checkout → Support": 1,
        "Ad → Site → Checkout": 1,
        "Site → Ad → Checkout": 1,
        "Site → Ad": 1,
        "Support": 1,
    }
    assert len(ja.top_paths(duckdb_engine(log_db), "w", k=2, limit=2)) == 2
    with pytest.raises(InputError):
        ja.top_paths(duckdb_engine(log_db), "w", k=0)


# -- funnels ------------------------------------------------------------------------------
def test_stage_funnel_reached(log_db: Database) -> None:
    df = ja.stage_funnel(duckdb_engine(log_db), "w", stages=STAGES)
    # Furthest stage index: c1 3 (Support), c2 2, c3 2, c4 3, c5 1.
    assert list(df["stage"]) == STAGES
    assert list(df["journeys"]) == [5, 5, 4, 2]
    assert list(df["visited"]) == [4, 4, 3, 2]  # Support visited by c1, c4
    assert list(df["dropped"]) == [0, 1, 2, 0]  # c5 stops at Research; c2, c3 at Purchase
    assert list(df["conversion"]) == pytest.approx([1.0, 1.0, 0.8, 0.5])
    assert list(df["drop_rate"]) == pytest.approx([0.0, 0.2, 0.5, 0.0])
    assert list(df["share_of_start"]) == pytest.approx([1.0, 1.0, 0.8, 0.4])
    # Case-insensitive stage names.
    assert list(
        ja.stage_funnel(duckdb_engine(log_db), "w", stages=["awareness", "RESEARCH"])["journeys"]
    ) == [
        4,
        4,
    ]  # c4 has neither stage


def test_stage_funnel_in_order(log_db: Database) -> None:
    df = ja.stage_funnel(duckdb_engine(log_db), "w", stages=STAGES, mode="in_order")
    # c1 all four; c2 Aw, Re, Pu; c3 Re then Aw (Re not after Aw) -> Aw only; c5 Aw only;
    # c4 never reaches Awareness.
    assert list(df["journeys"]) == [4, 2, 2, 1]
    assert list(df["dropped"]) == [2, 0, 1, 0]


def test_observed_stage_order(log_db: Database) -> None:
    # Mean rank of first visit: Awareness 1.5, Research 1.5 (tie: by name), Support 2.5
    # (c1 4th, c4 1st), Purchase 3.
    assert ja.observed_stage_order(duckdb_engine(log_db), "w") == [
        "Awareness",
        "Research",
        "Support",
        "Purchase",
    ]


def test_custom_funnel_in_order_with_others_between(log_db: Database) -> None:
    df = ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=["Ad", "Checkout"])
    # Ad: c1, c2, c3, c5; Checkout after Ad: c1, c2 (Site between), c3.
    assert list(df["journeys"]) == [4, 3]
    assert list(df["dropped"]) == [1, 0]
    # Ad -> Checkout: c1 24 h, c2 97 h (D1 09:00 -> D5 10:00), c3 240 h.
    assert df.loc[1, "median_hours"] == pytest.approx(97.0)
    assert df.loc[1, "p90_hours"] == pytest.approx(97 + 0.8 * (240 - 97))  # linear quantile
    assert math.isnan(df.loc[0, "median_hours"])


def test_custom_funnel_out_of_order_does_not_count(log_db: Database) -> None:
    # Site then Ad: only c3 and c5 see Ad after Site.
    assert list(
        ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=["Site", "Ad"])["journeys"]
    ) == [4, 2]
    # Checkout then Ad: c3 had Ad before Checkout, which does not count.
    assert list(
        ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=["Checkout", "Ad"])["journeys"]
    ) == [3, 0]
    with pytest.raises(InputError):
        ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=[])
    with pytest.raises(InputError):
        ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=["Ad", "ad"])


def test_custom_funnel_with_gap_rule(log_db: Database) -> None:
    # gap > 3 days: c2's Checkout is in its 2nd journey, c3's too -> only c1 converts.
    df = ja.touchpoint_funnel(duckdb_engine(log_db), "w", steps=["Ad", "Checkout"], gap_days=3)
    assert list(df["journeys"]) == [4, 1]


# -- timing and channels ------------------------------------------------------------------
def test_time_between_stages(log_db: Database) -> None:
    df = ja.time_between_stages(duckdb_engine(log_db), "w", stages=STAGES)
    assert list(zip(df["from_stage"], df["to_stage"], strict=True)) == [
        ("Awareness", "Research"),
        ("Research", "Purchase"),
        ("Purchase", "Support"),
    ]
    # Aw -> Re: c1 2 h, c2 0 h, c5 0 h (same minute); c3 reached Research first: excluded.
    assert list(df["journeys"]) == [3, 3, 1]
    assert df.loc[0, "median_hours"] == pytest.approx(0.0)
    assert df.loc[0, "p90_hours"] == pytest.approx(0.8 * 2)
    # Re -> Pu: c1 22 h, c2 97 h, c3 241 h.
    assert df.loc[1, "median_hours"] == pytest.approx(97.0)
    assert df.loc[1, "p90_hours"] == pytest.approx(97 + 0.8 * (241 - 97))
    assert df.loc[1, "median_days"] == pytest.approx(97 / 24)
    # Pu -> Su: c1 only, 24 h.
    assert df.loc[2, "median_hours"] == pytest.approx(24.0)
    assert df.loc[2, "p90_days"] == pytest.approx(1.0)


def test_channel_switches(log_db: Database) -> None:
    df = ja.channel_switches(duckdb_engine(log_db), "w")
    # c1 web>web, web>web, web>phone · c2 social>web, web>web, web>web ·
    # c3 web>social, social>web · c5 web>social.
    got = {(r.from_channel, r.to_channel): (r.transitions, r.share) for r in df.itertuples()}
    assert {k: v[0] for k, v in got.items()} == {
        ("web", "web"): 4,
        ("web", "phone"): 1,
        ("web", "social"): 2,
        ("social", "web"): 2,
    }
    assert got[("web", "web")][1] == pytest.approx(4 / 7)
    assert got[("social", "web")][1] == pytest.approx(1.0)
    assert ja.switch_summary(df) == (5, 9)


def test_missing_channel_is_none_label(db: Database) -> None:
    insert_events(db, "w", [("a", at(1, 1), "X", None, None), ("a", at(1, 2), "Y", "web", None)])
    df = ja.channel_switches(duckdb_engine(db), "w")
    assert df[["from_channel", "to_channel", "transitions"]].values.tolist() == [
        [ja.NO_CHANNEL, "web", 1]
    ]


# -- outcomes -----------------------------------------------------------------------------
def nps_by_hand(scores: list[int]) -> tuple[float, float]:
    n = len(scores)
    p = sum(s >= 9 for s in scores) / n
    d = sum(s <= 6 for s in scores) / n
    return 100 * (p - d), 100 * 1.96 * math.sqrt((p + d - (p - d) ** 2) / n)


def test_outcomes_by_touchpoint_count(log_db: Database) -> None:
    for rid, cust, nps, csat in [
        (1, "c1", 10, 5),
        (2, "c2", 9, 4),
        (3, "c3", 3, 2),
        (4, "c4", 8, None),
        (5, "c5", 6, 3),
        (6, "c4", 0, 1),
        (7, None, 10, 5),
        (8, "c9", 0, 1),
    ]:
        insert_response(log_db, "w", rid, cust, nps, csat)
    df = ja.outcomes_by_touchpoint_count(duckdb_engine(log_db), "w", touchpoint="site").set_index(
        "group"
    )
    # Site visits: c1 1, c2 2, c3 1, c4 0, c5 1.
    assert list(df.index) == ["Never", "1 time", "2+ times"]
    assert list(df["customers"]) == [1, 3, 1]
    never, once, twice = df.loc["Never"], df.loc["1 time"], df.loc["2+ times"]
    assert (never["nps"], never["nps_moe"]) == pytest.approx(nps_by_hand([8, 0]))
    assert int(never["nps_n"]) == 2 and int(never["csat_n"]) == 1 and never["csat"] == 0.0
    assert (once["nps"], once["nps_moe"]) == pytest.approx(nps_by_hand([10, 3, 6]))
    assert once["csat"] == pytest.approx(100 / 3)
    assert twice["nps"] == pytest.approx(100.0) and int(twice["nps_n"]) == 1
    # top=3: c2's two visits are their own group.
    three = ja.outcomes_by_touchpoint_count(duckdb_engine(log_db), "w", touchpoint="Site", top=3)
    assert list(three["group"]) == ["Never", "1 time", "2 times"]


def test_outcomes_by_path(log_db: Database) -> None:
    insert_response(log_db, "w", 1, "c1", 10, None)
    insert_response(log_db, "w", 2, "c2", 0, None)
    insert_response(log_db, "w", 3, "c3", 9, None)
    df = ja.outcomes_by_path(duckdb_engine(log_db), "w", k=2, limit=1)
    # Top path (k=2): "Ad → Site → …" = c1, c2 -> NPS (1 - 1)/2 = 0; others c3, c4, c5:
    # only c3 answered (9) -> +100.
    assert list(df["group"]) == ["Ad → Site → …", ja.OTHER_PATHS]
    assert list(df["customers"]) == [2, 3]
    assert list(df["nps"]) == pytest.approx([0.0, 100.0])
    assert list(df["nps_n"]) == [2, 1]
