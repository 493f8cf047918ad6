"""CLI changes beside the running app: the command, signed, run by the app itself.

While ``python -m cem serve`` holds the database no other process may open it. A command
that changes data (``user add``, ``share create``, ``journey draft``, ``demo`` …) then
raises :class:`~cem.cli.alongside.AppHoldsDatabase`, and :func:`relay_command` hands the
command line to the app instead of failing:

1. the CLI writes ``inbox/commands/<job>.json`` (owner-only): its arguments, the database
   it means, one line of standard input when the command reads a password from it, and an
   HMAC-SHA256 signature made with the app's key (``inbox/.relay.key``, owner-only, made
   by the app when it starts);
2. the app (:class:`cem.store.host.Host`, one command at a time) checks the signature,
   parses the arguments with the CLI's own parser, refuses any command outside
   :data:`RELAYED`, then runs the same :func:`cem.cli.main.main` on its own database
   (:func:`cem.cli.alongside.serving`), acting as the CLI's local admin exactly as the
   command would in its own process, and writes what it printed and its exit status to
   ``inbox/results/<job>.json``;
3. the CLI prints that output and exits with that status.

Only the standard library loads with this module.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cem.cli.alongside import AppHoldsDatabase
    from cem.store.db import Database

# The commands the app runs for the CLI: (command, subcommand or None for all).
RELAYED: frozenset[tuple[str, str | None]] = frozenset(
    {
        ("demo", None),
        ("journey", "draft"),
        ("user", "add"),
        ("user", "remove"),
        ("user", "passwd"),
        ("user", "disable"),
        ("user", "enable"),
        ("share", "create"),
        ("share", "revoke"),
        ("verbatims", None),  # they analyse the comments first when that is not done yet
        ("themes", None),
    }
)
_SUBCOMMAND = {"journey": "journey_command", "user": "user_command", "share": "share_command"}


def command_key(args: argparse.Namespace) -> tuple[str, str | None]:
    """``(command, subcommand)`` of parsed arguments, e.g. ``("share", "create")``."""
    sub = _SUBCOMMAND.get(args.command)
    return args.command, (getattr(args, sub, None) if sub else None)


def is_relayed(args: argparse.Namespace) -> bool:
    """Whether the app runs this command for the CLI (:data:`RELAYED`)."""
    command, sub = command_key(args)
    return (command, sub) in RELAYED or (command, None) in RELAYED


def signature(payload: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 of the payload's canonical JSON (all keys but ``signature``)."""
    body = {k: v for k, v in payload.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(key, text, hashlib.sha256).hexdigest()


# -- the CLI's side ---------------------------------------------------------------------
def relay_command(argv: Sequence[str], args: argparse.Namespace, held: AppHoldsDatabase) -> int:
    """Hand ``argv`` to the app that holds the database, print its output; returns the
    command's exit status (a command outside :data:`RELAYED`: the one-line refusal)."""
    from cem.cli.alongside import wait_for_app
    from cem.store.inbox import drop_command, new_job_id, relay_key

    app = held.app
    if not is_relayed(args):
        print(f"error: {held}", file=sys.stderr)
        return 2
    payload: dict[str, Any] = {
        "job": new_job_id(),
        "argv": list(argv),
        "database": os.path.realpath(held.db_path),
        "stdin": sys.stdin.readline() if getattr(args, "password_stdin", False) else None,
    }
    payload["signature"] = signature(payload, relay_key(app.inbox))
    job = drop_command(app.inbox, payload)
    name = " ".join(part for part in command_key(args) if part)
    print(
        f"The app (process {app.pid}) has the database open: handed `{name}` to it "
        f"(job {job}); waiting for its result.",
        file=sys.stderr,
    )
    result = wait_for_app(app, job)
    sys.stdout.write(str(result.get("stdout") or ""))
    sys.stderr.write(str(result.get("stderr") or ""))
    return int(result.get("exit_code", 1))


# -- the app's side ---------------------------------------------------------------------
def run_command_job(db: Database, payload: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Run one command handed over by the CLI (see the module doc); returns its result:
    ``exit_code``, ``stdout``, ``stderr``. Never raises."""
    from cem.logs import log_exception

    job = str(payload.get("job", ""))
    problem = _problem(db, payload, key)
    if problem:
        return {"job": job, "exit_code": 2, "stdout": "", "stderr": f"error: {problem}\n"}
    try:
        code, out, err = _run(db, [str(a) for a in payload["argv"]], payload.get("stdin"))
    except Exception as exc:  # noqa: BLE001 - one line for the CLI, the traceback in the log
        error_id = log_exception(exc, "relayed command", to_stderr=True)
        code, out, err = 1, "", f"error: something went wrong in the app (error id {error_id}).\n"
    return {"job": job, "exit_code": code, "stdout": out, "stderr": err}


def _problem(db: Database, payload: dict[str, Any], key: bytes) -> str | None:
    """Why the app refuses ``payload`` (None: it runs it)."""
    from cem.cli.main import build_parser

    if payload.get("problem"):
        return str(payload["problem"])
    given = str(payload.get("signature") or "")
    if not hmac.compare_digest(given, signature(payload, key)):
        return "the app refused a command whose signature does not match its key."
    if payload.get("database") != os.path.realpath(db.path):
        return f"the app serves {os.path.realpath(db.path)}, not {payload.get('database')}."
    argv = payload.get("argv")
    if not isinstance(argv, list):
        return "the command has no argument list."
    try:
        with captured(None):
            args, extra = build_parser().parse_known_args([str(a) for a in argv])
    except SystemExit:
        return "the app could not parse the command."
    if extra or not is_relayed(args):
        return f"the app does not run `{' '.join(str(a) for a in argv[:2])}` for the CLI."
    return None


def _run(db: Database, argv: list[str], stdin: str | None) -> tuple[int, str, str]:
    from cem.cli.alongside import serving
    from cem.cli.main import main

    with serving(db), captured(stdin) as (out, err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


class _ThreadStream(io.TextIOBase):
    """A standard stream that sends this thread's I/O to its own buffer while a command
    runs in it (:func:`captured`) and everything else to the real stream."""

    def __init__(self, real: Any, name: str) -> None:
        self.real = real
        self.name = name
        self.local = threading.local()

    def _target(self) -> Any:
        buffer = getattr(self.local, "buffer", None)
        return self.real if buffer is None else buffer

    def write(self, text: str) -> int:
        return self._target().write(text)

    def readline(self, size: int | None = -1) -> str:
        return self._target().readline(size if size is not None else -1)

    def read(self, size: int | None = -1) -> str:
        return self._target().read(size if size is not None else -1)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.real.fileno()  # the process's own stream (e.g. for a child process)

    def __getattr__(self, name: str) -> Any:  # e.g. ``buffer``: the real stream's
        return getattr(self.real, name)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


_INSTALL = threading.Lock()


def _thread_stream(name: str) -> _ThreadStream:
    with _INSTALL:
        stream = getattr(sys, name)
        if not isinstance(stream, _ThreadStream):
            stream = _ThreadStream(stream, name)
            setattr(sys, name, stream)
        return stream


@contextmanager
def captured(stdin: str | None) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """Within this block this thread's stdout and stderr go to two buffers and its stdin
    reads ``stdin``; the app's other threads keep the real streams."""
    streams = [_thread_stream(n) for n in ("stdout", "stderr", "stdin")]
    buffers = (io.StringIO(), io.StringIO(), io.StringIO(stdin or ""))
    for stream, buffer in zip(streams, buffers, strict=True):
        stream.local.buffer = buffer
    try:
        yield buffers[0], buffers[1]
    finally:
        for stream in streams:
            stream.local.buffer = None
