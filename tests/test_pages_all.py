"""Every page in the navigation renders on the demo workspace without an exception,
also in the read-only executive view, and explains an empty workspace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
SIDEBAR_TITLE = "### 🧭 Touchpoint"


def test_every_page_file_is_in_the_navigation() -> None:
    files = sorted(f"pages/{p.name}" for p in (PROJECT_ROOT / "pages").glob("*.py"))
    assert sorted(NAVIGATION_PAGES) == files


def page_text(at) -> str:  # type: ignore[no-untyped-def]
    """What the page itself shows (main area: title, info, markdown, captions), without the
    sidebar."""
    main = at.main
    parts = [*main.title, *main.header, *main.subheader, *main.info, *main.markdown]
    parts += [*main.caption, *main.warning, *main.metric]
    return " ".join(str(getattr(x, "value", "")) for x in parts)


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_page_renders_on_demo_workspace(open_page, page: str) -> None:  # type: ignore[no-untyped-def]
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="workspace_switcher").value == "demo"
    assert page_text(at).strip(), f"{page} shows something of its own"


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_page_renders_with_an_attribute_filter(open_page, page: str) -> None:  # type: ignore[no-untyped-def]
    """A filter on an imported attribute (a "More filters" choice, here in the address)
    reaches every page's queries (journey analytics, comments, the map's data included)."""
    at = open_page(page, **{"attr:Plan": "Fibre 500"})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.multiselect(key="flt:attr:Plan").value == ["Fibre 500"]
    assert page_text(at).strip(), f"{page} shows something of its own"


@pytest.mark.parametrize("page", READ_ONLY_PAGES)
def test_share_link_view_renders(app_env: Path, open_page, page: str) -> None:  # type: ignore[no-untyped-def]
    from cem.access.links import create_link
    from cem.access.principal import CLI_ADMIN
    from cem.store.db import Database

    db = Database(app_env)
    pages = ["home", "kpi-explorer", "key-drivers", "journey-analytics"]
    token = create_link(db, CLI_ADMIN, "demo", pages).token or ""
    db.close()
    at = open_page(page, share=token)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # No workspace switcher and no editing pages in the executive view.
    assert not [w for w in at.sidebar.selectbox if w.key == "workspace_switcher"]


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_page_explains_what_to_do_on_an_empty_workspace(  # type: ignore[no-untyped-def]
    open_page, add_workspace, page: str
) -> None:
    add_workspace("Empty shop")
    at = open_page(page, workspace="Empty shop")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.selectbox(key="workspace_switcher").value == "Empty shop"
    sidebar = " ".join(str(x.value) for x in at.sidebar.markdown)
    assert SIDEBAR_TITLE in sidebar
    shown = page_text(at)
    assert SIDEBAR_TITLE not in shown
    # The page's own words beyond its title: an explanation, not a blank page.
    titles = {str(t.value) for t in at.main.title}
    words = shown
    for title in titles:
        words = words.replace(title, "")
    assert len(words.strip()) > 20, f"{page} on an empty workspace shows only {shown!r}"
