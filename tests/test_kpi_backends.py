"""The KPI definitions are backend-neutral Ibis: the same expressions run on Polars and
compile to other SQL dialects (the path to Trino/BigQuery/Snowflake/Spark)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from kpi_data import random_responses

from cem.analytics import kpis

polars = pytest.importorskip("polars")

METRICS = ("nps", "csat", "ces", "responses", "comment_share")
COMPARED = {
    "nps": ["n", "promoters", "detractors", "value", "moe"],
    "csat": ["n", "satisfied", "value", "moe"],
    "ces": ["n", "value", "easy_share", "moe"],
    "responses": ["n", "value"],
    "comment_share": ["n", "commented", "value"],
}


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    frame = random_responses(3000, seed=11)
    for col in ("nps", "csat", "ces"):
        frame[col] = pd.array(frame[col], dtype="Int64")
    frame["submitted_at"] = pd.to_datetime(frame.submitted_at)
    frame["response_id"] = range(len(frame))
    return frame


def run(backend: ibis.BaseBackend, frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    table = backend.create_table(f"responses_{metric}", frame, overwrite=True)
    expr = kpis.KPI_TABLES[metric](kpis.with_period(table, "month"), ["period", "segment"])
    out = backend.execute(expr)
    out["period"] = pd.to_datetime(out["period"])
    return out.sort_values(["period", "segment"]).reset_index(drop=True)


@pytest.mark.parametrize("metric", METRICS)
def test_polars_backend_gives_the_duckdb_numbers(responses: pd.DataFrame, metric: str) -> None:
    duck = run(ibis.duckdb.connect(), responses, metric)
    pol = run(ibis.polars.connect(), responses, metric)
    assert len(duck) == len(pol) > 10
    for col in COMPARED[metric]:
        assert pol[col].astype(float).tolist() == pytest.approx(
            duck[col].astype(float).tolist(), nan_ok=True
        ), col


@pytest.mark.parametrize("dialect", ["trino", "bigquery", "snowflake", "postgres"])
@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_compiles_to_other_sql_dialects(dialect: str, metric: str) -> None:
    schema = {
        "submitted_at": "timestamp",
        "nps": "int16",
        "csat": "int16",
        "ces": "int16",
        "segment": "string",
        "comment": "string",
        "response_id": "int64",
    }
    table = ibis.table(schema, name="responses")
    expr = kpis.KPI_TABLES[metric](kpis.with_period(table, "month"), ["period", "segment"])
    sql = ibis.to_sql(expr, dialect=dialect)
    assert "GROUP BY" in sql.upper() and "responses" in sql
