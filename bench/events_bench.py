"""Benchmark: journey analytics over a large synthetic event log.

Generates ``--rows`` events (default 10 million) directly in DuckDB SQL, then times the
Ibis code of :mod:`cem.analytics.events.flows` (transitions, the stage funnel in both modes,
a custom touchpoint funnel and top paths) and, for scale, the plain pandas equivalent of
transitions and the stage funnel on the whole event logs of a subset of the customers,
about ``--pandas-rows`` events (default 2 million; pandas needs the log in memory).

    .venv/bin/python bench/events_bench.py --rows 10000000
    .venv/bin/python bench/events_bench.py --rows 200000   # quick check
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cem.analytics.events import flows as ja  # noqa: E402
from cem.demo.workspace import DEMO_STAGES  # noqa: E402
from cem.store.db import Database  # noqa: E402

WORKSPACE = "bench"
STAGES = [stage for stage, _ in DEMO_STAGES]
TOUCHPOINTS = [(tp, ch, stage) for stage, tps in DEMO_STAGES for tp, ch in tps]


def generate(db: Database, rows: int, customers: int) -> float:
    """Fill the events table with ``rows`` synthetic events; returns seconds taken.

    Each customer's events drift forward through the stages with noise, so funnels,
    skips and backtracking all occur.
    """
    start = time.perf_counter()
    tp_values = ", ".join(f"({i}, ?, ?, ?)" for i in range(len(TOUCHPOINTS)))
    params: list[Any] = [x for t in TOUCHPOINTS for x in t]
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [WORKSPACE])
        cur.execute(
            "CREATE TEMP TABLE tp(i INTEGER, touchpoint VARCHAR, channel VARCHAR, stage VARCHAR)"
        )
        cur.execute(f"INSERT INTO tp VALUES {tp_values}", params)
        n_tp = len(TOUCHPOINTS)
        cur.execute(
            """
            INSERT INTO events (event_id, workspace, import_id, source_row, customer_id,
                                occurred_at, touchpoint, channel, stage)
            WITH g AS (
                SELECT i, i % ? AS c,
                       (hash(i) % 1000) / 1000.0 AS u
                FROM range(?) t(i)
            ), p AS (
                SELECT i, c, u,
                       row_number() OVER (PARTITION BY c ORDER BY i) AS k
                FROM g
            )
            SELECT p.i, ?, 1, p.i, 'C' || lpad(CAST(p.c AS VARCHAR), 8, '0'),
                   TIMESTAMP '2024-01-01' + to_seconds(CAST(p.k * 86400 * 3
                                                           + p.u * 86400 AS BIGINT)),
                   tp.touchpoint, tp.channel, tp.stage
            FROM p JOIN tp ON tp.i = least(?, greatest(0,
                CAST(p.k * 1.1 + (p.u - 0.5) * 6 AS INTEGER)))
            """,
            [customers, rows, WORKSPACE, n_tp - 1],
        )
        cur.execute("DROP TABLE tp")
    return time.perf_counter() - start


def timed(func: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def pandas_transitions(df: pd.DataFrame) -> pd.DataFrame:
    ordered = df.sort_values(["customer_id", "occurred_at", "event_id"])
    nxt = ordered.groupby("customer_id", sort=False)["touchpoint"].shift(-1)
    return (
        pd.DataFrame({"source": ordered["touchpoint"], "target": nxt})
        .value_counts(dropna=False)
        .rename("transitions")
        .reset_index()
    )


def pandas_stage_funnel(df: pd.DataFrame) -> list[int]:
    idx = df["stage"].str.strip().str.lower().map({s.lower(): i for i, s in enumerate(STAGES)})
    furthest = idx.groupby(df["customer_id"]).max().dropna().astype(int)
    counts = furthest.value_counts()
    return [int(counts[counts.index >= i].sum()) for i in range(len(STAGES))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--events-per-customer", type=int, default=12)
    parser.add_argument(
        "--pandas-rows", type=int, default=2_000_000, help="rows for the pandas baseline (0 = skip)"
    )
    args = parser.parse_args(argv)
    customers = max(1, args.rows // args.events_per_customer)

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.duckdb")
        gen = generate(db, args.rows, customers)
        print(f"Generated {args.rows:,} events of {customers:,} customers in {gen:.1f} s")
        if hasattr(os, "getloadavg"):
            print(
                "Load average (1, 5, 15 min): "
                + ", ".join(f"{x:.1f}" for x in os.getloadavg())
                + f" on {os.cpu_count()} CPUs"
            )
        rows: list[tuple[str, str, int, float, str]] = []

        def ibis_case(name: str, func: Callable[[], Any], note: Callable[[Any], str]) -> None:
            seconds, result = timed(func)
            rows.append((name, "Ibis/DuckDB", args.rows, seconds, note(result)))

        ibis_case(
            "transitions",
            lambda: ja.transitions(db, WORKSPACE, per_journey=False),
            lambda r: f"{len(r)} pairs",
        )
        ibis_case(
            "transitions + journey shares",
            lambda: ja.transitions(db, WORKSPACE),
            lambda r: f"{len(r)} pairs",
        )
        ibis_case(
            "transitions (collapse repeats)",
            lambda: ja.transitions(db, WORKSPACE, collapse_repeats=True),
            lambda r: f"{len(r)} pairs",
        )
        ibis_case(
            "stage funnel (reached)",
            lambda: ja.stage_funnel(db, WORKSPACE, stages=STAGES),
            lambda r: f"first {int(r['journeys'].iloc[0]):,}",
        )
        ibis_case(
            "stage funnel (in order)",
            lambda: ja.stage_funnel(db, WORKSPACE, stages=STAGES, mode="in_order"),
            lambda r: f"last {int(r['journeys'].iloc[-1]):,}",
        )
        steps = (TOUCHPOINTS[0][0], TOUCHPOINTS[5][0], TOUCHPOINTS[12][0])
        ibis_case(
            "custom funnel (3 touchpoints)",
            lambda: ja.touchpoint_funnel(db, WORKSPACE, steps=steps),
            lambda r: f"last {int(r['journeys'].iloc[-1]):,}",
        )
        ibis_case(
            "top paths (k=3)",
            lambda: ja.top_paths(db, WORKSPACE, k=3),
            lambda r: f"top {int(r['journeys'].iloc[0]):,}",
        )

        if args.pandas_rows:
            n = min(args.pandas_rows, args.rows)
            t0 = time.perf_counter()
            frame = db.execute(
                "SELECT event_id, customer_id, occurred_at, touchpoint, stage FROM events "
                "WHERE workspace = ? AND customer_id < ?",
                [WORKSPACE, "C" + str(customers * n // args.rows).rjust(8, "0")],
            ).df()
            n = len(frame)
            load = time.perf_counter() - t0
            seconds, result = timed(lambda: pandas_transitions(frame))
            rows.append(
                (
                    "transitions",
                    "pandas",
                    n,
                    seconds,
                    f"{len(result)} pairs (+{load:.1f} s to load)",
                )
            )
            seconds, result = timed(lambda: pandas_stage_funnel(frame))
            rows.append(("stage funnel (reached)", "pandas", n, seconds, f"first {result[0]:,}"))
        db.close()

    print()
    print(f"{'query':32} {'engine':12} {'events':>12} {'seconds':>8}  result")
    print("-" * 90)
    for name, engine, n, seconds, note in rows:
        print(f"{name:32} {engine:12} {n:>12,} {seconds:>8.2f}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
