"""The Journey analytics page on the demo workspace (AppTest), and in a real browser: the
transition network renders and a touchpoint named like an HTML payload stays text."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.analytics.engine import Engine, duckdb_engine
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.format import format_count
from cem.store.db import Database, bump_revision
from cem.ui.events import panels
from cem.ui.journeys.network import transition_network
from tests.conftest import OpenPage

PAGE = "pages/journey_analytics.py"
XSS = "<img src=x onerror=alert(1)>"


def _open_page(open_page: OpenPage, view: str | None = None, **query: str) -> AppTest:
    if view:
        query["view"] = view
    at = open_page(PAGE, **query)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]
    return at


def _engine(path: Path) -> tuple[Database, Engine]:
    db = Database(path)
    return db, duckdb_engine(db)


def test_page_shows_cem_values(app_env: Path, open_page: OpenPage) -> None:
    at = _open_page(open_page, "Paths")
    db, engine = _engine(app_env)
    try:
        paths = ja.top_paths(engine, "demo", Filters(), k=3, limit=15, collapse_repeats=True)
        summary = ja.event_summary(engine, "demo")
    finally:
        db.close()
    metric = next(m for m in at.metric if m.label == "Most common path (journeys)")
    assert metric.value == format_count(paths.loc[0, "journeys"])
    table = next(
        d.value for d in at.dataframe if "path" in d.value.columns and "rank" in d.value.columns
    )
    assert table["journeys"].tolist() == paths["journeys"].tolist()
    assert table["path"].tolist() == paths["path"].tolist()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Events"] == format_count(summary["events"])
    assert tiles["Customers"] == format_count(summary["customers"])
    first, last = summary["first_at"], summary["last_at"]
    period = f"events from {first:%d %b %Y} to {last:%d %b %Y}"
    assert any(period in c.value for c in at.caption)


def test_every_view_opens_without_a_warning(app_env: Path, open_page: OpenPage) -> None:
    """By default no view shows a warning or an error (the custom funnel's default steps
    are three different touchpoints, so it shows numbers, not "only once")."""
    db, engine = _engine(app_env)
    try:
        funnel = ja.stage_funnel(engine, "demo", Filters(), ja.observed_stage_order(engine, "demo"))
        paths = ja.top_paths(engine, "demo", k=3, limit=1)
    finally:
        db.close()
    for view in panels.VIEWS:
        at = _open_page(open_page, view)
        assert not at.main.warning, (view, [w.value for w in at.main.warning])
        assert not at.main.error, (view, [e.value for e in at.main.error])
        if view == "Funnels":
            steps = at.multiselect(key="ja:custom_steps").value
            assert len(steps) == 3 and len({s.lower() for s in steps}) == 3
            first = paths.loc[0, "path"].split(ja.PATH_SEPARATOR)
            assert steps[0] == first[0]
            assert not any("only once" in i.value for i in at.info)
            assert funnel.loc[0, "journeys"] > funnel.loc[len(funnel) - 1, "journeys"] > 0


def test_default_steps_never_repeat_a_touchpoint() -> None:
    # A top path "Ad → Ad → Shop" gives Ad, Shop, then the busiest other touchpoint.
    assert ja.distinct_steps(["Ad", "Ad", "Shop", "Ad", "Shop", "Blog"])[:3] == [
        "Ad",
        "Shop",
        "Blog",
    ]


def test_page_settings_change_the_figures(app_env: Path, open_page: OpenPage) -> None:
    at = _open_page(open_page, "Paths")
    at.checkbox(key="ja:collapse").uncheck()
    at.slider(key="ja:k").set_value(2)
    at.number_input(key="ja:gap").set_value(30.0)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    db, engine = _engine(app_env)
    try:
        paths = ja.top_paths(engine, "demo", k=2, limit=15, gap_days=30.0)
    finally:
        db.close()
    metric = next(m for m in at.metric if m.label == "Most common path (journeys)")
    assert metric.value == format_count(paths.loc[0, "journeys"])


def test_page_filters_apply(app_env: Path, open_page: OpenPage) -> None:
    at = _open_page(open_page, "Paths", channel="web")
    db, engine = _engine(app_env)
    try:
        paths = ja.top_paths(
            engine, "demo", Filters.make(channel=["web"]), k=3, limit=15, collapse_repeats=True
        )
    finally:
        db.close()
    metric = next(m for m in at.metric if m.label == "Most common path (journeys)")
    assert metric.value == format_count(paths.loc[0, "journeys"])


def test_empty_workspace_explains_what_to_do(app_env: Path, open_page: OpenPage) -> None:
    db = Database(app_env)
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES ('blank')")
        bump_revision(cur, "blank")
    db.close()
    at = open_page(PAGE, workspace="blank")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Import an event log" in i.value for i in at.info)


# -- browser ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def xss_server(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A server over a demo copy with events at a touchpoint named like an HTML payload."""
    from tests.conftest import StreamlitServer

    folder = tmp_path_factory.mktemp("ja-server")
    db_path = folder / "server.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    db = Database(db_path)
    with db.transaction() as cur:
        start = cur.execute("SELECT max(event_id) FROM events").fetchone()[0] + 1
        for i in range(1500):  # enough to be among the busiest moves
            when = dt.datetime(2025, 6, 1, 9) + dt.timedelta(minutes=i)
            cur.execute(
                "INSERT INTO events_base (event_id, workspace, import_id, customer_id, "
                "occurred_at, touchpoint, channel, stage) VALUES (?,?,?,?,?,?,?,?)",
                [start + 2 * i, "demo", 0, f"X-{i}", when, "Search result", "web", "Awareness"],
            )
            cur.execute(
                "INSERT INTO events_base (event_id, workspace, import_id, customer_id, "
                "occurred_at, touchpoint, channel, stage) VALUES (?,?,?,?,?,?,?,?)",
                [
                    start + 2 * i + 1,
                    "demo",
                    0,
                    f"X-{i}",
                    when + dt.timedelta(minutes=1),
                    XSS,
                    "web",
                    "Research",
                ],
            )
        bump_revision(cur, "demo")
    # The page's default view (repeats collapsed, 25 busiest moves) draws the payload node.
    trans = ja.transitions(duckdb_engine(db), "demo", collapse_repeats=True)
    stats = ja.touchpoint_stats(duckdb_engine(db), "demo", collapse_repeats=True)
    nodes, _ = transition_network(trans, stats, top_n=25)
    assert XSS in {n.label for n in nodes}
    db.close()
    server = StreamlitServer(db_path, folder / "streamlit.log")
    yield server
    server.stop()


@pytest.mark.browser
def test_network_renders_and_escapes_names(xss_server, browser) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import wait_for_streamlit

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{xss_server.url}/journey-analytics", wait_until="domcontentloaded")
        wait_for_streamlit(page, timeout_ms=60_000)
        page.wait_for_selector("iframe", timeout=60_000)
        frame_el = next(
            f
            for f in page.query_selector_all("iframe")
            if "agraph" in (f.get_attribute("src") or "")
            or "agraph" in (f.get_attribute("title") or "")
        )
        frame = frame_el.content_frame()
        assert frame is not None
        frame.wait_for_selector("canvas", timeout=60_000)
        page.wait_for_timeout(1500)
        # Hover every part of the canvas so vis-network shows tooltips (titles).
        box = frame_el.bounding_box()
        assert box is not None and box["height"] > 200
        for x in range(20, int(box["width"]), 60):
            for y in range(20, int(box["height"]), 60):
                page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(500)
        assert dialogs == []
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        text = frame.evaluate("document.body.innerHTML")
        assert "onerror=alert" not in text or "&lt;img" in text
    finally:
        page.close()
