"""The command line: exit codes, one-line errors, the demo command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cem.cli.main import main
from cem.store.db import Database

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_unknown_file_is_a_one_line_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    status = main(
        [
            "import",
            str(tmp_path / "missing.csv"),
            "--workspace",
            "w",
            "--kind",
            "responses",
            "--db",
            str(tmp_path / "x.duckdb"),
        ]
    )
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_demo_command_builds_the_demo_workspace(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "cem", "demo", "--db", str(db_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo workspace 'demo'" in result.stdout
    db = Database(db_path)
    customers = db.execute("SELECT count(*) FROM customers WHERE workspace='demo'").fetchone()[0]
    responses = db.execute("SELECT count(*) FROM responses WHERE workspace='demo'").fetchone()[0]
    db.close()
    assert customers == 5000 and responses >= 20000
    again = subprocess.run(
        [sys.executable, "-m", "cem", "demo", "--db", str(db_path), "--if-missing"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0 and "already loaded" in again.stdout


def test_env_variable_chooses_the_database(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TOUCHPOINT_DB", str(tmp_path / "env.duckdb"))
    db = Database()
    assert db.path == str(tmp_path / "env.duckdb")
    db.close()


def test_import_with_comments_finishes_their_analysis_before_exit(tmp_path: Path) -> None:
    """The comment analysis runs in the foreground: it ends before the interpreter does
    (no "can't register atexit after shutdown"), and its themes are stored."""
    source = tmp_path / "survey.csv"
    source.write_text(
        "customer_id,How likely are you to recommend us to a friend?,comment\n"
        "1,9,great service and fast delivery\n"
        "2,3,the delivery was late and support was rude\n"
        "3,10,love the fast delivery\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "cli.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "cem", "import", str(source), "--workspace", "t"]
        + ["--db", str(db_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr
    assert "Analysed 3 comments" in result.stderr
    assert "3 rows loaded" in result.stdout
