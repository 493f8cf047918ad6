"""Schema of access control: user accounts, workspace grants, sign-in attempts, the
audit log, and the share links (:mod:`cem.access.links`: one row per link: its workspace,
allowed pages and fixed filters (JSON), who made it and when, when it expires (NULL: never),
was last opened and was revoked).
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS users (
        name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        password_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        disabled BOOLEAN NOT NULL DEFAULT false
    )""",
    """CREATE TABLE IF NOT EXISTS user_grants (
        user_name VARCHAR NOT NULL,
        workspace VARCHAR NOT NULL,
        PRIMARY KEY (user_name, workspace)
    )""",
    """CREATE TABLE IF NOT EXISTS signin_attempts (
        user_name VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        ok BOOLEAN NOT NULL
    )""",
    "CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS audit_log (
        audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
        logged_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        actor_kind VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        workspace VARCHAR,
        target VARCHAR,
        detail VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS share_links (
        id VARCHAR PRIMARY KEY,
        workspace VARCHAR NOT NULL,
        pages VARCHAR NOT NULL,
        filters VARCHAR NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP,
        last_opened_at TIMESTAMP,
        revoked_at TIMESTAMP
    )""",
)
