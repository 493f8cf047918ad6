"""Benchmark: the executive summary PDF on the demo workspace vs its baseline, the
Overview's queries alone (the same analytics calls, no charts, no PDF).

    .venv/bin/python bench/report_bench.py [--repeat K]

Prints best-of-K seconds for: the Overview's queries (baseline), chart PNGs + PDF layout,
and the whole ``build_summary_pdf``; plus the PDF's size and page count.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf  # noqa: E402

from cem.access.principal import CLI_ADMIN  # noqa: E402
from cem.analytics.engine import duckdb_engine  # noqa: E402
from cem.analytics.filters import Filters  # noqa: E402
from cem.demo.workspace import build_demo_workspace  # noqa: E402
from cem.report.pdf import build_summary_pdf, cjk_font, render_summary_pdf  # noqa: E402
from cem.report.summary import gather_summary  # noqa: E402
from cem.store.db import Database  # noqa: E402


def best_of(repeat: int, func) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """The fastest of ``repeat`` runs of ``func()`` and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    """Build the demo in a temporary database and time the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.duckdb")
        build_demo_workspace(db, actor=CLI_ADMIN)
        engine = duckdb_engine(db)
        now = dt.datetime.now(dt.UTC)
        queries, summary = best_of(args.repeat, lambda: gather_summary(engine, "demo", Filters()))
        render, _ = best_of(args.repeat, lambda: render_summary_pdf(summary, now))
        korean = dataclasses.replace(summary, workspace="고객 경험 demo")

        def cold_korean() -> bytes:
            cjk_font.cache_clear()
            return render_summary_pdf(korean, now)

        cjk, _ = best_of(args.repeat, cold_korean)
        total, pdf = best_of(args.repeat, lambda: build_summary_pdf(engine, "demo", Filters()))
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        db.close()
    print("| what (demo workspace) | seconds |")
    print("|---|---|")
    print(f"| baseline: the Overview's queries alone | {queries:.2f} |")
    print(f"| charts (vl-convert PNG) + PDF layout | {render:.2f} |")
    font = cjk_font()
    print(
        f"| charts + PDF layout, Korean workspace name ({font[2] if font else 'no CJK font'}, "
        f"font loaded each time) | {cjk:.2f} |"
    )
    print(f"| build_summary_pdf, total | {total:.2f} ({total / queries:.1f}x the queries) |")
    print(f"PDF: {len(pdf):,} bytes, {pages} page(s)")


if __name__ == "__main__":
    main()
