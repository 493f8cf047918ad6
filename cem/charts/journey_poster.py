"""The journey map as a poster (A3/A2, every lane) and the curves of two journeys compared.

Pure builders over :func:`cem.charts.journey.map_parts`; user text reaches Vega as data
(text marks and tooltips), never as format strings or HTML.
"""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from cem.charts import MOMENT_OF_TRUTH_MARK, OPPORTUNITY_MARK, PAIN_POINT_MARK
from cem.charts.journey import FONT, MIN_STAGE_WIDTH, map_frame, map_parts
from cem.journeys.model import Journey
from cem.journeys.persona import avatar_text, data_url, goal_list


def compare_curves_chart(curves: dict[str, Journey], *, height: int = 220) -> alt.Chart:
    """Two (or more) journeys' team emotion curves on one chart, by stage position.

    Each journey's touchpoints are spread over its own stages (x = stage index + offset),
    so journeys with the same stages line up stage by stage.
    """
    parts = []
    for label, journey in curves.items():
        frame = map_frame(journey)
        frame = frame[frame["emotion"].notna()][["x", "stage", "touchpoint", "emotion"]].copy()
        frame["journey"] = label
        parts.append(frame)
    data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if data.empty:
        data = pd.DataFrame(columns=["x", "stage", "touchpoint", "emotion", "journey"])
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=120, filled=True), strokeWidth=3)
        .encode(
            x=alt.X("x:Q", title="Stage (position in the journey)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("emotion:Q", scale=alt.Scale(domain=[-2.3, 2.3]), title="Team's emotion"),
            color=alt.Color("journey:N", legend=alt.Legend(orient="top", title=None)),
            strokeDash=alt.StrokeDash("journey:N", legend=None),
            tooltip=[
                alt.Tooltip("journey:N", title="Journey"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("touchpoint:N", title="Touchpoint"),
                alt.Tooltip("emotion:Q", title="Emotion"),
            ],
        )
        .properties(width="container", height=height)
    )


# Paper sizes (landscape) in CSS pixels at 96 dpi, for the poster export.
PAPER_PX: dict[str, tuple[int, int]] = {"A3": (1587, 1123), "A2": (2245, 1587)}
POSTER_MARGIN = 48
LANE_LABEL_PX = 150


def _text_lane(
    label: str, texts: list[str], n_stages: int, column: int, *, lines: int = 8
) -> alt.LayerChart:
    """One text lane of the poster: the lane name, then one wrapped text per stage."""
    chars = max(8, int(column / 7.6))
    rows = []
    for index, text in enumerate(texts):
        wrapped: list[str] = []
        for paragraph in (text or "").splitlines() or [""]:
            wrapped += textwrap.wrap(paragraph, width=chars, break_long_words=True) or [""]
        if len(wrapped) > lines:
            wrapped = wrapped[: lines - 1] + [f"(+{len(wrapped) - lines + 1} more lines)"]
        rows.append({"x": index + 0.04, "x0": float(index), "x1": index + 1.0, "text": wrapped})
    height = 18 * max([len(r["text"]) for r in rows] + [1]) + 14
    data = pd.DataFrame(rows, columns=["x", "x0", "x1", "text"])
    x_scale = alt.Scale(domain=[0, n_stages], nice=False, zero=True)
    band = (
        alt.Chart(data)
        .mark_rect(color="#fafafa", stroke="#e0e0e0")
        .encode(x=alt.X("x0:Q", scale=x_scale, axis=None), x2="x1:Q")
    )
    words = (
        alt.Chart(data)
        .mark_text(
            align="left", baseline="top", fontSize=14, lineHeight=18, font=FONT, dy=-height / 2 + 7
        )
        .encode(x=alt.X("x:Q", scale=x_scale, axis=None), text="text:N")
    )
    return alt.layer(band, words).properties(
        width=column * n_stages,
        height=height,
        title=alt.TitleParams(label, anchor="start", fontSize=15, font=FONT, color="#37474f"),
    )


def persona_block(journey: Journey, width: int) -> alt.LayerChart | None:
    """The persona card of the poster: picture (or avatar/initials), name, quote, goals.

    Texts are data of text marks; the picture is an image mark of its ``data:`` URL.
    """
    if not (journey.persona or journey.persona_quote or journey.persona_goals):
        return None
    lines = [(journey.persona or "Persona", 22, "bold", "normal")]
    if journey.persona_quote:
        lines.append((f"“{journey.persona_quote}”", 17, "normal", "italic"))
    goals = goal_list(journey.persona_goals)
    if goals:
        lines.append(("Goals: " + "   ·   ".join(f"🎯 {g}" for g in goals), 16, "normal", "normal"))
    height = max(96, 28 * len(lines) + 24)
    words = [
        alt.Chart(pd.DataFrame({"text": [t]}))
        .mark_text(
            align="left",
            baseline="top",
            font=FONT,
            fontSize=size,
            fontWeight=weight,
            fontStyle=style,
            color="#263238",
        )
        .encode(x=alt.value(110), y=alt.value(14 + 28 * i), text="text:N")
        for i, (t, size, weight, style) in enumerate(lines)
    ]
    url = data_url(journey.persona_picture, journey.persona_picture_type)
    if url:
        face = (
            alt.Chart(pd.DataFrame({"url": [url]}))
            .mark_image(width=88, height=88)
            .encode(url="url:N", x=alt.value(44), y=alt.value(height / 2))
        )
        return alt.layer(face, *words).properties(width=width, height=height)
    disc = pd.DataFrame({"label": [avatar_text(journey.persona, journey.persona_avatar)]})
    circle = (
        alt.Chart(disc)
        .mark_circle(size=6000, color="#37474f", opacity=1)
        .encode(x=alt.value(44), y=alt.value(height / 2))
    )
    letters = (
        alt.Chart(disc)
        .mark_text(font=FONT, fontSize=30, fontWeight="bold", color="#ffffff")
        .encode(x=alt.value(44), y=alt.value(height / 2), text="label:N")
    )
    return alt.layer(circle, letters, *words).properties(width=width, height=height)


def journey_poster_chart(
    journey: Journey,
    lane_texts: list[tuple[str, str, list[str]]],
    data_emotion: pd.DataFrame | None = None,
    *,
    paper: str = "A3",
) -> alt.VConcatChart:
    """The whole map as a poster for A3/A2 landscape: every lane, in the journey's lane order.

    ``lane_texts`` is ``[(lane kind or "text", label, [text per stage]), ...]`` in order
    (see :func:`cem.ui.journeys.board.lane_rows`); the built-in touchpoints, channels
    and emotion lanes are drawn as on the map, every card shown and names wrapped on up
    to four lines (nothing is cut).
    """
    if paper not in PAPER_PX:
        raise ValueError(f"Unknown paper size '{paper}': use A3 or A2.")
    page_width, _ = PAPER_PX[paper]
    n_stages = max(1, len(journey.stages))
    column = max(MIN_STAGE_WIDTH, int((page_width - 2 * POSTER_MARGIN) / n_stages))
    most = max([len(s.touchpoints) for s in journey.stages] + [1])
    parts = map_parts(
        journey, data_emotion, column=column, max_rows=most + 1, name_lines=4, row_px=74
    )
    charts: list[Any] = [parts["headers"]]
    card = persona_block(journey, page_width - 2 * POSTER_MARGIN)
    if card is not None:
        charts.insert(0, card)
    for kind, label, texts in lane_texts:
        if kind in ("touchpoints", "channels", "emotion"):
            charts.append(
                parts[kind].properties(
                    title=alt.TitleParams(
                        label, anchor="start", fontSize=15, font=FONT, color="#37474f"
                    )
                )
            )
        else:
            charts.append(_text_lane(label, texts, n_stages, column))
    chart = alt.vconcat(*charts, spacing=10).resolve_scale(
        x="shared", color="independent", fill="independent", stroke="independent"
    )
    return (
        chart.properties(
            title=alt.TitleParams(
                journey.name,
                subtitle=[
                    f"{PAIN_POINT_MARK} pain point   {MOMENT_OF_TRUTH_MARK} moment of truth   "
                    f"{OPPORTUNITY_MARK} opportunity   ● team's emotion   ◆ customers' data"
                ],
                fontSize=26,
                subtitleFontSize=15,
                anchor="start",
                font=FONT,
                subtitleFont=FONT,
            ),
            padding=POSTER_MARGIN // 2,
        )
        .configure_view(stroke=None)
        .configure_concat(spacing=10)
    )
