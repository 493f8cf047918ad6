"""The persona card on the journey map (picture, avatar, quote, goals): validation, storage
in DuckDB, JSON round trip, the poster, escaping; and the conflict rule of the dialogs that
edit whole-journey details and stage names (AppTest: a colleague's change made while the
dialog was open is kept, not overwritten)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cem import ui
from cem.access.principal import LOCAL_ADMIN as ME
from cem.charts.journey_poster import journey_poster_chart, persona_block
from cem.demo.journey import DEMO_JOURNEY_NAME
from cem.errors import ConflictError, InputError
from cem.journeys import api as jm
from cem.journeys import io as journey_io
from cem.journeys.persona import (
    MAX_PICTURE_BYTES,
    clean_avatar,
    clean_goals,
    clean_picture,
    initials,
    picture_type,
)
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace
from cem.ui.journeys.persona_dialog import card_html
from tests import journey_board as board

WS = "w"
XSS = "<img src=x onerror=alert(1)>"
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _image(fmt: str, size: int = 32) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (200, 40, 40)).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def jdb(db: Database) -> tuple[Database, int]:
    ensure_workspace(db, WS)
    jid = jm.create_journey(
        db, WS, "Move in", outline=[("Plan", ["Site"]), ("Install", ["Visit"])], actor=ME
    )
    return db, jid


def test_picture_type_is_read_from_the_bytes() -> None:
    assert picture_type(_image("PNG")) == "image/png"
    assert picture_type(_image("JPEG")) == "image/jpeg"
    assert picture_type(_image("GIF")) == "image/gif"
    assert picture_type(_image("WEBP")) == "image/webp"
    for bad in (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", b"<html>", b""):
        with pytest.raises(InputError):
            picture_type(bad)
    assert clean_picture(None) is None and clean_picture(b"") is None
    big = b"\x89PNG\r\n\x1a\n" + bytes(MAX_PICTURE_BYTES)
    with pytest.raises(InputError, match="limit is 300 kB"):
        clean_picture(big)


def test_goals_avatar_and_initials() -> None:
    assert clean_goals("  Online on day one \n\n Clear bill  ") == "Online on day one\nClear bill"
    assert clean_goals("   ") is None
    with pytest.raises(InputError, match="at most 8 goals"):
        clean_goals("\n".join(f"goal {i}" for i in range(9)))
    assert clean_avatar(" 🧑‍💼 ") == "🧑‍💼" and clean_avatar("") is None
    with pytest.raises(InputError):
        clean_avatar("far too long for an avatar")
    assert (initials("Maya van Chen"), initials("ana"), initials("")) == ("MC", "A", "")


def test_persona_is_stored_versioned_and_conflicts(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    opened = jm.get_journey(db, WS, jid).version
    v = jm.update_journey(
        db,
        WS,
        jid,
        expected_version=opened,
        persona="Maya",
        persona_quote="I work from home",
        persona_goals="Online on day one\nNo surprises",
        persona_avatar="🧑‍💻",
        actor=ME,
    )
    picture = _image("PNG")
    v2 = jm.set_persona_picture(db, WS, jid, picture, expected_version=v, actor=ME)
    assert v2 == v + 1
    journey = jm.get_journey(db, WS, jid)
    assert (journey.persona_picture, journey.persona_picture_type) == (picture, "image/png")
    assert journey.persona_goals == "Online on day one\nNo surprises"
    assert jm.list_versions(db, WS, jid)[0].action == "Changed the persona's picture"
    # A dialog opened before the picture changed is refused, naming the change.
    with pytest.raises(ConflictError, match="Changed the persona's picture"):
        jm.update_journey(db, WS, jid, expected_version=opened, persona="Bo", actor=ME)
    with pytest.raises(InputError):
        jm.set_persona_picture(db, WS, jid, b"<svg/>", expected_version=v2, actor=ME)
    jm.set_persona_picture(db, WS, jid, None, expected_version=v2, actor=ME)
    assert jm.get_journey(db, WS, jid).persona_picture is None


def test_undo_redo_and_restore_bring_the_picture_back(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    first, second = _image("PNG"), _image("JPEG", 40)
    v0 = jm.get_journey(db, WS, jid).version
    v1 = jm.set_persona_picture(db, WS, jid, first, expected_version=v0, actor=ME)
    v2 = jm.set_persona_picture(db, WS, jid, second, expected_version=v1, actor=ME)

    def shown() -> tuple[bytes | None, str | None]:
        journey = jm.get_journey(db, WS, jid)
        return journey.persona_picture, journey.persona_picture_type

    assert shown() == (second, "image/jpeg")
    jm.undo(db, WS, jid, expected_version=v2, actor=ME)
    assert shown() == (first, "image/png")
    jm.undo(db, WS, jid, expected_version=jm.get_journey(db, WS, jid).version, actor=ME)
    assert shown() == (None, None)
    jm.redo(db, WS, jid, expected_version=jm.get_journey(db, WS, jid).version, actor=ME)
    assert shown() == (first, "image/png")
    jm.restore_version(db, WS, jid, v2, expected_version=None, actor=ME)
    assert shown() == (second, "image/jpeg")
    # Deleting the journey deletes its kept pictures too.
    jm.delete_journey(db, WS, jid, actor=ME)
    left = db.execute("SELECT count(*) FROM journey_pictures WHERE journey_id = ?", [jid])
    assert left.fetchone()[0] == 0


def test_json_round_trip_keeps_the_whole_persona_card(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    picture = _image("JPEG", 48)
    v = jm.update_journey(
        db,
        WS,
        jid,
        expected_version=None,
        persona="Maya",
        persona_quote="Quick, please",
        persona_goals="Fast\nCheap",
        persona_avatar="MC",
        actor=ME,
    )
    jm.set_persona_picture(db, WS, jid, picture, expected_version=v, actor=ME)
    original = jm.get_journey(db, WS, jid)
    exported = journey_io.journey_to_json(original)
    assert json.loads(exported)["persona_picture"]["type"] == "image/jpeg"
    new_id = journey_io.import_journey(db, WS, exported.encode(), "move.json", actor=ME)
    copy = jm.get_journey(db, WS, new_id)
    fields = ("persona", "persona_quote", "persona_goals", "persona_avatar", "persona_picture")
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    assert copy.persona_picture_type == "image/jpeg"
    assert copy.name == f"{original.name} (imported)"  # the workspace has the original
    assert jm.journey_to_dict(copy, with_ids=False) | {"name": original.name} == jm.journey_to_dict(
        original, with_ids=False
    )
    # A damaged or disguised picture in the file is refused with the reason.
    bad = json.loads(exported)
    bad["persona_picture"] = {"type": "image/png", "base64": "PHN2Zy8+"}  # "<svg/>"
    with pytest.raises(InputError, match="PNG, JPEG, WebP or GIF"):
        journey_io.import_journey(db, WS, json.dumps(bad).encode(), "bad.json", actor=ME)


def test_poster_carries_the_persona_card(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    jm.update_journey(
        db, WS, jid, expected_version=None, persona=XSS, persona_goals="Fast", actor=ME
    )
    journey = jm.get_journey(db, WS, jid)
    spec = json.dumps(persona_block(journey, 1000).to_dict())
    # Text reaches Vega as data of text marks (no HTML): the payload, the goal, the initials.
    assert json.dumps(XSS) in spec and json.dumps("Goals: 🎯 Fast") in spec
    assert '"label": "SO"' in spec  # initials of "src=x onerror=…" (words from a letter)
    jm.set_persona_picture(db, WS, jid, _image("PNG"), expected_version=journey.version, actor=ME)
    journey = jm.get_journey(db, WS, jid)
    spec = json.dumps(persona_block(journey, 1000).to_dict())
    assert '"url": "data:image/png;base64,' in spec
    png = journey_io.journey_to_png(journey_poster_chart(journey, []))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_card_html_escapes_every_text(jdb: tuple[Database, int]) -> None:
    db, jid = jdb
    jm.update_journey(
        db,
        WS,
        jid,
        expected_version=None,
        persona=XSS,
        persona_quote="<script>alert(1)</script>",
        persona_goals='"><b>bold</b>',
        persona_avatar="<i>",
        actor=ME,
    )
    html = card_html(jm.get_journey(db, WS, jid))
    assert "<img src=x" not in html and "<script>" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;i&gt;" in html
    assert card_html(jm.get_journey(db, WS, jm.create_journey(db, WS, "Bare", actor=ME))) == ""


# -- AppTest: the dialogs check the version they were opened with ----------------------------
def _open(app_env: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/journey_map.py")
    at.run()
    at.toggle(key="live_mode").set_value(False).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _journey() -> jm.Journey:
    db = ui.get_database()
    return jm.get_journey(db, "demo", jm.find_journey(db, "demo", DEMO_JOURNEY_NAME))


def _journey_named(name: str) -> jm.Journey:
    db = ui.get_database()
    return jm.get_journey(db, "demo", jm.find_journey(db, "demo", name))


def test_persona_dialog_saves_goals_and_refuses_a_stale_save(app_env: Path) -> None:
    at = _open(app_env)
    at.button(key="persona").click().run()
    at.text_area(key="dlg_j_goals").set_value("Online on moving day\nOne clear bill")
    at.text_input(key="dlg_j_avatar").set_value("🏠")
    at.button(key="dlg_j_save").click().run()
    assert not at.exception and not at.warning
    journey = _journey()
    assert journey.persona_goals == "Online on moving day\nOne clear bill"
    card = next(m.value for m in at.markdown if "jm-persona" in m.value)
    assert "🎯 Online on moving day" in card and "🏠" in card
    # A new name and persona reach the journey picker above the map at once.
    at.button(key="persona").click().run()
    at.text_input(key="dlg_j_name").set_value("Family broadband (QA)")
    at.button(key="dlg_j_save").click().run()
    picker = at.selectbox(key="journey_picker")
    assert picker.format_func(picker.value).startswith("Family broadband (QA)")
    journey = _journey_named("Family broadband (QA)")
    # Open the dialog; a colleague renames the persona; this Save must not overwrite it.
    at.button(key="persona").click().run()
    jm.update_journey(
        ui.get_database(),
        "demo",
        journey.journey_id,
        expected_version=journey.version,
        persona="Colleague's persona",
        actor=ME,
    )
    at.run()  # the live map moves on behind the open dialog
    at.text_input(key="dlg_j_persona").set_value("Mine")
    at.button(key="dlg_j_save").click().run()
    assert any("changed by someone else" in w.value for w in at.warning)
    assert journey.journey_id == _journey_named("Family broadband (QA)").journey_id
    assert _journey_named("Family broadband (QA)").persona == "Colleague's persona"


def test_stage_rename_refuses_a_stale_save(app_env: Path) -> None:
    at = _open(app_env)
    stage = _journey().stages[1]
    board.click(at, "stage", stage=stage.stage_id)
    jm.rename_stage(
        ui.get_database(),
        "demo",
        stage.stage_id,
        "Colleague's name",
        expected_version=stage.version,
        actor=ME,
    )
    at.run()
    at.text_input(key="dlg_stage_name").set_value("My name")
    at.button(key="dlg_stage_save").click().run()
    assert any("changed by someone else" in w.value for w in at.warning)
    assert _journey().stage(stage.stage_id).name == "Colleague's name"
