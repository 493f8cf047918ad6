"""The planned-vs-actual view (``render_planned_vs_actual``) renders the comparison, and
explains itself when there are no events or no stages."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cem.store.db import Database, bump_revision
from tests.test_journey_analytics import insert_events
from tests.test_planned_actual import make_plan, seq


def _view(journey_id: int) -> None:
    from cem import ui
    from cem.analytics.filters import Filters
    from cem.ui.journeys.planned_actual import render_planned_vs_actual

    render_planned_vs_actual(ui.get_database(), "w", journey_id, Filters())


@pytest.fixture
def view_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "view.duckdb"
    db = Database(path)
    insert_events(
        db,
        "w",
        seq("u1", [("Ad", None), ("Checkout", None), ("App", None)])
        + seq("u2", [("Ad", None), ("App", None), ("Ad", None)])
        + seq("u3", [("Mystery", None)]),
    )
    make_plan(db, "w")
    db.execute("INSERT INTO journeys (journey_id, workspace, name) VALUES (8, 'w', 'Blank')")
    db.close()
    monkeypatch.setenv("TOUCHPOINT_DB", str(path))
    st.cache_data.clear()  # the query cache keys on workspace + revision, not on the file
    return path


def test_view_shows_the_comparison(view_db: Path) -> None:
    at = AppTest.from_function(_view, args=(7,), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    # u1: Discover, Buy, Use (in order); u2: Discover, Use (skip), Discover (backwards).
    assert metrics == {
        "Customer journeys on the map": "2",
        "Follow the planned order": "50%",
        "Go back to an earlier stage": "50%",
        "Skip a planned stage": "50%",
    }
    tables = [d.value for d in at.dataframe]
    unseen = next(t for t in tables if "data_key" in t.columns)
    assert unseen["touchpoint"].tolist() == ["Blog"]
    unmapped = next(t for t in tables if "usual_stage" in t.columns)
    assert unmapped["touchpoint"].tolist() == ["Mystery"]
    moves = next(t for t in tables if "kind" in t.columns and "moves" in t.columns)
    assert sorted(moves["kind"].tolist()) == ["backwards", "skip"]


def test_view_without_stages_or_events(view_db: Path) -> None:
    at = AppTest.from_function(_view, args=(8,), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("no stages yet" in i.value for i in at.info)
    db = Database(view_db)
    db.execute("DELETE FROM events_base")
    db.close()
    at = AppTest.from_function(_view, args=(7,), default_timeout=60)
    at.run()
    assert any("Import an event log" in i.value for i in at.info)


def test_view_of_another_workspaces_journey_is_an_error(view_db: Path) -> None:
    db = Database(view_db)
    with db.transaction() as cur:
        cur.execute("UPDATE journeys SET workspace = 'other' WHERE journey_id = 7")
        bump_revision(cur, "w")
    db.close()
    at = AppTest.from_function(_view, args=(7,), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("There is no journey 7" in e.value for e in at.error)
