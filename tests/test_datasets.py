"""The real public datasets in ../shared/datasets import with no manual mapping (except the
documented ``--set touchpoint=purchase`` for a purchase log without a touchpoint column), with
counts and key values checked against an independent reading of each file (pandas/csv).

Each import runs twice: through the CLI (``python -m cem import``'s ``main``) and through the
page's code path (the uploaded bytes -> ``read_upload`` -> ``detect_mapping`` -> ``import_file``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cem.access.principal import LOCAL_ADMIN
from cem.analytics.attributes import attribute_values
from cem.analytics.engine import duckdb_engine
from cem.cli.main import main
from cem.ingest.load import detect_mapping, import_file, read_upload
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace
from tests.conftest import shared_dataset

pytestmark = pytest.mark.datasets


def _cli(path: Path, kind: str | None, db_path: Path, *extra: str) -> Database:
    """``python -m cem import``; ``kind=None`` leaves the kind to detection."""
    kind_args = ["--kind", kind] if kind else []
    status = main(
        ["import", str(path), "--workspace", "w", *kind_args, "--db", str(db_path), *extra]
    )
    assert status == 0
    return Database(db_path)


def _detect(path: Path) -> dict:  # type: ignore[type-arg]
    """What ``python -m cem detect --format json`` prints for a file."""
    import contextlib
    import io
    import json

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["detect", str(path), "--format", "json"]) == 0
    return json.loads(out.getvalue())


def _page(path: Path, kind: str | None, db: Database, constants: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    ensure_workspace(db, "p")
    upload = read_upload(path.read_bytes(), path.name)
    try:
        mapping = detect_mapping(upload, kind, db, "p")
        kind = mapping.kind
        return import_file(
            db, "p", upload, kind, mapping=mapping, constants=constants, actor=LOCAL_ADMIN
        )
    finally:
        upload.close()


def one(db: Database, sql: str, params: list | None = None):  # type: ignore[no-untyped-def]
    return db.execute(sql, params or []).fetchone()


def attribute(db: Database, kind: str, name: str) -> pd.DataFrame:
    """One attribute's stored values (row_id, num_value, text_value) in workspace 'w'."""
    return attribute_values(duckdb_engine(db), "w", kind, name).to_pandas()


def test_nps_verbatims(tmp_path: Path) -> None:
    path = shared_dataset("nps_verbatims/nps_verbatims.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    scores = pd.to_numeric(df["NPS_SCORE"], errors="coerce").dropna()
    expected_nps = round(100 * ((scores >= 9).sum() - (scores <= 6).sum()) / len(scores), 1)
    assert expected_nps == -24.7 and len(scores) == 2353
    dates = pd.to_datetime(df["CUSTOMER_RESPONSE_DATE"], format="%d/%m/%Y %H:%M")

    db = _cli(path, "responses", tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (2385, 2385, 0)
    n, answered, nps, first, last, no_score = one(
        db,
        "SELECT count(*), count(nps), round(100.0 * (count(*) FILTER (WHERE nps >= 9) - "
        "count(*) FILTER (WHERE nps <= 6)) / count(nps), 1), min(submitted_at), "
        "max(submitted_at), count(*) FILTER (WHERE nps IS NULL AND comment IS NOT NULL) "
        "FROM responses",
    )
    assert (n, answered, nps, no_score) == (2385, 2353, expected_nps, 32)
    assert (first, last) == (dates.min().to_pydatetime(), dates.max().to_pydatetime())
    # Day-first: 01/05/2018 is the 1st of May.
    assert one(db, "SELECT count(*) FROM responses WHERE submitted_at >= '2018-06-21'") == (0,)
    stages = dict(db.execute("SELECT touchpoint, count(*) FROM responses GROUP BY 1").fetchall())
    assert stages == df["SURVEY_SUB_TYPE"].value_counts().to_dict()
    db.close()

    page_db = Database(tmp_path / "p.duckdb")
    result = _page(path, "responses", page_db)
    assert (result.rows_loaded, result.rows_rejected) == (2385, 0)
    assert result.date_formats == {"CUSTOMER_RESPONSE_DATE": "DD/MM/YYYY hh:mm (day-first)"}
    page_db.close()


def test_airline_satisfaction(tmp_path: Path) -> None:
    path = shared_dataset("airline_satisfaction/test.csv")
    df = pd.read_csv(path)
    db = _cli(path, "responses", tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (
        len(df),
        25976,
        0,
    )
    assert one(
        db, "SELECT count(DISTINCT customer_id), count(nps), count(submitted_at) FROM responses"
    ) == (df["id"].nunique(), 0, 0)
    cols = (
        db.execute("SELECT name, dtype, min_value, max_value, zero_means_na FROM attribute_columns")
        .df()
        .set_index("name")
    )
    assert "number" not in cols.index  # the leftover index column is ignored
    ratings = [c for c in df.columns[8:22]]
    assert len(ratings) == 14
    for col in ratings:
        assert cols.loc[col, "dtype"] == "numeric"
        assert cols.loc[col, "zero_means_na"] == bool((df[col] == 0).any()), col
        assert (cols.loc[col, "min_value"], cols.loc[col, "max_value"]) == (
            df[col].min(),
            df[col].max(),
        )
    assert int(cols["zero_means_na"].sum()) == 10
    assert cols.loc["satisfaction", "dtype"] == "text"
    satisfied = (attribute(db, "responses", "satisfaction").text_value == "satisfied").sum()
    assert satisfied == (df["satisfaction"] == "satisfied").sum()
    # Blank "Arrival Delay in Minutes" cells are NULL (no attribute row), not errors.
    delays = attribute(db, "responses", "Arrival Delay in Minutes")
    assert len(delays) == df["Arrival Delay in Minutes"].notna().sum()
    wifi = attribute(db, "responses", "Inflight wifi service").num_value
    assert wifi[wifi > 0].mean() == pytest.approx(
        df.loc[df["Inflight wifi service"] > 0, "Inflight wifi service"].mean()
    )
    db.close()
    page_db = Database(tmp_path / "p.duckdb")
    assert _page(path, "responses", page_db).rows_loaded == 25976
    page_db.close()


def test_telco_churn(tmp_path: Path) -> None:
    path = shared_dataset("telco_churn/Telco-Customer-Churn.csv")
    df = pd.read_csv(path, dtype=str)
    total = pd.to_numeric(df["TotalCharges"].str.strip(), errors="coerce")
    db = _cli(path, "customers", tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (7043, 7043, 0)
    n, churned, revenue_n, revenue = one(
        db,
        "SELECT count(*), count(*) FILTER (WHERE churned), count(revenue), sum(revenue) "
        "FROM customers",
    )
    assert (n, churned, revenue_n) == (7043, 1869, int(total.notna().sum()))
    assert revenue == pytest.approx(total.sum())
    assert one(db, "SELECT count(DISTINCT customer_id) FROM customers") == (7043,)
    senior = attribute(db, "customers", "SeniorCitizen").num_value.sum()
    assert senior == df["SeniorCitizen"].astype(int).sum()
    db.close()
    page_db = Database(tmp_path / "p.duckdb")
    assert _page(path, "customers", page_db).rows_loaded == 7043
    page_db.close()


def test_airbnb_sessions_as_events(tmp_path: Path) -> None:
    path = shared_dataset("airbnb_sessions/airbnb-session-data.txt")
    df = pd.read_csv(path, sep="|", dtype=str, keep_default_na=False)
    db = _cli(path, "events", tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (7756, 7756, 0)
    assert one(
        db, "SELECT count(DISTINCT customer_id), min(occurred_at), max(occurred_at) FROM events"
    ) == (
        630,
        pd.Timestamp(df["ts_min"].min()).to_pydatetime(),
        pd.Timestamp(df["ts_min"].max()).to_pydatetime(),
    )
    # No touchpoint column: the device/app channel is the touchpoint too (documented rule).
    by_channel = dict(db.execute("SELECT channel, count(*) FROM events GROUP BY 1").fetchall())
    assert by_channel == df["dim_device_app_combo"].value_counts().to_dict()
    assert one(db, "SELECT count(*) FROM events WHERE touchpoint <> channel") == (0,)
    assert attribute(db, "events", "did_search").num_value.sum() == 1236
    db.close()
    page_db = Database(tmp_path / "p.duckdb")
    assert _page(path, "events", page_db).rows_loaded == 7756
    page_db.close()


def test_cdnow_purchases_as_events(tmp_path: Path) -> None:
    path = shared_dataset("cdnow_transactions/CDNOW_master.txt")
    with open(path, newline="") as fh:
        lines = [ln.split() for ln in fh.read().splitlines()[1:] if ln.strip()]
    db_path = tmp_path / "a.duckdb"
    # Without a touchpoint the CLI says what to do.
    assert (
        main(["import", str(path), "--workspace", "w", "--kind", "events", "--db", str(db_path)])
        == 2
    )
    db = _cli(path, "events", db_path, "--set", "touchpoint=purchase")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (
        len(lines),
        69659,
        0,
    )
    assert one(
        db,
        "SELECT count(DISTINCT customer_id), min(customer_id), min(occurred_at), "
        "max(occurred_at), count(*) FILTER (WHERE touchpoint = 'purchase') FROM events",
    ) == (
        len({ln[0] for ln in lines}),
        "00001",
        pd.Timestamp("1997-01-01").to_pydatetime(),
        pd.Timestamp("1998-06-30").to_pydatetime(),
        69659,
    )
    value = attribute(db, "events", "dollar_value").num_value
    assert (round(value.sum(), 2), int((value == 0).sum())) == (
        round(sum(float(ln[3]) for ln in lines), 2),
        80,
    )
    db.close()
    page_db = Database(tmp_path / "p.duckdb")
    result = _page(path, "events", page_db, constants={"touchpoint": "purchase"})
    assert result.rows_loaded == 69659
    page_db.close()


def _nps(scores: pd.Series) -> float:
    return round(100 * ((scores >= 9).sum() - (scores <= 6).sum()) / len(scores), 2)


def test_googleforms_survey_kind_nps_and_free_text(tmp_path: Path) -> None:
    path = shared_dataset("googleforms_r_survey_2019/2019 English R Community Survey Responses.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(df.columns)
    r_nps, py_nps, enjoy_r = cols[18], cols[37], cols[17]
    scores = pd.to_numeric(df[r_nps], errors="coerce").dropna()
    assert (len(scores), _nps(scores)) == (1795, 73.98)  # SOURCE.md
    report = _detect(path)
    assert report["kind"] == "responses" and report["roles"]["nps"] == r_nps
    # Free-text answers are comments (one primary, the other searchable); the
    # multiple-choice "primary reason" question is not.
    free_text = {report["roles"]["comment"], *report["comment_fields"]}
    assert free_text == {cols[22], cols[23]}
    assert report["roles"]["submitted_at"] == "Timestamp"
    by_name = {c["name"]: c for c in report["columns"]}
    assert by_name[py_nps]["role"] == "attribute"  # the second NPS question is not merged
    assert by_name[enjoy_r]["role"] == "attribute"  # "enjoy 1-5" is a rating, not CSAT

    db = _cli(path, None, tmp_path / "a.duckdb")
    empty = int(((df.iloc[:, 1:] != "").sum(axis=1) == 0).sum())
    assert empty == 31
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (
        1838,
        1838 - empty,
        empty,
    )
    n, nps, first, last = one(
        db,
        "SELECT count(nps), round(100.0 * (count(*) FILTER (WHERE nps >= 9) - "
        "count(*) FILTER (WHERE nps <= 6)) / count(nps), 2), min(submitted_at), "
        "max(submitted_at) FROM responses",
    )
    assert (n, nps) == (1795, 73.98)
    assert (str(first), str(last)) == ("2019-12-13 09:50:30", "2020-01-09 18:58:43")
    # "NA", "-", "n/a" answers are missing values, not comments.
    text = df[report["roles"]["comment"]].str.strip().str.lower()
    assert one(db, "SELECT count(comment) FROM responses") == (
        int((~text.isin(["", "na", "n/a", "-"])).sum()),
    )
    enjoy = attribute(db, "responses", enjoy_r).num_value
    assert (len(enjoy), round(enjoy.mean(), 3)) == (1798, 4.647)
    python = attribute(db, "responses", py_nps).num_value
    assert (len(python), _nps(python)) == (1015, 2.66)
    fields = db.execute("SELECT name, is_primary FROM comment_fields ORDER BY position").fetchall()
    assert {f[0] for f in fields} == free_text and fields[0][1] is True
    db.close()


def test_surveygizmo_open_text_survey(tmp_path: Path) -> None:
    path = shared_dataset("surveygizmo_jupyter_ux/20160115235816-SurveyExport.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    answered = int((df.iloc[:, 3:] != "").any(axis=1).sum())
    assert (len(df), answered) == (1706, 1092)  # SOURCE.md
    report = _detect(path)
    assert report["kind"] == "responses"
    assert report["roles"]["submitted_at"] == "Date Submitted"
    assert "nps" not in report["roles"] and "csat" not in report["roles"]
    texts = [report["roles"]["comment"], *report["comment_fields"]]
    assert len(texts) >= 20  # ~25 open-text questions are all kept
    assert "How often do you use Jupyter Notebook?" not in texts  # a closed question

    db = _cli(path, None, tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (
        1706,
        1092,
        614,
    )
    assert one(db, "SELECT max(submitted_at) FROM responses")[0] == pd.Timestamp(
        "2016-01-15 11:05:22"
    )
    often = attribute(db, "responses", "How often do you use Jupyter Notebook?").text_value
    assert often.value_counts().to_dict() == {
        "Daily": 530,
        "Weekly": 392,
        "Monthly": 111,
        "Less often than monthly": 58,
    }
    db.close()


def test_googleplay_reviews_comment_rating_and_reply(tmp_path: Path) -> None:
    path = shared_dataset("googleplay_kr_banks/google_play_reviews.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    report = _detect(path)
    assert report["kind"] == "responses"
    roles = report["roles"]
    assert roles["comment"] == "content" and roles["submitted_at"] == "at"
    assert "replyContent" not in (*roles.values(), *report["comment_fields"])
    assert not {"nps", "csat", "ces"} & set(roles)  # star ratings are ratings
    assert roles.get("channel") != "appVersion"
    db = _cli(path, None, tmp_path / "a.duckdb")
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (1323, 1323, 0)
    assert one(db, "SELECT min(submitted_at), max(submitted_at) FROM responses") == (
        pd.Timestamp("2017-04-03 19:22:32").to_pydatetime(),
        pd.Timestamp("2024-07-29 13:02:44").to_pydatetime(),
    )
    assert one(db, "SELECT count(comment) FROM responses") == (int((df["content"] != "").sum()),)
    stars = attribute(db, "responses", "score").num_value
    assert round(stars.mean(), 3) == 2.569  # SOURCE.md
    assert round(100 * (stars >= 4).mean(), 1) == 36.4
    db.close()


def test_helpdesk_tickets_are_events_with_counts_as_attributes(tmp_path: Path) -> None:
    path = shared_dataset("helpdesk_tickets_getsmarter/ticket_data201803.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    report = _detect(path)
    assert report["kind"] == "events"
    roles = report["roles"]
    assert (roles["customer_id"], roles["occurred_at"]) == ("user_id", "created_time")
    by_name = {c["name"]: c["role"] for c in report["columns"]}
    assert by_name["agent_interactions"] == by_name["customer_interactions"] == "attribute"
    # As responses, a count is never NPS and the file has no answer: refused, with the reason.
    db_path = tmp_path / "r.duckdb"
    assert (
        main(["import", str(path), "--workspace", "w", "--kind", "responses", "--db", str(db_path)])
        == 2
    )
    assert one(Database(db_path), "SELECT count(*) FROM workspaces WHERE name = 'w'") == (0,)

    db = _cli(path, None, tmp_path / "a.duckdb")
    blank_created = int((df["created_time"] == "").sum())
    assert blank_created == 45  # SOURCE.md: an event needs its time, these rows are rejected
    assert one(db, "SELECT rows_read, rows_loaded, rows_rejected FROM imports") == (
        14339,
        14339 - 45,
        45,
    )
    kept = df[df["created_time"] != ""]
    assert one(
        db, "SELECT count(DISTINCT customer_id), min(occurred_at), max(occurred_at) FROM events"
    ) == (
        kept["user_id"].nunique(),
        pd.Timestamp("2018-03-01 00:00:00").to_pydatetime(),
        pd.Timestamp("2018-03-31 23:22:00").to_pydatetime(),
    )
    by_channel = dict(db.execute("SELECT channel, count(*) FROM events GROUP BY 1").fetchall())
    assert by_channel == kept["source"].value_counts().to_dict()
    interactions = attribute(db, "events", "customer_interactions").num_value
    assert len(interactions) == int(
        ((kept["customer_interactions"] != "") & (kept["customer_interactions"] != "NA")).sum()
    )  # literal NA cells are blanks, not rejects
    db.close()


def test_every_shared_data_file_is_covered() -> None:
    folder = shared_dataset("").resolve()
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in (".md", ".rda")
    )
    assert files == [
        "airbnb_sessions/airbnb-session-data.txt",
        "airline_satisfaction/test.csv",
        "cdnow_transactions/CDNOW_master.txt",
        "googleforms_r_survey_2019/2019 English R Community Survey Responses.csv",
        "googleplay_kr_banks/google_play_reviews.csv",
        "helpdesk_tickets_getsmarter/ticket_data201803.csv",
        "nps_verbatims/nps_verbatims.csv",
        "surveygizmo_jupyter_ux/20160115235816-SurveyExport.csv",
        "telco_churn/Telco-Customer-Churn.csv",
    ]


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("airbnb_sessions/airbnb-session-data.txt", "events"),
        ("airline_satisfaction/test.csv", "responses"),
        ("cdnow_transactions/CDNOW_master.txt", "events"),
        ("nps_verbatims/nps_verbatims.csv", "responses"),
        ("telco_churn/Telco-Customer-Churn.csv", "customers"),
    ],
)
def test_kind_is_detected(relative: str, kind: str) -> None:
    report = _detect(shared_dataset(relative))
    assert report["kind"] == kind and report["kind_reason"]
