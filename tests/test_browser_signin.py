"""In the browser: once an account exists the app asks to sign in, a wrong password is
refused with one sentence, and five failures lock the name for a while."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cem.access import users
from cem.access.principal import CLI_ADMIN
from cem.store.db import Database
from tests.conftest import StreamlitServer, wait_for_streamlit

pytestmark = pytest.mark.browser


def _try(page, name: str, password: str) -> str:  # type: ignore[no-untyped-def]
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_streamlit(page)
    page.wait_for_selector('[data-testid="stAlert"], [data-testid="stSidebar"] button')
    return page.locator('[data-testid="stMain"]').inner_text()


def test_sign_in_required_and_rate_limited(  # type: ignore[no-untyped-def]
    browser, demo_db_file: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "accounts.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    db = Database(db_path)
    users.add_user(db, "ann", "editor", "password1", actor=CLI_ADMIN, workspaces=("demo",))
    users.add_user(db, "ben", "viewer", "password2", actor=CLI_ADMIN, workspaces=("demo",))
    db.close()
    server = StreamlitServer(db_path, tmp_path / "streamlit.log")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kpi-explorer?workspace=demo")
        wait_for_streamlit(page)
        page.get_by_label("User name").wait_for()
        body = page.locator("body").inner_text()
        assert "Sign in" in body and "KPI explorer" not in body
        page.screenshot(path=str(tmp_path / "signin.png"))  # 1280x720, to look at
        for _ in range(5):
            assert "Wrong user name or password." in _try(page, "ben", "not-it")
        text = _try(page, "ben", "password2")  # right password, but locked now
        assert "Too many failed sign-ins for this name: try again in 5 minutes." in text
        text = _try(page, "ann", "password1")  # another name is not locked
        page.get_by_text("Signed in as ann (editor)").wait_for()
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Import data" in sidebar and "Journey map" in sidebar
    finally:
        context.close()
        server.stop()
