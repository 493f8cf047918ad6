"""The journey map board: stage columns, touchpoint cards, lanes and the emotion curve,
drawn with Streamlit widgets so every part is clickable and edits open a dialog in place.

Layout: one row per shown lane (in the journey's lane order), each row a set of equal
stage columns after a narrow lane-name column; the header row holds the stage names
(click one to rename, move or delete it). Cards show the emotion face, the name
(wrapped, never cut), the pain-point / moment-of-truth / opportunity marks and the
channel; a coloured left edge repeats the emotion (DESIGN.md palette) and a red border
marks a pain point. All user text is escaped for markdown; the style sheet holds only
fixed colours and numeric ids. The board's buttons carry no tooltip (the page's
caption says what a click does): each tooltip is a popover the browser rebuilds on every
redraw of the ~100 buttons, which measurably slowed a Save (bench/journey_bench.py).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.charts import EMOTIONS, MOMENT_OF_TRUTH_MARK, OPPORTUNITY_MARK, PAIN_POINT_MARK
from cem.charts.journey_curve import emotion_curve_spec
from cem.journeys.lane_texts import kpi_lookup, stage_text
from cem.journeys.lanes import TEXT, visible_lanes
from cem.journeys.model import Journey, Lane, Touchpoint
from cem.journeys.presentation import channel_icon
from cem.ui.journeys import dialogs, state
from cem.ui.journeys.widgets import safe_html

LABEL_RATIO = 0.7
PAIN_RED = "#d7191c"
FACE_COLOURS = {score: emo.colour for score, emo in EMOTIONS.items()}
FACE_TEXT = {-2: "#ffffff", -1: "#212121", 0: "#212121", 1: "#212121", 2: "#ffffff"}

_BASE_CSS = """
.st-key-jm_board button { justify-content: flex-start; text-align: left; min-height: 2.5rem;
  padding: 0.3rem 0.55rem; }
.st-key-jm_board button p, .st-key-jm_board button div { font-size: 15px; line-height: 1.3;
  white-space: normal; overflow-wrap: anywhere; text-align: left; }
.st-key-jm_board [data-testid="stMarkdownContainer"] p { font-size: 15px; line-height: 1.35;
  overflow-wrap: anywhere; }
.st-key-jm_board [class*="st-key-stage_"] button { background: #37474f; color: #fff;
  font-weight: 700; border: none; }
.st-key-jm_board [class*="st-key-addtp_"] button { border: 1px dashed #90a4ae;
  color: #546e7a; background: transparent; min-height: 2rem; }
.st-key-jm_board [class*="st-key-cellbtn_"] button { background: #fafafa;
  border: 1px solid #e0e0e0; min-height: 2.2rem; }
.jm-lane { font-size: 14px; font-weight: 700; color: #455a64; line-height: 1.25;
  overflow-wrap: normal; word-break: normal; hyphens: auto; }
.jm-read { display: grid; gap: 1rem; font-size: 15px; line-height: 1.35; color: #212121; }
.jm-read .jm-cell { overflow-wrap: anywhere; min-width: 0; }
.jm-read .jm-kpis { font-size: 14px; color: #616161; }
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-left: 1.5rem;
  padding-right: 1.5rem; max-width: 100%; }
"""
_FACE_CSS = "".join(
    f".st-key-face_{score + 2} button {{ background: {colour}; color: {FACE_TEXT[score]};"
    " border: 2px solid transparent; min-width: 4.6rem; min-height: 3rem; }"
    f".st-key-face_{score + 2} button p {{ font-size: 20px; font-weight: 600; }}"
    f".st-key-face_{score + 2} button[kind='primary'] {{ border: 3px solid #263238;"
    " box-shadow: 0 0 0 2px #fff inset; }"
    for score, colour in FACE_COLOURS.items()
)
_PRESENT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.4rem 1rem 0.5rem 1rem !important;
  max-width: 100% !important; }
.st-key-jm_board button p, .st-key-jm_board [data-testid="stMarkdownContainer"] p,
.jm-read { font-size: 17px; }
"""


def board_css(journey: Journey, present: bool, focus: int | None) -> str:
    """The style sheet of the board (fixed colours, numeric ids only: no user text)."""
    rules = [_BASE_CSS, _FACE_CSS]
    for tp in journey.touchpoints:
        colour = FACE_COLOURS.get(tp.emotion, "#e0e0e0") if tp.emotion is not None else "#e0e0e0"
        border = f"2px solid {PAIN_RED}" if tp.pain_point else "1px solid #bdbdbd"
        background = "#fff5f5" if tp.pain_point else "#ffffff"
        rules.append(
            f".st-key-card_{tp.touchpoint_id} button {{ border: {border}; "
            f"border-left: 8px solid {colour}; background: {background}; }}"
        )
    if present:
        rules.append(_PRESENT_CSS)
    if focus is not None:
        rules.append(
            f'.st-key-jm_board [class*="st-key-c{int(focus)}_"] {{ outline: 3px solid #0072B2;'
            " border-radius: 6px; background: #eef6fc; }"
            '.st-key-jm_board [class*="st-key-c"]:not([class*="st-key-c'
            f'{int(focus)}_"]) {{ opacity: 0.45; }}'
            f".jm-read .jm-c{int(focus)} {{ outline: 3px solid #0072B2; border-radius: 6px;"
            f" background: #eef6fc; }} .jm-read .jm-cell:not(.jm-c{int(focus)}) {{ opacity: 0.45; }}"
        )
    return "<style>" + "".join(rules) + "</style>"


def card_label(tp: Touchpoint) -> str:
    """A card's text (escaped): face, name, marks and channel.

    >>> card_label(Touchpoint(1, 1, 0, "Pay *now*", channel="web", emotion=-2, pain_point=True))
    '😡 **Pay \\\\*now\\\\*** ⚠ · 🌐 web'
    """
    face = EMOTIONS[tp.emotion].face if tp.emotion is not None else "◌"
    marks = " ".join(
        mark
        for mark, on in (
            (PAIN_POINT_MARK, tp.pain_point),
            (MOMENT_OF_TRUTH_MARK, tp.moment_of_truth),
            (OPPORTUNITY_MARK, bool(tp.opportunity)),
        )
        if on
    )
    channel = (
        f" · {channel_icon(tp.channel)} {ui.escape_markdown(tp.channel)}" if tp.channel else ""
    )
    return f"{face} **{ui.escape_markdown(tp.name)}**" + (f" {marks}" if marks else "") + channel


def _row(n_stages: int, label: str) -> list[Any]:
    cols = st.columns([LABEL_RATIO] + [1] * n_stages, gap="small")
    cols[0].markdown(f'<div class="jm-lane">{safe_html(label)}</div>', unsafe_allow_html=True)
    return cols[1:]


def _cards(journey: Journey, present: bool) -> None:
    cols = _row(
        len(journey.stages),
        next((lane.label for lane in journey.lanes if lane.kind == "touchpoints"), "Touchpoints"),
    )
    for index, (col, stage) in enumerate(zip(cols, journey.stages, strict=True)):
        with col.container(key=f"c{index}_cards", gap="small"):
            for tp in stage.touchpoints:
                st.button(
                    card_label(tp),
                    key=f"card_{tp.touchpoint_id}",
                    width="stretch",
                    wrap=True,
                    on_click=dialogs.open_touchpoint,
                    args=(journey, tp.touchpoint_id),
                )
            if not present:
                st.button(
                    "+ touchpoint",
                    key=f"addtp_{stage.stage_id}",
                    width="stretch",
                    on_click=dialogs.open_new_touchpoint,
                    args=(stage.stage_id,),
                )


def _text_lane(journey: Journey, lane: Lane, present: bool) -> None:
    cols = _row(len(journey.stages), lane.label)
    for index, (col, stage) in enumerate(zip(cols, journey.stages, strict=True)):
        text = stage.cell(lane.key)
        with col.container(key=f"c{index}_{lane.key}"):
            if present and not text:
                st.caption(" ")
                continue
            st.button(
                ui.escape_markdown(text) if text else "+",
                key=f"cellbtn_{stage.stage_id}_{lane.key}",
                width="stretch",
                wrap=True,
                on_click=dialogs.open_cell,
                args=(journey, stage.stage_id, lane),
            )


def read_lane_html(journey: Journey, lane: Lane, kpis: dict[str, dict]) -> str:
    """One read-only lane (channels, pain points, opportunities, owners, KPIs) as one HTML
    grid row aligned with the stage columns: one element instead of a row of columns
    (what the browser redraws on every edit). Every text is HTML-escaped.

    >>> from cem.journeys.model import Stage
    >>> tp = Touchpoint(7, 1, 0, "<b>Pay</b>", owner="Ops & co")
    >>> j = Journey(1, "w", "J", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
    >>> html = read_lane_html(j, Lane("owner", "Owner", "owner"), {})
    >>> "Ops &amp; co" in html and "<b>" not in html
    True
    """
    n = len(journey.stages)
    cells = [f'<div class="jm-lane">{safe_html(lane.label)}</div>']
    for index, stage in enumerate(journey.stages):
        text = stage_text(lane.kind, lane.key, stage, kpis)
        lines = [safe_html(line) for line in text.splitlines() if line.strip()]
        empty = "No answers yet" if lane.kind == "kpis" else "—"
        cells.append(
            f'<div class="jm-cell jm-c{index} jm-{safe_html(lane.kind)}">'
            f"{'<br>'.join(lines) or empty}</div>"
        )
    return (
        f'<div class="jm-read" style="grid-template-columns: {LABEL_RATIO}fr repeat({n}, 1fr)">'
        + "".join(cells)
        + "</div>"
    )


def _read_lane(journey: Journey, lane: Lane, kpis: dict[str, dict]) -> None:
    st.html(read_lane_html(journey, lane, kpis))


def curve_signature(journey: Journey) -> tuple[Any, ...]:
    """What the emotion curve is drawn from: stages, and each card's name, emotion and
    flags (a lane text or an owner changes nothing on the curve, so it is not redrawn).

    >>> from cem.journeys.model import Stage
    >>> tp = Touchpoint(7, 1, 0, "Pay", emotion=1)
    >>> j = Journey(1, "w", "J", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
    >>> curve_signature(j)
    (('Buy', ((7, 'Pay', 1, False, False),)),)
    """
    return tuple(
        (
            stage.name,
            tuple(
                (tp.touchpoint_id, tp.name, tp.emotion, tp.pain_point, tp.moment_of_truth)
                for tp in stage.touchpoints
            ),
        )
        for stage in journey.stages
    )


def _frame_key(frame: pd.DataFrame | None) -> int | None:
    return None if frame is None else int(pd.util.hash_pandas_object(frame).sum())


def _emotion_lane(journey: Journey, emotion: pd.DataFrame | None, label: str, height: int) -> None:
    cols = st.columns([LABEL_RATIO, len(journey.stages)], gap="small")
    cols[0].markdown(f'<div class="jm-lane">{safe_html(label)}</div>', unsafe_allow_html=True)
    if not any(tp.emotion is not None for tp in journey.touchpoints) and (
        emotion is None or int((emotion["n"] > 0).sum()) == 0
    ):
        cols[1].info(
            "No emotions yet: click a card and pick a face — the curve draws itself.", icon="🙂"
        )
        return
    spec = state.remembered(
        "curve",
        (height, curve_signature(journey), _frame_key(emotion)),
        lambda: emotion_curve_spec(journey, emotion, height=height),
    )
    cols[1].vega_lite_chart(spec, key="jm_curve", width="stretch")


def render_board(
    journey: Journey,
    emotion: pd.DataFrame | None,
    kpis: pd.DataFrame | None,
    *,
    present: bool,
) -> None:
    """Draw the whole board (the dialogs it opens are drawn by the page afterwards)."""
    focus = st.session_state.get(state.FOCUS) if present else None
    st.html(board_css(journey, present, focus))
    lanes = visible_lanes(journey.lanes)
    emotion_label = next((lane.label for lane in lanes if lane.kind == "emotion"), None)
    kpi_table = kpi_lookup(kpis)
    with st.container(key="jm_board", gap="small"):
        cols = _row(len(journey.stages), "Stage")
        for index, (col, stage) in enumerate(zip(cols, journey.stages, strict=True)):
            with col.container(key=f"c{index}_head"):
                st.button(
                    f"{index + 1} · {ui.escape_markdown(stage.name)}",
                    key=f"stage_{stage.stage_id}",
                    width="stretch",
                    wrap=True,
                    on_click=dialogs.open_stage,
                    args=(journey, stage.stage_id),
                )
        if present and emotion_label:
            # On the projector the curve comes first, so it is on screen without scrolling.
            _emotion_lane(journey, emotion, emotion_label, 190)
        for lane in lanes:
            if lane.kind == "emotion":
                if not present:
                    _emotion_lane(journey, emotion, lane.label, 170)
            elif lane.kind == "touchpoints":
                _cards(journey, present)
            elif lane.kind == TEXT:
                _text_lane(journey, lane, present)
            else:
                _read_lane(journey, lane, kpi_table)
