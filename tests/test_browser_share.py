"""In the browser: a share link gives a read-only view scoped to its workspace and fixed
filters for the whole session, whatever is clicked or written in the address bar.

An account exists on this server, so the address without the token asks to sign in (with
no account the app is single-user by design, see the README). The NPS shown is checked
against pandas for the link's filter on the demo data.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from cem.access import users
from cem.access.links import create_link
from cem.access.principal import CLI_ADMIN
from cem.analytics.filters import Filters
from cem.store.db import Database
from cem.store.workspaces import create_workspace
from tests.conftest import StreamlitServer, wait_for_streamlit
from tests.test_report import pandas_nps

pytestmark = pytest.mark.browser

SEGMENT = "Enterprise"
EDIT_PAGES = ("Import data", "Workspaces", "Journey map", "Audit log", "Users")


@pytest.fixture(scope="module")
def shared(browser, demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A server over the demo data with one account, a second workspace and a link to the
    demo's Overview and Voice of the customer, fixed to one segment."""
    folder = tmp_path_factory.mktemp("share")
    db_path = folder / "share.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    db = Database(db_path)
    try:
        users.add_user(db, "root", "admin", "password1", actor=CLI_ADMIN)
        create_workspace(db, "other", actor=CLI_ADMIN)
        link = create_link(
            db, CLI_ADMIN, "demo", ["home", "voice"], Filters.make(segment=[SEGMENT])
        )
        nps = pandas_nps(db, "demo", SEGMENT)[0]
        everyone = pandas_nps(db, "demo")[0]
    finally:
        db.close()
    assert nps != everyone  # the filter shows in the number
    server = StreamlitServer(db_path, folder / "streamlit.log")
    yield server, link.token or "", f"{nps:+d}"
    server.stop()


@contextlib.contextmanager
def _opened(browser, url: str, size: tuple[int, int] = (1280, 720)):  # type: ignore[no-untyped-def]
    """A page in a fresh browser context (no cookie, no session) at ``url``."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_streamlit(page)
        yield page
    finally:
        context.close()


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    wait_for_streamlit(page)
    page.wait_for_selector('[data-testid="stSidebarNav"], [data-testid="stAlert"]')
    wait_for_streamlit(page)


def _nav(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def _nps_tile(page) -> str:  # type: ignore[no-untyped-def]
    """The NPS tile's value, once the run that draws it is done."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricLabel\"]')]"
        ".some(e => e.innerText.trim() === 'NPS')",
        timeout=60_000,
    )
    wait_for_streamlit(page)
    for metric in page.locator('[data-testid="stMetric"]').all():
        if metric.locator('[data-testid="stMetricLabel"]').inner_text().strip() == "NPS":
            return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    raise AssertionError(f"no NPS tile on the page: {page.url}")


def _assert_scoped(page, token: str) -> None:  # type: ignore[no-untyped-def]
    """Read-only, the demo workspace, the fixed segment, the token in the URL."""
    query = parse_qs(urlparse(page.url).query)
    assert query.get("share") == [token], page.url
    assert query.get("workspace") == ["demo"], page.url
    assert "mode" not in {k.lower() for k in query}
    nav = _nav(page)
    assert "Overview" in nav and "Voice of the customer" in nav
    assert not [p for p in EDIT_PAGES if p in nav], nav
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Workspace: demo · shared read-only view" in sidebar
    assert SEGMENT in sidebar and "Sign out" not in sidebar
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    buttons = " ".join(page.locator('[data-testid="stMain"] button').all_inner_texts())
    for verb in ("Delete", "Save", "Import", "Create share link", "Revoke"):
        assert verb not in buttons, buttons


def test_share_link_session_stays_read_only_through_every_link(browser, shared) -> None:  # type: ignore[no-untyped-def]
    server, token, nps = shared
    with _opened(browser, f"{server.url}/?share={token}") as page:
        _settle(page)
        assert _nps_tile(page) == nps
        _assert_scoped(page, token)
        page.screenshot(path="/tmp/share-1280x720.png")
        visited = []
        sidebar = page.locator('[data-testid="stSidebarNav"] a')
        # every sidebar link, then every in-page link of each page reached
        for i in range(sidebar.count()):
            visited.append(sidebar.nth(i).inner_text().strip().splitlines()[-1])
            sidebar.nth(i).click()
            _settle(page)
            _assert_scoped(page, token)
            hrefs = [
                href
                for href in page.locator('[data-testid="stMain"] a[href]').evaluate_all(
                    "els => els.map(e => e.getAttribute('href'))"
                )
                # not a heading's own anchor, nor a link out of the app (none expected)
                if not href.startswith("#")
                and not (href.startswith("http") and not href.startswith(server.url))
            ]
            for href in dict.fromkeys(hrefs):
                sidebar.nth(i).click()
                _settle(page)
                visited.append(href)
                page.locator(f'[data-testid="stMain"] a[href="{href}"]').first.click()
                _settle(page)
                _assert_scoped(page, token)
        assert visited[0] == "Overview" and visited[-1] == "Voice of the customer"
        assert [v for v in visited if v.startswith("voice?")]  # the "Read the comments" links
        page.locator('[data-testid="stSidebarNav"] a').first.click()
        _settle(page)
        assert _nps_tile(page) == nps  # back on the Overview, same filter, same number


@pytest.mark.parametrize(
    "query",
    [
        "workspace=other",
        "workspace=other&segment=SMB",
        "segment=SMB",
        "mode=edit",
        "mode=VIEW",
        "MODE=edit&workspace=other",
    ],
)
def test_edited_addresses_change_nothing(browser, shared, query: str) -> None:  # type: ignore[no-untyped-def]
    server, token, nps = shared
    with _opened(browser, f"{server.url}/?share={token}&{query}") as page:
        _settle(page)
        assert _nps_tile(page) == nps
        _assert_scoped(page, token)


def test_edit_pages_and_a_changed_token_are_refused(browser, shared) -> None:  # type: ignore[no-untyped-def]
    server, token, _ = shared
    # an editing page's address with the token: not in this session's navigation
    with _opened(browser, f"{server.url}/import?share={token}&mode=edit") as page:
        _settle(page)
        _assert_scoped(page, token)
    # a changed token: one sentence and nothing else
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with _opened(browser, f"{server.url}/?share={tampered}&workspace=demo") as page:
        page.wait_for_selector('[data-testid="stAlert"]')
        main = page.locator('[data-testid="stMain"]').inner_text()
        sentence = "This share link is not valid: it was changed or is incomplete."
        assert main.replace("🔒", "").strip() == sentence
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0


def test_the_address_without_the_token_asks_to_sign_in(browser, shared) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = shared
    for path in ("/?workspace=demo", "/voice?workspace=demo&segment=Enterprise&mode=view"):
        with _opened(browser, f"{server.url}{path}") as page:
            page.get_by_label("User name").wait_for()
            body = page.locator("body").inner_text()
            assert "Sign in" in body
            assert page.locator('[data-testid="stMetric"]').count() == 0
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0


def test_share_session_screenshot_at_1440x900(browser, shared) -> None:  # type: ignore[no-untyped-def]
    server, token, nps = shared
    with _opened(browser, f"{server.url}/?share={token}", size=(1440, 900)) as page:
        _settle(page)
        assert _nps_tile(page) == nps
        page.screenshot(path="/tmp/share-1440x900.png")
