"""``python -m cem kpi``: one KPI, one row per group, as CSV or JSON.

``--engine duckdb`` (the default) runs the KPI expressions on the workspace's DuckDB
database; ``--engine spark`` exports the workspace's tables to Parquet, registers them in a
SparkSession (local, or the cluster / Spark Connect URL of ``$TOUCHPOINT_SPARK_MASTER`` /
``$TOUCHPOINT_SPARK_REMOTE``) and runs the same expressions there: the numbers match.

    python -m cem kpi --workspace demo --metric nps --by segment --engine spark --format json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cem.cli.filters import parse_filters
from cem.errors import InputError

if TYPE_CHECKING:  # the analytics stack loads when a command runs (a fast ``--help``)
    import pandas as pd

    from cem.analytics.engine import Engine
    from cem.store.db import Database

ENGINES = ("duckdb", "spark")
CLI_COLUMNS: dict[str, list[str]] = {
    "nps": ["value", "n", "promoters", "detractors", "moe"],
    "csat": ["value", "n", "satisfied", "moe"],
    "ces": ["value", "n", "easy_share", "moe"],
    "responses": ["value", "n"],
    "comment_share": ["value", "n"],
    "churn": ["value", "n"],
    "retention": ["value", "n", "retained"],
    "clv": ["value", "n", "historical_clv"],
}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``kpi`` on the ``python -m cem`` parser."""
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
    p.add_argument(
        "--engine",
        default="duckdb",
        choices=ENGINES,
        help="where the KPI runs: duckdb (default) or spark (see README)",
    )
    p.add_argument(
        "--db",
        default=None,
        help="database file (default: $TOUCHPOINT_DB or data/touchpoint.duckdb)",
    )
    p.set_defaults(handler=cmd_kpi)


def parse_grouping(by_text: str, period: str) -> tuple[str | None, list[str]]:
    """``--by`` as (period or None, dimensions): ``month,segment`` -> ('month', ['segment']).

    >>> parse_grouping("month, segment", "week")
    ('month', ['segment'])
    >>> parse_grouping("period", "quarter")
    ('quarter', [])
    """
    from cem.analytics import kpis

    chosen: str | None = None
    dims: list[str] = []
    for token in (t.strip() for t in by_text.split(",")):
        if not token:
            continue
        if token in kpis.PERIODS or token == "period":
            chosen = period if token == "period" else token
        else:
            dims.append(token)
    return chosen, dims


def cli_frame(
    engine: Engine,
    workspace: str,
    metric: str,
    by_text: str = "",
    period: str = "month",
    filter_args: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
) -> pd.DataFrame:
    """What ``python -m cem kpi`` prints, as a frame (``--by`` may name a period)."""
    from cem.analytics.kpi_frames import kpi_frame

    chosen_period, dims = parse_grouping(by_text, period)
    filters = parse_filters(filter_args, date_from, date_to)
    if metric in ("churn", "retention") and chosen_period is None:
        chosen_period = period
    frame = kpi_frame(engine, workspace, metric, by=dims, period=chosen_period, filters=filters)
    keys = [c for c in frame.columns if c in {"period", "cohort", "periods_since", *dims}]
    cols = keys + [c for c in CLI_COLUMNS[metric] if c in frame.columns]
    out = frame[cols].copy()
    for key in ("period", "cohort"):
        if key in out.columns:
            out[key] = out[key].dt.strftime("%Y-%m-%d")
    return out


@contextmanager
def open_engine(db: Database, workspace: str, name: str) -> Iterator[Engine]:
    """The engine ``--engine`` names, over ``workspace`` (Spark: exported, then dropped)."""
    if name == "duckdb":
        from cem.analytics.engine import duckdb_engine

        yield duckdb_engine(db)
        return
    from cem.analytics.spark import spark_workspace_engine

    with spark_workspace_engine(db, workspace) as engine:
        yield engine


def write_frame(frame: pd.DataFrame, fmt: str) -> None:
    """Print a frame as CSV or as a JSON list of records (10 significant decimals)."""
    if fmt == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=10))
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        from cem.export import frame_to_csv_text

        sys.stdout.write(frame_to_csv_text(frame))


def cmd_kpi(args: argparse.Namespace) -> int:
    """``python -m cem kpi``: print one row per group as CSV or JSON."""
    from cem.cli.alongside import read_database
    from cem.store.workspaces import workspace_exists

    db = read_database(args.db)
    if not workspace_exists(db, args.workspace):
        raise InputError(f"There is no workspace '{args.workspace}'")
    with open_engine(db, args.workspace, args.engine) as engine:
        frame = cli_frame(
            engine,
            args.workspace,
            args.metric,
            args.by,
            args.period,
            args.filter,
            args.date_from,
            args.date_to,
        )
    write_frame(frame, args.format)
    return 0
