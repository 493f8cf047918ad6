"""Churn, cohort retention, CLV and revenue at risk on tiny hand-made customer tables."""

from __future__ import annotations

import datetime as dt

import pytest
from kpi_data import insert_customers, insert_responses

from cem.analytics.customer_kpis import revenue_at_risk
from cem.analytics.engine import duckdb_engine
from cem.analytics.kpi_frames import kpi_frame
from cem.store.db import Database

D = dt.datetime


def dated_customers(db: Database) -> None:
    # Month index: Jan=0 ... ; everyone first seen in Jan or Feb 2025.
    insert_customers(
        db,
        [
            {
                "customer_id": "a",
                "segment": "SMB",
                "first_seen": D(2025, 1, 5),
                "churned": True,
                "churned_at": D(2025, 2, 10),
                "revenue": 100.0,
            },
            {
                "customer_id": "b",
                "segment": "SMB",
                "first_seen": D(2025, 1, 20),
                "churned": False,
                "revenue": 300.0,
            },
            {
                "customer_id": "c",
                "segment": "Enterprise",
                "first_seen": D(2025, 1, 25),
                "churned": True,
                "churned_at": D(2025, 3, 15),
                "revenue": 200.0,
            },
            {
                "customer_id": "d",
                "segment": "Enterprise",
                "first_seen": D(2025, 2, 3),
                "churned": False,
                "revenue": 400.0,
            },
        ],
    )


def test_churn_rate_per_month(db: Database) -> None:
    dated_customers(db)
    frame = kpi_frame(duckdb_engine(db), "w", "churn", period="month").set_index("period")
    # Feb: active at 1 Feb = a, b, c (3); lost in Feb = a -> 33.3%
    assert frame.loc["2025-02-01", "n"] == 3 and frame.loc["2025-02-01", "lost"] == 1
    assert frame.loc["2025-02-01", "value"] == pytest.approx(100 / 3)
    # Mar: active at 1 Mar = b, c, d (3); lost in Mar = c
    assert frame.loc["2025-03-01", "n"] == 3 and frame.loc["2025-03-01", "lost"] == 1
    assert "2025-01-01" not in frame.index.strftime("%Y-%m-%d")


def test_churn_by_segment(db: Database) -> None:
    dated_customers(db)
    frame = kpi_frame(duckdb_engine(db), "w", "churn", by=["segment"], period="month")
    feb = frame[frame.period == "2025-02-01"].set_index("segment")
    assert (feb.loc["SMB", "n"], feb.loc["SMB", "lost"]) == (2, 1)
    assert (feb.loc["Enterprise", "n"], feb.loc["Enterprise", "lost"]) == (1, 0)


def test_snapshot_churn_without_dates(db: Database) -> None:
    insert_customers(
        db,
        [
            {"customer_id": str(i), "segment": "A" if i < 4 else "B", "churned": i in (0, 1, 5)}
            for i in range(10)
        ],
    )
    frame = kpi_frame(duckdb_engine(db), "w", "churn", by=["segment"]).set_index("segment")
    assert frame.loc["A", "value"] == pytest.approx(50.0)  # 2 of 4
    assert frame.loc["B", "value"] == pytest.approx(100 / 6)  # 1 of 6
    assert "period" not in frame.columns


def test_cohort_retention(db: Database) -> None:
    dated_customers(db)
    frame = kpi_frame(duckdb_engine(db), "w", "retention", period="month")
    jan = frame[frame.cohort == "2025-01-01"].set_index("periods_since")
    # Jan cohort a, b, c: start of Feb all 3 active; start of Mar a gone; Mar is the last
    # observed month (c churns in March), so k runs 0..2.
    assert jan.value.to_dict() == pytest.approx({0: 100.0, 1: 100.0, 2: 200 / 3})
    assert jan.n.tolist() == [3, 3, 3]
    feb = frame[frame.cohort == "2025-02-01"].set_index("periods_since")
    assert feb.value.to_dict() == pytest.approx({0: 100.0, 1: 100.0})


def test_clv_simple_and_historical(db: Database) -> None:
    dated_customers(db)
    row = kpi_frame(duckdb_engine(db), "w", "clv", period="month").iloc[0]
    assert row.historical_clv == pytest.approx(250.0)
    # tenure (months incl. first, to churn or to Mar = data end): a 2, b 3, c 3, d 2 = 10
    # revenue per customer-month = 1000 / 10; churn per customer-month = 2 / 10
    assert row.revenue_per_period == pytest.approx(100.0)
    assert row.churn_per_period == pytest.approx(0.2)
    assert row.value == pytest.approx(500.0)
    half = kpi_frame(duckdb_engine(db), "w", "clv", period="month", margin=0.5).iloc[0]
    assert half.value == pytest.approx(250.0)


def test_revenue_at_risk_uses_latest_answer(db: Database) -> None:
    dated_customers(db)
    insert_responses(
        db,
        [
            {"customer_id": "a", "nps": 2, "submitted_at": D(2025, 1, 10)},
            {"customer_id": "a", "nps": 9, "submitted_at": D(2025, 2, 1)},  # a recovered
            {"customer_id": "b", "nps": 10, "submitted_at": D(2025, 1, 10)},
            {"customer_id": "b", "nps": 4, "submitted_at": D(2025, 3, 1)},  # b now a detractor
            {"customer_id": "c", "nps": 6, "submitted_at": D(2025, 1, 30)},  # c detractor
            {"customer_id": "d", "nps": None, "submitted_at": D(2025, 3, 1)},
        ],
    )
    risk = revenue_at_risk(duckdb_engine(db), "w")
    assert risk["revenue_at_risk"] == 500.0  # b 300 + c 200
    assert risk["customers_at_risk"] == 2
    assert risk["total_revenue"] == 1000.0
    assert risk["customers_linked"] == 3  # a, b and c answered NPS; d did not


def test_revenue_at_risk_of_answers_without_the_lists_ids_is_unknown(db: Database) -> None:
    """Detractors whose customer ids are not in the customer list: their revenue is not 0,
    it is unknown (the Overview shows "—" and says why)."""
    dated_customers(db)
    insert_responses(db, [{"customer_id": None, "nps": 2}, {"customer_id": "zz", "nps": 3}])
    risk = revenue_at_risk(duckdb_engine(db), "w")
    assert risk["customers"] > 0 and risk["customers_linked"] == 0
    assert risk["revenue_at_risk"] == 0.0  # nothing linked: the page must not show it
