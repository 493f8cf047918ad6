"""Real export formats, as small hand-made fixtures (tests/fixtures/exports): Qualtrics and
SurveyMonkey header rows, a French R export with NA cells, a Spanish Google-Forms workbook,
a ticket export with counts, a review export with UUIDs and a company reply, epoch
placeholder dates, a streaming log, a CRM leads file, bad score cells and mixed dates.

Expected values are computed here with pandas/csv from the same files, never by the code
under test."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from cem.access.principal import LOCAL_ADMIN, Principal, Role
from cem.errors import AccessDenied
from cem.ingest.detect import COMMENT_FIELD, detect_kind
from cem.ingest.explain import detection_report
from cem.ingest.health import Remedies
from cem.ingest.load import detect_mapping, import_file, read_upload
from cem.store.db import Database

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
WS = "acme"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "t.duckdb")


def report(name: str, kind: str | None = None) -> dict:  # type: ignore[type-arg]
    with read_upload(EXPORTS / name) as upload:
        return detection_report(upload, detect_mapping(upload, kind))


def body(name: str, skip: int = 1, delimiter: str = ",") -> pd.DataFrame:
    """The data rows of a fixture (pandas), after ``skip`` header rows; row 1 names them."""
    with open(EXPORTS / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))
    return pd.DataFrame(rows[skip:], columns=rows[0])


def nps_of(values: pd.Series) -> float:
    x = pd.to_numeric(values, errors="coerce").dropna()
    return round(100 * ((x >= 9).sum() - (x <= 6).sum()) / len(x), 1)


def one(db: Database, sql: str) -> tuple:  # type: ignore[type-arg]
    return db.execute(sql).fetchone()


def test_qualtrics_three_header_rows_and_previews(db: Database) -> None:
    data = body("qualtrics_nps.csv", skip=3)
    rep = report("qualtrics_nps.csv")
    assert rep["header_rows"] == 3 and rep["kind"] == "responses"
    q_nps = "How likely are you to recommend Acme to a friend or colleague?"
    assert rep["roles"]["nps"] == q_nps  # names are the question text of row 2
    assert rep["roles"]["comment"] == "What is the main reason for your score?"
    assert rep["roles"]["submitted_at"] == "Recorded Date"
    assert "preview" in [w["code"] for w in rep["warnings"]]

    result = import_file(db, WS, EXPORTS / "qualtrics_nps.csv", actor=LOCAL_ADMIN)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (len(data), 12, 0)
    assert one(db, "SELECT min(source_row) FROM responses") == (4,)  # row 4 is the first answer
    got = one(
        db,
        "SELECT round(100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE "
        "nps <= 6)) / count(nps), 1) FROM responses",
    )[0]
    assert got == nps_of(data["Q1"])
    # One click: exclude the preview response (a row-level reject that says why).
    again = import_file(
        db,
        "other",
        EXPORTS / "qualtrics_nps.csv",
        actor=LOCAL_ADMIN,
        remedies=Remedies(exclude_previews_in="Distribution Channel"),
    )
    assert (again.rows_loaded, again.rows_rejected) == (11, 1)
    assert again.rejects.iloc[0]["row"] == 4 and "preview" in again.rejects.iloc[0]["reason"]


def test_surveymonkey_two_header_rows(db: Database) -> None:
    data = body("surveymonkey.csv", skip=2)
    rep = report("surveymonkey.csv")
    assert rep["header_rows"] == 2
    names = [c["name"] for c in rep["columns"]]
    assert "Which services did you use? – Vaccination" in names  # blank cells continue
    q = "How likely is it that you would recommend our clinic to a friend or colleague?"
    assert rep["roles"]["nps"] == q and rep["roles"]["comment"] == "Any other comments?"
    result = import_file(db, WS, EXPORTS / "surveymonkey.csv", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (len(data), 0)
    assert one(db, "SELECT count(nps), min(submitted_at) FROM responses") == (
        9,
        pd.Timestamp("2024-03-10 10:15").to_pydatetime(),
    )


def test_french_r_export_na_cells_are_blanks(db: Database) -> None:
    data = body("french_nps.csv", delimiter=";")
    rep = report("french_nps.csv")
    score_q = data.columns[2]
    assert rep["roles"]["nps"] == score_q and rep["roles"]["comment"] == "Commentaire"
    assert rep["roles"]["customer_id"] == "id_client"
    result = import_file(db, WS, EXPORTS / "french_nps.csv", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (10, 0)
    answered = int((data[score_q] != "NA").sum())
    assert one(db, "SELECT count(nps), count(comment) FROM responses") == (
        answered,
        int((data["Commentaire"] != "NA").sum()),
    )


def test_spanish_google_forms_workbook_second_sheet(db: Database, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notas"
    notes.append(["Notas"])  # a header, no data
    sheet = book.create_sheet("Respuestas de formulario 1")
    sheet.append(
        [
            "Marca temporal",
            "¿Qué probabilidad hay de que recomiendes nuestra tienda a un amigo?",
            "¿Por qué?",
        ]
    )
    answers = [(10, "Muy buena atención"), (6, "Precios altos"), (9, "Entrega rápida")]
    for k, (score, why) in enumerate(answers):
        sheet.append([f"{k + 1}/3/2024 10:0{k}:00", score, why])
    path = tmp_path / "respuestas.xlsx"
    book.save(path)
    with read_upload(path) as upload:
        assert upload.sheet == "Respuestas de formulario 1"  # the sheet with data
        assert upload.sheets == ["Notas", "Respuestas de formulario 1"]
        mapping = detect_mapping(upload)
    assert mapping.roles["nps"].startswith("¿Qué probabilidad")
    assert mapping.roles["comment"] == "¿Por qué?"
    result = import_file(db, WS, path, actor=LOCAL_ADMIN)
    assert result.rows_loaded == 3
    assert one(db, "SELECT sum(nps) FROM responses") == (25,)


def test_ticket_export_counts_are_never_scores(db: Database) -> None:
    data = body("tickets.csv")
    rep = report("tickets.csv")
    assert rep["kind"] == "events"
    roles = {c["name"]: c["role"] for c in rep["columns"]}
    assert roles["agent_interactions"] == roles["customer_interactions"] == "attribute"
    as_responses = report("tickets.csv", "responses")
    assert not {"nps", "csat", "ces"} & set(as_responses["roles"])
    result = import_file(db, WS, EXPORTS / "tickets.csv", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (len(data), 0)
    assert one(db, "SELECT count(DISTINCT customer_id) FROM events") == (data["user_id"].nunique(),)


def test_review_export_uuid_ids_and_company_reply(db: Database) -> None:
    data = body("reviews.csv")
    rep = report("reviews.csv")
    roles = rep["roles"]
    assert roles["comment"] == "content" and roles["submitted_at"] == "at"
    assert "replyContent" not in (*roles.values(), *rep["comment_fields"])
    assert "reviewId" not in roles.values() and "csat" not in roles
    by_name = {c["name"]: c for c in rep["columns"]}
    assert "reply" in by_name["replyContent"]["reason"]
    result = import_file(db, WS, EXPORTS / "reviews.csv", actor=LOCAL_ADMIN)
    assert result.rows_loaded == len(data)
    assert one(db, "SELECT count(comment) FROM responses") == (len(data),)


def test_epoch_placeholder_dates_warned_and_remedied(db: Database) -> None:
    data = body("epoch_dates.csv")
    placeholders = int((data["Review Date"] == "1970-01-01").sum())
    rep = report("epoch_dates.csv")
    warning = next(w for w in rep["warnings"] if w["code"] == "placeholder_dates")
    assert warning["count"] == placeholders and warning["remedy"] == "placeholder_dates_missing"
    assert "nps" not in rep["roles"]  # a 1-10 "Overall rating" is a rating, not NPS
    kept = import_file(db, WS, EXPORTS / "epoch_dates.csv", actor=LOCAL_ADMIN)
    assert kept.rows_loaded == len(data)
    assert one(db, "SELECT year(min(submitted_at)) FROM responses") == (1970,)  # as chosen
    fixed = import_file(
        db,
        "fixed",
        EXPORTS / "epoch_dates.csv",
        actor=LOCAL_ADMIN,
        remedies=Remedies(placeholder_dates_missing=True),
    )
    assert fixed.rows_loaded == len(data)
    assert db.execute(
        "SELECT count(*) - count(submitted_at), year(min(submitted_at)) FROM responses "
        "WHERE workspace = 'fixed'"
    ).fetchone() == (placeholders, 2023)


def test_viewing_log_profile_start_time_device(db: Database) -> None:
    data = body("viewing_log.csv")
    rep = report("viewing_log.csv")
    assert rep["kind"] == "events"
    roles = rep["roles"]
    assert (roles["customer_id"], roles["occurred_at"]) == ("Profile Name", "Start Time")
    assert "Duration" not in roles.values()  # 0:42:10 is a duration, not a date
    result = import_file(db, WS, EXPORTS / "viewing_log.csv", actor=LOCAL_ADMIN)
    assert result.rows_loaded == len(data)
    assert one(
        db, "SELECT count(DISTINCT customer_id), count(DISTINCT touchpoint) FROM events"
    ) == (
        data["Profile Name"].nunique(),
        data["Device Type"].nunique(),
    )


def test_crm_leads_file(db: Database) -> None:
    data = body("crm_leads.csv")
    rep = report("crm_leads.csv")
    assert rep["kind"] == "customers"
    assert rep["roles"]["customer_id"] == "Lead ID"
    assert rep["roles"]["first_seen"] == "First contact date"
    result = import_file(db, WS, EXPORTS / "crm_leads.csv", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (len(data), 0)
    first = pd.to_datetime(data["First contact date"], format="%d/%m/%Y")
    assert one(db, "SELECT min(first_seen), max(first_seen) FROM customers") == (
        first.min().to_pydatetime(),
        first.max().to_pydatetime(),
    )


def test_header_named_score_keeps_its_role_bad_cells_are_rejects(db: Database) -> None:
    result = import_file(db, WS, EXPORTS / "nps_bad_values.csv", actor=LOCAL_ADMIN)
    assert result.mapping.roles["nps"] == "nps"
    assert (result.rows_loaded, result.rows_rejected) == (5, 5)
    rejected = result.rejects.set_index("row")
    assert set(rejected.loc[[3, 4, 5, 6], "value"]) == {"11", "-1", "ten", "7.5"}
    assert rejected.loc[10, "reason"].startswith("no answer")  # n/a score, blank comment
    assert one(db, "SELECT sum(nps) FROM responses") == (9 + 10 + 3 + 8 + 6,)


def test_mixed_date_formats_per_value(db: Database) -> None:
    result = import_file(db, WS, EXPORTS / "mixed_dates.csv", actor=LOCAL_ADMIN)
    assert result.mapping.roles["submitted_at"] == "date"
    assert (result.rows_loaded, result.rows_rejected) == (6, 1)
    assert result.rejects.iloc[0]["value"] == "not a date"
    got = [r[0] for r in db.execute("SELECT submitted_at FROM responses ORDER BY 1").fetchall()]
    assert [d.strftime("%Y-%m-%d %H:%M") for d in got] == [
        "2024-03-01 00:00",
        "2024-03-02 00:00",
        "2024-03-05 10:00",
        "2024-03-15 14:30",
        "2024-03-20 00:00",
        "2024-03-28 00:00",
    ]
    # The user can also choose the column explicitly (it is not refused).
    again = import_file(
        db, "b", EXPORTS / "mixed_dates.csv", actor=LOCAL_ADMIN, overrides={"submitted_at": "date"}
    )
    assert again.rows_loaded == 6


def test_reused_mapping_is_said_and_keeps_roles(db: Database, tmp_path: Path) -> None:
    first = tmp_path / "march.csv"
    first.write_text("Date,Mark,Remarks\n2024-03-01,9,good service\n2024-03-02,4,slow\n")
    import_file(db, WS, first, actor=LOCAL_ADMIN, overrides={"nps": "Mark"})
    second = tmp_path / "april.csv"
    second.write_text("Date,Mark,Remarks\n2024-04-01,10,great\n2024-04-02,3,bad\n")
    with read_upload(second) as upload:
        mapping = detect_mapping(upload, "responses", db, WS)
    assert mapping.source == "saved" and mapping.saved_from == "march.csv"
    assert "Same columns as march.csv" in mapping.notes[0]
    assert mapping.roles == {"submitted_at": "Date", "nps": "Mark", "comment": "Remarks"}


def test_several_free_text_columns_are_comment_fields(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    rows = ["What did you like?,What should we improve?,Team"]
    likes = [
        "the friendly staff at the desk",
        "quick answers to my questions",
        "clear prices and no surprises",
        "the calm waiting area, nice music",
    ]
    improve = [
        "longer opening hours on Saturday",
        "parking is hard to find nearby",
        "the website booking is confusing",
        "more vegetarian options please",
    ]
    for k in range(4):
        rows.append(f'"{likes[k]}","{improve[k]}",Team {k % 2}')
    path.write_text("\n".join(rows) + "\n")
    with read_upload(path) as upload:
        guesses = {g.column: g.role for g in detect_mapping(upload).guesses}
    assert sorted(guesses.values()) == sorted(["comment", COMMENT_FIELD, "attribute"])
    import_file(db, WS, path, actor=LOCAL_ADMIN)
    fields = db.execute("SELECT name, is_primary FROM comment_fields ORDER BY position").fetchall()
    assert len(fields) == 2 and fields[0][1] is True and fields[1][1] is False


def test_viewer_cannot_import_and_failed_import_leaves_no_workspace(
    db: Database, tmp_path: Path
) -> None:
    viewer = Principal("ann", Role.VIEWER, workspaces=frozenset({WS}))
    with pytest.raises(AccessDenied):
        import_file(db, WS, EXPORTS / "reviews.csv", actor=viewer)
    bad = tmp_path / "x.csv"
    bad.write_text("foo,bar\nred,big\n")
    with pytest.raises(ValueError):
        import_file(db, "new-ws", bad, "responses", actor=LOCAL_ADMIN)
    assert one(db, "SELECT count(*) FROM workspaces WHERE name = 'new-ws'") == (0,)


def test_kind_detection_on_samples() -> None:
    with read_upload(EXPORTS / "tickets.csv") as upload:
        guess = detect_kind(upload.sample)
    assert guess.kind == "events" and "user_id" in guess.reason


def test_cli_detect_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    from cem.cli.main import main

    assert main(["detect", str(EXPORTS / "surveymonkey.csv"), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"kind", "header_rows", "roles", "columns", "warnings"} <= set(out)
    assert out["header_rows"] == 2
    col = out["columns"][0]
    assert set(col) >= {"name", "role", "confidence", "reason"}
    assert all(0.0 <= c["confidence"] <= 1.0 for c in out["columns"])
    assert main(["detect", str(EXPORTS / "surveymonkey.csv")]) == 0
    assert "header rows: 2" in capsys.readouterr().out
