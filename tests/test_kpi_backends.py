"""The KPI definitions are backend-neutral Ibis: the same expressions run on Polars and
compile to other SQL dialects (the path to Trino/BigQuery/Snowflake/Spark), and that
compiled SQL, run, gives the same numbers."""

from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest
import sqlglot
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


DIALECT_SCHEMA = {
    "submitted_at": "timestamp",
    "nps": "int16",
    "csat": "int16",
    "ces": "int16",
    "segment": "string",
    "comment": "string",
    "response_id": "int64",
}


def run_in_dialect(frame: pd.DataFrame, metric: str, dialect: str) -> pd.DataFrame:
    """Compile the KPI to ``dialect``'s SQL, translate that SQL back to DuckDB with sqlglot
    and run it: the numbers show the compiled query means what the expression means."""
    table = ibis.table(DIALECT_SCHEMA, name="responses")
    expr = kpis.KPI_TABLES[metric](kpis.with_period(table, "month"), ["period", "segment"])
    sql = str(ibis.to_sql(expr, dialect=dialect))
    con = duckdb.connect()
    con.register("responses", frame[list(DIALECT_SCHEMA)])
    # BigQuery's IEEE_DIVIDE has no DuckDB twin; DuckDB's float division is the same here.
    con.execute("CREATE MACRO ieee_divide(a, b) AS a::DOUBLE / b::DOUBLE")
    out = con.execute(sqlglot.transpile(sql, read=dialect, write="duckdb")[0]).df()
    out["period"] = pd.to_datetime(out["period"])
    return out.sort_values(["period", "segment"]).reset_index(drop=True)


@pytest.mark.parametrize("dialect", ["trino", "bigquery", "snowflake", "postgres"])
@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
def test_other_dialects_compute_the_same_numbers(
    responses: pd.DataFrame, dialect: str, metric: str
) -> None:
    expected = run(ibis.duckdb.connect(), responses, metric)
    got = run_in_dialect(responses, metric, dialect)
    assert len(got) == len(expected) > 10
    assert got["segment"].tolist() == expected["segment"].tolist()
    for col in COMPARED[metric]:
        assert got[col].astype(float).tolist() == pytest.approx(
            expected[col].astype(float).tolist(), nan_ok=True
        ), col


def test_nps_by_month_and_segment_matches_pandas(responses: pd.DataFrame) -> None:
    """The DESIGN.md formula by hand: 100 × (promoters − detractors) / answers."""
    got = run(ibis.duckdb.connect(), responses, "nps").set_index(["period", "segment"])
    answered = responses.dropna(subset=["nps"]).assign(
        period=lambda f: f.submitted_at.dt.to_period("M").dt.start_time
    )
    by = answered.groupby(["period", "segment"]).nps
    expected = 100 * (by.apply(lambda s: (s >= 9).sum()) - by.apply(lambda s: (s <= 6).sum()))
    expected = (expected / by.size()).rename("value")
    assert len(expected) == len(got) > 10
    for key, value in expected.items():
        assert got.loc[key, "value"] == pytest.approx(value), key
        assert got.loc[key, "n"] == by.size()[key]
