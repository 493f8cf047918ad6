"""DuckDB's errors in words a user can act on.

:func:`store_error` turns a DuckDB exception about the database file into a
:class:`~cem.errors.TouchpointError` that says which file, what happened and what to do;
:class:`~cem.store.db.Database` raises these instead of DuckDB's own messages.

>>> import duckdb
>>> err = store_error(duckdb.IOException(
...     'IO Error: Could not set lock on file "/d/t.duckdb": Conflicting lock is held in '
...     '/usr/bin/python3 (PID 4242). See also https://duckdb.org/docs'), "/d/t.duckdb")
>>> type(err).__name__, "process 4242" in str(err), "another Touchpoint process" in str(err)
('DatabaseLockedError', True, True)
"""

from __future__ import annotations

import re

import duckdb

from cem.errors import TouchpointError


class StoreError(TouchpointError):
    """The database file cannot be used as asked."""


class DatabaseLockedError(StoreError):
    """Another process holds the database file open (``pid``: that process, when known)."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class SnapshotWriteError(StoreError):
    """A command tried to change a database opened read-only (the app's snapshot)."""


class SnapshotMissingError(StoreError):
    """The app holds the database and has not (yet) written the snapshot a reader needs."""


class ReadOnlyDatabaseError(StoreError):
    """The database file (or its folder, or its disk) cannot be written."""


class DiskFullError(StoreError):
    """The disk holding the database is full."""


class CorruptDatabaseError(StoreError):
    """The database file is damaged or is not a DuckDB database."""


_PID = re.compile(r"\(PID (\d+)\)")
_LOCKED = ("could not set lock", "conflicting lock")
_READ_ONLY = ("permission denied", "operation not permitted", "read-only file system")
_DISK_FULL = ("no space left on device", "disk is full", "disk full", "not enough space")
_SNAPSHOT = ("read-only mode",)
_CORRUPT = ("not a valid duckdb database", "corrupt database", "checksum", "invalid database")


def store_error(exc: BaseException, path: str) -> StoreError | None:
    """The domain error for a DuckDB exception about ``path``, or None when it is not
    about the database file (a bug or a bad query, which must surface as such)."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc).lower()
    if any(k in text for k in _LOCKED):
        pid = _PID.search(str(exc))
        holder = f" (process {pid.group(1)})" if pid else ""
        return DatabaseLockedError(
            f"The database {path} is open in another Touchpoint process{holder}: another "
            "`python -m cem serve` / `make run` or a running `python -m cem` command. Stop "
            "that process (or wait for it to finish), or set TOUCHPOINT_DB to another "
            "database file, then try again.",
            pid=int(pid.group(1)) if pid else None,
        )
    if any(k in text for k in _SNAPSHOT):
        return SnapshotWriteError(
            f"{path} is a read-only snapshot of a database that the app has open, so this "
            "command cannot change it. Make the change in the app, or stop the app and run "
            "the command again."
        )
    if any(k in text for k in _DISK_FULL):
        return DiskFullError(
            f"The disk that holds the database {path} is full, so nothing was saved. "
            "Free some space (or set TOUCHPOINT_DB to a file on another disk) and try again."
        )
    if any(k in text for k in _READ_ONLY):
        return ReadOnlyDatabaseError(
            f"The database {path} cannot be written (the file, its folder or the disk is "
            "read-only for this user). Make it writable, or set TOUCHPOINT_DB to a writable "
            "copy, then try again."
        )
    if any(k in text for k in _CORRUPT):
        return CorruptDatabaseError(
            f"The database {path} is damaged or is not a Touchpoint database, so it cannot "
            "be opened. Restore it from a backup, or move it aside and start a new one "
            "(`python -m cem demo` rebuilds the demo)."
        )
    return None
