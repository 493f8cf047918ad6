"""``python -m cem`` beside a running app (see :mod:`cem.store.host` for the design).

Every CLI command opens its database through :func:`read_database` (reads) or
:func:`write_database` (changes). When ``python -m cem serve`` holds the file:

* a read opens the app's read-only snapshot and says so in one line on stderr;
* ``python -m cem import`` hands the file to the app's inbox and prints the app's result
  (:func:`import_beside_app`); the app runs :func:`run_inbox_job`;
* any other change raises :class:`AppHoldsDatabase`, which :func:`cem.cli.main.main`
  turns into a signed command that the app runs (:mod:`cem.cli.relay`). In the app the
  same command function runs with :func:`serving` in force, so that :func:`read_database`
  and :func:`write_database` hand it the app's own database.

Only the standard library loads with this module: DuckDB when a database is opened.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cem.errors import TouchpointError

if TYPE_CHECKING:
    from cem.store.db import Database
    from cem.store.host import RunningApp
    from cem.store.inbox import Job

ENV_INBOX_WAIT = "TOUCHPOINT_INBOX_WAIT"
DEFAULT_INBOX_WAIT = 1800.0  # seconds the CLI waits for the app to import a file


class AppHoldsDatabase(TouchpointError):
    """A command that changes data found the database held by the running app; the CLI
    hands the command to the app (:mod:`cem.cli.relay`) or, if it may not, prints this."""

    def __init__(self, message: str, app: RunningApp, db_path: str) -> None:
        super().__init__(message)
        self.app = app
        self.db_path = db_path


class _Borrowed:
    """The app's database lent to one command run in the app: everything but ``close``
    (the app keeps its database open)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def close(self, wait_seconds: float = 60.0) -> None:
        """Nothing: the database stays the app's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


_SERVED = threading.local()


@contextmanager
def serving(db: Database) -> Iterator[None]:
    """Within this block (in this thread) the CLI's commands use ``db``, the app's own
    database, instead of opening the file (:func:`cem.cli.relay.run_command_job`)."""
    previous = getattr(_SERVED, "db", None)
    _SERVED.db = cast("Database", _Borrowed(db))
    try:
        yield
    finally:
        _SERVED.db = previous


def open_or_find_app(path: str | None) -> tuple[Database | None, RunningApp | None]:
    """The database, or, while the app holds it, the app (any other holder: the one-line
    :class:`DatabaseLockedError`)."""
    from cem.store.db import Database, resolve_db_path
    from cem.store.errors import DatabaseLockedError
    from cem.store.host import running_app

    try:
        return Database(path), None
    except DatabaseLockedError as exc:
        app = running_app(resolve_db_path(path), exc.pid)
        if app is None:
            raise
        return None, app


def _served_or_opened(path: str | None) -> tuple[Database | None, RunningApp | None]:
    """The database this command runs on: the app's own (a command the app runs for the
    CLI), the file opened, or (None, the app that holds the file)."""
    served = getattr(_SERVED, "db", None)
    if served is not None:
        return cast("Database", served), None
    return open_or_find_app(path)


def read_database(path: str | None) -> Database:
    """The database for a command that only reads: the file itself, or, while the app holds
    it, the app's read-only snapshot (with one line on stderr saying so)."""
    from cem.store.db import resolve_db_path
    from cem.store.host import open_snapshot

    db, app = _served_or_opened(path)
    if db is not None:
        return db
    assert app is not None
    snapshot, note = open_snapshot(resolve_db_path(path), app)
    print(note, file=sys.stderr)
    return snapshot


def write_database(path: str | None) -> Database:
    """The database for a command that changes data; while the app holds it,
    :class:`AppHoldsDatabase` (the CLI then hands the command to the app)."""
    from cem.store.db import resolve_db_path

    db, app = _served_or_opened(path)
    if db is not None:
        return db
    assert app is not None
    db_path = resolve_db_path(path)
    raise AppHoldsDatabase(
        f"The app (process {app.pid}) has {db_path} open, and this command changes data: "
        "make the change in the app, or stop the app and run the command again.",
        app,
        db_path,
    )


def cmd_import(args: argparse.Namespace) -> int:
    """``python -m cem import``: into the database, or through the app's inbox while the
    app holds it."""
    from cem.cli.imports import check_file, import_memory_limit, run_cli_import

    check_file(args.file)
    db, app = open_or_find_app(args.db)
    if db is None:
        assert app is not None
        return import_beside_app(args, app)
    return run_cli_import(db, args, memory_limit=import_memory_limit())


def import_beside_app(args: argparse.Namespace, app: RunningApp) -> int:
    """Hand the file to the app's inbox, wait for its result and print it like a direct
    import would; returns the import's exit status."""
    options = {
        "workspace": args.workspace,
        "kind": args.kind,
        "sheet": args.sheet,
        "map": list(args.map),
        "set": list(args.set),
        "on_duplicate": args.on_duplicate,
    }
    from cem.store.inbox import drop_file

    job = drop_file(app.inbox, Path(args.file), options)
    print(
        f"The app (process {app.pid}) has the database open: handed {Path(args.file).name} "
        f"to its inbox ({app.inbox}, job {job}); waiting for its result.",
        file=sys.stderr,
    )
    result = wait_for_app(app, job)
    code = int(result.get("exit_code", 1))
    for line in result.get("lines", []):
        print(line, file=sys.stderr if code else sys.stdout)
    return code


def wait_for_app(app: RunningApp, job: str) -> dict[str, Any]:
    """The result the app writes for inbox ``job`` (waits ``$TOUCHPOINT_INBOX_WAIT`` s at
    most, less if the app stops)."""
    from cem.store.host import pid_alive
    from cem.store.inbox import wait_result

    wait = float(os.environ.get(ENV_INBOX_WAIT) or DEFAULT_INBOX_WAIT)
    return wait_result(app.inbox, job, wait, alive=lambda: pid_alive(app.pid))


def run_inbox_job(db: Database, job: Job) -> tuple[int, list[str]]:
    """Import one inbox file in the app, as ``python -m cem import`` would (the CLI's actor,
    the audit log, the same messages); returns the exit status and the printed lines."""
    from cem.cli.imports import run_cli_import
    from cem.ingest import load
    from cem.logs import log_exception
    from cem.voc.jobs import after_import

    if after_import not in load.AFTER_IMPORT:  # comments are analysed in the background
        load.AFTER_IMPORT.append(after_import)
    options = job.options
    if options.get("problem") or not job.workspace:
        reason = options.get("problem") or (
            "no workspace: put the file in inbox/<workspace>/ or name one in its options"
        )
        return 2, [f"error: {job.name}: {reason}."]
    args = argparse.Namespace(
        file=str(job.file),
        workspace=str(job.workspace),
        kind=options.get("kind"),
        sheet=options.get("sheet"),
        map=list(options.get("map") or []),
        set=list(options.get("set") or []),
        on_duplicate=options.get("on_duplicate") or "skip",
        file_name=job.name,
        foreground_analysis=False,  # the app analyses comments in the background
    )
    out = io.StringIO()
    try:
        code = run_cli_import(db, args, out)
    except TouchpointError as exc:
        return 2, [*out.getvalue().splitlines(), f"error: {exc}"]
    except Exception as exc:  # noqa: BLE001 - one line for the CLI, the traceback in the log
        error_id = log_exception(exc, "inbox import", to_stderr=True)
        return 1, [f"error: something went wrong in the app (error id {error_id})."]
    return code, out.getvalue().splitlines()
