"""CLI changes while the app holds the database: the app runs them (:mod:`cem.cli.relay`).

Real processes in both orders. App first: ``share create``/``share revoke``, ``user add``
(its password on standard input), ``journey draft`` run by the serving process and seen
afterwards by CLI reads; a command file with a bad signature or outside the allow-list is
refused. CLI first: a ``user add`` holding the database while the app starts finishes by
itself, then the app takes over and runs the next change for the CLI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cem.access.principal import CLI_ADMIN
from cem.cli.relay import signature
from cem.store.db import Database
from cem.store.host import marker_path
from cem.store.inbox import COMMANDS, RESULTS, inbox_path, relay_key, write_json
from tests.conftest import PROJECT_ROOT, StreamlitServer
from tests.test_cli_beside_app import alive, cem, hosting_app, wait_for


def user(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m cem user --db DB ARGS`` as its own process (``--db`` is ``user``'s)."""
    return subprocess.run(
        [sys.executable, "-m", "cem", "user", "--db", str(db), *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def app_first(
    demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    server = hosting_app(demo_db_file, tmp_path_factory.mktemp("relay"))
    yield server
    server.stop()


def share_links(db_file: Path) -> list[tuple[str, str, object]]:
    """(id, workspace, revoked_at) of every share link, read from a stopped app's file."""
    database = Database(db_file, read_only=True)
    try:
        return [
            (str(a), str(b), c)
            for a, b, c in database.execute(
                "SELECT id, workspace, revoked_at FROM share_links ORDER BY created_at"
            ).fetchall()
        ]
    finally:
        database.close()


def test_share_create_and_revoke_are_run_by_the_app(app_first: StreamlitServer) -> None:
    created = cem("share", "create", "--workspace", "demo", "--expires", "7", db=app_first.db_path)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("http://localhost:8501/") and "?share=" in created.stdout
    assert f"process {app_first.process.pid}" in created.stderr and "handed `share create`" in (
        created.stderr
    )
    listing = cem(
        "share", "list", "--workspace", "demo", db=app_first.db_path
    )  # through the snapshot
    assert listing.returncode == 0, listing.stderr
    rows = [line.split("\t") for line in listing.stdout.splitlines()[1:]]
    assert len(rows) == 1 and rows[0][1] == "demo" and rows[0][-1] == ""
    revoked = cem("share", "revoke", rows[0][0], db=app_first.db_path)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"Revoked share link {rows[0][0]} of workspace 'demo'."
    again = cem("share", "list", "--workspace", "demo", db=app_first.db_path)
    assert again.stdout.splitlines()[1].split("\t")[-1] != ""  # revoked_at is set
    # An error inside the app comes back as the CLI's own one line, status 2.
    missing = cem("share", "revoke", "no-such-link", db=app_first.db_path)
    assert missing.returncode == 2 and missing.stdout == ""
    errors = [line for line in missing.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in missing.stderr
    assert alive(app_first)


def test_user_add_reads_its_password_from_stdin_and_the_app_stores_it(
    app_first: StreamlitServer,
) -> None:
    added = user(
        "add", "rita", "--role", "viewer", "--workspace", "demo", "--password-stdin",
        db=app_first.db_path, stdin="correct horse battery\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added rita (viewer)."
    listing = user("list", db=app_first.db_path)
    assert "rita\tviewer\tdemo" in listing.stdout, listing.stderr
    disabled = user("disable", "rita", db=app_first.db_path)
    assert disabled.returncode == 0 and disabled.stdout.strip() == "rita disabled."
    # The command files held the password: none is left behind.
    inbox = inbox_path(app_first.db_path)
    assert not list((inbox / COMMANDS).glob("*.json"))
    assert all("correct horse" not in p.read_text() for p in (inbox / RESULTS).glob("*.json"))
    audit = cem("audit", "--format", "csv", "--user", "cli", db=app_first.db_path)
    assert "rita" in audit.stdout
    assert alive(app_first)


def test_journey_draft_is_saved_by_the_app(app_first: StreamlitServer) -> None:
    result = cem(
        "journey", "draft", "--workspace", "demo", "--name", "From the CLI", "--format", "json",
        db=app_first.db_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    draft = json.loads(result.stdout)
    assert draft["name"] == "From the CLI" and draft["journey_id"] > 0 and draft["stages"]


def _drop(app_first: StreamlitServer, payload: dict[str, object], key: bytes | None = None) -> dict:  # type: ignore[type-arg]
    inbox = inbox_path(app_first.db_path)
    payload["signature"] = signature(payload, key or relay_key(inbox))
    write_json(inbox / COMMANDS / f"{payload['job']}.json", payload, private=True)
    result = inbox / RESULTS / f"{payload['job']}.json"
    assert wait_for(result.exists, 60), "the app wrote no result"
    return json.loads(result.read_text())


def test_app_refuses_unsigned_and_unlisted_commands(app_first: StreamlitServer) -> None:
    import os

    database = os.path.realpath(app_first.db_path)
    argv = ["user", "add", "mallory", "--role", "admin", "--password-stdin"]
    forged = _drop(
        app_first,
        {"job": "forged-1", "argv": argv, "database": database, "stdin": "x" * 12},
        key=b"not the key",
    )
    assert forged["exit_code"] == 2 and "signature" in forged["stderr"]
    unlisted = _drop(
        app_first, {"job": "unlisted-1", "argv": ["serve"], "database": database, "stdin": None}
    )
    assert unlisted["exit_code"] == 2 and "does not run `serve`" in unlisted["stderr"]
    elsewhere = _drop(
        app_first,
        {"job": "other-db-1", "argv": ["demo"], "database": "/elsewhere.duckdb", "stdin": None},
    )
    assert elsewhere["exit_code"] == 2 and "/elsewhere.duckdb" in elsewhere["stderr"]
    listing = user("list", db=app_first.db_path)
    assert "mallory" not in listing.stdout
    assert alive(app_first)


def test_cli_change_first_then_the_app_starts_and_runs_the_next_change(
    demo_db_file: Path, tmp_path: Path
) -> None:
    """CLI first: ``user add`` holds the database (its password not yet typed) while the app
    starts; it finishes by itself, the app takes over, and the next CLI change is the app's."""
    db_path = tmp_path / "order.duckdb"
    shutil.copyfile(demo_db_file, db_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "cem", "user", "--db", str(db_path), "add", "ann"]
        + ["--role", "editor", "--workspace", "demo", "--password-stdin"],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = None
    try:
        # Once the command has the database it waits for its password on stdin.
        time.sleep(5)
        assert first.poll() is None
        server = StreamlitServer(db_path, tmp_path / "streamlit.log")
        time.sleep(2)  # the app tried to open the file and found it held
        assert not marker_path(str(db_path)).exists()
        out, err = first.communicate("a long password\n", timeout=120)
        assert first.returncode == 0, err
        assert out.strip() == "Added ann (editor)."
        assert wait_for(marker_path(str(db_path)).exists), "the app never took the database"
        second = cem("share", "create", "--workspace", "demo", db=db_path)
        assert second.returncode == 0, second.stderr
        assert "handed `share create`" in second.stderr
        users = user("list", db=db_path)
        assert "ann\teditor\tdemo" in users.stdout
        assert alive(server)
    finally:
        if first.poll() is None:
            first.kill()
        if server is not None:
            server.stop()
    links = share_links(db_path)
    assert [(w, r) for _, w, r in links] == [("demo", None)]
    assert CLI_ADMIN.name == "cli"


def test_run_command_job_in_process_runs_the_cli_function_with_its_checks(
    tmp_path: Path,
) -> None:
    """The app's side on its own: the same ``user`` command on the app's connection (which
    it does not close), its output captured for this thread only, refusals in one line."""
    import os

    from cem.access import users
    from cem.cli.relay import run_command_job

    db = Database(tmp_path / "inproc.duckdb")
    key = b"test key"
    base = {"database": os.path.realpath(db.path)}

    def run(job: str, argv: list[str], stdin: str | None = None) -> dict:  # type: ignore[type-arg]
        payload = {"job": job, "argv": argv, "stdin": stdin, **base}
        payload["signature"] = signature(payload, key)
        return run_command_job(db, payload, key)

    try:
        added = run(
            "a", ["user", "add", "zoe", "--role", "editor", "--password-stdin"], "s3cret pw\n"
        )
        assert added == {
            "job": "a",
            "exit_code": 0,
            "stdout": "Added zoe (editor).\n",
            "stderr": "",
        }
        stored = db.execute("SELECT password_hash FROM users WHERE name = 'zoe'").fetchone()[0]
        assert users.verify_password("s3cret pw", stored)
        missing = run("b", ["user", "remove", "nobody"])
        assert missing["exit_code"] == 2 and missing["stderr"].startswith("error: ")
        assert missing["stderr"].count("\n") == 1 and missing["stdout"] == ""
        reads = run("c", ["kpi", "--workspace", "demo", "--metric", "nps"])
        assert reads["exit_code"] == 2 and "does not run `kpi --workspace`" in reads["stderr"]
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1  # still open
    finally:
        db.close()
