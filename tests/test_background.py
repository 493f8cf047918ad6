"""Background jobs: the process waits for them before it exits, even for jobs that start
others, so a finished command never ends in a crash of a thread killed inside DuckDB."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from cem import background

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def test_waits_for_jobs_that_start_others() -> None:
    done: list[str] = []
    child_may_end = threading.Event()

    def child() -> None:
        child_may_end.wait(5)
        done.append("child")

    def parent() -> None:
        background.start(child, (), "test-child")
        done.append("parent")
        child_may_end.set()

    background.start(parent, (), "test-parent")
    assert background.wait_for_background(30)
    assert done == ["parent", "child"]


def test_a_process_exits_cleanly_while_a_job_is_inside_duckdb() -> None:
    """The main thread ends while a background job runs queries: exit status 0, not an
    abort of the C++ runtime."""
    script = (
        "import duckdb, threading\n"
        "from cem import background\n"
        "con = duckdb.connect()\n"
        "started = threading.Event()\n"
        "def job():\n"
        "    cur = con.cursor()\n"
        "    started.set()\n"
        "    for _ in range(3):\n"
        "        cur.execute('SELECT sum(hash(i)) FROM range(20000000) t(i)').fetchall()\n"
        "background.start(job, (), 'test-query')\n"
        "started.wait(10)\n"
        "print('main done')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "main done"
