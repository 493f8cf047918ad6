"""KPI benchmark: NPS by month x segment with its margin of error on N synthetic responses.

Compares three ways of computing the same numbers:

- ``ibis``: Touchpoint's path, ``cem.analytics.kpi_frames.kpi_frame`` (Ibis -> DuckDB -> pandas);
- ``hand SQL``: one hand-written DuckDB query;
- ``pandas``: a groupby on an in-memory DataFrame (loading it is not timed);

and times the Overview page through AppTest on the demo workspace, cold (empty caches)
and warm (a rerun). Run::

    .venv/bin/python bench/kpi_bench.py --rows 10000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cem.access.principal import CLI_ADMIN
from cem.analytics.engine import duckdb_engine  # noqa: E402
from cem.analytics.kpi_frames import kpi_frame  # noqa: E402
from cem.store.db import Database  # noqa: E402

WORKSPACE = "bench"
HAND_SQL = """
SELECT date_trunc('month', submitted_at)::DATE AS period, segment,
       count(nps) AS n,
       count(*) FILTER (WHERE nps >= 9) AS promoters,
       count(*) FILTER (WHERE nps <= 6) AS detractors,
       100.0 * (promoters - detractors) / nullif(n, 0) AS value,
       100.0 * 1.96 * sqrt(greatest(
           (promoters + detractors) / nullif(n, 0)::DOUBLE
           - ((promoters - detractors) / nullif(n, 0)::DOUBLE) ** 2, 0) / nullif(n, 0))
           AS moe
FROM responses
WHERE workspace = ? AND submitted_at IS NOT NULL
GROUP BY ALL
ORDER BY period, segment
"""


def generate(db: Database, rows: int) -> None:
    """N synthetic responses straight into DuckDB (seeded, vectorised SQL)."""
    with db.transaction() as cur:
        cur.execute("DELETE FROM responses_base WHERE workspace = ?", [WORKSPACE])
        cur.execute("INSERT INTO workspaces(name) VALUES (?) ON CONFLICT DO NOTHING", [WORKSPACE])
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            """INSERT INTO responses_base (response_id, workspace, import_id, source_row,
                   customer_id, submitted_at, nps, csat, ces, comment, channel, touchpoint,
                   stage, segment, persona)
               SELECT i, ?, 1, i, 'c' || (i % 500000),
                      TIMESTAMP '2024-01-01' + to_seconds(CAST(floor(random() * 63072000)
                                                               AS BIGINT)),
                      CASE WHEN random() < 0.9 THEN CAST(floor(random() * 11) AS SMALLINT) END,
                      CAST(1 + floor(random() * 5) AS SMALLINT),
                      CAST(1 + floor(random() * 7) AS SMALLINT),
                      NULL,
                      ['web', 'phone', 'app', 'store'][1 + CAST(floor(random() * 4) AS INT)],
                      NULL, NULL,
                      ['Consumer', 'Family', 'Small Business', 'Enterprise']
                          [1 + CAST(floor(random() * 4) AS INT)],
                      NULL
               FROM range(?) t(i)""",
            [WORKSPACE, rows],
        )
        cur.execute("UPDATE workspaces SET revision = revision + 1 WHERE name = ?", [WORKSPACE])


def best_of(func: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    func()  # warm-up
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def pandas_nps(frame: pd.DataFrame) -> pd.DataFrame:
    answered = frame[frame.nps.notna()]
    grouped = answered.assign(
        period=answered.submitted_at.dt.to_period("M").dt.start_time,
        p=answered.nps >= 9,
        d=answered.nps <= 6,
    ).groupby(["period", "segment"], observed=True)
    out = grouped.agg(n=("nps", "size"), promoters=("p", "sum"), detractors=("d", "sum"))
    pp, pd_ = out.promoters / out.n, out.detractors / out.n
    out["value"] = 100 * (pp - pd_)
    out["moe"] = 100 * 1.96 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / out.n)
    return out.reset_index()


def bench_kpis(rows: int, path: Path) -> None:
    db = Database(path)
    start = time.perf_counter()
    generate(db, rows)
    print(f"generated {rows:,} responses in {time.perf_counter() - start:.1f} s")

    t_ibis, ibis_frame = best_of(
        lambda: kpi_frame(duckdb_engine(db), WORKSPACE, "nps", by=["segment"], period="month")
    )
    t_sql, sql_frame = best_of(lambda: db.execute(HAND_SQL, [WORKSPACE]).df())
    frame = db.execute(
        "SELECT submitted_at, segment, nps FROM responses WHERE workspace = ?", [WORKSPACE]
    ).df()
    frame["segment"] = frame.segment.astype("category")
    t_pandas, pandas_frame = best_of(lambda: pandas_nps(frame), repeat=3)

    # The three agree on every number.
    assert isinstance(ibis_frame, pd.DataFrame) and isinstance(sql_frame, pd.DataFrame)
    assert ibis_frame.n.tolist() == sql_frame.n.tolist()
    assert np.allclose(ibis_frame.value, sql_frame.value)
    assert np.allclose(ibis_frame.moe, sql_frame.moe)
    assert np.allclose(pandas_frame.value, sql_frame.value)  # type: ignore[union-attr]

    print(f"\nNPS by month x segment with MoE, {rows:,} responses, {len(sql_frame)} groups")
    print(f"{'method':<22}{'median s':>10}{'vs hand SQL':>14}")
    for name, seconds in (
        ("ibis (kpi_frame)", t_ibis),
        ("hand-written SQL", t_sql),
        ("pandas groupby", t_pandas),
    ):
        print(f"{name:<22}{seconds:>10.3f}{seconds / t_sql:>13.2f}x")
    db.close()


def bench_overview() -> None:
    from streamlit.testing.v1 import AppTest

    from cem.demo.workspace import build_demo_workspace

    folder = Path(tempfile.mkdtemp(prefix="kpi-bench-app-"))
    db_path = folder / "demo.duckdb"
    db = Database(db_path)
    build_demo_workspace(db, actor=CLI_ADMIN)
    db.close()
    os.environ["TOUCHPOINT_DB"] = str(db_path)
    os.chdir(Path(__file__).resolve().parents[1])
    import streamlit as st

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        print("overview raised:", [e.value for e in at.exception])
        return
    colds, warms = [], []
    for _ in range(5):
        st.cache_data.clear()
        start = time.perf_counter()
        at.run()
        colds.append(time.perf_counter() - start)
        start = time.perf_counter()
        at.run()
        warms.append(time.perf_counter() - start)
    print("\nOverview page (AppTest, demo workspace)")
    print(f"first run in a fresh process (imports, DB open): {first * 1000:8.0f} ms")
    print(
        f"cold (caches cleared), median of 5:              {statistics.median(colds) * 1000:8.0f} ms"
    )
    print(
        f"warm rerun, median of 5:                         {statistics.median(warms) * 1000:8.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--db", default=None, help="DuckDB file (default: a temporary one)")
    parser.add_argument("--skip-app", action="store_true", help="skip the AppTest timings")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="kpi-bench-")) / "b.duckdb"
    bench_kpis(args.rows, path)
    if not args.skip_app:
        bench_overview()


if __name__ == "__main__":
    main()
