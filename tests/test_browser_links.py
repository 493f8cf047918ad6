"""Deep links: the very first visit after the server starts can be a shared link to any
page, with filters, as a share link's read-only view — and it just works (no "Page not found")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cem.access.links import create_link
from cem.access.principal import CLI_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters, filtered_table
from cem.store.db import Database
from tests.conftest import StreamlitServer, wait_for_streamlit

pytestmark = pytest.mark.browser


def test_first_visit_is_a_deep_link_with_filters(  # type: ignore[no-untyped-def]
    browser, demo_db_file: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "fresh.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    persona = Filters.make(persona=["Remote Worker"])
    db = Database(db_path)
    try:
        events = filtered_table(duckdb_engine(db), "demo", "events", persona).execute()
        link = create_link(db, CLI_ADMIN, "demo", ["home", "journey-analytics"], persona)
    finally:
        db.close()
    server = StreamlitServer(db_path, tmp_path / "streamlit.log")  # a fresh process
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/journey-analytics?share={link.token}")
        wait_for_streamlit(page)
        page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
        wait_for_streamlit(page)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body
        assert "Journey analytics" in body
        assert "Remote Worker" in page.locator('[data-testid="stSidebar"]').inner_text()
        # Read-only: the editing pages are not offered.
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Journey map" not in nav and "Import data" not in nav
        # The page counts exactly the filtered events (computed here without the app).
        customers = events["customer_id"].nunique()
        assert 0 < len(events) < 110_476
        tiles = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert tiles[:2] == [f"{len(events):,}", f"{customers:,}"]
    finally:
        context.close()
        server.stop()


def test_home_address_opens_the_overview(  # type: ignore[no-untyped-def]
    browser, demo_db_file: Path, tmp_path: Path
) -> None:
    """``/home`` (the Overview's name in share links) opens the Overview at ``/`` with its
    query parameters, without Streamlit's "Page not found" dialog — also as the first visit."""
    db_path = tmp_path / "home.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    server = StreamlitServer(db_path, tmp_path / "streamlit.log")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/home?workspace=demo&segment=Enterprise", timeout=90_000)
        page.get_by_text("Open detractors").wait_for(timeout=90_000)
        wait_for_streamlit(page)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Traceback" not in body
        assert page.url.split("?", 1)[0].rstrip("/") == server.url
        assert "segment=Enterprise" in page.url and "workspace=demo" in page.url
        assert "Enterprise" in page.locator('[data-testid="stSidebar"]').inner_text()
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert nav.count("Overview") == 1  # the alias is not listed
        page.goto(f"{server.url}/kpi-explorer?workspace=demo", timeout=90_000)  # others unchanged
        wait_for_streamlit(page)
        page.goto(f"{server.url}/home", timeout=90_000)  # and again, later in the session
        page.get_by_text("Open detractors").wait_for(timeout=90_000)
        wait_for_streamlit(page)
        assert "Page not found" not in page.locator("body").inner_text()
    finally:
        context.close()
        server.stop()


@pytest.mark.parametrize("base_url_path", ["", "touchpoint"])
def test_a_page_address_connects_without_asking_it_for_the_server(  # type: ignore[no-untyped-def]
    browser, demo_db_file: Path, tmp_path: Path, base_url_path: str
) -> None:
    """Opened at a page's address, the front end asks the app's root for the server at
    once (cem.ui.page_shell), not ``/<page>/_stcore/health`` first (a 404 and a retry
    delay on every load); a mistyped address still gets Streamlit's own search and its
    "Page not found". Also under a base URL path (a deployment behind a proxy)."""
    db_path = tmp_path / "shell.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    server = StreamlitServer(db_path, tmp_path / "streamlit.log", base_url_path)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    asked: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: asked.append(request.url))
        page.goto(f"{server.url}/journey-map?workspace=demo", timeout=90_000)
        page.locator(".st-key-jm_board").wait_for(timeout=90_000)
        wait_for_streamlit(page)
        stcore = [u.split("?", 1)[0] for u in asked if "/_stcore/" in u]
        assert f"{server.url}/_stcore/health" in stcore
        assert not [u for u in stcore if u.startswith(f"{server.url}/journey-map/")], stcore
        assert "Page not found" not in page.locator("body").inner_text()
        asked.clear()
        page.goto(f"{server.url}/no-such-page?workspace=demo", timeout=90_000)
        page.get_by_text("Page not found").first.wait_for(timeout=90_000)
        assert any(u.startswith(f"{server.url}/no-such-page/_stcore/") for u in asked), asked
    finally:
        context.close()
        server.stop()
