"""The ratings side by side (the fast driver matrix) equal the pivot of the long form of
the attributes, over two imports (the demo's and an uploaded file with other ratings)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem.access.principal import CLI_ADMIN
from cem.analytics.attributes import attribute_values, numeric_attribute_matrix
from cem.analytics.catalogue import rating_info
from cem.analytics.drivers import driver_candidates, driver_matrix
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.ingest.load import import_file
from cem.store.db import Database

UPLOAD = (
    b"Customer ID,Submitted at,How likely are you to recommend us?,Speed rating,Delivery rating\n"
    b"U1,2026-02-01,9,5,4\n"
    b"U2,2026-02-02,3,0,2\n"
    b"U3,2026-02-03,7,,5\n"
    b"U4,2026-02-04,,4,\n"
)


def _pivot(engine, names: list[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """pandas: the long form pivoted, a 0 of a zero-means-n/a rating missing."""
    long = engine.to_pandas(attribute_values(engine, "demo", "responses", names))
    long = long[long.num_value.notna()]
    wide = long.pivot_table(index="row_id", columns="name", values="num_value", aggfunc="max")
    for name in names:
        if name in wide and rating_info(engine, "demo", name)["zero_means_na"]:
            wide[name] = wide[name].replace(0.0, np.nan)
    return wide.reindex(columns=names).dropna(how="all").sort_index()


def test_matrix_equals_the_pivot_of_the_long_form(demo_db: Database) -> None:
    import_file(demo_db, "demo", UPLOAD, "responses", actor=CLI_ADMIN, file_name="u.csv")
    engine = duckdb_engine(demo_db)
    names = [*driver_candidates(engine, "demo")]
    assert "Delivery rating" in names and "Speed rating" in names
    wide = engine.to_pandas(numeric_attribute_matrix(engine, "demo", "responses", names))
    wide = wide.set_index("row_id").rename(columns={f"v{i}": n for i, n in enumerate(names)})
    wide = wide.sort_index()
    wide.columns.name = "name"
    expected = _pivot(engine, names)
    pd.testing.assert_frame_equal(wide, expected, check_names=False)
    # The uploaded rows are there, side by side.
    uploaded = demo_db.execute(
        "SELECT response_id FROM responses WHERE customer_id IN ('U1','U2','U3','U4') "
        "ORDER BY customer_id"
    ).fetchall()
    ids = [int(r[0]) for r in uploaded]
    assert wide.loc[ids[0], "Delivery rating"] == 4.0
    assert pd.isna(wide.loc[ids[2], "Speed rating"]) and wide.loc[ids[2], "Delivery rating"] == 5


def test_driver_matrix_rows_are_answered_responses(demo_db: Database) -> None:
    engine = duckdb_engine(demo_db)
    names = driver_candidates(engine, "demo")
    frame = driver_matrix(engine, "demo", "nps", names, Filters())
    responses = demo_db.execute(
        "SELECT response_id FROM responses WHERE workspace = 'demo' AND nps IS NOT NULL"
    ).fetchall()
    expected = _pivot(engine, names)
    expected = expected[expected.index.isin([int(r[0]) for r in responses])]
    assert len(frame) == len(expected)
    for name in names:  # the same values (row order aside)
        assert sorted(frame[name].dropna()) == sorted(expected[name].dropna())
