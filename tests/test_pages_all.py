"""Every page in the navigation renders on the demo workspace without an exception,
also in the read-only executive view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NAVIGATION_PAGES = re.findall(
    r'st\.Page\(\s*"(pages/[a-z_]+\.py)"', (PROJECT_ROOT / "app.py").read_text(encoding="utf-8")
)
READ_ONLY_PAGES = [
    "pages/overview.py",
    "pages/explorer.py",
    "pages/drivers.py",
    "pages/journey_analytics.py",
]


def test_every_page_file_is_in_the_navigation() -> None:
    files = sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
    assert sorted(NAVIGATION_PAGES) == files


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_page_renders_on_demo_workspace(app_env: Path, page: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="workspace_switcher").value == "demo"


@pytest.mark.parametrize("page", READ_ONLY_PAGES)
def test_read_only_view_renders(app_env: Path, page: str) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["mode"] = "view"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # No workspace switcher and no editing pages in the executive view.
    assert not [w for w in at.sidebar.selectbox if w.key == "workspace_switcher"]


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_page_explains_what_to_do_on_an_empty_workspace(app_env: Path, page: str) -> None:
    from cem.store.db import Database
    from cem.store.workspaces import create_workspace

    db = Database(app_env)
    create_workspace(db, "Empty shop")
    db.close()
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["workspace"] = "Empty shop"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="workspace_switcher").value == "Empty shop"
    shown = " ".join(str(x.value) for x in [*at.info, *at.markdown, *at.caption])
    assert shown.strip(), "an empty workspace must get an explanation, not a blank page"
