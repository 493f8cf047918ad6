"""Responses and events are written once: each import's own table, read through views.

What is checked, against figures computed here by hand or with pandas:

- an import of responses writes one table (``tp_rows_<id>``) and no copy: the ``responses``
  view and the attribute view read it, the ids and row numbers are the file's, rows built in
  Python (the demo's way) sit beside it in ``responses_base``;
- deleting the import or the workspace drops its table; renaming the workspace moves its rows;
- a database of schema 2 (``responses`` a table) opens with its rows in place;
- the CSV reader types clean score, number and ISO date columns itself; a later cell it cannot
  type makes the import read the file again as text, with the same rejects and values as the
  text path (the value of a score out of range as written, ``11`` not ``11.0``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import cem.ingest.load as ingest
from cem.access.principal import LOCAL_ADMIN
from cem.analytics.attributes import attribute_values
from cem.analytics.engine import duckdb_engine
from cem.ingest.load import delete_import, import_file
from cem.store.db import Database
from cem.store.rows import ID_STRIDE
from cem.store.workspaces import delete_workspace, ensure_workspace, rename_workspace

WS = "acme"
SAMPLE_ROWS = 2000  # detection reads this many rows; later cells are seen only by the import


def _relations(db: Database, pattern: str) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() WHERE table_name LIKE ? "
        "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE view_name LIKE ? "
        "ORDER BY 1",
        [pattern, pattern],
    ).fetchall()


def _survey(tmp_path: Path, rows: int, late: dict[int, tuple[str, str, str]] | None = None) -> Path:
    """A survey of ``rows`` rows: date, NPS, a 1-5 rating and a region; ``late`` replaces the
    (date, NPS, rating) cells of some rows."""
    late = late or {}
    lines = ["Date,NPS,Rating: app,Region"]
    for i in range(rows):
        date, nps, rating = late.get(i, (f"2024-03-{1 + i % 28:02d}", str(i % 11), str(i % 5 + 1)))
        lines.append(f"{date},{nps},{rating},R{i % 3}")
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def ws_db(db: Database) -> Database:
    ensure_workspace(db, WS)
    return db


def test_an_import_is_one_table_read_through_the_views(ws_db: Database, tmp_path: Path) -> None:
    path = _survey(tmp_path, 3000, {5: ("2024-03-06", "11", "2")})
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (2999, 1)
    iid = result.import_id
    assert _relations(ws_db, "tp_%") == [(f"tp_attrs_{iid}", "view"), (f"tp_rows_{iid}", "table")]
    # The rejected row stays in the import's table (positions never shift) but not in the view.
    assert ws_db.execute(f"SELECT count(*) FROM tp_rows_{iid}").fetchone()[0] == 3000
    frame = pd.read_csv(path)
    valid = frame[frame["NPS"] <= 10]
    got = ws_db.execute(
        "SELECT response_id - ? * ?, source_row, nps, submitted_at FROM responses "
        "WHERE workspace = ? ORDER BY response_id",
        [iid, ID_STRIDE, WS],
    ).df()
    assert got.iloc[:, 0].tolist() == valid.index.tolist()  # the record's place in the file
    assert got["source_row"].tolist() == [i + 2 for i in valid.index]  # header is row 1
    assert got["nps"].tolist() == valid["NPS"].tolist()
    assert str(got["nps"].dtype) == "int16"  # the data model's type (SMALLINT)
    assert got["submitted_at"].iloc[0] == pd.Timestamp("2024-03-01")
    engine = duckdb_engine(ws_db)
    values = attribute_values(engine, WS, "responses", ["Rating: app"]).execute()
    assert len(values) == 2999
    assert values["num_value"].mean() == pytest.approx(valid["Rating: app"].mean())
    assert result.rejects.to_dict("records") == [
        {
            "row": 7,
            "column": "NPS",
            "value": "11",
            "reason": "NPS must be a whole number from 0 to 10",
        }
    ]
    # Rows built in Python go beside the import, in the base table.
    ws_db.execute(
        "INSERT INTO responses_base (response_id, workspace, import_id, nps) VALUES (1, ?, 0, 9)",
        [WS],
    )
    total = ws_db.execute("SELECT count(*) FROM responses WHERE workspace = ?", [WS]).fetchone()
    assert total == (3000,)


def test_deleting_and_renaming_follow_the_import_tables(ws_db: Database, tmp_path: Path) -> None:
    first = import_file(ws_db, WS, _survey(tmp_path, 50), "responses", actor=LOCAL_ADMIN)
    other = tmp_path / "events.csv"
    other.write_text("user,time,action\nu1,2024-01-01 10:00,login\nu2,2024-01-02 11:00,buy\n")
    events = import_file(ws_db, WS, other, "events", actor=LOCAL_ADMIN)
    assert ws_db.execute("SELECT count(*) FROM events").fetchone()[0] == 2

    rename_workspace(ws_db, WS, "Acme Corp", actor=LOCAL_ADMIN)
    counts = ws_db.execute(
        "SELECT workspace, count(*) FROM responses GROUP BY 1 UNION ALL "
        "SELECT workspace, count(*) FROM events GROUP BY 1 ORDER BY 2"
    ).fetchall()
    assert counts == [("Acme Corp", 2), ("Acme Corp", 50)]

    delete_import(ws_db, "Acme Corp", first.import_id, actor=LOCAL_ADMIN)
    assert ws_db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    assert _relations(ws_db, "tp_%") == [(f"tp_rows_{events.import_id}", "table")]

    delete_workspace(ws_db, "Acme Corp", actor=LOCAL_ADMIN)
    assert _relations(ws_db, "tp_%") == []
    assert ws_db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert ws_db.execute("SELECT count(*) FROM row_tables").fetchone()[0] == 0


def test_a_schema_2_database_keeps_its_rows(tmp_path: Path) -> None:
    """Before schema 3, ``responses`` and ``events`` were tables: they become the base
    tables of the views, rows untouched."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE responses (response_id BIGINT NOT NULL, workspace VARCHAR NOT NULL, "
        "import_id BIGINT NOT NULL, source_row BIGINT, customer_id VARCHAR, submitted_at "
        "TIMESTAMP, nps SMALLINT, csat SMALLINT, ces SMALLINT, comment VARCHAR, channel VARCHAR, "
        "touchpoint VARCHAR, stage VARCHAR, segment VARCHAR, persona VARCHAR)"
    )
    con.execute(
        "INSERT INTO responses (response_id, workspace, import_id, nps) VALUES (7, 'w', 1, 6)"
    )
    con.execute(
        "CREATE TABLE events (event_id BIGINT NOT NULL, workspace VARCHAR NOT NULL, import_id "
        "BIGINT NOT NULL, source_row BIGINT, customer_id VARCHAR NOT NULL, occurred_at TIMESTAMP "
        "NOT NULL, touchpoint VARCHAR NOT NULL, channel VARCHAR, stage VARCHAR)"
    )
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (2)")
    con.close()
    db = Database(path)
    assert db.execute("SELECT response_id, nps FROM responses").fetchall() == [(7, 6)]
    assert db.execute("SELECT count(*) FROM responses_base").fetchone()[0] == 1
    kinds = db.execute(
        "SELECT view_name FROM duckdb_views() WHERE view_name IN ('responses', 'events') ORDER BY 1"
    ).fetchall()
    assert kinds == [("events",), ("responses",)]
    assert db.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 3
    db.close()


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """Each read of the file by the import: the columns the reader typed itself."""
    reads: list[dict[str, str]] = []
    real = ingest._read_typed

    def counted(cur, upload, plan, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(dict(plan.reader_types))
        return real(cur, upload, plan, *args, **kwargs)

    monkeypatch.setattr(ingest, "_read_typed", counted)
    return reads


def test_a_late_cell_the_reader_cannot_type_reads_the_file_again(
    ws_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample (2,000 rows) is clean, so the reader types the date, NPS and rating; row
    2,501 holds text in all three. The file is read again as text: the same rejects as the
    text path, in its words, and the rating stays a number."""
    late = {2500: ("soon", "ten", "5"), 2600: ("2024-03-02", "7.5", "4"), 2700: ("x", "8", "n/a")}
    path = _survey(tmp_path, 3000, late)
    reads = _count_reads(monkeypatch)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert reads == [{"c0": "TIMESTAMP", "c1": "DOUBLE", "c2": "DOUBLE"}, {}]
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3000, 2997, 3)
    assert sorted(result.rejects.itertuples(index=False, name=None)) == [
        (2502, "Date", "soon", "not a date in the format ISO (YYYY-MM-DD)"),
        (2502, "NPS", "ten", "NPS is not a number"),
        (2602, "NPS", "7.5", "NPS must be a whole number from 0 to 10"),
        (2702, "Date", "x", "not a date in the format ISO (YYYY-MM-DD)"),
    ]
    described = ws_db.execute(
        "SELECT dtype, min_value, max_value FROM attribute_columns WHERE name = 'Rating: app'"
    ).fetchall()
    assert described == [("numeric", 1.0, 5.0)]
    # The same file read with a clean sample everywhere gives the same values as pandas.
    frame = pd.read_csv(path)
    ok = frame.drop(index=[2500, 2600, 2700])
    got = ws_db.execute("SELECT sum(nps), count(*) FROM responses").fetchone()
    assert got == (int(ok["NPS"].astype(int).sum()), len(ok))


def test_a_clean_file_keeps_the_value_of_a_range_error_as_written(
    ws_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed by the reader, a score out of range is still shown as the file wrote it."""
    path = _survey(tmp_path, 2500, {2400: ("2024-03-01", "12", "3"), 2401: ("", "-1", "3")})
    reads = _count_reads(monkeypatch)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert reads == [{"c0": "TIMESTAMP", "c1": "DOUBLE", "c2": "DOUBLE"}]  # read once
    assert [(int(r.row), r.value) for r in result.rejects.itertuples(index=False)] == [
        (2402, "12"),
        (2403, "-1"),
    ]
    # The import's table keeps the reader's types: no text copy of the numbers.
    described = ws_db.execute(f"DESCRIBE tp_rows_{result.import_id}").fetchall()
    types = {str(r[0]): str(r[1]) for r in described}
    assert types["t_nps"] == "DOUBLE" and types["t_submitted_at"] == "TIMESTAMP"
    # The rating is one DOUBLE column (no text copy); the region text; no raw text kept.
    assert [n for n in types if n[0] in "xn"] == ["n0", "x1"] and types["n0"] == "DOUBLE"
    assert not any(name.startswith("__v_") for name in types)
