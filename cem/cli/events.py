"""``python -m cem events``: journey analytics of an event log on the command line.

The same functions as the Journey analytics page (:mod:`cem.analytics.events`), so the
numbers match the page for the same settings::

    python -m cem events transitions --workspace demo --collapse-repeats
    python -m cem events funnel --workspace demo --in-order --stages Awareness,Research
    python -m cem events paths --workspace demo --k 3 --filter channel=web --format json

Output columns: funnel ``stage, journeys``; paths ``path, journeys, share``; transitions
``source, target, transitions, share`` (an empty target is the journey's end). This
module imports only the standard library at load time; the analytics stack is imported
when a command runs, so ``python -m cem --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from cem.cli.filters import parse_filters

if TYPE_CHECKING:
    import pandas as pd


OPERATIONS = ("transitions", "funnel", "paths")


def add_events_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``events transitions|funnel|paths``."""
    p = sub.add_parser(
        "events", help="journey analytics of the event log: transitions, funnel, paths"
    )
    p.add_argument("operation", choices=OPERATIONS)
    p.add_argument("--workspace", required=True)
    p.add_argument(
        "--in-order", action="store_true", help="funnel: count a stage only when reached in order"
    )
    p.add_argument(
        "--stages", default=None, help="funnel: comma-separated stage order (default: observed)"
    )
    p.add_argument("--k", type=int, default=3, help="paths: number of first touchpoints")
    p.add_argument("--limit", type=int, default=15, help="paths: how many paths (default 15)")
    p.add_argument(
        "--collapse-repeats",
        action="store_true",
        help="count a run of the same touchpoint once (the page's default)",
    )
    p.add_argument("--gap-days", type=float, default=None, help="a longer gap starts a new journey")
    p.add_argument("--filter", action="append", default=[], metavar="DIM=VALUE")
    p.add_argument("--from", dest="date_from", default=None)
    p.add_argument("--to", dest="date_to", default=None)
    p.add_argument("--format", default="csv", choices=["csv", "json"])
    p.add_argument("--db", default=None, help="database file (default: $TOUCHPOINT_DB)")
    p.set_defaults(handler=cmd_events)


def events_frame(engine: Any, workspace: str, args: argparse.Namespace) -> pd.DataFrame:
    """The table that ``events <operation>`` prints."""
    from cem.analytics.events import flows as ja

    filters = parse_filters(args.filter, args.date_from, args.date_to)
    gap, collapse = args.gap_days, bool(args.collapse_repeats)
    if args.operation == "transitions":
        frame = ja.transitions(
            engine, workspace, filters, gap_days=gap, collapse_repeats=collapse, per_journey=False
        )
        return frame[["source", "target", "transitions", "share"]]
    if args.operation == "funnel":
        stages = [s for s in args.stages.split(",")] if args.stages else None
        mode = "in_order" if args.in_order else "reached"
        frame = ja.stage_funnel(engine, workspace, filters, stages, mode=mode, gap_days=gap)
        return frame[["stage", "journeys"]]
    frame = ja.top_paths(
        engine,
        workspace,
        filters,
        k=args.k,
        limit=args.limit,
        gap_days=gap,
        collapse_repeats=collapse,
    )
    return frame[["path", "journeys", "share"]]


def cmd_events(args: argparse.Namespace) -> int:
    """Print the operation's table as CSV or JSON."""
    from cem.analytics.engine import duckdb_engine
    from cem.cli.alongside import read_database
    from cem.errors import InputError
    from cem.store.workspaces import workspace_exists

    db = read_database(args.db)
    try:
        if not workspace_exists(db, args.workspace):
            raise InputError(f"There is no workspace '{args.workspace}'")
        frame = events_frame(duckdb_engine(db), args.workspace, args)
    finally:
        db.close()
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=10))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        from cem.export import frame_to_csv_text  # touchpoint names neutralised

        sys.stdout.write(frame_to_csv_text(frame))
    return 0
