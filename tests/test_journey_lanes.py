"""Lanes: default set, per-stage cells with their own versions (concurrent edits of
different cells both kept, a stale edit of the same cell a conflict), hide/rename/reorder,
undo, the JSON round trip, lane texts, the poster export, and viewers refused."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from cem.access.principal import LOCAL_ADMIN, Principal, Role
from cem.charts.journey_poster import journey_poster_chart
from cem.errors import AccessDenied, ConflictError, InputError
from cem.journeys import api as jm
from cem.journeys import io as journey_io
from cem.journeys.lane_texts import lane_texts
from cem.journeys.lanes import DEFAULT_LANES, moved
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

WS = "ws"
XSS = "<img src=x onerror=alert(1)>"
ME = LOCAL_ADMIN


@pytest.fixture
def jdb(db: Database) -> tuple[Database, int]:
    ensure_workspace(db, WS)
    jid = jm.create_journey(
        db,
        WS,
        "Trip",
        outline=[
            ("Plan", [{"name": "Search", "channel": "web", "owner": "Digital"}]),
            ("Stay", [{"name": "Check-in", "pain_point": True, "pain_note": "Queue"}]),
        ],
        actor=ME,
    )
    return db, jid


def test_a_new_journey_has_the_default_lanes(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    journey = jm.get_journey(db, WS, jid)
    assert [lane.label for lane in journey.lanes] == [
        "Customer goals",
        "Actions",
        "Touchpoints",
        "Channels",
        "Thoughts",
        "Emotion",
        "Pain points",
        "Opportunities",
        "Backstage",
        "Owner",
        "KPIs",
    ]
    assert journey.lanes == DEFAULT_LANES


def test_cells_have_their_own_versions(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    plan, stay = jm.get_journey(db, WS, jid).stages
    # Two editors loaded the map; each writes a different cell: both are kept.
    v1 = jm.set_lane_cell(
        db, WS, plan.stage_id, "goals", "Find a hotel", expected_version=0, actor=ME
    )
    v2 = jm.set_lane_cell(
        db, WS, stay.stage_id, "goals", "Sleep well", expected_version=0, actor=ME
    )
    assert (v1, v2) == (1, 1)
    journey = jm.get_journey(db, WS, jid)
    assert [s.cell("goals") for s in journey.stages] == ["Find a hotel", "Sleep well"]
    # A stale write of the same cell is refused and names the change it would lose.
    with pytest.raises(ConflictError, match="Customer goals"):
        jm.set_lane_cell(
            db, WS, plan.stage_id, "goals", "Cheap hotel", expected_version=0, actor=ME
        )
    assert jm.get_journey(db, WS, jid).stages[0].cell("goals") == "Find a hotel"
    # Clearing a cell removes it; writing an unknown or built-in lane is an input error.
    jm.set_lane_cell(db, WS, plan.stage_id, "goals", "  ", expected_version=1, actor=ME)
    assert jm.get_journey(db, WS, jid).stages[0].cell("goals") == ""
    with pytest.raises(InputError, match="not a text lane"):
        jm.set_lane_cell(db, WS, plan.stage_id, "kpis", "x", expected_version=None, actor=ME)
    assert jm.list_versions(db, WS, jid)[0].action == "Cleared 'Customer goals' of stage 'Plan'"


def test_hide_rename_reorder_add_and_undo(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    journey = jm.get_journey(db, WS, jid)
    lanes = [
        jm.Lane(
            lane.key,
            "Feelings" if lane.key == "thoughts" else lane.label,
            lane.kind,
            lane.key == "backstage",
        )
        for lane in moved(journey.lanes, "kpis", -20)
    ] + [jm.Lane("evidence", "Evidence", "text")]
    jm.update_lanes(db, WS, jid, lanes, expected_version=journey.version, actor=ME)
    after = jm.get_journey(db, WS, jid)
    assert after.lanes[0].key == "kpis" and after.lanes[-1].label == "Evidence"
    assert {lane.key: lane.label for lane in after.lanes}["thoughts"] == "Feelings"
    assert [key for key, *_ in lane_texts(after)].count("backstage") == 0
    stage = after.stages[0]
    jm.set_lane_cell(db, WS, stage.stage_id, "evidence", "Interviews", expected_version=0, actor=ME)
    # Someone else edited the lanes since this editor loaded them: conflict.
    with pytest.raises(ConflictError, match="lanes"):
        jm.update_lanes(db, WS, jid, DEFAULT_LANES, expected_version=journey.version, actor=ME)
    jm.undo(db, WS, jid, actor=ME)  # takes back the cell
    assert jm.get_journey(db, WS, jid).stages[0].cell("evidence") == ""
    jm.undo(db, WS, jid, actor=ME)  # takes back the lane change
    assert jm.get_journey(db, WS, jid).lanes == DEFAULT_LANES
    jm.redo(db, WS, jid, actor=ME)
    assert jm.get_journey(db, WS, jid).lanes[0].key == "kpis"
    with pytest.raises(InputError, match="used twice"):
        jm.update_lanes(
            db, WS, jid, [*DEFAULT_LANES, DEFAULT_LANES[0]], expected_version=None, actor=ME
        )


def test_json_round_trip_keeps_lanes_cells_and_quote(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    journey = jm.get_journey(db, WS, jid)
    jm.update_journey(
        db,
        WS,
        jid,
        expected_version=journey.version,
        persona="Nomad",
        persona_quote="Wi-Fi first",
        actor=ME,
    )
    lanes = [
        jm.Lane(x.key, x.label.upper(), x.kind, x.key == "owner") for x in reversed(journey.lanes)
    ]
    jm.update_lanes(db, WS, jid, lanes, expected_version=None, actor=ME)
    for stage, text in zip(journey.stages, ["Book fast\nno calls", XSS], strict=True):
        jm.set_lane_cell(db, WS, stage.stage_id, "thoughts", text, expected_version=0, actor=ME)
    original = jm.get_journey(db, WS, jid)
    text = journey_io.journey_to_json(original)
    data = json.loads(text)
    assert data["stages"][1]["cells"] == {"thoughts": XSS}
    copy = jm.get_journey(
        db, WS, journey_io.import_journey(db, WS, text.encode(), "trip.json", actor=ME)
    )
    assert copy.lanes == original.lanes
    assert (copy.persona, copy.persona_quote) == ("Nomad", "Wi-Fi first")
    assert [s.cells and s.cell("thoughts") for s in copy.stages] == ["Book fast\nno calls", XSS]
    assert copy.name == f"{original.name} (imported)"  # the workspace has the original
    assert jm.journey_to_dict(copy, with_ids=False) | {"name": original.name} == jm.journey_to_dict(
        original, with_ids=False
    )


def test_bad_lanes_in_json_are_reported_and_nothing_is_created(jdb: tuple[Database, int]) -> None:
    db, _ = jdb
    before = len(jm.list_journeys(db, WS))
    bad = {"name": "X", "stages": [], "lanes": [{"key": "Bad Key", "label": "x", "kind": "text"}]}
    with pytest.raises(InputError, match="not a lane key"):
        journey_io.import_journey(db, WS, json.dumps(bad).encode(), "x.json", actor=ME)
    assert len(jm.list_journeys(db, WS)) == before


def test_lane_texts_and_kpi_lane(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    journey = jm.get_journey(db, WS, jid)
    kpis = pd.DataFrame(
        {
            "key": ["search"],
            "nps": [32.4],
            "nps_moe": [4.2],
            "nps_n": [1204],
            "csat": [81.0],
            "csat_n": [12],
        }
    )
    texts = {key: rows for key, _, _, rows in lane_texts(journey, kpis)}
    assert texts["channels"] == ["🌐 web", ""]
    assert texts["pain_points"] == ["", "⚠ Check-in: Queue"]
    assert texts["owner"] == ["Digital", ""]
    assert texts["kpis"] == [
        "Search: NPS +32 ±4 (n=1,204) · CSAT 81% (n=12) (low n)",
        "Check-in: no answers",
    ]


def test_poster_has_every_lane_as_text(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    stage = jm.get_journey(db, WS, jid).stages[0]
    jm.set_lane_cell(db, WS, stage.stage_id, "backstage", XSS, expected_version=0, actor=ME)
    journey = jm.get_journey(db, WS, jid)
    rows = [(kind, label, texts) for _, kind, label, texts in lane_texts(journey)]
    chart = journey_poster_chart(journey, rows, paper="A2")
    svg = journey_io.journey_to_svg(chart)
    for label in ("Customer goals", "Backstage", "Pain points", "KPIs", "Check-in"):
        assert label in svg, label
    assert "<img" not in svg and "&lt;img src=x" in svg
    assert journey_io.journey_to_png(chart)[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = journey_io.journey_to_pdf(chart, "A2")
    assert pdf[:5] == b"%PDF-" and pdf.rstrip().endswith(b"%%EOF")
    # One page of A2 paper (420 x 594 mm: 1190.55 x 1683.78 pt), either way round: the
    # poster prints at actual size.
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    box = [float(x) for x in re.search(rb"/MediaBox\s*\[([^\]]+)\]", pdf).group(1).split()]
    size = sorted([box[2] - box[0], box[3] - box[1]])
    assert size == pytest.approx([1190.55, 1683.78], abs=0.05)
    spec = chart.to_dict()
    assert spec["vconcat"][0]["width"] >= 1000  # an A2 poster is wide
    with pytest.raises(ValueError, match="A3 or A2"):
        journey_poster_chart(journey, rows, paper="A9")


def test_viewers_cannot_change_journeys(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    viewer = Principal("vic", Role.VIEWER)
    journey = jm.get_journey(db, WS, jid)
    stage, tp = journey.stages[0], journey.touchpoints[0]
    calls = [
        lambda a: jm.create_journey(db, WS, "No", actor=a),
        lambda a: jm.update_journey(db, WS, jid, expected_version=None, name="No", actor=a),
        lambda a: jm.add_stage(db, WS, jid, "No", actor=a),
        lambda a: jm.rename_stage(db, WS, stage.stage_id, "No", expected_version=None, actor=a),
        lambda a: jm.move_stage(db, WS, stage.stage_id, 1, expected_version=None, actor=a),
        lambda a: jm.add_touchpoint(db, WS, stage.stage_id, "No", actor=a),
        lambda a: jm.update_touchpoint(
            db, WS, tp.touchpoint_id, expected_version=None, emotion=2, actor=a
        ),
        lambda a: jm.move_touchpoint(
            db, WS, tp.touchpoint_id, expected_version=None, position=0, actor=a
        ),
        lambda a: jm.set_lane_cell(
            db, WS, stage.stage_id, "goals", "No", expected_version=None, actor=a
        ),
        lambda a: jm.update_lanes(db, WS, jid, DEFAULT_LANES[:2], expected_version=None, actor=a),
        lambda a: jm.duplicate_journey(db, WS, jid, actor=a),
        lambda a: jm.delete_touchpoint(db, WS, tp.touchpoint_id, expected_version=None, actor=a),
        lambda a: jm.delete_stage(db, WS, stage.stage_id, expected_version=None, actor=a),
        lambda a: jm.undo(db, WS, jid, actor=a),
        lambda a: jm.restore_version(db, WS, jid, 1, actor=a),
        lambda a: jm.delete_journey(db, WS, jid, actor=a),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call(viewer)
    assert jm.journey_to_dict(jm.get_journey(db, WS, jid)) == jm.journey_to_dict(journey)
    assert len(jm.list_journeys(db, WS)) == 1
