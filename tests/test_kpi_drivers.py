"""Key-driver analysis on synthetic data where the true drivers are known."""

from __future__ import annotations

import numpy as np
import pytest
from kpi_data import insert_attribute, insert_responses

from cem.analytics.drivers import (
    key_drivers,
    outcome_options,
    quadrants,
    relative_weights,
    standardized_betas,
)
from cem.analytics.engine import duckdb_engine
from cem.analytics.flags import guess_positive
from cem.errors import InputError
from cem.store.db import Database


def test_relative_weights_sum_to_r2_and_match_betas_when_uncorrelated() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 3))
    y = 0.6 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(scale=0.5, size=4000)
    data = np.column_stack([x, y])
    weights = relative_weights(data)
    betas, r2 = standardized_betas(data)
    assert weights.sum() == pytest.approx(r2)
    # Uncorrelated predictors: weight_i = beta_i^2
    assert weights == pytest.approx(betas**2, abs=0.01)
    # Cross-check betas with numpy least squares on the z-scores.
    z = (data - data.mean(0)) / data.std(0)
    direct, *_ = np.linalg.lstsq(z[:, :3], z[:, 3], rcond=None)
    assert betas == pytest.approx(direct, abs=1e-9)


def synthetic_survey(db: Database, n: int = 600, seed: int = 5) -> None:
    """Wifi drives NPS strongly and is rated low; Food barely matters and is rated high;
    Seat matters somewhat and is rated high. 0 means not applicable for Wifi."""
    rng = np.random.default_rng(seed)
    wifi = rng.integers(1, 4, n).astype(float)  # 1-3: weak
    food = rng.integers(3, 6, n).astype(float)  # 3-5: strong
    seat = rng.integers(2, 6, n).astype(float)
    nps = np.clip(np.round(1.5 * wifi + 0.6 * seat + 0.05 * food + rng.normal(0, 0.8, n)), 0, 10)
    na = rng.random(n) < 0.1
    ids = insert_responses(db, [{"nps": int(v), "csat": None} for v in nps])
    wifi_stored = np.where(na, 0.0, wifi)
    insert_attribute(
        db, "Wifi", dict(zip(ids, wifi_stored, strict=True)), zero_means_na=True, low=0, high=5
    )
    insert_attribute(db, "Food", dict(zip(ids, food, strict=True)), low=1, high=5)
    insert_attribute(db, "Seat", dict(zip(ids, seat, strict=True)), low=1, high=5)
    sat = {
        rid: ("satisfied" if v >= 7 else "neutral or dissatisfied")
        for rid, v in zip(ids, nps, strict=True)
    }
    insert_attribute(db, "satisfaction", sat, numeric=False)


def test_true_driver_ranks_first_and_lands_in_fix_first(db: Database) -> None:
    synthetic_survey(db)
    ranking = key_drivers(duckdb_engine(db), "w", "nps").set_index("driver")
    assert ranking.index.tolist()[0] == "Wifi"
    assert ranking.importance.sum() == pytest.approx(100.0)
    assert ranking.loc["Wifi", "importance"] > 60
    assert ranking.loc["Food", "importance"] < 5
    assert ranking.loc["Wifi", "quadrant"] == "Fix first"
    # zero means n/a: the 10% zeros are not counted as answers or in the mean
    assert ranking.loc["Wifi", "n"] < 600
    assert ranking.loc["Wifi", "performance"] >= 1.0
    # Performance on each driver's own scale (0 = n/a: Wifi's lowest answer is 1).
    cols = db.execute(
        "SELECT name, min_value, max_value, zero_means_na FROM attribute_columns"
    ).fetchall()
    for name, low, high, zero_na in cols:
        if name in ranking.index:
            low = 1.0 if zero_na else low
            expected = 100 * (ranking.loc[name, "performance"] - low) / (high - low)
            assert ranking.loc[name, "performance_pct"] == pytest.approx(expected)
            assert ranking.loc[name, "scale"] == f"{low:g}–{high:g}"


def test_binary_satisfaction_flag_outcome(db: Database) -> None:
    synthetic_survey(db)
    options = outcome_options(duckdb_engine(db), "w")
    key = "attr:satisfaction=satisfied"
    assert key in options
    ranking = key_drivers(duckdb_engine(db), "w", key)
    assert ranking.driver.iloc[0] == "Wifi"


def test_too_little_data_is_explained(db: Database) -> None:
    ids = insert_responses(db, [{"nps": v} for v in (1, 5, 9)])
    insert_attribute(db, "Wifi", dict(zip(ids, [1, 2, 3], strict=True)))
    with pytest.raises(InputError, match="Too few answers"):
        key_drivers(duckdb_engine(db), "w", "nps")


def test_quadrants_and_positive_guess() -> None:
    import pandas as pd

    assert quadrants(pd.Series([50.0, 30.0, 15.0, 5.0]), pd.Series([2.0, 4.0, 4.5, 1.0])) == [
        "Fix first",
        "Maintain",
        "Nice to have",
        "Low priority",
    ]
    assert guess_positive(["neutral or dissatisfied", "satisfied"]) == "satisfied"
    assert guess_positive(["Unsatisfied", "Satisfied"]) == "Satisfied"
    assert guess_positive(["red", "blue"]) is None


def test_near_collinear_ratings_are_too_similar_to_separate(db: Database) -> None:
    """Two ratings that are the same question asked twice (r > 0.99): no ranking, a
    sentence, instead of huge opposite betas."""
    rng = np.random.default_rng(7)
    n = 300
    speed = rng.integers(1, 6, n).astype(float)
    pace = speed.copy()
    pace[:3] = np.clip(pace[:3] + 1, 1, 5)  # a few answers differ by one point
    nps = np.clip(np.round(2 * speed + rng.normal(0, 1, n)), 0, 10)
    assert np.corrcoef(speed, pace)[0, 1] > 0.99  # the case is what it says
    ids = insert_responses(db, [{"nps": int(v)} for v in nps])
    insert_attribute(db, "Speed", dict(zip(ids, speed, strict=True)), low=1, high=5)
    insert_attribute(db, "Pace", dict(zip(ids, pace, strict=True)), low=1, high=5)
    with pytest.raises(InputError, match="too similar to separate.*“(Speed|Pace)”"):
        key_drivers(duckdb_engine(db), "w", "nps")
    ranking = key_drivers(duckdb_engine(db), "w", "nps", drivers=["Speed"])
    assert 0.0 <= ranking.r2.iloc[0] <= 1.0


def test_yes_no_answer_is_an_outcome(db: Database) -> None:
    """A 0/1 column is offered as "% yes" and ranks its true driver first."""
    rng = np.random.default_rng(3)
    n = 400
    speed = rng.integers(1, 6, n).astype(float)
    other = rng.integers(1, 6, n).astype(float)
    again = (speed + rng.normal(0, 0.7, n) > 3).astype(float)
    ids = insert_responses(db, [{"nps": None} for _ in range(n)])
    insert_attribute(db, "Speed", dict(zip(ids, speed, strict=True)), low=1, high=5)
    insert_attribute(db, "Decor", dict(zip(ids, other, strict=True)), low=1, high=5)
    insert_attribute(db, "Buy again", dict(zip(ids, again, strict=True)), low=0, high=1)
    options = outcome_options(duckdb_engine(db), "w")
    assert options["attr:Buy again"] == "Buy again (% yes)"
    ranking = key_drivers(duckdb_engine(db), "w", "attr:Buy again")
    assert ranking.driver.tolist()[0] == "Speed" and "Buy again" not in ranking.driver.tolist()


def test_a_difficulty_rating_reads_lower_is_better(db: Database) -> None:
    """ "How difficult was it?" 1-5: customers who found it hard score lower. Its mean of
    about 4 is not a strength: performance counts from its low end, its best two answers
    are 1-2, and it lands in "Fix first" (figures from numpy)."""
    rng = np.random.default_rng(11)
    n = 800
    difficulty = rng.integers(3, 6, n).astype(float)  # mostly hard: 3-5 of 1-5
    speed = rng.integers(3, 6, n).astype(float)
    nps = np.clip(np.round(12 - 2.0 * difficulty + 0.3 * speed + rng.normal(0, 0.8, n)), 0, 10)
    ids = insert_responses(db, [{"nps": int(v)} for v in nps])
    insert_attribute(db, "Difficulty", dict(zip(ids, difficulty, strict=True)), low=1, high=5)
    insert_attribute(db, "Speed", dict(zip(ids, speed, strict=True)), low=1, high=5)
    ranking = key_drivers(duckdb_engine(db), "w", "nps").set_index("driver")
    assert np.corrcoef(difficulty, nps)[0, 1] < -0.5
    assert bool(ranking.loc["Difficulty", "lower_is_better"])
    assert not bool(ranking.loc["Speed", "lower_is_better"])
    raw = 100 * (difficulty.mean() - 1) / 4
    assert ranking.loc["Difficulty", "performance_pct"] == pytest.approx(100 - raw)
    assert ranking.loc["Difficulty", "top2_share"] == pytest.approx(100 * (difficulty <= 2).mean())
    assert ranking.loc["Speed", "top2_share"] == pytest.approx(100 * (speed >= 4).mean())
    assert ranking.loc["Difficulty", "quadrant"] == "Fix first"


def test_a_rating_that_moves_against_the_outcome_keeps_its_scale(db: Database) -> None:
    """R users who like Python less recommend R more: the Python question is negatively
    related to the outcome, but its header is no cost, so higher stays better."""
    rng = np.random.default_rng(12)
    n = 800
    python = rng.integers(1, 11, n).astype(float)
    nps = np.clip(np.round(11 - 0.6 * python + rng.normal(0, 1.0, n)), 0, 10)
    ids = insert_responses(db, [{"nps": int(v)} for v in nps])
    insert_attribute(db, "Recommend Python", dict(zip(ids, python, strict=True)), low=1, high=10)
    insert_attribute(
        db, "Speed", dict(zip(ids, rng.integers(1, 6, n).astype(float), strict=True)), low=1, high=5
    )
    ranking = key_drivers(duckdb_engine(db), "w", "nps").set_index("driver")
    assert ranking.loc["Recommend Python", "correlation"] < -0.5
    assert not bool(ranking.loc["Recommend Python", "lower_is_better"])
    raw = 100 * (python.mean() - 1) / 9
    assert ranking.loc["Recommend Python", "performance_pct"] == pytest.approx(raw)
