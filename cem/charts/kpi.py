"""KPI charts: trends with a shaded 95% band, splits, touchpoint rankings and the
key-driver quadrant. Pure functions: a KPI frame from :mod:`cem.analytics.metrics` in, an
``alt.Chart`` out (no Streamlit, no database).

Every group keeps its fixed colour (:func:`cem.charts.group_scale`); low-confidence
points (n < 30) are drawn hollow and grey so colour is never the only cue.

>>> import pandas as pd
>>> frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01"]),
...                       "value": [10.0, 12.0], "ci_low": [5.0, 8.0], "ci_high": [15.0, 16.0],
...                       "n": [100, 20], "low_confidence": [False, True]})
>>> trend_chart(frame, "NPS").to_dict()["layer"][0]["mark"]["type"]
'area'
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from cem.charts import ALL_GROUP_COLOUR, LOW_CONFIDENCE_COLOUR, group_scale

GROUP = "group"
MANY_GROUPS = 5  # more lines than this: bands only for the group picked, legend below
QUADRANT_COLOURS: dict[str, str] = {
    "Fix first": "#d7191c",
    "Maintain": "#1a9641",
    "Nice to have": "#0072B2",
    "Low priority": "#9e9e9e",
}


def value_format(metric: str) -> str:
    """The d3 number format of a metric's values in tooltips and axes."""
    return ".1f" if metric in ("ces",) or metric.startswith("attr:") else ".0f"


def _prepare(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    data = frame.copy()
    data[GROUP] = data[group].astype(str) if group else "All"
    data = data[data["n"] > 0] if "n" in data.columns else data
    if "low_confidence" in data.columns:
        data["confidence"] = data["low_confidence"].map({True: "low (n < 30)", False: "ok"})
    for col in ("value", "ci_low", "ci_high", "moe"):
        if col in data.columns:
            data[col] = data[col].astype(float)
    return data


def trend_chart(
    frame: pd.DataFrame,
    title: str,
    *,
    group: str | None = None,
    metric: str = "nps",
    height: int = 320,
    band: bool = True,
    y_title: str | None = None,
) -> alt.LayerChart:
    """A line per group over ``period`` with a shaded 95% band (``ci_low``..``ci_high``).

    Clicking a legend entry highlights that group (``selection_point`` bound to the
    legend); the others fade.
    """
    data = _prepare(frame, group)
    names = sorted(data[GROUP].unique().tolist())
    colour_scale = (
        group_scale(names) if group else alt.Scale(domain=["All"], range=[ALL_GROUP_COLOUR])
    )
    highlight = alt.selection_point(fields=[GROUP], bind="legend", name="legend_pick")
    fmt = value_format(metric)
    many = bool(group) and len(names) > MANY_GROUPS
    legend = (
        alt.Legend(
            title=None,
            # Many groups: a legend of columns below the chart (one row on top cut names).
            orient="bottom" if many else "top",
            columns=min(len(names), 4) if many else alt.Undefined,
            labelLimit=220,
            symbolOpacity=1.0,
            symbolType="stroke",
            symbolStrokeWidth=3,
            labelFontSize=12,
        )
        if group
        else None
    )
    colour = alt.Color(f"{GROUP}:N", scale=colour_scale, legend=legend)
    base = alt.Chart(data).encode(
        x=alt.X(
            "period:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount="month")
        )
    )
    tooltip = [
        alt.Tooltip("period:T", title="Period", format="%d %b %Y"),
        alt.Tooltip(f"{GROUP}:N", title=group.capitalize() if group else "Group"),
        alt.Tooltip("value:Q", title=title, format=fmt),
        alt.Tooltip("n:Q", title="n", format=","),
    ]
    if "moe" in data.columns and data["moe"].notna().any():
        tooltip.append(alt.Tooltip("moe:Q", title="± (95%)", format=fmt))
    if "confidence" in data.columns:
        tooltip.append(alt.Tooltip("confidence:N", title="Confidence"))
    layers: list[alt.Chart] = []
    has_band = band and "ci_low" in data.columns and data["ci_low"].notna().any()
    if has_band:
        strong = 0.18 if not group or len(names) == 1 else 0.09
        # Many groups: overlapping bands hide the lines, so a band shows only for the group
        # picked in the legend.
        shown = alt.condition(highlight, alt.value(strong), alt.value(0.0), empty=not many)
        layers.append(
            base.mark_area().encode(
                y=alt.Y("ci_low:Q"), y2="ci_high:Q", color=colour, opacity=shown
            )
        )
    y = alt.Y("value:Q", title=y_title or title, scale=alt.Scale(zero=False))
    line = base.mark_line(strokeWidth=2.5).encode(
        y=y, color=colour, opacity=alt.condition(highlight, alt.value(1.0), alt.value(0.15))
    )
    points = base.mark_point(size=55, filled=True).encode(
        y=y,
        tooltip=tooltip,
        color=alt.condition("datum.low_confidence", alt.value(LOW_CONFIDENCE_COLOUR), colour),
        shape=alt.Shape(
            "confidence:N",
            legend=None,
            scale=alt.Scale(domain=["ok", "low (n < 30)"], range=["circle", "triangle-down"]),
        )
        if "confidence" in data.columns
        else alt.Undefined,
        opacity=alt.condition(highlight, alt.value(1.0), alt.value(0.15)),
    )
    layers += [line.add_params(highlight), points]
    return (
        alt.layer(*layers)
        # Streamlit fits the whole chart, legend included, to the height: room for its rows.
        .properties(
            height=height + (20 * -(-len(names) // 4) if many else 0),
            title=alt.Title(title, anchor="start"),
        )
        .interactive(bind_y=False)
    )


def trend_caption(groups: int) -> str:
    """The caption under :func:`trend_chart` with ``groups`` lines.

    >>> trend_caption(8).startswith("Shaded: the 95% interval of the group you click")
    True
    """
    how = (
        "Shaded: the 95% interval of the group you click in the legend (click the background "
        "to reset)."
        if groups > MANY_GROUPS
        else "Shaded: 95% interval. Click a legend entry to highlight that group (click the "
        "background to reset)."
    )
    return how + " Hollow grey triangles: fewer than 30 answers."


BAR_STEP = 28  # pixels per bar of a horizontal bar chart


def split_bar_chart(
    frame: pd.DataFrame, dim: str, title: str, *, metric: str = "nps", height: int | None = None
) -> alt.LayerChart:
    """One bar per group (fixed colours) with its 95% interval as an error bar."""
    data = _prepare(frame, dim)
    names = data[GROUP].tolist()
    fmt = value_format(metric)
    base = alt.Chart(data).encode(y=alt.Y(f"{GROUP}:N", title=None, sort="-x"))
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=title),
        color=alt.Color(f"{GROUP}:N", scale=group_scale(names), legend=None),
        opacity=alt.condition("datum.low_confidence", alt.value(0.35), alt.value(0.9)),
        tooltip=[
            alt.Tooltip(f"{GROUP}:N", title=dim),
            alt.Tooltip("value:Q", format=fmt),
            alt.Tooltip("n:Q", format=","),
        ],
    )
    layers = [bars]
    if "ci_low" in data.columns and data["ci_low"].notna().any():
        layers.append(base.mark_rule(color="#333").encode(x="ci_low:Q", x2="ci_high:Q"))
    # A step per bar (not a total height): Streamlit fits a total height to the whole
    # chart, axis and legend included, so the bars shrank and Vega dropped their names.
    return alt.layer(*layers).properties(height=height or alt.Step(BAR_STEP))


def touchpoint_chart(ranking: pd.DataFrame, title: str = "NPS") -> alt.LayerChart:
    """Touchpoints as horizontal bars of their NPS (best green, worst red); the axis label
    carries the touchpoint and its n, the bar end its signed value."""
    data = ranking.copy()
    data["label"] = data.apply(lambda r: f"{r['touchpoint']}  (n={int(r['n']):,})", axis=1)
    data["value_text"] = data["value"].map(lambda v: f"{v:+.0f}")
    order = data.sort_values("value", ascending=False)["label"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelFontSize=12))
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=title),
        color=alt.Color(
            "rank_group:N",
            title=None,
            legend=alt.Legend(orient="top"),
            scale=alt.Scale(domain=["Best", "Worst"], range=["#1a9641", "#d7191c"]),
        ),
        tooltip=[
            alt.Tooltip("touchpoint:N", title="Touchpoint"),
            alt.Tooltip("value:Q", title=title, format="+.0f"),
            alt.Tooltip("n:Q", format=","),
        ],
    )
    right = (
        base.transform_filter("datum.value >= 0")
        .mark_text(align="left", dx=4, fontSize=12, color="#222")
        .encode(x="value:Q", text="value_text:N")
    )
    left = (
        base.transform_filter("datum.value < 0")
        .mark_text(align="right", dx=-4, fontSize=12, color="#222")
        .encode(x="value:Q", text="value_text:N")
    )
    return alt.layer(bars, right, left).properties(height=alt.Step(34))


def quadrant_chart(
    drivers: pd.DataFrame,
    *,
    importance: str = "importance",
    performance: str = "performance_pct",
    height: int = 420,
) -> alt.LayerChart:
    """Importance (x) x performance (y) with lines at the means and one label per driver;
    colour and the label's quadrant name both say what to do."""
    data = drivers.dropna(subset=[importance, performance]).copy()
    x_mid = float(data[importance].mean()) if len(data) else 0.0
    y_mid = float(data[performance].mean()) if len(data) else 0.0
    base = alt.Chart(data)
    points = base.mark_circle(size=160, opacity=0.9).encode(
        x=alt.X(
            f"{importance}:Q",
            title="Importance (share of explained outcome, %)",
            scale=alt.Scale(zero=True),
        ),
        y=alt.Y(
            f"{performance}:Q",
            title="Performance (mean, % of its scale)",
            scale=alt.Scale(zero=False),
        ),
        color=alt.Color(
            "quadrant:N",
            title="Quadrant",
            scale=alt.Scale(domain=list(QUADRANT_COLOURS), range=list(QUADRANT_COLOURS.values())),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("driver:N", title="Driver"),
            alt.Tooltip(f"{importance}:Q", title="Importance", format=".1f"),
            alt.Tooltip("performance:Q", title="Mean rating", format=".2f"),
            alt.Tooltip("scale:N", title="Scale"),
            alt.Tooltip("correlation:Q", title="Correlation r", format=".2f"),
            alt.Tooltip("quadrant:N", title="Quadrant"),
            alt.Tooltip("n:Q", title="n", format=","),
        ],
    )
    # Long question texts are cut to 170 px (the tooltip has the whole name): uncut, they
    # pushed the plot into a sliver.
    labels = base.mark_text(align="left", dx=9, fontSize=12, color="#222", limit=170).encode(
        x=f"{importance}:Q", y=f"{performance}:Q", text="driver:N"
    )
    vline = (
        alt.Chart(pd.DataFrame({"x": [x_mid]}))
        .mark_rule(strokeDash=[4, 4], color="#777")
        .encode(x="x:Q")
    )
    hline = (
        alt.Chart(pd.DataFrame({"y": [y_mid]}))
        .mark_rule(strokeDash=[4, 4], color="#777")
        .encode(y="y:Q")
    )
    return alt.layer(vline, hline, points, labels).properties(height=height)
