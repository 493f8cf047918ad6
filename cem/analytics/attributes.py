"""Attributes: the columns of an upload that have no role (ratings, flags, regions, ...).

Storage, per import: one wide table ``tp_attrs_<import_id>`` with ``row_id`` (the
response/event id, or the customer id for customers) and one column per attribute
(``a0, a1, ...``: DOUBLE for numeric columns, VARCHAR for text; blank cells are NULL).
Writing one wide table is several times faster than one row per value, and reading a
rating is a scan of one narrow column. For an import of responses or events it is a view over
the import's own table (:mod:`cem.store.rows`), which holds the attribute columns already.

Two small tables describe them:

- ``attribute_sources``: which table and column hold attribute ``name`` of an import
  (workspace, kind, import_id, name, table_name, column_name, dtype);
- ``attribute_columns``: one row per attribute name of a workspace and kind: dtype,
  min/max, rating flags (``zero_means_na``), distinct values (merged over its imports).

Readers never touch the tables by name: :func:`attribute_values` returns an Ibis expression
in long form (``row_id, name, num_value, text_value``) over every import that has the
attributes, so filters, KPIs and drivers stay engine-independent.

>>> from cem.store.db import Database
>>> db = Database(":memory:")
>>> with db.transaction() as cur:
...     _ = cur.execute("CREATE TEMP TABLE rows_in AS SELECT * FROM (VALUES "
...                     "(1, 4.0, 'North'), (2, NULL, 'South')) t(id, r, region)")
...     store_attributes(cur, "acme", "responses", 7,
...         "SELECT id AS row_id, r AS a0, region AS a1 FROM rows_in",
...         [AttributeColumn("Rating", "a0", "numeric", 4.0, 4.0, False, 1),
...          AttributeColumn("Region", "a1", "text", None, None, False, 2)])
>>> from cem.analytics.engine import duckdb_engine
>>> values = attribute_values(duckdb_engine(db), "acme", "responses", ["Region"])
>>> sorted(values.execute().text_value)
['North', 'South']
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cem.store.catalog import relation_type

if TYPE_CHECKING:  # Ibis loads only when attributes are read (an import does not need it)
    import ibis.expr.types as ir

    from cem.analytics.engine import Engine

__all__ = [
    "AttributeColumn",
    "attribute_table_name",
    "attribute_values",
    "drop_import_attributes",
    "drop_workspace_attributes",
    "forget_rows",
    "numeric_attribute_matrix",
    "row_id_type",
    "scale_labels",
    "store_attribute_frame",
    "store_attributes",
]

NUMERIC = "numeric"
TEXT = "text"


@dataclass(frozen=True)
class AttributeColumn:
    """One attribute column of an import: its name in the file, the column of the import's
    table that holds it, and what the whole column looked like."""

    name: str
    column: str  # its name in the SELECT that store_attributes reads
    dtype: str  # 'numeric' | 'text'
    min_value: float | None = None
    max_value: float | None = None
    zero_means_na: bool = False
    distinct_values: int | None = None


def attribute_table_name(import_id: int) -> str:
    """The table that holds an import's attributes.

    >>> attribute_table_name(12)
    'tp_attrs_12'
    """
    return f"tp_attrs_{int(import_id)}"


def row_id_type(kind: str) -> str:
    """The SQL type of ``row_id`` for a kind: the customer id is text, other ids numbers."""
    return "VARCHAR" if kind == "customers" else "BIGINT"


def store_attributes(
    cur: Any,
    workspace: str,
    kind: str,
    import_id: int,
    select_sql: str,
    columns: Sequence[AttributeColumn],
    params: Sequence[Any] = (),
    as_view: bool = False,
) -> None:
    """Create the import's attribute table from ``select_sql`` (which yields ``row_id`` and
    each of ``columns`` under its ``column`` name; the table calls them ``a0, a1, ...``),
    register its columns and describe them (inside the caller's transaction). ``select_sql``
    is Touchpoint's own SQL: user values go in ``params``. ``as_view``: a view, not a copy,
    over the import's own table (:mod:`cem.store.rows`: the rows are written once)."""
    if not columns:
        return
    table = attribute_table_name(import_id)
    cast = ", ".join(
        f"CAST({c.column} AS {'DOUBLE' if c.dtype == NUMERIC else 'VARCHAR'}) AS a{k}"
        for k, c in enumerate(columns)
    )
    cur.execute(
        f"CREATE {'VIEW' if as_view else 'TABLE'} {table} AS SELECT "
        f"CAST(row_id AS {row_id_type(kind)}) AS row_id, {cast} FROM ({select_sql})",
        list(params),
    )
    cur.executemany(
        "INSERT INTO attribute_sources (workspace, kind, import_id, name, table_name, "
        "column_name, dtype) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [workspace, kind, int(import_id), c.name, table, f"a{k}", c.dtype]
            for k, c in enumerate(columns)
        ],
    )
    describe_attributes(cur, workspace, kind, columns)
    catalogue_attributes(cur, import_id, table, columns)


CATALOGUE_MAX_VALUES = 60  # attributes with more distinct values are not filters


def catalogue_attributes(
    cur: Any, import_id: int, table: str, columns: Sequence[AttributeColumn]
) -> None:
    """Store the distinct values of the import's few-valued attributes (one scan of the
    import's table for all of them): the filter bar's catalogue (see
    :mod:`cem.store.ddl.attributes_catalogue`)."""
    wanted = [
        (k, c)
        for k, c in enumerate(columns)
        if c.distinct_values is None or c.distinct_values <= CATALOGUE_MAX_VALUES
    ]
    rows: list[tuple[int, str, str | None, float | None]] = []
    if len(wanted) > WIDE_CATALOGUE:
        lists = _wide_distinct_lists(cur, table, wanted)
    elif wanted:
        lists = cur.execute(
            "SELECT "
            + ", ".join(
                f"list(DISTINCT a{k}) FILTER (WHERE a{k} IS NOT NULL)"
                if c.distinct_values is not None
                else f"CASE WHEN count(DISTINCT a{k}) <= {CATALOGUE_MAX_VALUES} "
                f"THEN list(DISTINCT a{k}) FILTER (WHERE a{k} IS NOT NULL) END"
                for k, c in wanted
            )
            + f" FROM {table}"
        ).fetchall()[0]
    if wanted:
        for (_k, c), values in zip(wanted, lists, strict=True):
            for v in values or []:
                if c.dtype == NUMERIC:
                    rows.append((int(import_id), c.name, None, float(v)))
                else:
                    rows.append((int(import_id), c.name, str(v), None))
    if rows:  # one statement, the values bound as lists
        ids, names, texts, numbers = (list(c) for c in zip(*rows, strict=True))
        cur.execute(
            "INSERT INTO attribute_catalogue SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), "
            "unnest(?::VARCHAR[]), unnest(?::DOUBLE[])",
            [ids, names, texts, numbers],
        )
    cur.execute(
        "INSERT INTO attribute_catalogue_imports VALUES (?) ON CONFLICT DO NOTHING",
        [int(import_id)],
    )


WIDE_CATALOGUE = 64  # more columns than this: one grouped scan per type (see below)


def _wide_distinct_lists(
    cur: Any, table: str, wanted: Sequence[tuple[int, AttributeColumn]]
) -> list[list[Any] | None]:
    """The distinct non-blank values of each ``wanted`` column of ``table`` (``None`` when an
    uncounted column has more than CATALOGUE_MAX_VALUES), as :func:`catalogue_attributes`
    computes them, but from one ``unnest`` scan per type: a query with thousands of
    aggregates takes DuckDB minutes to plan."""
    out: dict[int, list[Any] | None] = {}
    for dtype in (NUMERIC, TEXT):
        cols = [(k, c) for k, c in wanted if (c.dtype == NUMERIC) == (dtype == NUMERIC)]
        if not cols:
            continue
        ks = ", ".join(str(k) for k, _c in cols)
        values = ", ".join(f"a{k}" for k, _c in cols)
        for k, distinct, n in cur.execute(
            f"SELECT k, list(DISTINCT v) FILTER (WHERE v IS NOT NULL), count(DISTINCT v) FROM "
            f"(SELECT unnest([{ks}]) AS k, unnest([{values}]) AS v FROM {table}) GROUP BY k"
        ).fetchall():
            out[int(k)] = distinct
            if n > CATALOGUE_MAX_VALUES and dict(cols)[int(k)].distinct_values is None:
                out[int(k)] = None
    return [out.get(k) for k, _c in wanted]


def describe_attributes(
    cur: Any, workspace: str, kind: str, columns: Sequence[AttributeColumn]
) -> None:
    """:func:`describe_attribute` for many columns in one statement (a wide file has
    thousands: one upsert each takes seconds)."""
    if len(columns) <= 3:
        for c in columns:
            describe_attribute(cur, workspace, kind, c)
        return
    cur.execute(  # one statement, the values bound as lists
        "INSERT INTO attribute_columns (workspace, kind, name, dtype, min_value, max_value, "
        "zero_means_na, distinct_values) SELECT ?, ?, unnest(?::VARCHAR[]), "
        "unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::BOOLEAN[]), "
        "unnest(?::BIGINT[]) " + _DESCRIBE_MERGE,
        [
            workspace,
            kind,
            [c.name for c in columns],
            [c.dtype for c in columns],
            [c.min_value for c in columns],
            [c.max_value for c in columns],
            [bool(c.zero_means_na) for c in columns],
            [c.distinct_values for c in columns],
        ],
    )


_DESCRIBE_MERGE = (
    "ON CONFLICT DO UPDATE SET dtype = CASE WHEN attribute_columns.dtype = excluded.dtype "
    "THEN excluded.dtype ELSE 'text' END, "
    "min_value = least(attribute_columns.min_value, excluded.min_value), "
    "max_value = greatest(attribute_columns.max_value, excluded.max_value), "
    "zero_means_na = attribute_columns.zero_means_na OR excluded.zero_means_na, "
    "distinct_values = greatest(attribute_columns.distinct_values, "
    "excluded.distinct_values)"
)


def store_attribute_frame(
    cur: Any,
    workspace: str,
    kind: str,
    import_id: int,
    frame: Any,
    columns: Sequence[AttributeColumn],
) -> None:
    """:func:`store_attributes` from an in-memory table (pandas or Arrow) that has
    ``row_id`` and each column's ``column``: for data built in Python (demo, tests)."""
    name = f"tp_attrs_in_{int(import_id)}"
    cur.register(name, frame)
    try:
        store_attributes(cur, workspace, kind, import_id, f"SELECT * FROM {name}", columns)
    finally:
        cur.unregister(name)


def describe_attribute(cur: Any, workspace: str, kind: str, column: AttributeColumn) -> None:
    """Add or merge one attribute's description: a name that is text in any import is
    text; ranges widen; distinct counts keep the largest."""
    cur.execute(
        "INSERT INTO attribute_columns (workspace, kind, name, dtype, min_value, max_value, "
        "zero_means_na, distinct_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?) " + _DESCRIBE_MERGE,
        [
            workspace,
            kind,
            column.name,
            column.dtype,
            column.min_value,
            column.max_value,
            bool(column.zero_means_na),
            column.distinct_values,
        ],
    )


def _drop_sources(cur: Any, where: str, params: list[Any]) -> None:
    imports = cur.execute(
        f"SELECT DISTINCT import_id FROM attribute_sources WHERE {where}", params
    ).fetchall()
    for (import_id,) in imports:
        name = attribute_table_name(import_id)
        relation = relation_type(cur, name)  # a view over the import's rows, or a table
        if relation is not None:
            cur.execute(f"DROP {relation.upper()} {name}")
        cur.execute("DELETE FROM attribute_catalogue WHERE import_id = ?", [import_id])
        cur.execute("DELETE FROM attribute_catalogue_imports WHERE import_id = ?", [import_id])
    cur.execute(f"DELETE FROM attribute_sources WHERE {where}", params)


def drop_import_attributes(cur: Any, workspace: str, import_id: int) -> None:
    """Drop an import's attributes; forget attribute names no other import has."""
    _drop_sources(cur, "workspace = ? AND import_id = ?", [workspace, int(import_id)])
    cur.execute(
        "DELETE FROM attribute_columns a WHERE workspace = ? AND NOT EXISTS (SELECT 1 FROM "
        "attribute_sources s WHERE s.workspace = a.workspace AND s.kind = a.kind "
        "AND s.name = a.name)",
        [workspace],
    )


def drop_workspace_attributes(cur: Any, workspace: str) -> None:
    """Drop every attribute of a workspace (inside the caller's transaction)."""
    _drop_sources(cur, "workspace = ?", [workspace])
    cur.execute("DELETE FROM attribute_columns WHERE workspace = ?", [workspace])


def forget_rows(cur: Any, workspace: str, kind: str, ids_sql: str) -> None:
    """Delete the attribute values of the rows whose ``row_id`` is in ``ids_sql`` (a
    one-column query of Touchpoint's own SQL) from every import of a workspace's ``kind``:
    a newer import's record of those rows replaces them."""
    imports = cur.execute(
        "SELECT DISTINCT import_id FROM attribute_sources WHERE workspace = ? AND kind = ?",
        [workspace, kind],
    ).fetchall()
    for (import_id,) in imports:
        cur.execute(f"DELETE FROM {attribute_table_name(import_id)} WHERE row_id IN ({ids_sql})")


NOT_APPLICABLE = "n/a (0)"  # the label of a 0 in a zero-means-not-applicable rating


@dataclass(frozen=True)
class _Source:
    name: str
    table_name: str
    column: str
    dtype: str
    zero_means_na: bool


def _sources(
    engine: Engine, workspace: str, kind: str, names: Iterable[str] | None
) -> list[_Source]:
    """Every import column holding ``names`` (every attribute when ``names`` is None)."""
    src = engine.table("attribute_sources")
    where = (src.workspace == workspace) & (src.kind == kind)
    if names is not None:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return []
        where &= src.name.isin(wanted)
    described = engine.table("attribute_columns")
    rows = engine.to_pandas(
        src.filter(where)
        .left_join(described, ["workspace", "kind", "name"])
        .mutate(zero_means_na=described.zero_means_na.fill_null(False))
        .select("name", "table_name", "column_name", "dtype", "zero_means_na", "import_id")
        .order_by(["import_id", "column_name"])
    )
    return [
        _Source(
            str(r.name),
            str(r.table_name),
            str(r.column_name),
            str(r.dtype),
            bool(r.zero_means_na),
        )
        for r in rows.itertuples(index=False)
    ]


def _number_label(value: ir.FloatingValue, zero_means_na: bool) -> ir.StringValue:
    """``3`` for whole numbers (not ``3.0``); ``n/a (0)`` for a not-applicable 0."""
    import ibis

    text = (value == value.floor()).ifelse(value.cast("int64").cast("string"), value.cast("string"))
    return (value == 0).ifelse(ibis.literal(NOT_APPLICABLE), text) if zero_means_na else text


def scale_labels(
    engine: Engine, workspace: str, kind: str, names: Iterable[str] | None = None
) -> dict[str, dict[float, str]]:
    """name -> {rating: label} of the verbal scales read as ratings (``4 · Agree``), from
    ``attribute_scale_labels`` (written at import by :mod:`cem.ingest.scales`)."""
    if not engine.has_table("attribute_scale_labels"):
        return {}
    labels = engine.table("attribute_scale_labels")
    src = engine.table("attribute_sources")
    where = (src.workspace == workspace) & (src.kind == kind)
    if names is not None:
        where &= src.name.isin(list(dict.fromkeys(names)) or [""])
    joined = labels.join(src.filter(where), ["import_id", "name"])
    rows = engine.to_pandas(joined.select("name", "number", "label").distinct())
    out: dict[str, dict[float, str]] = {}
    for r in rows.itertuples(index=False):
        out.setdefault(str(r.name), {})[float(r.number)] = str(r.label)
    return out


def attribute_values(
    engine: Engine,
    workspace: str,
    kind: str,
    names: str | Sequence[str] | None = None,
) -> ir.Table:
    """Long form of some attributes of a workspace (all of them when ``names`` is None):
    ``row_id, name, num_value, text_value, label``, one row per non-blank value, over every
    import that has them (an empty table when none has). ``row_id`` is the response/event
    id (int64) or the customer id (string); ``label`` is how the value reads in filters and
    splits (the text; a number without ``.0``; ``n/a (0)`` in a zero-means-n/a rating;
    ``4 · Agree`` in a verbal scale read as a rating)."""
    import ibis

    wanted = [names] if isinstance(names, str) else None if names is None else list(names)
    id_type = "string" if kind == "customers" else "int64"
    parts: list[ir.Table] = []
    sources = _sources(engine, workspace, kind, wanted)
    scales = scale_labels(engine, workspace, kind, wanted) if sources else {}
    for source in sources:
        table = engine.table(source.table_name)
        value = table[source.column]
        numeric = source.dtype == NUMERIC
        number = value.cast("float64")
        parts.append(
            table.filter(value.notnull()).select(
                row_id=table.row_id.cast(id_type),
                name=ibis.literal(source.name, "string"),
                num_value=number if numeric else ibis.null("float64"),
                text_value=ibis.null("string") if numeric else value.cast("string"),
                label=(
                    number.substitute(
                        scales[source.name], else_=_number_label(number, source.zero_means_na)
                    )
                    if source.name in scales
                    else _number_label(number, source.zero_means_na)
                )
                if numeric
                else value.cast("string"),
            )
        )
    if not parts:
        schema = {
            "row_id": id_type,
            "name": "string",
            "num_value": "float64",
            "text_value": "string",
            "label": "string",
        }
        return ibis.memtable({k: [] for k in schema}, schema=schema)
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


def numeric_attribute_matrix(
    engine: Engine, workspace: str, kind: str, names: Sequence[str]
) -> ir.Table:
    """Wide form of the numeric attributes ``names``: ``row_id`` and one float64 column per
    name (``v0``, ``v1``, … in the order of ``names``), missing where the row has no value
    and for a 0 of a zero-means-not-applicable rating; one row per row holding at least
    one of them. The imports' wide tables are read as they are (one table: no group-by;
    several: a union grouped by row, the largest value kept as in the long form), the fast
    way to put ratings side by side on millions of rows (the long form of
    :func:`attribute_values` needs a pivot of one row per value)."""
    import ibis

    wanted = list(dict.fromkeys(names))
    slot = {name: f"v{i}" for i, name in enumerate(wanted)}
    by_table: dict[str, dict[str, ir.FloatingValue]] = {}
    for source in _sources(engine, workspace, kind, wanted):
        if source.dtype != NUMERIC:
            continue
        value = engine.table(source.table_name)[source.column].cast("float64")
        by_table.setdefault(source.table_name, {})[slot[source.name]] = (
            value.nullif(0.0) if source.zero_means_na else value
        )
    id_type = "string" if kind == "customers" else "int64"
    parts: list[ir.Table] = []
    for table_name, columns in by_table.items():
        table = engine.table(table_name)
        values = {
            column: columns.get(column, ibis.null("float64")).name(column)
            for column in slot.values()
        }
        part = table.select(row_id=table.row_id.cast(id_type), **values)
        present = [part[c].notnull() for c in columns]
        parts.append(part.filter(functools.reduce(operator.or_, present)))
    if not parts:
        schema = {"row_id": id_type} | {column: "float64" for column in slot.values()}
        return ibis.memtable({k: [] for k in schema}, schema=schema)
    if len(parts) == 1:
        return parts[0]
    # Imports normally hold different rows; when two hold the same row, one row per id.
    both = ibis.union(*parts, distinct=False)
    return both.group_by("row_id").aggregate(**{c: both[c].max() for c in slot.values()})
