"""User accounts: names, roles, scrypt password hashes and per-workspace grants.

Passwords are hashed with :func:`hashlib.scrypt` (n=2**14, r=8, p=1, a 16-byte random
salt) and stored as ``scrypt$n$r$p$salt$hash``; verification is constant-time. A password
is never stored, logged or audited. Every change takes the acting principal and requires
``user.manage`` (admins).

>>> h = hash_password("correct horse")
>>> h.startswith("scrypt$16384$8$1$"), verify_password("correct horse", h)
(True, True)
>>> verify_password("wrong", h)
False
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cem.access.audit import record
from cem.access.principal import Principal, Role, require
from cem.errors import InputError, NotFoundError
from cem.store.db import Database

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


def hash_password(password: str) -> str:
    """The password's scrypt hash as ``scrypt$n$r$p$salt$hash`` (salt and hash base64)."""
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def parse_role(text: str) -> Role:
    """The role named ``text`` (``viewer``, ``editor`` or ``admin``)."""
    try:
        return Role[(text or "").strip().upper()]
    except KeyError:
        raise InputError(f"'{text}' is not a role: use viewer, editor or admin.") from None


def validate_user_name(name: str) -> str:
    """The trimmed name, or :class:`InputError` saying what is wrong."""
    clean = (name or "").strip()
    if not _NAME.match(clean):
        raise InputError(
            "A user name has 1 to 64 letters, digits or the characters . _ @ - (no spaces)."
        )
    return clean


def _validate_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InputError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
    return password


@dataclass(frozen=True)
class User:
    """One account as listed (never with its password hash); ``last_sign_in`` is the time
    (UTC) of its last successful sign-in, ``None`` when it never signed in."""

    name: str
    role: Role
    workspaces: tuple[str, ...]
    disabled: bool
    last_sign_in: dt.datetime | None = None


def has_users(db: Database) -> bool:
    """True once any account exists (then every page asks to sign in)."""
    return db.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def user_exists(db: Database, name: str) -> bool:
    """True when an account of that name exists."""
    return db.execute("SELECT count(*) FROM users WHERE name = ?", [name]).fetchone()[0] > 0


def _require_user(db: Database, name: str) -> None:
    if not user_exists(db, name):
        raise NotFoundError(f"There is no user called '{name}'.")


def granted_workspaces(db: Database, name: str) -> frozenset[str]:
    """The workspaces granted to a user."""
    rows = db.execute("SELECT workspace FROM user_grants WHERE user_name = ?", [name]).fetchall()
    return frozenset(r[0] for r in rows)


def principal_for(db: Database, name: str) -> Principal:
    """The principal of an account: its role; admins see every workspace, others their grants."""
    row = db.execute("SELECT role FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise NotFoundError(f"There is no user called '{name}'.")
    role = parse_role(row[0])
    workspaces = None if role is Role.ADMIN else granted_workspaces(db, name)
    return Principal(name, role, workspaces=workspaces, kind="user")


def active_principal(db: Database, name: str) -> Principal | None:
    """The principal of an enabled account as it is now (role and grants re-read), or
    ``None`` when the account was disabled or removed: a signed-in session calls this on
    every run, so disabling an account ends its open sessions on their next run."""
    row = db.execute("SELECT disabled FROM users WHERE name = ?", [name]).fetchone()
    if row is None or row[0]:
        return None
    return principal_for(db, name)


def list_users(db: Database, *, actor: Principal) -> list[User]:
    """Every account with its role, grants, disabled flag and last sign-in, by name."""
    require(actor, "user.manage")
    rows = db.execute(
        "SELECT u.name, u.role, u.disabled, list(g.workspace ORDER BY g.workspace) "
        "FILTER (WHERE g.workspace IS NOT NULL), (SELECT max(a.attempted_at) FROM "
        "signin_attempts a WHERE a.user_name = u.name AND a.ok) FROM users u "
        "LEFT JOIN user_grants g ON g.user_name = u.name "
        "GROUP BY u.name, u.role, u.disabled ORDER BY lower(u.name)"
    ).fetchall()
    return [User(n, parse_role(r), tuple(ws or ()), bool(d), last) for n, r, d, ws, last in rows]


def _keep_an_admin(db: Database, name: str, actor: Principal, change: str) -> None:
    """Refuse a change that would lock the app: acting on one's own account, or taking
    away the last enabled admin."""
    if actor.kind in ("user", "sso") and actor.name == name:
        raise InputError(f"You cannot {change} your own account; ask another admin.")
    others = db.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND name <> ?", [name]
    ).fetchone()[0]
    row = db.execute("SELECT role, disabled FROM users WHERE name = ?", [name]).fetchone()
    if row is not None and row[0] == "admin" and not row[1] and others == 0:
        raise InputError(f"Cannot {change} {name}: it is the only enabled admin.")


def add_user(
    db: Database,
    name: str,
    role: Role | str,
    password: str,
    *,
    actor: Principal,
    workspaces: tuple[str, ...] = (),
) -> str:
    """Create an account (with grants to ``workspaces``); return its name."""
    require(actor, "user.manage")
    clean = validate_user_name(name)
    chosen = role if isinstance(role, Role) else parse_role(role)
    stored = hash_password(_validate_password(password))
    if user_exists(db, clean):
        raise InputError(f"A user called '{clean}' already exists.")
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO users(name, role, password_hash) VALUES (?, ?, ?)",
            [clean, chosen.label, stored],
        )
        for workspace in dict.fromkeys(workspaces):
            cur.execute("INSERT INTO user_grants VALUES (?, ?)", [clean, workspace])
    record(db, actor, "user.add", None, clean, f"role {chosen.label}")
    return clean


def remove_user(db: Database, name: str, *, actor: Principal) -> None:
    """Delete an account and its grants."""
    require(actor, "user.manage")
    _require_user(db, name)
    _keep_an_admin(db, name, actor, "remove")
    with db.transaction() as cur:
        cur.execute("DELETE FROM user_grants WHERE user_name = ?", [name])
        cur.execute("DELETE FROM users WHERE name = ?", [name])
    record(db, actor, "user.remove", None, name)


def set_password(db: Database, name: str, password: str, *, actor: Principal) -> None:
    """Replace an account's password."""
    require(actor, "user.manage")
    _require_user(db, name)
    stored = hash_password(_validate_password(password))
    db.execute("UPDATE users SET password_hash = ? WHERE name = ?", [stored, name])
    record(db, actor, "user.password", None, name)


def set_role(db: Database, name: str, role: Role | str, *, actor: Principal) -> None:
    """Change an account's role."""
    require(actor, "user.manage")
    _require_user(db, name)
    chosen = role if isinstance(role, Role) else parse_role(role)
    if chosen is not Role.ADMIN:
        _keep_an_admin(db, name, actor, "demote")
    db.execute("UPDATE users SET role = ? WHERE name = ?", [chosen.label, name])
    record(db, actor, "user.role", None, name, f"role {chosen.label}")


def grant_workspace(db: Database, name: str, workspace: str, *, actor: Principal) -> None:
    """Let a user see (and, for editors, change) a workspace."""
    require(actor, "user.manage")
    _require_user(db, name)
    db.execute("INSERT INTO user_grants VALUES (?, ?) ON CONFLICT DO NOTHING", [name, workspace])
    record(db, actor, "user.grant", workspace, name)


def revoke_workspace(db: Database, name: str, workspace: str, *, actor: Principal) -> None:
    """Take a workspace away from a user."""
    require(actor, "user.manage")
    _require_user(db, name)
    db.execute("DELETE FROM user_grants WHERE user_name = ? AND workspace = ?", [name, workspace])
    record(db, actor, "user.revoke", workspace, name)


def set_grants(db: Database, name: str, workspaces: tuple[str, ...], *, actor: Principal) -> None:
    """Replace a user's workspace grants by ``workspaces`` (the Users page's one Save)."""
    require(actor, "user.manage")
    _require_user(db, name)
    wanted = tuple(dict.fromkeys(workspaces))
    with db.transaction() as cur:
        cur.execute("DELETE FROM user_grants WHERE user_name = ?", [name])
        for workspace in wanted:
            cur.execute("INSERT INTO user_grants VALUES (?, ?)", [name, workspace])
    record(db, actor, "user.grants", None, name, ", ".join(wanted) or "none")


def set_disabled(db: Database, name: str, disabled: bool, *, actor: Principal) -> None:
    """Disable an account (it cannot sign in, and its open sessions end on their next run)
    or enable it again."""
    require(actor, "user.manage")
    _require_user(db, name)
    if disabled:
        _keep_an_admin(db, name, actor, "disable")
    db.execute("UPDATE users SET disabled = ? WHERE name = ?", [disabled, name])
    record(db, actor, "user.disable" if disabled else "user.enable", None, name)
