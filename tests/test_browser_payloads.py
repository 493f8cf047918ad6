"""The markdown payload corpus in a real browser, on every page.

Payloads go in through the URL parameters (``from``, ``to``, ``segment``, ``workspace``,
``attr:…``) and through an upload: a CSV whose headers and values are payloads, imported
into a private workspace before the server starts. Every request the page makes that is not
to the app's own host:port is intercepted and recorded; the tests assert none was made, that
no ``<a href>``/``<img src>`` comes from a payload, and that no dialog (alert) fired. One
browser and one server for the module; the pages are visited in a loop.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import PROJECT_ROOT, StreamlitServer, wait_for_streamlit

pytestmark = pytest.mark.browser
TIMEOUT = 90_000
PAGES = (
    "home",
    "kpi-explorer",
    "key-drivers",
    "journey-analytics",
    "voice",
    "journey-map",
    "import",
    "manage-workspaces",
)
PAYLOADS = (
    "![t](http://127.0.0.2:9/track.png)",
    "[Sign in again](https://evil.example/phish)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "https://evil.example",
    "[click](javascript:alert(1))",
    ":red[x]",
    "$x$",
    ":smile: :rocket:",
)
# What a link or image made from a payload would point at.
HOSTILE_TARGETS = ("127.0.0.2", "evil.example", "javascript:", "track.png")
PAYLOAD_WORKSPACE = "payloads"


def _payload_csv(path: Path) -> None:
    """A responses file whose extra headers and values are the payloads."""
    headers = ["customer_id", "nps", *PAYLOADS]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in range(12):
            writer.writerow([f"c{row}", row % 11, *PAYLOADS])


@pytest.fixture(scope="module")
def payload_server(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """A server over a copy of the demo database plus a workspace imported from payloads."""
    folder = tmp_path_factory.mktemp("payloads")
    db_path = folder / "server.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    upload = folder / "payloads.csv"
    _payload_csv(upload)
    imported = subprocess.run(
        [sys.executable, "-m", "cem", "import", str(upload), "--workspace", PAYLOAD_WORKSPACE]
        + ["--kind", "responses", "--db", str(db_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    server = StreamlitServer(db_path, folder / "streamlit.log")
    yield server
    server.stop()


def _queries() -> list[str]:
    """A few URL queries that between them put every payload in every parameter a page reads
    (``from``, ``to``, ``segment``, an ``attr:`` name and value), plus hostile workspaces."""
    n = len(PAYLOADS)
    queries = []
    for shift in range(0, n, 3):
        p = [quote(PAYLOADS[(shift + k) % n], safe="") for k in range(5)]
        queries.append(f"workspace=demo&from={p[0]}&to={p[1]}&segment={p[2]}&attr:{p[3]}={p[4]}")
    queries.append(f"workspace={quote(PAYLOADS[1], safe='')}")
    queries.append(f"workspace={PAYLOAD_WORKSPACE}&attr:{quote(PAYLOADS[0], safe='')}=x")
    return queries


def _hostile_elements(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every link or image in the DOM that points at a payload's target: its href/src, the
    test id of the Streamlit element holding it and the start of its HTML (for the report)."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('a[href], img[src], iframe[src]')]
            .map(e => (e.getAttribute('href') || e.getAttribute('src') || '') + ' ' +
                 (e.closest('[data-testid]')?.dataset?.testid || '') + ' ' +
                 e.outerHTML.slice(0, 160))"""
    )
    for frame in page.frames[1:]:
        try:
            found += frame.evaluate(
                "() => [...document.querySelectorAll('a[href], img[src]')]"
                ".map(e => e.getAttribute('href') || e.getAttribute('src') || '')"
            )
        except Exception:  # noqa: BLE001 - a frame that navigated away has no DOM to read
            continue
    return [item for item in found if any(t in item.split(" ")[0] for t in HOSTILE_TARGETS)]


def test_payloads_make_no_request_link_image_or_alert(
    browser,  # type: ignore[no-untyped-def]
    payload_server: StreamlitServer,
) -> None:
    """Every page × every payload query: only the app's own host is asked for anything."""
    app_origin = urlsplit(payload_server.url).netloc
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside: list[str] = []
    alerts: list[str] = []

    def route(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).netloc == app_origin or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    hostile: dict[str, list[str]] = {}
    visited = 0
    for name in PAGES:
        for query in _queries():
            page.goto(f"{payload_server.url}/{name}?{query}", timeout=TIMEOUT)
            wait_for_streamlit(page, TIMEOUT)
            visited += 1
            bad = _hostile_elements(page)
            if bad:
                hostile[f"{name}?{query}"] = bad
    context.close()
    assert visited == len(PAGES) * len(_queries())
    assert outside == []
    assert alerts == []
    assert hostile == {}


def test_journey_graph_logs_no_unknown_vis_option(
    browser,  # type: ignore[no-untyped-def]
    payload_server: StreamlitServer,
) -> None:
    """The journey-analytics graph renders without vis-network's 'Unknown option' warning."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text))
    page.goto(f"{payload_server.url}/journey-analytics?workspace=demo", timeout=TIMEOUT)
    wait_for_streamlit(page, TIMEOUT)
    graph = page.frame_locator('iframe[title*="agraph"]').locator("canvas").first
    graph.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    shots = PROJECT_ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "journey_analytics_graph.png"))
    context.close()
    assert [m for m in messages if "Unknown option" in m] == []
