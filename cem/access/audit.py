"""The audit log: who did what, where, when. One row per change or sign-in attempt.

>>> from cem.store.db import Database
>>> from cem.access.principal import CLI_ADMIN
>>> db = Database(":memory:")
>>> record(db, CLI_ADMIN, "workspace.create", "acme", "acme")
>>> entries(db)[["actor", "action", "workspace"]].values.tolist()
[['cli', 'workspace.create', 'acme']]
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from cem.access.principal import Principal, require
from cem.store.db import Database

if TYPE_CHECKING:  # entries are frames (made by DuckDB's .df() when asked for)
    import pandas as pd

AUDIT_COLUMNS = ("logged_at", "actor", "actor_kind", "action", "workspace", "target", "detail")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(
    db: Database,
    actor: Principal,
    action: str,
    workspace: str | None,
    target: str | None = None,
    detail: str | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Append one entry (time in UTC) to the audit log. Never pass a secret in ``detail``."""
    db.execute(
        "INSERT INTO audit_log(logged_at, actor, actor_kind, action, workspace, target, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at or _utc_now(), actor.name, actor.kind, action, workspace, target, detail],
    )


def entries(
    db: Database,
    *,
    user: str | None = None,
    action: str | None = None,
    workspace: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Audit entries, newest first, filtered by user, action (prefix), workspace and dates."""
    where, params = ["true"], []
    for column, value in (("actor", user), ("workspace", workspace)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if action:
        where.append("starts_with(action, ?)")
        params.append(action)
    if since:
        where.append("logged_at >= ?")
        params.append(dt.datetime.combine(since, dt.time()))
    if until:
        where.append("logged_at < ?")
        params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    return db.execute(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE {' AND '.join(where)} "
        "ORDER BY logged_at DESC, audit_id DESC",
        params,
    ).df()


def browse(db: Database, *, actor: Principal, **filters: object) -> pd.DataFrame:
    """:func:`entries` for an admin (``audit.view``): the audit page and the CLI."""
    require(actor, "audit.view")
    return entries(db, **filters)  # type: ignore[arg-type]
