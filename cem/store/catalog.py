"""What the database holds by name: whether a relation is a table, a view, or absent.

One question, asked by migrations (is ``responses`` still a table?) and by the code that drops
an import's attribute table (a view for an import of responses or events, a table otherwise).

>>> import duckdb
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE t (x INT)"); _ = con.execute("CREATE VIEW v AS SELECT * FROM t")
>>> relation_type(con, "t"), relation_type(con, "v"), relation_type(con, "nothing")
('table', 'view', None)
"""

from __future__ import annotations

from typing import Any

__all__ = ["relation_type"]


def relation_type(cur: Any, name: str) -> str | None:
    """``'table'``, ``'view'`` or None: what ``name`` is in the current database's main
    schema."""
    row = cur.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = 'main' AND table_catalog = current_database()",
        [name],
    ).fetchone()
    if row is None:
        return None
    return "view" if row[0] == "VIEW" else "table"
