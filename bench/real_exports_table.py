"""The shared real exports, imported with zero configuration: for each file, the detected
kind, the roles, rows loaded/rejected, and its key figure beside the figure its SOURCE.md
states (computed there independently of this code).

Each file goes through the import page's code path (``read_upload`` -> ``detect_mapping``
with no kind -> ``import_file``) into a fresh database; only CDNOW's purchase log, which has
no touchpoint column, gets the constant ``touchpoint=purchase`` the page asks for.

    .venv/bin/python bench/real_exports_table.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from cem.access.principal import LOCAL_ADMIN  # noqa: E402 - after the path fix
from cem.analytics.engine import duckdb_engine  # noqa: E402
from cem.analytics.kpi_frames import kpi_frame  # noqa: E402
from cem.ingest.load import detect_mapping, import_file, read_upload  # noqa: E402
from cem.store.db import Database  # noqa: E402

WS = "real"


def _kpi(metric: str, digits: int) -> Callable[[Database], str]:
    def figure(db: Database) -> str:
        frame = kpi_frame(duckdb_engine(db), WS, metric)
        return f"{float(frame.value.iloc[0]):.{digits}f} (n {int(frame.n.iloc[0]):,})"

    return figure


def _count(sql: str) -> Callable[[Database], str]:
    def figure(db: Database) -> str:
        return f"{db.execute(sql, [WS]).fetchone()[0]:,}"

    return figure


@dataclass(frozen=True)
class RealFile:
    path: str  # under the datasets folder
    figure_name: str
    figure: Callable[[Database], str]
    source_figure: str  # as SOURCE.md states it
    constants: dict[str, str] | None = None


FILES = (
    RealFile(
        "googleforms_r_survey_2019/2019 English R Community Survey Responses.csv",
        "NPS",
        _kpi("nps", 2),
        "73.98 (n 1,795)",
    ),
    RealFile(
        "googleplay_kr_banks/google_play_reviews.csv",
        "mean stars (`score`)",
        _kpi("attr:score", 3),
        "2.569 (n 1,323)",
    ),
    RealFile(
        "helpdesk_tickets_getsmarter/ticket_data201803.csv",
        "distinct customers",
        _count("SELECT count(DISTINCT customer_id) FROM events WHERE workspace = ?"),
        "3,993 `user_id` in all rows; 45 rows have no created time (pandas: 3,988 without them)",
    ),
    RealFile(
        "surveygizmo_jupyter_ux/20160115235816-SurveyExport.csv",
        "responses with an answer",
        _count("SELECT count(*) FROM responses WHERE workspace = ?"),
        "1,092 (614 abandoned)",
    ),
    RealFile("nps_verbatims/nps_verbatims.csv", "NPS", _kpi("nps", 2), "≈ −24.7 (n 2,353)"),
    RealFile(
        "airline_satisfaction/test.csv",
        "rows (no NPS)",
        _count("SELECT count(*) FROM responses WHERE workspace = ?"),
        "25,976",
    ),
    RealFile(
        "telco_churn/Telco-Customer-Churn.csv",
        "churned",
        _count("SELECT count(*) FROM customers WHERE workspace = ? AND churned"),
        "1,869",
    ),
    RealFile(
        "airbnb_sessions/airbnb-session-data.txt",
        "visitors",
        _count("SELECT count(DISTINCT customer_id) FROM events WHERE workspace = ?"),
        "630",
    ),
    RealFile(
        "cdnow_transactions/CDNOW_master.txt",
        "customers",
        _count("SELECT count(DISTINCT customer_id) FROM events WHERE workspace = ?"),
        "23,570",
        {"touchpoint": "purchase"},
    ),
)


def run(folder: Path, item: RealFile) -> list[str]:
    """One table row: file, kind, roles, loaded / rejected, figure vs SOURCE, seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "t.duckdb")
        started = time.perf_counter()
        path = folder / item.path
        with read_upload(path.read_bytes(), path.name) as upload:
            mapping = detect_mapping(upload)
            result = import_file(
                db, WS, upload, mapping=mapping, constants=item.constants, actor=LOCAL_ADMIN
            )
        seconds = time.perf_counter() - started
        roles = ", ".join(f"{r}=`{c}`" for r, c in mapping.roles.items())
        if mapping.comment_fields:
            roles += f", +{len(mapping.comment_fields)} comment fields"
        figure = item.figure(db)
        db.close()
    return [
        item.path.split("/")[0],
        mapping.kind,
        roles,
        f"{result.rows_loaded:,} / {result.rows_rejected:,}",
        f"{item.figure_name}: {figure}",
        item.source_figure,
        f"{seconds:.1f}",
    ]


def main() -> int:
    """Print the table (markdown); non-zero when the datasets folder is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=str(PROJECT_ROOT.parent / "shared" / "datasets"))
    args = parser.parse_args()
    folder = Path(args.datasets)
    if not folder.is_dir():
        print(f"No datasets folder at {folder}: nothing to run.")
        return 1
    header = ["file", "kind", "roles", "loaded / rejected", "figure", "SOURCE.md", "s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for item in FILES:
        print("| " + " | ".join(run(folder, item)) + " |", flush=True)
    load = os.getloadavg()
    print(f"\nload {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
