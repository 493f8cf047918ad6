"""Reading and clicking the journey map's board in AppTest: the board is a browser
component (AppTest sees its data, not its DOM, and cannot click inside it), so a click is
queued where the component's click arrives (:func:`cem.ui.journeys.board.queue_click`)
and what the board shows is read from the data it was given."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from cem.ui.journeys.board import queue_click
from cem.ui.journeys.board_grid import card_text


def click(at: AppTest, kind: str, **fields: Any) -> AppTest:
    """Click on the board: ``card`` (id=), ``add`` / ``stage`` (stage=), ``cell`` (stage=, lane=)."""
    queue_click(at.session_state, kind, **fields)
    return at.run()


def rows(at: AppTest) -> list[dict[str, Any]]:
    """The board's rows, top to bottom."""
    out: list[dict[str, Any]] = []
    for element in at.get("bidi_component"):
        if str(getattr(element, "key", "") or "").startswith("jm_grid"):
            out += json.loads(element.proto.json)["rows"]
    return out


def cards(at: AppTest) -> dict[int, str]:
    """Each card's text as the browser shows it, by touchpoint id."""
    return {
        card["id"]: card_text(card)
        for row in rows(at)
        if row["kind"] == "cards"
        for cell in row["cells"]
        for card in cell["cards"]
    }


def cell_text(at: AppTest, stage_id: int, lane: str) -> str | None:
    """The text of one lane cell (None: no such cell on the board)."""
    for row in rows(at):
        if row["key"] == lane and row["kind"] == "text":
            for cell in row["cells"]:
                if cell["stage"] == stage_id:
                    return str(cell["text"])
    return None


def heads(at: AppTest) -> list[str]:
    """The stage heads (``1 · Awareness`` …)."""
    return [c["text"] for row in rows(at) if row["kind"] == "head" for c in row["cells"]]


def curve_points(at: AppTest) -> list[dict[str, Any]]:
    """The emotion curve's points (team and customers' data) as the board draws them."""
    return [p for row in rows(at) if row["kind"] == "curve" for p in row["points"]]
