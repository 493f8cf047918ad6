"""``python -m cem`` and the app on one database, in both orders, with real processes.

App first: a ``python -m cem serve`` process on a loopback port holds the database; CLI
reads go through its snapshot, ``python -m cem import`` through its inbox (the app imports
and reports back; other changes: tests/test_cli_relay.py), a file that another tool drops
into ``inbox/<workspace>/`` is imported too. CLI first: while a process holds the database
the page says so in one sentence and shows the data by itself once the holder ends.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cem.store.db import Database
from cem.store.host import marker_path
from cem.store.inbox import inbox_path
from tests.conftest import PROJECT_ROOT, StreamlitServer, wait_for_streamlit

HOLD = (
    "import sys\nfrom cem.store.db import Database\ndb = Database(sys.argv[1])\n"
    "print('held', flush=True)\nsys.stdin.read()\n"
)


def cem(*args: str, db: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``python -m cem ARGS --db DB`` as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "cem", *args, "--db", str(db)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def nps_of(db_file: Path, workspace: str) -> tuple[float, int]:
    """NPS and n computed with pandas from the responses table."""
    database = Database(db_file, read_only=True)
    try:
        scores = database.execute(
            "SELECT nps FROM responses WHERE workspace = ? AND nps IS NOT NULL", [workspace]
        ).df()["nps"]
    finally:
        database.close()
    n = len(scores)
    return 100 * ((scores >= 9).sum() - (scores <= 6).sum()) / n, n


def kpi_json(db: Path, workspace: str) -> tuple[dict[str, float], str]:
    """``python -m cem kpi --metric nps --format json``: its one row and its stderr."""
    result = cem("kpi", "--workspace", workspace, "--metric", "nps", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0], result.stderr


def wait_for(condition, seconds: float = 90) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def alive(server: StreamlitServer) -> bool:
    with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as resp:
        return resp.status == 200 and server.process.poll() is None


def hosting_app(demo_db_file: Path, folder: Path) -> StreamlitServer:
    """An app serving a copy of the demo database in ``folder``, once it hosts it."""
    db_path = folder / "beside.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    server = StreamlitServer(db_path, folder / "streamlit.log")
    assert wait_for(marker_path(str(db_path)).exists), "the app did not host its database"
    return server


@pytest.fixture(scope="module")
def app_first(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    server = hosting_app(demo_db_file, tmp_path_factory.mktemp("beside"))
    yield server
    server.stop()


def test_cli_reads_the_apps_snapshot_while_the_app_runs(
    app_first: StreamlitServer, demo_db_file: Path
) -> None:
    expected, n = nps_of(demo_db_file, "demo")
    result = cem("kpi", "--workspace", "demo", "--metric", "nps", db=app_first.db_path)
    assert result.returncode == 0, result.stderr
    row = pd.read_csv(io.StringIO(result.stdout)).iloc[0]
    assert row["n"] == n and row["value"] == pytest.approx(expected)
    notes = [line for line in result.stderr.splitlines() if "snapshot" in line]
    assert len(notes) == 1 and f"process {app_first.process.pid}" in notes[0]
    assert alive(app_first)


def test_cli_import_is_done_by_the_app_with_row_numbered_rejects(
    app_first: StreamlitServer, tmp_path: Path
) -> None:
    survey = tmp_path / "inbox-survey.csv"
    survey.write_text("customer_id,nps,comment\nc1,9,great\nc2,11,odd\nc3,3,slow\nc4,10,ok\n")
    result = cem("import", str(survey), "--workspace", "viacli", db=app_first.db_path)
    assert result.returncode == 0, result.stderr
    assert "3 rows loaded, 1 rejected" in result.stdout
    assert "row 3, column “nps”" in result.stdout
    assert "handed inbox-survey.csv to its inbox" in result.stderr
    # The app has imported it: the next read (through the refreshed snapshot) sees it.
    record, _ = kpi_json(app_first.db_path, "viacli")
    assert record["n"] == 3 and record["value"] == pytest.approx(100 * (2 - 1) / 3)
    audit = cem("audit", "--format", "csv", "--workspace", "viacli", db=app_first.db_path)
    assert "inbox-survey.csv" in audit.stdout and ",cli," in audit.stdout
    # Importing the same file again is refused the way a direct import would be.
    again = cem("import", str(survey), "--workspace", "viacli", db=app_first.db_path)
    assert again.returncode == 2 and "already" in again.stderr.lower()
    assert alive(app_first)


def test_failed_inbox_import_creates_no_workspace(
    app_first: StreamlitServer, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = cem("import", str(empty), "--workspace", "never", db=app_first.db_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "empty" in errors[0]
    kpi = cem("kpi", "--workspace", "never", "--metric", "nps", db=app_first.db_path)
    assert kpi.returncode == 2 and "There is no workspace 'never'" in kpi.stderr
    assert "Traceback" not in result.stderr + kpi.stderr


def test_a_file_dropped_by_another_tool_is_imported(app_first: StreamlitServer) -> None:
    folder = inbox_path(app_first.db_path) / "scheduled"
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / ".export.csv.part"
    staged.write_text("customer_id,nps\nx1,10\nx2,0\n")
    os.replace(staged, folder / "export.csv")  # written under a hidden name, then renamed
    results = inbox_path(app_first.db_path) / "results"

    def reported() -> list[dict[str, object]]:
        found = (
            [json.loads(p.read_text()) for p in results.glob("*.json")] if results.exists() else []
        )
        return [r for r in found if r["file"] == "export.csv"]

    assert wait_for(lambda: bool(reported()), 60)
    report = reported()[0]
    assert report["exit_code"] == 0 and report["workspace"] == "scheduled"
    assert "2 rows loaded" in report["lines"][0]
    assert not (folder / "export.csv").exists()
    assert kpi_json(app_first.db_path, "scheduled")[0]["n"] == 2


@pytest.mark.browser
def test_app_started_while_a_cli_process_holds_the_database_recovers_by_itself(
    demo_db_file: Path, tmp_path: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    db_path = tmp_path / "held.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db_path)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    server = StreamlitServer(db_path, tmp_path / "streamlit.log")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(server.url, timeout=90_000)
        page.get_by_text("is using the database right now").wait_for(timeout=90_000)
        body = page.inner_text("body")
        assert body.count("is using the database right now") == 1
        assert f"process {holder.pid}" in body and "Traceback" not in body
        assert not marker_path(str(db_path)).exists()
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=30)
        # No reload: the page finds the database free and shows the demo's headline tiles.
        page.get_by_text("Open detractors").wait_for(timeout=90_000)
        wait_for_streamlit(page, 90_000)
        assert "is using the database right now" not in page.inner_text("body")
        assert wait_for(marker_path(str(db_path)).exists)
        assert alive(server)
    finally:
        page.close()
        if holder.poll() is None:
            holder.kill()
        server.stop()


def test_cli_command_running_when_the_app_starts_finishes_and_the_app_takes_over(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "race.duckdb"
    demo = subprocess.Popen(
        [sys.executable, "-m", "cem", "demo", "--db", str(db_path)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(db_path.exists, 60)
    server = StreamlitServer(db_path, tmp_path / "streamlit.log")
    try:
        out, err = demo.communicate(timeout=300)
        assert demo.returncode == 0, err
        assert "Demo workspace 'demo'" in out
        assert wait_for(marker_path(str(db_path)).exists), "the app never opened the database"
        record, note = kpi_json(db_path, "demo")
        assert record["n"] > 0 and "snapshot" in note
        assert alive(server)
    finally:
        server.stop()


def test_hostile_corpus_through_the_apps_inbox_leaves_it_serving(
    app_first: StreamlitServer, tmp_path: Path
) -> None:
    """The hostile files of tests/hostile.py, imported by the running app itself: the same
    outcome as a direct CLI import, and the server still answers afterwards."""
    from tests.test_hostile_files import CASES

    for name, (make, extra, (outcome, expected)) in CASES.items():
        folder = tmp_path / name.replace(" ", "_").replace(",", "")
        folder.mkdir()
        path = make(folder)
        result = cem(
            "import", str(path), "--workspace", "hostile", "--kind", "responses", *extra,
            db=app_first.db_path,
        )  # fmt: skip
        assert "Traceback" not in result.stdout + result.stderr
        if outcome == "loaded":
            assert result.returncode == 0 and f": {expected} rows loaded" in result.stdout, name
        else:
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert result.returncode == 2 and len(errors) == 1, (name, result.stderr)
            assert str(expected) in errors[0], (name, errors)
        assert alive(app_first), name
