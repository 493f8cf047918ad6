"""The import's one read of the file: the typed table, its row numbers, and the rejects.

:func:`_read_typed` parses the file once with DuckDB's reader into a table where every role is
typed and every invalid cell flagged (only invalid cells keep their raw text): for responses and
events the import's own storage (:mod:`cem.store.rows`), for customers a temporary table; counts
the records, refuses a mostly ragged file and numbers the rows as the file does (rows after a
line the reader skipped shift down). :func:`_record_rejects` writes one reject per invalid cell,
malformed, duplicate or answerless row. Table names are generated from the import id; user
column names never reach SQL (the reader's columns are ``c0, c1, ...``). The reject handling
relies on DuckDB's CSV reader (``store_rejects``), hence parameterised SQL rather than Ibis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from cem.errors import FileFormatError, TouchpointError
from cem.ingest.readers import Upload
from cem.ingest.sql import _Plan
from cem.store.rows import row_table_name

MOSTLY_RAGGED = 0.5


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
    first_row: int  # the file row of the first record (without a ``__row`` column)


def _mask_type(bits: int) -> str:
    """The smallest unsigned integer type with ``bits`` bits.

    >>> _mask_type(8), _mask_type(9), _mask_type(40)
    ('UTINYINT', 'USMALLINT', 'UBIGINT')
    """
    for width, name in ((8, "UTINYINT"), (16, "USMALLINT"), (32, "UINTEGER"), (64, "UBIGINT")):
        if bits <= width:
            return name
    return "UHUGEINT"


def _read_typed(
    cur: Any, upload: Upload, plan: _Plan, import_id: int, stored_as: str | None = None
) -> _Typed:
    """One pass over the file: parse, type every role, flag invalid cells, into a table.
    Only the raw text of invalid cells is kept (for the rejects); rows keep the file's
    order, so ``rowid`` gives each record's position. Then count the records, refuse a
    mostly ragged file, and number the rows as the file does.

    ``stored_as``: the workspace of an import of responses or events, whose table is the
    import's storage (``tp_rows_<id>``, :mod:`cem.store.rows`: written once, never copied);
    None: a temporary table the import copies from (customers).

    Three layers over the reader: the typed values and raw cells; every check's flag; then
    what the table keeps: each role in its final type (``t_<role>``; a constant role is a
    bound value), the attributes, the raw text of invalid cells (``__v_c<i>``) and the flags
    as one bit mask ``__bad`` (bit k: check k failed; the bit above them: the row failed a
    check across cells or rows, set later by the import)."""
    stored = stored_as is not None
    typed = row_table_name(import_id) if stored else f"tp_typed_{import_id}"
    rj_table, rj_scan = f"tp_rejects_{import_id}", f"tp_scans_{import_id}"
    is_csv = upload.format == "csv"
    carried = [c for c in ("__row", "__nfields") if c in upload.extra_columns]
    inner = [f"{expr} AS {name}" for name, expr in plan.typed.items()]
    inner += plan.checked_columns + carried
    middle = [*plan.typed, *plan.checked_columns, *carried]
    middle += [f"coalesce({ch.bad}, false) AS __b{k}" for k, ch in enumerate(plan.checks)]
    mask = _mask_type(len(plan.checks) + 1)  # the cell checks' bits and plan.row_bit
    kept = [f"{expr} AS {name}" for name, expr in plan.stored.items()]
    kept += [name for name in plan.typed if not name.startswith("t_")] + carried
    for col in plan.kept_text_columns:
        flags = " OR ".join(f"__b{k}" for k, ch in enumerate(plan.checks) if ch.sql_col == col)
        kept.append(f"CASE WHEN {flags} THEN left({col}, 200) END AS __v_{col}")
    bits = " | ".join(f"(CAST(__b{k} AS {mask}) << {k})" for k in range(len(plan.checks)))
    flagged = " OR ".join(f"__b{k}" for k in range(len(plan.checks)))
    kept.append(  # the bits are worked out for the few flagged rows only
        f"CASE WHEN {flagged} THEN {bits} ELSE CAST(0 AS {mask}) END AS __bad"
        if bits
        else f"CAST(0 AS {mask}) AS __bad"
    )
    source = upload.source_sql(
        rejects=(rj_table, rj_scan) if is_csv else None, types=plan.reader_types
    )
    try:
        cur.execute(
            f"CREATE {'' if stored else 'TEMP '}TABLE {typed} AS SELECT {', '.join(kept)} FROM "
            f"(SELECT {', '.join(middle)} FROM (SELECT {', '.join(inner)} FROM {source}))",
            plan.params,
        )
    except duckdb.Error as exc:  # DuckDB's reader errors become one line
        raise FileFormatError(
            f"{upload.file_name} cannot be read as {upload.described}: "
            f"{str(exc).splitlines()[0][:200]}"
        ) from exc
    if plan.reader_types and _reader_could_not_type(cur, rj_table):
        for obj in (typed, rj_table, rj_scan):
            cur.execute(f"DROP TABLE IF EXISTS {obj}")
        raise ReaderCastError(f"{upload.file_name}: a cell the reader could not type")
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
    # the record's 0-based position in the file (once committed, the rowid itself).
    pos = f"(rowid - {int(base)})"
    above = upload.title_rows + upload.header_rows  # file rows above the first record
    first_row = 1 + above
    row = "__row" if "__row" in carried else f"({pos} + {first_row})"
    skipped = sorted({m[0] for m in malformed} | set(upload.skipped_blank_rows()))
    if skipped:
        # Rows after a line the reader skipped (malformed or blank) shift down: rebuild
        # the row numbers so they stay the file's.
        _renumber_after_skipped(cur, typed, pos, skipped, above, temp=not stored)
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
        [rj_table, rj_scan, f"{typed}_ids"] + ([] if stored else [typed]),
        first_row,
    )


class ReaderCastError(TouchpointError):
    """The CSV reader met a cell it could not type (text in a column whose sample was all
    numbers or ISO dates): the import reads the file again with every cell as text. Never
    shown to a user."""


def _reader_could_not_type(cur: Any, rj_table: str) -> bool:
    """Whether the reader skipped a line for a cell it could not type."""
    return bool(
        cur.execute(f"SELECT count(*) FROM {rj_table} WHERE error_type = 'CAST'").fetchall()[0][0]
    )


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


def _renumber_after_skipped(
    cur: Any, typed: str, pos: str, lines: list[int], header_rows: int = 1, temp: bool = True
) -> None:
    """Give ``typed`` a ``__row`` column: the file row of each record when the ``lines``
    the reader skipped (malformed or blank) are counted in. Keeps the records' order (and
    the table temporary or not, as ``temp`` says)."""
    by_t: dict[int, int] = {}
    for k, ln in enumerate(sorted(set(lines))):
        by_t[ln - 1 - header_rows - k] = k + 1  # the last (largest k) wins for equal ones
    cur.execute(f"CREATE TEMP TABLE {typed}_map (t BIGINT, k BIGINT)")
    cur.executemany(f"INSERT INTO {typed}_map VALUES (?, ?)", sorted(by_t.items()))
    cur.execute(
        f"CREATE {'TEMP ' if temp else ''}TABLE {typed}_n AS SELECT s.* EXCLUDE (__pos), "
        f"s.__pos + {1 + header_rows} + coalesce(m.k, 0) AS __row FROM (SELECT {pos} AS __pos, * "
        f"FROM {typed}) s ASOF LEFT JOIN {typed}_map m ON s.__pos >= m.t ORDER BY s.__pos"
    )
    cur.execute(f"DROP TABLE {typed}")
    cur.execute(f"DROP TABLE {typed}_map")
    cur.execute(f"ALTER TABLE {typed}_n RENAME TO {typed}")


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
            f"SELECT __row, ?, {ch.value_sql}, ? FROM {checked} WHERE __width_ok AND __b{k}"
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
            f"SELECT __row, NULL, NULL, 'no answer: no score, comment, rating or answered question' "
            f"FROM {checked} WHERE __width_ok AND __cells_ok AND NOT __answer"
        )
    if not selects:
        return
    cur.execute(
        "INSERT INTO import_rejects (import_id, source_row, column_name, value, reason) "
        f"SELECT {import_id}, * FROM ({' UNION ALL '.join(selects)})",
        params,
    )
