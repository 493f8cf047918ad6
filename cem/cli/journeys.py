"""``python -m cem journey …``: journey maps from the command line.

``journey draft --workspace W --name N [--format json] [--dry-run]`` drafts a journey from
the workspace's event log (:mod:`cem.journeys.draft`), creates it (unless ``--dry-run``)
and prints its stages and touchpoints in the order customers meet them.
"""

from __future__ import annotations

import argparse
import json

from cem.access.principal import CLI_ADMIN


def add_journey_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``journey`` and its subcommands."""
    p = sub.add_parser("journey", help="journey maps: draft one from the event log")
    journey_sub = p.add_subparsers(dest="journey_command", required=True)
    draft = journey_sub.add_parser(
        "draft", help="draft a journey map from the event log (order customers meet touchpoints)"
    )
    draft.add_argument("--workspace", required=True)
    draft.add_argument("--name", required=True, help="name of the new journey")
    draft.add_argument("--persona", default=None)
    draft.add_argument("--format", choices=["text", "json"], default="text")
    draft.add_argument(
        "--dry-run", action="store_true", help="print the draft without creating the journey"
    )
    draft.add_argument(
        "--db",
        default=None,
        help="database file (default: $TOUCHPOINT_DB or data/touchpoint.duckdb)",
    )
    draft.set_defaults(handler=cmd_journey_draft)


def cmd_journey_draft(args: argparse.Namespace) -> int:
    """Draft (and create) a journey; print it as text or JSON."""
    from cem.analytics.engine import duckdb_engine
    from cem.cli.alongside import read_database, write_database
    from cem.journeys.draft import create_draft_journey, draft_from_events
    from cem.journeys.reads import get_journey

    db = (read_database if args.dry_run else write_database)(args.db)
    engine = duckdb_engine(db)
    draft = draft_from_events(engine, args.workspace)
    out = draft.to_dict()
    if not args.dry_run:
        journey_id = create_draft_journey(
            engine, args.workspace, args.name, actor=CLI_ADMIN, persona=args.persona, author="cli"
        )
        out = {
            "journey_id": journey_id,
            "name": get_journey(db, args.workspace, journey_id).name,
            **out,
        }
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    head = f"Journey {out.get('journey_id', '(not saved)')}: {args.name}"
    print(f"{head} — from {draft.customers:,} customers")
    for index, stage in enumerate(out["stages"], start=1):
        print(f"{index}. {stage['name']}")
        for tp in stage["touchpoints"]:
            emotion = "" if tp["data_emotion"] is None else f", emotion {tp['data_emotion']:+.1f}"
            print(
                f"   - {tp['name']} ({tp['channel'] or 'no channel'}): {tp['customers']:,} "
                f"customers, {tp['drop_off']:.0%} end here{emotion}"
            )
    return 0
