"""Benchmark: journey analytics against hand-written DuckDB SQL on a large event log.

Generates ``--rows`` events (default 10 million, ~12 per customer) directly in DuckDB SQL,
then times each operation of :mod:`cem.analytics.events` (through the DuckDB engine)
against the best hand-written DuckDB SQL for the same numbers, checks that both give
identical results, and prints the median of ``--repeat`` runs and the ratio.

    .venv/bin/python bench/events_bench.py --rows 10000000
    .venv/bin/python bench/events_bench.py --rows 1000000 --repeat 3   # iteration
    .venv/bin/python bench/events_bench.py --db /tmp/ev.duckdb          # reuse a log

Operations: transitions; transitions with repeats collapsed (the page default); the
stage funnel "in order" over the 7 demo stages; the top paths of k=3 touchpoints; the
Flow view's two results (transitions and per-touchpoint statistics, repeats collapsed)
from one query (``flow_figures``) and, for comparison, from two calls (the SQL baseline
keeps the ordered stream in a temporary table and reads it twice). The
SQL baselines use DuckDB-specific tools where they are faster (``list_reduce`` for the
in-order funnel, ``list_slice`` for paths), so the check also compares two different
algorithms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cem.analytics.engine import duckdb_engine  # noqa: E402
from cem.analytics.events import flows as ja  # noqa: E402
from cem.demo.workspace import DEMO_STAGES  # noqa: E402
from cem.store.db import Database  # noqa: E402

WORKSPACE = "bench"
STAGES = [stage for stage, _ in DEMO_STAGES]
TOUCHPOINTS = [(tp, ch, stage) for stage, tps in DEMO_STAGES for tp, ch in tps]


def generate(
    db: Database, rows: int, customers: int, workspace: str = WORKSPACE, first_id: int = 0
) -> float:
    """Fill the events table with ``rows`` synthetic events of ``workspace`` (event ids
    from ``first_id``); returns seconds taken.

    Each customer's events drift forward through the demo stages with noise, so funnels,
    skips and backtracking all occur.
    """
    start = time.perf_counter()
    tp_values = ", ".join(f"({i}, ?, ?, ?)" for i in range(len(TOUCHPOINTS)))
    params: list[Any] = [x for t in TOUCHPOINTS for x in t]
    with db.transaction() as cur:
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [workspace])
        cur.execute(
            "CREATE TEMP TABLE tp(i INTEGER, touchpoint VARCHAR, channel VARCHAR, stage VARCHAR)"
        )
        cur.execute(f"INSERT INTO tp VALUES {tp_values}", params)
        n_tp = len(TOUCHPOINTS)
        cur.execute(
            """
            INSERT INTO events_base (event_id, workspace, import_id, source_row, customer_id,
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
            SELECT ? + p.i, ?, 1, p.i, 'C' || lpad(CAST(p.c AS VARCHAR), 8, '0'),
                   TIMESTAMP '2024-01-01' + to_seconds(CAST(p.k * 86400 * 3
                                                           + p.u * 86400 AS BIGINT)),
                   tp.touchpoint, tp.channel, tp.stage
            FROM p JOIN tp ON tp.i = least(?, greatest(0,
                CAST(p.k * 1.1 + (p.u - 0.5) * 6 AS INTEGER)))
            """,
            [customers, rows, first_id, workspace, n_tp - 1],
        )
        cur.execute("DROP TABLE tp")
    return time.perf_counter() - start


SQL_TRANSITIONS = """
SELECT touchpoint AS source, nxt AS target, count(*) AS transitions
FROM (
    SELECT touchpoint,
           lead(touchpoint) OVER (PARTITION BY customer_id ORDER BY occurred_at, event_id) AS nxt
    FROM events WHERE workspace = ?
) {where}
GROUP BY ALL
"""

SQL_FUNNEL_IN_ORDER = """
WITH per AS (
    SELECT list_reduce(
               list(idx ORDER BY occurred_at, event_id),
               lambda acc, x: CASE WHEN x = acc THEN acc + 1 ELSE acc END,
               0) AS reached
    FROM (
        SELECT customer_id, occurred_at, event_id,
               list_position(?, lower(trim(stage))) - 1 AS idx
        FROM events WHERE workspace = ? AND list_contains(?, lower(trim(stage)))
    )
    GROUP BY customer_id
)
SELECT reached, count(*) AS n FROM per GROUP BY reached
"""

SQL_TOP_PATHS = """
SELECT path, count(*) AS journeys
FROM (
    SELECT array_to_string(list_slice(seq, 1, ?), ' → ')
           || CASE WHEN len(seq) > ? THEN ' → …' ELSE '' END AS path
    FROM (
        SELECT list(touchpoint ORDER BY occurred_at, event_id) AS seq
        FROM events WHERE workspace = ? GROUP BY customer_id
    )
)
GROUP BY path ORDER BY journeys DESC, path LIMIT ?
"""


SQL_FLOW_STREAM = """
CREATE OR REPLACE TEMP TABLE flow_stream AS
SELECT customer_id, touchpoint, stage, channel, nxt,
       row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at, event_id) AS step
FROM (
    SELECT customer_id, occurred_at, event_id, touchpoint, stage, channel,
           lead(touchpoint) OVER (PARTITION BY customer_id ORDER BY occurred_at, event_id) AS nxt
    FROM events WHERE workspace = ?
)
WHERE nxt IS NULL OR nxt <> touchpoint
"""

SQL_FLOW_STATS = """
WITH usual AS (
    SELECT touchpoint, kind, value FROM (
        SELECT touchpoint, kind, value,
               row_number() OVER (PARTITION BY touchpoint, kind
                                  ORDER BY count(*) DESC, value) AS r
        FROM (SELECT touchpoint, 's' AS kind, stage AS value FROM flow_stream
              UNION ALL SELECT touchpoint, 'c', channel FROM flow_stream)
        WHERE value IS NOT NULL GROUP BY touchpoint, kind, value
    ) WHERE r = 1
)
SELECT f.touchpoint, count(*), count(DISTINCT customer_id), count(*) FILTER (WHERE step = 1),
       count(*) FILTER (WHERE nxt IS NULL), avg(step),
       any_value(us.value), any_value(uc.value)
FROM flow_stream f
LEFT JOIN usual us ON us.touchpoint = f.touchpoint AND us.kind = 's'
LEFT JOIN usual uc ON uc.touchpoint = f.touchpoint AND uc.kind = 'c'
GROUP BY f.touchpoint
"""


def cpu_seconds() -> float:
    """CPU time of this process so far (all DuckDB threads), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time of ``repeat`` runs, and the last result.

    CPU time is printed beside wall time because the machine is shared: other processes
    stretch wall time but not the work a query does.
    """
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        result = func()
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
    return statistics.median(times), statistics.median(cpu), result


def _pairs(frame: Any) -> dict[tuple[str, str | None], int]:
    return {
        (str(r.source), None if r.target is None or r.target != r.target else str(r.target)): int(
            r.transitions
        )
        for r in frame.itertuples()
    }


def sql_transitions(db: Database, collapse: bool) -> dict[tuple[str, str | None], int]:
    where = "WHERE nxt IS NULL OR nxt <> touchpoint" if collapse else ""
    rows = db.execute(SQL_TRANSITIONS.format(where=where), [WORKSPACE]).fetchall()
    return {(str(s), None if t is None else str(t)): int(n) for s, t, n in rows}


def sql_funnel_in_order(db: Database, stages: list[str]) -> list[int]:
    wanted = [s.lower() for s in stages]
    rows = db.execute(SQL_FUNNEL_IN_ORDER, [wanted, WORKSPACE, wanted]).fetchall()
    at = {int(r): int(n) for r, n in rows}
    return [sum(n for r, n in at.items() if r > i) for i in range(len(stages))]


def sql_top_paths(db: Database, k: int, limit: int) -> list[tuple[str, int]]:
    rows = db.execute(SQL_TOP_PATHS, [k, k, WORKSPACE, limit]).fetchall()
    return [(str(p), int(n)) for p, n in rows]


def _stats(frame: Any) -> dict[str, tuple[Any, ...]]:
    return {
        str(r.touchpoint): (
            int(r.events),
            int(r.customers),
            int(r.starts),
            int(r.exits),
            round(float(r.mean_step), 9),
            r.usual_stage,
            r.usual_channel,
        )
        for r in frame.itertuples()
    }


def _flow(trans: Any, stats: Any) -> tuple[Any, Any]:
    return _pairs(trans), _stats(stats)


def sql_flow(db: Database) -> tuple[dict[tuple[str, str | None], int], dict[str, tuple[Any, ...]]]:
    """The Flow view's transitions and touchpoint statistics (repeats collapsed) by hand:
    the ordered stream once into a temporary table, then two aggregations of it."""
    db.execute(SQL_FLOW_STREAM, [WORKSPACE])
    pairs = db.execute("SELECT touchpoint, nxt, count(*) FROM flow_stream GROUP BY ALL").fetchall()
    stats = db.execute(SQL_FLOW_STATS).fetchall()
    db.execute("DROP TABLE flow_stream")
    return (
        {(str(s), None if t is None else str(t)): int(n) for s, t, n in pairs},
        {str(r[0]): (*map(int, r[1:5]), round(float(r[5]), 9), r[6], r[7]) for r in stats},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--events-per-customer", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3, help="runs per operation (median)")
    parser.add_argument("--db", default=None, help="database file to keep (reused if filled)")
    parser.add_argument(
        "--only", action="append", default=[], help="run the operations whose name has this"
    )
    args = parser.parse_args(argv)
    customers = max(1, args.rows // args.events_per_customer)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.duckdb"
        db = Database(path)
        have = db.execute("SELECT count(*) FROM events WHERE workspace = ?", [WORKSPACE])
        existing = int(have.fetchone()[0])  # type: ignore[index]
        if existing != args.rows:
            db.execute("DELETE FROM events_base WHERE workspace = ?", [WORKSPACE])
            gen = generate(db, args.rows, customers)
            print(f"Generated {args.rows:,} events of {customers:,} customers in {gen:.1f} s")
        else:
            print(f"Reusing {existing:,} events of {customers:,} customers in {path}")
        if hasattr(os, "getloadavg"):
            print(
                "Load average (1, 5, 15 min): "
                + ", ".join(f"{x:.1f}" for x in os.getloadavg())
                + f" on {os.cpu_count()} CPUs (shared machine: figures are noisy)"
            )
        engine = duckdb_engine(db)
        k, limit = 3, 20
        cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
            (
                "transitions",
                lambda: _pairs(ja.transitions(engine, WORKSPACE, per_journey=False)),
                lambda: sql_transitions(db, collapse=False),
            ),
            (
                "transitions, repeats collapsed",
                lambda: _pairs(
                    ja.transitions(engine, WORKSPACE, collapse_repeats=True, per_journey=False)
                ),
                lambda: sql_transitions(db, collapse=True),
            ),
            (
                f"stage funnel in order, {len(STAGES)} stages",
                lambda: [
                    int(x)
                    for x in ja.stage_funnel(engine, WORKSPACE, stages=STAGES, mode="in_order")[
                        "journeys"
                    ]
                ],
                lambda: sql_funnel_in_order(db, STAGES),
            ),
            (
                f"top paths k={k}",
                lambda: [
                    (str(r.path), int(r.journeys))
                    for r in ja.top_paths(engine, WORKSPACE, k=k, limit=limit).itertuples()
                ],
                lambda: sql_top_paths(db, k, limit),
            ),
            (
                "flow view, one query",
                lambda: _flow(
                    *ja.flow_figures(engine, WORKSPACE, collapse_repeats=True, per_journey=False)
                ),
                lambda: sql_flow(db),
            ),
            (
                "flow view, two calls (before)",
                lambda: _flow(
                    ja.transitions(engine, WORKSPACE, collapse_repeats=True, per_journey=False),
                    ja.touchpoint_stats(engine, WORKSPACE, collapse_repeats=True),
                ),
                lambda: sql_flow(db),
            ),
        ]
        rows: list[tuple[str, float, float, float, float, bool]] = []
        wanted = [c for c in cases if not args.only or any(w in c[0] for w in args.only)]
        for name, ours, baseline in wanted:
            ours()  # warm: plans, catalogue, OS page cache
            baseline()
            t_ours, c_ours, r_ours = timed(ours, args.repeat)
            t_sql, c_sql, r_sql = timed(baseline, args.repeat)
            rows.append((name, t_ours, t_sql, c_ours, c_sql, r_ours == r_sql))
        db.close()

    print()
    print(f"{args.rows:,} events, median of {args.repeat}")
    print(
        f"{'operation':34} {'Touchpoint':>10} {'SQL':>7} {'ratio':>6} "
        f"{'CPU ours':>9} {'CPU SQL':>8} {'ratio':>6}  same numbers"
    )
    print("-" * 98)
    for name, t_ours, t_sql, c_ours, c_sql, same in rows:
        print(
            f"{name:34} {t_ours:>9.2f}s {t_sql:>6.2f}s {t_ours / t_sql:>5.2f}x "
            f"{c_ours:>8.2f}s {c_sql:>7.2f}s {c_ours / c_sql:>5.2f}x  {'yes' if same else 'NO'}"
        )
    if hasattr(os, "getloadavg"):
        print("Load average after the runs: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0 if all(same for *_, same in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
