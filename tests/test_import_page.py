"""AppTest of the import page: upload through the widget, the mapping is shown, rows load,
rejects are listed, duplicates are offered skip/replace, bad files get one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.store.db import Database
from tests.conftest import OpenPage

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SURVEY = (FIXTURES / "survey_small.csv").read_bytes()


def _page(open_page: OpenPage) -> AppTest:
    at = open_page("pages/import_data.py", workspace="demo")
    assert not at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="import_file").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # drop markdown escapes


def test_upload_shows_roles_and_imports(app_env: Path, open_page: OpenPage) -> None:
    at = _page(open_page)
    assert "Upload a file" in _texts(at)
    _upload(at, "survey_small.csv", SURVEY)
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert dict(zip(roles["column"], roles["role"], strict=True)) == {
        "Response date": "date of the response",
        "How likely are you to recommend us?": "NPS (0-10)",
        "Satisfaction rating": "CSAT (1-5)",
        "Comment": "comment",
        "Channel": "channel",
        "Region": "kept as text (filter)",
    }
    assert roles.set_index("column").loc["How likely are you to recommend us?", "confidence"] == 1
    assert "Detected **responses**" in "\n".join(c.value for c in at.caption)
    assert "Response date → DD/MM/YYYY (day-first)" in _texts(at)
    at.button(key="import_button").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows loaded"] == "4" and metrics["Rows rejected"] == "2"
    rejects = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(rejects["row"]) == [5, 7]
    db = Database(app_env)
    assert db.execute(
        "SELECT count(*) FROM responses WHERE workspace = 'demo' AND import_id = "
        "(SELECT max(import_id) FROM imports WHERE file_name = 'survey_small.csv')"
    ).fetchone() == (4,)
    db.close()

    # The same file again: offered skip or replace, never silently duplicated.
    at.button(key="import_button").click().run()
    assert "already imported" in _texts(at)
    at.button(key="import_replace").click().run()
    assert not at.exception
    assert "replacing import" in _texts(at)


def test_missing_roles_are_explained(open_page: OpenPage) -> None:
    at = _page(open_page)
    data = b"who,when,what\nu1,2024-01-01 10:00,x\nu2,2024-01-02 11:00,y\n"
    _upload(at, "log.csv", data)
    at.radio(key="import_kind").set_value("events").run()
    # No role detected for the customer: before any click, the page says what is missing,
    # in browser words (naming the table's own column heading), and Import waits for it.
    warnings = [w.value for w in at.warning]
    assert any("no column was recognised as the customer id" in w for w in warnings)
    assert any("“Column in the file”" in w for w in warnings)
    assert "--map" not in _texts(at)
    assert at.button(key="import_button").disabled


def test_bad_file_is_one_line(open_page: OpenPage) -> None:
    at = _page(open_page)
    _upload(at, "junk.csv", bytes(range(256)) * 10)
    errors = [e.value for e in at.error]
    assert errors and "does not look like a text file" in errors[0]
    assert "\n" not in errors[0]


def test_size_limit_message(open_page: OpenPage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINT_MAX_UPLOAD_MB", "1")
    at = _page(open_page)
    _upload(at, "big.csv", b"Comment\n" + b"x" * (1024 * 1024 + 10))
    assert any("the limit is 1 MB" in e.value for e in at.error)


def test_delete_an_import_from_the_history(app_env: Path, open_page: OpenPage) -> None:
    at = _page(open_page)
    _upload(at, "survey_small.csv", SURVEY)
    at.button(key="import_button").click().run()
    newest = at.selectbox(key="import_delete_choice").value
    at.checkbox(key="import_delete_confirm").check().run()
    at.button(key="import_delete_button").click().run()
    assert not at.exception
    db = Database(app_env)
    assert db.execute("SELECT count(*) FROM imports WHERE import_id = ?", [newest]).fetchone() == (
        0,
    )
    assert db.execute(
        "SELECT count(*) FROM responses WHERE import_id = ?", [newest]
    ).fetchone() == (0,)
    db.close()


def test_a_second_customers_file_says_what_it_replaced(app_env: Path, open_page: OpenPage) -> None:
    at = _page(open_page)
    head = b"Customer ID,Churned,Revenue\n"
    _upload(at, "jan.csv", head + b"K1,No,10\nK2,No,20\n")
    assert at.radio(key="import_kind").value == "customers"  # detected
    at.button(key="import_button").click().run()
    _upload(at, "feb.csv", head + b"K2,Yes,25\nK3,No,5\n")
    assert "Same columns as **jan.csv**" in _texts(at)  # the reused mapping is said
    at.button(key="import_button").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rows loaded"] == "2"
    assert "1 of these customers was in an earlier import" in _texts(at)
    db = Database(app_env)
    rows = db.execute(
        "SELECT customer_id, churned, revenue FROM customers WHERE workspace = 'demo' "
        "AND customer_id LIKE 'K%' ORDER BY 1"
    ).fetchall()
    db.close()
    assert rows == [("K1", False, 10.0), ("K2", True, 25.0), ("K3", False, 5.0)]


EXPORTS = FIXTURES / "exports"


def test_health_warning_and_one_click_remedy(app_env: Path, open_page: OpenPage) -> None:
    at = _page(open_page)
    _upload(at, "epoch_dates.csv", (EXPORTS / "epoch_dates.csv").read_bytes())
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any("1970-01-01" in w and "placeholder" in w for w in warnings)
    remedy = next(c for c in at.checkbox if c.label == "Treat placeholder dates as missing")
    remedy.check().run()
    at.button(key="import_button").click().run()
    assert not at.exception
    db = Database(app_env)
    got = db.execute(
        "SELECT count(*), count(submitted_at), min(year(submitted_at)) FROM responses "
        "WHERE import_id = (SELECT max(import_id) FROM imports WHERE file_name = ?)",
        ["epoch_dates.csv"],
    ).fetchone()
    db.close()
    assert got == (30, 25, 2023)


def test_survey_tool_header_rows_and_rejects_without_none(open_page: OpenPage) -> None:
    at = _page(open_page)
    _upload(at, "qualtrics.csv", (EXPORTS / "qualtrics_nps.csv").read_bytes())
    assert "3 header rows (Qualtrics export)" in _texts(at)
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    by_column = dict(zip(roles["column"], roles["role"], strict=True))
    assert by_column["How likely are you to recommend Acme to a friend or colleague?"] == (
        "NPS (0-10)"
    )
    assert any("survey previews" in w.value.replace("\\", "") for w in at.warning)
    _upload(at, "bad.csv", (EXPORTS / "nps_bad_values.csv").read_bytes())
    at.button(key="import_button").click().run()
    rejects = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert "None" not in rejects.astype(str).to_numpy().ravel().tolist()
    assert "(whole row)" in set(rejects["column"])


def test_event_log_kind_is_preselected(open_page: OpenPage) -> None:
    at = _page(open_page)
    _upload(at, "viewing.csv", (EXPORTS / "viewing_log.csv").read_bytes())
    assert at.radio(key="import_kind").value == "events"
    at.button(key="import_button").click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Rows loaded"] == "36"


def test_a_0_to_10_column_without_nps_wording_is_asked_about(
    app_env: Path, open_page: OpenPage
) -> None:
    """Delighted's "Score": never NPS by detection; the page asks, one click makes it NPS,
    and the NPS of the loaded rows is the file's (computed with pandas)."""
    import pandas as pd

    path = EXPORTS / "delighted_scores.csv"
    at = _page(open_page)
    _upload(at, "delighted_scores.csv", path.read_bytes())
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert dict(zip(roles["column"], roles["role"], strict=True))["Score"] == "kept as rating 0-10"
    assert "is it your likelihood-to-recommend question" in _texts(at).lower()
    at.button(key="import_confirm_nps_0").click().run()
    assert not at.exception
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert dict(zip(roles["column"], roles["role"], strict=True))["Score"] == "NPS (0-10)"
    assert "likelihood-to-recommend question" not in _texts(at)
    at.button(key="import_button").click().run()
    assert not at.exception
    scores = pd.read_csv(path)["Score"]
    expected = round(100 * ((scores >= 9).mean() - (scores <= 6).mean()), 1)
    db = Database(app_env)
    nps = db.execute(
        "SELECT round(100 * (avg(CAST(nps >= 9 AS INT)) - avg(CAST(nps <= 6 AS INT))), 1) "
        "FROM responses WHERE import_id = (SELECT max(import_id) FROM imports "
        "WHERE file_name = 'delighted_scores.csv')"
    ).fetchone()[0]
    db.close()
    assert nps == expected


def test_a_titled_report_says_where_its_header_is(open_page: OpenPage) -> None:
    at = _page(open_page)
    text = (
        "Customer Feedback Report - Q2 2024,,\n,,\n"
        "Date,How likely are you to recommend our shop?,Comments\n"
        "2024-04-01,9,Friendly and fast service today\n2024-04-02,4,Card machine was down\n"
    )
    _upload(at, "titled.csv", text.encode())
    assert "header on row 3 (the title lines above it skipped)" in _texts(at)
    roles = next(d.value for d in at.dataframe if "confidence" in d.value.columns)
    assert (
        dict(zip(roles["column"], roles["role"], strict=True))[
            "How likely are you to recommend our shop?"
        ]
        == "NPS (0-10)"
    )
