"""Sign-in: check a name and password, limit failed attempts, expire sessions.

After :data:`MAX_FAILURES` failed attempts for a name within :data:`FAILURE_WINDOW`, further
tries for that name are refused for :data:`LOCKOUT` (the attempts are stored in DuckDB, so
the limit holds across sessions and restarts). An unknown name and a wrong password give
the same message. Every attempt is audited; the password never is.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from cem.access.audit import record
from cem.access.principal import Principal, Role
from cem.access.users import principal_for, verify_password
from cem.errors import AccessDenied
from cem.store.db import Database

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=5)
DEFAULT_SESSION_HOURS = 12.0
WRONG_CREDENTIALS = "Wrong user name or password."
# A hash to verify against when the name is unknown, so both cases take as long.
_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)


def utc_now() -> dt.datetime:
    """The current time in UTC, without a time zone (as stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def session_length() -> dt.timedelta:
    """How long a sign-in lasts: ``$TOUCHPOINT_SESSION_HOURS`` (default 12 hours)."""
    try:
        hours = float(os.environ.get("TOUCHPOINT_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    except ValueError:
        hours = DEFAULT_SESSION_HOURS
    return dt.timedelta(hours=hours if hours > 0 else DEFAULT_SESSION_HOURS)


@dataclass(frozen=True)
class Session:
    """A signed-in principal and when the sign-in stops being valid."""

    principal: Principal
    expires_at: dt.datetime

    def valid(self, now: dt.datetime | None = None) -> bool:
        """True until the session expires."""
        return (now or utc_now()) < self.expires_at


def locked_until(db: Database, name: str, now: dt.datetime) -> dt.datetime | None:
    """When the name may try again, if it is locked out now; else ``None``."""
    rows = db.execute(
        "SELECT attempted_at FROM signin_attempts WHERE user_name = ? AND NOT ok "
        "AND attempted_at > ? AND attempted_at <= ? AND attempted_at > coalesce("
        "(SELECT max(attempted_at) FROM signin_attempts WHERE user_name = ? AND ok), "
        "TIMESTAMP '1970-01-01') ORDER BY attempted_at DESC LIMIT ?",
        [name, now - FAILURE_WINDOW, now, name, MAX_FAILURES],
    ).fetchall()
    if len(rows) < MAX_FAILURES:
        return None
    until = rows[0][0] + LOCKOUT
    return until if until > now else None


def sign_in(db: Database, name: str, password: str, now: dt.datetime | None = None) -> Session:
    """The session of the account ``name`` if ``password`` is right; else :class:`AccessDenied`."""
    now = now or utc_now()
    name = (name or "").strip()
    attempt = Principal(name or "(empty)", Role.VIEWER, workspaces=frozenset(), kind="user")
    until = locked_until(db, name, now)
    if until is not None:
        record(db, attempt, "signin.locked", None, name, at=now)
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise AccessDenied(
            f"Too many failed sign-ins for this name: try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}."
        )
    row = db.execute(
        "SELECT password_hash FROM users WHERE name = ? AND NOT disabled", [name]
    ).fetchone()
    ok = verify_password(password or "", row[0] if row else _DUMMY_HASH) and row is not None
    db.execute("INSERT INTO signin_attempts VALUES (?, ?, ?)", [name, now, ok])
    record(db, attempt, "signin.ok" if ok else "signin.failed", None, name, at=now)
    if not ok:
        raise AccessDenied(WRONG_CREDENTIALS)
    return Session(principal_for(db, name), now + session_length())
