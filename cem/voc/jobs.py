"""The analysis run after an import: index, sentiment, themes — in the background.

:func:`analyse_workspace` does the whole run for one workspace and records its progress in
``voc_status`` (so the page and the CLI can show it). :func:`start_background` runs it in a
thread, at most one per workspace and process; :func:`after_import` is the hook the import
calls when it has committed (the import's own time is unchanged and its rows are visible at
once: the analysis writes only ``voc_*`` tables). :func:`ensure_current` starts a run when the
stored analysis is for other responses than the workspace now holds (e.g. a database that was
filled before this version), so no page view ever computes sentiment itself.

A run holds the database's write lock only inside each step's transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cem import background
from cem.store.db import Database, bump_revision

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
_RUNNING: dict[tuple[int, str], threading.Thread] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Status:
    """Where a workspace's analysis stands."""

    state: str  # "missing" | "running" | "done" | "failed"
    progress: float
    message: str
    current: bool  # computed for the responses the workspace holds now
    seconds: float | None = None


def fingerprint(db: Database, workspace: str) -> str:
    """A token that changes when the workspace's responses (or their comments) change."""
    row = db.execute(
        "SELECT count(*), coalesce(max(response_id), 0), coalesce(sum(import_id), 0), "
        "count(comment) FROM responses WHERE workspace = ?",
        [workspace],
    ).fetchall()[0]
    return ":".join(str(int(v)) for v in row)


def _set_status(
    db: Database,
    workspace: str,
    state: str,
    progress: float,
    message: str,
    print_to: Progress | None = None,
    seconds: float | None = None,
    token: str | None = None,
) -> None:
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO voc_status(workspace, fingerprint, state, progress, message, seconds) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, state = excluded.state, "
            "progress = excluded.progress, message = excluded.message, "
            "seconds = excluded.seconds, updated_at = current_localtimestamp()",
            [workspace, token or "", state, progress, message, seconds],
        )
    if print_to is not None:
        print_to(progress, message)


def analyse_workspace(db: Database, workspace: str, progress: Progress | None = None) -> Status:
    """Index the comments, score sentiment, refresh automatic themes and re-apply every
    theme rule; returns the final status."""
    # Loaded here, not with the module: an import without comments never needs them.
    from cem.voc.index import build_index
    from cem.voc.sentiment import compute_sentiment, ensure_lexicon
    from cem.voc.themes import apply_themes, refresh_automatic_themes

    started = time.perf_counter()
    token = fingerprint(db, workspace)

    def step(fraction: float, message: str) -> None:
        _set_status(db, workspace, "running", fraction, message, progress, token=token)

    try:
        step(0.02, "Loading lexicons")
        ensure_lexicon(db)
        step(0.05, "Indexing comments")
        texts = build_index(db, workspace)
        step(0.3, f"Scoring the sentiment of {texts:,} comments")
        compute_sentiment(db, workspace, lambda f, m: step(0.3 + 0.4 * f, m) if f < 1 else None)
        step(0.72, "Finding themes")
        refresh_automatic_themes(db, workspace)
        step(0.9, "Applying theme rules")
        apply_themes(db, workspace)
        with db.transaction() as cur:
            bump_revision(cur, workspace)
    except Exception as exc:  # noqa: BLE001 - recorded for the page, logged in full
        log.exception("Comment analysis of %s failed", workspace)
        _set_status(db, workspace, "failed", 1.0, f"Comment analysis failed: {exc}", token=token)
        return status(db, workspace)
    seconds = time.perf_counter() - started
    _set_status(
        db,
        workspace,
        "done",
        1.0,
        f"Analysed {texts:,} comments in {seconds:.1f} s",
        progress,
        seconds,
        token,
    )
    return status(db, workspace)


def record_without_comments(db: Database, workspace: str) -> bool:
    """When the workspace has no comment and nothing analysed, record the analysis as done
    for its current responses without running it (it would find nothing: no texts, no
    sentiment, no themes) and return True; else False (the analysis has work to do)."""
    from cem.voc.index import TEXT_SOURCES  # the SQL of every comment field

    has_text = " UNION ALL ".join(f"SELECT 1 FROM ({sql}) s" for _, sql in TEXT_SOURCES)
    row = db.execute(
        f"SELECT EXISTS({has_text}) OR EXISTS(SELECT 1 FROM voc_texts WHERE workspace = ?)",
        [workspace] * len(TEXT_SOURCES) + [workspace],
    ).fetchall()[0]
    if row[0]:
        return False
    _set_status(db, workspace, "done", 1.0, "No comments to analyse", seconds=0.0,
                token=fingerprint(db, workspace))  # fmt: skip
    return True


def status(db: Database, workspace: str) -> Status:
    """The workspace's analysis status."""
    rows = db.execute(
        "SELECT state, progress, message, fingerprint, seconds, "
        "updated_at < current_localtimestamp() - INTERVAL 10 MINUTE FROM voc_status "
        "WHERE workspace = ?",
        [workspace],
    ).fetchall()
    if not rows:
        return Status("missing", 0.0, "Comments have not been analysed yet", False)
    state, fraction, message, token, seconds, stale = rows[0]
    if state == "running" and stale and not is_running(db, workspace):
        state, message = "failed", "The analysis was interrupted; it will run again"
    return Status(
        state, float(fraction), str(message or ""), token == fingerprint(db, workspace), seconds
    )


def is_running(db: Database, workspace: str) -> bool:
    """True while a background run for this workspace is alive in this process."""
    with _LOCK:
        thread = _RUNNING.get((id(db), workspace))
        return thread is not None and thread.is_alive()


def start_background(
    db: Database, workspace: str, progress: Progress | None = None, daemon: bool = True
) -> threading.Thread | None:
    """Run :func:`analyse_workspace` in a thread (unless one runs already for it)."""
    key = (id(db), workspace)
    with _LOCK:
        existing = _RUNNING.get(key)
        if existing is not None and existing.is_alive():
            return None
        thread = background.start(
            analyse_workspace, (db, workspace, progress), f"voc-{workspace}", daemon
        )
        _RUNNING[key] = thread
        return thread


def ensure_current(db: Database, workspace: str) -> Status:
    """Start a background run when the stored analysis is missing or stale."""
    current = status(db, workspace)
    if not current.current and current.state != "running":
        start_background(db, workspace)
        return status(db, workspace)
    return current


def after_import(
    db: Database, workspace: str, kind: str, progress: Progress | None = None, daemon: bool = True
) -> threading.Thread | None:
    """The import hook: after a responses import, analyse its comments in the background
    (a workspace without any comment is recorded as analysed at once, nothing loaded)."""
    if kind != "responses" or record_without_comments(db, workspace):
        return None
    return start_background(db, workspace, progress, daemon)
