"""AppTest of the journey map page on the demo journey."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from cem import ui
from cem.access.principal import LOCAL_ADMIN
from cem.demo.journey import DEMO_JOURNEY_NAME
from cem.journeys import api as jm
from tests.conftest import OpenPage

PAGE = "pages/journey_map.py"


def _open(open_page: OpenPage) -> AppTest:
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.data_editor, "the tables are built only when their tab is opened"
    at.session_state["jm_tabs"] = "📋 Tables"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _demo_journey(path: Path) -> jm.Journey:
    # The app's own (process-wide) database object: AppTest runs in this process.
    db = ui.get_database()
    assert db.path == str(path)
    jid = jm.find_journey(db, "demo", DEMO_JOURNEY_NAME)
    assert jid is not None
    return jm.get_journey(db, "demo", jid)


def test_page_shows_demo_journey(app_env: Path, open_page: OpenPage) -> None:
    at = _open(open_page)
    assert not at.error, [e.value for e in at.error]
    journey = _demo_journey(app_env)
    assert at.selectbox(key="journey_picker").value == journey.journey_id
    at.run()  # from the second run on, the URL names the journey (shareable link)
    assert at.query_params["journey"] in ([str(journey.journey_id)], str(journey.journey_id))
    stages = at.data_editor(key=f"stage_editor_{journey.version}").value
    assert stages["stage"].tolist() == [s.name for s in journey.stages]
    tps = at.data_editor(key=f"touchpoint_editor_{journey.version}").value
    assert tps["touchpoint"].tolist() == [t.name for t in journey.touchpoints]
    installation = tps[tps["touchpoint"] == "Installation"].iloc[0]
    assert bool(installation["pain_point"]) and bool(installation["moment_of_truth"])
    assert installation["emotion"] == "-2 😡"


def test_edit_through_touchpoint_editor_is_saved_and_undone(
    app_env: Path, open_page: OpenPage
) -> None:
    at = _open(open_page)
    journey = _demo_journey(app_env)
    row = [t.name for t in journey.touchpoints].index("First bill")
    before = journey.touchpoints[row]
    at.session_state[f"touchpoint_editor_{journey.version}"] = {
        "edited_rows": {row: {"emotion": "+2 😄", "owner": "Finance team"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    saved = _demo_journey(app_env).touchpoint(before.touchpoint_id)
    assert (saved.emotion, saved.owner) == (2, "Finance team")
    version = _demo_journey(app_env).version
    shown = at.data_editor(key=f"touchpoint_editor_{version}").value
    assert shown.loc[row, "owner"] == "Finance team"
    # A second run does not apply the same edit again.
    at.run()
    assert _demo_journey(app_env).version == version

    at.button(key="undo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    restored = _demo_journey(app_env).touchpoint(before.touchpoint_id)
    assert (restored.emotion, restored.owner) == (before.emotion, before.owner)
    now = _demo_journey(app_env).version
    assert at.data_editor(key=f"touchpoint_editor_{now}").value.loc[row, "owner"] == before.owner


def test_stale_edit_in_page_shows_conflict(app_env: Path, open_page: OpenPage) -> None:
    at = _open(open_page)
    journey = _demo_journey(app_env)
    tp = journey.touchpoints[0]
    # Someone else changes the first touchpoint after this session drew its tables.
    other = ui.get_database()
    jm.update_touchpoint(
        other,
        "demo",
        tp.touchpoint_id,
        expected_version=tp.version,
        owner="Bo",
        author="Bo",
        actor=LOCAL_ADMIN,
    )
    at.session_state[f"touchpoint_editor_{journey.version}"] = {
        "edited_rows": {0: {"owner": "Ana"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert "by Bo" in warnings
    assert _demo_journey(app_env).touchpoint(tp.touchpoint_id).owner == "Bo"


def test_journey_query_param_selects_the_journey(open_page: OpenPage) -> None:
    db = ui.get_database()
    other = jm.create_journey(
        db, "demo", "Second map", outline=[("Only stage", ["Lonely"])], actor=LOCAL_ADMIN
    )
    at = open_page(PAGE, journey=str(other))
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="journey_picker").value == other
    at.session_state["jm_tabs"] = "📋 Tables"
    at.run()
    version = jm.get_journey(db, "demo", other).version
    assert at.data_editor(key=f"touchpoint_editor_{version}").value["touchpoint"].tolist() == [
        "Lonely"
    ]


def _poll_script() -> None:
    """The live poll alone, as its ``run_every`` fragment runs it; the run the poll
    asks for (``redraw_at``) stands for the page, which records the version it drew."""
    import streamlit as st

    from cem import ui
    from cem.journeys import api as jm
    from cem.ui.journeys import panels

    state = st.session_state
    state["runs"] = state.get("runs", 0) + 1
    if state["runs"] == state.get("redraw_at"):
        state["jm_seen_version"] = jm.journey_version(ui.get_database(), "demo", state["jid"])
    panels.live_poll("demo", state["jid"])


def test_live_poll_waits_while_a_dialog_is_open(app_env: Path) -> None:
    """A colleague's change while Ana's dialog is open is announced once and redraws
    nothing (a redraw would drop the text she is typing); with the dialog closed the
    poll redraws the page."""
    journey = _demo_journey(app_env)
    stage = journey.stages[1]
    at = AppTest.from_function(_poll_script, default_timeout=60)
    at.session_state["jid"] = journey.journey_id
    at.session_state["author_name"] = "Ana"
    at.session_state["jm_seen_version"] = journey.version
    at.session_state["jm_dialog"] = ("cell", (stage.stage_id, "thoughts"))
    jm.set_lane_cell(
        ui.get_database(),
        "demo",
        stage.stage_id,
        "thoughts",
        "Bo was here",
        expected_version=stage.cell_version("thoughts"),
        actor=LOCAL_ADMIN,
        author="Bo",
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["runs"] == 1  # no rerun: the open dialog is left alone
    assert [t.value for t in at.toast] == ["Bo: Wrote 'Thoughts' of stage '" + stage.name + "'"]
    at.run()
    assert at.session_state["runs"] == 2 and len(at.toast) == 0  # announced once
    del at.session_state["jm_dialog"]
    at.session_state["redraw_at"] = 4
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["runs"] == 4  # the poll asked for a rerun of the page
    assert at.session_state["jm_seen_version"] == journey.version + 1
