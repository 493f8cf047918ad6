"""KPI chart builders: DataFrame in, Altair chart out, with the expected encodings."""

from __future__ import annotations

import pandas as pd

from cem.charts import group_colour
from cem.charts.kpi import quadrant_chart, split_bar_chart, touchpoint_chart, trend_chart


def trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01"] * 2),
            "segment": ["SMB", "SMB", "Enterprise", "Enterprise"],
            "value": [10.0, 14.0, 30.0, 25.0],
            "moe": [5.0, 6.0, 9.0, 12.0],
            "ci_low": [5.0, 8.0, 21.0, 13.0],
            "ci_high": [15.0, 20.0, 39.0, 37.0],
            "n": [200, 180, 40, 20],
            "low_confidence": [False, False, False, True],
        }
    )


def test_trend_chart_has_band_lines_and_legend_highlight() -> None:
    spec = trend_chart(trend_frame(), "NPS", group="segment").to_dict()
    band, line, points = spec["layer"]
    assert band["mark"]["type"] == "area"
    assert band["encoding"]["y"]["field"] == "ci_low"
    assert band["encoding"]["y2"]["field"] == "ci_high"
    assert line["mark"]["type"] == "line" and line["encoding"]["y"]["field"] == "value"
    params = [
        p for p in spec.get("params", []) + line.get("params", []) if p.get("bind") == "legend"
    ]
    assert params and params[0]["select"]["fields"] == ["group"]
    scale = line["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "Enterprise": group_colour("Enterprise"),
        "SMB": group_colour("SMB"),
    }
    data = next(iter(spec["datasets"].values()))
    assert sorted(r["value"] for r in data) == [10.0, 14.0, 25.0, 30.0]


def test_a_trend_of_many_groups_keeps_its_lines_and_names_readable() -> None:
    """Eight groups: every name in a legend of columns below the chart, the plot keeps its
    height, and a band shows only for the group picked (eight overlapping bands hid the
    lines); two groups keep every band."""
    names = [f"Group {k}" for k in range(8)]
    frame = pd.concat([trend_frame().assign(segment=n) for n in names], ignore_index=True)
    spec = trend_chart(frame, "NPS", group="segment").to_dict()
    band, line, _points = spec["layer"]
    legend = line["encoding"]["color"]["legend"]
    assert (legend["orient"], legend["columns"]) == ("bottom", 4)
    assert spec["height"] == 320 + 2 * 20  # two rows of four names
    assert band["encoding"]["opacity"]["condition"]["empty"] is False
    few = trend_chart(trend_frame(), "NPS", group="segment").to_dict()
    assert few["layer"][0]["encoding"]["opacity"]["condition"].get("empty", True) is True
    assert few["layer"][1]["encoding"]["color"]["legend"]["orient"] == "top"


def test_trend_chart_without_band_or_groups() -> None:
    frame = trend_frame().drop(columns=["segment"]).iloc[:2]
    spec = trend_chart(frame, "Responses", band=False).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]


def test_zero_n_rows_are_not_drawn() -> None:
    frame = trend_frame()
    frame.loc[0, "n"] = 0
    spec = trend_chart(frame, "NPS", group="segment").to_dict()
    assert len(next(iter(spec["datasets"].values()))) == 3


def test_split_bar_and_touchpoint_and_quadrant() -> None:
    split = split_bar_chart(
        trend_frame().iloc[:2].assign(segment=["A", "B"]), "segment", "NPS"
    ).to_dict()
    assert split["layer"][0]["mark"]["type"] == "bar"
    ranking = pd.DataFrame(
        {
            "touchpoint": ["<b>Web</b>", "Shop"],
            "value": [40.0, -20.0],
            "n": [100, 50],
            "rank_group": ["Best", "Worst"],
        }
    )
    tp = touchpoint_chart(ranking).to_dict()
    rows = next(iter(tp["datasets"].values()))
    assert [r["label"] for r in rows] == ["<b>Web</b>  (n=100)", "Shop  (n=50)"]
    assert [r["value_text"] for r in rows] == ["+40", "-20"]
    assert tp["layer"][0]["encoding"]["x"]["field"] == "value"
    drivers = pd.DataFrame(
        {
            "driver": ["Wifi", "Food"],
            "importance": [80.0, 20.0],
            "performance": [2.0, 4.5],
            "scale": ["1–5", "1–5"],
            "performance_pct": [25.0, 87.5],
            "correlation": [0.5, 0.1],
            "quadrant": ["Fix first", "Nice to have"],
            "n": [100, 100],
        }
    )
    quad = quadrant_chart(drivers).to_dict()
    marks = [layer["mark"]["type"] for layer in quad["layer"]]
    assert marks == ["rule", "rule", "circle", "text"]
    assert quad["layer"][2]["encoding"]["x"]["field"] == "importance"
    assert quad["layer"][2]["encoding"]["y"]["field"] == "performance_pct"  # % of its scale
    assert quad["layer"][3]["mark"]["limit"] == 170  # long question texts are cut


def test_groups_of_one_chart_never_share_a_colour_up_to_seven() -> None:
    from cem.charts import GROUP_PALETTE, group_colours

    segments = ["Consumer", "Family", "Small Business", "Enterprise"]
    assert group_colours(segments) == {s: group_colour(s) for s in segments}  # fixed colours
    ratings = ["(not set)", "1", "2", "3", "4", "5", "n/a (0)"]
    colours = group_colours(ratings)
    assert sorted(colours.values()) == sorted(GROUP_PALETTE)
    assert group_colours(list(reversed(ratings))) == colours  # the same whatever the order
