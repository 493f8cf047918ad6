"""Input limits: how big a file Touchpoint agrees to read, checked before any full read.

Every limit is read from an environment variable (``TOUCHPOINT_MAX_...``), so an
administrator changes it without touching code: export it before ``python -m cem serve`` /
``python -m cem``, or put it at the top level of ``.streamlit/secrets.toml`` (read by the
app and the command line alike; the environment wins; see ``secrets.toml.example``, which
lists every limit with its default).

Each refusal is one :class:`~cem.errors.FileFormatError` line that says the limit and how
to change it (:func:`refuse`).

>>> limits = Limits.from_env({"TOUCHPOINT_MAX_COLUMNS": "20"})
>>> limits.max_columns, limits.max_rows
(20, 5000000)
>>> try:
...     check_columns("wide.csv", 21, limits)
... except ValueError as exc:
...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
wide.csv has 21 columns; Touchpoint reads at most 20 (set TOUCHPOINT_MAX_COLUMNS in the
environment or in .streamlit/secrets.toml to raise it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from cem.errors import FileFormatError

MB = 1024 * 1024
SECRETS_TOML = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Limits:
    """The limits in force (defaults suit a laptop with 8 GB of memory)."""

    max_upload_mb: int = 200  # TOUCHPOINT_MAX_UPLOAD_MB: the file as uploaded
    max_xlsx_uncompressed_mb: int = 1024  # TOUCHPOINT_MAX_XLSX_UNCOMPRESSED_MB: a workbook's XML
    max_xlsx_ratio: int = 200  # TOUCHPOINT_MAX_XLSX_RATIO: uncompressed / compressed per part
    max_xlsx_cells: int = 20_000_000  # TOUCHPOINT_MAX_XLSX_CELLS: cells a sheet's range spans
    max_rows: int = 5_000_000  # TOUCHPOINT_MAX_ROWS: data rows of a file
    max_columns: int = 500  # TOUCHPOINT_MAX_COLUMNS: columns of a file
    max_cell_chars: int = 1_000_000  # TOUCHPOINT_MAX_CELL_CHARS: characters in one cell

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The limits from ``environ`` (default ``os.environ``); a value that is not a
        positive whole number keeps the default."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = env.get(env_name(f.name))
            if raw is None:
                continue
            try:
                number = int(str(raw).strip().replace("_", ""))
            except ValueError:
                continue
            if number > 0:
                values[f.name] = number
        return cls(**values)


def env_name(field_name: str) -> str:
    """The environment variable of a limit.

    >>> env_name("max_columns")
    'TOUCHPOINT_MAX_COLUMNS'
    """
    return "TOUCHPOINT_" + field_name.upper()


def current(secrets_toml: Path = SECRETS_TOML) -> Limits:
    """The limits in force now: the environment, else the top level of ``secrets.toml``
    (read on every call: cheap)."""
    return Limits.from_env({**_toml_settings(secrets_toml), **os.environ})


def _toml_settings(path: Path) -> dict[str, str]:
    """The ``TOUCHPOINT_MAX_*`` keys at the top level of ``path`` (none when it is absent
    or unreadable)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k: str(v) for k, v in data.items() if k.startswith("TOUCHPOINT_MAX_")}


def refuse(what: str, limit_field: str, limit: int | str) -> FileFormatError:
    """The one-line error for a file over a limit: ``what``; the limit; how to raise it."""
    return FileFormatError(
        f"{what}; Touchpoint reads at most {limit} (set {env_name(limit_field)} in the "
        "environment or in .streamlit/secrets.toml to raise it)."
    )


def check_file_size(name: str, size_bytes: int, limits: Limits | None = None) -> None:
    """Refuse a file larger than ``max_upload_mb``."""
    limits = limits or current()
    if size_bytes > limits.max_upload_mb * MB:
        raise refuse(
            f"{name} is {size_bytes / MB:,.0f} MB", "max_upload_mb", f"{limits.max_upload_mb} MB"
        )


def check_columns(name: str, columns: int, limits: Limits | None = None) -> None:
    """Refuse a file with more than ``max_columns`` columns."""
    limits = limits or current()
    if columns > limits.max_columns:
        raise refuse(f"{name} has {columns:,} columns", "max_columns", f"{limits.max_columns}")


def check_rows(name: str, rows: int, limits: Limits | None = None) -> None:
    """Refuse a file with more than ``max_rows`` data rows."""
    limits = limits or current()
    if rows > limits.max_rows:
        raise refuse(f"{name} has {rows:,} data rows", "max_rows", f"{limits.max_rows:,}")


def check_cell_length(name: str, chars: int, where: str = "", limits: Limits | None = None) -> None:
    """Refuse a file with a cell longer than ``max_cell_chars``."""
    limits = limits or current()
    if chars > limits.max_cell_chars:
        at = f" ({where})" if where else ""
        raise refuse(
            f"{name} has a cell of {chars:,} characters{at}",
            "max_cell_chars",
            f"{limits.max_cell_chars:,} per cell",
        )
