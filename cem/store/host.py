"""The app's hold on its database, and how ``python -m cem`` works beside it.

DuckDB lets one process at a time open a database file for writing, and while it does no
other process may open it at all, not even read-only. ``python -m cem serve`` keeps the
file open for its whole life, so other processes work with it like this:

* **Reads** — the serving process writes a read-only *snapshot* of the whole database
  beside it (``<name>.snapshot.duckdb``, written with DuckDB's ``COPY FROM DATABASE`` in
  one transaction, replaced atomically) when a reader asks for one: a CLI command that
  only reads, finding the database held by the app, leaves a request in the inbox
  (``.snapshot-request``), waits until the snapshot holds the latest change (a
  second or two; longer for a big database), opens it read-only and says so in one line.
  Nothing is copied while nobody reads through the CLI: at ten million rows a copy costs
  seconds of CPU and memory, which the pages' first views would pay (paced so that
  copying takes at most a fifth of the time when readers ask constantly).
* **Writes** — ``python -m cem import`` drops its file and options into the inbox
  (:mod:`cem.store.inbox`); the serving process imports it with the same ingest path,
  the audit log and the CLI's actor, and writes the result, which the CLI prints.
  Every other change (users, share links, journey drafts, the demo, comment analysis)
  is handed over the same way as a signed command (:mod:`cem.cli.relay`): the serving
  process checks it against an allow-list, runs the same command function on its own
  database and writes what it printed, which the CLI prints.
* **The other order** — while a CLI command holds the file, the app says so in one
  sentence and opens it by itself once the command ends.

The serving process announces itself in ``<name>.server.json`` (its pid, inbox and the
snapshot's state); a process that finds the lock held by that pid knows it is the app.

This module never opens DuckDB itself: :class:`~cem.store.db.Database` does.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cem.store.db import Database
from cem.store.errors import DatabaseLockedError, SnapshotMissingError
from cem.store.inbox import (
    RESULTS,
    Job,
    claim_commands,
    claim_jobs,
    finish_job,
    inbox_path,
    relay_key,
    write_json,
)

POLL_SECONDS = 1.0
SNAPSHOT_WAIT_SECONDS = 15.0  # how long a reader waits for a change to reach the snapshot
FIRST_SNAPSHOT_WAIT_SECONDS = 300.0  # … and for the first snapshot (a copy of everything)
SNAPSHOT_REQUEST = ".snapshot-request"  # in the inbox: a reader wants a current snapshot
JobRunner = Callable[[Database, Job], tuple[int, list[str]]]
CommandRunner = Callable[[Database, dict[str, object], bytes], dict[str, object]]


def marker_path(db_path: str) -> Path:
    """Where the serving process of ``db_path`` announces itself."""
    return Path(db_path).with_name(Path(db_path).name + ".server.json")


def snapshot_path(db_path: str) -> Path:
    """The read-only snapshot of ``db_path`` that the serving process keeps."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}.snapshot.duckdb")


def request_snapshot(inbox: Path) -> None:
    """Ask the serving process (whose inbox is ``inbox``) for a current snapshot."""
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / SNAPSHOT_REQUEST).touch()


def change_token(db_path: str) -> list[int]:
    """Size and time of the database file and its write-ahead log: every committed change
    moves one of them (a commit is written to the log, a checkpoint to the file)."""
    token: list[int] = []
    for path in (Path(db_path), Path(db_path + ".wal")):
        try:
            stat = path.stat()
            token += [stat.st_size, stat.st_mtime_ns]
        except FileNotFoundError:
            token += [0, 0]
    return token


class Host:
    """The serving process's hold: opens the database (retrying while a CLI command holds
    it), keeps the snapshot current and runs the inbox, in one background thread."""

    def __init__(
        self,
        path: str,
        run_job: JobRunner,
        run_command: CommandRunner | None = None,
        poll_seconds: float = POLL_SECONDS,
    ):
        self.path = path
        self.inbox = inbox_path(path)
        self.snapshot = snapshot_path(path)
        self.marker = marker_path(path)
        self._run_job = run_job
        self._run_command = run_command
        self._poll = poll_seconds
        self._db: Database | None = None
        self._open_lock = threading.Lock()
        self._stop = threading.Event()
        self._snapshot_token: list[int] | None = None
        self._next_snapshot = 0.0  # monotonic time before which no new snapshot is written
        self._took = 0.0  # seconds the last snapshot took
        self._waiting: dict[Path, tuple[int, int]] = {}
        self._announced: list[int] | None = None  # the snapshot token in the marker
        self._thread = threading.Thread(target=self._loop, name="touchpoint-host", daemon=True)

    def database(self) -> Database:
        """The process's database; raises the one-line :class:`DatabaseLockedError` while
        another process holds the file (the next call tries again)."""
        with self._open_lock:
            if self._db is None:
                self._db = Database(self.path)
            return self._db

    def start(self) -> Host:
        if self._run_command is not None:
            relay_key(self.inbox, create=True)
        self._thread.start()
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._read_marker().get("pid") == os.getpid():
            self.marker.unlink(missing_ok=True)

    def _loop(self) -> None:
        from cem.logs import log_exception

        last_error = ""
        while not self._stop.is_set():
            try:
                self.tick()
                last_error = ""
            except Exception as exc:  # noqa: BLE001 - logged once; the app keeps serving
                if str(exc) != last_error:
                    log_exception(exc, "touchpoint host", to_stderr=True)
                last_error = str(exc)
            self._stop.wait(self._poll)

    def tick(self) -> None:
        """One round: open if needed, announce the process, refresh the snapshot when a
        reader asked for it, import what the inbox holds."""
        try:
            db = self.database()
        except DatabaseLockedError:
            return  # a CLI command has it; try again next round
        if self._announced is None:
            self._announce(None, 0.0)
        self.refresh_snapshot(db)
        for job in claim_jobs(self.inbox, self._waiting):
            code, lines = self._run_job(db, job)
            finish_job(self.inbox, job, code, lines)
            self.refresh_snapshot(db)
        if self._run_command is None:
            return
        for command in claim_commands(self.inbox):
            result = self._run_command(db, command, relay_key(self.inbox))
            write_json(self.inbox / RESULTS / f"{command['job']}.json", result, private=True)
            self.refresh_snapshot(db)

    def refresh_snapshot(self, db: Database) -> None:
        """Write a new snapshot when a reader asked for one and the database changed since
        the last one; at most one per four times the last copy took (so a big database
        read constantly while it changes spends at most a fifth of a core on it)."""
        request = self.inbox / SNAPSHOT_REQUEST
        if not request.exists():
            return
        token = change_token(self.path)
        if token == self._snapshot_token and self.snapshot.exists():
            request.unlink(missing_ok=True)
            self._announce(token, self._took)
            return
        if time.monotonic() < self._next_snapshot:
            return
        request.unlink(missing_ok=True)  # a request made during the copy asks again
        started = time.monotonic()
        db.write_snapshot(self.snapshot)
        self._took = time.monotonic() - started
        self._next_snapshot = time.monotonic() + 4 * self._took
        self._snapshot_token = token
        self._announce(token, self._took)

    def _announce(self, token: list[int] | None, took: float) -> None:
        """Write the marker: this process serves the file; the snapshot's state."""
        self._announced = token or []
        write_json(
            self.marker,
            {
                "pid": os.getpid(),
                "database": self.path,
                "inbox": str(self.inbox),
                "snapshot": str(self.snapshot),
                "snapshot_token": token or [],
                "snapshot_at": time.strftime("%Y-%m-%d %H:%M:%S") if token else "",
                "snapshot_seconds": round(took, 3),
            },
        )

    def _read_marker(self) -> dict[str, object]:
        try:
            return json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}


_HOST: Host | None = None
_HOST_LOCK = threading.Lock()


def start_hosting(path: str, run_job: JobRunner, run_command: CommandRunner | None = None) -> Host:
    """Make this process the server of ``path`` (``python -m cem serve`` calls it once)."""
    global _HOST
    with _HOST_LOCK:
        if _HOST is None or _HOST.path != path:
            _HOST = Host(path, run_job, run_command).start()
        return _HOST


def hosted_database(path: str) -> Database | None:
    """The serving process's database for ``path`` (None when this process is not the
    server of ``path``); raises :class:`DatabaseLockedError` while a CLI command has it."""
    host = _HOST
    return host.database() if host is not None and host.path == path else None


@dataclass(frozen=True)
class RunningApp:
    """A serving process found through its marker."""

    pid: int
    inbox: Path
    snapshot: Path
    snapshot_at: str
    snapshot_token: list[int]


def running_app(db_path: str, locked_by: int | None) -> RunningApp | None:
    """The app that serves ``db_path`` and holds its lock (``locked_by``, the pid DuckDB
    names), or None when the holder is something else (another CLI command)."""
    try:
        data = json.loads(marker_path(db_path).read_text(encoding="utf-8"))
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (locked_by is not None and pid != locked_by) or not pid_alive(pid):
        return None
    return RunningApp(
        pid,
        Path(data["inbox"]),
        Path(data["snapshot"]),
        str(data.get("snapshot_at", "")),
        list(data.get("snapshot_token") or []),
    )


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_snapshot(
    db_path: str, app: RunningApp, wait_seconds: float = SNAPSHOT_WAIT_SECONDS
) -> tuple[Database, str]:
    """Ask the app for a current snapshot and open it read-only, first waiting (up to
    ``wait_seconds``; up to :data:`FIRST_SNAPSHOT_WAIT_SECONDS` while there is none yet)
    for the latest change to reach it; returns the database and the one line to tell the
    user."""
    started = time.monotonic()
    while app.snapshot_token != change_token(db_path):
        waited = time.monotonic() - started
        first = not app.snapshot_token or not app.snapshot.exists()
        if waited >= (max(wait_seconds, FIRST_SNAPSHOT_WAIT_SECONDS) if first else wait_seconds):
            break
        if not (app.inbox / SNAPSHOT_REQUEST).exists():
            request_snapshot(app.inbox)
        time.sleep(0.25)
        app = running_app(db_path, app.pid) or app
    if not app.snapshot.exists():
        raise SnapshotMissingError(
            f"The app (process {app.pid}) has {db_path} open and has not written the "
            "read-only snapshot this command reads; try again in a minute."
        )
    behind = app.snapshot_token != change_token(db_path)
    note = (
        f"The app (process {app.pid}) has {db_path} open: reading its read-only snapshot "
        f"of {app.snapshot_at}"
        + (" (the latest change is not in it yet)." if behind else ", which is up to date.")
    )
    return Database(str(app.snapshot), read_only=True), note
