"""Touchpoint's error types.

Every error that Touchpoint raises on purpose derives from :class:`TouchpointError`,
so pages and the CLI can catch one type and show a one-line message instead of a
traceback. Errors caused by what a user gave us (a file, a filter, a name) also
derive from :class:`ValueError`.

>>> try:
...     raise InputError("sales.csv: the file is empty")
... except TouchpointError as exc:
...     str(exc)
'sales.csv: the file is empty'
"""

from __future__ import annotations


class TouchpointError(Exception):
    """Root of every error Touchpoint raises on purpose."""


class InputError(TouchpointError, ValueError):
    """Something a user gave us (a file, a value, a name) cannot be used."""


class FileFormatError(InputError):
    """An uploaded file is not what it claims to be, or cannot be read."""


class MappingError(InputError):
    """The columns of a file cannot be mapped to the roles a kind of data needs."""


class NotFoundError(TouchpointError, LookupError):
    """A workspace, journey, stage or touchpoint that was asked for does not exist."""


class ConflictError(TouchpointError):
    """An edit was based on a stale version: someone else changed the object first."""


class DuplicateImportError(InputError):
    """The same file content was already imported into this workspace."""

    def __init__(self, message: str, import_id: int) -> None:
        super().__init__(message)
        self.import_id = import_id


class AccessDenied(TouchpointError, PermissionError):
    """The acting principal may not do this (see :mod:`cem.access`)."""


class ShareLinkInvalid(TouchpointError, ValueError):
    """A share link cannot be opened: tampered, expired, revoked or unknown (one sentence)."""
