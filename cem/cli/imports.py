"""``python -m cem import``: the CLI glue around :func:`cem.ingest.load.import_file`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from cem.access.principal import CLI_ADMIN
from cem.errors import FileFormatError, InputError

if TYPE_CHECKING:
    from cem.store.db import Database


def _pairs(items: list[str], flag: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"{flag} expects ROLE=VALUE, got “{item}”.")
        role, value = item.split("=", 1)
        out[role.strip()] = value
    return out


def check_file(file: str) -> None:
    """A one-line error when ``file`` does not exist."""
    if not Path(file).exists():
        raise FileFormatError(f"{file}: there is no such file.")


ENV_IMPORT_MEMORY = "TOUCHPOINT_IMPORT_MEMORY"
DEFAULT_IMPORT_MEMORY = "600MB"


def import_memory_limit() -> str | None:
    """DuckDB's memory cap while ``python -m cem import`` loads a file in its own process:
    ``$TOUCHPOINT_IMPORT_MEMORY`` (a size such as ``1GB``; ``none`` for no cap), else 600 MB,
    which keeps a 10M-row import under 1 GB of memory (the rows spill to disk).

    >>> import os; os.environ[ENV_IMPORT_MEMORY] = "none"; import_memory_limit() is None
    True
    >>> del os.environ[ENV_IMPORT_MEMORY]; import_memory_limit()
    '600MB'
    """
    value = os.environ.get(ENV_IMPORT_MEMORY, "").strip() or DEFAULT_IMPORT_MEMORY
    return None if value.lower() == "none" else value


def run_cli_import(
    db: Database,
    args: argparse.Namespace,
    out: TextIO | None = None,
    memory_limit: str | None = None,
) -> int:
    """``python -m cem import``: prints rows loaded/rejected and the first reject reasons
    (to ``out``, stdout by default; the app's inbox collects them for the CLI).
    ``memory_limit`` caps DuckDB's memory during the load (the CLI's own process only).

    Exit status 0 when the file was read (even with rejected rows); errors raise a
    :class:`~cem.errors.TouchpointError`, which the CLI prints as one line (status 2).
    """
    from cem.cli.voc import install_cli_import_hook
    from cem.ingest.load import import_file

    foreground = getattr(args, "foreground_analysis", True)
    if foreground:
        install_cli_import_hook()
    check_file(args.file)
    path = Path(args.file)
    workspace = args.workspace  # created by the import's own transaction, only if it loads
    last = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if foreground and (fraction - last[0] >= 0.1 or fraction >= 1.0):
            last[0] = fraction
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    def emit(line: str) -> None:
        print(line, file=out or sys.stdout)

    result = import_file(
        db,
        workspace,
        str(path),
        args.kind,
        actor=CLI_ADMIN,
        file_name=getattr(args, "file_name", None) or path.name,
        sheet=args.sheet,
        overrides=_pairs(args.map, "--map") or None,
        constants=_pairs(args.set, "--set") or None,
        on_duplicate=args.on_duplicate,
        progress=progress,
        memory_limit=memory_limit,
    )
    emit(result.summary())
    if result.skipped_duplicate_of is None:
        emit(f"Read as {result.described}; mapping: {result.mapping.summary()}")
        if result.replaced_import_id is not None:
            emit(f"Replaced import #{result.replaced_import_id}.")
        if result.rows_rejected:
            emit("First rejected rows (row numbers as in the file):")
            for row, column, value, reason in result.reject_rows[:10]:
                where = f"row {row}" + (f", column “{column}”" if column else "")  # None: the row
                shown = (
                    f" (value: {value!s})" if isinstance(value, str) and value and column else ""
                )
                emit(f"  {where}: {reason}{shown}")
        for note in result.notes:
            emit(f"Note: {note}")
    if foreground:
        from cem.cli.voc import analyse_pending

        analyse_pending(db)  # after the result is printed (cem.cli.voc)
    return 0
