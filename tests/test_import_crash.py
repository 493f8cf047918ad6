"""An import whose process dies mid-way leaves the database exactly as it was.

A child process imports a file and is killed (SIGKILL) after the import's own table was
written and made part of the ``responses`` view, with its attribute view, inside the import's
transaction; the database, reopened, holds what it held before: no rows, no import record, no
import or attribute table.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cem.store.db import Database
from cem.store.workspaces import ensure_workspace
from tests.conftest import PROJECT_ROOT

CHILD = textwrap.dedent(
    """
    import sys, time
    import cem.ingest.load as ingest
    from cem.access.principal import LOCAL_ADMIN
    from cem.store.db import Database

    real_keep = ingest._keep_rows

    def keep_then_hang(*args, **kwargs):
        out = real_keep(*args, **kwargs)
        print("inserted", out, flush=True)
        time.sleep(600)  # killed here, inside the open transaction
        return out

    ingest._keep_rows = keep_then_hang
    db = Database(sys.argv[1])
    ingest.import_file(db, "w", sys.argv[2], "responses", actor=LOCAL_ADMIN)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_killed_import_leaves_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "crash.duckdb"
    db = Database(db_path)
    ensure_workspace(db, "w")
    revision = db.data_version("w")
    db.close()
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "Date,NPS,Comment,Region\n"
        + "".join(f"2024-01-{1 + i % 28:02d},{i % 11},note {i},R{i % 3}\n" for i in range(5000))
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), str(survey)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.startswith("inserted 5000"), line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    reopened = Database(db_path)
    for table in ("responses", "imports", "import_rejects", "attribute_sources", "row_tables"):
        count = reopened.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert count == 0, table
    tables = reopened.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'tp_%'"
    ).fetchone()[0]
    views = reopened.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'tp_%'"
    ).fetchone()[0]
    assert (tables, views) == (0, 0)
    assert reopened.data_version("w") == revision
    reopened.close()
