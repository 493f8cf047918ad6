"""Schema of access control: user accounts, workspace grants, sign-in attempts, audit log."""

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
)
