"""Voice-of-the-customer charts: theme share over time and theme NPS impact. Pure functions:
a frame from :mod:`cem.voc.analytics` in, an ``alt.Chart`` out.

>>> import pandas as pd
>>> frame = pd.DataFrame({"month": ["2025-01", "2025-02"], "theme": ["Late", "Late"],
...                       "n": [3, 5], "share": [10.0, 20.0]})
>>> theme_trend_chart(frame).to_dict()["mark"]["type"]
'line'
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from cem.charts.kpi import BAR_STEP

SIGNIFICANT_COLOURS = {"lower NPS": "#d7191c", "higher NPS": "#1a9641", "within noise": "#bdbdbd"}


def theme_trend_chart(frame: pd.DataFrame, height: int = 240) -> alt.Chart:
    """Share of comments mentioning each theme, per month (points carry n)."""
    data = frame.copy()
    data["month"] = pd.to_datetime(data["month"] + "-01")
    return (
        alt.Chart(data, height=height)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("share:Q", title="% of comments", scale=alt.Scale(domainMin=0)),
            color=alt.Color("theme:N", title="Theme", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("theme:N", title="Theme"),
                alt.Tooltip("month:T", title="Month", format="%B %Y"),
                alt.Tooltip("share:Q", title="% of comments", format=".1f"),
                alt.Tooltip("n:Q", title="Comments", format=","),
            ],
        )
    )


def theme_impact_chart(frame: pd.DataFrame, height: int | None = None) -> alt.Chart:
    """NPS of responses mentioning a theme minus the rest, coloured by significance."""
    data = frame.dropna(subset=["difference"]).copy()
    data["effect"] = [
        ("lower NPS" if d < 0 else "higher NPS") if s else "within noise"
        for d, s in zip(data.difference, data.significant, strict=False)
    ]
    return (
        alt.Chart(data, height=height or alt.Step(BAR_STEP))  # a step per bar: every name shows
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", sort=alt.EncodingSortField("difference"), title=None),
            x=alt.X("difference:Q", title="NPS with the theme minus without (pts)"),
            color=alt.Color(
                "effect:N",
                title=None,
                scale=alt.Scale(
                    domain=list(SIGNIFICANT_COLOURS), range=list(SIGNIFICANT_COLOURS.values())
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("theme:N", title="Theme"),
                alt.Tooltip("n:Q", title="Comments", format=","),
                alt.Tooltip("nps_with:Q", title="NPS with", format="+.0f"),
                alt.Tooltip("nps_without:Q", title="NPS without", format="+.0f"),
                alt.Tooltip("words:N", title="Difference"),
            ],
        )
    )
