"""The ``verbatims`` and ``themes`` subcommands: comments with sentiment and themes, and theme
NPS impact, as CSV (cells neutralised, :mod:`cem.export`) or JSON.

Examples::

    python -m cem verbatims --workspace demo --search '"on hold" -refund' --limit 20
    python -m cem verbatims --workspace demo --theme "Late delivery" --filter segment=SMB
    python -m cem themes --workspace demo --by touchpoint --format json

When the comments of the workspace have not been analysed for its current responses, the
analysis runs first (progress on stderr). After ``python -m cem import`` the analysis runs
right after the import has been reported, with its progress on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

VERBATIM_COLUMNS = (
    "customer_id",
    "submitted_at",
    "comment",
    "nps",
    "csat",
    "ces",
    "touchpoint",
    "segment",
    "sentiment",
    "sentiment_label",
    "language",
    "themes",
)
THEME_COLUMNS = ("theme", "n", "share", "nps_with", "nps_without", "difference", "significant")


def _stderr_progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr)


_PENDING: list[tuple[object, str, str]] = []  # imports whose comments await analysis


def _cli_after_import(db, workspace: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The import hook of the CLI: note the workspace; :func:`analyse_pending` runs the
    analysis once the import's result has been printed."""
    _PENDING.append((db, workspace, kind))


def analyse_pending(db: object | None = None) -> None:
    """Analyse the comments of the imports noted by the hook, in the foreground with
    progress on stderr (a workspace without comments is recorded at once: nothing loads).
    With ``db``, only the imports into that database: the hook stays installed for the
    process, so imports made in-process by other callers (whose database may be closed
    by now) are dropped rather than analysed."""
    from cem.voc.jobs import after_import

    while _PENDING:
        noted, workspace, kind = _PENDING.pop(0)
        if db is not None and noted is not db:
            continue
        # Wait here: a job still running when the interpreter shuts down fails to import
        # its libraries ("can't register atexit after shutdown").
        thread = after_import(noted, workspace, kind, progress=_stderr_progress, daemon=False)  # type: ignore[arg-type]
        if thread is not None:
            thread.join()


def install_cli_import_hook() -> None:
    """Analyse comments (in the foreground, progress on stderr) after a CLI import."""
    from cem.ingest import load

    _PENDING.clear()  # only this command's imports are analysed

    if _cli_after_import not in load.AFTER_IMPORT:
        load.AFTER_IMPORT.append(_cli_after_import)


def add_voc_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``verbatims`` and ``themes`` (and the post-import analysis hook)."""
    from cem.cli.main import _add_db_option

    p = sub.add_parser("verbatims", help="comments with sentiment and themes")
    p.add_argument("--workspace", required=True)
    p.add_argument("--search", default="", help='words, "phrases", -exclude, OR')
    p.add_argument("--theme", default=None, help="a theme's name or id")
    p.add_argument("--filter", action="append", default=[], metavar="DIM=VALUE")
    p.add_argument("--from", dest="date_from", default=None)
    p.add_argument("--to", dest="date_to", default=None)
    p.add_argument("--sort", default="date", choices=["date", "score", "sentiment", "relevance"])
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--format", default="csv", choices=["csv", "json"])
    _add_db_option(p)
    p.set_defaults(handler=cmd_verbatims)
    t = sub.add_parser("themes", help="themes with their NPS impact")
    t.add_argument("--workspace", required=True)
    t.add_argument("--by", default=None, choices=["touchpoint", "segment", "month"])
    t.add_argument("--filter", action="append", default=[], metavar="DIM=VALUE")
    t.add_argument("--from", dest="date_from", default=None)
    t.add_argument("--to", dest="date_to", default=None)
    t.add_argument("--format", default="csv", choices=["csv", "json"])
    _add_db_option(t)
    t.set_defaults(handler=cmd_themes)


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from cem.analytics.filters import Filters
    from cem.errors import InputError

    params: dict[str, str | list[str]] = {}
    for item in args.filter:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise InputError(f"--filter {item}: write DIMENSION=VALUE, e.g. segment=SMB")
        existing = params.setdefault(dim.strip(), [])
        assert isinstance(existing, list)
        existing.append(value.strip())
    if args.date_from:
        params["from"] = args.date_from
    if args.date_to:
        params["to"] = args.date_to
    return Filters.from_query_params(params)


def _prepare(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from cem.analytics.engine import duckdb_engine
    from cem.cli.alongside import read_database, write_database
    from cem.errors import InputError
    from cem.store.workspaces import list_workspaces
    from cem.voc.jobs import analyse_workspace, status

    db = read_database(args.db)
    if args.workspace not in list_workspaces(db):
        raise InputError(f"There is no workspace '{args.workspace}'.")
    if not status(db, args.workspace).current:
        if db.read_only:  # the app's snapshot: the app analyses (cem.cli.relay)
            db.close()
            db = write_database(args.db)
        analyse_workspace(db, args.workspace, progress=_stderr_progress)
    return db, duckdb_engine(db)


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    from cem.export import frame_to_csv_bytes

    if fmt == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        sys.stdout.write(frame_to_csv_bytes(frame).decode("utf-8"))


def cmd_verbatims(args: argparse.Namespace) -> int:
    from cem.errors import InputError
    from cem.voc.themes import list_themes
    from cem.voc.verbatims import VerbatimQuery, all_verbatims

    db, engine = _prepare(args)
    theme_id = None
    if args.theme:
        table = list_themes(db, args.workspace)
        match = table[
            (table.label.str.lower() == args.theme.lower())
            | (table.theme_id.astype(str) == args.theme)
        ]
        if match.empty:
            raise InputError(
                f"No theme '{args.theme}'. Themes: " + ", ".join(table.label.tolist()[:20])
            )
        theme_id = int(match.theme_id.iloc[0])
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    q = VerbatimQuery(search=args.search, theme_id=theme_id, sort=args.sort)
    frame = all_verbatims(engine, args.workspace, _filters(args), q, args.limit)
    frame["themes"] = ["; ".join(t) for t in frame.themes]
    frame["comment"] = [
        " | ".join(f"{k}: {v}" if k != "comment" else str(v) for k, v in texts.items())
        if texts
        else c
        for texts, c in zip(frame.texts, frame.comment, strict=False)
    ]
    frame["sentiment"] = frame.sentiment.round(3)
    _emit(frame[list(VERBATIM_COLUMNS)], args.format)
    db.close()
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    from cem.voc.analytics import theme_impact

    db, engine = _prepare(args)
    frame = theme_impact(engine, args.workspace, _filters(args), args.by)
    columns = (["group"] if args.by else []) + list(THEME_COLUMNS)
    out = frame[columns].rename(columns={"group": args.by} if args.by else {})
    for col in ("share", "nps_with", "nps_without", "difference"):
        out[col] = out[col].astype(float).round(1)
    _emit(out, args.format)
    db.close()
    return 0
