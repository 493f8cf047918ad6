"""Shared fixtures: temporary databases, the demo database, the real datasets, and a
Streamlit server + Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cem.access.principal import CLI_ADMIN
from cem.store.db import Database

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def shared_dataset(relative: str) -> Path:
    """A file of ../shared/datasets, or skip the test when that folder is absent."""
    path = SHARED_DATASETS / relative
    if not path.exists():
        pytest.skip(
            f"{path} is absent: the real datasets live in ../shared/datasets beside "
            "the project (a user's clone has none)"
        )
    return path


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty database in a temporary file."""
    database = Database(tmp_path / "test.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the demo workspace, built once per test session (read it,
    don't write it: use ``demo_db_copy`` for tests that change data)."""
    from cem.demo.workspace import build_demo_workspace

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = Database(path)
    build_demo_workspace(database, actor=CLI_ADMIN)
    database.close()
    return path


@pytest.fixture
def demo_db_copy(demo_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database file that a test may change."""
    target = tmp_path / "demo-copy.duckdb"
    shutil.copyfile(demo_db_file, target)
    return target


@pytest.fixture
def demo_db(demo_db_copy: Path) -> Iterator[Database]:
    """An open private copy of the demo database."""
    database = Database(demo_db_copy)
    yield database
    database.close()


@pytest.fixture
def app_env(demo_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app (AppTest runs in this process) at a private demo database copy."""
    monkeypatch.setenv("TOUCHPOINT_DB", str(demo_db_copy))
    monkeypatch.chdir(PROJECT_ROOT)
    return demo_db_copy


# -- browser tests ------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitServer:
    """A ``streamlit run app.py`` process on a free loopback port."""

    def __init__(self, db_path: Path, log_path: Path, base_url_path: str = "") -> None:
        """``base_url_path``: serve the app under that path (``--server.baseUrlPath``)."""
        self.db_path = db_path
        self.port = _free_port()
        base = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
        self.url = f"http://127.0.0.1:{self.port}{base}"
        env = os.environ | {"TOUCHPOINT_DB": str(db_path)}
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cem",
                "serve",
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *(["--server.baseUrlPath", base_url_path] if base else []),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.log_path = log_path
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Streamlit did not start; see {log_path}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="module")
def streamlit_server(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    """The app served on loopback over a private copy of the demo database."""
    folder = tmp_path_factory.mktemp("server")
    db_path = folder / "server.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    server = StreamlitServer(db_path, folder / "streamlit.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (skips when Chromium is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


def wait_for_streamlit(page, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the Streamlit app has rendered and finished its current run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset?.teststate"
        " !== 'running' && !document.querySelector('[data-testid=\"stStatusWidget\"] "
        '[data-testid="stStatusWidgetRunningIcon"]\')',
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


# -- page tests ---------------------------------------------------------------------------
APP_FILE = str(PROJECT_ROOT / "app.py")


OpenPage = Callable[..., "AppTest"]  # the type of the ``open_page`` fixture


@pytest.fixture
def add_workspace(app_env: Path) -> Callable[[str], None]:
    """Create an empty workspace in the app's database: ``add_workspace("Beta")``."""
    from cem.store.workspaces import create_workspace

    def _add(name: str) -> None:
        database = Database(app_env)
        try:
            create_workspace(database, name, actor=CLI_ADMIN)
        finally:
            database.close()

    return _add


@pytest.fixture
def open_page(app_env: Path) -> OpenPage:
    """Open a page of the app through its router, like a browser would:
    ``at = open_page("pages/overview.py", workspace="demo", segment="SMB")`` runs the app with
    those query parameters (a list for a repeated one), switches to the page and returns the
    AppTest after the run; without a page it stays on the app's first page."""
    from streamlit.testing.v1 import AppTest

    def _open(page: str | None = None, **query: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP_FILE, default_timeout=120)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page)
            at.run()
        return at

    return _open


@pytest.fixture(autouse=True)
def _no_leftover_import_hooks() -> Iterator[None]:
    """Hooks that a page run or a CLI call installs after imports (comment analysis) stay
    within the test that installed them."""
    from cem.ingest import load

    saved = list(load.AFTER_IMPORT)
    yield
    load.AFTER_IMPORT[:] = saved
