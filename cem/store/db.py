"""The one place that opens DuckDB.

Touchpoint keeps everything in one embedded DuckDB file. This module opens it,
creates/migrates the schema, hands out per-thread cursors and an Ibis backend
built on the same connection, and wraps multi-statement writes in transactions.

Nothing else in the code base calls ``duckdb.connect``.

>>> db = Database(":memory:")
>>> with db.transaction() as cur:
...     _ = cur.execute("INSERT INTO workspaces(name) VALUES (?)", ["demo"])
>>> db.cursor().execute("SELECT count(*) FROM workspaces").fetchone()[0]
1
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from cem.errors import TouchpointError
from cem.store.catalog import relation_type
from cem.store.ddl import domain_ddl
from cem.store.errors import store_error
from cem.store.inbox import DEFAULT_DB_NAME
from cem.store.quoting import quote_identifier, sql_string
from cem.store.rows import BASE_TABLES, rebuild_views

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend as IbisDuckDB

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / DEFAULT_DB_NAME
ENV_DB_PATH = "TOUCHPOINT_DB"
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)

# 2: attributes stored per import (cem.analytics.attributes); 3: responses and events are
# views over base tables and one table per import (cem.store.rows)
SCHEMA_VERSION = 3
# Never download or auto-load extensions: Touchpoint works offline.
OFFLINE_CONFIG: dict[str, object] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# Each statement is idempotent so a fresh database and an old one end in the same state.
SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS workspaces (
        name VARCHAR PRIMARY KEY,
        revision BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
    "CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS imports (
        import_id BIGINT PRIMARY KEY,
        workspace VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        rows_read BIGINT NOT NULL,
        rows_loaded BIGINT NOT NULL,
        rows_rejected BIGINT NOT NULL,
        mapping JSON,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
    """CREATE TABLE IF NOT EXISTS import_rejects (
        import_id BIGINT NOT NULL,
        source_row BIGINT,
        column_name VARCHAR,
        value VARCHAR,
        reason VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS column_mappings (
        workspace VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        columns_signature VARCHAR NOT NULL,
        mapping JSON NOT NULL,
        updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        PRIMARY KEY (workspace, kind, columns_signature)
    )""",
    # Responses and events: the rows written directly (the demo, data built in Python) are in
    # the base tables; each import's rows in its own table, tp_rows_<import_id>, registered
    # in row_tables; the views ``responses`` and ``events`` read both (cem.store.rows).
    """CREATE TABLE IF NOT EXISTS responses_base (
        response_id BIGINT NOT NULL,
        workspace VARCHAR NOT NULL,
        import_id BIGINT NOT NULL,
        source_row BIGINT,
        customer_id VARCHAR,
        submitted_at TIMESTAMP,
        nps SMALLINT,
        csat SMALLINT,
        ces SMALLINT,
        comment VARCHAR,
        channel VARCHAR,
        touchpoint VARCHAR,
        stage VARCHAR,
        segment VARCHAR,
        persona VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS events_base (
        event_id BIGINT NOT NULL,
        workspace VARCHAR NOT NULL,
        import_id BIGINT NOT NULL,
        source_row BIGINT,
        customer_id VARCHAR NOT NULL,
        occurred_at TIMESTAMP NOT NULL,
        touchpoint VARCHAR NOT NULL,
        channel VARCHAR,
        stage VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS row_tables (
        import_id BIGINT PRIMARY KEY,
        kind VARCHAR NOT NULL,
        workspace VARCHAR NOT NULL,
        first_row BIGINT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS customers (
        workspace VARCHAR NOT NULL,
        import_id BIGINT NOT NULL,
        source_row BIGINT,
        customer_id VARCHAR NOT NULL,
        segment VARCHAR,
        persona VARCHAR,
        first_seen TIMESTAMP,
        churned BOOLEAN,
        churned_at TIMESTAMP,
        revenue DOUBLE
    )""",
    # Columns of an upload that have no role live in one table per import,
    # tp_attrs_<import_id> (row_id + a0, a1, ...): see cem.analytics.attributes. This says which
    # column of which import holds attribute ``name``.
    """CREATE TABLE IF NOT EXISTS attribute_sources (
        workspace VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        import_id BIGINT NOT NULL,
        name VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        column_name VARCHAR NOT NULL,
        dtype VARCHAR NOT NULL,
        PRIMARY KEY (workspace, kind, import_id, name)
    )""",
    # What each attribute column is: numeric ones can be charted like a KPI and used as
    # drivers, text ones as filter dimensions.
    """CREATE TABLE IF NOT EXISTS attribute_columns (
        workspace VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        dtype VARCHAR NOT NULL,
        min_value DOUBLE,
        max_value DOUBLE,
        zero_means_na BOOLEAN NOT NULL DEFAULT false,
        distinct_values BIGINT,
        PRIMARY KEY (workspace, kind, name)
    )""",
    "CREATE SEQUENCE IF NOT EXISTS row_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS personas (
        workspace VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        description VARCHAR,
        PRIMARY KEY (workspace, name)
    )""",
    # journeys, stages, touchpoints, lane cells and journey_versions: cem/store/ddl/journeys.py
    """CREATE TABLE IF NOT EXISTS cases (
        case_id BIGINT PRIMARY KEY,
        workspace VARCHAR NOT NULL,
        response_id BIGINT,
        status VARCHAR NOT NULL DEFAULT 'open',
        owner VARCHAR,
        note VARCHAR,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        updated_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
    )""",
)


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """Return the database path: ``explicit``, else ``$TOUCHPOINT_DB``, else the default.

    >>> resolve_db_path("/tmp/x.duckdb")
    '/tmp/x.duckdb'
    """
    if explicit:
        return str(explicit)
    env = os.environ.get(ENV_DB_PATH)
    if env:
        return env
    return str(DEFAULT_DB_PATH)


class Database:
    """One DuckDB connection per process, with a cursor per thread.

    DuckDB connections are not safe to share between threads, but cursors made from
    one connection are. Streamlit runs each session in its own thread, so every
    request asks :meth:`cursor` for the calling thread's cursor.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, read_only: bool = False) -> None:
        self.path = resolve_db_path(path)
        self.read_only = read_only  # a snapshot (cem.store.host): no migration, no writes
        if self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path, read_only=read_only, config=OFFLINE_CONFIG)
        except duckdb.Error as exc:  # locked by another process, read-only, damaged, ...
            raise _as_store_error(exc, self.path) from exc
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._memory_cap: str | None = None  # set by cap_memory (None: DuckDB's default)
        try:
            if not read_only:
                self.migrate()
        except BaseException:
            self._con.close()
            raise

    # -- connections -------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return this thread's cursor on the shared connection."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def ibis(self) -> IbisDuckDB:
        """Return this thread's Ibis DuckDB backend, built on its own cursor of the shared
        connection (DuckDB 2 refuses new work on a cursor with an unfinished result, so a
        ``db.execute(...).fetchone()`` on :meth:`cursor` must not block Ibis)."""
        backend = getattr(self._local, "ibis", None)
        if backend is None:
            import ibis  # lazily: a command that only runs SQL never loads it

            backend = ibis.duckdb.from_connection(self._con.cursor())
            self._local.ibis = backend
        return backend

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction on a fresh cursor: all of it or nothing.

        Writes are serialised within the process, so two sessions saving at the same
        moment never interleave inside one logical change.
        """
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException as exc:
                with suppress(duckdb.Error):  # a failed commit has rolled back already
                    cur.execute("ROLLBACK")
                cur.close()
                mapped = store_error(exc, self.path)
                if mapped is not None:
                    raise mapped from exc
                raise
            try:
                cur.execute("COMMIT")
            except duckdb.Error as exc:  # disk full, file gone read-only, ...
                raise _as_store_error(exc, self.path) from exc
            finally:
                cur.close()

    def execute(
        self, sql: str, params: list[Any] | tuple[Any, ...] | dict[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """Run one parameterised statement on this thread's cursor."""
        try:
            return (
                self.cursor().execute(sql, params)
                if params is not None
                else self.cursor().execute(sql)
            )
        except duckdb.Error as exc:
            mapped = store_error(exc, self.path)
            if mapped is not None:
                raise mapped from exc
            raise

    def memory_limit(self) -> str:
        """DuckDB's memory limit for this process, as DuckDB shows it (``'18.6 GiB'``)."""
        return str(self.execute("SELECT current_setting('memory_limit')").fetchone()[0])

    def cap_memory(self, limit: str | None) -> str | None:
        """Cap DuckDB's memory at ``limit`` (a size such as ``'600MB'``; None: DuckDB's
        default, 80% of the RAM) and return the cap before (None: the default). Beyond the
        cap DuckDB spills to its temporary directory beside the database file.

        >>> db = Database(":memory:")
        >>> before = db.cap_memory("600MB"); db.memory_limit(), db.cap_memory(before)
        ('572.2 MiB', '600MB')
        """
        previous = self._memory_cap
        if limit is None:
            self.execute("RESET memory_limit")
        elif MEMORY_SIZE.fullmatch(limit.strip()):
            self.execute("SET memory_limit = ?", [limit.strip()])
        else:
            raise TouchpointError(f"“{limit}” is not a memory size such as 600MB or 2GB.")
        self._memory_cap = limit
        return previous

    def close(self, wait_seconds: float = 60.0) -> None:
        """Close the connection (and with it every cursor).

        A background job (comment analysis after an import) may still be running a
        statement: wait for it, up to ``wait_seconds``, rather than fail.
        """
        import time

        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                with self._write_lock:
                    self._con.close()
                return
            except duckdb.Error as exc:
                if "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def write_snapshot(self, target: str | os.PathLike[str]) -> None:
        """Copy the whole database, as of one transaction, into a new file at ``target``
        (replaced atomically): the read-only snapshot that ``python -m cem`` reads while
        the app holds this file (:mod:`cem.store.host`). Readers and writers go on."""
        final = Path(target)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        alias = "tp_snapshot_out"
        cur = self._con.cursor()
        try:
            source = cur.execute("SELECT current_database()").fetchone()[0]
            cur.execute(f"ATTACH {sql_string(str(tmp))} AS {alias}")
            try:
                cur.execute(f"COPY FROM DATABASE {quote_identifier(source)} TO {alias}")
            finally:
                cur.execute(f"DETACH {alias}")
            os.replace(tmp, final)
        except duckdb.Error as exc:
            raise _as_store_error(exc, self.path) from exc
        finally:
            cur.close()
            tmp.unlink(missing_ok=True)

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        """Create the schema if needed; safe to call on every start."""
        with self.transaction() as cur:
            _rows_as_views(cur)
            for statement in SCHEMA:
                cur.execute(statement)
            for _name, statements in domain_ddl():
                for statement in statements:
                    cur.execute(statement)
            row = cur.execute("SELECT max(version) FROM schema_version").fetchone()
            version = None if row is None else row[0]
            if version is not None and version < 2:
                _attributes_per_import(cur)
            rebuild_views(cur)
            if version is None or version < SCHEMA_VERSION:
                cur.execute("DELETE FROM schema_version")
                cur.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])

    def data_version(self, workspace: str) -> int:
        """A cheap token that changes whenever a workspace's data changes (for cache keys).

        Every write to a workspace's data calls :func:`bump_revision` in its transaction.
        """
        row = (
            self.cursor()
            .execute("SELECT revision FROM workspaces WHERE name = ?", [workspace])
            .fetchone()
        )
        return int(row[0]) if row else -1


def _attributes_per_import(cur: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 -> 2: move the long ``attributes`` table (one row per value) into one wide
    table per import (:mod:`cem.analytics.attributes`)."""
    if relation_type(cur, "attributes") is None:
        return
    groups = cur.execute(
        "SELECT workspace, kind, import_id, list(DISTINCT name ORDER BY name), "
        "list(DISTINCT name ORDER BY name) FILTER (WHERE text_value IS NOT NULL) "
        "FROM attributes GROUP BY ALL ORDER BY import_id"
    ).fetchall()
    for workspace, kind, import_id, names, text_names in groups:
        text = set(text_names or [])
        table = f"tp_attrs_{int(import_id)}"
        id_type = "VARCHAR" if kind == "customers" else "BIGINT"
        cols, params = [], []
        for k, name in enumerate(names):
            value = "text_value" if name in text else "num_value"
            cols.append(f"max({value}) FILTER (WHERE name = ?) AS a{k}")
            params.append(name)
        cur.execute(
            f"CREATE TABLE {table} AS SELECT CAST(row_id AS {id_type}) AS row_id, "
            f"{', '.join(cols)} FROM attributes WHERE workspace = ? AND kind = ? "
            "AND import_id = ? GROUP BY row_id",
            [*params, workspace, kind, import_id],
        )
        cur.executemany(
            "INSERT INTO attribute_sources VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                [workspace, kind, import_id, n, table, f"a{k}", "text" if n in text else "numeric"]
                for k, n in enumerate(names)
            ],
        )
    cur.execute("DROP TABLE attributes")


def _rows_as_views(cur: duckdb.DuckDBPyConnection) -> None:
    """Schema 2 -> 3: the tables ``responses`` and ``events`` become the base tables that
    the views of those names read (:mod:`cem.store.rows`)."""
    for kind, base in BASE_TABLES.items():
        if relation_type(cur, kind) == "table":
            cur.execute(f"ALTER TABLE {kind} RENAME TO {base}")


def _as_store_error(exc: duckdb.Error, path: str) -> TouchpointError:
    """:func:`cem.store.errors.store_error`, or a plain one-line error for the rest."""
    return store_error(exc, path) or TouchpointError(f"Cannot use the database {path}: {exc}")


def bump_revision(cur: duckdb.DuckDBPyConnection, workspace: str) -> None:
    """Mark a workspace's data as changed (call inside the writing transaction)."""
    cur.execute("UPDATE workspaces SET revision = revision + 1 WHERE name = ?", [workspace])


@contextmanager
def scratch_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A private in-memory DuckDB connection, closed on exit: for looking into a file
    before it is imported (sniffing, sampling), with no database attached.

    >>> with scratch_connection() as con:
    ...     con.execute("SELECT 1 + 1").fetchone()[0]
    2
    """
    con = duckdb.connect(":memory:", config=OFFLINE_CONFIG)
    try:
        yield con
    finally:
        con.close()
