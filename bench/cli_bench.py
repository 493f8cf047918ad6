"""Command-line benchmark: whole processes, interpreter start-up included.

* ``python -m cem --help`` beside a bare ``python -c pass`` (target: under 0.3 s);
* ``python -m cem import`` of N survey responses (the generator of bench/import_bench.py,
  ~1% invalid rows) beside a whole-process DuckDB ``CREATE TABLE AS read_csv`` of the same
  file (target at 1M rows: at most 1.5x), once with the file's comment column mapped as
  comments (the CLI then analyses them before it exits) and once without that column (an
  import without comments does no comment analysis).

Each figure is the best of ``--repeat`` fresh processes on a fresh database; peak memory is
each process's own ``ru_maxrss``.

    .venv/bin/python bench/cli_bench.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from import_bench import WHOLE_PROCESS, generate  # noqa: E402 - after the path fix

Argv = Callable[[str, str], list[str]]
CTAS = "python -c duckdb CTAS read_csv"


def run_once(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        err = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(argv[:5])} failed ({process.returncode}): {err[-500:]}")
    if process.stderr:
        process.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best(argv: Argv, csv: str, folder: Path, repeat: int) -> tuple[float, float, float]:
    """Best wall and CPU time of ``repeat`` runs on fresh databases, and their peak memory
    (CPU time is the steadier figure on a loaded machine)."""
    times, cpus, peaks = [], [], []
    for k in range(repeat):
        db = folder / f"run-{k}.duckdb"
        seconds, cpu, peak = run_once(argv(csv, str(db)))
        times.append(seconds)
        cpus.append(cpu)
        peaks.append(peak)
        for leftover in folder.glob(f"run-{k}.duckdb*"):
            leftover.unlink()
    return min(times), min(cpus), max(peaks)


def cem_import(csv: str, db: str) -> list[str]:
    argv = [sys.executable, "-m", "cem", "import", csv, "--workspace", "bench", "--db", db]
    # The generator's comments have few distinct texts, which detection keeps as an
    # attribute: name the column, so that the comment analysis runs as for real comments.
    return argv + (["--map", "comment=Comment"] if "no-comments" not in csv else [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {args.repeat}")

    startup: dict[str, Argv] = {
        "python -c pass (floor)": lambda _c, _d: [sys.executable, "-c", "pass"],
        "python -m cem --help": lambda _c, _d: [sys.executable, "-m", "cem", "--help"],
        "python -m cem import --help": lambda _c, _d: [
            sys.executable,
            "-m",
            "cem",
            "import",
            "--help",
        ],  # fmt: skip
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"\n{'start-up':<34} {'seconds':>8} {'x floor':>8} {'cpu s':>7} {'target':>8}")
        floor = None
        for label, argv in startup.items():
            seconds, cpu, _ = best(argv, "", folder, max(args.repeat, 5))
            floor = floor or seconds
            target = "< 0.30" if "--help" in label else ""
            print(f"{label:<34} {seconds:>8.3f} {seconds / floor:>8.2f} {cpu:>7.2f} {target:>8}")

        with_comments = folder / "responses.csv"
        generate(with_comments, args.rows)
        without = folder / "responses-no-comments.csv"
        import duckdb

        duckdb.sql(
            f"COPY (SELECT * EXCLUDE (\"Comment\") FROM read_csv('{with_comments}')) "
            f"TO '{without}' (HEADER, DELIMITER ',')"
        )
        title = f"whole process, {args.rows:,} rows"
        print(f"\n{title:<34} {'seconds':>8} {'x duckdb':>9} {'cpu s':>7} {'peak MB':>8}")
        for name, csv in (("with comments", with_comments), ("no comments", without)):
            rows = (
                ("duckdb CTAS, ", best(WHOLE_PROCESS[CTAS], str(csv), folder, args.repeat)),
                ("python -m cem import, ", best(cem_import, str(csv), folder, args.repeat)),
            )
            base = rows[0][1][0]
            for label, (seconds, cpu, peak) in rows:
                print(
                    f"{label + name:<34} {seconds:>8.2f} {seconds / base:>9.2f} {cpu:>7.2f} "
                    f"{peak:>8.0f}"
                )
        print("target at 1M rows: python -m cem import <= 1.5x the DuckDB CTAS process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
