"""Hostile and wide files: time and peak memory of ``python -m cem import`` per file, and
how long the filter bar's catalogue takes over a wide workspace.

Each import runs in its own process on a fresh database (peak memory = ``ru_maxrss`` of
that process). The baseline is the same import of a narrow 3-column file, and for the
filter bar the same workspace's 5-column counterpart.

    .venv/bin/python bench/hostile_bench.py            # the corpus and 100/500/2,000 columns
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "tests"))

import hostile  # noqa: E402  (tests/hostile.py: the corpus generators)

_CHILD = r"""
import json, resource, sys, time
from contextlib import redirect_stdout, redirect_stderr
import io
from cem.cli.main import main
started = time.perf_counter()
out, err = io.StringIO(), io.StringIO()
with redirect_stdout(out), redirect_stderr(err):
    status = main(sys.argv[1:])
seconds = time.perf_counter() - started
filter_bar = None
if status == 0:
    from cem.analytics.catalogue import dimension_values
    from cem.analytics.engine import duckdb_engine
    from cem.store.db import Database
    engine = duckdb_engine(Database(sys.argv[sys.argv.index("--db") + 1]))
    t = time.perf_counter()
    values = dimension_values(engine, "bench")
    filter_bar = (time.perf_counter() - t, len(values))
message = (err.getvalue().strip().splitlines() or [""])[-1]
print(json.dumps({"status": status, "seconds": seconds, "filter_bar": filter_bar,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "message": message}))
"""


def run_import(path: Path, folder: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Import ``path`` into a fresh database in a child process; its figures."""
    db = folder / f"{path.stem}.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    args = ["import", str(path), "--workspace", "bench", "--kind", "responses", "--db", str(db)]
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=1200,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"status": "crashed", "seconds": 0, "rss_mb": 0, "message": proc.stderr[-200:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="100,500,2000")
    parser.add_argument("--rows", type=int, default=1000, help="rows of the wide files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tp-hostile-") as tmp:
        folder = Path(tmp)
        print("| file | size | outcome | time s | peak RSS MB | message |")
        print("|---|---:|---|---:|---:|---|")
        for label, make in hostile.CORPUS.items():
            path = make(folder)
            r = run_import(path, folder)
            outcome = "loaded" if r["status"] == 0 else f"refused ({r['status']})"
            size = path.stat().st_size
            print(
                f"| {label} | {size / 1024:,.0f} KB | {outcome} | {r['seconds']:.2f} | "
                f"{r['rss_mb']:,.0f} | {str(r['message'])[:110]} |"
            )
        print()
        print("| columns | rows | import s | peak RSS MB | filter bar s | dimensions |")
        print("|---:|---:|---:|---:|---:|---:|")
        for width in [5, *(int(w) for w in args.widths.split(","))]:
            path = hostile.wide_csv(folder, columns=width, rows=args.rows)
            r = run_import(path, folder, {"TOUCHPOINT_MAX_COLUMNS": str(max(width, 500))})
            bar = r.get("filter_bar") or (float("nan"), 0)
            print(
                f"| {width:,} | {args.rows:,} | {r['seconds']:.2f} | {r['rss_mb']:,.0f} | "
                f"{bar[0]:.2f} | {bar[1]} |"
            )
        print(
            "\nBaseline: the 5-column row (same rows, same code path); "
            f"load: {os.getloadavg()[0]:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
