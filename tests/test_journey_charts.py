"""The journey map chart builders (pure) and the editor/graph logic of the page."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.charts import EMOTIONS, PAIN_POINT_COLOUR
from cem.charts.journey import (
    DATA_SERIES,
    TEAM_SERIES,
    emotion_long_frame,
    journey_map_chart,
    map_frame,
    stage_frame,
)
from cem.errors import ConflictError
from cem.journeys import api as jm
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace
from cem.ui.graph import graph_payload
from cem.ui.journeys import widgets as jw

T = jm.Touchpoint


def _journey() -> jm.Journey:
    return jm.Journey(
        1,
        "w",
        "Shop",
        None,
        "Parent",
        4,
        None,
        None,
        (
            jm.Stage(10, 0, "Find", 1, (T(1, 10, 0, "Ad", channel="social", emotion=0),)),
            jm.Stage(11, 1, "Empty", 1, ()),
            jm.Stage(
                12,
                2,
                "Buy",
                1,
                (
                    T(2, 12, 0, "Checkout", channel="web", emotion=2, moment_of_truth=True),
                    T(
                        3,
                        12,
                        1,
                        "Delivery",
                        channel="courier",
                        emotion=-2,
                        pain_point=True,
                        opportunity="Track it",
                    ),
                    T(4, 12, 2, "<script>alert(1)</script>", channel=None, emotion=None),
                ),
            ),
        ),
    )


def test_map_frame_rows_and_slots() -> None:
    frame = map_frame(_journey())
    assert frame["touchpoint"].tolist() == [
        "Ad",
        "Checkout",
        "Delivery",
        "<script>alert(1)</script>",
    ]
    # Each stage is one column (i..i+1); touchpoints spread evenly inside it.
    assert frame["x"].tolist() == pytest.approx([0.5, 2 + 1 / 6, 2.5, 2 + 5 / 6])
    assert frame["row"].tolist() == [0, 0, 1, 2]
    assert frame["marks"].tolist() == ["", "★", "⚠ 💡", ""]
    assert frame["emotion_label"].tolist() == [
        "0 Neutral",
        "+2 Very positive",
        "-2 Very negative",
        "not set",
    ]
    stages = stage_frame(_journey())
    assert stages[["stage", "x0", "x1", "channels"]].values.tolist() == [
        ["Find", 0.0, 1.0, "social"],
        ["Empty", 1.0, 2.0, "—"],
        ["Buy", 2.0, 3.0, "web · courier"],
    ]
    assert stages["label"].tolist() == ["Find", "Empty (empty)", "Buy"]


def test_map_frame_joins_data_emotion() -> None:
    data = pd.DataFrame(
        {
            "touchpoint_id": [1, 2, 3],
            "n": [40, 0, 7],
            "nps_mean": [8.0, math.nan, 2.0],
            "csat_mean": [math.nan, math.nan, math.nan],
            "ces_mean": [math.nan, math.nan, math.nan],
            "data_emotion": [1.2, math.nan, -1.2],
        }
    )
    frame = map_frame(_journey(), data)
    assert frame["n"].tolist() == [40, 0, 7, 0]
    assert frame["data_label"].tolist() == [
        "+1.2 Positive (n=40)",
        "no data",
        "-1.2 Negative (n=7)",
        "no data",
    ]
    long = emotion_long_frame(frame)
    team = long[long["series"] == TEAM_SERIES]
    assert team["score"].tolist() == [0.0, 2.0, -2.0]  # unset emotion has no point
    assert team["face"].tolist() == ["😐", "😄", "😡"]
    cust = long[long["series"] == DATA_SERIES]
    assert cust["step"].tolist() == [1, -1]
    assert cust["n"].tolist() == [40, 7]


def test_chart_encodings_and_colours() -> None:
    spec = journey_map_chart(_journey(), width=600).to_dict()
    assert spec["title"]["text"] == "Shop"
    panels = spec["vconcat"]
    assert len(panels) == 4  # headers, cards, channels, emotion
    text = str(spec)
    # The emotion colours are the DESIGN.md scale, in order -2..+2.
    assert [e.colour for e in EMOTIONS.values()] == [
        "#d7191c",
        "#fdae61",
        "#bdbdbd",
        "#a6d96a",
        "#1a9641",
    ]
    assert "'range': ['#d7191c', '#fdae61', '#bdbdbd', '#a6d96a', '#1a9641']" in text
    # The data curve is dashed, the team's solid.
    assert "'range': [[1, 0], [7, 5]]" in text
    # Pain point cards get a red border; user text is data, never a format string.
    datasets = spec["datasets"]
    cards = next(rows for rows in datasets.values() if rows and "border" in rows[0])
    borders = {row["touchpoint"]: row["border"] for row in cards}
    assert borders["Delivery"] == PAIN_POINT_COLOUR
    assert borders["Checkout"] != PAIN_POINT_COLOUR
    assert "<script>alert(1)</script>" in [row["touchpoint"] for row in cards]
    emotion_panel = panels[3]
    assert emotion_panel["layer"][0]["mark"]["type"] == "rule"
    assert panels[0]["width"] == 600


def test_chart_of_an_empty_journey_builds() -> None:
    empty = jm.Journey(1, "w", "Nothing yet", None, None, 1, None, None, ())
    spec = journey_map_chart(empty).to_dict()
    assert spec["title"]["text"] == "Nothing yet"


def test_graph_elements_flow_and_escaping() -> None:
    nodes, edges = jw.graph_elements(_journey())
    ids = [n.id for n in nodes]
    assert ids == ["s:10", "t:1", "s:11", "s:12", "t:2", "t:3", "t:4"]
    assert [n.level for n in nodes] == [0, 1, 2, 4, 5, 5, 5]
    # Laid out as the board: a column per stage, its box on top, its touchpoints below.
    col, first, row = jw.GRAPH_COLUMN, jw.GRAPH_FIRST_ROW, jw.GRAPH_ROW
    assert [(n.x, n.y) for n in nodes] == [
        (0, 0),
        (0, first),
        (col, 0),
        (2 * col, 0),
        (2 * col, first),
        (2 * col, first + row),
        (2 * col, first + 2 * row),
    ]
    # Fits the width with no empty canvas below: 3 stages of up to 3 touchpoints.
    assert 260 <= jw.graph_height(_journey()) <= 700
    assert jw.graph_height(_journey(), width=930) < jw.graph_height(_journey(), width=1400)
    assert [(e.source, e.target) for e in edges] == [
        ("s:10", "t:1"),
        ("t:1", "s:11"),
        ("s:11", "s:12"),
        ("s:12", "t:2"),
        ("s:12", "t:3"),
        ("s:12", "t:4"),
    ]
    payload = graph_payload(nodes, edges)
    script = next(n for n in payload["nodes"] if n["id"] == "t:4")
    assert script["title"].startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<script>" not in script["title"]
    delivery = next(n for n in payload["nodes"] if n["id"] == "t:3")
    assert delivery["label"] == "⚠ Delivery"
    assert delivery["color"]["border"] == PAIN_POINT_COLOUR


@pytest.fixture
def editor_db(db: Database) -> tuple[Database, int]:
    ensure_workspace(db, "w")
    jid = jm.create_journey(
        db, "w", "J", outline=[("A", ["a1", "a2"]), ("B", ["b1"])], author="seed", actor=LOCAL_ADMIN
    )
    return db, jid


def test_touchpoint_editor_delta_is_applied(editor_db: tuple[Database, int]) -> None:
    db, jid = editor_db
    base = jm.get_journey(db, "w", jid)
    frame = jw.touchpoint_editor_frame(base)
    assert frame["touchpoint"].tolist() == ["a1", "a2", "b1"]
    delta = {
        "edited_rows": {
            0: {"emotion": "-1 🙁", "pain_point": True},
            1: {"stage": "2 · B", "position": 1},
        },
        "added_rows": [{"stage": "1 · A", "touchpoint": "a3", "channel": "app"}],
        "deleted_rows": [2],
    }
    outcomes = jw.apply_touchpoint_editor(db, "w", base, delta, "Ana", actor=LOCAL_ADMIN)
    assert [o.kind for o in outcomes] == ["saved"] * 4
    now = jm.get_journey(db, "w", jid)
    assert [(s.name, [t.name for t in s.touchpoints]) for s in now.stages] == [
        ("A", ["a1", "a3"]),
        ("B", ["a2"]),
    ]
    a1 = now.touchpoints[0]
    assert (a1.emotion, a1.pain_point) == (-1, True)
    assert {v.author for v in jm.list_versions(db, "w", jid)[:4]} == {"Ana"}


def test_touchpoint_editor_conflict_is_reported(editor_db: tuple[Database, int]) -> None:
    db, jid = editor_db
    base = jm.get_journey(db, "w", jid)
    tp = base.touchpoints[0]
    jm.update_touchpoint(
        db,
        "w",
        tp.touchpoint_id,
        expected_version=tp.version,
        owner="Bo",
        author="Bo",
        actor=LOCAL_ADMIN,
    )
    outcomes = jw.apply_touchpoint_editor(
        db,
        "w",
        base,
        {"edited_rows": {0: {"owner": "Ana"}, 1: {"owner": "Ana"}}},
        "Ana",
        actor=LOCAL_ADMIN,
    )
    assert [o.kind for o in outcomes] == ["conflict", "saved"]
    assert "“Edited 'a1': owner” by Bo" in outcomes[0].message
    now = jm.get_journey(db, "w", jid)
    assert [t.owner for t in now.touchpoints] == ["Bo", "Ana", None]
    with pytest.raises(ConflictError):
        jm.update_touchpoint(
            db, "w", tp.touchpoint_id, expected_version=tp.version, owner="x", actor=LOCAL_ADMIN
        )


def test_stage_editor_delta_is_applied(editor_db: tuple[Database, int]) -> None:
    db, jid = editor_db
    base = jm.get_journey(db, "w", jid)
    assert jw.stage_editor_frame(base).values.tolist() == [[1, "A", 2], [2, "B", 1]]
    delta = {
        "edited_rows": {0: {"stage": "Alpha", "position": 2}},
        "added_rows": [{"stage": "C"}, {"stage": ""}],
        "deleted_rows": [],
    }
    outcomes = jw.apply_stage_editor(db, "w", base, delta, "Ana", actor=LOCAL_ADMIN)
    # the empty added row is a stray click: ignored, not an error
    assert [o.kind for o in outcomes] == ["saved", "saved", "saved"]
    assert [s.name for s in jm.get_journey(db, "w", jid).stages] == ["B", "Alpha", "C"]
