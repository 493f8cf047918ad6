"""Benchmark: how long each page takes to show its main content in a real browser.

Builds the demo workspace into a temporary database, adds ``--events`` synthetic events
to it (the demo's stages and touchpoints, so its journey map matches them), then for
each page starts a fresh ``python -m cem serve`` (empty caches), opens the page in
Debian's Chromium through Playwright and measures

* **cold**: the first visit after the server started (every query runs), from a new
  browser (it downloads the front end's code),
* **warm**: the median of ``--repeat`` more visits from a new browser each (cached
  results on the server; the front end's code downloaded again, which a bare page
  already needs ~1–1.5 s for here),
* **new tab**: the median of ``--repeat`` visits, each in a new tab of a browser that has
  shown the page once (cached results; the browser's cache has the code, a new tab has
  to start it: a returning visitor opening a shared link),
* **reload**: the median of ``--repeat`` reloads in a tab that has shown the page once
  (cached results, the browser has the code: what a user who comes back sees),
* **nav**: the median of ``--repeat`` in-app navigations to the page in one open session:
  from the Import data page (light; none of the pages' main content on it) a click on
  the page's sidebar link (no new session, no front end to load),

until the page's run is over and its main content is visible. The floor is a bare
one-line Streamlit page (``st.write``) on the same machine, measured the same way (its
nav: a click between two bare pages of one ``st.navigation``); each page's ratio to it
is printed. The server's peak resident memory (``VmHWM`` of the
server process) is reported per page.

    .venv/bin/python bench/browser_bench.py --events 1000000
    .venv/bin/python bench/browser_bench.py --events 10000000 --pages journey-analytics
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FLOOR_APP = 'import streamlit as st\n\nst.write("Hello")\n'
# Two bare pages in one st.navigation: the floor of a click on a sidebar link.
FLOOR_NAV_APP = """import streamlit as st


def hello():
    st.write("Hello")


def other():
    st.text("Other page")


st.navigation(
    [st.Page(hello, title="Hello", default=True), st.Page(other, title="Other", url_path="other")]
).run()
"""
MAIN = '[data-testid="stMain"] '
CHART = MAIN + '[data-testid="stVegaLiteChart"]'
TAB_CHART = '[role="tabpanel"]:not([hidden]) [data-testid="stVegaLiteChart"]'
# name -> (url path, tab to open after load or None, what must be visible: the page's
# main content, e.g. its KPI tiles and first chart). The tab runs on click (lazy).
PAGES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "overview": ("home", None, (MAIN + '[data-testid="stMetric"]', CHART)),
    "kpi-explorer": ("kpi-explorer", None, (CHART,)),
    "key-drivers": ("key-drivers", None, (CHART,)),
    "journey-analytics": (
        "journey-analytics",
        None,
        (MAIN + '[data-testid="stMetric"]', MAIN + "iframe"),
    ),
    "journey-map": ("journey-map", None, (MAIN + ".st-key-curve svg",)),  # the emotion curve
    "planned-vs-actual": ("journey-map", "Planned vs actual", (TAB_CHART,)),
}
VIEWPORT = {"width": 1440, "height": 900}
FLOOR_CONTENT = (MAIN + '[data-testid="stMarkdown"]',)
# name -> the title of its sidebar link (in-app navigation); the floor's two pages below.
LINKS = {
    "overview": "Overview",
    "kpi-explorer": "KPI explorer",
    "key-drivers": "Key drivers",
    "journey-analytics": "Journey analytics",
    "journey-map": "Journey map",
    "planned-vs-actual": "Journey map",
}
# Where each navigation starts: a light page without any page's main content on it.
START = ("import", "Import data", (MAIN + '[data-testid="stFileUploader"]',))
FLOOR_START = ("other", "Other", (MAIN + '[data-testid="stText"]',))
FLOOR_LINK = "Hello"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A Streamlit server process on a free loopback port."""

    process: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, command: list[str], env: dict[str, str], log: Path) -> Server:
        port = _free_port()
        args = [
            *command,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        with open(log, "w") as out:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out)
        server = cls(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                    return server
            except OSError:
                time.sleep(0.3)
        server.stop()
        raise RuntimeError(f"the server did not start; see {log}")

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the server process (``VmHWM``), in MB."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return float("nan")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far, in seconds."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


VISIBLE_JS = """([selector, text]) => {
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden"
        && (!text || el.innerText.includes(text))) { return true; }
  }
  return false;
}"""


def wait_visible(page: Any, selector: str, timeout_ms: int, text: str = "") -> None:
    """Until an element matching the CSS ``selector`` (holding ``text``, if given) is on
    screen, checked at every frame. Playwright's own waits (``locator.wait_for``,
    ``wait_for_selector``) check again after 0, 20, 50, 100 and 100 ms and then only every
    500 ms: a page that shows at 0.8 s was timed at ~1.1 s, a save shown at 0.19 s at ~0.3 s."""
    page.wait_for_function(VISIBLE_JS, arg=[selector, text], polling="raf", timeout=timeout_ms)


def _wait_done(page: Any, timeout_ms: int) -> None:
    """Until the app's run is over and the main area shows content."""
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " const main = document.querySelector('[data-testid=\"stMain\"]');"
        " return app && app.dataset.teststate !== 'running'"
        " && !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')"
        " && main && main.querySelectorAll('[data-testid=\"stElementContainer\"]').length > 0; }",
        timeout=timeout_ms,
        polling="raf",
    )


def _show(page: Any, url: str, tab: str | None, content: tuple[str, ...], timeout_ms: int) -> float:
    """Open ``url`` in ``page``: seconds from navigation to the page's main content (after
    opening ``tab``, timed from its click: a tab runs when clicked) and the run's end."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    wait_visible(page, '[data-testid="stApp"]', timeout_ms)
    if tab:
        _wait_done(page, timeout_ms)
        t0 = time.perf_counter()
        page.get_by_role("tab", name=tab).first.click(timeout=timeout_ms)
    for selector in content:  # the main content is on screen …
        wait_visible(page, selector, timeout_ms)
    _wait_done(page, timeout_ms)  # … and the run is over
    return time.perf_counter() - t0


def _visit(
    browser: Any,
    url: str,
    tab: str | None,
    content: tuple[str, ...],
    timeout_ms: int,
    shot: Path | None = None,
) -> float:
    """Seconds of one visit from a new browser (nothing cached); with ``shot``, a
    screenshot of what was visible then is saved there (to check the content)."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        seconds = _show(page, url, tab, content, timeout_ms)
        if shot is not None:
            page.screenshot(path=str(shot), full_page=True)
        return seconds
    finally:
        page.close()


def _reloads(
    browser: Any, url: str, tab: str | None, content: tuple[str, ...], repeat: int, timeout_ms: int
) -> float:
    """Median seconds of ``repeat`` reloads of the page in one tab that has shown it once
    (the browser has the front end's code; a new session on the server each time)."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        _show(page, url, tab, content, timeout_ms)  # the first visit only fills the cache
        return statistics.median(_show(page, url, tab, content, timeout_ms) for _ in range(repeat))
    finally:
        page.close()


def _new_tabs(
    browser: Any, url: str, tab: str | None, content: tuple[str, ...], repeat: int, timeout_ms: int
) -> float:
    """Median seconds of ``repeat`` visits, each in a new tab of a browser that has shown
    the page once (its HTTP cache holds the front end's code): a returning visitor
    opening a shared link."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        first = context.new_page()
        _show(first, url, tab, content, timeout_ms)  # fills the browser's cache
        first.close()
        seconds = []
        for _ in range(repeat):
            page = context.new_page()
            seconds.append(_show(page, url, tab, content, timeout_ms))
            page.close()
        return statistics.median(seconds)
    finally:
        context.close()


def _click_link(page: Any, title: str, timeout_ms: int) -> None:
    """Click the sidebar link titled ``title`` (opening "View more" when it is folded)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    link = nav.locator('[data-testid="stSidebarNavLink"]', has_text=title).first
    if not link.is_visible():
        more = nav.get_by_role("button", name="View")
        if more.count():
            more.first.click(timeout=timeout_ms)
    link.click(timeout=timeout_ms)


def _navigations(
    server: Server,
    browser: Any,
    start: tuple[str, str, tuple[str, ...]],
    title: str,
    tab: str | None,
    content: tuple[str, ...],
    repeat: int,
    timeout_ms: int,
) -> tuple[float, float]:
    """In one open session: from the ``start`` page, ``repeat`` clicks on the sidebar link
    ``title`` (and on ``tab``), each until the main content is visible and the run is over,
    then back to the start page. Returns (median seconds, mean server CPU seconds) of the
    clicks to the page (the way back is not counted)."""
    start_path, start_title, start_content = start
    page = browser.new_page(viewport=VIEWPORT)
    seconds: list[float] = []
    cpu = 0.0
    try:
        page.goto(f"{server.url}/{start_path}", wait_until="domcontentloaded")
        for selector in start_content:
            wait_visible(page, selector, timeout_ms)
        _wait_done(page, timeout_ms)
        for _ in range(repeat):
            cpu0 = server.cpu_seconds()
            t0 = time.perf_counter()
            _click_link(page, title, timeout_ms)
            if tab:
                _wait_done(page, timeout_ms)
                page.get_by_role("tab", name=tab).first.click(timeout=timeout_ms)
            for selector in content:
                wait_visible(page, selector, timeout_ms)
            _wait_done(page, timeout_ms)
            seconds.append(time.perf_counter() - t0)
            cpu += server.cpu_seconds() - cpu0
            _click_link(page, start_title, timeout_ms)
            for selector in start_content:
                wait_visible(page, selector, timeout_ms)
            _wait_done(page, timeout_ms)
        return statistics.median(seconds), cpu / repeat
    finally:
        page.close()


@dataclass(frozen=True)
class Measured:
    """One page's figures: wall seconds (cold, warm median of visits from a new browser,
    reload median of reloads in a tab that has shown the page, new tab median of visits in
    new tabs of a browser that has shown it, nav median of in-app
    navigations) and the server's CPU seconds (cold visit, mean warm visit, mean
    navigation; whatever the server did meanwhile, e.g. background work, counts too) and
    peak RSS in MB."""

    cold: float
    warm: float
    cold_cpu: float
    warm_cpu: float
    rss_mb: float
    nav: float = float("nan")
    nav_cpu: float = float("nan")
    reload: float = float("nan")
    new_tab: float = float("nan")


def measure(
    start: Callable[[], Server],
    browser: Any,
    path: str,
    tab: str | None,
    content: tuple[str, ...],
    repeat: int,
    shot: Path | None = None,
    navigation: tuple[tuple[str, str, tuple[str, ...]], str] | None = None,
) -> Measured:
    """Cold and warm seconds, server CPU seconds and peak server RSS of one page; with
    ``navigation`` (start page, link title), also its in-app navigation figures."""
    server = start()
    try:
        url = f"{server.url}/{path}"
        cpu0 = server.cpu_seconds()  # what starting the server cost is not the page's
        cold = _visit(browser, url, tab, content, 600_000, shot)
        cpu1 = server.cpu_seconds()
        warm = statistics.median(_visit(browser, url, tab, content, 600_000) for _ in range(repeat))
        cpu2 = server.cpu_seconds()
        reload = _reloads(browser, url, tab, content, repeat, 600_000)
        new_tab = _new_tabs(browser, url, tab, content, repeat, 600_000)
        nav = nav_cpu = float("nan")
        if navigation is not None:
            start_page, title = navigation
            nav, nav_cpu = _navigations(
                server, browser, start_page, title, tab, content, repeat, 600_000
            )
        return Measured(
            cold,
            warm,
            cpu1 - cpu0,
            (cpu2 - cpu1) / repeat,
            server.peak_rss_mb(),
            nav,
            nav_cpu,
            reload,
            new_tab,
        )
    finally:
        server.stop()


RESPONSES_CSV = """
COPY (
    SELECT 'C' || lpad(CAST(i % ? AS VARCHAR), 8, '0') AS "Customer ID",
           TIMESTAMP '2024-01-01' + to_seconds(CAST(hash(i) % 63072000 AS BIGINT))
               AS "Submitted at",
           CAST(least(10, greatest(0, round(2 * s + 3 + (hash(i + 1) % 5) - 2))) AS INT)
               AS "How likely are you to recommend us?",
           CAST(1 + hash(i + 2) % 5 AS INT) AS "CSAT",
           CASE WHEN i % 200 = 0 THEN ['Delivery was late', 'Great staff, quick answer',
               'The app keeps crashing', 'Too expensive for what it is'][1 + i % 4] END
               AS "Comment",
           ['web', 'phone', 'app', 'store'][1 + CAST(hash(i + 3) % 4 AS INT)] AS "Channel",
           ['Consumer', 'Family', 'Small Business', 'Enterprise']
               [1 + CAST(hash(i + 4) % 4 AS INT)] AS "Segment",
           CAST(least(5, greatest(1, round(s))) AS INT) AS "Speed rating",
           CAST(1 + hash(i + 5) % 5 AS INT) AS "Value for money",
           CAST(least(5, greatest(1, round((s + 1 + hash(i + 6) % 5) / 2))) AS INT)
               AS "Staff helpfulness"
    FROM (SELECT i, 1 + (hash(i + 7) % 5) AS s FROM range(?) t(i))
) TO '{path}' (HEADER)
"""


def build_database(path: Path, events: int, responses: int = 0) -> Path:
    """The demo workspace plus ``events`` synthetic events and ``responses`` synthetic
    survey responses (written as a CSV and imported like a user's file; customers match
    the events'), in the database file ``path``."""
    import events_bench

    from cem.access.principal import CLI_ADMIN
    from cem.demo.workspace import build_demo_workspace
    from cem.ingest.load import import_file
    from cem.store.db import Database, bump_revision
    from cem.voc.jobs import analyse_workspace

    db = Database(path)
    build_demo_workspace(db, progress=lambda _msg: None, actor=CLI_ADMIN)
    customers = max(1, events // 12)
    if events:
        first = int(db.execute("SELECT coalesce(max(event_id), 0) + 1 FROM events").fetchone()[0])  # type: ignore[index]
        events_bench.generate(db, events, customers, "demo", first)
        with db.transaction() as cur:
            bump_revision(cur, "demo")
    if responses:
        csv = path.with_suffix(".responses.csv")
        db.execute(RESPONSES_CSV.format(path=str(csv).replace("'", "''")), [customers, responses])
        import_file(db, "demo", str(csv), "responses", actor=CLI_ADMIN, file_name=csv.name)
        csv.unlink()
        analyse_workspace(db, "demo")  # comments analysed before the servers start
    db.close()
    return path


def count_kept(path: Path) -> int:
    """How many analytics results the database keeps (cem.analytics.result_store)."""
    from cem.store.db import Database

    db = Database(path)
    try:
        return int(db.execute("SELECT count(*) FROM analytics_results").fetchone()[0])  # type: ignore[index]
    finally:
        db.close()


def warm_after_import(path: Path) -> float:
    """Run the app's after-import warmer (cem.ui.warm) on the workspace, which keeps its
    heavy results in the database; returns seconds taken."""
    from cem.analytics.result_cache import RESULTS
    from cem.store.db import Database
    from cem.ui.warm import warm_workspace

    RESULTS.keep_in_background = False  # kept before the database is closed
    t0 = time.perf_counter()
    db = Database(path)
    try:
        warm_workspace(db, "demo")
    finally:
        db.close()
    return time.perf_counter() - t0


def forget_kept(path: Path) -> int:
    """Delete the kept analytics results (so every page computes from the events);
    returns how many there were."""
    from cem.store.db import Database

    db = Database(path)
    try:
        n = int(db.execute("SELECT count(*) FROM analytics_results").fetchone()[0])  # type: ignore[index]
        db.execute("DELETE FROM analytics_results")
        db.execute("CHECKPOINT")
        return n
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="extra events (0 = demo)")
    parser.add_argument("--responses", type=int, default=0, help="extra survey responses")
    parser.add_argument("--db", default=None, help="use this database file (built if missing)")
    parser.add_argument("--build-only", action="store_true", help="build --db, run nothing")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--screenshots", default=None, help="folder for cold-view screenshots")
    parser.add_argument(
        "--repeat", type=int, default=3, help="warm reloads (and navigations) per page"
    )
    parser.add_argument(
        "--no-nav",
        dest="nav",
        action="store_false",
        help="skip the in-app navigation figures (clicks on the sidebar links)",
    )
    parser.add_argument(
        "--forget-kept",
        action="store_true",
        help="delete the results kept in the database first (a first-ever view; without it a "
        "'cold' server reads what an earlier server or the after-import warmer kept)",
    )
    parser.add_argument(
        "--warm", action="store_true", help="run the after-import warmer first (cem.ui.warm)"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        if args.db and Path(args.db).exists():
            db_path = Path(args.db)
        else:
            target = Path(args.db) if args.db else folder / "bench.duckdb"
            db_path = build_database(target, args.events, args.responses)
        if args.build_only:
            print(f"Built {db_path}")
            return 0
        print(f"Database ready in {time.perf_counter() - t0:.0f} s: {db_path}")
        kept = forget_kept(db_path) if args.forget_kept else count_kept(db_path)
        if args.warm:
            seconds = warm_after_import(db_path)
            print(f"Warmed as after an import in {seconds:.0f} s")
            kept = count_kept(db_path)
        print(f"Results kept in the database: {kept} ({'deleted' if args.forget_kept else 'used'})")
        (folder / "floor.py").write_text(FLOOR_APP)
        (folder / "floor_nav.py").write_text(FLOOR_NAV_APP)
        env = os.environ | {"TOUCHPOINT_DB": str(db_path)}
        python = sys.executable
        streamlit = str(Path(python).with_name("streamlit"))
        if not Path(streamlit).exists():
            streamlit = shutil.which("streamlit") or "streamlit"

        def app() -> Server:
            return Server.start([python, "-m", "cem", "serve"], env, folder / "app.log")

        def floor() -> Server:
            return Server.start([streamlit, "run", str(folder / "floor.py")], env, folder / "f.log")

        def floor_nav() -> Server:
            script = str(folder / "floor_nav.py")
            return Server.start([streamlit, "run", script], env, folder / "fn.log")

        rows: list[tuple[str, Measured]] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                base = measure(floor, browser, "", None, FLOOR_CONTENT, args.repeat)
                pair = measure(
                    floor_nav,
                    browser,
                    "",
                    None,
                    FLOOR_CONTENT,
                    args.repeat,
                    navigation=(FLOOR_START, FLOOR_LINK),
                )
                base = Measured(
                    base.cold,
                    base.warm,
                    base.cold_cpu,
                    base.warm_cpu,
                    base.rss_mb,
                    pair.nav,
                    pair.nav_cpu,
                    base.reload,
                    base.new_tab,
                )
                rows.append(("bare one-line page (floor)", base))
                # Every page but the Overview has its own path: the front end first probes
                # the server under that path, then under "/" (Streamlit's own start-up).
                sub = measure(floor_nav, browser, "other", None, FLOOR_START[2], args.repeat)
                rows.append(("bare page at /other (info)", sub))
                for name in [p.strip() for p in args.pages.split(",") if p.strip()]:
                    path, tab, content = PAGES[name]
                    shot = Path(args.screenshots) / f"{name}-cold.png" if args.screenshots else None
                    nav = (START, LINKS[name]) if args.nav else None
                    m = measure(app, browser, path, tab, content, args.repeat, shot, nav)
                    rows.append((name, m))
                    print(
                        f"  {name}: cold {m.cold:.2f} s (CPU {m.cold_cpu:.2f} s), warm "
                        f"{m.warm:.2f} s (CPU {m.warm_cpu:.2f} s), new tab {m.new_tab:.2f} s, "
                        f"reload {m.reload:.2f} s, "
                        f"nav {m.nav:.2f} s "
                        f"(CPU {m.nav_cpu:.2f} s), {m.rss_mb:.0f} MB",
                        flush=True,
                    )
            finally:
                browser.close()

    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"Load average {load} on {os.cpu_count()} CPUs (shared machine: figures are noisy)")
    print(
        "Main content visible, seconds. cold = first visit after the server started, from a "
        f"new browser; warm = median of {args.repeat} more visits from a new browser (it "
        "downloads the front end's code again); new tab = median of "
        f"{args.repeat} visits in a new tab of a browser that has shown the page (its cache "
        "holds the front end's code: a returning visitor opening a link); reload = median of "
        f"{args.repeat} reloads in a tab that has shown the page; nav = median of "
        f"{args.repeat} clicks on the page's sidebar link in an open session"
    )
    print("CPU = the server process's user + system seconds during the visit(s)")
    print(
        f"{'page':30} {'cold':>7} {'×floor':>7} {'CPU':>6} {'warm':>7} {'×floor':>7} "
        f"{'CPU':>6} {'new tab':>7} {'×floor':>7} {'reload':>7} {'×floor':>7} {'nav':>7} {'×floor':>7} {'CPU':>6} "
        f"{'peak RSS':>9}"
    )
    print("-" * 142)
    for name, m in rows:
        print(
            f"{name:30} {m.cold:>7.2f} {m.cold / base.cold:>7.1f} {m.cold_cpu:>6.2f} "
            f"{m.warm:>7.2f} {m.warm / base.warm:>7.1f} {m.warm_cpu:>6.2f} "
            f"{m.new_tab:>7.2f} {m.new_tab / base.new_tab:>7.1f} "
            f"{m.reload:>7.2f} {m.reload / base.reload:>7.1f} "
            f"{m.nav:>7.2f} {m.nav / base.nav:>7.1f} {m.nav_cpu:>6.2f} {m.rss_mb:>7.0f}MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
