"""The journey map as one Altair chart (so the page and the PNG/SVG export are the same).

Pure builders: :func:`map_frame` / :func:`stage_frame` turn a journey (plus the
data-derived emotion) into tidy DataFrames, and :func:`journey_map_chart` draws, top to
bottom and sharing one x axis (each stage is one equal-width column):

1. stage headers (the columns of the map),
2. touchpoint cards stacked in their stage's column: name, channel · owner; ⚠ pain
   point in red with a red border, ★ moment of truth, 💡 opportunity (a stage with
   more than ``MAX_CARD_ROWS`` cards shows "+ n more"),
3. the channels lane (the channels each stage uses),
4. the emotion lane: the team's emotion (solid line, points in the emotion colours with
   the face above) and the customers' data-derived emotion (dashed, n in the tooltip),
   with pain points and moments of truth marked on it.

All user text reaches Vega as data (text marks and tooltips), never as format strings
or HTML.

>>> from cem.journeys.model import Journey, Stage, Touchpoint
>>> tp = Touchpoint(1, 10, 0, "Checkout", channel="web", emotion=-1, pain_point=True)
>>> j = Journey(1, "w", "Shop", None, None, 1, None, None, (Stage(10, 0, "Buy", 1, (tp,)),))
>>> map_frame(j)[["touchpoint", "stage", "x", "row", "emotion", "marks"]].to_dict("records")
[{'touchpoint': 'Checkout', 'stage': 'Buy', 'x': 0.5, 'row': 0, 'emotion': -1.0, 'marks': '⚠'}]
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from cem.charts import (
    EMOTIONS,
    MOMENT_OF_TRUTH_MARK,
    OPPORTUNITY_MARK,
    PAIN_POINT_COLOUR,
    PAIN_POINT_MARK,
    emotion_for,
    emotion_scale,
)
from cem.journeys.model import Journey

TEAM_SERIES = "Team's emotion"
DATA_SERIES = "Customers' data"
TEAM_COLOUR = "#263238"
DATA_COLOUR = "#0072B2"
MOT_COLOUR = "#8a5a00"
STAGE_FILLS = ("#37474f", "#546e7a")
CARD_BORDER = "#9e9e9e"
MIN_STAGE_WIDTH = 90
DEFAULT_STAGE_WIDTH = 170
MAX_CARD_ROWS = 6
CARD_ROW_PX = 54
FONT = "sans-serif"


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Wrap text into at most ``lines`` lines of ``width`` characters (… when cut).

    >>> _wrap("Order confirmation email", 12, 2)
    ['Order', 'confirmation…']
    """
    wrapped = textwrap.wrap(text, width=max(4, width), break_long_words=False) or [""]
    wrapped = [w if len(w) <= width + 2 else w[: width + 1] + "…" for w in wrapped]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        last = wrapped[-1]
        wrapped[-1] = (last if len(last) <= width else last[:width].rstrip()) + "…"
    return wrapped


def _cut(text: str, limit: int) -> str:
    """Shorten one line to ``limit`` characters with an ellipsis.

    >>> _cut("web · Customer care", 12)
    'web · Custo…'
    """
    limit = max(3, limit)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stage_frame(journey: Journey) -> pd.DataFrame:
    """One row per stage: name, order, x0/x1 (its column), centre, counts, channels."""
    rows = []
    for index, stage in enumerate(journey.stages):
        channels: list[str] = []
        for tp in stage.touchpoints:
            if tp.channel and tp.channel not in channels:
                channels.append(tp.channel)
        rows.append(
            {
                "stage": stage.name,
                "stage_order": index,
                "x0": float(index),
                "x1": float(index + 1),
                "xm": index + 0.5,
                "n_touchpoints": len(stage.touchpoints),
                "fill": STAGE_FILLS[index % 2],
                "label": stage.name if stage.touchpoints else f"{stage.name} (empty)",
                "channels": " · ".join(channels) if channels else "—",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "stage",
            "stage_order",
            "x0",
            "x1",
            "xm",
            "n_touchpoints",
            "fill",
            "label",
            "channels",
        ],
    )


MAP_COLUMNS = [
    "touchpoint_id",
    "order",
    "x",
    "row",
    "stage",
    "stage_order",
    "touchpoint",
    "channel",
    "owner",
    "description",
    "emotion",
    "emotion_label",
    "face",
    "pain_point",
    "pain_note",
    "moment_of_truth",
    "opportunity",
    "marks",
    "data_emotion",
    "data_label",
    "n",
    "nps_mean",
    "csat_mean",
    "ces_mean",
]


def map_frame(journey: Journey, data_emotion: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per touchpoint in journey order, with everything the map draws.

    ``x`` places the touchpoint inside its stage's column (stage i spans i..i+1) for the
    emotion curve; ``row`` is its card row in that column. ``data_emotion`` is
    :func:`cem.journeys.data_emotion.attach_to_touchpoints` output (optional).
    """
    extra: dict[int, dict[str, Any]] = {}
    if data_emotion is not None and not data_emotion.empty:
        extra = {int(r["touchpoint_id"]): r for r in data_emotion.to_dict("records")}
    rows = []
    order = 0
    for s_index, stage in enumerate(journey.stages):
        count = len(stage.touchpoints)
        for t_index, tp in enumerate(stage.touchpoints):
            emo = EMOTIONS.get(tp.emotion) if tp.emotion is not None else None
            data = extra.get(tp.touchpoint_id, {})
            n = int(data.get("n", 0) or 0)
            d_emotion = data.get("data_emotion")
            d_emotion = None if d_emotion is None or d_emotion != d_emotion or not n else d_emotion
            d_step = emotion_for(d_emotion)
            marks = " ".join(
                m
                for m, on in (
                    (PAIN_POINT_MARK, tp.pain_point),
                    (MOMENT_OF_TRUTH_MARK, tp.moment_of_truth),
                    (OPPORTUNITY_MARK, bool(tp.opportunity)),
                )
                if on
            )
            rows.append(
                {
                    "touchpoint_id": tp.touchpoint_id,
                    "order": order,
                    "x": s_index + (t_index + 0.5) / count,
                    "row": t_index,
                    "stage": stage.name,
                    "stage_order": s_index,
                    "touchpoint": tp.name,
                    "channel": tp.channel or "",
                    "owner": tp.owner or "",
                    "description": tp.description or "",
                    "emotion": float(tp.emotion) if tp.emotion is not None else float("nan"),
                    "emotion_label": (
                        f"{tp.emotion:+d} {emo.label}" if tp.emotion else f"0 {emo.label}"
                    )
                    if emo
                    else "not set",
                    "face": emo.face if emo else "",
                    "pain_point": bool(tp.pain_point),
                    "pain_note": tp.pain_note or "",
                    "moment_of_truth": bool(tp.moment_of_truth),
                    "opportunity": tp.opportunity or "",
                    "marks": marks,
                    "data_emotion": float(d_emotion) if d_emotion is not None else float("nan"),
                    "data_label": (
                        f"{d_emotion:+.1f} {d_step.label} (n={n:,})" if d_step else "no data"
                    ),
                    "n": n,
                    "nps_mean": _num(data.get("nps_mean")),
                    "csat_mean": _num(data.get("csat_mean")),
                    "ces_mean": _num(data.get("ces_mean")),
                }
            )
            order += 1
    return pd.DataFrame(rows, columns=MAP_COLUMNS)


def _num(value: Any) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def emotion_long_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The two emotion curves in long form: x, series, score, colour step, face, label."""
    parts = []
    for series, column, label in (
        (TEAM_SERIES, "emotion", "emotion_label"),
        (DATA_SERIES, "data_emotion", "data_label"),
    ):
        part = frame[["x", "touchpoint", "stage", column, label, "n"]].rename(
            columns={column: "score", label: "score_label"}
        )
        part = part[part["score"].notna()].copy()
        part["series"] = series
        part["step"] = [emotion_for(s).score for s in part["score"]]  # type: ignore[union-attr]
        part["face"] = [emotion_for(s).face for s in part["score"]]  # type: ignore[union-attr]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return out.reset_index(drop=True)


def _tooltip(*, with_means: bool = True) -> list[alt.Tooltip]:
    """A touchpoint's tooltip; ``with_means=False`` leaves out the mean NPS, CSAT and CES."""
    means = [
        alt.Tooltip("nps_mean:Q", title="Mean NPS answer", format=".1f"),
        alt.Tooltip("csat_mean:Q", title="Mean CSAT", format=".2f"),
        alt.Tooltip("ces_mean:Q", title="Mean CES", format=".2f"),
    ]
    return [
        alt.Tooltip("touchpoint:N", title="Touchpoint"),
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("channel:N", title="Channel"),
        alt.Tooltip("owner:N", title="Owner"),
        alt.Tooltip("emotion_label:N", title="Team's emotion"),
        alt.Tooltip("data_label:N", title="Customers' data"),
        *(means if with_means else []),
        alt.Tooltip("pain_note:N", title="Pain point"),
        alt.Tooltip("opportunity:N", title="Opportunity"),
    ]


def card_frame(
    frame: pd.DataFrame, stage_width: int, max_rows: int = MAX_CARD_ROWS, name_lines: int = 2
) -> pd.DataFrame:
    """The cards to draw: one per touchpoint, at most ``MAX_CARD_ROWS`` per stage (the
    last visible one becomes "+ n more" when a stage has more)."""
    chars = max(6, int(stage_width / 8.4))
    out = []
    for _, group in frame.groupby("stage_order", sort=True):
        records = group.to_dict("records")
        if len(records) > max_rows:
            hidden = len(records) - (max_rows - 1)
            records = records[: max_rows - 1] + [
                dict(
                    records[max_rows - 1],
                    touchpoint=f"+ {hidden} more",
                    channel="",
                    owner="",
                    marks="",
                    pain_point=False,
                    moment_of_truth=False,
                    opportunity="",
                    more=True,
                )
            ]
        for rec in records:
            more = bool(rec.get("more", False))
            stage_x = float(rec["stage_order"])
            detail = " · ".join(p for p in (rec["channel"], rec["owner"]) if p)
            out.append(
                {
                    "touchpoint": rec["touchpoint"],
                    "stage": rec["stage"],
                    "channel": rec["channel"],
                    "owner": rec["owner"],
                    "emotion_label": "" if more else rec["emotion_label"],
                    "data_label": "" if more else rec["data_label"],
                    "pain_note": "" if more else rec["pain_note"],
                    "opportunity": rec["opportunity"],
                    "x_left": stage_x + 0.04,
                    "x_right": stage_x + 0.96,
                    "x_text": stage_x + 0.08,
                    "x_marks": stage_x + 0.92,
                    "y_top": rec["row"] + 0.05,
                    "y_bottom": rec["row"] + 0.95,
                    "y_name": rec["row"] + 0.13,
                    "y_detail": rec["row"] + 0.78,
                    "name_text": "\n".join(_wrap(str(rec["touchpoint"]), chars, name_lines)),
                    "detail_text": _cut(
                        detail, int(stage_width / 6.6) - 3 * len(rec["marks"].split())
                    ),
                    "marks": rec["marks"],
                    "pain_point": bool(rec["pain_point"]),
                    "moment_of_truth": bool(rec["moment_of_truth"]),
                    "border": PAIN_POINT_COLOUR if rec["pain_point"] else CARD_BORDER,
                    "border_width": 3.5 if rec["pain_point"] else 1.0,
                    "fill": "#f5f5f5" if more else ("#fff5f5" if rec["pain_point"] else "#ffffff"),
                }
            )
    return pd.DataFrame(out)


def _scales(n_stages: int) -> tuple[alt.Scale, alt.X]:
    x_scale = alt.Scale(domain=[0, n_stages], nice=False, zero=True)
    return x_scale, alt.X("x:Q", scale=x_scale, axis=None)


def _emotion_layers(frame: pd.DataFrame, stages: pd.DataFrame, n_stages: int) -> alt.LayerChart:
    """The emotion lane: the team's curve (solid, faces) and the customers' (dashed)."""
    x_scale, x = _scales(n_stages)
    # 4. emotion lane
    long = emotion_long_frame(frame) if not frame.empty else pd.DataFrame()
    y_domain = alt.Scale(domain=[-2.7, 2.7], nice=False)
    y = alt.Y(
        "score:Q",
        scale=y_domain,
        axis=alt.Axis(
            values=[-2, -1, 0, 1, 2],
            title=None,
            labelFontSize=14,
            labelExpr=(
                "datum.value == 2 ? '+2 😄' : datum.value == 1 ? '+1 🙂' : datum.value == 0 ? "
                "'0 😐' : datum.value == -1 ? '−1 🙁' : '−2 😡'"
            ),
            grid=True,
            gridDash=[2, 3],
        ),
    )
    series_scale = alt.Scale(domain=[TEAM_SERIES, DATA_SERIES], range=[TEAM_COLOUR, DATA_COLOUR])
    dash_scale = alt.Scale(domain=[TEAM_SERIES, DATA_SERIES], range=[[1, 0], [7, 5]])
    legend = alt.Legend(
        orient="top", title=None, labelFontSize=14, symbolStrokeWidth=3, symbolSize=300
    )
    separators = stages[["x0"]].iloc[1:].copy()
    emotion_layers: list[Any] = [
        alt.Chart(pd.DataFrame({"score": [0.0]}))
        .mark_rule(color="#9e9e9e", strokeWidth=1)
        .encode(y=y),
        alt.Chart(separators)
        .mark_rule(color="#cfd8dc", strokeWidth=1.5)
        .encode(x=alt.X("x0:Q", scale=x_scale, axis=None)),
    ]
    if not long.empty:
        line_base = alt.Chart(long).encode(x=x, y=y)
        emotion_layers += [
            line_base.mark_line(strokeWidth=3.5, interpolate="monotone").encode(
                color=alt.Color("series:N", scale=series_scale, legend=legend),
                strokeDash=alt.StrokeDash("series:N", scale=dash_scale, legend=None),
                detail="series:N",
            ),
            line_base.mark_point(filled=True, size=320, strokeWidth=2.5, opacity=1).encode(
                fill=alt.Fill("step:Q", scale=emotion_scale(), legend=None),
                stroke=alt.Stroke("series:N", scale=series_scale, legend=None),
                shape=alt.Shape(
                    "series:N",
                    scale=alt.Scale(domain=[TEAM_SERIES, DATA_SERIES], range=["circle", "diamond"]),
                    legend=None,
                ),
                tooltip=[
                    alt.Tooltip("series:N", title="Curve"),
                    alt.Tooltip("touchpoint:N", title="Touchpoint"),
                    alt.Tooltip("stage:N", title="Stage"),
                    alt.Tooltip("score_label:N", title="Emotion"),
                    alt.Tooltip("n:Q", title="Responses (n)", format=","),
                ],
            ),
            alt.Chart(long[long["series"] == TEAM_SERIES])
            .mark_text(fontSize=19, dy=-23, font=FONT)
            .encode(x=x, y=y, text="face:N"),
        ]
    if not frame.empty:
        marks = frame[["x", "touchpoint", "pain_point", "moment_of_truth", "pain_note"]].copy()
        marks["top"] = 2.5
        for subset, mark, colour, dx, title in (
            (marks[marks["pain_point"]], PAIN_POINT_MARK, PAIN_POINT_COLOUR, -8, "Pain point"),
            (
                marks[marks["moment_of_truth"]],
                MOMENT_OF_TRUTH_MARK,
                MOT_COLOUR,
                8,
                "Moment of truth",
            ),
        ):
            if subset.empty:
                continue
            emotion_layers.append(
                alt.Chart(subset)
                .mark_text(fontSize=19, color=colour, dx=dx, font=FONT, fontWeight="bold")
                .encode(
                    x=x,
                    y=alt.Y("top:Q", scale=y_domain),
                    text=alt.value(mark),
                    tooltip=[alt.Tooltip("touchpoint:N", title=title)],
                )
            )
    return alt.layer(*emotion_layers)


def map_parts(
    journey: Journey,
    data_emotion: pd.DataFrame | None = None,
    *,
    column: int = DEFAULT_STAGE_WIDTH,
    max_rows: int = MAX_CARD_ROWS,
    name_lines: int = 2,
    row_px: int = CARD_ROW_PX,
) -> dict[str, Any]:
    """The map's built-in rows, each ``column`` pixels per stage: ``headers``,
    ``touchpoints`` (cards), ``channels`` and ``emotion``."""
    frame = map_frame(journey, data_emotion)
    stages = stage_frame(journey)
    n_stages = max(1, len(stages))
    chart_width = int(column * n_stages)
    chars = max(6, int(column / 8.6))
    x_scale, x = _scales(n_stages)

    # 1. stage headers
    stages["label"] = [_wrap(str(label), chars, 1)[0] for label in stages["label"]]
    stages["channels_label"] = [_cut(str(c), int(column / 6.8)) for c in stages["channels"]]
    headers = alt.layer(
        alt.Chart(stages)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=None),
            x2="x1:Q",
            color=alt.Color("fill:N", scale=None),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("n_touchpoints:Q", title="Touchpoints"),
                alt.Tooltip("channels:N", title="Channels"),
            ],
        ),
        alt.Chart(stages)
        .mark_text(color="white", fontSize=16, fontWeight="bold", font=FONT)
        .encode(x=alt.X("xm:Q", scale=x_scale, axis=None), text="label:N"),
    ).properties(width=chart_width, height=36)

    # 2. cards, stacked in their stage's column
    cards = card_frame(frame, column, max_rows, name_lines) if not frame.empty else pd.DataFrame()
    rows = int(frame.groupby("stage_order").size().max()) if not frame.empty else 1
    rows = max(1, min(rows, max_rows))
    y_card = alt.Scale(domain=[rows, 0], nice=False)
    if cards.empty:
        card_chart = (
            alt.Chart(pd.DataFrame({"x": [n_stages / 2], "t": ["No touchpoints yet"]}))
            .mark_text(fontSize=14, color="#616161", font=FONT)
            .encode(x=x, text="t:N")
            .properties(width=chart_width, height=row_px)
        )
    else:
        base = alt.Chart(cards)
        card_chart = alt.layer(
            base.mark_rect(cornerRadius=5).encode(
                x=alt.X("x_left:Q", scale=x_scale, axis=None),
                x2="x_right:Q",
                y=alt.Y("y_top:Q", scale=y_card, axis=None),
                y2="y_bottom:Q",
                color=alt.Color("fill:N", scale=None),
                stroke=alt.Stroke("border:N", scale=None),
                strokeWidth=alt.StrokeWidth("border_width:Q", scale=None),
                tooltip=_tooltip(with_means=False),
            ),
            base.mark_text(
                align="left",
                baseline="top",
                fontSize=13,
                fontWeight="bold",
                font=FONT,
                lineHeight=15,
                lineBreak="\n",
                color="#212121",
            ).encode(
                x=alt.X("x_text:Q", scale=x_scale, axis=None),
                y=alt.Y("y_name:Q", scale=y_card, axis=None),
                text="name_text:N",
            ),
            base.mark_text(
                align="left", baseline="middle", fontSize=11, font=FONT, color="#546e7a"
            ).encode(
                x=alt.X("x_text:Q", scale=x_scale, axis=None),
                y=alt.Y("y_detail:Q", scale=y_card, axis=None),
                text="detail_text:N",
            ),
            base.transform_filter(alt.datum.pain_point)
            .mark_text(
                align="right",
                baseline="middle",
                fontSize=15,
                font=FONT,
                color=PAIN_POINT_COLOUR,
                fontWeight="bold",
            )
            .encode(
                x=alt.X("x_marks:Q", scale=x_scale, axis=None),
                y=alt.Y("y_detail:Q", scale=y_card, axis=None),
                text="marks:N",
            ),
            base.transform_filter("!datum.pain_point && datum.marks != ''")
            .mark_text(align="right", baseline="middle", fontSize=15, font=FONT, color=MOT_COLOUR)
            .encode(
                x=alt.X("x_marks:Q", scale=x_scale, axis=None),
                y=alt.Y("y_detail:Q", scale=y_card, axis=None),
                text="marks:N",
            ),
        ).properties(width=chart_width, height=row_px * rows)

    # 3. channels lane: which channels each stage uses
    channel_chart = alt.layer(
        alt.Chart(stages)
        .mark_rect(cornerRadius=9, color="#eceff1")
        .encode(
            x=alt.X("x0:Q", scale=x_scale, axis=None),
            x2="x1:Q",
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("channels:N", title="Channels"),
            ],
        ),
        alt.Chart(stages)
        .mark_text(fontSize=12, font=FONT, color="#37474f")
        .encode(x=alt.X("xm:Q", scale=x_scale, axis=None), text="channels_label:N"),
    ).properties(width=chart_width, height=24)

    emotion_chart = _emotion_layers(frame, stages, n_stages).properties(
        width=chart_width, height=190
    )
    return {
        "headers": headers,
        "touchpoints": card_chart,
        "channels": channel_chart,
        "emotion": emotion_chart,
    }


def journey_map_chart(
    journey: Journey,
    data_emotion: pd.DataFrame | None = None,
    *,
    width: int | None = None,
    stage_width: int = DEFAULT_STAGE_WIDTH,
    show_title: bool = True,
) -> alt.VConcatChart:
    """The whole map as one chart: stage headers, cards, channels lane, emotion curves.

    ``width`` fits the map into that many pixels (stage columns get narrower, down to
    ``MIN_STAGE_WIDTH``); otherwise each stage gets ``stage_width`` pixels.
    """
    n_stages = max(1, len(journey.stages))
    column = max(MIN_STAGE_WIDTH, int(width / n_stages)) if width else stage_width
    parts = map_parts(journey, data_emotion, column=column)
    headers, card_chart = parts["headers"], parts["touchpoints"]
    channel_chart, emotion_chart = parts["channels"], parts["emotion"]
    chart = alt.vconcat(headers, card_chart, channel_chart, emotion_chart, spacing=6)
    chart = chart.resolve_scale(
        x="shared", color="independent", fill="independent", stroke="independent"
    )
    chart = chart.configure_view(stroke=None).configure_concat(spacing=6)
    if show_title:
        subtitle = [
            f"{len(journey.stages)} stages · {len(journey.touchpoints)} touchpoints · "
            f"version {journey.version}"
            + (f" · persona: {journey.persona}" if journey.persona else ""),
            f"{PAIN_POINT_MARK} pain point   {MOMENT_OF_TRUTH_MARK} moment of truth   "
            f"{OPPORTUNITY_MARK} opportunity   ● team's emotion   ◆ customers' data",
        ]
        chart = chart.properties(
            title=alt.TitleParams(
                journey.name,
                subtitle=subtitle,
                fontSize=20,
                subtitleFontSize=13,
                anchor="start",
                font=FONT,
                subtitleFont=FONT,
            )
        )
    return chart
