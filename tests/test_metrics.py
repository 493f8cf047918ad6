"""The survey KPIs (NPS, CSAT, CES, responses, comment share, rating attributes) against
hand-computed values and independent pandas computations."""

from __future__ import annotations

import datetime as dt
import math

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kpi_data import frame_rows, insert_attribute, insert_responses, random_responses

from cem.analytics import kpis
from cem.analytics.catalogue import dimension_values
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.kpi_frames import kpi_frame
from cem.analytics.labels import kpi_table
from cem.analytics.overview import kpi_snapshot, open_detractors, touchpoint_ranking, verbatims
from cem.errors import InputError
from cem.store.db import Database


def nps_of(db: Database, scores: list[int | None]) -> pd.Series:
    insert_responses(db, [{"nps": s} for s in scores])
    return kpi_frame(duckdb_engine(db), "w", "nps").iloc[0]


def test_all_promoters_is_plus_100(db: Database) -> None:
    row = nps_of(db, [9, 10] * 20)
    assert row.value == 100.0
    assert row.n == 40 and row.promoters == 40 and row.detractors == 0
    assert row.moe == 0.0


def test_all_detractors_is_minus_100(db: Database) -> None:
    row = nps_of(db, list(range(7)) * 5)
    assert row.value == -100.0
    assert row.detractors == 35


def test_no_answers_give_no_value_not_zero(db: Database) -> None:
    row = nps_of(db, [None, None])
    assert row.n == 0
    assert math.isnan(row.value)
    assert math.isnan(row.moe)
    assert bool(row.low_confidence)
    csat = kpi_frame(duckdb_engine(db), "w", "csat").iloc[0]
    assert csat.n == 0 and math.isnan(csat.value)
    ces = kpi_frame(duckdb_engine(db), "w", "ces").iloc[0]
    assert ces.n == 0 and math.isnan(ces.value)


def test_empty_workspace_gives_one_row_without_value(db: Database) -> None:
    frame = kpi_frame(duckdb_engine(db), "nobody", "nps")
    assert len(frame) == 1 and frame.n.iloc[0] == 0 and math.isnan(frame.value.iloc[0])


def test_boundaries_6_7_8_9(db: Database) -> None:
    row = nps_of(db, [6, 7, 8, 9])
    assert (row.detractors, row.passives, row.promoters) == (1, 2, 1)
    assert row.value == 0.0


def test_every_score_once(db: Database) -> None:
    row = nps_of(db, list(range(11)))
    # promoters 9,10; detractors 0..6 -> (2 - 7) / 11
    assert row.value == pytest.approx(100 * (2 - 7) / 11)
    assert row.share_passives == pytest.approx(2 / 11)


def test_low_confidence_below_30(db: Database) -> None:
    row = nps_of(db, [10] * 29)
    assert bool(row.low_confidence)
    insert_responses(db, [{"nps": 10}], start_id=100)
    assert not bool(kpi_frame(duckdb_engine(db), "w", "nps").iloc[0].low_confidence)


def test_margin_of_error_worked_example(db: Database) -> None:
    # n=100: 50 promoters, 30 passives, 20 detractors.
    # pP=.5, pD=.2: var = (.5 + .2 - (.5 - .2)^2) / 100 = (.7 - .09) / 100 = .0061
    # moe = 100 * 1.96 * sqrt(.0061) = 100 * 1.96 * 0.0781025 = 15.308
    row = nps_of(db, [10] * 50 + [8] * 30 + [3] * 20)
    assert row.value == pytest.approx(30.0)
    assert row.moe == pytest.approx(15.308, abs=0.001)
    assert row.ci_low == pytest.approx(30.0 - 15.308, abs=0.001)


def test_csat_top_two_box_and_ces(db: Database) -> None:
    insert_responses(
        db,
        [
            {"csat": c, "ces": e, "comment": m}
            for c, e, m in [
                (5, 7, "great"),
                (4, 5, " "),
                (3, 4, None),
                (2, 1, "bad"),
                (1, None, ""),
                (None, None, "only a comment"),
            ]
        ],
    )
    csat = kpi_frame(duckdb_engine(db), "w", "csat").iloc[0]
    assert (csat.n, csat.satisfied) == (5, 2) and csat.value == pytest.approx(40.0)
    ces = kpi_frame(duckdb_engine(db), "w", "ces").iloc[0]
    assert ces.n == 4 and ces.value == pytest.approx((7 + 5 + 4 + 1) / 4)
    assert ces.easy_share == pytest.approx(50.0)
    share = kpi_frame(duckdb_engine(db), "w", "comment_share").iloc[0]
    assert (share.n, share.commented) == (6, 3)  # blanks don't count
    assert kpi_frame(duckdb_engine(db), "w", "responses").iloc[0].value == 6


def test_rating_attribute_zero_means_not_applicable(db: Database) -> None:
    ids = insert_responses(db, [{"nps": 9}] * 5)
    insert_attribute(
        db, "Wifi", dict(zip(ids, [0, 5, 4, 2, 0], strict=True)), zero_means_na=True, low=0, high=5
    )
    row = kpi_frame(duckdb_engine(db), "w", "attr:Wifi").iloc[0]
    assert row.n == 3
    assert row.value == pytest.approx((5 + 4 + 2) / 3)
    assert row.top2_share == pytest.approx(200 / 3)  # 4 and 5 of a 0-5 scale


def test_unknown_metric_is_an_input_error(db: Database) -> None:
    with pytest.raises(InputError):
        kpi_frame(duckdb_engine(db), "w", "happiness")
    with pytest.raises(InputError):
        kpi_frame(duckdb_engine(db), "w", "nps", by=["shoe_size"])


# -- grouping and filters vs pandas ---------------------------------------------------------
@pytest.fixture
def random_db(db: Database) -> tuple[Database, pd.DataFrame]:
    frame = random_responses(600)
    ids = insert_responses(db, frame_rows(frame))
    frame["response_id"] = ids
    tier = {rid: ("Gold" if rid % 3 else "Silver") for rid in ids}
    insert_attribute(db, "Tier", tier, numeric=False)
    frame["Tier"] = frame.response_id.map(tier)
    return db, frame


def pandas_nps(frame: pd.DataFrame) -> tuple[int, float]:
    scores = frame.nps.dropna().astype(int)
    if scores.empty:
        return 0, math.nan
    return len(scores), 100 * ((scores >= 9).mean() - (scores <= 6).mean())


def test_nps_by_segment_matches_pandas(random_db: tuple[Database, pd.DataFrame]) -> None:
    db, frame = random_db
    result = kpi_frame(duckdb_engine(db), "w", "nps", by=["segment"]).set_index("segment")
    for segment, part in frame.groupby("segment"):
        n, value = pandas_nps(part)
        assert result.loc[segment, "n"] == n
        assert result.loc[segment, "value"] == pytest.approx(value)


def test_month_by_channel_matches_pandas(random_db: tuple[Database, pd.DataFrame]) -> None:
    db, frame = random_db
    result = kpi_frame(duckdb_engine(db), "w", "csat", by=["channel"], period="month")
    frame["period"] = pd.to_datetime(frame.submitted_at).dt.to_period("M").dt.start_time
    for (period, channel), part in frame.groupby(["period", "channel"]):
        row = result[(result.period == period) & (result.channel == channel)].iloc[0]
        answered = part.csat.dropna()
        assert row.n == len(answered)
        assert row.value == pytest.approx(100 * (answered >= 4).mean())


@pytest.mark.parametrize("period,freq", [("week", "W-SUN"), ("quarter", "Q")])
def test_periods_truncate_like_pandas(
    random_db: tuple[Database, pd.DataFrame], period: str, freq: str
) -> None:
    db, frame = random_db
    result = kpi_frame(duckdb_engine(db), "w", "responses", period=period)
    expected = pd.to_datetime(frame.submitted_at).dt.to_period(freq).dt.start_time
    counts = expected.value_counts().sort_index()
    assert result.period.tolist() == counts.index.tolist()
    assert result.n.tolist() == counts.tolist()


def test_date_range_is_inclusive(db: Database) -> None:
    insert_responses(
        db,
        [
            {"nps": 10, "submitted_at": dt.datetime(2025, 2, 28, 23, 59, 59)},
            {"nps": 0, "submitted_at": dt.datetime(2025, 3, 1, 0, 0)},
            {"nps": 10, "submitted_at": dt.datetime(2025, 3, 31, 23, 59)},
            {"nps": 0, "submitted_at": dt.datetime(2025, 4, 1, 0, 0)},
            {"nps": 0, "submitted_at": None},
        ],
    )
    march = Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    row = kpi_frame(duckdb_engine(db), "w", "nps", filters=march).iloc[0]
    assert (row.n, row.promoters, row.detractors) == (2, 1, 1)


def test_dimension_and_attribute_filters_match_pandas(
    random_db: tuple[Database, pd.DataFrame],
) -> None:
    db, frame = random_db
    filters = Filters.make(
        dt.date(2025, 3, 1),
        dt.date(2025, 8, 31),
        segment=["SMB", "Enterprise"],
        **{"attr:Tier": ["Gold"]},
    )
    row = kpi_frame(duckdb_engine(db), "w", "nps", filters=filters).iloc[0]
    ts = pd.to_datetime(frame.submitted_at)
    keep = frame[
        (ts >= "2025-03-01")
        & (ts < "2025-09-01")
        & frame.segment.isin(["SMB", "Enterprise"])
        & (frame.Tier == "Gold")
    ]
    n, value = pandas_nps(keep)
    assert row.n == n and row.value == pytest.approx(value)


def test_split_by_attribute(random_db: tuple[Database, pd.DataFrame]) -> None:
    db, frame = random_db
    result = kpi_frame(duckdb_engine(db), "w", "nps", by=["attr:Tier"]).set_index("attr:Tier")
    for tier, part in frame.groupby("Tier"):
        n, value = pandas_nps(part)
        assert result.loc[tier, "n"] == n and result.loc[tier, "value"] == pytest.approx(value)


def test_missing_group_values_are_labelled(random_db: tuple[Database, pd.DataFrame]) -> None:
    db, frame = random_db
    result = kpi_frame(duckdb_engine(db), "w", "responses", by=["touchpoint"]).set_index(
        "touchpoint"
    )
    assert result.loc["(not set)", "n"] == frame.touchpoint.isna().sum()


def test_snapshot_compares_last_90_days_with_the_90_before(db: Database) -> None:
    end = dt.datetime(2025, 6, 30, 12)
    rows = [{"nps": 10, "submitted_at": end - dt.timedelta(days=d)} for d in range(0, 90, 2)]
    rows += [{"nps": 0, "submitted_at": end - dt.timedelta(days=d)} for d in range(90, 180, 2)]
    insert_responses(db, rows)
    snap = kpi_snapshot(duckdb_engine(db), "w", "nps")
    assert snap["value"] == 100.0 and snap["n"] == 45
    assert snap["change"] == 200.0
    assert snap["words"] == "▲ 200 pts, significant"


def test_touchpoint_ranking_orders_by_nps(db: Database) -> None:
    rows = []
    for i, tp in enumerate(["A", "B", "C", "D", "E", "F", "G"]):
        rows += [{"nps": 10, "touchpoint": tp}] * (i + 1) * 5 + [{"nps": 0, "touchpoint": tp}] * 30
    insert_responses(db, rows)
    ranking = touchpoint_ranking(duckdb_engine(db), "w", count=3)
    assert ranking["worst"].touchpoint.tolist() == ["A", "B", "C"]
    assert ranking["best"].touchpoint.tolist() == ["G", "F", "E"]


def test_verbatims_behind_a_group_and_period(db: Database) -> None:
    insert_responses(
        db,
        [
            {
                "nps": 3,
                "comment": "=cmd|' /C calc'!A0",
                "segment": "SMB",
                "submitted_at": dt.datetime(2025, 3, 5),
            },
            {
                "nps": 9,
                "comment": "lovely",
                "segment": "Enterprise",
                "submitted_at": dt.datetime(2025, 3, 6),
            },
            {
                "nps": 9,
                "comment": "april",
                "segment": "SMB",
                "submitted_at": dt.datetime(2025, 4, 6),
            },
            {
                "nps": None,
                "comment": "no score",
                "segment": "SMB",
                "submitted_at": dt.datetime(2025, 3, 7),
            },
        ],
    )
    quotes = verbatims(
        duckdb_engine(db),
        "w",
        "nps",
        period="month",
        period_start="2025-03-01",
        dim="segment",
        dim_value="SMB",
    )
    assert quotes.comment.tolist() == ["=cmd|' /C calc'!A0"]
    assert quotes.score.tolist() == [3]


def test_kpi_table_has_the_same_numbers(random_db: tuple[Database, pd.DataFrame]) -> None:
    db, _ = random_db
    frame = kpi_frame(duckdb_engine(db), "w", "nps", by=["segment"])
    table = kpi_table(frame, "nps", "segment")
    assert table["NPS"].tolist() == frame.value.tolist()
    assert table["n"].tolist() == frame.n.tolist()


# -- property tests ---------------------------------------------------------------------------
SCORES = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=0, max_size=80)
_CON = ibis.duckdb.connect()


@settings(max_examples=60, deadline=None)
@given(SCORES, st.lists(st.sampled_from(["a", "b", "c"]), min_size=80, max_size=80))
def test_nps_properties(scores: list[int | None], groups: list[str]) -> None:
    frame = pd.DataFrame({"nps": pd.array(scores, dtype="Int64"), "g": groups[: len(scores)]})
    table = ibis.memtable(frame, schema={"nps": "int64", "g": "string"})
    total = _CON.execute(kpis.nps_table(table)).iloc[0]
    by_group = _CON.execute(kpis.nps_table(table, ["g"]))
    answered = sum(s is not None for s in scores)
    assert total.n == answered
    assert by_group.n.sum() == answered
    if answered:
        assert -100.0 <= total.value <= 100.0
        assert (
            total.share_promoters + total.share_passives + total.share_detractors
            == pytest.approx(1.0)
        )
        assert total.moe >= 0
    else:
        assert total.value is None or np.isnan(total.value)


def test_numeric_attributes_with_few_values_filter_and_split(db: Database) -> None:
    """A 0-5 rating (0 = not applicable) is a filter and a split like a text column: values
    in numeric order, 0 read as "n/a (0)"; a many-valued number (an age) is not."""
    ids = insert_responses(db, [{"nps": n} for n in [10, 9, 3, 7, 0, 10, 8]])
    stars = [0, 5, 1, 5, 1, 0, 4]
    insert_attribute(db, "Stars", dict(zip(ids, stars, strict=True)), zero_means_na=True)
    insert_attribute(db, "Age", {rid: 20 + 7 * k for k, rid in enumerate(ids)})
    # Age has 7 distinct values in this tiny file; a real one has dozens.
    with db.transaction() as cur:
        cur.execute("UPDATE attribute_columns SET distinct_values = 60 WHERE name = 'Age'")
    values = dimension_values(duckdb_engine(db), "w")
    assert values["attr:Stars"] == ["n/a (0)", "1", "4", "5"]
    assert "attr:Age" not in values
    split = kpi_frame(duckdb_engine(db), "w", "nps", by=["attr:Stars"]).set_index("attr:Stars")
    assert split.loc["5", "n"] == 2 and split.loc["5", "value"] == pytest.approx(50.0)
    assert split.loc["1", "n"] == 2 and split.loc["1", "value"] == pytest.approx(-100.0)
    only = kpi_frame(
        duckdb_engine(db), "w", "nps", filters=Filters.make(**{"attr:Stars": ["n/a (0)", "4"]})
    )
    assert (only.iloc[0].n, only.iloc[0].value) == (3, pytest.approx(200 / 3))  # 10, 10, 8


def test_open_detractors_worked_example(db: Database) -> None:
    """Last date 31 Mar, 30-day window from 2 Mar. Counted: #1 (3, 31 Mar), #2 (6 on the
    window's first day), #5 (2, its case still open). Not counted: #3 (0, 1 Mar: before the
    window), #4 and #8 (cases closed / 'Resolved'), #6 passive, #7 promoter, #9 no score."""
    rows = [
        {"nps": 3, "submitted_at": dt.datetime(2024, 3, 31, 9), "segment": "A"},
        {"nps": 6, "submitted_at": dt.datetime(2024, 3, 2, 0, 1), "segment": "A"},
        {"nps": 0, "submitted_at": dt.datetime(2024, 3, 1, 23, 59), "segment": "A"},
        {"nps": 5, "submitted_at": dt.datetime(2024, 3, 15), "segment": "A"},
        {"nps": 2, "submitted_at": dt.datetime(2024, 3, 20), "segment": "B"},
        {"nps": 7, "submitted_at": dt.datetime(2024, 3, 30), "segment": "B"},
        {"nps": 10, "submitted_at": dt.datetime(2024, 3, 29), "segment": "B"},
        {"nps": 4, "submitted_at": dt.datetime(2024, 3, 10), "segment": "B"},
        {"nps": None, "submitted_at": dt.datetime(2024, 3, 10), "segment": "B"},
    ]
    ids = insert_responses(db, rows)
    with db.transaction() as cur:
        for case_id, (rid, status) in enumerate(
            [(ids[3], "closed"), (ids[4], "open"), (ids[7], "Resolved")], start=1
        ):
            cur.execute(
                "INSERT INTO cases(case_id, workspace, response_id, status) VALUES (?, 'w', ?, ?)",
                [case_id, rid, status],
            )
    engine = duckdb_engine(db)
    result = open_detractors(engine, "w", days=30)
    assert result == {"count": 3, "since": dt.date(2024, 3, 2), "days": 30}
    # A filter narrows it: segment A keeps #1 and #2; B keeps #5 only.
    assert open_detractors(engine, "w", Filters.make(segment=["A"]), 30)["count"] == 2
    assert open_detractors(engine, "w", Filters.make(segment=["B"]), 30)["count"] == 1
    # A 7-day window (25–31 Mar) holds only #1.
    assert open_detractors(engine, "w", days=7) == {
        "count": 1,
        "since": dt.date(2024, 3, 25),
        "days": 7,
    }
