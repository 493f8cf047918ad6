"""AppTest of editing on the map: card, stage, lane-cell and lane dialogs, each change read
back from the database (and so independent of what the page shows)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cem import ui
from cem.access.principal import LOCAL_ADMIN
from cem.demo.journey import DEMO_JOURNEY_NAME
from cem.journeys import api as jm
from tests import journey_board as board
from tests.conftest import OpenPage

PAGE = "pages/journey_map.py"


def _open(open_page: OpenPage) -> AppTest:
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _journey() -> jm.Journey:
    db = ui.get_database()
    return jm.get_journey(db, "demo", jm.find_journey(db, "demo", DEMO_JOURNEY_NAME))


def _open_tab(at: AppTest, label: str) -> None:
    at.session_state["jm_tabs"] = label
    at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_card_dialog_faces_flags_text_and_moves(open_page: OpenPage) -> None:
    at = _open(open_page)
    tp = next(t for t in _journey().touchpoints if t.name == "First bill")
    board.click(at, "card", id=tp.touchpoint_id)
    _ok(at)
    assert at.text_input(key="dlg_name").value == "First bill"
    # One click on a face saves the emotion (the dialog stays open).
    at.button(key="face_4").click().run()
    _ok(at)
    assert _journey().touchpoint(tp.touchpoint_id).emotion == 2
    assert at.button(key="face_4").proto.type == "primary"
    # One click on the toggle saves the pain point.
    at.toggle(key="dlg_pain_point").set_value(True).run()
    _ok(at)
    assert _journey().touchpoint(tp.touchpoint_id).pain_point is True
    # Text fields are saved with Save, which closes the dialog.
    at.text_input(key="dlg_name").set_value("First invoice")
    at.text_input(key="dlg_owner").set_value("Billing ops")
    at.button(key="dlg_save").click().run()
    _ok(at)
    saved = _journey().touchpoint(tp.touchpoint_id)
    assert (saved.name, saved.owner, saved.pain_point, saved.emotion) == (
        "First invoice",
        "Billing ops",
        True,
        2,
    )
    assert "dlg_name" not in [w.key for w in at.text_input]
    # Move it to the next stage (Support) from the dialog.
    board.click(at, "card", id=tp.touchpoint_id)
    at.button(key="mv_right").click().run()
    _ok(at)
    journey = _journey()
    assert journey.stage(journey.touchpoint(tp.touchpoint_id).stage_id).name == "Support"
    # The card on the map shows the new state.
    # The emotion curve drawn with the board shows the new face at the renamed card.
    team = [p for p in board.curve_points(at) if p["series"] == "team"]
    assert any("First invoice" in p["tip"] and p["face"] == "😄" for p in team)
    label = board.cards(at)[tp.touchpoint_id]
    assert "First invoice" in label and "😄" in label and "⚠" in label


def test_add_touchpoint_from_the_column_plus(open_page: OpenPage) -> None:
    at = _open(open_page)
    stage = _journey().stages[2]  # Purchase
    board.click(at, "add", stage=stage.stage_id)
    _ok(at)
    at.text_input(key="dlg_new_name").set_value("Order tracking page")
    at.button(key="dlg_new_add").click().run()
    _ok(at)
    names = [t.name for t in _journey().stage(stage.stage_id).touchpoints]
    assert names[-1] == "Order tracking page"
    assert any("Order tracking page" in text for text in board.cards(at).values())


def test_stage_dialog_add_rename_move_delete(open_page: OpenPage) -> None:
    at = _open(open_page)
    at.button(key="add_stage").click().run()
    at.text_input(key="dlg_stage_name").set_value("Advocacy")
    at.button(key="dlg_stage_save").click().run()
    _ok(at)
    journey = _journey()
    assert journey.stages[-1].name == "Advocacy"
    new = journey.stages[-1]
    assert board.heads(at)[-1].endswith("· Advocacy")
    board.click(at, "stage", stage=new.stage_id)
    at.text_input(key="dlg_stage_name").set_value("Word of mouth")
    at.button(key="dlg_stage_save").click().run()
    _ok(at)
    assert _journey().stages[-1].name == "Word of mouth"
    board.click(at, "stage", stage=new.stage_id)
    at.button(key="stage_left").click().run()
    _ok(at)
    assert [s.name for s in _journey().stages][-2:] == ["Word of mouth", "Renewal"]
    at.button(key="stage_delete").click().run()
    _ok(at)
    assert "Word of mouth" not in [s.name for s in _journey().stages]


def test_lane_cell_dialog_and_lanes_dialog(open_page: OpenPage) -> None:
    at = _open(open_page)
    stage = _journey().stages[0]
    assert stage.cell("goals") == "Find faster broadband for the family"
    board.click(at, "cell", stage=stage.stage_id, lane="thoughts")
    at.text_area(key="dlg_cell_text").set_value("<img src=x onerror=alert(1)> *wow*")
    at.button(key="dlg_cell_save").click().run()
    _ok(at)
    assert _journey().stages[0].cell("thoughts") == "<img src=x onerror=alert(1)> *wow*"
    # The board is given the text as it is: the component sets it as textContent, so it
    # shows as text, never markup (the browser test checks that no script runs).
    assert board.cell_text(at, stage.stage_id, "thoughts") == "<img src=x onerror=alert(1)> *wow*"
    # Hide the Backstage lane and rename Thoughts from the lanes dialog.
    at.button(key="lanes").click().run()
    at.checkbox(key="lane_show_backstage").uncheck().run()
    _ok(at)
    at.text_input(key="lane_label_thoughts").set_value("Thinking").run()
    _ok(at)
    lanes = {lane.key: lane for lane in _journey().lanes}
    assert lanes["backstage"].hidden and lanes["thoughts"].label == "Thinking"
    assert board.cell_text(at, stage.stage_id, "backstage") is None
    assert board.cell_text(at, stage.stage_id, "thoughts") is not None


def test_create_journey_confirms_and_opens_it(open_page: OpenPage) -> None:
    at = _open(open_page)
    _open_tab(at, "➕ New · copy · import")
    at.text_input(key="new_name").set_value("Hotel stay")
    at.selectbox(key="new_template").set_value("hospitality")
    at.button(key="create_journey").click().run()
    _ok(at)
    assert any("Created journey 'Hotel stay'" in s.value.replace("\\", "") for s in at.success)
    picked = at.selectbox(key="journey_picker").value
    assert jm.get_journey(ui.get_database(), "demo", picked).name == "Hotel stay"


def test_draft_from_data_and_future_state_compare(open_page: OpenPage) -> None:
    db = ui.get_database()
    at = _open(open_page)
    _open_tab(at, "➕ New · copy · import")
    at.text_input(key="new_name").set_value("From the data")
    at.selectbox(key="new_template").set_value("data")
    at.button(key="create_journey").click().run()
    _ok(at)
    drafted = jm.get_journey(db, "demo", at.selectbox(key="journey_picker").value)
    distinct = db.execute(
        "SELECT count(DISTINCT touchpoint) FROM events WHERE workspace = 'demo'"
    ).fetchone()[0]
    assert drafted.name == "From the data" and len(drafted.touchpoints) == distinct
    future = jm.duplicate_journey(
        db, "demo", drafted.journey_id, future_state=True, actor=LOCAL_ADMIN
    )
    tp = jm.get_journey(db, "demo", future).touchpoints[0]
    jm.update_touchpoint(
        db, "demo", tp.touchpoint_id, expected_version=tp.version, emotion=2, actor=LOCAL_ADMIN
    )
    changes = jm.journey_diff(
        jm.journey_to_dict(drafted), jm.journey_to_dict(jm.get_journey(db, "demo", future))
    )
    assert [(c.kind, c.touchpoint) for c in changes] == [("changed", tp.name)]


def test_text_typed_in_a_card_a_colleague_deleted_is_kept_and_can_be_added_back(
    open_page: OpenPage,
) -> None:
    """Ana types a note in "Mobile app" while Bo deletes that card. Her Save says the card
    was removed by Bo, her text stays on screen, and one click adds it back."""
    at = _open(open_page)
    tp = next(t for t in _journey().touchpoints if t.name == "Mobile app")
    board.click(at, "card", id=tp.touchpoint_id)
    at.text_input(key="dlg_description").set_value("Push a usage tip on day 3")
    jm.delete_touchpoint(
        ui.get_database(), "demo", tp.touchpoint_id, expected_version=None,
        actor=LOCAL_ADMIN, author="Bo",
    )  # fmt: skip
    at.button(key="dlg_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("removed by" in w.value and "Bo" in w.value for w in at.warning)
    assert any("Push a usage tip on day 3" in m.value for m in at.markdown)
    at.button(key="dlg_add_back").click().run()
    _ok(at)
    back = [t for t in _journey().touchpoints if t.name == "Mobile app"]
    assert len(back) == 1 and back[0].description == "Push a usage tip on day 3"
    assert back[0].stage_id == tp.stage_id and back[0].touchpoint_id != tp.touchpoint_id


def test_a_click_on_what_a_colleague_deleted_opens_nothing(open_page: OpenPage) -> None:
    at = _open(open_page)
    for kind, fields in (
        ("card", {"id": 987654}),
        ("stage", {"stage": 987654}),
        ("add", {"stage": 987654}),
        ("cell", {"stage": _journey().stages[0].stage_id, "lane": "no_such_lane"}),
        ("nonsense", {}),
    ):
        board.click(at, kind, **fields)
        _ok(at)
        opened = [
            w.key for w in [*at.text_input, *at.text_area] if (w.key or "").startswith("dlg_")
        ]
        assert opened == [], kind  # no dialog opened
    # The board shows every card of the journey, by id, as the browser draws it.
    assert set(board.cards(at)) == {tp.touchpoint_id for tp in _journey().touchpoints}


def test_the_curve_is_built_once_for_every_session(
    open_page: OpenPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second session (a reload, a colleague) reuses the emotion lane's row built for the
    first; a face that moves the curve has it built again, for every session."""
    from cem.ui.journeys import board_grid

    built: list[int] = []
    real = board_grid.curve_row
    monkeypatch.setattr(board_grid, "curve_row", lambda *a, **k: built.append(1) or real(*a, **k))
    first = _open(open_page)
    before = board.curve_points(first)
    assert before
    count = len(built)
    second = _open(open_page)
    assert len(built) == count  # not built again
    assert board.curve_points(second) == before
    tp = next(t for t in _journey().touchpoints if t.name == "First bill")
    board.click(second, "card", id=tp.touchpoint_id)
    second.button(key="face_0").click().run()
    _ok(second)
    assert len(built) == count + 1
    moved = board.curve_points(second)
    assert moved != before
    third = _open(open_page)
    assert len(built) == count + 1 and board.curve_points(third) == moved


def test_each_guest_editor_has_a_name_of_their_own(open_page: OpenPage) -> None:
    """Without sign-in, every editor starts as a guest with a name of their own (all were
    "Guest", so a conflict message could not say who), shown in the name field."""
    first, second = _open(open_page), _open(open_page)
    names = [at.text_input(key="author_name").value for at in (first, second)]
    assert all(n.startswith("Guest-") for n in names) and names[0] != names[1]
    tp = _journey().touchpoints[0]
    board.click(first, "card", id=tp.touchpoint_id)
    first.button(key="face_4").click().run()
    _ok(first)
    assert (
        jm.list_versions(ui.get_database(), "demo", _journey().journey_id, limit=1)[0].author
        == names[0]
    )


def test_a_refused_save_keeps_the_text_and_a_second_save_puts_it_in(open_page: OpenPage) -> None:
    """Ana saves Owner "Sales ops" on "Pricing page" while Bo has its dialog open. Bo's
    Save is refused, his text stays in the dialog, and his second Save (knowing) puts in
    the fields he changed (every later Save was refused before, however often he clicked)."""
    at = _open(open_page)
    tp = next(t for t in _journey().touchpoints if t.name == "Pricing page")
    board.click(at, "card", id=tp.touchpoint_id)
    jm.update_touchpoint(
        ui.get_database(), "demo", tp.touchpoint_id, expected_version=tp.version,
        owner="Sales ops", actor=LOCAL_ADMIN, author="Ana",
    )  # fmt: skip
    at.text_input(key="dlg_pain_note").set_value("Prices hide the router fee")
    at.button(key="dlg_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Save again" in w.value for w in at.warning)
    assert _journey().touchpoint(tp.touchpoint_id).owner == "Sales ops"  # Ana's change stands
    assert at.text_input(key="dlg_pain_note").value == "Prices hide the router fee"
    at.button(key="dlg_save").click().run()
    _ok(at)
    saved = _journey().touchpoint(tp.touchpoint_id)
    # His pain note is in; Ana's owner, a field he did not touch, stays hers.
    assert (saved.pain_note, saved.owner) == ("Prices hide the router fee", "Sales ops")
