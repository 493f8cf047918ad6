"""The inbox and the host's round, in one process (the real-process orders are in
``tests/test_cli_beside_app.py``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from cem.cli.alongside import run_inbox_job
from cem.store.db import Database
from cem.store.errors import SnapshotWriteError
from cem.store.host import (
    SNAPSHOT_REQUEST,
    Host,
    change_token,
    open_snapshot,
    request_snapshot,
    running_app,
)
from cem.store.inbox import claim_jobs, drop_file, finish_job
from cem.voc.jobs import status

SURVEY = "customer_id,nps,comment\nc1,9,great\nc2,11,odd\nc3,3,slow\n"


def test_a_file_still_growing_waits_one_poll_and_hidden_names_are_ignored(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "acme").mkdir(parents=True)
    (inbox / "acme" / "export.csv").write_text(SURVEY)
    (inbox / "acme" / ".next.csv").write_text(SURVEY)
    (inbox / "acme" / "later.csv.part").write_text(SURVEY)
    waiting: dict[Path, tuple[int, int]] = {}
    assert claim_jobs(inbox, waiting) == []  # seen once: it may still be being written
    jobs = claim_jobs(inbox, waiting)
    assert [(j.name, j.workspace) for j in jobs] == [("export.csv", "acme")]
    assert jobs[0].file.read_text() == SURVEY and not (inbox / "acme" / "export.csv").exists()
    assert claim_jobs(inbox, waiting) == []


def test_a_file_with_no_workspace_fails_in_one_line_and_is_kept(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "loose.csv").write_text(SURVEY)
    waiting: dict[Path, tuple[int, int]] = {}
    claim_jobs(inbox, waiting)
    (job,) = claim_jobs(inbox, waiting)
    code, lines = run_inbox_job(Database(":memory:"), job)
    assert code == 2 and len(lines) == 1 and "no workspace" in lines[0]
    result = json.loads(finish_job(inbox, job, code, lines).read_text())
    assert result["exit_code"] == 2 and result["file"] == "loose.csv"
    assert (inbox / "failed" / f"{job.job_id}__loose.csv").read_text() == SURVEY


def test_host_round_imports_the_dropped_file_and_refreshes_the_snapshot(tmp_path: Path) -> None:
    db_path = str(tmp_path / "t.duckdb")
    Database(db_path).close()
    source = tmp_path / "survey.csv"
    source.write_text(SURVEY)
    host = Host(db_path, run_inbox_job)  # not started: its rounds are run by hand
    host.tick()
    app = running_app(db_path, os.getpid())
    assert app is not None and app.pid == os.getpid() and app.inbox == host.inbox
    job = drop_file(host.inbox, source, {"workspace": "acme", "kind": "responses", "map": []})
    host.tick()
    result = json.loads((host.inbox / "results" / f"{job}.json").read_text())
    assert result["exit_code"] == 0, result
    assert "2 rows loaded, 1 rejected" in result["lines"][0]
    assert any("row 3, column “nps”" in line for line in result["lines"])
    assert not list((host.inbox / ".work").glob("*/*"))  # imported: nothing left behind
    deadline = time.monotonic() + 120  # the comments are analysed in the background
    while status(host.database(), "acme").state == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    host.tick()
    assert not Path(db_path).with_name("t.snapshot.duckdb").exists()  # nobody asked: no copy
    while running_app(db_path, None).snapshot_token != change_token(db_path):  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        request_snapshot(host.inbox)  # as open_snapshot does while the snapshot is behind
        time.sleep(0.2)
        host.tick()
    snapshot, note = open_snapshot(db_path, running_app(db_path, os.getpid()), wait_seconds=0)
    try:
        assert "up to date" in note
        assert not (host.inbox / SNAPSHOT_REQUEST).exists()  # answered
        n = snapshot.execute("SELECT count(*) FROM responses WHERE workspace = 'acme'")
        assert n.fetchone()[0] == 2
        with pytest.raises(SnapshotWriteError):
            snapshot.execute("DELETE FROM responses_base")
    finally:
        snapshot.close()
        host.stop()
        host.database().close()
    assert not Path(db_path + ".server.json").exists()
