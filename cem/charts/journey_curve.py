"""The emotion lane as a plain Vega-Lite spec (no Altair), for the live map page.

Built without Altair so the map redraws in milliseconds after an edit; the layers match
:func:`cem.charts.journey.journey_map_chart`'s emotion lane. User text is data only.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cem.charts import (
    EMOTION_DOMAIN,
    EMOTION_RANGE,
    MOMENT_OF_TRUTH_MARK,
    PAIN_POINT_COLOUR,
    PAIN_POINT_MARK,
)
from cem.charts.journey import (
    DATA_COLOUR,
    DATA_SERIES,
    FONT,
    MOT_COLOUR,
    TEAM_COLOUR,
    TEAM_SERIES,
    emotion_long_frame,
    map_frame,
)
from cem.journeys.model import Journey


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """JSON-safe rows (NaN → None) for an inline Vega-Lite data set."""
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return out.to_dict("records")


def emotion_curve_spec(
    journey: Journey, data_emotion: pd.DataFrame | None = None, *, height: int = 170
) -> dict[str, Any]:
    """The emotion lane as a plain Vega-Lite spec, as wide as its container.

    The same layers as the map's emotion lane (the team's solid curve with faces, the
    customers' dashed curve with n, pain points ⚠ and moments of truth ★ on top), built
    without Altair so the live map redraws in milliseconds. Stage *i* spans x = i..i+1,
    so the curve lines up under equal-width stage columns. User text is data only.
    """
    frame = map_frame(journey, data_emotion)
    n_stages = max(1, len(journey.stages))
    long = emotion_long_frame(frame) if not frame.empty else pd.DataFrame()
    x = {
        "field": "x",
        "type": "quantitative",
        "scale": {"domain": [0, n_stages], "nice": False, "zero": True},
        "axis": None,
    }
    y_scale = {"domain": [-2.7, 2.7], "nice": False}
    y = {
        "field": "score",
        "type": "quantitative",
        "scale": y_scale,
        "axis": {
            "values": [-2, -1, 0, 1, 2],
            "title": None,
            "labelFontSize": 14,
            "labelExpr": (
                "datum.value == 2 ? '+2 😄' : datum.value == 1 ? '+1 🙂' : datum.value == 0 ? "
                "'0 😐' : datum.value == -1 ? '−1 🙁' : '−2 😡'"
            ),
            "grid": True,
            "gridDash": [2, 3],
        },
    }
    series = {"domain": [TEAM_SERIES, DATA_SERIES], "range": [TEAM_COLOUR, DATA_COLOUR]}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": [{"score": 0}]},
            "mark": {"type": "rule", "color": "#9e9e9e"},
            "encoding": {"y": y},
        },
        {
            "data": {"values": [{"x": float(i)} for i in range(1, n_stages)]},
            "mark": {"type": "rule", "color": "#cfd8dc", "strokeWidth": 1.5},
            "encoding": {"x": x},
        },
    ]
    if not long.empty:
        values = _records(
            long,
            ["x", "touchpoint", "stage", "score", "score_label", "n", "series", "step", "face"],
        )
        layers += [
            {
                "data": {"values": values},
                "mark": {"type": "line", "strokeWidth": 3.5, "interpolate": "monotone"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "scale": series,
                        "legend": {"orient": "top", "title": None, "labelFontSize": 14},
                    },
                    "strokeDash": {
                        "field": "series",
                        "type": "nominal",
                        "scale": {"domain": [TEAM_SERIES, DATA_SERIES], "range": [[1, 0], [7, 5]]},
                        "legend": None,
                    },
                },
            },
            {
                "data": {"values": values},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 300,
                    "strokeWidth": 2.5,
                    "opacity": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "fill": {
                        "field": "step",
                        "type": "quantitative",
                        "scale": {"domain": EMOTION_DOMAIN, "range": EMOTION_RANGE},
                        "legend": None,
                    },
                    "stroke": {
                        "field": "series",
                        "type": "nominal",
                        "scale": series,
                        "legend": None,
                    },
                    "shape": {
                        "field": "series",
                        "type": "nominal",
                        "scale": {
                            "domain": [TEAM_SERIES, DATA_SERIES],
                            "range": ["circle", "diamond"],
                        },
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "series", "title": "Curve"},
                        {"field": "touchpoint", "title": "Touchpoint"},
                        {"field": "stage", "title": "Stage"},
                        {"field": "score_label", "title": "Emotion"},
                        {"field": "n", "title": "Responses (n)", "format": ","},
                    ],
                },
            },
            {
                "data": {"values": [v for v in values if v["series"] == TEAM_SERIES]},
                "mark": {"type": "text", "fontSize": 19, "dy": -22, "font": FONT},
                "encoding": {"x": x, "y": y, "text": {"field": "face"}},
            },
        ]
    for flag, mark, colour, dx in (
        ("pain_point", PAIN_POINT_MARK, PAIN_POINT_COLOUR, -8),
        ("moment_of_truth", MOMENT_OF_TRUTH_MARK, MOT_COLOUR, 8),
    ):
        flagged = frame[frame[flag]] if not frame.empty else frame
        if flagged.empty:
            continue
        layers.append(
            {
                "data": {"values": _records(flagged, ["x", "touchpoint"])},
                "mark": {
                    "type": "text",
                    "fontSize": 19,
                    "color": colour,
                    "dx": dx,
                    "fontWeight": "bold",
                },
                "encoding": {
                    "x": x,
                    "y": {"datum": 2.5, "scale": y_scale},
                    "text": {"value": mark},
                    "tooltip": [{"field": "touchpoint", "title": flag.replace("_", " ")}],
                },
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": "container",
        "height": height,
        "layer": layers,
        "config": {"view": {"stroke": None}},
    }
