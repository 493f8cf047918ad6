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


def _survey_csv(path: Path, rows: int) -> Path:
    """A survey export: date, NPS (every 11th answer out of range), comment."""
    with path.open("w") as fh:
        fh.write("Date,How likely are you to recommend us?,Comment\n")
        for i in range(rows):
            fh.write(f"2024-03-{i % 28 + 1:02d},{i % 12},comment number {i}\n")
    return path


def test_cli_import_caps_memory_and_loads_the_same_rows(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``python -m cem import`` loads under DuckDB's memory cap; a cap too small for the
    file is retried without it: the same rows load, and the limit is put back."""
    from cem.access.principal import LOCAL_ADMIN
    from cem.ingest import load

    csv = _survey_csv(tmp_path / "survey.csv", 24_000)
    monkeypatch.setenv("TOUCHPOINT_IMPORT_MEMORY", "300MB")
    argv = ["import", str(csv), "--workspace", "w", "--kind", "responses"]
    assert main([*argv, "--db", str(tmp_path / "cli.duckdb")]) == 0
    db = Database(tmp_path / "cli.duckdb")
    loaded = db.execute("SELECT count(*), sum(nps) FROM responses").fetchone()
    db.close()
    valid = [i % 12 for i in range(24_000) if i % 12 <= 10]  # 11 is not an NPS
    assert loaded == (len(valid), sum(valid))

    db = Database(tmp_path / "tiny.duckdb")
    before = db.memory_limit()
    limits: list[str] = []
    real_load = load._load

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        limits.append(db.memory_limit())
        return real_load(*args, **kwargs)

    monkeypatch.setattr(load, "_load", spy)
    result = load.import_file(db, "w", str(csv), "responses", actor=LOCAL_ADMIN, memory_limit="1MB")
    assert result.rows_loaded == len(valid)
    assert limits == ["976.5 KiB", before]  # ran out of memory under 1 MB, then loaded
    assert db.memory_limit() == before
    db.close()
