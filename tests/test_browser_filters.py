"""A link with filters, opened in a fresh browser, shows the filtered numbers."""

from __future__ import annotations

import pytest

from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.overview import kpi_snapshot
from cem.format import format_signed
from cem.store.db import Database
from tests.conftest import wait_for_streamlit

pytestmark = pytest.mark.browser


def test_shared_link_reproduces_the_filtered_overview(  # type: ignore[no-untyped-def]
    streamlit_server, browser, demo_db_copy
) -> None:
    # The server holds its own copy of the same demo database (DuckDB locks files per
    # process, so the expected numbers come from another copy).
    db = Database(demo_db_copy)
    try:
        filtered = kpi_snapshot(
            duckdb_engine(db), "demo", "nps", Filters.make(segment=["Enterprise"])
        )
        everyone = kpi_snapshot(duckdb_engine(db), "demo", "nps")
    finally:
        db.close()
    assert round(filtered["value"]) != round(everyone["value"])
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{streamlit_server.url}/?workspace=demo&segment=Enterprise")
        wait_for_streamlit(page)
        # The tiles render one by one: read the NPS tile by its label once it is there.
        nps_tile = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text="NPS")
        )
        nps_tile.first.wait_for(timeout=60_000)
        value = nps_tile.first.locator('[data-testid="stMetricValue"]').inner_text()
        assert value.strip() == format_signed(filtered["value"])
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Enterprise" in sidebar
        assert "segment=Enterprise" in page.url
    finally:
        context.close()


def test_more_filters_and_share_open_in_the_browser(  # type: ignore[no-untyped-def]
    streamlit_server, browser, demo_db_copy
) -> None:
    """ "More filters" and "Share" are drawn when opened: a click shows their contents (one
    rerun), a choice in "More filters" reaches the URL and the numbers."""
    db = Database(demo_db_copy)
    try:
        plan = kpi_snapshot(
            duckdb_engine(db), "demo", "nps", Filters.make(**{"attr:Plan": ["Fibre 500"]})
        )
    finally:
        db.close()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{streamlit_server.url}/?workspace=demo")
        wait_for_streamlit(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.locator(".st-key-flt-attr-Plan").count() == 0
        sidebar.get_by_text("More filters").click()
        plan_box = sidebar.locator(".st-key-flt-attr-Plan input")
        plan_box.wait_for(timeout=30_000)
        wait_for_streamlit(page)  # the box's rerun is over before the next click
        assert "Plan" in sidebar.inner_text()
        # A link with a "More filters" choice opens the box with it and filters the numbers.
        page.goto(f"{streamlit_server.url}/?workspace=demo&attr%3APlan=Fibre+500")
        wait_for_streamlit(page)
        sidebar.get_by_text("More filters (1 active)").wait_for(timeout=30_000)
        sidebar.locator(".st-key-flt-attr-Plan", has_text="Fibre 500").wait_for(timeout=30_000)
        # The NPS tile shows the filtered value once the run has drawn it.
        page.wait_for_function(
            """(value) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
                (m) => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.includes("NPS")
                && m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === value)""",
            arg=format_signed(plan["value"]),
            timeout=60_000,
        )
        sidebar.get_by_role("button", name="🔗 Share").click()
        page.get_by_role("button", name="Create share link").wait_for(timeout=30_000)
    finally:
        context.close()
