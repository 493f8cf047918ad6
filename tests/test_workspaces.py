"""Workspaces: create, rename, delete, name errors, isolation, summaries, and the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.access.principal import CLI_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import filtered_table
from cem.errors import InputError, NotFoundError
from cem.store.db import Database
from cem.store.workspaces import (
    DEMO_WORKSPACE,
    MAX_NAME_LENGTH,
    create_workspace,
    delete_workspace,
    list_workspaces,
    rename_workspace,
    workspace_exists,
    workspace_summaries,
    workspace_summary,
)
from tests.conftest import OpenPage


def _add_rows(db: Database, workspace: str, n_responses: int, n_events: int = 0) -> None:
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO imports(import_id, workspace, kind, file_name, content_hash, rows_read,"
            " rows_loaded, rows_rejected, created_at) VALUES (nextval('import_id_seq'), ?, "
            "'responses', ?, 'h', ?, ?, 0, ?)",
            [workspace, f"{workspace}.csv", n_responses, n_responses, dt.datetime(2026, 1, 2)],
        )
        for i in range(n_responses):
            cur.execute(
                "INSERT INTO responses_base(response_id, workspace, import_id, customer_id, nps) "
                "VALUES (nextval('row_id_seq'), ?, 1, ?, ?)",
                [workspace, f"c{i}", i % 11],
            )
        for i in range(n_events):
            cur.execute(
                "INSERT INTO events_base(event_id, workspace, import_id, customer_id, occurred_at, "
                "touchpoint) VALUES (nextval('row_id_seq'), ?, 1, ?, ?, 'Shop')",
                [workspace, f"c{i}", dt.datetime(2026, 1, 1) + dt.timedelta(hours=i)],
            )


# -- cem.store.workspaces ---------------------------------------------------------------------------
def test_create_lists_and_trims(db: Database) -> None:
    assert create_workspace(db, "  Acme Retail  ", actor=CLI_ADMIN) == "Acme Retail"
    create_workspace(db, "beta", actor=CLI_ADMIN)
    create_workspace(db, DEMO_WORKSPACE, actor=CLI_ADMIN)
    assert list_workspaces(db) == [DEMO_WORKSPACE, "Acme Retail", "beta"]


@pytest.mark.parametrize("bad", ["", "   ", "a\x07b", "x" * (MAX_NAME_LENGTH + 1)])
def test_bad_names_are_refused(db: Database, bad: str) -> None:
    with pytest.raises(InputError):
        create_workspace(db, bad, actor=CLI_ADMIN)
    assert list_workspaces(db) == []


def test_duplicate_name_is_refused(db: Database) -> None:
    create_workspace(db, "Acme", actor=CLI_ADMIN)
    with pytest.raises(InputError, match="already exists"):
        create_workspace(db, "Acme", actor=CLI_ADMIN)
    create_workspace(db, "Other", actor=CLI_ADMIN)
    with pytest.raises(InputError, match="already exists"):
        rename_workspace(db, "Other", "Acme", actor=CLI_ADMIN)
    assert list_workspaces(db) == ["Acme", "Other"]


def test_rename_moves_the_data(db: Database) -> None:
    create_workspace(db, "Acme", actor=CLI_ADMIN)
    _add_rows(db, "Acme", 3, 2)
    rename_workspace(db, "Acme", "Acme Corp", actor=CLI_ADMIN)
    assert not workspace_exists(db, "Acme")
    summary = workspace_summary(db, "Acme Corp")
    assert (summary.responses, summary.events, summary.imports) == (3, 2, 1)
    with pytest.raises(NotFoundError):
        rename_workspace(db, "nope", "x", actor=CLI_ADMIN)
    with pytest.raises(InputError):
        rename_workspace(db, "Acme Corp", "  ", actor=CLI_ADMIN)


def test_delete_removes_only_that_workspace(db: Database) -> None:
    create_workspace(db, "Acme", actor=CLI_ADMIN)
    create_workspace(db, "Beta", actor=CLI_ADMIN)
    _add_rows(db, "Acme", 4, 3)
    _add_rows(db, "Beta", 2, 1)
    delete_workspace(db, "Acme", actor=CLI_ADMIN)
    assert list_workspaces(db) == ["Beta"]
    for table in ("responses", "events", "imports"):
        rows = db.execute(f"SELECT DISTINCT workspace FROM {table}").fetchall()
        assert rows == [("Beta",)]
    with pytest.raises(NotFoundError):
        delete_workspace(db, "Acme", actor=CLI_ADMIN)


def test_data_is_scoped_by_workspace(db: Database) -> None:
    create_workspace(db, "Acme", actor=CLI_ADMIN)
    create_workspace(db, "Beta", actor=CLI_ADMIN)
    _add_rows(db, "Acme", 5, 4)
    _add_rows(db, "Beta", 2)
    backend = duckdb_engine(db)
    assert filtered_table(backend, "Acme", "responses").count().execute() == 5
    assert filtered_table(backend, "Beta", "responses").count().execute() == 2
    assert filtered_table(backend, "Beta", "events").count().execute() == 0
    assert filtered_table(backend, "Acme", "events").count().execute() == 4


def test_summaries(db: Database) -> None:
    create_workspace(db, "Acme", actor=CLI_ADMIN)
    create_workspace(db, "Empty", actor=CLI_ADMIN)
    _add_rows(db, "Acme", 3, 2)
    by_name = {s.name: s for s in workspace_summaries(db)}
    assert list(by_name) == ["Acme", "Empty"]
    acme = by_name["Acme"]
    assert (acme.responses, acme.events, acme.customers, acme.journeys) == (3, 2, 0, 0)
    assert acme.last_import_file == "Acme.csv"
    assert acme.last_import_at == dt.datetime(2026, 1, 2)
    empty = by_name["Empty"]
    assert (empty.responses, empty.imports, empty.last_import_at) == (0, 0, None)
    with pytest.raises(NotFoundError):
        workspace_summary(db, "nope")


def test_demo_summary(demo_db: Database) -> None:
    summary = workspace_summary(demo_db, DEMO_WORKSPACE)
    counts = {
        t: demo_db.execute(f"SELECT count(*) FROM {t} WHERE workspace = 'demo'").fetchall()[0][0]
        for t in ("responses", "events", "customers")
    }
    assert (summary.responses, summary.events, summary.customers) == (
        counts["responses"],
        counts["events"],
        5000,
    )
    assert summary.imports == 3
    assert summary.last_import_file.startswith("demo: ")


# -- the page ---------------------------------------------------------------------------------


# Note: AppTest drops the entry point's sidebar when switching to a page whose url_path equals
# its file name (app.py gives this page url_path="manage-workspaces" for that reason).
def _page(open_page: OpenPage) -> AppTest:
    at = open_page("pages/workspaces.py")
    assert not at.exception, [e.value for e in at.exception]
    return at


def _current(at: AppTest) -> str:
    """The workspace the page marks as current (the ▶ row of its table)."""
    table = at.dataframe[0].value
    return str(table["Workspace"][list(table[""]).index("▶")])


def _switcher(at: AppTest) -> str:
    return str(at.sidebar.selectbox(key="workspace_switcher").value)


def _listed(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Workspace"])


def test_page_lists_the_demo(app_env: Path, open_page: OpenPage) -> None:
    at = _page(open_page)
    db = Database(app_env)
    n = db.execute("SELECT count(*) FROM responses WHERE workspace = 'demo'").fetchall()[0][0]
    db.close()
    table = at.dataframe[0].value
    assert list(table["Workspace"]) == ["demo"]
    assert int(table["Responses"][0]) == n
    assert int(table["Customers"][0]) == 5000
    assert not at.error


def test_page_creates_and_switches(open_page: OpenPage) -> None:
    at = _page(open_page)
    at.text_input(key="ws_new_name").input("Acme <b>*Retail*</b>")
    at.button(key="ws_create").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.main.error, [e.value for e in at.main.error]
    assert _listed(at) == ["demo", "Acme <b>*Retail*</b>"]
    assert at.query_params["workspace"] == "Acme <b>*Retail*</b>"
    assert _current(at) == "Acme <b>*Retail*</b>"
    assert _switcher(at) == "Acme <b>*Retail*</b>"
    assert "&lt;b&gt;" in at.success[0].value  # the name is shown as text, not as HTML
    assert at.text_input(key="ws_new_name").value == ""
    # The same name again: an error, nothing created.
    at.text_input(key="ws_new_name").input("Acme <b>*Retail*</b>")
    at.button(key="ws_create").click()
    at.run()
    assert "already exists" in at.main.error[0].value
    assert _listed(at) == ["demo", "Acme <b>*Retail*</b>"]
    # An empty name: an error.
    at.text_input(key="ws_new_name").input("   ")
    at.button(key="ws_create").click()
    at.run()
    assert "needs a name" in at.main.error[0].value


def test_page_switches_workspace(open_page: OpenPage, add_workspace: Callable[[str], None]) -> None:
    add_workspace("Beta")
    at = _page(open_page)
    at.selectbox(key="ws_open_select").select("Beta")
    at.button(key="ws_open").click()
    at.run()
    assert not at.exception
    assert at.query_params["workspace"] == "Beta"
    assert _current(at) == "Beta"
    assert _switcher(at) == "Beta"


def test_page_renames(open_page: OpenPage, add_workspace: Callable[[str], None]) -> None:
    add_workspace("Beta")
    at = _page(open_page)
    at.selectbox(key="ws_rename_select").select("Beta")
    at.text_input(key="ws_rename_name").input("Gamma")
    at.button(key="ws_rename").click()
    at.run()
    assert not at.exception and not at.main.error
    assert _listed(at) == ["demo", "Gamma"]
    # The current workspace (demo) stays selected.
    assert _current(at) == "demo"
    assert _switcher(at) == "demo"


def test_page_delete_needs_confirmation(
    open_page: OpenPage, add_workspace: Callable[[str], None]
) -> None:
    add_workspace("Beta")
    at = _page(open_page)
    assert at.button(key="ws_delete").disabled  # nothing chosen yet
    at.selectbox(key="ws_delete_select").select("Beta")
    at.run()
    assert "This cannot be undone" in at.warning[0].value
    assert at.button(key="ws_delete").disabled
    at.text_input(key="ws_delete_confirm").input("beta")  # not the exact name
    at.run()
    assert at.button(key="ws_delete").disabled
    assert _listed(at) == ["demo", "Beta"]
    at.text_input(key="ws_delete_confirm").input("Beta")
    at.run()
    assert not at.button(key="ws_delete").disabled
    at.button(key="ws_delete").click()
    at.run()
    assert not at.exception and not at.main.error
    assert _listed(at) == ["demo"]
    assert "Deleted workspace" in at.success[0].value


def test_page_deletes_current_workspace_and_falls_back(open_page: OpenPage) -> None:
    at = _page(open_page)
    at.selectbox(key="ws_delete_select").select("demo")
    at.run()
    at.text_input(key="ws_delete_confirm").input("demo")
    at.run()
    at.button(key="ws_delete").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.dataframe  # no table when there is no workspace
    assert "no workspace yet" in at.info[0].value.lower()
    assert at.button(key="ws_reload_demo").label == "Load demo data"
    at.button(key="ws_reload_demo").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _listed(at) == ["demo"]
    assert "5,000 customers" in at.success[0].value.replace("\\", "")


def test_page_reloads_demo(app_env: Path, open_page: OpenPage) -> None:
    db = Database(app_env)
    before = db.execute("SELECT count(*) FROM responses WHERE workspace = 'demo'").fetchall()
    db.execute("DELETE FROM responses_base WHERE workspace = 'demo' AND nps = 10")
    db.close()
    at = _page(open_page)
    at.button(key="ws_reload_demo").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    db = Database(app_env)
    after = db.execute("SELECT count(*) FROM responses WHERE workspace = 'demo'").fetchall()
    db.close()
    assert after == before
    assert int(at.dataframe[0].value["Responses"][0]) == before[0][0]
