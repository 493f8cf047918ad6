"""No traceback reaches a user: a database locked by another process, a read-only
database file, a full disk during an import, a corrupted database file and an exception
injected into each page each end in one clear line (page and CLI), with the traceback of
unexpected errors in the log file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from test_pages_all import NAVIGATION_PAGES

from cem.access.principal import CLI_ADMIN, LOCAL_ADMIN
from cem.cli.main import main
from cem.ingest.load import import_file
from cem.store.db import Database
from cem.store.errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    DiskFullError,
    ReadOnlyDatabaseError,
)


@pytest.fixture(autouse=True)
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("TOUCHPOINT_LOG_DIR", str(folder))
    return folder


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def assert_one_line(err: str) -> None:
    """No traceback, and one ``error:`` line (progress lines may come before it)."""
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        err.strip().splitlines()[-1]
    ], err


@pytest.fixture
def locked_db(tmp_path: Path) -> Iterator[Path]:
    """A database file held open by another process."""
    path = tmp_path / "locked.duckdb"
    Database(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(path)!r})
                print("holding", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    yield path
    holder.kill()
    holder.wait()


def test_locked_database_says_which_file_and_what_to_do(
    locked_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DatabaseLockedError) as caught:
        Database(locked_db)
    message = str(caught.value)
    assert str(locked_db) in message and "another Touchpoint process" in message
    assert "TOUCHPOINT_DB" in message and "Stop that process" in message
    status, _, err = cli(
        capsys, "kpi", "--workspace", "demo", "--metric", "nps", "--db", str(locked_db)
    )
    assert status == 2
    assert_one_line(err)
    assert "another Touchpoint process" in err


def test_locked_database_on_every_page(
    locked_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_page,  # type: ignore[no-untyped-def]
) -> None:
    from cem import ui

    monkeypatch.setenv("TOUCHPOINT_DB", str(locked_db))
    ui._database.clear()
    for page in NAVIGATION_PAGES:
        at = open_page(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        # One sentence, once (not in the sidebar too); the page reopens by itself later.
        said = [str(e.value) for e in [*at.info, *at.error, *at.warning]]
        assert said == [said[0]] and "is using the database right now" in said[0], (page, said)
        assert "opens it by itself" in said[0] and "Traceback" not in said[0]


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A database file this user cannot write (immutable for root, mode 0444 otherwise)."""
    path = tmp_path / "readonly.duckdb"
    Database(path).close()
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
            pytest.skip(
                "running as root on a file system without chattr +i: cannot make a read-only file"
            )
        yield path
        subprocess.run(["chattr", "-i", str(path)], check=False)
    else:
        path.chmod(0o444)
        yield path
        path.chmod(0o644)


def test_read_only_database(read_only_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ReadOnlyDatabaseError) as caught:
        Database(read_only_db)
    assert str(read_only_db) in str(caught.value) and "writable" in str(caught.value)
    status, _, err = cli(
        capsys, "kpi", "--workspace", "w", "--metric", "nps", "--db", str(read_only_db)
    )
    assert status == 2
    assert_one_line(err)
    assert "read-only" in err


def test_corrupted_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"not a database, just bytes " * 400)
    with pytest.raises(CorruptDatabaseError) as caught:
        Database(path)
    assert str(path) in str(caught.value) and "backup" in str(caught.value)
    status, _, err = cli(capsys, "demo", "--db", str(path))
    assert status == 2
    assert_one_line(err)
    assert "damaged" in err


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise duckdb.IOException(
        'IO Error: Could not write file "/data/touchpoint.duckdb.tmp/x.tmp": No space left on device'
    )


def _survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text("date,nps,comment\n2025-01-02,9,good\n2025-01-03,3,bad\n", encoding="utf-8")
    return path


def test_disk_full_during_import_loads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cem.ingest.load as load

    db_path = tmp_path / "full.duckdb"
    db = Database(db_path)
    monkeypatch.setattr(load, "_read_typed", _disk_full)
    with pytest.raises(DiskFullError) as caught:
        import_file(db, "w", _survey(tmp_path), "responses", actor=LOCAL_ADMIN)
    assert str(db_path) in str(caught.value) and "nothing was saved" in str(caught.value)
    for table in ("responses", "imports", "attribute_sources"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    db.close()
    status, _, err = cli(
        capsys,
        "import",
        str(_survey(tmp_path)),
        "--workspace",
        "w",
        "--kind",
        "responses",
        "--db",
        str(db_path),
    )
    assert status == 2
    assert_one_line(err)
    assert "full" in err


def test_unexpected_cli_error_is_one_line_with_the_traceback_in_the_log(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    log_folder: Path,
    tmp_path: Path,
) -> None:
    import cem.cli.kpi as kpi_cli

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("injected CLI failure")

    monkeypatch.setattr(kpi_cli, "cli_frame", boom)
    db = tmp_path / "cli.duckdb"
    from cem.store.workspaces import create_workspace

    database = Database(db)
    create_workspace(database, "w", actor=CLI_ADMIN)
    database.close()
    status, _, err = cli(capsys, "kpi", "--workspace", "w", "--metric", "nps", "--db", str(db))
    assert status == 1
    assert_one_line(err)
    assert "error id" in err and "injected" not in err
    log = (log_folder / "touchpoint.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "injected CLI failure" in log


# Where to inject an exception into each page's own code (its first call).
INJECT_AT = {"pages/journey_map.py": ("cem.ui", "require_workspace")}


@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_exception_in_a_page_shows_one_line_and_logs_the_traceback(  # type: ignore[no-untyped-def]
    page: str,
    open_page,
    monkeypatch: pytest.MonkeyPatch,
    log_folder: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import importlib

    at = open_page()  # the app and its sidebar, before the injection
    module, name = INJECT_AT.get(page, ("streamlit", "title"))

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"injected into {page}")

    monkeypatch.setattr(importlib.import_module(module), name, boom)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [str(e.value) for e in at.error]
    assert len(errors) == 1 and "error id" in errors[0], errors
    assert "injected" not in errors[0] and "Traceback" not in errors[0]
    log = (log_folder / "touchpoint.log").read_text(encoding="utf-8")
    assert f"injected into {page}" in log and "Traceback" in log
    error_id = errors[0].split("error id ")[1][:8]
    assert error_id in log
