"""Where survey responses and touchpoint events are stored: written once, read as one table.

An import of responses or events is written **once**: DuckDB's reader parses the file
straight into the import's own table ``tp_rows_<import_id>``, every role typed (``t_<role>``),
every attribute column kept (``x<k>``/``n<k>``), the raw text of invalid cells kept for
the rejects, and one bit mask ``__bad`` per row (a bit per failed check; 0: the row loads).
Nothing is copied afterwards: ``responses`` and ``events`` are **views** over the rows
written directly (``responses_base``/``events_base``: the demo, data built in Python) and
every import's valid rows, with the columns the data model names. An import's attribute
table ``tp_attrs_<id>`` is a view over the same table (:mod:`cem.analytics.attributes`).

Ids are as they always were: ``import_id * 2**32 + the record's position in the file``,
the position being the row's place in its import table (rejected rows stay in it, so
positions never shift). The workspace is written into the view as a constant (quoted with
:func:`~cem.store.db.sql_string`: a view cannot bind parameters), so a filter on another
workspace skips the import without reading it; renaming a workspace rewrites the views.

:func:`rebuild_views` writes both views from the ``row_tables`` register; every change to
the set of import tables (an import, a deleted import or workspace) calls it in the same
transaction. Table names are generated from import ids; no user value reaches a view.

>>> from cem.store.db import Database
>>> db = Database(":memory:")
>>> with db.transaction() as cur:
...     _ = cur.execute("CREATE TABLE tp_rows_5 AS SELECT * FROM (VALUES (9.0, 0::UTINYINT), "
...                     "(NULL, 1::UTINYINT)) t(t_nps, __bad)")
...     register_row_table(cur, 5, "responses", "acme", first_row=2)
...     rebuild_views(cur)
>>> db.execute("SELECT response_id - 5 * ?, workspace, source_row, nps FROM responses",
...            [ID_STRIDE]).fetchall()  # the row with a bad cell is not in the view
[(0, 'acme', 2, 9)]
"""

from __future__ import annotations

from typing import Any

from cem.store.quoting import sql_string

__all__ = [
    "BASE_TABLES",
    "ID_COLUMNS",
    "ID_STRIDE",
    "ROW_KINDS",
    "direct_table",
    "drop_row_tables",
    "rebuild_views",
    "register_row_table",
    "row_table_name",
    "workspace_row_tables",
]

ROW_KINDS = ("responses", "events")
BASE_TABLES = {"responses": "responses_base", "events": "events_base"}
ID_COLUMNS = {"responses": "response_id", "events": "event_id"}
ID_STRIDE = 1 << 32  # an import's ids: import_id * ID_STRIDE + position in the file


def direct_table(kind: str) -> str:
    """The table that rows of ``kind`` built in Python are inserted into (the view's base
    for responses and events; customers are a table).

    >>> direct_table("responses"), direct_table("customers")
    ('responses_base', 'customers')
    """
    return BASE_TABLES.get(kind, kind)


def row_table_name(import_id: int) -> str:
    """The table that holds one import's rows.

    >>> row_table_name(12)
    'tp_rows_12'
    """
    return f"tp_rows_{int(import_id)}"


def register_row_table(cur: Any, import_id: int, kind: str, workspace: str, first_row: int) -> None:
    """Record that ``tp_rows_<import_id>`` holds an import of ``kind`` into ``workspace``
    whose first record is row ``first_row`` of the file (when the table has no ``__row``)."""
    cur.execute(
        "INSERT INTO row_tables (import_id, kind, workspace, first_row) VALUES (?, ?, ?, ?)",
        [int(import_id), kind, workspace, int(first_row)],
    )


def drop_row_tables(cur: Any, import_ids: list[int]) -> None:
    """Drop the import tables of ``import_ids`` (those that have one) and rebuild the views
    (inside the caller's transaction)."""
    if not import_ids:
        return
    found = cur.execute(
        "SELECT import_id FROM row_tables WHERE list_contains(?::BIGINT[], import_id)",
        [[int(i) for i in import_ids]],
    ).fetchall()
    if not found:
        return
    for (import_id,) in found:
        cur.execute(f"DROP TABLE IF EXISTS {row_table_name(import_id)}")
    cur.execute(
        "DELETE FROM row_tables WHERE list_contains(?::BIGINT[], import_id)",
        [[int(i) for (i,) in found]],
    )
    rebuild_views(cur)


def workspace_row_tables(cur: Any, workspace: str) -> list[int]:
    """The imports of ``workspace`` that have a table of their own."""
    return [
        int(r[0])
        for r in cur.execute(
            "SELECT import_id FROM row_tables WHERE workspace = ? ORDER BY 1", [workspace]
        ).fetchall()
    ]


def _columns(cur: Any, table: str) -> list[tuple[str, str]]:
    return [
        (str(n), str(t))
        for n, t in cur.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = 'main' AND database_name = current_database() "
            "ORDER BY column_index",
            [table],
        ).fetchall()
    ]


def _import_select(
    kind: str,
    import_id: int,
    workspace: str,
    first_row: int,
    base: list[tuple[str, str]],
    have: dict[str, str],
) -> str:
    """The valid rows of one import table, with the columns (and types) of the base table."""
    exprs = []
    for name, dtype in base:
        if name == ID_COLUMNS[kind]:
            value = f"CAST({int(import_id)} * {ID_STRIDE} + rowid AS BIGINT)"
        elif name == "workspace":
            value = sql_string(workspace)
        elif name == "import_id":
            value = f"CAST({int(import_id)} AS BIGINT)"
        elif name == "source_row":
            value = "__row" if "__row" in have else f"CAST(rowid + {int(first_row)} AS BIGINT)"
        elif have.get(f"t_{name}") == dtype:  # as stored: the column's statistics stay
            value = f"t_{name}"
        elif f"t_{name}" in have:  # a score is kept as read (DOUBLE): whole, once valid
            value = f"CAST(t_{name} AS {dtype})"
        else:
            value = f"CAST(NULL AS {dtype})"
        exprs.append(f"{value} AS {name}")
    return f"SELECT {', '.join(exprs)} FROM {row_table_name(import_id)} WHERE __bad = 0"


def rebuild_views(cur: Any, kinds: tuple[str, ...] = ROW_KINDS) -> None:
    """(Re)write the ``responses``/``events`` views: the base table's rows and every
    registered import table's valid rows."""
    for kind in kinds:
        base_table = BASE_TABLES[kind]
        base = _columns(cur, base_table)
        parts = [f"SELECT * FROM {base_table}"]
        for import_id, workspace, first_row in cur.execute(
            "SELECT import_id, workspace, first_row FROM row_tables WHERE kind = ? "
            "ORDER BY import_id",
            [kind],
        ).fetchall():
            have = dict(_columns(cur, row_table_name(import_id)))
            parts.append(_import_select(kind, import_id, workspace, first_row, base, have))
        cur.execute(f"CREATE OR REPLACE VIEW {kind} AS " + " UNION ALL ".join(parts))
