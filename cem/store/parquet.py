"""Export one workspace's analytics tables to Parquet (for another engine such as Spark).

DuckDB writes the files with ``COPY (SELECT …) TO …``: the workspace and the file path are
bound parameters, and table names are Touchpoint's own (quoted). Exported, per workspace:
``responses``, ``events``, ``customers``, ``cases``, ``attribute_sources``,
``attribute_columns``, the scale labels of its imports (``attribute_scale_labels``) and the
attribute table of each of its imports (``tp_attrs_<id>``).
Journeys, imports, mappings and other small state tables stay in DuckDB.

>>> import tempfile
>>> from cem.store.db import Database
>>> files = export_workspace_parquet(Database(":memory:"), "nobody", tempfile.mkdtemp())
>>> sorted(files)[:3]
['attribute_columns', 'attribute_scale_labels', 'attribute_sources']
"""

from __future__ import annotations

import os
from pathlib import Path

from cem.store.db import Database, quote_identifier

WORKSPACE_TABLES: tuple[str, ...] = (
    "responses",
    "events",
    "customers",
    "cases",
    "attribute_sources",
    "attribute_columns",
    "voc_sentiment",
)


def attribute_tables(db: Database, workspace: str) -> list[str]:
    """The attribute tables (``tp_attrs_<import id>``) that hold a workspace's attributes."""
    rows = db.execute(
        "SELECT DISTINCT table_name FROM attribute_sources WHERE workspace = ? ORDER BY 1",
        [workspace],
    ).fetchall()
    return [str(r[0]) for r in rows]


def export_workspace_parquet(
    db: Database, workspace: str, folder: str | os.PathLike[str]
) -> dict[str, Path]:
    """Write the workspace's rows of each analytics table to ``folder/<table>.parquet``;
    returns table name -> file."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    cur = db.cursor()
    for table in WORKSPACE_TABLES:
        path = out / f"{table}.parquet"
        cur.execute(
            f"COPY (SELECT * FROM {quote_identifier(table)} WHERE workspace = $workspace) "
            "TO $path (FORMAT parquet)",
            {"workspace": workspace, "path": str(path)},
        )
        files[table] = path
    path = out / "attribute_scale_labels.parquet"  # keyed by import, not by workspace
    cur.execute(
        "COPY (SELECT * FROM attribute_scale_labels WHERE import_id IN (SELECT import_id FROM "
        "attribute_sources WHERE workspace = $workspace)) TO $path (FORMAT parquet)",
        {"workspace": workspace, "path": str(path)},
    )
    files["attribute_scale_labels"] = path
    for table in attribute_tables(db, workspace):
        path = out / f"{table}.parquet"
        cur.execute(
            f"COPY (SELECT * FROM {quote_identifier(table)}) TO $path (FORMAT parquet)",
            {"path": str(path)},
        )
        files[table] = path
    return files
