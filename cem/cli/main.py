"""The command line: the same code paths as the pages, for analysts and automation.

Each subcommand lives in its own ``add_<name>_parser`` / ``cmd_<name>`` pair. While the
app (``serve``) holds the database, reads use its snapshot and changes are run by the app
(:mod:`cem.cli.alongside`, :mod:`cem.cli.relay`). Errors
that Touchpoint raises on purpose print one line to stderr and exit with status 2; any
other error prints one line with an error id and exits with status 1, its traceback in
the log file (:mod:`cem.logs`). Nothing prints a traceback.

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
from typing import TYPE_CHECKING

from cem.access.principal import CLI_ADMIN
from cem.cli import kpi
from cem.cli.alongside import AppHoldsDatabase
from cem.cli.events import add_events_parser
from cem.cli.journeys import add_journey_parser
from cem.cli.report import add_report_parser
from cem.cli.share import add_share_parser
from cem.cli.users import add_audit_parser, add_user_parser
from cem.cli.voc import add_voc_parsers
from cem.errors import TouchpointError

if TYPE_CHECKING:
    from cem.store.db import Database

Handler = Callable[[argparse.Namespace], int]


def _db(args: argparse.Namespace) -> Database:
    from cem.cli.alongside import write_database  # lazily: duckdb loads only when needed

    return write_database(args.db)


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
    summary = build_demo_workspace(
        db, progress=lambda msg: print(msg, file=sys.stderr), actor=CLI_ADMIN
    )
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
    from cem.cli.alongside import cmd_import as import_here_or_beside_app

    return import_here_or_beside_app(args)


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
    kpi.add_parser,
    add_serve_parser,
    add_events_parser,
    add_journey_parser,
    add_voc_parsers,
    add_user_parser,
    add_audit_parser,
    add_share_parser,
    add_report_parser,
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
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "serve":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.streamlit_args = extra  # e.g. --server.port 8502, passed on to Streamlit
    handler: Handler = args.handler
    try:
        return handler(args)
    except AppHoldsDatabase as held:  # the app has the database: it runs the command
        from cem.cli.relay import relay_command

        try:
            return relay_command(argv, args, held)
        except TouchpointError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    except TouchpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line here, the traceback in the log
        from cem.logs import log_exception, log_file

        error_id = log_exception(exc, f"python -m cem {args.command}", to_stderr=False)
        print(
            f"error: something went wrong (error id {error_id}); the details are in {log_file()}",
            file=sys.stderr,
        )
        return 1
