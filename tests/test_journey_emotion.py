"""Data-derived emotion on a fixed, hand-computed dataset."""

from __future__ import annotations

import math

import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.journeys import api as jm
from cem.journeys.data_emotion import (
    combine,
    emotion_by_key,
    journey_data_emotion,
    rescale_ces,
    rescale_csat,
    rescale_nps,
)
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

WS = "ws"
# (touchpoint, nps, csat, ces, segment)
RESPONSES = [
    ("Checkout", 10, 5, None, "A"),
    ("checkout ", 0, 4, None, "A"),
    ("CHECKOUT", 5, None, None, "B"),
    ("Call centre", 2, None, 1, "A"),
    ("Elsewhere", 10, 5, 7, "A"),  # matches no touchpoint
    ("Checkout", None, None, None, "B"),  # a comment-only answer: counts in n only
]


@pytest.fixture
def data(db: Database) -> tuple[Database, int]:
    ensure_workspace(db, WS)
    ensure_workspace(db, "other")
    for i, (tp, nps, csat, ces, segment) in enumerate(RESPONSES):
        db.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, touchpoint, nps, csat, ces, "
            "segment, comment) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 'x')",
            [i, WS, tp, nps, csat, ces, segment],
        )
    # Another workspace's answers never count.
    db.execute(
        "INSERT INTO responses_base(response_id, workspace, import_id, touchpoint, nps) "
        "VALUES (99, 'other', 2, 'Checkout', 0)"
    )
    jid = jm.create_journey(
        db,
        WS,
        "J",
        outline=[
            ("Buy", ["Checkout", {"name": "Phone", "data_key": "call centre"}, "Unmatched"]),
        ],
        actor=LOCAL_ADMIN,
    )
    return db, jid


def test_rescaling_is_documented_formula() -> None:
    assert [rescale_nps(x) for x in (0, 5, 7.5, 10)] == [-2.0, 0.0, 1.0, 2.0]
    assert [rescale_csat(x) for x in (1, 3, 4.5, 5)] == [-2.0, 0.0, 1.5, 2.0]
    assert [rescale_ces(x) for x in (1, 4, 5.5, 7)] == [-2.0, 0.0, 1.0, 2.0]
    assert combine([(2.0, 1), (-1.0, 3)]) == pytest.approx(-0.25)
    assert combine([(None, 10)]) is None


def test_data_emotion_hand_computed(data: tuple[Database, int]) -> None:
    db, jid = data
    frame = journey_data_emotion(duckdb_engine(db), WS, jm.get_journey(db, WS, jid)).set_index(
        "key"
    )
    # Checkout: NPS answers 10, 0, 5 -> mean 5 -> 0.0 (n=3);
    #           CSAT 5, 4 -> mean 4.5 -> +1.5 (n=2); no CES.
    #           n-weighted: (0*3 + 1.5*2) / 5 = 0.6; 4 responses in all.
    row = frame.loc["checkout"]
    assert (row["n"], row["nps_n"], row["csat_n"], row["ces_n"]) == (4, 3, 2, 0)
    assert row["nps_mean"] == pytest.approx(5.0)
    assert row["csat_mean"] == pytest.approx(4.5)
    assert row["data_emotion"] == pytest.approx(0.6)
    # Phone matches "Call centre" through its data key: NPS 2 -> -1.2, CES 1 -> -2.0;
    # (-1.2 - 2.0) / 2 = -1.6.
    row = frame.loc["call centre"]
    assert (row["n"], row["nps_n"], row["ces_n"]) == (1, 1, 1)
    assert row["data_emotion"] == pytest.approx(-1.6)
    row = frame.loc["unmatched"]
    assert row["n"] == 0 and math.isnan(row["data_emotion"])


def test_data_emotion_honours_filters(data: tuple[Database, int]) -> None:
    db, _ = data
    frame = emotion_by_key(
        duckdb_engine(db), WS, ("checkout",), Filters.make(segment=["A"])
    ).set_index("key")
    # Segment A: NPS 10, 0 -> mean 5 -> 0 (n=2); CSAT 5, 4 -> +1.5 (n=2) -> 0.75.
    assert frame.loc["checkout", "n"] == 2
    assert frame.loc["checkout", "data_emotion"] == pytest.approx(0.75)
    assert emotion_by_key(duckdb_engine(db), WS, ()).empty
