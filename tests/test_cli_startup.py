"""``python -m cem --help`` loads no heavy library: the command line imports pandas, Ibis,
DuckDB and Streamlit only inside the command that needs them (a structural test: which
modules the real process imports, read from ``-X importtime``; the time is in bench/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

HEAVY = ("pandas", "ibis", "duckdb", "streamlit", "numpy", "pyarrow", "sqlglot")


def imported_modules(*args: str, dotted: bool = False) -> set[str]:
    """The modules that ``python -X importtime -m cem ARGS`` imports (top-level names, or
    full dotted names with ``dotted``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cem", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name if dotted else name.split(".")[0])
    assert names  # the import log was read
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("import", "--help"),
        ("kpi", "--help"),
        ("share", "create", "--help"),
        ("user", "--help"),
    ],
)
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    heavy = sorted(imported_modules(*args) & set(HEAVY))
    assert heavy == [], f"python -m cem {' '.join(args)} imported {heavy}"


def test_every_cli_module_imports_without_the_heavy_stack() -> None:
    """Each ``cem.cli`` module on its own (a fresh interpreter) leaves the stack unloaded."""
    code = (
        "import importlib, pkgutil, sys, cem.cli\n"
        "for m in pkgutil.iter_modules(cem.cli.__path__):\n"
        "    importlib.import_module('cem.cli.' + m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", result.stdout


def test_import_without_comments_skips_the_comment_analysis(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A responses file without comments: the analysis is recorded as done for the new
    responses without loading the sentiment stack; a later file with comments analyses them."""
    from cem.store.db import Database
    from cem.voc.jobs import status

    db_path = tmp_path / "c.duckdb"
    plain = tmp_path / "plain.csv"
    plain.write_text("customer_id,nps,segment\nc1,9,SMB\nc2,3,SMB\nc3,10,Enterprise\n")
    args = ("import", str(plain), "--workspace", "w", "--db", str(db_path))
    names = imported_modules(*args, dotted=True)
    assert "cem.ingest.load" in names and "cem.voc.jobs" in names
    assert not {"cem.voc.sentiment", "cem.voc.themes", "cem.voc.languages"} & names
    # The import of a CSV file never loads pandas, Ibis or Streamlit (its sample, rejects
    # and attribute bookkeeping are plain lists; a third of a second of start-up)
    assert not {"pandas", "ibis", "streamlit", "pyarrow"} & {n.split(".")[0] for n in names}
    db = Database(db_path, read_only=True)
    try:
        done = status(db, "w")
        assert (done.state, done.current, done.message) == ("done", True, "No comments to analyse")
    finally:
        db.close()
    commented = tmp_path / "commented.csv"
    commented.write_text("customer_id,nps,comment\nc4,2,The delivery was very late\nc5,10,Great\n")
    result = subprocess.run(
        [sys.executable, "-m", "cem", "import", str(commented), "--workspace", "w"]
        + ["--kind", "responses", "--map", "comment=comment", "--db", str(db_path)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    db = Database(db_path, read_only=True)
    try:
        after = status(db, "w")
        assert after.state == "done" and after.current and "Analysed 2 comments" in after.message
    finally:
        db.close()
