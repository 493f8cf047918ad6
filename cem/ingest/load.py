"""Import files into a workspace: read, map columns to roles, validate, load in one go.

One code path for the import page and ``python -m cem import``:

1. :func:`read_upload` (``cem.ingest.readers``) sniffs the file and takes a sample;
2. :func:`detect_mapping` proposes a role for every column (``cem.ingest.detect``) or reuses the
   mapping saved for a file with the same columns; :func:`apply_overrides` applies the
   user's choices (``--map``/``--set`` or the page's editor);
3. :func:`import_file` reads the file once with DuckDB's reader into a typed table (every
   role cast with ``TRY_CAST``/``try_strptime``, every invalid cell flagged, only invalid
   cells' raw text kept), then in **one transaction** inserts the valid rows, their
   attributes, the rejects, the ``imports`` record and the saved mapping. Any failure rolls
   everything back: the database is exactly as before.

What a valid row is: a response needs at least one answer (NPS, CSAT, CES, a comment, or a
rating attribute); an event needs a customer, a time and a touchpoint; a customer needs an
id. Scores out of range (NPS 0-10, CSAT 1-5, CES 1-7), text where a number or date belongs,
malformed rows and missing required values are rejected with the file's row number (row 1 is
the header, as in a spreadsheet; for workbooks, the sheet's own row number), the column and
the reason. Blank optional values are not errors: they load as NULL.

Columns without a role are kept as *attributes* (:mod:`cem.analytics.attributes`: one wide table per
import) and described in ``attribute_columns``: numeric if every non-blank value is a number, else text.
A numeric attribute is a *rating* when its values are whole numbers from 0 up to 4-10 with at
least three distinct values; a rating whose scale tops at 5 or 10 and where 0 occurs is
flagged ``zero_means_na`` (0 = not applicable, as survey tools export unanswered items).

Ids: a response/event loaded from an import gets ``import_id * 2**32 + its position in the
file`` as its id, so ids are unique without a sequence and attributes can refer to them.

DuckDB cannot bind ``read_csv`` arguments as parameters: file paths are quoted with
:func:`cem.store.db.sql_string`; user column names never reach SQL (the reader's columns are
``c0, c1, ...``); every user value (constants, names, workspace) is a bound parameter. The
reject handling relies on DuckDB's CSV reader (``store_rejects``), so this module uses
parameterised SQL rather than Ibis.

>>> import tempfile, os
>>> from cem.store.db import Database
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "survey.csv")
>>> _ = open(path, "w").write("Date,NPS,Comment\\n2024-03-01,9,Great\\n2024-03-02,12,Bad\\n"
...                          "2024-03-03,7,OK\\n")
>>> db = Database(":memory:")
>>> from cem.store.workspaces import ensure_workspace
>>> _ = ensure_workspace(db, "acme")
>>> result = import_file(db, "acme", path, "responses")
>>> result.rows_loaded, result.rows_rejected, result.rejects.iloc[0]["reason"]
(2, 1, 'NPS must be a whole number from 0 to 10')
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cem.analytics.attributes import (
    NUMERIC,
    TEXT,
    AttributeColumn,
    drop_import_attributes,
    forget_rows,
    store_attributes,
)
from cem.errors import DuplicateImportError, FileFormatError, InputError, MappingError
from cem.ingest.dates import DateFormat, alternative_format, detect_date_format
from cem.ingest.detect import (
    ATTRIBUTE,
    DATE_ROLES,
    FALSE_WORDS,
    IGNORE,
    KIND_HELP,
    ROLE_LABELS,
    ROLES,
    SCORE_RANGES,
    TRUE_WORDS,
    ColumnGuess,
    detect_roles,
    fallback_touchpoint,
    normalise_header,
)
from cem.ingest.readers import Upload, read_upload
from cem.store.db import Database, bump_revision

__all__ = [
    "KINDS",
    "KIND_HELP",
    "ROLES",
    "ImportResult",
    "Mapping",
    "Upload",
    "apply_overrides",
    "delete_import",
    "detect_mapping",
    "import_file",
    "import_rejects",
    "list_imports",
    "read_upload",
    "run_cli_import",
    "workspace_counts",
]

KINDS = tuple(ROLES)
NO_COLUMN = "(none)"  # the mapping editor's "no column" choice
CONSTANT_ROLES = frozenset({"channel", "touchpoint", "stage", "segment", "persona"})
REQUIRED: dict[str, tuple[str, ...]] = {
    "responses": (),
    "events": ("customer_id", "occurred_at", "touchpoint"),
    "customers": ("customer_id",),
}
ANSWER_ROLES = ("nps", "csat", "ces", "comment")
ID_STRIDE = 1 << 32
RESULT_REJECTS = 1000
MOSTLY_RAGGED = 0.5

Progress = Callable[[float, str], None]


# -- mapping ---------------------------------------------------------------------------
@dataclass
class Mapping:
    """Which column plays which role, for one kind of data.

    ``roles`` maps a role to a column name; ``constants`` gives a value for a role the file
    lacks; ``ignored`` columns are not loaded at all; every other column is an attribute.
    ``guesses`` keeps detection's per-column reasons for the page.
    """

    kind: str
    roles: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    date_formats: dict[str, DateFormat] = field(default_factory=dict)
    guesses: list[ColumnGuess] = field(default_factory=list)
    source: str = "detected"  # 'detected' | 'saved' | 'edited'
    notes: list[str] = field(default_factory=list)

    def role_of(self, column: str) -> str:
        """The role(s) of a column (``'channel + touchpoint'``), ``attribute`` or ``ignore``."""
        roles = [r for r, c in self.roles.items() if c == column]
        if roles:
            return " + ".join(roles)
        return IGNORE if column in self.ignored else ATTRIBUTE

    def attribute_columns(self, columns: list[str]) -> list[str]:
        """Columns kept as attributes (no role, not ignored)."""
        used = set(self.roles.values()) | set(self.ignored)
        return [c for c in columns if c not in used]

    def to_json(self) -> dict[str, Any]:
        """JSON-able form, stored with the import and in ``column_mappings``."""
        return {
            "kind": self.kind,
            "roles": dict(self.roles),
            "constants": dict(self.constants),
            "ignored": list(self.ignored),
            "date_formats": {c: f.to_json() for c, f in self.date_formats.items()},
        }

    def summary(self) -> str:
        """One line: ``nps=NPS_SCORE, submitted_at=Date (DD/MM/YYYY), touchpoint='purchase'``."""
        parts = []
        for role in ROLES[self.kind]:
            if role in self.roles:
                col = self.roles[role]
                fmt = self.date_formats.get(col)
                parts.append(f"{role}={col}" + (f" ({fmt.label})" if fmt else ""))
            elif role in self.constants:
                parts.append(f"{role}='{self.constants[role]}'")
        return ", ".join(parts) or "(no roles)"

    def editor_frame(self, upload: Upload) -> pd.DataFrame:
        """One row per role of the kind: the column used, or a constant (for the page)."""
        rows = []
        for role in ROLES[self.kind]:
            col = self.roles.get(role)
            guess = next((g for g in self.guesses if g.column == col), None)
            fmt = self.date_formats.get(col) if col else None
            rows.append(
                {
                    "role": role,
                    "meaning": ROLE_LABELS[role]
                    + (" (required)" if role in REQUIRED[self.kind] else ""),
                    "column": col or NO_COLUMN,
                    "constant": self.constants.get(role, ""),
                    "date format": fmt.label if fmt else "",
                    "why": (
                        guess.why
                        if guess and guess.role == role
                        else "no touchpoint column: the channel column is used"
                        if guess and role == "touchpoint" and guess.role == "channel"
                        else "chosen by you"
                        if col
                        else ""
                    ),
                }
            )
        return pd.DataFrame(rows)

    def columns_frame(self, upload: Upload) -> pd.DataFrame:
        """One row per file column: its role, confidence, reason and sample values."""
        rows = []
        guesses = {g.column: g for g in self.guesses}
        for col in upload.columns:
            g = guesses.get(col)
            role = self.role_of(col)
            values = [str(v) for v in upload.sample[col].head(50).tolist() if v is not None]
            examples = ", ".join(list(dict.fromkeys(values))[:3])
            rows.append(
                {
                    "column": col,
                    "role": role,
                    "confidence": g.confidence if g and g.role in role.split(" + ") else None,
                    "why": g.why
                    if g and g.role in role.split(" + ")
                    else (
                        "chosen by you" if role not in (ATTRIBUTE, IGNORE) else (g.why if g else "")
                    ),
                    "examples": examples[:80],
                }
            )
        return pd.DataFrame(rows)


def columns_signature(columns: list[str]) -> str:
    """Identifies a file layout: the sorted, normalised column names, hashed.

    >>> columns_signature(["NPS", "Date"]) == columns_signature([" date", "nps"])
    True
    """
    key = "\x1f".join(sorted(normalise_header(c) or c.strip().lower() for c in columns))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _date_format_for(upload: Upload, column: str) -> DateFormat | None:
    norm = normalise_header(column)
    hint = bool(re.search(r"\b(date|time|ts|ds|day|since|at|on|when|seen|timestamp|dt)\b", norm))
    return detect_date_format(upload.sample[column].tolist(), allow_serial=hint or True)


def detect_mapping(
    upload: Upload, kind: str, db: Database | None = None, workspace: str | None = None
) -> Mapping:
    """Propose a mapping: the one saved for this layout in the workspace, else detection."""
    if kind not in ROLES:
        raise InputError(f"Unknown kind “{kind}”: choose responses, events or customers.")
    guesses = detect_roles(upload.sample, kind)
    if db is not None and workspace is not None:
        saved = _saved_mapping(db, workspace, kind, upload.columns)
        if saved is not None:
            saved.guesses = guesses
            return saved
    roles = {g.role: g.column for g in guesses if g.role not in (ATTRIBUTE, IGNORE)}
    ignored = [g.column for g in guesses if g.role == IGNORE]
    date_formats = {
        g.column: g.date_format for g in guesses if g.role in DATE_ROLES and g.date_format
    }
    notes: list[str] = []
    if kind == "events" and "touchpoint" not in roles:
        fb = fallback_touchpoint(guesses)
        if fb is not None:
            roles["touchpoint"] = fb.column
            notes.append(
                f"No touchpoint column: the channel column “{fb.column}” is used as the "
                "touchpoint too (the journey is the path across channels/devices). Choose "
                "another column or set a constant to change it."
            )
    for g in guesses:
        if g.role in DATE_ROLES and g.date_format and g.date_format.ambiguous:
            notes.append(f"“{g.column}”: {g.date_format.note}.")
    return Mapping(kind, roles, {}, ignored, date_formats, guesses, "detected", notes)


def _saved_mapping(db: Database, workspace: str, kind: str, columns: list[str]) -> Mapping | None:
    row = db.execute(
        "SELECT mapping FROM column_mappings WHERE workspace = ? AND kind = ? "
        "AND columns_signature = ?",
        [workspace, kind, columns_signature(columns)],
    ).fetchone()
    if row is None:
        return None
    data = json.loads(row[0])
    by_norm = {c.strip().lower(): c for c in columns}

    def find(col: str) -> str | None:
        return col if col in columns else by_norm.get(col.strip().lower())

    roles = {
        r: c2 for r, c in data.get("roles", {}).items() if (c2 := find(c)) and r in ROLES[kind]
    }
    ignored = [c2 for c in data.get("ignored", []) if (c2 := find(c))]
    formats = {}
    for c, f in data.get("date_formats", {}).items():
        c2 = find(c)
        if c2:
            formats[c2] = DateFormat.from_json(f)
    return Mapping(
        kind,
        roles,
        dict(data.get("constants", {})),
        ignored,
        formats,
        [],
        "saved",
        ["Using the mapping saved when a file with the same columns was imported before."],
    )


def _find_column(upload: Upload, name: str) -> str:
    if name in upload.columns:
        return name
    lowered = {c.lower(): c for c in upload.columns}
    if name.strip().lower() in lowered:
        return lowered[name.strip().lower()]
    normed = {normalise_header(c): c for c in upload.columns}
    if normalise_header(name) in normed and normalise_header(name):
        return normed[normalise_header(name)]
    raise MappingError(
        f"{upload.file_name} has no column “{name}”. Its columns are: "
        + ", ".join(upload.columns[:40])
        + ("…" if len(upload.columns) > 40 else "")
    )


def apply_overrides(
    mapping: Mapping,
    upload: Upload,
    overrides: dict[str, str | None] | None = None,
    constants: dict[str, str | None] | None = None,
    ignored: list[str] | None = None,
    date_formats: dict[str, DateFormat] | None = None,
) -> Mapping:
    """A new mapping with the user's choices: ``overrides`` role -> column (``None``/"" =
    no column), ``constants`` role -> value (``None``/"" removes it), ``ignored`` columns.
    """
    kind = mapping.kind
    roles = dict(mapping.roles)
    consts = dict(mapping.constants)
    formats = dict(mapping.date_formats)
    for role, column in (overrides or {}).items():
        if role not in ROLES[kind]:
            raise MappingError(
                f"“{role}” is not a role of {kind}; roles are: {', '.join(ROLES[kind])}."
            )
        if column is None or str(column).strip() == "":
            roles.pop(role, None)
            continue
        col = _find_column(upload, str(column))
        # A column plays one role, except the events fallback (touchpoint = channel).
        for other, c in list(roles.items()):
            if c == col and other != role and {other, role} != {"channel", "touchpoint"}:
                roles.pop(other)
        roles[role] = col
        consts.pop(role, None)
        if role in DATE_ROLES and col not in formats:
            fmt = _date_format_for(upload, col)
            if fmt is None:
                examples = [str(v) for v in upload.sample[col].dropna().head(3).tolist()]
                raise MappingError(
                    f"Column “{col}” does not look like dates (e.g. {', '.join(examples)!s}); "
                    f"choose another column for {ROLE_LABELS[role]}."
                )
            formats[col] = fmt
    for role, value in (constants or {}).items():
        if role not in ROLES[kind]:
            raise MappingError(
                f"“{role}” is not a role of {kind}; roles are: {', '.join(ROLES[kind])}."
            )
        if value is None or str(value).strip() == "":
            consts.pop(role, None)
            continue
        if role not in CONSTANT_ROLES:
            raise MappingError(
                f"A constant can be set only for {', '.join(sorted(CONSTANT_ROLES))}, "
                f"not for {role}."
            )
        if role in roles and role not in (overrides or {}):
            roles.pop(role)
        consts[role] = str(value).strip()
    ign = list(mapping.ignored if ignored is None else ignored)
    for col in ign:
        if col not in upload.columns:
            raise MappingError(f"{upload.file_name} has no column “{col}”.")
    if date_formats:
        formats.update(date_formats)
    used = set(roles.values())
    formats = {c: f for c, f in formats.items() if c in used}
    changed = roles != mapping.roles or consts != mapping.constants or ign != mapping.ignored
    return Mapping(
        kind,
        roles,
        consts,
        [c for c in ign if c not in used],
        formats,
        mapping.guesses,
        "edited" if changed else mapping.source,
        mapping.notes,
    )


def check_mapping(mapping: Mapping, upload: Upload) -> None:
    """Raise :class:`MappingError` when the kind's required roles have no column/constant."""
    kind = mapping.kind
    missing = [r for r in REQUIRED[kind] if r not in mapping.roles and r not in mapping.constants]
    if missing:
        hint = " or ".join(f"--map {r}=COLUMN" for r in missing)
        extra = ""
        if "touchpoint" in missing:
            extra = " (or give a constant: --set touchpoint=purchase)"
        raise MappingError(
            f"{upload.file_name}: no column looks like the "
            + ", ".join(ROLE_LABELS[r] for r in missing)
            + f" that {kind} need. Choose the column on the import page or use {hint}{extra}."
        )
    if kind == "responses" and not any(r in mapping.roles for r in ANSWER_ROLES):
        if not _sample_has_rating(mapping, upload):
            raise MappingError(
                f"{upload.file_name}: no column looks like an answer (NPS, CSAT, CES, a comment "
                "or a 0-10 rating). Choose the roles on the import page or use --map ROLE=COLUMN "
                "(e.g. --map nps=Score)."
            )


def _sample_has_rating(mapping: Mapping, upload: Upload) -> bool:
    for col in mapping.attribute_columns(upload.columns):
        vals = [str(v).strip() for v in upload.sample[col].tolist() if v is not None]
        vals = [v for v in vals if v]
        try:
            nums = [float(v) for v in vals]
        except ValueError:
            continue
        if nums and _is_rating(
            min(nums), max(nums), all(x.is_integer() for x in nums), len(set(nums))
        ):
            return True
    return False


def _is_rating(vmin: float, vmax: float, integer: bool, distinct: int) -> bool:
    return integer and vmin >= 0 and 4 <= vmax <= 10 and distinct >= 3


# -- results ---------------------------------------------------------------------------
@dataclass
class ImportResult:
    """What an import did."""

    import_id: int | None
    workspace: str
    kind: str
    file_name: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: pd.DataFrame  # the first RESULT_REJECTS: row, column, value, reason
    mapping: Mapping
    date_formats: dict[str, str]
    described: str = ""
    skipped_duplicate_of: int | None = None
    replaced_import_id: int | None = None
    seconds: float = 0.0
    customers_updated: int = 0  # customers an earlier import had, now replaced by this file

    def summary(self) -> str:
        """The line the CLI prints."""
        if self.skipped_duplicate_of is not None:
            return (
                f"{self.file_name}: already imported (import #{self.skipped_duplicate_of}); "
                "skipped, nothing loaded."
            )
        return (
            f"{self.file_name}: {self.rows_loaded:,} rows loaded, {self.rows_rejected:,} rejected "
            f"(of {self.rows_read:,} read) into {self.kind} of workspace '{self.workspace}' "
            f"as import #{self.import_id}"
            + (
                f"; {self.customers_updated:,} of them "
                + ("replaces a customer" if self.customers_updated == 1 else "replace customers")
                + " loaded before."
                if self.customers_updated
                else "."
            )
        )


# -- SQL building blocks ---------------------------------------------------------------
def _num(col: str, decimal_comma: bool = False) -> str:
    """SQL: a text column as DOUBLE (NULL when blank or not a number). Plain numbers take
    the fast cast; only the others are cleaned of currency signs and thousands separators."""
    if decimal_comma:
        text = f"replace(replace(trim({col}), '.', ''), ',', '.')"
        return f"TRY_CAST({text} AS DOUBLE)"
    cleaned = f"replace(regexp_replace(trim({col}), '^[£$€¥]\\s*|\\s*[£$€¥%]$', ''), ',', '')"
    return (
        f"coalesce(TRY_CAST({col} AS DOUBLE), CASE WHEN {col} IS NOT NULL THEN "
        f"TRY_CAST({cleaned} AS DOUBLE) END)"
    )


def _trimmed(col: str) -> str:
    """SQL: a text column without surrounding spaces, NULL when blank. Only values that
    start or end with a space pay for ``trim`` (most values do not).

    >>> _trimmed("c0")
    "CASE WHEN prefix(c0, ' ') OR suffix(c0, ' ') THEN NULLIF(trim(c0), '') ELSE NULLIF(c0, '') END"
    """
    return (
        f"CASE WHEN prefix({col}, ' ') OR suffix({col}, ' ') THEN NULLIF(trim({col}), '') "
        f"ELSE NULLIF({col}, '') END"
    )


def _blank(col: str) -> str:
    return f"({col} IS NULL OR trim({col}) = '')"


def _date(col: str, fmt: DateFormat) -> str:
    v = _trimmed(col)
    if fmt.kind == "iso":
        return f"TRY_CAST({v} AS TIMESTAMP)"
    if fmt.kind == "excel":
        x = f"TRY_CAST({v} AS DOUBLE)"
        return (
            f"CASE WHEN {x} BETWEEN 1 AND 2958465 THEN TIMESTAMP '1899-12-30' + "
            f"to_microseconds(CAST(round({x} * 86400000000) AS BIGINT)) END"
        )
    formats = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in fmt.formats) + "]"
    return f"try_strptime({v}, {formats})"


def _decimal_comma(upload: Upload, column: str) -> bool:
    if upload.delimiter == ",":
        return False
    vals = [str(v).strip() for v in upload.sample[column].tolist() if v is not None]
    comma = sum(1 for v in vals if re.fullmatch(r"-?[£$€]?\s*\d{1,3}(\.\d{3})*,\d+", v))
    dot = sum(1 for v in vals if re.fullmatch(r"-?[£$€]?\s*\d+\.\d+", v))
    return comma > 0 and dot == 0


@dataclass
class _Check:
    column: str  # the file's column name (reported)
    sql_col: str  # c<i>: its raw text is kept (for invalid cells only) as the reject's value
    bad: str  # SQL condition over the typed row: this cell is invalid
    reason: str


@dataclass
class _Attribute:
    name: str  # the file's column name
    text: str  # x<k>: the trimmed text (NULL when blank)
    number: str | None  # n<k>: the number, for columns whose sample is all numbers


@dataclass
class _Plan:
    typed: dict[str, str]  # t_<role> / x<k> / n<k> -> SQL expression over the raw columns
    final: dict[str, str]  # table column -> SQL expression over the typed table
    params: list[Any]  # bound values in ``final`` (constants), in order of appearance
    checks: list[_Check]  # per-cell checks, evaluated while typing
    late_checks: list[_Check]  # checks across rows (window), evaluated over the typed table
    attributes: list[_Attribute]

    @property
    def checked_columns(self) -> list[str]:
        """The raw columns whose invalid cells are kept for the rejects (``c<i>``)."""
        return sorted({ch.sql_col for ch in self.checks}, key=lambda c: int(c[1:]))


def _role_plan(upload: Upload, mapping: Mapping, numeric: set[str]) -> _Plan:
    """Typed expressions (computed once, into a typed table straight from the file) and the
    validation checks over them, for every role of the mapping. ``numeric``: the attribute
    columns whose sample is all numbers (they get a number besides their text)."""
    kind = mapping.kind
    idx = {c: f"c{i}" for i, c in enumerate(upload.columns)}
    typed: dict[str, str] = {}
    final: dict[str, str] = {}
    params: list[Any] = []
    checks: list[_Check] = []
    late: list[_Check] = []
    for role in ROLES[kind]:
        col = mapping.roles.get(role)
        label = ROLE_LABELS[role]
        t = f"t_{role}"
        if col is None:
            if role in mapping.constants:
                final[role] = f"CAST({_param(params, mapping.constants[role])} AS VARCHAR)"
            else:
                final[role] = "NULL"
            continue
        c = idx[col]
        filled = f"NOT {_blank(c)}"
        if role in SCORE_RANGES:
            lo, hi = SCORE_RANGES[role]
            typed[t] = _num(c)
            final[role] = f"CAST({t} AS SMALLINT)"
            checks.append(
                _Check(col, c, f"({t} IS NULL AND {filled})", f"{role.upper()} is not a number")
            )
            checks.append(
                _Check(
                    col,
                    c,
                    f"({t} <> floor({t}) OR {t} < {lo} OR {t} > {hi})",
                    f"{role.upper()} must be a whole number from {lo} to {hi}",
                )
            )
        elif role in DATE_ROLES:
            fmt = mapping.date_formats.get(col) or _date_format_for(upload, col)
            if fmt is None:
                raise MappingError(f"Column “{col}” does not look like dates; choose another.")
            mapping.date_formats[col] = fmt
            typed[t] = _date(c, fmt)
            final[role] = t
            checks.append(
                _Check(
                    col, c, f"({t} IS NULL AND {filled})", f"not a date in the format {fmt.label}"
                )
            )
        elif role == "churned":
            trues = ", ".join("'" + w + "'" for w in sorted(TRUE_WORDS))
            falses = ", ".join("'" + w + "'" for w in sorted(FALSE_WORDS))
            typed[t] = (
                f"CASE WHEN lower(trim({c})) IN ({trues}) THEN true "
                f"WHEN lower(trim({c})) IN ({falses}) THEN false END"
            )
            final[role] = t
            checks.append(_Check(col, c, f"({t} IS NULL AND {filled})", "not a yes/no value"))
        elif role == "revenue":
            typed[t] = _num(c, _decimal_comma(upload, col))
            final[role] = t
            checks.append(_Check(col, c, f"({t} IS NULL AND {filled})", "revenue is not a number"))
        else:
            typed[t] = _trimmed(c)
            final[role] = t
        if role in REQUIRED[kind]:
            checks.append(_Check(col, c, f"({t} IS NULL AND NOT {filled})", f"missing {label}"))
    if kind == "customers" and mapping.roles.get("customer_id"):
        # One row per customer: a later row with the same id is rejected, naming the reason
        # (the first one is kept, so re-exports with repeated rows still load cleanly).
        late.append(
            _Check(
                mapping.roles["customer_id"],
                "t_customer_id",
                "(t_customer_id IS NOT NULL AND row_number() OVER "
                "(PARTITION BY t_customer_id ORDER BY rowid) > 1)",
                "the same customer id is on an earlier row of this file",
            )
        )
    attrs: list[_Attribute] = []
    for k, col in enumerate(mapping.attribute_columns(upload.columns)):
        c = idx[col]
        typed[f"x{k}"] = _trimmed(c)
        number = None
        if col in numeric:
            number = f"n{k}"
            typed[number] = _num(c, _decimal_comma(upload, col))
        attrs.append(_Attribute(col, f"x{k}", number))
    return _Plan(typed, final, params, checks, late, attrs)


def _param(params: list[Any], value: Any) -> str:
    params.append(value)
    return "?"


def _numeric_in_sample(cur: Any, upload: Upload, columns: list[str]) -> set[str]:
    """The columns whose sample values all read as numbers (with the import's own SQL): only
    they can be numeric over the whole file, so only they are typed as numbers too."""
    if not columns:
        return set()
    sample = pd.DataFrame(
        {f"s{k}": upload.sample[col].astype(object) for k, col in enumerate(columns)}
    )
    cur.register("tp_upload_sample", sample)
    try:
        parts = [
            f"count(NULLIF(trim(CAST(s{k} AS VARCHAR)), '')) = "
            f"count({_num(f'CAST(s{k} AS VARCHAR)', _decimal_comma(upload, col))})"
            for k, col in enumerate(columns)
        ]
        row = cur.execute(f"SELECT {', '.join(parts)} FROM tp_upload_sample").fetchall()[0]
    finally:
        cur.unregister("tp_upload_sample")
    return {col for col, ok in zip(columns, row, strict=True) if ok}


def _attribute_stats(cur: Any, plan: _Plan, typed: str) -> tuple[list[AttributeColumn], set[str]]:
    """Describe every attribute column over the whole file (from the typed table): numeric
    if every non-blank value is a number; min/max; distinct values; and which are ratings
    (whole numbers from 0 up to 4-10, at least three values), with ``zero_means_na``."""
    if not plan.attributes:
        return [], set()
    parts = []
    for a in plan.attributes:
        n = a.number or "NULL::DOUBLE"
        parts.append(
            f"count({a.text}), count({n}), min({n}), max({n}), "
            f"count(*) FILTER (WHERE {n} <> floor({n})), approx_count_distinct({a.text})"
        )
    row = cur.execute(f"SELECT {', '.join(parts)} FROM {typed}").fetchone()
    out = []
    ratings = set()
    for k, a in enumerate(plan.attributes):
        nonblank, numeric, vmin, vmax, fractional, distinct = row[k * 6 : k * 6 + 6]
        is_num = nonblank > 0 and numeric == nonblank
        integer = is_num and fractional == 0
        rating = bool(is_num and _is_rating(vmin, vmax, integer, int(distinct or 0)))
        if rating:
            ratings.add(a.name)
        out.append(
            AttributeColumn(
                a.name,
                a.number if is_num and a.number else a.text,
                NUMERIC if is_num else TEXT,
                float(vmin) if is_num else None,
                float(vmax) if is_num else None,
                bool(rating and vmin == 0 and vmax in (5, 10)),
                int(distinct or 0),
            )
        )
    return out, ratings


# -- import ----------------------------------------------------------------------------
def _noop(_fraction: float, _message: str) -> None:
    return None


def _existing_import(cur: Any, workspace: str, content_hash: str) -> int | None:
    row = cur.execute(
        "SELECT import_id FROM imports WHERE workspace = ? AND content_hash = ? "
        "ORDER BY import_id LIMIT 1",
        [workspace, content_hash],
    ).fetchone()
    return int(row[0]) if row else None


# Called as hook(db, workspace, kind) after an import has committed (cem.ui.voc, cem.cli.voc).
AFTER_IMPORT: list[Callable[[Database, str, str], object]] = []


def import_file(
    db: Database,
    workspace: str,
    path: str | os.PathLike[str] | bytes | Upload,
    kind: str,
    *,
    file_name: str | None = None,
    sheet: str | None = None,
    mapping: Mapping | None = None,
    overrides: dict[str, str | None] | None = None,
    constants: dict[str, str | None] | None = None,
    ignored: list[str] | None = None,
    on_duplicate: str = "error",
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file into ``workspace`` as ``kind`` (responses, events or customers).

    ``path`` is a file path, the file's bytes, or an :class:`Upload` already read (the page).
    ``mapping`` (else the saved or detected one) is adjusted by ``overrides``/``constants``/
    ``ignored``. ``on_duplicate``: ``'error'`` raises :class:`DuplicateImportError` when the
    same content was imported into the workspace before, ``'skip'`` loads nothing and says so,
    ``'replace'`` deletes the earlier import's rows and loads anew (one transaction).
    ``progress(fraction, message)`` is called as the work advances.
    """
    report = progress or _noop
    started = time.perf_counter()
    if kind not in ROLES:
        raise InputError(f"Unknown kind “{kind}”: choose responses, events or customers.")
    if on_duplicate not in ("error", "skip", "replace"):
        raise InputError("on_duplicate must be error, skip or replace.")
    report(0.02, "Reading the file")
    own_upload = not isinstance(path, Upload)
    upload = path if isinstance(path, Upload) else read_upload(path, file_name, sheet)
    try:
        report(0.1, "Matching columns to roles")
        if mapping is None:
            mapping = detect_mapping(upload, kind, db, workspace)
        elif mapping.kind != kind:
            raise InputError(f"The mapping is for {mapping.kind}, not {kind}.")
        if overrides or constants or ignored is not None:
            mapping = apply_overrides(mapping, upload, overrides, constants, ignored)
        else:
            mapping = replace(mapping, date_formats=dict(mapping.date_formats))
        check_mapping(mapping, upload)
        try:
            result = _load(db, workspace, upload, mapping, on_duplicate, report, started)
        except duckdb.Error as exc:  # the transaction has rolled back: nothing was loaded
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise FileFormatError(
                f"{upload.file_name} could not be imported ({first}). Nothing was loaded."
            ) from exc
        for hook in AFTER_IMPORT:  # e.g. comment analysis in the background (cem.voc.jobs)
            hook(db, workspace, kind)
        return result
    finally:
        if own_upload:
            upload.close()


def _load(
    db: Database,
    workspace: str,
    upload: Upload,
    mapping: Mapping,
    on_duplicate: str,
    report: Progress,
    started: float,
) -> ImportResult:
    kind = mapping.kind
    with db.transaction() as cur:
        existing = _existing_import(cur, workspace, upload.content_hash)
        replaced = None
        if existing is not None:
            if on_duplicate == "skip":
                return ImportResult(
                    None,
                    workspace,
                    kind,
                    upload.file_name,
                    0,
                    0,
                    0,
                    _empty_rejects(),
                    mapping,
                    {},
                    upload.described,
                    skipped_duplicate_of=existing,
                    seconds=time.perf_counter() - started,
                )
            if on_duplicate == "error":
                raise DuplicateImportError(
                    f"{upload.file_name} was already imported into '{workspace}' "
                    f"(import #{existing}). Skip it, or replace the earlier import.",
                    existing,
                )
            report(0.12, f"Removing the earlier import #{existing}")
            _delete_import_rows(cur, workspace, existing)
            replaced = existing
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [workspace])
        import_id = int(cur.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])

        report(0.15, f"Loading {upload.file_name} ({upload.described})")
        upload.register(cur)
        _settle_ambiguous_dates(cur, upload, mapping)
        numeric = _numeric_in_sample(cur, upload, mapping.attribute_columns(upload.columns))
        plan = _role_plan(upload, mapping, numeric)
        typed = _read_typed(cur, upload, plan, import_id)

        report(0.45, "Checking dates and values")
        # From here on rows carry their file position in columns, so DuckDB may write them
        # in any order: much faster parallel inserts of large files (this cursor only).
        cur.execute("SET preserve_insertion_order = false")
        attributes, ratings = _attribute_stats(cur, plan, typed.table)
        answer = _answer_condition(mapping, plan, attributes, ratings)
        if answer == "false":
            raise MappingError(
                f"{upload.file_name}: no column holds an answer (NPS, CSAT, CES, a comment or a "
                "0-10 rating). Choose the roles on the import page or use --map ROLE=COLUMN."
            )
        checked, row_ok = _checked_rows(plan, typed, answer)

        report(0.55, "Loading the valid rows")
        loaded, updated = _insert_rows(
            cur, workspace, kind, import_id, plan, typed.table, checked, row_ok, attributes
        )

        report(0.85, "Recording rejected rows")
        _record_rejects(cur, import_id, plan, typed, checked, answer is not None)
        rejected = typed.total - loaded
        report(0.9, "Recording the import")
        _record_import(cur, workspace, import_id, upload, mapping, typed.total, loaded)
        for obj in typed.scratch_tables:
            cur.execute(f"DROP TABLE IF EXISTS {obj}")
        bump_revision(cur, workspace)
        rejects = cur.execute(
            "SELECT source_row AS row, column_name AS column, value, reason FROM import_rejects "
            "WHERE import_id = ? ORDER BY source_row NULLS FIRST, column_name LIMIT ?",
            [import_id, RESULT_REJECTS],
        ).df()
    report(1.0, f"Done: {loaded:,} rows loaded, {rejected:,} rejected")
    return ImportResult(
        import_id,
        workspace,
        kind,
        upload.file_name,
        typed.total,
        loaded,
        rejected,
        rejects,
        mapping,
        {c: f.label for c, f in mapping.date_formats.items()},
        upload.described,
        replaced_import_id=replaced,
        seconds=time.perf_counter() - started,
        customers_updated=updated,
    )


@dataclass
class _Typed:
    """The typed table of one import and how to find each record's place in the file."""

    table: str
    pos: str  # SQL: the record's 0-based position among the records read
    row: str  # SQL: the record's row in the file (the header is row 1)
    total: int  # records in the file, malformed ones included
    n_cols: int
    carried: list[str]  # source columns kept as they are (__row, __nfields)
    malformed: list[tuple[int, str, str]]  # (row, raw line, reason) the reader skipped
    scratch_tables: list[str]


def _read_typed(cur: Any, upload: Upload, plan: _Plan, import_id: int) -> _Typed:
    """One pass over the file: parse, type every role, flag invalid cells, into a temp
    table. Only the raw text of invalid cells is kept (for the rejects); rows keep the
    file's order, so ``rowid`` gives each record's position. Then count the records,
    refuse a mostly ragged file, and number the rows as the file does."""
    typed = f"tp_typed_{import_id}"
    rj_table, rj_scan = f"tp_rejects_{import_id}", f"tp_scans_{import_id}"
    is_csv = upload.format == "csv"
    carried = [c for c in ("__row", "__nfields") if c in upload.extra_columns]
    inner = [f"{expr} AS {name}" for name, expr in plan.typed.items()]
    inner += plan.checked_columns + carried
    outer = [*plan.typed, *carried]
    outer += [f"coalesce({ch.bad}, false) AS __b{k}" for k, ch in enumerate(plan.checks)]
    for col in plan.checked_columns:
        flags = " OR ".join(f"__b{k}" for k, ch in enumerate(plan.checks) if ch.sql_col == col)
        outer.append(f"CASE WHEN {flags} THEN left({col}, 200) END AS __v_{col}")
    any_bad = " OR ".join(f"__b{k}" for k in range(len(plan.checks))) or "false"
    source = upload.source_sql(rejects=(rj_table, rj_scan) if is_csv else None)
    try:
        cur.execute(
            f"CREATE TEMP TABLE {typed} AS SELECT *, NOT ({any_bad}) AS __cells_ok FROM "
            f"(SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source}))"
        )
    except duckdb.Error as exc:  # DuckDB's reader errors become one line
        raise FileFormatError(
            f"{upload.file_name} cannot be read as {upload.described}: "
            f"{str(exc).splitlines()[0][:200]}"
        ) from exc
    n_cols = len(upload.columns)
    # Malformed rows (ragged): DuckDB's reject table (CSV) or the field count (whitespace).
    malformed = _malformed_rows(cur, rj_table, n_cols) if is_csv else []
    read, base, bad_width = cur.execute(
        "SELECT count(*), coalesce(min(rowid), 0), "
        + (f"count(*) FILTER (WHERE __nfields <> {n_cols})" if "__nfields" in carried else "0")
        + f" FROM {typed}"
    ).fetchall()[0]
    total = int(read) + len(malformed)
    if total == 0:
        raise FileFormatError(
            f"{upload.file_name} has a header but no data rows. Export the data again."
        )
    ragged = len(malformed) + int(bad_width)
    if ragged > MOSTLY_RAGGED * total:
        example = malformed[0][2] if malformed else "rows have a different number of fields"
        raise FileFormatError(
            f"{upload.file_name}: most rows do not have the header's {n_cols} fields "
            f"({example}). Check the delimiter, or export the file again."
        )
    # A table made inside a transaction numbers its rows from a large offset: ``pos`` is
    # the record's 0-based position in the file.
    pos = f"(rowid - {int(base)})"
    row = "__row" if "__row" in carried else f"({pos} + 2)"
    skipped = sorted({m[0] for m in malformed} | set(upload.skipped_blank_rows()))
    if skipped:
        # Rows after a line the reader skipped (malformed or blank) shift down: rebuild
        # the row numbers so they stay the file's.
        _renumber_after_skipped(cur, typed, pos, skipped)
        base = cur.execute(f"SELECT coalesce(min(rowid), 0) FROM {typed}").fetchall()[0][0]
        pos, row = f"(rowid - {int(base)})", "__row"
    return _Typed(
        typed,
        pos,
        row,
        total,
        n_cols,
        carried,
        malformed,
        [typed, rj_table, rj_scan, f"{typed}_ids"],
    )


def _checked_rows(plan: _Plan, typed: _Typed, answer: str | None) -> tuple[str, str]:
    """Every record with its position, row number and verdict (a query, not a table),
    and the SQL condition of a row that loads."""
    late = [f"coalesce({ch.bad}, false) AS __l{k}" for k, ch in enumerate(plan.late_checks)]
    width_ok = f"__nfields = {typed.n_cols}" if "__nfields" in typed.carried else "true"
    columns = [f"{typed.pos} AS __pos"]
    if typed.row != "__row":
        columns.append(f"{typed.row} AS __row")
    columns += [
        *late,
        f"({width_ok}) AS __width_ok",
        f"coalesce({answer or 'true'}, false) AS __answer",
    ]
    checked = f"(SELECT *, {', '.join(columns)} FROM {typed.table})"
    row_ok = " AND ".join(
        ["__width_ok", "__cells_ok", "__answer"]
        + [f"NOT __l{k}" for k in range(len(plan.late_checks))]
    )
    return checked, row_ok


def _insert_rows(
    cur: Any,
    workspace: str,
    kind: str,
    import_id: int,
    plan: _Plan,
    typed: str,
    checked: str,
    row_ok: str,
    attributes: list[AttributeColumn],
) -> tuple[int, int]:
    """Insert the valid rows and their attributes; returns (rows loaded, customers that
    replace earlier records)."""
    table_cols = list(ROLES[kind])
    exprs = ", ".join(plan.final[r] for r in table_cols)
    updated = 0
    if kind in ("responses", "events"):
        id_col = "response_id" if kind == "responses" else "event_id"
        row_id = f"({import_id} * {ID_STRIDE} + __pos)"
        sql = (
            f"INSERT INTO {kind} ({id_col}, workspace, import_id, source_row, "
            f"{', '.join(table_cols)}) SELECT {row_id}, ?, ?, __row, {exprs} "
            f"FROM {checked} WHERE {row_ok}"
        )
    else:
        row_id = plan.final["customer_id"]
        sql = (
            f"INSERT INTO customers (workspace, import_id, source_row, {', '.join(table_cols)})"
            f" SELECT ?, ?, __row, {exprs} FROM {checked} WHERE {row_ok}"
        )
        updated = _replace_earlier_customers(cur, workspace, typed, checked, row_ok)
    loaded = int(cur.execute(sql, [workspace, import_id, *plan.params]).fetchall()[0][0])
    if attributes:
        store_attributes(
            cur,
            workspace,
            kind,
            import_id,
            f"SELECT {row_id} AS row_id, "
            + ", ".join(f"{a.column} AS {a.column}" for a in attributes)
            + f" FROM {checked} WHERE {row_ok}",
            attributes,
        )
    return loaded, updated


def _record_import(
    cur: Any,
    workspace: str,
    import_id: int,
    upload: Upload,
    mapping: Mapping,
    total: int,
    loaded: int,
) -> None:
    """The ``imports`` record, and the mapping saved for files with the same columns."""
    mapping_json = json.dumps(mapping.to_json())
    cur.execute(
        "INSERT INTO imports (import_id, workspace, kind, file_name, content_hash, rows_read,"
        " rows_loaded, rows_rejected, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            workspace,
            mapping.kind,
            upload.file_name,
            upload.content_hash,
            total,
            loaded,
            total - loaded,
            mapping_json,
        ],
    )
    cur.execute(
        "INSERT INTO column_mappings (workspace, kind, columns_signature, mapping) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET mapping = excluded.mapping, "
        "updated_at = current_localtimestamp()",
        [workspace, mapping.kind, columns_signature(upload.columns), mapping_json],
    )


def _replace_earlier_customers(
    cur: Any, workspace: str, typed: str, checked: str, row_ok: str
) -> int:
    """A customer list is the customers' current record: a customer id that an earlier
    import loaded is replaced by this file's row (its attributes too). Returns how many.
    The ids go to ``<typed>_ids``, one of the import's scratch tables."""
    ids = f"{typed}_ids"
    cur.execute(
        f"CREATE TEMP TABLE {ids} AS SELECT DISTINCT t_customer_id AS customer_id "
        f"FROM {checked} WHERE {row_ok}"
    )
    updated = int(
        cur.execute(
            f"DELETE FROM customers WHERE workspace = ? AND customer_id IN "
            f"(SELECT customer_id FROM {ids})",
            [workspace],
        ).fetchall()[0][0]
    )
    if updated:
        forget_rows(cur, workspace, "customers", f"SELECT customer_id FROM {ids}")
    return updated


def _answer_condition(
    mapping: Mapping, plan: _Plan, attributes: list[AttributeColumn], ratings: set[str]
) -> str | None:
    """Responses: SQL over the typed row, "this row has an answer" (a score, a comment or
    a rating; a 0 in a zero-means-n/a rating is no answer). ``None`` for other kinds."""
    if mapping.kind != "responses":
        return None
    parts = [f"t_{r} IS NOT NULL" for r in ANSWER_ROLES if r in mapping.roles]
    for a in attributes:
        if a.name in ratings:
            parts.append(
                f"coalesce({a.column}, 0) <> 0" if a.zero_means_na else f"{a.column} IS NOT NULL"
            )
    return "(" + " OR ".join(parts) + ")" if parts else "false"


def _malformed_rows(cur: Any, rj_table: str, n_cols: int) -> list[tuple[int, str, str]]:
    """(row, raw line, reason) of the rows DuckDB's CSV reader could not read (ragged)."""
    malformed: list[tuple[int, str, str]] = []
    seen: set[int] = set()
    for line, etype, message, csv_line in cur.execute(
        f"SELECT line, error_type, error_message, csv_line FROM {rj_table} ORDER BY line"
    ).fetchall():
        if int(line) in seen:
            continue
        seen.add(int(line))
        found = re.search(r"Found: (\d+)", message or "")
        if etype in ("MISSING COLUMNS", "TOO MANY COLUMNS") and found:
            reason = f"row {line} has {found.group(1)} fields, the header has {n_cols}"
        else:
            reason = f"row {line} cannot be read: {(message or etype).splitlines()[0]}"
        malformed.append((int(line), (csv_line or "").strip()[:200], reason))
    return malformed


def _renumber_after_skipped(cur: Any, typed: str, pos: str, lines: list[int]) -> None:
    """Give ``typed`` a ``__row`` column: the file row of each record when the ``lines``
    the reader skipped (malformed or blank) are counted in. Keeps the records' order."""
    by_t: dict[int, int] = {}
    for k, ln in enumerate(sorted(set(lines))):
        by_t[ln - 2 - k] = k + 1  # the last (largest k) wins for equal thresholds
    cur.execute(f"CREATE TEMP TABLE {typed}_map (t BIGINT, k BIGINT)")
    cur.executemany(f"INSERT INTO {typed}_map VALUES (?, ?)", sorted(by_t.items()))
    cur.execute(
        f"CREATE TEMP TABLE {typed}_n AS SELECT s.* EXCLUDE (__pos), "
        f"s.__pos + 2 + coalesce(m.k, 0) AS __row FROM (SELECT {pos} AS __pos, * "
        f"FROM {typed}) s ASOF LEFT JOIN {typed}_map m ON s.__pos >= m.t ORDER BY s.__pos"
    )
    cur.execute(f"DROP TABLE {typed}")
    cur.execute(f"DROP TABLE {typed}_map")
    cur.execute(f"ALTER TABLE {typed}_n RENAME TO {typed}")


def _settle_ambiguous_dates(cur: Any, upload: Upload, mapping: Mapping) -> None:
    """When the sample could not tell day-first from month-first, ask the whole column
    (one extra read of that column, only then)."""
    idx = {c: f"c{i}" for i, c in enumerate(upload.columns)}
    for col, fmt in list(mapping.date_formats.items()):
        if not fmt.ambiguous or col not in idx:
            continue
        alt = alternative_format(fmt)
        if alt is None:
            continue
        c = idx[col]
        a, b = cur.execute(
            f"SELECT count({_date(c, fmt)}), count({_date(c, alt)}) FROM {upload.source_sql()}"
        ).fetchone()
        if b > a:
            mapping.date_formats[col] = alt


def _record_rejects(
    cur: Any,
    import_id: int,
    plan: _Plan,
    typed: _Typed,
    checked: str,
    has_answer_rule: bool,
) -> None:
    """One reject row per invalid cell (and per malformed, duplicate or answerless row)."""
    if typed.malformed:
        cur.executemany(
            "INSERT INTO import_rejects VALUES (?, ?, NULL, ?, ?)",
            [(import_id, row, value, reason) for row, value, reason in typed.malformed],
        )
    selects = []
    if "__nfields" in typed.carried:
        selects.append(
            f"SELECT __row, NULL, NULL, 'row ' || __row || ' has ' || __nfields || "
            f"' fields, the header has {typed.n_cols}' FROM {checked} WHERE NOT __width_ok"
        )
    params: list[Any] = []
    for k, ch in enumerate(plan.checks):
        selects.append(
            f"SELECT __row, ?, __v_{ch.sql_col}, ? FROM {checked} WHERE __width_ok AND __b{k}"
        )
        params.extend([ch.column, ch.reason])
    for k, ch in enumerate(plan.late_checks):
        selects.append(
            f"SELECT __row, ?, left({ch.sql_col}, 200), ? FROM {checked} "
            f"WHERE __width_ok AND __cells_ok AND __l{k}"
        )
        params.extend([ch.column, ch.reason])
    if has_answer_rule:
        selects.append(
            f"SELECT __row, NULL, NULL, 'no answer: no score, comment or rating' "
            f"FROM {checked} WHERE __width_ok AND __cells_ok AND NOT __answer"
        )
    if not selects:
        return
    cur.execute(
        "INSERT INTO import_rejects (import_id, source_row, column_name, value, reason) "
        f"SELECT {import_id}, * FROM ({' UNION ALL '.join(selects)})",
        params,
    )


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({"row": [], "column": [], "value": [], "reason": []})


# -- bookkeeping -----------------------------------------------------------------------
def list_imports(db: Database, workspace: str) -> pd.DataFrame:
    """The workspace's imports, newest first."""
    return db.execute(
        "SELECT import_id, file_name, kind, rows_read, rows_loaded, rows_rejected, created_at "
        "FROM imports WHERE workspace = ? ORDER BY import_id DESC",
        [workspace],
    ).df()


def workspace_counts(db: Database, workspace: str) -> dict[str, int]:
    """Rows per kind of data in a workspace: ``{'responses': 2385, 'events': 0, ...}``."""
    out = {}
    for table in KINDS:
        row = db.execute(f"SELECT count(*) FROM {table} WHERE workspace = ?", [workspace])
        out[table] = int(row.fetchone()[0])
    return out


def import_rejects(
    db: Database, workspace: str, import_id: int, limit: int | None = None
) -> pd.DataFrame:
    """The rejected rows of one import: row (as in a spreadsheet), column, value, reason."""
    sql = (
        "SELECT r.source_row AS row, r.column_name AS column, r.value, r.reason "
        "FROM import_rejects r JOIN imports i USING (import_id) "
        "WHERE i.workspace = ? AND r.import_id = ? ORDER BY r.source_row NULLS FIRST, "
        "r.column_name"
    )
    params: list[Any] = [workspace, import_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return db.execute(sql, params).df()


def _delete_import_rows(cur: Any, workspace: str, import_id: int) -> None:
    for table in ("responses", "events", "customers"):
        cur.execute(
            f"DELETE FROM {table} WHERE workspace = ? AND import_id = ?", [workspace, import_id]
        )
    cur.execute("DELETE FROM import_rejects WHERE import_id = ?", [import_id])
    cur.execute("DELETE FROM imports WHERE workspace = ? AND import_id = ?", [workspace, import_id])
    drop_import_attributes(cur, workspace, import_id)


def delete_import(db: Database, workspace: str, import_id: int) -> None:
    """Delete one import and every row it loaded, in one transaction."""
    from cem.errors import NotFoundError

    with db.transaction() as cur:
        row = cur.execute(
            "SELECT count(*) FROM imports WHERE workspace = ? AND import_id = ?",
            [workspace, import_id],
        ).fetchone()
        if not row or row[0] == 0:
            raise NotFoundError(f"There is no import #{import_id} in '{workspace}'.")
        _delete_import_rows(cur, workspace, import_id)
        bump_revision(cur, workspace)


# -- CLI -------------------------------------------------------------------------------
def _pairs(items: list[str], flag: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"{flag} expects ROLE=VALUE, got “{item}”.")
        role, value = item.split("=", 1)
        out[role.strip()] = value
    return out


def run_cli_import(db: Database, args: argparse.Namespace) -> int:
    """``python -m cem import``: prints rows loaded/rejected and the first reject reasons.

    Exit status 0 when the file was read (even with rejected rows); errors raise a
    :class:`~cem.errors.TouchpointError`, which the CLI prints as one line (status 2).
    """
    from cem.store.workspaces import delete_workspace, ensure_workspace, workspace_exists

    path = Path(args.file)
    if not path.exists():
        raise FileFormatError(f"{args.file}: there is no such file.")
    existed = workspace_exists(db, args.workspace)
    workspace = ensure_workspace(db, args.workspace)
    last = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1.0:
            last[0] = fraction
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    try:
        result = import_file(
            db,
            workspace,
            str(path),
            args.kind,
            file_name=path.name,
            sheet=args.sheet,
            overrides=_pairs(args.map, "--map") or None,
            constants=_pairs(args.set, "--set") or None,
            on_duplicate=args.on_duplicate,
            progress=progress,
        )
    except BaseException:
        if not existed:  # a failed import leaves no empty workspace behind
            delete_workspace(db, workspace)
        raise
    print(result.summary())
    if result.skipped_duplicate_of is None:
        print(f"Read as {result.described}; mapping: {result.mapping.summary()}")
        if result.replaced_import_id is not None:
            print(f"Replaced import #{result.replaced_import_id}.")
        if result.rows_rejected:
            print("First rejected rows (row 1 is the header):")
            for rec in result.rejects.head(10).itertuples(index=False):
                where = f"row {rec.row}" + (f", column “{rec.column}”" if rec.column else "")
                value = (
                    f" (value: {rec.value!s})"
                    if isinstance(rec.value, str) and rec.value and rec.column
                    else ""
                )
                print(f"  {where}: {rec.reason}{value}")
    return 0
