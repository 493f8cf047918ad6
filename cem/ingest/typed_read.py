"""The import's one read of the file: the typed table, its row numbers, and the rejects.

:func:`_read_typed` parses the file once with DuckDB's reader into a temporary table where every
role is typed and every invalid cell flagged (only invalid cells keep their raw text), counts
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

from cem.errors import FileFormatError
from cem.ingest.readers import Upload
from cem.ingest.sql import _Plan
from cem.ingest.vocab import MISSING_SPELLINGS

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
    # SQL over the table: a text cell holds a missing-value spelling the reader did not make
    # NULL (it was told only the sample's); None when it was told all of them.
    stray_missing: str | None = None


def _read_typed(cur: Any, upload: Upload, plan: _Plan, import_id: int) -> _Typed:
    """One pass over the file: parse, type every role, flag invalid cells, into a temp
    table. Only the raw text of invalid cells is kept (for the rejects); rows keep the
    file's order, so ``rowid`` gives each record's position. Then count the records,
    refuse a mostly ragged file, and number the rows as the file does.

    A CSV reader turns the missing-value spellings of the sample into NULL (each spelling
    costs it a comparison per cell); :attr:`_Typed.stray_missing` asks whether the typed
    text holds another spelling (an ``n/a`` first seen after the sample; the import asks it
    in its scan of the attributes), and :func:`_read_typed_again` then reads the file again
    with all of them."""
    if not upload.nulls_tokens:
        return _read_typed_once(cur, upload, plan, import_id, None)
    spellings = upload.sample_null_spellings()
    typed = _read_typed_once(cur, upload, plan, import_id, spellings)
    typed.stray_missing = _stray_missing_sql(cur, typed.table, spellings)
    return typed


def _read_typed_again(
    cur: Any, upload: Upload, plan: _Plan, typed: _Typed, import_id: int
) -> _Typed:
    """Drop ``typed`` and read the file again, every missing-value spelling made NULL."""
    for obj in typed.scratch_tables:
        cur.execute(f"DROP TABLE IF EXISTS {obj}")
    return _read_typed_once(cur, upload, plan, import_id, None)


def _stray_missing_sql(cur: Any, table: str, skipped: tuple[str, ...]) -> str | None:
    """SQL over the typed ``table``: a text cell holds a missing-value spelling other than
    the ``skipped`` ones (which the reader made NULL). None when there is nothing to ask."""
    others = [v for v in MISSING_SPELLINGS if v not in skipped]
    if not others:
        return None
    listed = "[" + ", ".join(f"'{v}'" for v in others) + "]"  # fixed spellings, no quotes
    longest = max(len(v.encode()) for v in others)
    tests = []
    for name, dtype in cur.execute(
        f"SELECT column_name, column_type FROM (DESCRIBE {table})"
    ).fetchall():
        if name.startswith("__v_"):  # the raw text of invalid cells
            continue
        if dtype == "VARCHAR":
            tests.append(f"(strlen({name}) <= {longest} AND list_contains({listed}, {name}))")
        elif dtype == "VARCHAR[]":
            tests.append(f"list_has_any({name}, {listed})")
    return "(" + " OR ".join(tests) + ")" if tests else None


def _read_typed_once(
    cur: Any,
    upload: Upload,
    plan: _Plan,
    import_id: int,
    null_spellings: tuple[str, ...] | None,
) -> _Typed:
    """:func:`_read_typed` with the source's missing-value spellings given."""
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
    source = upload.source_sql(
        rejects=(rj_table, rj_scan) if is_csv else None, null_spellings=null_spellings
    )
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
    above = upload.title_rows + upload.header_rows  # file rows above the first record
    first_row = 1 + above
    row = "__row" if "__row" in carried else f"({pos} + {first_row})"
    skipped = sorted({m[0] for m in malformed} | set(upload.skipped_blank_rows()))
    if skipped:
        # Rows after a line the reader skipped (malformed or blank) shift down: rebuild
        # the row numbers so they stay the file's.
        _renumber_after_skipped(cur, typed, pos, skipped, above)
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
    cur: Any, typed: str, pos: str, lines: list[int], header_rows: int = 1
) -> None:
    """Give ``typed`` a ``__row`` column: the file row of each record when the ``lines``
    the reader skipped (malformed or blank) are counted in. Keeps the records' order."""
    by_t: dict[int, int] = {}
    for k, ln in enumerate(sorted(set(lines))):
        by_t[ln - 1 - header_rows - k] = k + 1  # the last (largest k) wins for equal ones
    cur.execute(f"CREATE TEMP TABLE {typed}_map (t BIGINT, k BIGINT)")
    cur.executemany(f"INSERT INTO {typed}_map VALUES (?, ?)", sorted(by_t.items()))
    cur.execute(
        f"CREATE TEMP TABLE {typed}_n AS SELECT s.* EXCLUDE (__pos), "
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
