"""Journey exports and imports: JSON round trip, CSV (neutralised), validation errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.charts.journey import journey_map_chart
from cem.errors import InputError
from cem.journeys import api as jm
from cem.journeys import io as journey_io
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

WS = "ws"
PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture
def rich(db: Database) -> tuple[Database, int]:
    ensure_workspace(db, WS)
    jid = jm.create_journey(
        db,
        WS,
        "Broadband",
        description="Family plan",
        persona="Busy Parent",
        outline=[
            (
                "Buy",
                [
                    {
                        "name": "Checkout",
                        "channel": "web",
                        "emotion": 1,
                        "moment_of_truth": True,
                        "owner": "Digital",
                        "description": "Pay and pick a slot",
                        "data_key": "online checkout",
                    },
                    {"name": '=HYPERLINK("x")', "channel": "email", "emotion": -2},
                ],
            ),
            ("Empty stage", []),
            (
                "Install",
                [
                    {
                        "name": PAYLOAD,
                        "channel": "field",
                        "pain_point": True,
                        "pain_note": "Engineer late",
                        "opportunity": "-Tracking link",
                        "owner": "@ops",
                    }
                ],
            ),
        ],
        actor=LOCAL_ADMIN,
    )
    return db, jid


def _comparable(journey: jm.Journey) -> dict:
    return jm.journey_to_dict(journey, with_ids=False)


def test_json_round_trip_is_identical(rich: tuple[Database, int]) -> None:
    db, jid = rich
    original = jm.get_journey(db, WS, jid)
    text = journey_io.journey_to_json(original)
    assert "touchpoint_id" not in text and '"version"' not in text
    new_id = journey_io.import_journey(db, WS, text.encode(), "broadband.json", actor=LOCAL_ADMIN)
    copy = jm.get_journey(db, WS, new_id)
    assert new_id != jid
    # Into the workspace that has the original: a name of its own in the picker.
    assert (copy.name, copy.description, copy.persona) == (
        f"{original.name} (imported)",
        original.description,
        original.persona,
    )
    assert [s.name for s in copy.stages] == [s.name for s in original.stages]
    for a, b in zip(original.touchpoints, copy.touchpoints, strict=True):
        for field in jm.EDITABLE_TOUCHPOINT_FIELDS:
            assert getattr(a, field) == getattr(b, field), field
        assert a.position == b.position
    assert _comparable(copy) | {"name": original.name} == _comparable(original)
    again = journey_io.import_journey(db, WS, text.encode(), "broadband.json", actor=LOCAL_ADMIN)
    assert jm.get_journey(db, WS, again).name == f"{original.name} (imported 2)"


def test_csv_export_columns_and_neutralised(rich: tuple[Database, int]) -> None:
    db, jid = rich
    data = journey_io.journey_to_csv(jm.get_journey(db, WS, jid))
    frame = pd.read_csv(pd.io.common.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(journey_io.CSV_COLUMNS)
    assert frame["touchpoint"].tolist() == ["Checkout", '\'=HYPERLINK("x")', PAYLOAD]
    assert frame["emotion"].tolist() == ["1", "-2", ""]  # numbers stay numbers
    assert frame.loc[2, "opportunity"] == "'-Tracking link"
    assert frame.loc[2, "owner"] == "'@ops"
    assert frame["pain_point"].tolist() == ["no", "no", "yes"]
    assert frame["moment_of_truth"].tolist() == ["yes", "no", "no"]


def test_csv_round_trip_keeps_touchpoints(rich: tuple[Database, int]) -> None:
    db, jid = rich
    original = jm.get_journey(db, WS, jid)
    new_id = journey_io.import_journey(
        db, WS, journey_io.journey_to_csv(original), "Broadband.csv", actor=LOCAL_ADMIN
    )
    copy = jm.get_journey(db, WS, new_id)
    assert copy.name == "Broadband (imported)"  # the workspace has a "Broadband" already
    # The CSV has no rows for an empty stage and no data_key column.
    assert [s.name for s in copy.stages] == ["Buy", "Install"]
    fields = [f for f in jm.EDITABLE_TOUCHPOINT_FIELDS if f != "data_key"]
    for a, b in zip(original.touchpoints, copy.touchpoints, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]


def test_csv_import_errors_have_row_numbers_and_create_nothing(db: Database) -> None:
    ensure_workspace(db, WS)
    content = (
        b"stage,touchpoint,channel,emotion,pain_point\n"
        b"Buy,Checkout,web,+1,no\n"
        b"Buy,,web,0,no\n"
        b",Orphan,web,0,no\n"
        b"Use,App,app,5,maybe\n"
    )
    with pytest.raises(InputError) as info:
        journey_io.import_journey(db, WS, content, "bad.csv", actor=LOCAL_ADMIN)
    message = str(info.value)
    assert message.splitlines() == [
        "bad.csv could not be imported; nothing was created:",
        "Row 3, column touchpoint: A touchpoint name cannot be empty.",
        "Row 4, column stage: The stage cannot be empty.",
        "Row 5, column emotion: '5' is not an emotion: use a whole number from -2 to +2.",
        "Row 5, column pain_point: Pain point: 'maybe' is not yes/no.",
    ]
    assert db.execute("SELECT count(*) FROM journeys").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM touchpoints").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,owner\nx,y\n", "column(s) stage, touchpoint are missing"),
        (b"stage,touchpoint\n", "no touchpoint rows"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_csv_file_problems(db: Database, content: bytes, message: str) -> None:
    ensure_workspace(db, WS)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        journey_io.import_journey(db, WS, content, "f.csv", actor=LOCAL_ADMIN)


def test_json_import_validation(db: Database) -> None:
    ensure_workspace(db, WS)
    bad = {
        "name": "J",
        "stages": [
            {"name": "A", "touchpoints": [{"name": "ok", "emotion": 9}, {"channel": "web"}]},
            {"name": "", "touchpoints": []},
        ],
    }
    with pytest.raises(InputError) as info:
        journey_io.import_journey(db, WS, json.dumps(bad).encode(), "j.json", actor=LOCAL_ADMIN)
    assert str(info.value).splitlines()[1:] == [
        "Stage 1 'A', touchpoint 1: '9' is not an emotion: use a whole number from -2 to +2.",
        "Stage 1 'A', touchpoint 2: it needs a name.",
        "Stage 2: The stage name cannot be empty.",
    ]
    with pytest.raises(InputError, match="not valid JSON"):
        journey_io.import_journey(db, WS, b"{oops", "j.json", actor=LOCAL_ADMIN)
    with pytest.raises(InputError, match="needs a 'stages' list"):
        journey_io.import_journey(db, WS, b'{"name": "x"}', "j.json", actor=LOCAL_ADMIN)
    assert db.execute("SELECT count(*) FROM journeys").fetchone()[0] == 0


def test_png_and_svg_exports(rich: tuple[Database, int]) -> None:
    db, jid = rich
    chart = journey_map_chart(jm.get_journey(db, WS, jid))
    png = journey_io.journey_to_png(chart)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = journey_io.journey_to_svg(chart)
    assert svg.lstrip().startswith("<svg")
    # User text is SVG text, escaped, never markup.
    assert "<img" not in svg
    assert "&lt;img" in svg
