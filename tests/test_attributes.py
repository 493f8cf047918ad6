"""Attributes stored per import (cem.analytics.attributes): writing, reading in long form across
imports, dropping, the schema-1 migration, and how an import types its extra columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN, LOCAL_ADMIN
from cem.analytics.attributes import (
    AttributeColumn,
    attribute_values,
    drop_import_attributes,
    drop_workspace_attributes,
    store_attribute_frame,
)
from cem.analytics.catalogue import attribute_columns
from cem.analytics.engine import duckdb_engine
from cem.ingest.load import delete_import, import_file
from cem.ingest.readers import SAMPLE_ROWS
from cem.store.db import SCHEMA_VERSION, Database
from cem.store.workspaces import delete_workspace, ensure_workspace


def _store(db: Database, workspace: str, import_id: int, frame: pd.DataFrame, cols: list) -> None:
    with db.transaction() as cur:
        store_attribute_frame(cur, workspace, "responses", import_id, frame, cols)


def _values(db: Database, workspace: str, names: list[str] | None = None) -> pd.DataFrame:
    frame = attribute_values(duckdb_engine(db), workspace, "responses", names).to_pandas()
    return frame.sort_values(["name", "row_id"]).reset_index(drop=True)


@pytest.fixture
def db() -> Database:
    database = Database(":memory:")
    for ws in ("a", "b", "c"):
        ensure_workspace(database, ws)
    return database


def test_long_form_skips_blanks_and_unions_imports(db: Database) -> None:
    rating = AttributeColumn("Rating", "r", "numeric", 1.0, 5.0, False, 3)
    region = AttributeColumn("Region", "g", "text", distinct_values=2)
    _store(
        db,
        "a",
        1,
        pd.DataFrame({"row_id": [10, 11, 12], "r": [5.0, None, 1.0], "g": ["N", "S", None]}),
        [rating, region],
    )
    _store(db, "a", 2, pd.DataFrame({"row_id": [20], "r": [3.0]}), [rating])
    _store(db, "b", 3, pd.DataFrame({"row_id": [30], "r": [4.0]}), [rating])
    got = _values(db, "a")
    assert got.astype(object).where(got.notna(), None).to_dict("list") == {
        "row_id": [10, 12, 20, 10, 11],
        "name": ["Rating", "Rating", "Rating", "Region", "Region"],
        "num_value": [5.0, 1.0, 3.0, None, None],
        "text_value": [None, None, None, "N", "S"],
        "label": ["5", "1", "3", "N", "S"],
    }
    assert _values(db, "a", ["Region"]).text_value.tolist() == ["N", "S"]
    # A 0 in a zero-means-n/a rating reads "n/a (0)"; fractions keep their decimals.
    stars = AttributeColumn("Stars", "s", "numeric", 0.0, 5.0, True, 3)
    _store(db, "c", 4, pd.DataFrame({"row_id": [1, 2, 3], "s": [0.0, 4.0, 2.5]}), [stars])
    assert _values(db, "c", ["Stars"]).label.tolist() == ["n/a (0)", "4", "2.5"]
    assert _values(db, "b").row_id.tolist() == [30]  # workspaces do not mix
    assert _values(db, "a", ["Nothing"]).empty
    # Descriptions merge over imports: the widest range, the most distinct values.
    cols = attribute_columns(duckdb_engine(db), "a").set_index("name")
    assert (cols.loc["Rating", "min_value"], cols.loc["Rating", "max_value"]) == (1.0, 5.0)


def test_drop_import_and_workspace(db: Database) -> None:
    rating = AttributeColumn("Rating", "r", "numeric", 1.0, 5.0, False, 2)
    only_first = AttributeColumn("Only", "o", "text", distinct_values=1)
    _store(db, "a", 1, pd.DataFrame({"row_id": [1], "r": [2.0], "o": ["x"]}), [rating, only_first])
    _store(db, "a", 2, pd.DataFrame({"row_id": [2], "r": [4.0]}), [rating])
    with db.transaction() as cur:
        drop_import_attributes(cur, "a", 1)
    assert _values(db, "a").row_id.tolist() == [2]
    assert attribute_columns(duckdb_engine(db), "a").name.tolist() == ["Rating"]  # "Only" is gone
    tables = db.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'tp_attrs_%'")
    assert [r[0] for r in tables.fetchall()] == ["tp_attrs_2"]
    with db.transaction() as cur:
        drop_workspace_attributes(cur, "a")
    assert _values(db, "a").empty and attribute_columns(duckdb_engine(db), "a").empty


def test_schema_1_long_attributes_are_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    db = Database(path)
    ensure_workspace(db, "w")
    with db.transaction() as cur:  # what a schema-1 database held
        cur.execute(
            "CREATE TABLE attributes (workspace VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
            "import_id BIGINT NOT NULL, row_id VARCHAR NOT NULL, name VARCHAR NOT NULL, "
            "num_value DOUBLE, text_value VARCHAR)"
        )
        cur.execute(
            "INSERT INTO attributes VALUES ('w', 'responses', 4, '17', 'Wifi', 3, NULL), "
            "('w', 'responses', 4, '18', 'Wifi', 0, NULL), "
            "('w', 'responses', 4, '17', 'Class', NULL, 'Eco'), "
            "('w', 'customers', 5, 'C-1', 'Plan', NULL, 'Gold')"
        )
        cur.execute("UPDATE schema_version SET version = 1")
    db.close()

    migrated = Database(path)
    assert migrated.execute("SELECT max(version) FROM schema_version").fetchone()[0] == (
        SCHEMA_VERSION
    )
    left = migrated.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'attributes'"
    ).fetchone()[0]
    assert left == 0
    got = _values(migrated, "w")
    assert got[["row_id", "name"]].values.tolist() == [[17, "Class"], [17, "Wifi"], [18, "Wifi"]]
    assert got.num_value.tolist()[1:] == [3.0, 0.0]
    assert got.text_value.tolist()[0] == "Eco"
    plan = attribute_values(duckdb_engine(migrated), "w", "customers", "Plan").to_pandas()
    assert plan[["row_id", "text_value"]].values.tolist() == [["C-1", "Gold"]]
    migrated.close()


def test_a_column_numeric_in_the_sample_but_not_later_is_text(tmp_path: Path) -> None:
    """The sample decides only which columns *may* be numbers; the whole file decides."""
    rows = SAMPLE_ROWS + 300
    codes = [str(100 + i % 7) for i in range(rows)]
    codes[SAMPLE_ROWS + 100] = "A7"
    lines = ["NPS,Code,Stars"] + [
        f"{i % 11},{codes[i]},{i % 6}" for i in range(rows)
    ]  # Stars: 0-5 with 0 = not rated
    path = tmp_path / "late_text.csv"
    path.write_text("\n".join(lines) + "\n")
    db = Database(":memory:")
    ensure_workspace(db, "w")
    result = import_file(db, "w", path, "responses", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (rows, 0)
    cols = attribute_columns(duckdb_engine(db), "w").set_index("name")
    assert cols.loc["Code", "dtype"] == "text"
    assert cols.loc["Stars", "dtype"] == "numeric" and bool(cols.loc["Stars", "zero_means_na"])
    codes_stored = attribute_values(duckdb_engine(db), "w", "responses", "Code").to_pandas()
    assert sorted(codes_stored.text_value.unique()) == sorted(set(codes))  # text kept as is
    stars = attribute_values(duckdb_engine(db), "w", "responses", "Stars").to_pandas()
    assert stars.num_value.sum() == sum(i % 6 for i in range(rows))
    delete_import(db, "w", result.import_id, actor=LOCAL_ADMIN)
    assert attribute_columns(duckdb_engine(db), "w").empty
    delete_workspace(db, "w", actor=CLI_ADMIN)
    assert db.execute("SELECT count(*) FROM attribute_sources").fetchone()[0] == 0


def _wide_import(path: Path, wide_from: int, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """Import ``path``; list-typed attributes when more than ``wide_from`` columns."""
    import cem.analytics.attributes as attrs
    import cem.ingest.sql as sql

    monkeypatch.setattr(sql, "WIDE_ATTRIBUTES", wide_from)
    monkeypatch.setattr(attrs, "WIDE_CATALOGUE", wide_from)
    db = Database(":memory:")
    ensure_workspace(db, "w")
    result = import_file(db, "w", path, "responses", actor=LOCAL_ADMIN)
    engine = duckdb_engine(db)
    cols = attribute_columns(engine, "w").sort_values("name").reset_index(drop=True)
    values = (
        _values(db, "w")
        .drop(columns="row_id")
        .sort_values(["name", "num_value", "text_value"], ignore_index=True)
    )
    catalogue = db.execute(
        "SELECT name, value, number FROM attribute_catalogue ORDER BY ALL"
    ).fetchall()
    rejects = result.rejects.sort_values(["row", "column"], ignore_index=True)
    return (result.rows_loaded, result.rows_rejected), cols, values, catalogue, rejects


def test_a_wide_file_types_its_columns_as_lists_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past WIDE_ATTRIBUTES columns the plain attributes are typed by one list expression
    (DuckDB plans thousands of per-column expressions for minutes): every figure the
    per-column route gives (rows, rejects, column types, ranges, ratings, stored values,
    the filter bar's catalogue) is the same."""
    kinds = [
        lambda i: str(i % 6),  # a 0-5 rating, 0 = not rated
        lambda i: ["North", " South ", "NA", "", "East"][i % 5],  # text, blanks, a token
        lambda i: f"{i * 1.5:.1f}" if i % 4 else "n/a",  # decimals with a missing token
        lambda i: str(100 + i) if i != 40 else "A7",  # numbers, then one text
    ]
    header = ["NPS", "Comment"] + [f"Q{k}" for k in range(12)]
    lines = [",".join(header)]
    for i in range(60):
        nps = "12" if i == 7 else str(i % 11)
        lines.append(",".join([nps, "ok" if i % 3 else ""] + [kinds[k % 4](i) for k in range(12)]))
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    narrow = _wide_import(path, 1000, monkeypatch)
    wide = _wide_import(path, 2, monkeypatch)
    assert narrow[0] == wide[0] == (59, 1)
    pd.testing.assert_frame_equal(narrow[1], wide[1])
    pd.testing.assert_frame_equal(narrow[2], wide[2])
    assert narrow[3] == wide[3] and narrow[3]
    pd.testing.assert_frame_equal(narrow[4], wide[4])
    q0 = wide[1].set_index("name").loc["Q0"]
    assert q0["dtype"] == "numeric" and bool(q0["zero_means_na"])
    assert wide[1].set_index("name").loc["Q3", "dtype"] == "text"  # "A7" on a later row
