"""``python -m cem report``: the executive summary PDF of a workspace, written to a file.

python -m cem report --workspace demo --filter segment=Enterprise --out summary.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cem.cli.filters import parse_filters
from cem.errors import InputError


def add_report_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``report`` on the ``python -m cem`` parser."""
    p = sub.add_parser("report", help="write the executive summary PDF of a workspace")
    p.add_argument("--workspace", required=True)
    p.add_argument("--filter", action="append", default=[], metavar="DIM=VALUE")
    p.add_argument("--from", dest="date_from", default=None)
    p.add_argument("--to", dest="date_to", default=None)
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.add_argument(
        "--db",
        default=None,
        help="database file (default: $TOUCHPOINT_DB or data/touchpoint.duckdb)",
    )
    p.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Build the PDF and write it to ``--out``; prints the path and size."""
    from cem.analytics.engine import duckdb_engine
    from cem.cli.alongside import read_database
    from cem.report.pdf import build_summary_pdf
    from cem.store.workspaces import workspace_exists

    db = read_database(args.db)
    if not workspace_exists(db, args.workspace):
        raise InputError(f"There is no workspace '{args.workspace}'")
    filters = parse_filters(args.filter, args.date_from, args.date_to)
    pdf = build_summary_pdf(duckdb_engine(db), args.workspace, filters)
    out = Path(args.out)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise InputError(f"Cannot write {out}: {exc.strerror}") from exc
    print(f"Wrote {out} ({len(pdf):,} bytes)")
    return 0
