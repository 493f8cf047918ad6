"""Schema of the kept analytics results (:mod:`cem.analytics.result_store`): one row per
heavy result of a workspace at one data revision, so a restarted server (or another
process) reads the figures an import already warmed instead of recomputing them.

``workspace_created`` and ``revision`` say which state of the workspace's data the
result belongs to (a workspace deleted and made again under the same name has another
creation time); ``result_key`` is a digest of the function and its arguments, and
``payload`` the result in the store's JSON form (never pickled).
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS analytics_results (
        workspace VARCHAR NOT NULL,
        result_key VARCHAR NOT NULL,
        workspace_created TIMESTAMP NOT NULL,
        revision BIGINT NOT NULL,
        function_name VARCHAR NOT NULL,
        seconds DOUBLE NOT NULL,
        stored_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
        payload VARCHAR NOT NULL,
        PRIMARY KEY (workspace, result_key)
    )""",
)
