"""Run every benchmark in bench/ at the sizes the issues name, one after another.

Each benchmark prints its own table with the baseline it compares to. Sizes can be
lowered for a quick look: ``python bench/run_all.py --quick``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# (script, full-size arguments, quick arguments)
BENCHMARKS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("demo.py", [], ["--repeat", "1"]),
    ("import_bench.py", ["--rows", "1000000"], ["--rows", "100000"]),
    ("detect_bench.py", ["--rows", "1000000"], ["--rows", "1000000", "--repeat", "1"]),
    ("cli_bench.py", ["--rows", "1000000"], ["--rows", "100000", "--repeat", "1"]),
    ("kpi_bench.py", ["--rows", "10000000"], ["--rows", "1000000", "--skip-app"]),
    ("journey_bench.py", [], ["--stages", "6", "--per-stage", "50"]),
    ("events_bench.py", ["--rows", "10000000"], ["--rows", "1000000"]),
    ("report_bench.py", [], ["--repeat", "1"]),
)


def main() -> int:
    """Run the benchmarks; returns non-zero if any of them failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a quick look")
    parser.add_argument("only", nargs="*", help="run only these scripts (e.g. kpi_bench.py)")
    args = parser.parse_args()
    failed = 0
    for script, full, quick in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        command = [sys.executable, str(BENCH / script), *(quick if args.quick else full)]
        print(f"\n=== {script} {' '.join(command[2:])}", flush=True)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=BENCH.parent, check=False)
        print(f"--- {script}: {time.perf_counter() - started:.1f} s, exit {result.returncode}")
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
