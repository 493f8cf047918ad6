"""Import bookkeeping: the ``imports`` records, their rejects, and deleting an import.

Plain parameterised SQL over the small state tables (``imports``, ``import_rejects``,
``column_mappings``); table names come from a fixed list, never from users.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.analytics.attributes import drop_import_attributes
from cem.errors import NotFoundError
from cem.ingest.mapping import Mapping, columns_signature
from cem.ingest.readers import Upload
from cem.store.db import Database, bump_revision
from cem.store.rows import direct_table, drop_row_tables

if TYPE_CHECKING:  # the tables are frames (made by DuckDB's .df() when asked for)
    import pandas as pd

KINDS = ("responses", "events", "customers")


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
    for table in (direct_table(kind) for kind in KINDS):  # an import's own table: below
        cur.execute(
            f"DELETE FROM {table} WHERE workspace = ? AND import_id = ?", [workspace, import_id]
        )
    cur.execute("DELETE FROM import_rejects WHERE import_id = ?", [import_id])
    cur.execute("DELETE FROM comment_fields WHERE import_id = ?", [import_id])
    cur.execute("DELETE FROM attribute_scale_labels WHERE import_id = ?", [import_id])
    cur.execute("DELETE FROM imports WHERE workspace = ? AND import_id = ?", [workspace, import_id])
    drop_import_attributes(cur, workspace, import_id)
    drop_row_tables(cur, [import_id])


def delete_import(db: Database, workspace: str, import_id: int, *, actor: Principal) -> None:
    """Delete one import and every row it loaded, in one transaction."""
    require(actor, "import", workspace)
    with db.transaction() as cur:
        row = cur.execute(
            "SELECT count(*) FROM imports WHERE workspace = ? AND import_id = ?",
            [workspace, import_id],
        ).fetchone()
        if not row or row[0] == 0:
            raise NotFoundError(f"There is no import #{import_id} in '{workspace}'.")
        _delete_import_rows(cur, workspace, import_id)
        bump_revision(cur, workspace)
    record(db, actor, "import.delete", workspace, f"import #{import_id}")


def next_import_id(cur: Any) -> int:
    """A new import id (the ``import_id_seq`` sequence): every load, a user's file or the
    demo, numbers its rows from it."""
    return int(cur.execute("SELECT nextval('import_id_seq')").fetchall()[0][0])


def insert_import_record(
    cur: Any,
    workspace: str,
    import_id: int,
    kind: str,
    file_name: str,
    content_hash: str,
    rows_read: int,
    rows_loaded: int,
    mapping_json: str | None,
) -> None:
    """The one writer of the ``imports`` table (a user's file and the demo alike)."""
    cur.execute(
        "INSERT INTO imports (import_id, workspace, kind, file_name, content_hash, rows_read,"
        " rows_loaded, rows_rejected, mapping) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            workspace,
            kind,
            file_name,
            content_hash,
            rows_read,
            rows_loaded,
            rows_read - rows_loaded,
            mapping_json,
        ],
    )


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
    insert_import_record(
        cur,
        workspace,
        import_id,
        mapping.kind,
        upload.file_name,
        upload.content_hash,
        total,
        loaded,
        json.dumps(mapping.to_json()),
    )
    saved = json.dumps({**mapping.to_json(), "file_name": upload.file_name})
    cur.execute(
        "INSERT INTO column_mappings (workspace, kind, columns_signature, mapping) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET mapping = excluded.mapping, "
        "updated_at = current_localtimestamp()",
        [workspace, mapping.kind, columns_signature(upload.columns), saved],
    )
    fields = ([mapping.roles["comment"]] if "comment" in mapping.roles else []) + [
        c for c in mapping.comment_fields if c not in mapping.roles.values()
    ]
    if fields:
        cur.executemany(
            "INSERT INTO comment_fields VALUES (?, ?, ?, ?, ?, ?)",
            [
                (workspace, import_id, mapping.kind, name, k == 0 and "comment" in mapping.roles, k)
                for k, name in enumerate(fields)
            ],
        )


def comment_fields(db: Database, workspace: str) -> pd.DataFrame:
    """The free-text fields of the workspace's imports (for the comment search index):
    import_id, kind, name, is_primary (the ``comment`` role; the others are text
    attributes of that import under ``name``), position."""
    return db.execute(
        "SELECT import_id, kind, name, is_primary, position FROM comment_fields "
        "WHERE workspace = ? ORDER BY import_id, position",
        [workspace],
    ).df()


def _existing_import(cur: Any, workspace: str, content_hash: str) -> int | None:
    row = cur.execute(
        "SELECT import_id FROM imports WHERE workspace = ? AND content_hash = ? "
        "ORDER BY import_id LIMIT 1",
        [workspace, content_hash],
    ).fetchone()
    return int(row[0]) if row else None
