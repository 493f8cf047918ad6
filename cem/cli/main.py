"""The command line: the same code paths as the pages, for analysts and automation.

Each subcommand lives in its own ``add_<name>_parser`` / ``cmd_<name>`` pair. Errors
that Touchpoint raises on purpose print one line to stderr and exit with status 2;
nothing prints a traceback.

Examples::

    python -m cem demo
    python -m cem import survey.csv --workspace acme --kind responses
    python -m cem kpi --workspace demo --metric nps --by month,segment
    python -m cem serve --server.port 8502
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cem.errors import TouchpointError
from cem.store.db import Database

Handler = Callable[[argparse.Namespace], int]


def _db(args: argparse.Namespace) -> Database:
    return Database(args.db)


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="database file (default: $TOUCHPOINT_DB or data/touchpoint.duckdb)",
    )


# -- demo -------------------------------------------------------------------------------
def add_demo_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="create or refresh the demo workspace 'demo'")
    _add_db_option(p)
    p.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the demo workspace already has data",
    )
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from cem.demo.workspace import build_demo_workspace, demo_is_loaded

    db = _db(args)
    if args.if_missing and demo_is_loaded(db):
        print("Demo workspace 'demo' is already loaded.")
        return 0
    summary = build_demo_workspace(db, progress=lambda msg: print(msg, file=sys.stderr))
    print(summary)
    return 0


# -- import -----------------------------------------------------------------------------
def add_import_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("import", help="import a CSV/TSV/TXT, XLSX or Parquet file")
    p.add_argument("file")
    p.add_argument("--workspace", required=True)
    p.add_argument(
        "--kind",
        default=None,
        choices=["responses", "events", "customers"],
        help="detected if absent",
    )
    p.add_argument("--sheet", default=None, help="worksheet of an XLSX file")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="ROLE=COLUMN",
        help="use COLUMN for ROLE (overrides detection); repeatable",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="ROLE=VALUE",
        help="a constant for a role the file lacks; repeatable",
    )
    p.add_argument(
        "--on-duplicate",
        choices=["skip", "replace", "error"],
        default="error",
        help="what to do when the same file was imported before",
    )
    _add_db_option(p)
    p.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from cem.cli.imports import run_cli_import

    return run_cli_import(_db(args), args)


# -- kpi --------------------------------------------------------------------------------
def add_kpi_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("kpi", help="print a KPI, one row per group")
    p.add_argument("--workspace", required=True)
    p.add_argument(
        "--metric", required=True, choices=["nps", "csat", "ces", "churn", "retention", "responses"]
    )
    p.add_argument("--by", default="", help="comma-separated: period and/or dimensions")
    p.add_argument("--period", default="month", choices=["week", "month", "quarter"])
    p.add_argument("--filter", action="append", default=[], metavar="DIM=VALUE")
    p.add_argument("--from", dest="date_from", default=None)
    p.add_argument("--to", dest="date_to", default=None)
    p.add_argument("--format", default="csv", choices=["csv", "json"])
    _add_db_option(p)
    p.set_defaults(handler=cmd_kpi)


def cmd_kpi(args: argparse.Namespace) -> int:
    from cem.analytics.metrics import run_cli_kpi

    return run_cli_kpi(_db(args), args)


# -- serve ------------------------------------------------------------------------------
def add_serve_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "serve",
        help="start the app (streamlit run app.py); extra options go to Streamlit",
    )
    _add_db_option(p)
    p.set_defaults(handler=cmd_serve, streamlit_args=[])


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from cem.ui.server import serve

    if args.db:
        os.environ["TOUCHPOINT_DB"] = args.db
    return serve(args.streamlit_args)


from cem.cli.detect import add_detect_parser  # noqa: E402

PARSERS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (  # type: ignore[type-arg]
    add_demo_parser,
    add_detect_parser,
    add_import_parser,
    add_kpi_parser,
    add_serve_parser,
)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m cem`` argument parser."""
    parser = argparse.ArgumentParser(prog="python -m cem", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in PARSERS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "serve":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.streamlit_args = extra  # e.g. --server.port 8502, passed on to Streamlit
    handler: Handler = args.handler
    try:
        return handler(args)
    except TouchpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
