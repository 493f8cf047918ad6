"""``python -m cem kpi`` prints the same numbers as ``cem.analytics.kpi_frames.kpi_frame``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from kpi_data import frame_rows, insert_customers, insert_responses, random_responses

from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.kpi_frames import kpi_frame
from cem.cli.main import main
from cem.store.db import Database


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    db = Database(path)
    insert_responses(db, frame_rows(random_responses(400, seed=3)))
    insert_customers(
        db,
        [
            {"customer_id": str(i), "segment": "A" if i % 2 else "B", "churned": i % 3 == 0}
            for i in range(30)
        ],
    )
    db.close()
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = main(["kpi", *args])
    out = capsys.readouterr()
    assert status == 0, out.err
    return out.out


def test_nps_by_month_and_segment_csv(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_cli(
        capsys, "--workspace", "w", "--metric", "nps", "--by", "month,segment", "--db", str(cli_db)
    )
    printed = pd.read_csv(io.StringIO(text))
    assert printed.columns.tolist() == [
        "period",
        "segment",
        "value",
        "n",
        "promoters",
        "detractors",
        "moe",
    ]
    db = Database(cli_db)
    expected = kpi_frame(duckdb_engine(db), "w", "nps", by=["segment"], period="month")
    db.close()
    assert printed.n.tolist() == expected.n.tolist()
    assert printed.value.tolist() == pytest.approx(expected.value.tolist())
    assert printed.moe.tolist() == pytest.approx(expected.moe.tolist())
    assert printed.period.tolist() == expected.period.dt.strftime("%Y-%m-%d").tolist()


def test_filters_and_json(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_cli(
        capsys,
        "--workspace",
        "w",
        "--metric",
        "csat",
        "--by",
        "channel",
        "--filter",
        "segment=SMB",
        "--filter",
        "segment=Enterprise",
        "--from",
        "2025-02-01",
        "--to",
        "2025-06-30",
        "--format",
        "json",
        "--db",
        str(cli_db),
    )
    printed = pd.DataFrame(json.loads(text))
    db = Database(cli_db)
    filters = Filters.from_query_params(
        {"segment": ["SMB", "Enterprise"], "from": "2025-02-01", "to": "2025-06-30"}
    )
    expected = kpi_frame(duckdb_engine(db), "w", "csat", by=["channel"], filters=filters)
    db.close()
    assert printed.channel.tolist() == expected.channel.tolist()
    assert printed.n.tolist() == expected.n.tolist()
    assert printed.value.tolist() == pytest.approx(expected.value.tolist())


def test_snapshot_churn(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_cli(
        capsys, "--workspace", "w", "--metric", "churn", "--by", "segment", "--db", str(cli_db)
    )
    printed = pd.read_csv(io.StringIO(text)).set_index("segment")
    # B = even ids 0..28 (15), churned when id % 3 == 0: 0, 6, 12, 18, 24 -> 5 of 15
    assert printed.loc["B", "value"] == pytest.approx(100 * 5 / 15)
    assert printed.loc["A", "n"] == 15


def test_bad_input_is_one_line(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", "--workspace", "nope", "--metric", "nps", "--db", str(cli_db)]) == 2
    assert "no workspace 'nope'" in capsys.readouterr().err
    assert (
        main(
            [
                "kpi",
                "--workspace",
                "w",
                "--metric",
                "nps",
                "--filter",
                "shoe=9",
                "--db",
                str(cli_db),
            ]
        )
        == 2
    )
    assert "Unknown filter" in capsys.readouterr().err
