"""Comment sentiment as the third signal of the journey map's data emotion, on a
hand-worked example (sentiments written straight into ``voc_sentiment`` so the arithmetic is
exact), and the demo end to end (sentiment as stored by the analysis, checked with pandas)."""

from __future__ import annotations

import pandas as pd
import pytest

from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.journeys.data_emotion import emotion_by_key
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace
from cem.voc.analytics import SENTIMENT_WEIGHT

WS = "ws"
# (response_id, touchpoint, nps, segment, sentiment or None)
ROWS = [
    (1, "Checkout", 10, "A", -0.5),
    (2, "checkout", 10, "A", -0.5),
    (3, "Support", None, "A", 0.25),  # a comment with no score
    (4, "Delivery", 0, "B", None),  # a score, no analysed comment
    (5, "Checkout", 0, "B", 1.0),  # segment B only
]


@pytest.fixture
def data(db: Database) -> Database:
    ensure_workspace(db, WS)
    for rid, tp, nps, segment, sentiment in ROWS:
        db.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, touchpoint, nps, segment, "
            "comment) VALUES (?, ?, 1, ?, ?, ?, 'x')",
            [rid, WS, tp, nps, segment],
        )
        if sentiment is not None:
            db.execute(
                "INSERT INTO voc_sentiment VALUES (?, ?, 'en', ?, NULL, ?, 'x')",
                [WS, rid, sentiment, sentiment],
            )
    return db


def test_weight_is_half_a_score_answer() -> None:
    assert SENTIMENT_WEIGHT == 0.5


def test_sentiment_is_the_third_signal_hand_worked(data: Database) -> None:
    engine = duckdb_engine(data)
    keys = ("checkout", "delivery", "support")
    out = emotion_by_key(engine, WS, keys, Filters.make(segment=["A"])).set_index("key")
    # Checkout (segment A): NPS 10, 10 -> mean 10 -> +2.0 with weight n = 2;
    # sentiments -0.5, -0.5 -> 2 x -0.5 = -1.0 with weight 0.5 x 2 = 1;
    # (2.0 * 2 + -1.0 * 1) / (2 + 1) = 1.0.
    assert out.loc["checkout", "sentiment_n"] == 2
    assert out.loc["checkout", "sentiment_emotion"] == pytest.approx(-1.0)
    assert out.loc["checkout", "data_emotion"] == pytest.approx(1.0)
    # Support: no score, one comment of +0.25 -> the sentiment emotion alone, +0.5.
    assert out.loc["support", "data_emotion"] == pytest.approx(0.5)
    assert "delivery" not in out.index  # segment B only
    everyone = emotion_by_key(engine, WS, keys).set_index("key")
    # Checkout, all segments: NPS 10, 10, 0 -> mean 6.67 -> +0.667 (n = 3); sentiments
    # -0.5, -0.5, 1.0 -> mean 0 -> 0.0 (weight 1.5); (0.667 * 3 + 0) / 4.5 = 0.444.
    assert everyone.loc["checkout", "data_emotion"] == pytest.approx((2 / 3) * 3 / 4.5)
    # Delivery: NPS 0 -> -2.0, no comment sentiment: unchanged.
    assert everyone.loc["delivery", "data_emotion"] == pytest.approx(-2.0)
    scores_only = emotion_by_key(engine, WS, keys, sentiment=False).set_index("key")
    assert scores_only.loc["checkout", "data_emotion"] == pytest.approx(2 / 3)
    assert "sentiment_emotion" not in scores_only.columns


def test_demo_data_emotion_matches_pandas(demo_db: Database) -> None:
    """On the demo (sentiment as the import's analysis stored it), recompute the blend
    with pandas for every touchpoint."""
    responses = demo_db.execute(
        "SELECT r.response_id, lower(trim(r.touchpoint)) AS key, r.nps, r.csat, r.ces, "
        "s.sentiment FROM responses r LEFT JOIN voc_sentiment s ON s.workspace = r.workspace "
        "AND s.response_id = r.response_id WHERE r.workspace = 'demo' AND r.touchpoint IS "
        "NOT NULL"
    ).df()
    keys = tuple(sorted(responses.key.unique()))
    out = emotion_by_key(duckdb_engine(demo_db), "demo", keys).set_index("key")
    assert out.sentiment_n.sum() > 0
    for key, group in responses.groupby("key"):
        parts = []
        if group.nps.notna().any():
            parts.append((min(2, max(-2, (group.nps.mean() - 5) / 2.5)), group.nps.count()))
        if group.csat.notna().any():
            parts.append((min(2, max(-2, group.csat.mean() - 3)), group.csat.count()))
        if group.ces.notna().any():
            parts.append((min(2, max(-2, (group.ces.mean() - 4) / 1.5)), group.ces.count()))
        score = sum(v * n for v, n in parts) / sum(n for _v, n in parts) if parts else None
        s = group.sentiment.dropna()
        weights = []
        if score is not None:
            weights.append((score, len(group)))
        if len(s):
            weights.append((min(2, max(-2, 2 * s.mean())), 0.5 * len(s)))
        expected = sum(v * w for v, w in weights) / sum(w for _v, w in weights)
        assert out.loc[key, "data_emotion"] == pytest.approx(expected), key
    assert isinstance(out, pd.DataFrame)


def test_sentiment_finishing_after_an_import_reaches_the_cached_map(db: Database) -> None:
    """The map's data emotion is cached by the workspace's data revision (not by a response
    count): comments analysed after the import show at once, with no new responses."""
    from cem.analytics.result_cache import cached_analytics
    from cem.voc.jobs import analyse_workspace

    ensure_workspace(db, WS)
    for rid, text in enumerate(("Delivery was late and nobody called back", "Awful, broken"), 1):
        db.execute(
            "INSERT INTO responses_base(response_id, workspace, import_id, touchpoint, nps, "
            "comment) VALUES (?, ?, 1, 'Delivery', 5, ?)",
            [rid, WS, text],
        )
    before = cached_analytics(db, emotion_by_key, WS, ("delivery",), Filters())
    assert not before.set_index("key").loc["delivery", "sentiment_n"] > 0  # NaN: none yet
    revision = db.data_version(WS)
    analyse_workspace(db, WS)
    assert db.data_version(WS) != revision
    after = cached_analytics(db, emotion_by_key, WS, ("delivery",), Filters()).set_index("key")
    assert after.loc["delivery", "sentiment_n"] == 2
    assert after.loc["delivery", "sentiment_emotion"] < 0
