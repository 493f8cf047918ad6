"""The base everything stands on: database, transactions, workspaces, filters, formats,
exports and the graph adapter's escaping."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import ibis
import openpyxl
import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters, filtered_table
from cem.errors import InputError, NotFoundError, TouchpointError
from cem.export import frame_to_csv_bytes, frame_to_xlsx_bytes, neutralise_cell
from cem.format import format_mean, format_nps, format_percent, is_low_confidence
from cem.store import workspaces
from cem.store.db import Database, bump_revision, quote_identifier, resolve_db_path
from cem.ui.graph import GraphEdge, GraphNode, graph_payload
from tests.kpi_data import insert_attribute

XSS = "<img src=x onerror=alert(1)>"


def _insert_response(db: Database, workspace: str, rid: int, **values: object) -> None:
    columns = ["response_id", "workspace", "import_id", *values]
    marks = ", ".join("?" for _ in columns)
    db.execute(
        f"INSERT INTO responses_base ({', '.join(columns)}) VALUES ({marks})",
        [rid, workspace, 1, *values.values()],
    )


# -- database -----------------------------------------------------------------------------
def test_db_path_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOUCHPOINT_DB", raising=False)
    assert resolve_db_path().endswith("data/touchpoint.duckdb")
    monkeypatch.setenv("TOUCHPOINT_DB", "/tmp/env.duckdb")
    assert resolve_db_path() == "/tmp/env.duckdb"
    assert resolve_db_path("/tmp/cli.duckdb") == "/tmp/cli.duckdb"


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    Database(path).close()
    db = Database(path)  # second start runs the migrations again without error
    assert db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1
    db.close()


def test_transaction_rolls_back_everything(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    with pytest.raises(RuntimeError), db.transaction() as cur:
        cur.execute("INSERT INTO personas VALUES (?, ?, ?)", ["w", "A", "first"])
        raise RuntimeError("boom")
    assert db.execute("SELECT count(*) FROM personas").fetchone()[0] == 0


def test_cursor_per_thread_and_ibis_backend(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    seen: list[int] = []

    def count() -> None:
        seen.append(int(db.ibis().table("workspaces").count().execute()))

    threads = [threading.Thread(target=count) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1, 1, 1, 1]
    assert db.cursor() is db.cursor()


def test_revision_changes_on_write(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    before = db.data_version("w")
    with db.transaction() as cur:
        bump_revision(cur, "w")
    assert db.data_version("w") == before + 1
    assert db.data_version("missing") == -1


def test_quote_identifier_survives_hostile_names(db: Database) -> None:
    name = 'x"; DROP TABLE responses; --'
    db.execute(f"CREATE TABLE t ({quote_identifier(name)} INTEGER)")
    db.execute("INSERT INTO t VALUES (?)", [1])
    assert db.execute("SELECT * FROM t").fetchdf().columns.tolist() == [name]
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


# -- workspaces -----------------------------------------------------------------------------
def test_workspace_lifecycle_and_scoping(db: Database) -> None:
    workspaces.create_workspace(db, "Acme", actor=CLI_ADMIN)
    workspaces.create_workspace(db, "Globex", actor=CLI_ADMIN)
    _insert_response(db, "Acme", 1, nps=10)
    _insert_response(db, "Globex", 2, nps=0)
    acme = filtered_table(duckdb_engine(db), "Acme", "responses").execute()
    assert acme["nps"].tolist() == [10]

    workspaces.rename_workspace(db, "Acme", "Acme Corp", actor=CLI_ADMIN)
    assert workspaces.list_workspaces(db) == ["Acme Corp", "Globex"]
    assert filtered_table(duckdb_engine(db), "Acme Corp", "responses").count().execute() == 1

    workspaces.delete_workspace(db, "Acme Corp", actor=CLI_ADMIN)
    assert workspaces.list_workspaces(db) == ["Globex"]
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "a\x00b"])
def test_bad_workspace_names_are_input_errors(db: Database, name: str) -> None:
    with pytest.raises(InputError):
        workspaces.create_workspace(db, name, actor=CLI_ADMIN)


def test_duplicate_and_missing_workspace(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    with pytest.raises(InputError, match="already exists"):
        workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    with pytest.raises(NotFoundError):
        workspaces.delete_workspace(db, "nope", actor=CLI_ADMIN)
    assert issubclass(InputError, ValueError) and issubclass(InputError, TouchpointError)


# -- filters ----------------------------------------------------------------------------------
def test_filters_apply_dates_inclusive_and_dimensions(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    rows = [
        (1, dt.datetime(2025, 1, 1, 0, 0), "SMB", 10),
        (2, dt.datetime(2025, 1, 31, 23, 59), "SMB", 0),
        (3, dt.datetime(2025, 2, 1, 0, 0), "SMB", 9),
        (4, dt.datetime(2025, 1, 15, 12, 0), "Enterprise", 8),
    ]
    for rid, when, segment, nps in rows:
        _insert_response(db, "w", rid, submitted_at=when, segment=segment, nps=nps)
    f = Filters.make(dt.date(2025, 1, 1), dt.date(2025, 1, 31), segment=["SMB"])
    got = sorted(filtered_table(duckdb_engine(db), "w", "responses", f).execute()["response_id"])
    assert got == [1, 2]


def test_attribute_filter_and_customer_dimension(db: Database) -> None:
    workspaces.create_workspace(db, "w", actor=CLI_ADMIN)
    _insert_response(db, "w", 1, customer_id="c1", nps=10)
    _insert_response(db, "w", 2, customer_id="c2", nps=0)
    insert_attribute(db, "Class", {2: "Eco"}, numeric=False)
    db.execute(
        "INSERT INTO events_base (event_id, workspace, import_id, customer_id, occurred_at,"
        " touchpoint) VALUES (1,'w',1,'c1',TIMESTAMP '2025-01-01','a'),"
        " (2,'w',1,'c2',TIMESTAMP '2025-01-01','b')"
    )
    db.execute(
        "INSERT INTO customers (workspace, import_id, customer_id, segment) "
        "VALUES ('w',1,'c2','SMB')"
    )
    by_attr = filtered_table(
        duckdb_engine(db), "w", "responses", Filters.make(**{"attr:Class": ["Eco"]})
    )
    assert by_attr.execute()["response_id"].tolist() == [2]
    events = filtered_table(duckdb_engine(db), "w", "events", Filters.make(segment=["SMB"]))
    assert events.execute()["touchpoint"].tolist() == ["b"]


def test_filters_query_param_round_trip_and_errors() -> None:
    f = Filters.make(
        dt.date(2025, 3, 1), None, persona=["Busy Parent"], **{"attr:Plan": ["Fibre 500"]}
    )
    params = f.to_query_params()
    assert params == {"from": "2025-03-01", "attr:Plan": ["Fibre 500"], "persona": ["Busy Parent"]}
    assert Filters.from_query_params(params | {"workspace": "demo", "utm": "x"}) == f
    with pytest.raises(InputError, match="not a date"):
        Filters.from_query_params({"from": "yesterday"})
    assert Filters().describe() == "all data"
    assert hash(f) == hash(Filters.from_query_params(params))
    # A range typed backwards (a link edited by hand) is the same range.
    backwards = Filters.from_query_params({"from": "2018-05-01", "to": "2018-02-01"})
    assert (backwards.date_from, backwards.date_to) == (dt.date(2018, 2, 1), dt.date(2018, 5, 1))


def test_filters_compile_to_another_dialect(db: Database) -> None:
    expr = filtered_table(duckdb_engine(db), "w", "responses", Filters.make(segment=["SMB"]))
    sql = ibis.to_sql(expr, dialect="trino")
    assert "segment" in sql and "'SMB'" in sql


# -- formats ----------------------------------------------------------------------------------
def test_number_formats() -> None:
    assert format_nps(-4.6, 3.2, 55) == "-5 ±3 (n=55)"
    assert format_nps(0.2, 1.0, 1000) == "0 ±1 (n=1,000)"
    assert format_percent(None, 0) == "— (n=0)"
    assert format_mean(float("nan")) == "—"
    assert is_low_confidence(29) and not is_low_confidence(30)


# -- exports ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+1", "+1", "-cmd", "@SUM(A1)"])
def test_formula_cells_are_neutralised(text: str) -> None:
    assert neutralise_cell(text) == "'" + text
    frame = pd.DataFrame({"comment": [text, "fine"], "nps": [-5, 10]})
    csv_back = pd.read_csv(io.BytesIO(frame_to_csv_bytes(frame)))
    assert csv_back["comment"].tolist() == ["'" + text, "fine"]
    assert csv_back["nps"].tolist() == [-5, 10]
    sheet = openpyxl.load_workbook(io.BytesIO(frame_to_xlsx_bytes(frame))).active
    assert sheet["A2"].value == "'" + text and sheet["B2"].value == -5


# -- graph adapter --------------------------------------------------------------------------
def test_graph_titles_are_html_escaped_labels_are_plain_text() -> None:
    payload = graph_payload([GraphNode("1", XSS, XSS)], [GraphEdge("1", "1", label=XSS, title=XSS)])
    node, edge = payload["nodes"][0], payload["edges"][0]
    assert node["title"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<" not in edge["title"]
    assert node["label"] == XSS  # drawn on a canvas as text, never parsed as HTML
    assert node["font"]["multi"] is False
