"""The Workspaces page in a real browser: create a workspace, see the sidebar switch to it,
delete it with the typed confirmation, and land back on the demo."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for_streamlit

pytestmark = pytest.mark.browser


SWITCHER = '[data-testid="stSidebar"] [data-testid="stSelectbox"]'


def _sidebar_workspace(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(SWITCHER).first.locator("input").input_value()


def test_create_switch_and_delete(streamlit_server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # Open the app first: the entry point registers the pages, then go to Workspaces.
        # (On a cold server the first run takes a while; until the entry point has called
        # st.navigation the sidebar lists the raw files of pages/.)
        page.goto(f"{streamlit_server.url}/?workspace=demo")
        page.wait_for_selector(SWITCHER, timeout=90_000)
        wait_for_streamlit(page)
        page.get_by_role("link", name="Workspaces", exact=True).click()
        wait_for_streamlit(page)
        page.get_by_label("New workspace name").wait_for(timeout=30_000)
        assert _sidebar_workspace(page) == "demo"

        page.get_by_label("New workspace name").fill("Acme <i>Retail</i>")
        page.get_by_label("New workspace name").press("Enter")
        wait_for_streamlit(page)
        page.get_by_role("button", name="Create workspace").click()
        wait_for_streamlit(page)
        page.get_by_text("and switched to it").wait_for(timeout=15_000)
        assert _sidebar_workspace(page) == "Acme <i>Retail</i>"
        assert "workspace=Acme" in page.url

        # Delete it: the button stays disabled until the name is typed.
        page.get_by_label("Workspace to delete").click()
        page.get_by_role("option", name="Acme <i>Retail</i>").click()
        wait_for_streamlit(page)
        delete = page.get_by_role("button", name="Delete workspace")
        # A rerun can briefly show the previous run's copy beside the new one: wait for one.
        expect(delete).to_have_count(1, timeout=15_000)
        expect(delete).to_be_disabled()
        confirm = page.get_by_label("Type the workspace's name to confirm")
        confirm.fill("Acme <i>Retail</i>")
        confirm.press("Enter")
        wait_for_streamlit(page)
        expect(delete).to_be_enabled(timeout=15_000)
        delete.click()
        wait_for_streamlit(page)
        page.get_by_text("and all of its data").wait_for(timeout=15_000)
        assert _sidebar_workspace(page) == "demo"
    finally:
        context.close()
