"""Journey-flow charts: funnels and drop-off, time between stages, channel switching,
top paths, outcomes by group, and the planned-vs-actual stage view.

Pure functions: a frame from :mod:`cem.analytics.events.flows` / :mod:`cem.journeys.planned_actual`
in, an Altair chart out. Labels shown on the chart are precomputed text columns (user
text is data, never part of a format string or HTML); Vega shows tooltips as text.

>>> import pandas as pd
>>> f = pd.DataFrame({"step": [1, 2], "stage": ["Visit", "Buy"], "journeys": [10, 4],
...                   "share_of_start": [1.0, 0.4], "conversion": [1.0, 0.4],
...                   "dropped": [6, 0], "drop_rate": [0.6, 0.0]})
>>> funnel_chart(f, "stage").to_dict()["layer"][0]["mark"]["type"]
'bar'
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from cem.charts import EMOTIONS, LOW_CONFIDENCE_COLOUR, PAIN_POINT_COLOUR
from cem.format import LOW_CONFIDENCE_N

REACH_COLOUR = "#0072B2"
DROP_COLOUR = PAIN_POINT_COLOUR
P90_COLOUR = "#E69F00"
UNSEEN_COLOUR = "#bdbdbd"
SEEN_COLOUR = "#0072B2"
UNMAPPED_COLOUR = "#E69F00"
NPS_POSITIVE = EMOTIONS[1].colour
NPS_NEGATIVE = EMOTIONS[-1].colour


def _pct(value: float) -> str:
    """A share (0-1) as a whole percent; a share that is not zero never reads "0%".

    >>> _pct(0.0004), _pct(0.0), _pct(0.9996), _pct(0.25)
    ('<1%', '0%', '>99%', '25%')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if 0 < value < 0.005:
        return "<1%"
    if 0.995 <= value < 1:
        return ">99%"
    return f"{value:.0%}"


def _step_labels(frame: pd.DataFrame, label: str) -> pd.Series:
    return frame["step"].astype(int).astype(str) + ". " + frame[label].astype(str)


def _labelled_bars(
    data: pd.DataFrame,
    count: str,
    share: str,
    title: str,
    colour: str,
    tooltip: list[alt.Tooltip],
    *,
    label_limit: int = 260,
    font_size: int = 13,
    height: int | alt.Step | None = None,
) -> alt.LayerChart:
    """Horizontal bars of ``count`` per ``label`` (in the frame's order), each labelled
    "count (share)": the funnel, drop-off and path charts."""
    data["text"] = [
        f"{int(n):,} ({_pct(r)})" for n, r in zip(data[count], data[share], strict=True)
    ]
    y = alt.Y(
        "label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=label_limit)
    )
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(color=colour).encode(
        x=alt.X(f"{count}:Q", title=title, axis=alt.Axis(format="~s")),
        tooltip=tooltip,
    )
    text = base.mark_text(align="left", dx=4, fontSize=font_size).encode(
        x=f"{count}:Q", text="text:N"
    )
    return alt.layer(bars, text).properties(height=height or alt.Step(34))


def funnel_chart(
    funnel: pd.DataFrame, label: str = "stage", *, height: int | None = None
) -> alt.LayerChart:
    """Horizontal funnel: journeys reaching each step, labelled "n (share of start)"."""
    data = funnel.copy()
    data["label"] = _step_labels(data, label)
    data["conversion_text"] = [_pct(c) for c in data["conversion"]]
    tooltip = [
        alt.Tooltip(f"{label}:N", title=label.capitalize()),
        alt.Tooltip("journeys:Q", title="Journeys", format=","),
        alt.Tooltip("conversion_text:N", title="From previous step"),
        alt.Tooltip("dropped:Q", title="Dropped here", format=","),
    ]
    return _labelled_bars(
        data,
        "journeys",
        "share_of_start",
        "Customer journeys",
        REACH_COLOUR,
        tooltip,
        height=height,
    )


def dropoff_chart(
    funnel: pd.DataFrame, label: str = "stage", *, height: int | None = None
) -> alt.LayerChart:
    """Journeys lost after each step (the last step has none), labelled with the rate."""
    data = funnel.iloc[:-1].copy() if len(funnel) > 1 else funnel.copy()
    data["label"] = _step_labels(data, label)
    tooltip = [
        alt.Tooltip(f"{label}:N", title=label.capitalize()),
        alt.Tooltip("dropped:Q", title="Stopped here", format=","),
        alt.Tooltip("drop_rate:Q", title="Of those who reached it", format=".0%"),
    ]
    return _labelled_bars(
        data,
        "dropped",
        "drop_rate",
        "Journeys that stop here",
        DROP_COLOUR,
        tooltip,
        height=height,
    )


def time_between_chart(timing: pd.DataFrame, *, unit: str = "auto") -> alt.LayerChart:
    """Median (bar) and p90 (tick and whisker) time between consecutive stages.

    ``unit`` is "hours", "days" or "auto" (days when the largest p90 is over 72 hours).
    """
    data = timing[timing["journeys"] > 0].copy()
    if unit == "auto":
        top = data["p90_hours"].max() if not data.empty else 0
        unit = "days" if top and top > 72 else "hours"
    if unit not in ("hours", "days"):
        raise ValueError(f"unit must be hours, days or auto, not {unit!r}")
    data["median"] = data[f"median_{unit}"].astype(float)
    data["p90"] = data[f"p90_{unit}"].astype(float)
    data["label"] = data["from_stage"].astype(str) + " → " + data["to_stage"].astype(str)
    data["text"] = [
        f"median {m:.1f} · p90 {p:.1f}" for m, p in zip(data["median"], data["p90"], strict=True)
    ]
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=280))
    tooltip = [
        alt.Tooltip("label:N", title="Between"),
        alt.Tooltip("median:Q", title=f"Median ({unit})", format=".1f"),
        alt.Tooltip("p90:Q", title=f"90th percentile ({unit})", format=".1f"),
        alt.Tooltip("journeys:Q", title="Journeys", format=","),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    top = float(data["p90"].max()) if not data.empty else 1.0
    bar = base.mark_bar(color=REACH_COLOUR, height=18).encode(
        x=alt.X(
            "median:Q",
            title=f"Time ({unit}): bar = median, whisker = 90th percentile",
            scale=alt.Scale(domain=[0, top * 1.35 if top > 0 else 1.0]),
        )
    )
    whisker = base.mark_rule(color=P90_COLOUR, strokeWidth=2).encode(x="median:Q", x2="p90:Q")
    tick = base.mark_tick(color=P90_COLOUR, thickness=3, size=18).encode(x="p90:Q")
    text = base.mark_text(align="left", dx=6, fontSize=12).encode(x="p90:Q", text="text:N")
    return alt.layer(bar, whisker, tick, text).properties(height=alt.Step(36))


def channel_heatmap(matrix: pd.DataFrame) -> alt.LayerChart:
    """From-channel (rows) × to-channel (columns); colour = moves, text = row share."""
    data = matrix.copy()
    data["text"] = [_pct(s) for s in data["share"]]
    order = sorted(set(data["from_channel"]) | set(data["to_channel"]))
    base = alt.Chart(data).encode(
        x=alt.X(
            "to_channel:N",
            sort=order,
            title="Next event's channel",
            axis=alt.Axis(labelAngle=-30, labelLimit=160),
        ),
        y=alt.Y("from_channel:N", sort=order, title="Channel", axis=alt.Axis(labelLimit=160)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("transitions:Q", title="Moves", scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("from_channel:N", title="From"),
            alt.Tooltip("to_channel:N", title="To"),
            alt.Tooltip("transitions:Q", title="Moves", format=","),
            alt.Tooltip("share:Q", title="Share of moves from this channel", format=".1%"),
        ],
    )
    threshold = float(data["transitions"].max()) * 0.55 if not data.empty else 0.0
    text = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition(
            alt.datum.transitions > threshold, alt.value("white"), alt.value("#222222")
        ),
    )
    side = max(220, 38 * len(order))
    return alt.layer(rect, text).properties(width=side, height=side)


def path_chart(paths: pd.DataFrame) -> alt.LayerChart:
    """Top paths as horizontal bars of journeys, labelled with their share."""
    data = paths.copy()
    data["label"] = data["rank"].astype(int).astype(str) + ". " + data["path"].astype(str)
    tooltip = [
        alt.Tooltip("path:N", title="Path"),
        alt.Tooltip("journeys:Q", title="Journeys", format=","),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
    ]
    return _labelled_bars(
        data,
        "journeys",
        "share",
        "Customer journeys",
        REACH_COLOUR,
        tooltip,
        label_limit=420,
        font_size=12,
        height=alt.Step(28),
    )


def outcome_chart(outcomes: pd.DataFrame, *, title: str = "NPS") -> alt.LayerChart:
    """NPS per group with its 95% margin as a whisker; groups with n < 30 are grey and
    marked "(low n)" in their label, so colour is not the only cue."""
    data = outcomes[outcomes["nps_n"] > 0].copy()
    data["low"] = data["nps_n"] < LOW_CONFIDENCE_N
    data["label"] = [
        f"{g} (low n)" if low else str(g) for g, low in zip(data["group"], data["low"], strict=True)
    ]
    data["ci_low"] = data["nps"] - data["nps_moe"]
    data["ci_high"] = data["nps"] + data["nps_moe"]
    data["text"] = [
        f"{round(v):+d} ±{round(m)} (n={int(n):,})"
        if not math.isnan(m)
        else f"{round(v):+d} (n={int(n):,})"
        for v, m, n in zip(
            data["nps"], data["nps_moe"].fillna(math.nan), data["nps_n"], strict=True
        )
    ]
    data["tone"] = [
        "low" if low else ("up" if v >= 0 else "down")
        for v, low in zip(data["nps"], data["low"], strict=True)
    ]
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=380))
    colour = alt.Color(
        "tone:N",
        legend=None,
        scale=alt.Scale(
            domain=["up", "down", "low"], range=[NPS_POSITIVE, NPS_NEGATIVE, LOW_CONFIDENCE_COLOUR]
        ),
    )
    base = alt.Chart(data).encode(y=y)
    tooltip = [
        alt.Tooltip("group:N", title="Group"),
        alt.Tooltip("text:N", title=title),
        alt.Tooltip("customers:Q", title="Customers", format=","),
    ]
    bars = base.mark_bar().encode(
        x=alt.X(
            "nps:Q", title=f"{title} (bar) with 95% margin", scale=alt.Scale(domain=[-100, 100])
        ),
        color=colour,
        tooltip=tooltip,
    )
    whisker = base.mark_rule(color="#333333").encode(x="ci_low:Q", x2="ci_high:Q")
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#666666").encode(x="x:Q")
    text = base.mark_text(align="left", dx=6, fontSize=12).encode(x="ci_high:Q", text="text:N")
    return alt.layer(bars, whisker, zero, text).properties(height=alt.Step(40))


def planned_actual_chart(stages: pd.DataFrame, touchpoints: pd.DataFrame) -> alt.VConcatChart:
    """The planned journey drawn with what happened: one column per planned stage.

    Top: journeys that reached each planned stage (bar) and the drop-off after it (red
    label). Below: the map's touchpoints in their stage columns, sized by events; planned
    touchpoints never seen in the data are grey and marked "(unseen)".

    ``stages``: ``position, stage, journeys, visited, dropped, drop_rate``.
    ``touchpoints``: ``stage_position, stage, position, touchpoint, events, seen``.
    """
    order = [str(s) for s in stages.sort_values("position")["stage"]]
    sdata = stages.copy()
    sdata["stage"] = sdata["stage"].astype(str)
    sdata["drop_text"] = [
        f"▼ {int(d):,} stop ({_pct(r)})" if d else ""
        for d, r in zip(sdata["dropped"], sdata["drop_rate"], strict=True)
    ]
    sdata["reach_text"] = [f"{int(n):,}" for n in sdata["journeys"]]
    x = alt.X(
        "stage:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            orient="top", labelAngle=0, labelLimit=150, labelFontSize=13, labelFontWeight="bold"
        ),
    )
    width = 760 if len(order) <= 7 else 110 * len(order)
    sbase = alt.Chart(sdata).encode(x=x)
    plain_x = alt.X("stage:N", sort=order, title=None, axis=None)
    tooltip = [
        alt.Tooltip("stage:N", title="Planned stage"),
        alt.Tooltip("journeys:Q", title="Reached (at least this far)", format=","),
        alt.Tooltip("visited:Q", title="Had an event in it", format=","),
        alt.Tooltip("dropped:Q", title="Stopped here", format=","),
        alt.Tooltip("drop_rate:Q", title="Drop-off", format=".0%"),
    ]
    reach = sbase.mark_bar(color=REACH_COLOUR, opacity=0.85).encode(
        y=alt.Y(
            "journeys:Q",
            title="Journeys reaching the stage",
            axis=alt.Axis(format="~s"),
            scale=alt.Scale(
                domain=[
                    0,
                    max(
                        1.0, float(sdata["journeys"].max() or 0) * 1.15 if not sdata.empty else 1.0
                    ),
                ]
            ),
        ),
        tooltip=tooltip,
    )
    reach_text = sbase.mark_text(dy=-8, fontSize=12).encode(y="journeys:Q", text="reach_text:N")
    drop_text = (
        alt.Chart(sdata)
        .mark_text(fontSize=11, color=DROP_COLOUR, fontWeight="bold")
        .encode(x=plain_x, y=alt.value(13), text="drop_text:N")
    )
    top = alt.layer(reach, reach_text).properties(width=width, height=200)
    drops = drop_text.properties(width=width, height=26)

    tdata = touchpoints.copy()
    tdata["stage"] = tdata["stage"].astype(str)
    tdata["status"] = ["planned, seen" if s else "planned, never seen" for s in tdata["seen"]]
    tdata["text"] = [
        f"{t}" if s else f"{t} (unseen)"
        for t, s in zip(tdata["touchpoint"], tdata["seen"], strict=True)
    ]
    tbase = alt.Chart(tdata).encode(x=plain_x, y=alt.Y("position:O", title=None, axis=None))
    colour = alt.Color(
        "status:N",
        title="Touchpoint",
        scale=alt.Scale(
            domain=["planned, seen", "planned, never seen"], range=[SEEN_COLOUR, UNSEEN_COLOUR]
        ),
        legend=alt.Legend(orient="bottom"),
    )
    ttip = [
        alt.Tooltip("touchpoint:N", title="Touchpoint"),
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("events:Q", title="Events", format=","),
        alt.Tooltip("status:N", title="Status"),
    ]
    dots = tbase.mark_circle(opacity=0.9).encode(
        size=alt.Size("events:Q", title="Events", scale=alt.Scale(range=[60, 900]), legend=None),
        color=colour,
        tooltip=ttip,
    )
    labels = tbase.mark_text(dy=22, fontSize=11).encode(
        text="text:N",
        color=alt.condition(alt.datum.seen, alt.value("#222222"), alt.value("#8a8a8a")),
    )
    rows = int(tdata["position"].nunique()) if not tdata.empty else 1
    bottom = alt.layer(dots, labels).properties(width=width, height=max(90, 64 * rows))
    return (
        alt.vconcat(top, drops, bottom, spacing=4)
        .resolve_scale(color="independent")
        .configure_view(stroke=None)
    )
