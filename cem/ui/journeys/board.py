"""The journey map board: stage heads, touchpoint cards, lanes and the emotion curve, drawn
by one browser component (:mod:`cem.ui.journeys.board_grid`). Every card, stage head and
lane cell is clickable and an edit opens a dialog in place.

Layout: one row per shown lane (in the journey's lane order), each row a label and one
cell per stage; the head row holds the stage names (click one to rename, move or delete
it). Cards show the emotion face, the name (wrapped, never cut), the pain-point /
moment-of-truth / opportunity marks and the channel; a coloured left edge repeats the
emotion (DESIGN.md palette) and a red border marks a pain point. The curve sits in the
same grid, each point in its stage's column. All user text reaches the page as text
(``textContent``, SVG titles); the style sheets hold only fixed colours.

A click in the board comes back as the component's ``click`` trigger, or, from AppTest
(which cannot click inside a component), as a click queued under :data:`QUEUED_CLICK`
in session state: :func:`handle_click` opens the dialog either way.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import streamlit as st

from cem.errors import NotFoundError
from cem.journeys.lane_texts import kpi_lookup
from cem.journeys.lanes import TEXT, visible_lanes
from cem.journeys.model import Journey
from cem.ui.journeys import board_grid as grid
from cem.ui.journeys import dialogs, state

QUEUED_CLICK = "jm_board_click"  # a board click queued in session state (AppTest)
FACE_TEXT = {-2: "#ffffff", -1: "#212121", 0: "#212121", 1: "#212121", 2: "#ffffff"}

# The card dialog's face buttons, and the page around the board.
_FACE_CSS = "".join(
    f".st-key-face_{score + 2} button {{ background: {colour}; color: {FACE_TEXT[score]};"
    " border: 2px solid transparent; min-width: 4.6rem; min-height: 3rem; }"
    f".st-key-face_{score + 2} button p {{ font-size: 20px; font-weight: 600; }}"
    f".st-key-face_{score + 2} button[kind='primary'] {{ border: 3px solid #263238;"
    " box-shadow: 0 0 0 2px #fff inset; }"
    for score, colour in grid.FACE_COLOURS.items()
)
_PAGE_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-left: 1.5rem;
  padding-right: 1.5rem; max-width: 100%; }
.jm-lane { font-size: 14px; font-weight: 700; color: #455a64; line-height: 1.25; }
"""
_PRESENT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.4rem 1rem 0.5rem 1rem !important;
  max-width: 100% !important; }
"""


def board_css(present: bool) -> str:
    """The style sheet around the board (fixed colours only: no user text)."""
    return "<style>" + _PAGE_CSS + _FACE_CSS + (_PRESENT_CSS if present else "") + "</style>"


def queue_click(session_state: MutableMapping[str, Any], kind: str, **fields: Any) -> None:
    """Queue a board click as the component sends it (``card`` with ``id``; ``add`` or
    ``stage`` with ``stage``; ``cell`` with ``stage`` and ``lane``): the next run opens
    its dialog. What AppTest and the bench use, as they cannot click inside a component."""
    session_state[QUEUED_CLICK] = {"t": kind, **fields}


def handle_click(journey: Journey, click: dict[str, Any] | None) -> None:
    """Open the dialog a board click asks for (a card, a column's "+", a stage head, a
    lane cell); an id no longer on the map (a colleague deleted it) does nothing."""
    if not isinstance(click, dict):
        return
    kind = click.get("t")
    try:
        if kind == "card":
            dialogs.open_touchpoint(journey, int(click["id"]))
        elif kind == "add":
            journey.stage(int(click["stage"]))
            dialogs.open_new_touchpoint(int(click["stage"]))
        elif kind == "stage":
            dialogs.open_stage(journey, int(click["stage"]))
        elif kind == "cell":
            lane = next(lane for lane in journey.lanes if lane.key == click.get("lane"))
            dialogs.open_cell(journey, int(click["stage"]), lane)
    except (KeyError, TypeError, ValueError, StopIteration, NotFoundError):
        return


def curve_signature(journey: Journey) -> tuple[Any, ...]:
    """What the emotion curve is drawn from: stages, and each card's name, emotion and
    flags (a lane text or an owner changes nothing on the curve, so it is not redrawn).

    >>> from cem.journeys.model import Stage, Touchpoint
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


def _curve_row(
    journey: Journey, emotion: pd.DataFrame | None, label: str, height: int
) -> dict[str, Any]:
    """The emotion lane's row, built again only when the curve's inputs changed."""
    key = (label, height, curve_signature(journey), _frame_key(emotion))
    return _shared_curve_row(key, journey, emotion)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _shared_curve_row(
    key: tuple[Any, ...], _journey: Journey, _emotion: pd.DataFrame | None
) -> dict[str, Any]:
    """The row for ``key`` (its label, height and everything the curve is drawn from),
    for every session: a reload or a colleague opening the map does not build it again
    (~40 ms of pandas)."""
    label, height = key[0], key[1]
    return grid.curve_row(_journey, _emotion, label, height)


def board_rows(
    journey: Journey, emotion: pd.DataFrame | None, kpis: dict[str, dict], present: bool
) -> list[dict[str, Any]]:
    """The board's rows top to bottom, in the journey's lane order; when presenting, the
    emotion curve comes first under the stage heads (on screen without scrolling)."""
    lanes = visible_lanes(journey.lanes)
    rows = [grid.head_row(journey)]
    emotion_label = next((lane.label for lane in lanes if lane.kind == "emotion"), None)
    if present and emotion_label:
        rows.append(_curve_row(journey, emotion, emotion_label, 190))
    for lane in lanes:
        if lane.kind == "emotion":
            if not present:
                rows.append(_curve_row(journey, emotion, lane.label, 170))
        elif lane.kind == "touchpoints":
            rows.append(grid.cards_row(journey, lane.label, present))
        elif lane.kind == TEXT:
            rows.append(grid.text_row(journey, lane, present))
        else:
            rows.append(grid.read_row(journey, lane, kpis))
    return rows


def render_board(
    journey: Journey,
    emotion: pd.DataFrame | None,
    kpis: pd.DataFrame | None,
    *,
    present: bool,
) -> None:
    """Draw the whole board (the dialogs it opens are drawn by the page afterwards)."""
    focus = st.session_state.get(state.FOCUS) if present else None
    st.html(board_css(present))
    queued = st.session_state.pop(QUEUED_CLICK, None)
    with st.container(key="jm_board"):
        result = grid.BOARD_GRID(
            key="jm_grid",
            data=grid.grid_data(
                journey, board_rows(journey, emotion, kpi_lookup(kpis), present), present, focus
            ),
            on_click_change=_no_op,
        )
    for click in (queued, result.click):
        handle_click(journey, click)


def _no_op() -> None:
    """The click's callback: the click is read from the component's result."""
