"""Benchmark: how long the demo workspace takes to generate and to write.

    .venv/bin/python bench/demo.py [--customers N] [--repeat K]

Prints one row per step (best of K runs) and the process's peak memory. Baseline on the
development machine (5,000 customers): generate ~0.45 s, write ~0.5 s, total ~1 s,
peak RSS ~350 MB (mostly the imported libraries).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cem.access.principal import CLI_ADMIN
from cem.demo import workspace as demo  # noqa: E402
from cem.store.db import Database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=demo.N_CUSTOMERS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    generate: list[float] = []
    build: list[float] = []
    counts = (0, 0, 0)
    for _ in range(args.repeat):
        started = time.perf_counter()
        data = demo.generate_demo(n_customers=args.customers)
        generate.append(time.perf_counter() - started)
        counts = (len(data.customers), len(data.responses), len(data.events))
        if args.customers == demo.N_CUSTOMERS:
            with tempfile.TemporaryDirectory() as folder:
                db = Database(Path(folder) / "bench.duckdb")
                started = time.perf_counter()
                demo.build_demo_workspace(db, actor=CLI_ADMIN)
                build.append(time.perf_counter() - started)
                db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"customers={counts[0]:,} responses={counts[1]:,} events={counts[2]:,}")
    print(f"{'step':<34}{'best (s)':>10}")
    print(f"{'generate (numpy + phrase banks)':<34}{min(generate):>10.2f}")
    if build:
        print(f"{'build_demo_workspace (all)':<34}{min(build):>10.2f}")
    print(f"{'peak RSS (MB)':<34}{peak_mb:>10.0f}")


if __name__ == "__main__":
    main()
