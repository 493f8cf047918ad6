"""The hostile-file corpus (``tests/hostile.py``) through the CLI and the Import page.

Each file ends in a correct load or in one ``error:`` line that says what is wrong (and for
a limit, the setting that raises it); the process never dies, nothing half-loaded remains,
a refused file creates no workspace, and the page still imports a good file afterwards.
Memory and time per file are measured in ``bench/hostile_bench.py``, not asserted here.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hostile
import pytest

from cem.store.db import Database
from tests.conftest import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
# name -> (generator, extra CLI args, expected): ("loaded", rows) or ("refused", words)
CASES: dict[str, tuple[Callable[[Path], Path], list[str], tuple[str, object]]] = {
    "far-cell xlsx": (hostile.far_cell_xlsx, [], ("loaded", 1)),
    "zip bomb": (
        functools.partial(hostile.zip_bomb_xlsx, inflated_mb=50),
        [],
        ("refused", "TOUCHPOINT_MAX_XLSX_RATIO"),
    ),
    "zip bomb, its sheet chosen": (
        functools.partial(hostile.zip_bomb_xlsx, inflated_mb=50),
        ["--sheet", "Data"],
        ("refused", "TOUCHPOINT_MAX_XLSX_RATIO"),
    ),
    "2,000 columns": (hostile.wide_csv, [], ("refused", "TOUCHPOINT_MAX_COLUMNS")),
    "2,000 columns, Parquet": (hostile.wide_parquet, [], ("refused", "TOUCHPOINT_MAX_COLUMNS")),
    "10 MB single cell": (hostile.big_cell_csv, [], ("refused", "TOUCHPOINT_MAX_CELL_CHARS")),
    # Quotes doubled 20,000 deep load as text; the unclosed quote after them swallows the
    # rest of the file into one row, which is rejected by its row number.
    "deep quoting": (hostile.deep_quoting_csv, [], ("loaded", 1)),
    "NUL bytes": (hostile.nul_bytes_csv, [], ("refused", "binary data")),
    "mixed encodings": (hostile.mixed_encodings_csv, [], ("loaded", 3)),
    "empty file": (hostile.empty_csv, [], ("refused", "is empty")),
}


def _workspaces(db_path: Path) -> list[str]:
    if not db_path.exists():
        return []
    db = Database(db_path, read_only=True)
    try:
        return [r[0] for r in db.execute("SELECT name FROM workspaces").fetchall()]
    finally:
        db.close()


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_through_the_cli(name: str, tmp_path: Path) -> None:
    make, extra, (outcome, expected) = CASES[name]
    path = make(tmp_path)
    db_path = tmp_path / "hostile.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "cem", "import", str(path), "--workspace", "hostile"]
        + ["--kind", "responses", "--db", str(db_path), *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in result.stderr + result.stdout
    if outcome == "loaded":
        assert result.returncode == 0, result.stderr
        assert f": {expected} rows loaded" in result.stdout
        assert _workspaces(db_path) == ["hostile"]
    else:
        assert result.returncode == 2, (result.stdout, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and str(expected) in errors[0], result.stderr
        assert path.name in errors[0]
        assert _workspaces(db_path) == []  # nothing created by a refused file


def _upload(at, name: str, data: bytes) -> None:  # type: ignore[no-untyped-def]
    at.file_uploader(key="import_file").set_value((name, data, "application/octet-stream"))
    at.run()


def test_hostile_corpus_through_the_import_page(app_env: Path, tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=300)
    at.query_params["workspace"] = "demo"
    at.run()
    at.switch_page("pages/import_data.py")
    at.run()
    seen: dict[str, str] = {}
    for name, (make, extra, (outcome, expected)) in CASES.items():
        if extra:  # the page offers the sheet after the upload; the CLI case covers --sheet
            continue
        folder = tmp_path / name.replace(" ", "_").replace(",", "")
        folder.mkdir()
        path = make(folder)
        _upload(at, path.name, path.read_bytes())
        assert not at.exception, (name, [e.value for e in at.exception])
        errors = [str(e.value) for e in at.error]
        if not errors and any(b.key == "import_button" for b in at.button):
            at.button(key="import_button").click().run()
            assert not at.exception, (name, [e.value for e in at.exception])
            errors = [str(e.value) for e in at.error]
        metrics = {m.label: m.value for m in at.metric}
        if outcome == "loaded":
            assert errors == [] and metrics.get("Rows loaded") == str(expected), (name, errors)
            seen[name] = "loaded"
        else:
            shown = [e.replace("\\", "").replace("\u2060", "") for e in errors]
            assert len(shown) == 1 and str(expected) in shown[0], (name, errors)
            assert "\n" not in shown[0].strip() and "Traceback" not in shown[0]
            seen[name] = "refused"
    assert len(seen) == len(CASES) - 1
    # The app is alive and still imports a good file.
    _upload(at, "survey_small.csv", (FIXTURES / "survey_small.csv").read_bytes())
    at.button(key="import_button").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rows loaded"] == "4"


def test_pages_render_over_a_2000_column_workspace(
    open_page, app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A 2,000-column file (its limit raised) loads every attribute, and the Overview and
    the KPI explorer of its workspace render without an exception."""
    from cem.access.principal import LOCAL_ADMIN
    from cem.ingest.load import import_file

    monkeypatch.setenv("TOUCHPOINT_MAX_COLUMNS", "2000")
    path = hostile.wide_csv(tmp_path, columns=2000, rows=200)
    db = Database(app_env)
    try:
        result = import_file(db, "wide", path, "responses", actor=LOCAL_ADMIN)
        assert (result.rows_loaded, result.rows_rejected) == (200, 0)
        stored = db.execute(
            "SELECT count(*) FROM attribute_sources WHERE workspace = 'wide'"
        ).fetchone()
        assert stored == (1998,)
    finally:
        db.close()
    for page in ("pages/overview.py", "pages/explorer.py"):
        at = open_page(page, workspace="wide")
        assert not at.exception, (page, [e.value for e in at.exception])
