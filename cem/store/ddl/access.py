"""Schema part of :mod:`cem.access`: the share links (:mod:`cem.access.links`).

``share_links``: one row per link: its workspace, allowed pages and fixed filters (JSON),
who made it and when, when it expires (NULL: never), was last opened and was revoked.
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
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
