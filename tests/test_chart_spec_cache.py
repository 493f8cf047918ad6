"""The pages' cached chart specs (cem.ui.analytics.kpi.chart_spec) are exactly the specs
the pure builders in cem.charts.kpi / cem.charts.voc give, built here independently."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from cem.charts import kpi as kpi_charts
from cem.charts import voc as voc_charts
from cem.ui.analytics.kpi import chart_spec


def _impact() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "theme_id": [1, 2, 3],
            "theme": ["Late delivery", "Friendly staff", "Price <b>"],
            "n": [40, 25, 12],
            "share": [20.0, 12.5, 6.0],
            "nps_with": [-30.0, 55.0, 10.0],
            "nps_without": [20.0, 5.0, 12.0],
            "difference": [-50.0, 50.0, -2.0],
            "significant": [True, True, False],
            "words": ["50 pts lower", "50 pts higher", "2 pts lower"],
        }
    )


def _trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": ["2025-01", "2025-02", "2025-03"],
            "theme_id": [1, 1, 1],
            "theme": ["Late delivery"] * 3,
            "n": [3, 5, 4],
            "share": [10.0, 20.0, 15.0],
        }
    )


@pytest.mark.parametrize(
    ("builder", "frame", "expected"),
    [
        ("voc.theme_impact_chart", _impact(), voc_charts.theme_impact_chart),
        ("voc.theme_trend_chart", _trend(), voc_charts.theme_trend_chart),
    ],
)
def test_voc_specs_are_the_builders(
    builder: str, frame: pd.DataFrame, expected: Callable[[pd.DataFrame], Any]
) -> None:
    spec = chart_spec(builder, frame, ())
    assert spec == expected(frame).to_dict()
    # the frame's values reach the browser unchanged (user text is data only)
    values = next(iter(spec["datasets"].values()))
    assert sorted(row["theme"] for row in values) == sorted(frame["theme"])


def test_kpi_spec_with_options_is_the_builders() -> None:
    frame = pd.DataFrame(
        {
            "channel": ["Web", "Store"],
            "value": [30.0, -10.0],
            "n": [120, 20],
            "ci_low": [20.0, -25.0],
            "ci_high": [40.0, 5.0],
            "low_confidence": [False, True],
        }
    )
    options = (("dim", "channel"), ("metric", "nps"), ("title", "NPS"))
    expected = kpi_charts.split_bar_chart(frame, dim="channel", title="NPS", metric="nps")
    assert chart_spec("kpi.split_bar_chart", frame, options) == expected.to_dict()
