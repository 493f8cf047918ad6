"""Import files into a workspace: read, map columns to roles, validate, load in one go.

One code path for the import page and ``python -m cem import``:

1. :func:`read_upload` (``cem.ingest.readers``) sniffs the file and takes a sample;
2. :func:`detect_mapping` proposes a role for every column (``cem.ingest.detect``) or reuses the
   mapping saved for a file with the same columns; :func:`apply_overrides` applies the
   user's choices (``--map``/``--set`` or the page's editor);
3. :func:`import_file` reads the file once with DuckDB's reader into a typed table (every
   role cast with ``TRY_CAST``/``try_strptime`` or typed by the reader itself, every invalid
   cell flagged, only invalid cells' raw text kept). For responses and events that table is
   the import's storage (:mod:`cem.store.rows`: the ``responses``/``events`` views read its
   valid rows; nothing is copied); customers are inserted from it. All of it, with the
   rejects, the ``imports`` record and the saved mapping, happens in **one transaction**: any
   failure rolls everything back and the database is exactly as before.

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
>>> from cem.access.principal import LOCAL_ADMIN
>>> _ = ensure_workspace(db, "acme")
>>> result = import_file(db, "acme", path, "responses", actor=LOCAL_ADMIN)
>>> result.rows_loaded, result.rows_rejected, result.rejects.iloc[0]["reason"]
(2, 1, 'NPS must be a whole number from 0 to 10')
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import duckdb

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.analytics.attributes import AttributeColumn, forget_rows, store_attributes
from cem.errors import DuplicateImportError, FileFormatError, InputError, MappingError
from cem.ingest.dates import alternative_format
from cem.ingest.detect import KIND_HELP, ROLES
from cem.ingest.health import Remedies
from cem.ingest.history import (
    _delete_import_rows,
    _existing_import,
    _record_import,
    delete_import,
    import_rejects,
    list_imports,
    next_import_id,
    workspace_counts,
)
from cem.ingest.mapping import (
    CONSTANT_ROLES,
    NO_COLUMN,
    Mapping,
    apply_overrides,
    check_mapping,
    detect_mapping,
)
from cem.ingest.readers import Upload, read_upload
from cem.ingest.scales import store_scale_labels
from cem.ingest.sql import (
    _answer_condition,
    _attribute_stats,
    _date,
    _native_columns,
    _numeric_in_sample,
    _Plan,
    _role_plan,
)
from cem.ingest.typed_read import ReaderCastError, _read_typed, _record_rejects, _Typed
from cem.store.db import Database, bump_revision
from cem.store.rows import ID_STRIDE, ROW_KINDS, rebuild_views, register_row_table
from cem.store.workspaces import validate_workspace_name

if TYPE_CHECKING:  # the rejects as a frame, for the page (pandas loads only then)
    import pandas as pd

__all__ = [
    "CONSTANT_ROLES",
    "KINDS",
    "KIND_HELP",
    "NO_COLUMN",
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
    "workspace_counts",
]

KINDS = tuple(ROLES)
RESULT_REJECTS = 1000

Progress = Callable[[float, str], None]


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
    reject_rows: list[tuple[Any, ...]]  # the first RESULT_REJECTS: row, column, value, reason
    mapping: Mapping
    date_formats: dict[str, str]
    described: str = ""
    skipped_duplicate_of: int | None = None
    replaced_import_id: int | None = None
    seconds: float = 0.0
    customers_updated: int = 0  # customers an earlier import had, now replaced by this file
    notes: list[str] = field(default_factory=list)  # what the whole file showed (stray answers)

    @property
    def rejects(self) -> pd.DataFrame:
        """The first rejects as a table: row, column, value, reason."""
        import pandas as pd

        return pd.DataFrame(self.reject_rows, columns=["row", "column", "value", "reason"])

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


def _noop(_fraction: float, _message: str) -> None:
    return None


# Called as hook(db, workspace, kind) after an import has committed (cem.ui.voc, cem.cli.voc).
AFTER_IMPORT: list[Callable[[Database, str, str], object]] = []


def import_file(
    db: Database,
    workspace: str,
    path: str | os.PathLike[str] | bytes | Upload,
    kind: str | None = None,
    *,
    actor: Principal,
    file_name: str | None = None,
    sheet: str | None = None,
    mapping: Mapping | None = None,
    overrides: dict[str, str | None] | None = None,
    constants: dict[str, str | None] | None = None,
    ignored: list[str] | None = None,
    on_duplicate: str = "error",
    progress: Progress | None = None,
    remedies: Remedies | None = None,
    memory_limit: str | None = None,
) -> ImportResult:
    """Import one file into ``workspace`` as ``kind`` (responses, events or customers).

    ``path`` is a file path, the file's bytes, or an :class:`Upload` already read (the page).
    ``mapping`` (else the saved or detected one) is adjusted by ``overrides``/``constants``/
    ``ignored``. ``on_duplicate``: ``'error'`` raises :class:`DuplicateImportError` when the
    same content was imported into the workspace before, ``'skip'`` loads nothing and says so,
    ``'replace'`` deletes the earlier import's rows and loads anew (one transaction).
    ``progress(fraction, message)`` is called as the work advances. ``memory_limit`` (e.g.
    ``'600MB'``, the CLI's own process) caps DuckDB's memory while the file loads: the typed
    rows spill to disk instead of all being held in RAM; should the load still run out of
    memory, it runs again without the cap (nothing was loaded the first time).
    """
    report = progress or _noop
    started = time.perf_counter()
    require(actor, "import", workspace)
    workspace = validate_workspace_name(workspace)
    if kind is not None and kind not in ROLES:
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
        elif kind is not None and mapping.kind != kind:
            raise InputError(f"The mapping is for {mapping.kind}, not {kind}.")
        if overrides or constants or ignored is not None:
            mapping = apply_overrides(mapping, upload, overrides, constants, ignored)
        else:
            mapping = replace(mapping, date_formats=dict(mapping.date_formats))
        check_mapping(mapping, upload)
        try:
            result = _within_memory(
                db,
                memory_limit,
                lambda: _load(
                    db, workspace, upload, mapping, on_duplicate, report, started, remedies
                ),
            )
        except duckdb.Error as exc:  # the transaction has rolled back: nothing was loaded
            first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise FileFormatError(
                f"{upload.file_name} could not be imported ({first}). Nothing was loaded."
            ) from exc
    finally:
        if own_upload:
            upload.close()
    record(db, actor, "import", workspace, upload.file_name, getattr(result, "kind", kind))
    for hook in AFTER_IMPORT:  # e.g. comment analysis in the background (cem.voc.jobs)
        hook(db, workspace, result.kind if hasattr(result, "kind") else kind)
    return result


def _within_memory(
    db: Database, limit: str | None, load: Callable[[], ImportResult]
) -> ImportResult:
    """Run ``load`` with DuckDB's memory capped at ``limit`` (None: as it is), then put the
    limit back; an out-of-memory failure under the cap is retried once without it."""
    if limit is None:
        return load()
    before = db.cap_memory(limit)
    try:
        return load()
    except Exception as exc:  # the transaction has rolled back: nothing was loaded
        if not _out_of_memory(exc):
            raise
    finally:
        db.cap_memory(before)
    return load()  # ran out of memory under the cap: once more without it


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether ``exc`` or an error it was raised from is DuckDB running out of memory."""
    while exc is not None:
        if isinstance(exc, duckdb.OutOfMemoryException):
            return True
        exc = exc.__cause__
    return False


def _load(
    db: Database,
    workspace: str,
    upload: Upload,
    mapping: Mapping,
    on_duplicate: str,
    report: Progress,
    started: float,
    remedies: Remedies | None = None,
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
                    [],
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
        import_id = next_import_id(cur)

        report(0.15, f"Loading {upload.file_name} ({upload.described})")
        # Each cell's missing-token test is a short constant ``IN`` list; DuckDB's
        # ``in_clause`` optimizer would turn every one into a hash join over all rows
        # (about a third of the typed read's CPU at 1M rows). This cursor only.
        cur.execute("SET disabled_optimizers = 'in_clause'")
        upload.register(cur)
        _settle_ambiguous_dates(cur, upload, mapping)
        numeric = _numeric_in_sample(cur, upload, mapping.attribute_columns(upload.columns))
        native = _native_columns(cur, upload, mapping, numeric, remedies)
        plan = _role_plan(upload, mapping, numeric, remedies, native)
        stored_as = workspace if kind in ROW_KINDS else None  # written once: cem.store.rows
        try:
            typed = _read_typed(cur, upload, plan, import_id, stored_as)
        except ReaderCastError:  # a cell the reader could not type: every cell as text
            plan = _role_plan(upload, mapping, numeric, remedies)
            typed = _read_typed(cur, upload, plan, import_id, stored_as)

        report(0.45, "Checking dates and values")
        attributes, ratings, notes = _attribute_stats(cur, plan, typed.table)
        # From here on rows carry their file position in columns, so DuckDB may write them
        # in any order: much faster parallel inserts of large files (this cursor only).
        cur.execute("SET preserve_insertion_order = false")
        answer = _answer_condition(mapping, plan, attributes, ratings)
        if answer == "false":
            raise MappingError(
                f"{upload.file_name}: no column holds an answer (NPS, CSAT, CES, a comment or a "
                "rating). Pick the column that holds the answers in the mapping table."
            )
        checked, row_ok = _checked_rows(plan, typed, answer)

        report(0.55, "Loading the valid rows")
        if stored_as is not None:
            loaded = _keep_rows(
                cur, workspace, kind, import_id, plan, typed, checked, row_ok, attributes
            )
            updated = 0
        else:
            loaded, updated = _insert_customers(
                cur, workspace, import_id, plan, typed.table, checked, row_ok, attributes
            )
        store_scale_labels(cur, import_id, plan.scales, attributes)
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
        ).fetchall()
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
        notes=notes,
    )


def _checked_rows(plan: _Plan, typed: _Typed, answer: str | None) -> tuple[str, str]:
    """Every record with its position, row number and verdict (a query, not a table),
    and the SQL condition of a row that loads. ``__b<k>``: cell check k failed (a bit of
    ``__bad``); ``__cells_ok``: no cell check failed."""
    late = [f"coalesce({ch.bad}, false) AS __l{k}" for k, ch in enumerate(plan.late_checks)]
    width_ok = f"__nfields = {typed.n_cols}" if "__nfields" in typed.carried else "true"
    columns = [f"{typed.pos} AS __pos", "rowid AS __rowid"]
    if typed.row != "__row":
        columns.append(f"{typed.row} AS __row")
    columns += [f"(__bad & {1 << k}) <> 0 AS __b{k}" for k in range(len(plan.checks))]
    columns += [
        f"(__bad & {plan.row_bit - 1}) = 0 AS __cells_ok",
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


def _keep_rows(
    cur: Any,
    workspace: str,
    kind: str,
    import_id: int,
    plan: _Plan,
    typed: _Typed,
    checked: str,
    row_ok: str,
    attributes: list[AttributeColumn],
) -> int:
    """Responses and events: the typed table is the import's storage (nothing is copied).
    Flag the rows that failed a check across cells or rows in ``__bad``, register the
    table under the ``responses``/``events`` view, make the attribute table a view over
    it, and return how many rows load."""
    loaded, flagged = cur.execute(
        f"SELECT count(*) FILTER (WHERE {row_ok}), count(*) FILTER (WHERE __cells_ok AND NOT "
        f"({row_ok})) FROM {checked}"
    ).fetchall()[0]
    if flagged:  # answerless, ragged or repeated rows (their cells were fine)
        cur.execute(
            f"UPDATE {typed.table} SET __bad = __bad | {plan.row_bit} WHERE rowid IN "
            f"(SELECT __rowid FROM {checked} WHERE __cells_ok AND NOT ({row_ok}))"
        )
    register_row_table(cur, import_id, kind, workspace, typed.first_row)
    rebuild_views(cur, (kind,))
    if attributes:
        # Named __a<k> in the SELECT (a wide file's columns are list elements, __xs[k]).
        named = [replace(a, column=f"__a{k}") for k, a in enumerate(attributes)]
        listed = any("[" in a.column for a in attributes)
        select = ", ".join(f"{a.column} AS __a{k}" for k, a in enumerate(attributes))
        if listed:  # a wide file: its own table, one column per attribute (fast to read)
            sql = (
                f"SELECT ({import_id} * {ID_STRIDE} + __pos) AS row_id, {select} "
                f"FROM {checked} WHERE {row_ok}"
            )
        else:  # once committed, the rowid is the record's position
            sql = (
                f"SELECT ({import_id} * {ID_STRIDE} + rowid) AS row_id, {select} "
                f"FROM {typed.table} WHERE __bad = 0"
            )
        store_attributes(cur, workspace, kind, import_id, sql, named, as_view=not listed)
    return int(loaded)


def _insert_customers(
    cur: Any,
    workspace: str,
    import_id: int,
    plan: _Plan,
    typed: str,
    checked: str,
    row_ok: str,
    attributes: list[AttributeColumn],
) -> tuple[int, int]:
    """Customers: insert the valid rows and their attributes; returns (rows loaded,
    customers that replace earlier records)."""
    table_cols = list(ROLES["customers"])
    exprs = ", ".join(plan.column(r) for r in table_cols)
    updated = _replace_earlier_customers(cur, workspace, typed, checked, row_ok)
    sql = (
        f"INSERT INTO customers (workspace, import_id, source_row, {', '.join(table_cols)})"
        f" SELECT ?, ?, __row, {exprs} FROM {checked} WHERE {row_ok}"
    )
    loaded = int(cur.execute(sql, [workspace, import_id]).fetchall()[0][0])
    if attributes:
        named = [replace(a, column=f"__a{k}") for k, a in enumerate(attributes)]
        store_attributes(
            cur,
            workspace,
            "customers",
            import_id,
            f"SELECT {plan.column('customer_id')} AS row_id, "
            + ", ".join(f"{a.column} AS __a{k}" for k, a in enumerate(attributes))
            + f" FROM {checked} WHERE {row_ok}",
            named,
        )
    return loaded, updated


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
        ).fetchall()[0]
        if b > a:
            mapping.date_formats[col] = alt
