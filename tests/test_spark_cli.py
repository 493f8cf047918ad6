"""``python -m cem kpi … --engine spark`` prints the same numbers as ``--engine duckdb``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spark_support import RTOL, require_spark

from cem.cli.main import main

pytestmark = pytest.mark.spark


def run_kpi(capsys: pytest.CaptureFixture[str], db_file: Path, *args: str) -> list[dict]:
    status = main(["kpi", "--workspace", "demo", "--db", str(db_file), "--format", "json", *args])
    out = capsys.readouterr().out
    assert status == 0
    return json.loads(out)


@pytest.mark.parametrize("metric", ["nps", "csat", "ces", "responses"])
def test_cli_spark_prints_the_duckdb_numbers(
    demo_db_file: Path, capsys: pytest.CaptureFixture[str], metric: str
) -> None:
    require_spark()
    args = ("--metric", metric, "--by", "segment")
    duck = run_kpi(capsys, demo_db_file, *args, "--engine", "duckdb")
    spark = run_kpi(capsys, demo_db_file, *args, "--engine", "spark")
    assert len(duck) == len(spark) == 4
    for want, got in zip(duck, spark, strict=True):
        assert want.keys() == got.keys()
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=RTOL)
            else:
                assert got[key] == value
