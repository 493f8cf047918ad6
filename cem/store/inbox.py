"""The inbox: a folder that the running app imports from (``data/inbox/`` by default).

While ``python -m cem serve`` holds the database, no other process may open it, so
``python -m cem import`` hands its file to the app through this folder and waits for the
result; any other tool (a scheduled export, a sync job) can drop files here too.

Layout (``$TOUCHPOINT_INBOX`` moves it; by default ``inbox/`` beside the default database
``touchpoint.duckdb``, ``<name>-inbox/`` beside any other database file)::

    inbox/<workspace>/survey.csv            imported into <workspace>, kind detected,
                                            a file imported before is skipped
    inbox/<workspace>/survey.csv.options.json   optional: {"kind", "sheet", "map", "set",
                                            "on_duplicate", "workspace", "job"}
    inbox/results/<job>.json                what happened: status, exit code, the lines
                                            ``python -m cem import`` prints (rejects by row)
    inbox/failed/<job>__survey.csv          a file that could not be imported, kept
    inbox/commands/<job>.json               a signed CLI command for the app to run
                                            (:mod:`cem.cli.relay`); its result goes to
                                            ``results/<job>.json`` like a file's

A file is taken once its size and time have not changed for one poll (so a file still
being copied waits), or at once when its ``.options.json`` is there (the CLI writes the
options first, then renames the file in). Names starting with ``.`` or ending in
``.part``/``.tmp`` are ignored: write under such a name, then rename. A file imported
without error is deleted; its result stays in ``results/``.

This module only moves files and reads/writes JSON: the import itself is the caller's
(:mod:`cem.cli.inbox`), with the same ingest path as the CLI and the Import page.

>>> import tempfile
>>> box = Path(tempfile.mkdtemp())
>>> src = box.parent / "x.csv"; _ = src.write_text("customer_id,nps\\nc1,9\\n")
>>> job = drop_file(box, src, {"workspace": "acme", "kind": "responses"})
>>> [(j.workspace, j.options["kind"]) for j in claim_jobs(box, {})]
[('acme', 'responses')]
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cem.errors import InputError, TouchpointError

ENV_INBOX = "TOUCHPOINT_INBOX"
OPTIONS_SUFFIX = ".options.json"
RESULTS = "results"
FAILED = "failed"
COMMANDS = "commands"
WORK = ".work"
KEY_FILE = ".relay.key"  # the secret that signs CLI commands (owner-only, see relay_key)
_IGNORED_SUFFIXES = (".part", ".tmp", OPTIONS_SUFFIX)
_RESERVED = {RESULTS, FAILED, WORK, COMMANDS}
OPTION_KEYS = ("workspace", "kind", "sheet", "map", "set", "on_duplicate", "job")


DEFAULT_DB_NAME = "touchpoint.duckdb"


def inbox_path(db_path: str | os.PathLike[str]) -> Path:
    """The inbox of the database at ``db_path``: ``$TOUCHPOINT_INBOX``, else beside the
    database: ``inbox/`` for the default ``touchpoint.duckdb``, ``<name>-inbox/`` for any
    other, so two apps serving two databases of one folder never take each other's files.

    >>> inbox_path("/srv/data/touchpoint.duckdb").name, inbox_path("/srv/data/shop.duckdb").name
    ('inbox', 'shop-inbox')
    """
    env = os.environ.get(ENV_INBOX)
    if env:
        return Path(env)
    path = Path(db_path).resolve()
    return path.parent / ("inbox" if path.name == DEFAULT_DB_NAME else f"{path.stem}-inbox")


@dataclass
class Job:
    """One file taken from the inbox, with its options."""

    job_id: str
    file: Path  # under inbox/.work/<job>/ while it runs
    name: str  # the file's own name, as dropped
    workspace: str | None
    options: dict[str, Any] = field(default_factory=dict)


def new_job_id() -> str:
    """A unique, sortable job id."""
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)


def drop_file(inbox: Path, source: Path, options: dict[str, Any]) -> str:
    """Hand ``source`` to the app: copy it into the inbox with its options; returns the
    job id whose result :func:`wait_result` waits for."""
    unknown = set(options) - set(OPTION_KEYS)
    if unknown:
        raise InputError(f"Unknown inbox options: {', '.join(sorted(unknown))}.")
    job = options.get("job") or new_job_id()
    inbox.mkdir(parents=True, exist_ok=True)
    name = f"{job}__{source.name}"
    staged = inbox / f".{name}.part"
    shutil.copyfile(source, staged)
    write_json(inbox / f"{name}{OPTIONS_SUFFIX}", {**options, "job": job})
    os.replace(staged, inbox / name)  # the file appears whole, its options already there
    return job


def claim_jobs(inbox: Path, sizes: dict[Path, tuple[int, int]]) -> list[Job]:
    """Take the files that are ready (see the module doc) into ``.work/``.

    ``sizes`` carries each waiting file's (size, mtime) from the previous poll; the caller
    keeps it between calls.
    """
    if not inbox.is_dir():
        return []
    jobs: list[Job] = []
    seen: set[Path] = set()
    for path in sorted(_candidates(inbox)):
        seen.add(path)
        sidecar = path.with_name(path.name + OPTIONS_SUFFIX)
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        mark = (stat.st_size, stat.st_mtime_ns)
        if not sidecar.exists() and sizes.get(path) != mark:
            sizes[path] = mark  # wait one more poll: it may still be being written
            continue
        sizes.pop(path, None)
        jobs.append(_claim(inbox, path, sidecar))
    for gone in set(sizes) - seen:
        sizes.pop(gone, None)
    return jobs


def _candidates(inbox: Path) -> list[Path]:
    out = []
    for entry in inbox.iterdir():
        if entry.name.startswith(".") or entry.name in _RESERVED:
            continue
        inner = entry.iterdir() if entry.is_dir() else [entry]
        out.extend(
            p
            for p in inner
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(_IGNORED_SUFFIXES)
        )
    return out


def _claim(inbox: Path, path: Path, sidecar: Path) -> Job:
    options: dict[str, Any] = {}
    problem = None
    if sidecar.exists():
        try:
            loaded = json.loads(sidecar.read_text(encoding="utf-8"))
            options = {k: v for k, v in loaded.items() if k in OPTION_KEYS}
        except (OSError, ValueError) as exc:
            problem = f"its options file could not be read ({exc})"
    job_id = str(options.get("job") or new_job_id())
    name = path.name.removeprefix(f"{job_id}__")
    work = inbox / WORK / job_id
    work.mkdir(parents=True, exist_ok=True)
    moved = work / name
    os.replace(path, moved)
    sidecar.unlink(missing_ok=True)
    folder = path.parent.name if path.parent != inbox else None
    workspace = options.get("workspace") or folder
    if problem:
        options["problem"] = problem
    return Job(job_id, moved, name, workspace, options)


def finish_job(inbox: Path, job: Job, exit_code: int, lines: list[str]) -> Path:
    """Write the job's result and clear its work folder: the file is deleted when it was
    imported (exit code 0), else kept in ``failed/``. Returns the result file."""
    if exit_code != 0 and job.file.exists():
        failed = inbox / FAILED
        failed.mkdir(parents=True, exist_ok=True)
        os.replace(job.file, failed / f"{job.job_id}__{job.name}")
    shutil.rmtree(job.file.parent, ignore_errors=True)
    result = inbox / RESULTS / f"{job.job_id}.json"
    write_json(
        result,
        {
            "job": job.job_id,
            "file": job.name,
            "workspace": job.workspace,
            "exit_code": exit_code,
            "lines": lines,
            "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    return result


class InboxTimeout(TouchpointError):
    """The app did not report on a file handed to it in time."""


def wait_result(inbox: Path, job_id: str, timeout: float, alive: Any = None) -> dict[str, Any]:
    """Wait for the result of ``job_id`` (polling); ``alive()`` says whether the app still
    runs, so a stopped app ends the wait at once."""
    result = inbox / RESULTS / f"{job_id}.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result.exists():
            return json.loads(result.read_text(encoding="utf-8"))
        if alive is not None and not alive():
            break
        time.sleep(0.25)
    raise InboxTimeout(
        f"The app did not report on inbox job {job_id} within {timeout:.0f} s (is it still "
        f"running?). The file waits in {inbox}; its result will be in {result}. "
        "Set TOUCHPOINT_INBOX_WAIT (seconds) to wait longer."
    )


def write_json(path: Path, data: dict[str, Any], private: bool = False) -> None:
    """Write JSON atomically (a reader never sees half a file); ``private``: readable by
    the owner only (a command may carry a password read from standard input)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, ensure_ascii=False, indent=1))
    os.replace(tmp, path)


def relay_key(inbox: Path, create: bool = False) -> bytes:
    """The secret that signs commands handed to the app (``inbox/.relay.key``, readable by
    its owner only): the app creates it (``create``), the CLI reads it. Whoever may read it
    may also open the database file, so it grants nothing the file does not."""
    path = inbox / KEY_FILE
    if create and not path.exists():
        inbox.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    try:
        return path.read_text(encoding="ascii").strip().encode("ascii")
    except OSError as exc:
        raise InputError(
            f"Cannot read the app's command key {path} ({exc.strerror}): run the command as "
            "the user who runs the app, or stop the app and run it again."
        ) from exc


def drop_command(inbox: Path, payload: dict[str, Any]) -> str:
    """Hand a signed command (:mod:`cem.cli.relay`) to the app; returns its job id."""
    job = str(payload.get("job") or new_job_id())
    write_json(inbox / COMMANDS / f"{job}.json", {**payload, "job": job}, private=True)
    return job


def claim_commands(inbox: Path) -> list[dict[str, Any]]:
    """Take the commands waiting in ``inbox/commands/`` (oldest first), removing each file;
    one that cannot be read comes back as ``{"job": …, "problem": …}``."""
    folder = inbox / COMMANDS
    if not folder.is_dir():
        return []
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            payload = {"problem": f"the command file could not be read ({exc})"}
        payload["job"] = path.stem
        path.unlink(missing_ok=True)
        out.append(payload)
    return out
