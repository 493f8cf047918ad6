"""The engine that analytics run on: an Ibis backend that holds Touchpoint's tables.

Every analytics function takes an :class:`Engine`, never the DuckDB connection, so
the same expressions run on the embedded DuckDB database (the default, built on the
connection that :mod:`cem.store.db` owns) or on another Ibis backend such as Spark
when a business outgrows one machine.

>>> from cem.store.db import Database
>>> engine = duckdb_engine(Database(":memory:"))
>>> engine.name
'duckdb'
>>> int(engine.to_pandas(engine.table("responses").count().as_table()).iloc[0, 0])
0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

if TYPE_CHECKING:
    import pandas as pd

    from cem.store.db import Database


@dataclass(frozen=True, eq=False)
class Engine:
    """An Ibis backend plus what analytics need to know about it.

    ``name`` is the backend's name (``"duckdb"``, ``"pyspark"``, …): a DuckDB-only fast
    path may test ``engine.is_duckdb`` and must give the same numbers as the portable
    path. ``database`` is the store behind a DuckDB engine (for data revisions), or
    ``None`` for an engine over exported tables.
    """

    backend: ibis.BaseBackend
    name: str
    database: Database | None = None

    @property
    def is_duckdb(self) -> bool:
        """True when the engine runs on the embedded DuckDB database."""
        return self.name == "duckdb"

    def table(self, name: str) -> ir.Table:
        """One of Touchpoint's tables (``responses``, ``events``, ``customers``, …)."""
        return self.backend.table(name)

    def has_table(self, name: str) -> bool:
        """True when the backend holds a table of that name.

        Looks the table up rather than listing tables: ``list_tables`` of ibis 12's DuckDB
        backend calls a cursor method that DuckDB 2 removed.
        """
        try:
            self.backend.table(name)
        except Exception:  # noqa: BLE001 - each backend raises its own "not found"
            return False
        return True

    def to_pandas(self, expr: ir.Expr, **kwargs: Any) -> pd.DataFrame:
        """Run an expression on this engine and return a DataFrame."""
        return self.backend.to_pandas(expr, **kwargs)


def duckdb_engine(db: Database) -> Engine:
    """The default engine: Ibis's DuckDB backend on this thread's cursor of ``db``."""
    return Engine(backend=db.ibis(), name="duckdb", database=db)
