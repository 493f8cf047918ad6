"""Workspaces: isolated sets of data. Every table row carries its workspace's name.

>>> from cem.access.principal import CLI_ADMIN
>>> from cem.store.db import Database, bump_revision
>>> db = Database(":memory:")
>>> create_workspace(db, "Acme", actor=CLI_ADMIN)
'Acme'
>>> rename_workspace(db, "Acme", "Acme Corp", actor=CLI_ADMIN)
>>> list_workspaces(db)
['Acme Corp']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cem.access.audit import record
from cem.access.principal import Principal, require
from cem.analytics.attributes import drop_workspace_attributes
from cem.errors import InputError, NotFoundError
from cem.store.db import Database, bump_revision
from cem.store.rows import drop_row_tables, rebuild_views, workspace_row_tables

DEMO_WORKSPACE = "demo"
MAX_NAME_LENGTH = 60

# Tables with a ``workspace`` column, and tables keyed through a journey.
_WORKSPACE_TABLES = (
    "imports",
    "column_mappings",
    "comment_fields",
    "responses_base",  # and the import tables, cem.store.rows
    "events_base",
    "customers",
    "attribute_sources",
    "attribute_columns",
    "row_tables",
    "personas",
    "journeys",
    "cases",
    "analytics_results",
)
_JOURNEY_TABLES = ("stages", "touchpoints", "journey_versions")


def validate_workspace_name(name: str) -> str:
    """Return the trimmed name, or raise :class:`InputError` saying what is wrong."""
    clean = (name or "").strip()
    if not clean:
        raise InputError("A workspace needs a name.")
    if len(clean) > MAX_NAME_LENGTH:
        raise InputError(f"A workspace name can have at most {MAX_NAME_LENGTH} characters.")
    if any(ord(ch) < 32 for ch in clean):
        raise InputError("A workspace name cannot contain control characters.")
    return clean


def list_workspaces(db: Database) -> list[str]:
    """All workspace names, the demo first, then alphabetically."""
    rows = db.execute(
        "SELECT name FROM workspaces ORDER BY name <> ?, lower(name)", [DEMO_WORKSPACE]
    ).fetchall()
    return [r[0] for r in rows]


def workspace_exists(db: Database, name: str) -> bool:
    """True when a workspace of that name exists."""
    return db.execute("SELECT count(*) FROM workspaces WHERE name = ?", [name]).fetchone()[0] > 0


def ensure_workspace(db: Database, name: str) -> str:
    """Create the workspace if it does not exist yet; return its name."""
    clean = validate_workspace_name(name)
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [clean])
    return clean


def create_workspace(db: Database, name: str, *, actor: Principal) -> str:
    """Create a new, empty workspace; raise if the name is taken."""
    require(actor, "workspace.create")
    clean = validate_workspace_name(name)
    if workspace_exists(db, clean):
        raise InputError(f"A workspace called '{clean}' already exists.")
    ensure_workspace(db, clean)
    record(db, actor, "workspace.create", clean, clean)
    return clean


def rename_workspace(db: Database, old: str, new: str, *, actor: Principal) -> None:
    """Rename a workspace and every row that belongs to it, in one transaction."""
    require(actor, "workspace.edit", old)
    clean = validate_workspace_name(new)
    if not workspace_exists(db, old):
        raise NotFoundError(f"There is no workspace called '{old}'.")
    if clean == old:
        return
    if workspace_exists(db, clean):
        raise InputError(f"A workspace called '{clean}' already exists.")
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO workspaces(name, revision, created_at) "
            "SELECT ?, revision + 1, created_at FROM workspaces WHERE name = ?",
            [clean, old],
        )
        for table in _WORKSPACE_TABLES:
            cur.execute(f"UPDATE {table} SET workspace = ? WHERE workspace = ?", [clean, old])
        rebuild_views(cur)  # the import tables' rows carry the new name
        cur.execute("DELETE FROM workspaces WHERE name = ?", [old])
    record(db, actor, "workspace.rename", clean, old, f"renamed to {clean}")


def delete_workspace(db: Database, name: str, *, actor: Principal) -> None:
    """Delete a workspace and all of its data, in one transaction."""
    require(actor, "workspace.delete", name)
    if not workspace_exists(db, name):
        raise NotFoundError(f"There is no workspace called '{name}'.")
    with db.transaction() as cur:
        clear_workspace_data(cur, name)
        cur.execute("DELETE FROM workspaces WHERE name = ?", [name])
    record(db, actor, "workspace.delete", name, name)


def clear_workspace_data(cur: object, name: str) -> None:
    """Delete every row of a workspace (inside the caller's transaction), keeping the name."""
    execute = cur.execute  # type: ignore[attr-defined]
    for table in _JOURNEY_TABLES:
        execute(
            f"DELETE FROM {table} WHERE journey_id IN "
            "(SELECT journey_id FROM journeys WHERE workspace = ?)",
            [name],
        )
    execute(
        "DELETE FROM import_rejects WHERE import_id IN "
        "(SELECT import_id FROM imports WHERE workspace = ?)",
        [name],
    )
    drop_workspace_attributes(cur, name)
    drop_row_tables(cur, workspace_row_tables(cur, name))
    for table in _WORKSPACE_TABLES:
        execute(f"DELETE FROM {table} WHERE workspace = ?", [name])
    bump_revision(cur, name)  # type: ignore[arg-type]


@dataclass(frozen=True)
class WorkspaceSummary:
    """What a workspace holds, for the Workspaces page."""

    name: str
    responses: int
    events: int
    customers: int
    journeys: int
    imports: int
    last_import_at: dt.datetime | None
    last_import_file: str | None
    created_at: dt.datetime | None


def workspace_summary(db: Database, name: str) -> WorkspaceSummary:
    """Row counts and the latest import of one workspace.

    >>> from cem.access.principal import CLI_ADMIN
    >>> db = Database(":memory:")
    >>> _ = create_workspace(db, "Acme", actor=CLI_ADMIN)
    >>> s = workspace_summary(db, "Acme")
    >>> (s.responses, s.events, s.customers, s.journeys, s.last_import_file)
    (0, 0, 0, 0, None)
    """
    rows = db.execute(
        "SELECT w.created_at,"
        " (SELECT count(*) FROM responses WHERE workspace = w.name),"
        " (SELECT count(*) FROM events WHERE workspace = w.name),"
        " (SELECT count(*) FROM customers WHERE workspace = w.name),"
        " (SELECT count(*) FROM journeys WHERE workspace = w.name),"
        " (SELECT count(*) FROM imports WHERE workspace = w.name),"
        " (SELECT max(created_at) FROM imports WHERE workspace = w.name),"
        " (SELECT arg_max(file_name, import_id) FROM imports WHERE workspace = w.name)"
        " FROM workspaces w WHERE w.name = ?",
        [name],
    ).fetchall()
    if not rows:
        raise NotFoundError(f"There is no workspace called '{name}'.")
    created, responses, events, customers, journeys, imports, last_at, last_file = rows[0]
    return WorkspaceSummary(
        name=name,
        responses=int(responses),
        events=int(events),
        customers=int(customers),
        journeys=int(journeys),
        imports=int(imports),
        last_import_at=last_at,
        last_import_file=last_file,
        created_at=created,
    )


def workspace_summaries(db: Database) -> list[WorkspaceSummary]:
    """:func:`workspace_summary` of every workspace, in :func:`list_workspaces` order."""
    return [workspace_summary(db, name) for name in list_workspaces(db)]
