"""Significance of NPS and CSAT differences, on constructed data, and its wording."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cem.analytics.significance import (
    change_vs_previous,
    change_words,
    nps_difference_significant,
    nps_variance,
    two_proportion_significant,
    versus_rest,
)


def test_nps_variance_formula() -> None:
    assert nps_variance(0.5, 0.2, 100) == pytest.approx((0.7 - 0.09) / 100)
    assert math.isnan(nps_variance(0.5, 0.2, 0))


def test_nps_difference_significant_and_not() -> None:
    # a: +40 (50% P, 10% D), b: +10 (30% P, 20% D), n=200 each.
    var_a = (0.6 - 0.4**2) / 200
    var_b = (0.5 - 0.1**2) / 200
    threshold = 1.96 * math.sqrt(var_a + var_b) * 100  # about 16.8 points
    assert 30 > threshold
    assert nps_difference_significant(0.5, 0.1, 200, 0.3, 0.2, 200)
    # Same shares but n=20: the threshold grows past 30 points.
    assert not nps_difference_significant(0.5, 0.1, 20, 0.3, 0.2, 20)


def test_two_proportion_test() -> None:
    # 60% vs 50% of 400 each: z = 0.1 / sqrt(.55*.45*(2/400)) = 2.84 -> significant
    assert two_proportion_significant(240, 400, 200, 400)
    # 60% vs 50% of 40 each: z = 0.90 -> not
    assert not two_proportion_significant(24, 40, 20, 40)
    assert not two_proportion_significant(0, 0, 5, 10)


def test_words() -> None:
    assert change_words(6.4, True) == "▲ 6 pts, significant"
    assert change_words(-2.2, False) == "▼ 2 pts, within noise"
    assert change_words(0.2, False) == "no change"
    assert change_words(float("nan"), None) == "no comparison"
    assert change_words(0.34, True, "", 1) == "▲ 0.3, significant"


def nps_row(group: str, promoters: int, passives: int, detractors: int, period=None) -> dict:
    n = promoters + passives + detractors
    row = {
        "segment": group,
        "n": n,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "share_promoters": promoters / n,
        "share_detractors": detractors / n,
        "value": 100 * (promoters - detractors) / n,
    }
    if period is not None:
        row["period"] = pd.Timestamp(period)
    return row


def test_segment_versus_rest() -> None:
    frame = pd.DataFrame(
        [nps_row("A", 300, 100, 100), nps_row("B", 100, 100, 300), nps_row("C", 10, 5, 5)]
    )
    out = versus_rest(frame, "segment", "nps").set_index("segment")
    # A: +40 vs rest (110 P, 105 pass, 305 D of 520) = -37.5 -> significant
    assert out.loc["A", "vs_rest"] == pytest.approx(40 - 100 * (110 - 305) / 520)
    assert out.loc["A", "vs_rest_significant"]
    assert out.loc["A", "vs_rest_words"] == "▲ 78 pts, significant"
    # C: +25 on n=20 vs the rest (400 P, 400 D of 1000 = 0): fewer than 30 answers, a
    # low-confidence KPI (DESIGN.md), so no claim either way
    assert out.loc["C", "vs_rest_significant"] is None
    assert out.loc["C", "vs_rest_words"] == "▲ 25 pts, too few answers to tell"


def test_a_tiny_group_is_never_called_significant() -> None:
    """Two answers, both promoters (+100), against 900 at -35: DESIGN.md's variance of the
    pair is 0, which made any difference "significant"; fewer than 30 answers says so."""
    frame = pd.DataFrame([nps_row("tiny", 2, 0, 0), nps_row("rest", 180, 225, 495)])
    out = versus_rest(frame, "segment", "nps").set_index("segment")
    assert out.loc["tiny", "vs_rest"] == pytest.approx(100 - 100 * (180 - 495) / 900)
    assert out.loc["tiny", "vs_rest_significant"] is None
    assert out.loc["tiny", "vs_rest_words"] == "▲ 135 pts, too few answers to tell"


def test_period_versus_previous_period() -> None:
    frame = pd.DataFrame(
        [
            nps_row("All", 100, 100, 100, "2025-01-01"),
            nps_row("All", 200, 50, 50, "2025-02-01"),
            nps_row("All", 205, 50, 45, "2025-03-01"),
        ]
    )
    out = change_vs_previous(frame, "nps")
    assert out.change_words.tolist() == ["", "▲ 50 pts, significant", "▲ 3 pts, within noise"]


def test_csat_versus_rest_uses_two_proportion_test() -> None:
    frame = pd.DataFrame(
        {
            "channel": ["web", "phone"],
            "n": [400, 400],
            "satisfied": [240, 200],
            "value": [60.0, 50.0],
        }
    )
    out = versus_rest(frame, "channel", "csat").set_index("channel")
    assert bool(out.loc["web", "vs_rest_significant"])
    assert out.loc["phone", "vs_rest_words"] == "▼ 10 pts, significant"
