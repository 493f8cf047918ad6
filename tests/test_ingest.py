"""Import: every tricky kind of file, validation with row numbers, duplicates, rollback,
saved mappings and the CLI. Fixtures are written by the tests (tests/fixtures holds the
small survey used by the page and browser tests)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import cem.ingest.load as ingest
from cem.access.principal import LOCAL_ADMIN
from cem.analytics.attributes import attribute_values
from cem.analytics.engine import duckdb_engine
from cem.cli.main import main
from cem.errors import DuplicateImportError, FileFormatError, MappingError
from cem.ingest.load import delete_import, detect_mapping, import_file, import_rejects, list_imports
from cem.ingest.readers import read_upload
from cem.store.db import Database
from cem.store.workspaces import ensure_workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WS = "acme"


@pytest.fixture
def ws_db(db: Database) -> Database:
    ensure_workspace(db, WS)
    return db


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(db: Database, sql: str, params: list | None = None) -> list[tuple]:
    return db.execute(sql, params or []).fetchall()


# -- delimiters, encodings ----------------------------------------------------------------
def test_semicolon_day_first_and_decimal_comma(ws_db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.csv",
        "Datum;NPS;Amount\n13/04/2024 10:30;9;12,50\n02/05/2024 08:00;6;1.234,00\n",
    )
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert result.date_formats == {"Datum": "DD/MM/YYYY hh:mm (day-first)"}
    assert rows(ws_db, "SELECT submitted_at, nps FROM responses ORDER BY source_row") == [
        (dt.datetime(2024, 4, 13, 10, 30), 9),
        (dt.datetime(2024, 5, 2, 8, 0), 6),
    ]
    amounts = attribute_values(duckdb_engine(ws_db), WS, "responses", "Amount").to_pandas()
    assert sorted(amounts.num_value) == [12.5, 1234.0]


def test_month_first_is_detected_from_a_second_part_above_12(
    ws_db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "m.csv", "Date,Score\n04/13/2024,9\n05/02/2024,7\n")
    result = import_file(
        ws_db, WS, path, "responses", overrides={"nps": "Score"}, actor=LOCAL_ADMIN
    )
    assert "month-first" in result.date_formats["Date"]
    assert rows(ws_db, "SELECT submitted_at FROM responses ORDER BY source_row") == [
        (dt.datetime(2024, 4, 13),),
        (dt.datetime(2024, 5, 2),),
    ]


def test_ambiguous_dates_use_the_day_first_default_and_say_so(
    ws_db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.csv", "Date,NPS\n03/04/2024,9\n05/06/2024,7\n")
    with read_upload(path) as up:
        mapping = detect_mapping(up, "responses")
    assert mapping.date_formats["Date"].ambiguous
    assert any("day-first" in note for note in mapping.notes)
    import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert rows(ws_db, "SELECT submitted_at FROM responses ORDER BY source_row")[0] == (
        dt.datetime(2024, 4, 3),
    )


@pytest.mark.parametrize(("name", "delim"), [("t.tsv", "\t"), ("p.txt", "|"), ("c.csv", ",")])
def test_tab_pipe_comma(ws_db: Database, tmp_path: Path, name: str, delim: str) -> None:
    lines = ["customer_id", "created_at", "event", "device"]
    body = [
        ["c1", "2024-01-01 10:00:00", "search", "Mozilla/5.0 (X11; Linux)"],
        ["c2", "2024-01-02 11:00:00", "booking", "iPhone, iOS"],
    ]
    text = delim.join(lines) + "\n"
    for row in body:
        text += delim.join(f'"{v}"' if delim in v else v for v in row) + "\n"
    path = write(tmp_path, name, text)
    result = import_file(ws_db, WS, path, "events", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    assert rows(ws_db, "SELECT customer_id, touchpoint, channel FROM events ORDER BY 1") == [
        ("c1", "search", "Mozilla/5.0 (X11; Linux)"),
        ("c2", "booking", "iPhone, iOS"),
    ]


def test_whitespace_aligned_crlf_zero_padded_ids(ws_db: Database, tmp_path: Path) -> None:
    text = (
        " customer_id  date number_of_cds  dollar_value\r\n"
        " 00001 19970101  1   11.77\r\n"
        " 00002 19970112  5   77.00\r\n"
        " 00003 19970102  2\r\n"
    )
    path = write(tmp_path, "cd.txt", text)
    result = import_file(
        ws_db, WS, path, "events", constants={"touchpoint": "purchase"}, actor=LOCAL_ADMIN
    )
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(ws_db, "SELECT customer_id, occurred_at, touchpoint FROM events ORDER BY 1") == [
        ("00001", dt.datetime(1997, 1, 1), "purchase"),
        ("00002", dt.datetime(1997, 1, 12), "purchase"),
    ]
    assert result.rejects.iloc[0]["row"] == 4
    assert result.rejects.iloc[0]["reason"] == "row 4 has 3 fields, the header has 4"


def test_utf8_bom(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfcustomerID,Churn\nA1,Yes\nA2,No\n")
    with read_upload(path) as up:
        assert up.columns == ["customerID", "Churn"]
        assert up.encoding == "UTF-8 with BOM"
    result = import_file(ws_db, WS, path, "customers", actor=LOCAL_ADMIN)
    assert result.rows_loaded == 2
    assert rows(ws_db, "SELECT customer_id, churned FROM customers ORDER BY 1") == [
        ("A1", True),
        ("A2", False),
    ]


def test_cp1252_text_is_transcoded(ws_db: Database, tmp_path: Path) -> None:
    text = "Comment,NPS\nCafé was great £5 – it’s fine,9\nNaïve,3\n"
    path = write(tmp_path, "w.csv", text, encoding="cp1252")
    with read_upload(path) as up:
        assert up.encoding == "Windows-1252"
    import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert rows(ws_db, "SELECT comment FROM responses ORDER BY source_row") == [
        ("Café was great £5 – it’s fine",),
        ("Naïve",),
    ]


def test_latin1_only_bytes(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("Comment,NPS\nAçaí \x81ok,9\n".encode("latin-1"))
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.rows_loaded == 1
    assert rows(ws_db, "SELECT comment FROM responses")[0][0].startswith("Açaí")


# -- workbooks, parquet ---------------------------------------------------------------------
def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    other = wb.create_sheet("Survey")
    other.append(["Submitted", "NPS", "Comment", "Serial day"])
    other.append([dt.datetime(2024, 3, 1, 9, 30), 9, "Good", 45352])
    other.append([dt.date(2024, 3, 2), 11, "Too high", 45353])
    other.append([None, None, None, None])
    other.append([dt.datetime(2024, 3, 4), 4, "Meh", 45355])
    for cell in other["A"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    wb.save(path)


def test_xlsx_sheet_choice_dates_and_row_numbers(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    _workbook(path)
    with pytest.raises(FileFormatError, match="no data in sheet “Notes”"):
        read_upload(path, sheet="Notes")
    with read_upload(path) as up:  # the first sheet with data
        assert up.sheets == ["Notes", "Survey"] and up.sheet == "Survey"
    result = import_file(ws_db, WS, path, "responses", sheet="Survey", actor=LOCAL_ADMIN)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    # The blank sheet row 4 is skipped; the reject names the sheet's own row 3.
    assert list(result.rejects[["row", "column"]].itertuples(index=False, name=None)) == [
        (3, "NPS")
    ]
    assert rows(ws_db, "SELECT source_row, submitted_at FROM responses ORDER BY 1") == [
        (2, dt.datetime(2024, 3, 1, 9, 30)),
        (5, dt.datetime(2024, 3, 4)),
    ]


def test_xlsx_report_title_lines_above_the_table(ws_db: Database, tmp_path: Path) -> None:
    """A report's title, "generated by" line and blank row sit above its header: the header
    is row 4, the rows keep the sheet's numbers, the total line below is a reject."""
    path = tmp_path / "report.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["Customer Feedback Report — Q2 2024"])
    sheet.append(["Generated 2024-07-01 by Shopkeeper POS"])
    sheet.append([])
    sheet.append(["Date", "Customer", "How likely are you to recommend our shop?", "Till"])
    sheet.append([dt.date(2024, 4, 1), "C-1", 9, "Till 1"])
    sheet.append([dt.date(2024, 4, 2), "C-2", 3, "Till 2"])
    sheet.append(["Total responses", 2])
    wb.save(path)
    with read_upload(path) as up:
        assert up.columns[:2] == ["Date", "Customer"]
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.mapping.roles["nps"] == "How likely are you to recommend our shop?"
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert rows(ws_db, "SELECT source_row, nps FROM responses ORDER BY 1") == [(5, 9), (6, 3)]
    assert list(result.rejects["row"]) == [7]


def test_csv_report_title_lines_above_the_header(ws_db: Database, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A titled sheet saved as CSV ("Report,,," lines and a blank one above the header):
    the header is line 4, rows keep the file's numbers (a blank line inside counted), and
    the CLI names no column for a whole-row reject."""
    from cem.cli.main import main

    path = write(
        tmp_path,
        "titled.csv",
        "Customer Feedback Report - Q2 2024,,,\nGenerated 2024-07-01,,,\n,,,\n"
        "Date,Customer,How likely are you to recommend our shop?,Comments\n"
        "2024-04-01,C-1,9,Friendly and fast service today\n"
        "2024-04-02,C-2,11,Card machine was down again\n\n"
        "2024-04-03,C-3,4,Could not find gluten free bread\nTotal,,,\n",
    )
    with read_upload(path) as up:
        assert (up.title_rows, up.columns[0]) == (3, "Date")
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.mapping.roles["nps"] == "How likely are you to recommend our shop?"
    assert rows(ws_db, "SELECT source_row, nps FROM responses ORDER BY 1") == [(5, 9), (8, 4)]
    assert sorted(result.rejects["row"]) == [6, 9]
    argv = ["import", str(path), "--workspace", "cli", "--db", str(tmp_path / "cli.duckdb")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "row 9: no answer" in out and "nan" not in out


def test_excel_serial_dates_in_a_date_column(ws_db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "serial.csv", "Date,NPS\n45352,9\n45353.5,8\n")
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.date_formats == {"Date": "Excel serial day number"}
    assert rows(ws_db, "SELECT submitted_at FROM responses ORDER BY source_row") == [
        (dt.datetime(2024, 3, 1),),
        (dt.datetime(2024, 3, 2, 12, 0),),
    ]


def test_parquet(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"]),
            "nps": [10, 3],
            "segment": ["SMB", "Enterprise"],
        }
    ).to_parquet(path)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.rows_loaded == 2
    assert rows(ws_db, "SELECT submitted_at, nps, segment FROM responses ORDER BY nps") == [
        (dt.datetime(2024, 1, 2, 11), 3, "Enterprise"),
        (dt.datetime(2024, 1, 1, 10), 10, "SMB"),
    ]


# -- files that are not what they claim ----------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n \r\n", "is empty"),
        ("header.csv", b"Date,NPS,Comment\n", "has a header but no data rows"),
        ("junk.csv", bytes(range(256)) * 20, "does not look like a text file"),
        ("fake.xlsx", b"Date,NPS\n2024-01-01,9\n", "is not a real Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04garbage" * 10, "cannot be opened as an Excel workbook"),
    ],
)
def test_bad_files_get_one_line_messages(
    ws_db: Database, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert rows(ws_db, "SELECT count(*) FROM imports") == [(0,)]


def test_empty_workbook(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(FileFormatError, match="has no data in any sheet"):
        import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)


def test_ragged_rows_are_rejected_with_their_row_numbers(ws_db: Database, tmp_path: Path) -> None:
    text = "Date,NPS,Comment\n2024-01-01,9,ok\n2024-01-02,8\n2024-01-03,7,a,b\n2024-01-04,6,x\n"
    path = write(tmp_path, "r.csv", text)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2)
    assert list(result.rejects["reason"]) == [
        "row 3 has 2 fields, the header has 3",
        "row 4 has 4 fields, the header has 3",
    ]
    # Rows after the skipped lines keep their true numbers.
    assert rows(ws_db, "SELECT source_row, nps FROM responses ORDER BY 1") == [(2, 9), (5, 6)]


def test_blank_lines_keep_the_file_row_numbers(ws_db: Database, tmp_path: Path) -> None:
    """DuckDB's reader skips blank lines; rejects and source rows still name the row a
    spreadsheet shows (a quoted comment spanning a blank line is one row)."""
    text = (
        "Date,NPS,Comment\r\n"
        "2024-01-01,9,ok\r\n"
        "\r\n"
        '2024-01-02,12,"two\r\n\r\nparagraphs"\r\n'
        "\r\n"
        "\r\n"
        "2024-01-03,x,slow\r\n"
        "2024-01-04,8\r\n"
        "2024-01-05,7,fine\r\n"
        "\r\n"
    )
    path = write(tmp_path, "blanks.csv", text)
    result = import_file(ws_db, WS, path, "responses", overrides={"nps": "NPS"}, actor=LOCAL_ADMIN)
    rejects = result.rejects[["row", "reason"]].values.tolist()
    assert rejects == [
        [4, "NPS must be a whole number from 0 to 10"],
        [7, "NPS is not a number"],
        [8, "row 8 has 2 fields, the header has 3"],
    ]
    assert rows(ws_db, "SELECT source_row, nps FROM responses ORDER BY 1") == [(2, 9), (9, 7)]


def test_blank_lines_in_whitespace_aligned_text(ws_db: Database, tmp_path: Path) -> None:
    text = " id  date  amount\n 001 19970101 1.5\n\n 002 19970102\n 003 19970103 2\n"
    path = write(tmp_path, "cd.txt", text)
    result = import_file(
        ws_db, WS, path, "events", constants={"touchpoint": "purchase"}, actor=LOCAL_ADMIN
    )
    assert result.rejects[["row", "reason"]].values.tolist() == [
        [4, "row 4 has 2 fields, the header has 3"]
    ]
    assert rows(ws_db, "SELECT source_row, customer_id FROM events ORDER BY 1") == [
        (2, "001"),
        (5, "003"),
    ]


def test_mostly_ragged_file_is_a_file_level_message(ws_db: Database, tmp_path: Path) -> None:
    text = "a,b,c\n1,2\n3,4\n5,6\n7,8,9\n"
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(FileFormatError, match="most rows do not have the header's 3 fields"):
        import_file(ws_db, WS, path, "responses", overrides={"nps": "a"}, actor=LOCAL_ADMIN)


def test_columns_that_fit_no_role(ws_db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "foo,bar\nred,big\nblue,small\n")
    with pytest.raises(MappingError, match="no column was recognised as an answer"):
        import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    with pytest.raises(MappingError, match="customer id, time of the event, touchpoint"):
        import_file(ws_db, WS, path, "events", actor=LOCAL_ADMIN)


# -- validation -----------------------------------------------------------------------------
def test_out_of_range_scores_and_bad_dates_have_exact_rows(ws_db: Database) -> None:
    result = import_file(ws_db, WS, FIXTURES / "survey_small.csv", "responses", actor=LOCAL_ADMIN)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 4, 2)
    got = list(result.rejects[["row", "column", "value", "reason"]].itertuples(index=False))
    assert [tuple(r) for r in got] == [
        (5, "How likely are you to recommend us?", "12", "NPS must be a whole number from 0 to 10"),
        (7, "Response date", "not a date", "not a date in the format DD/MM/YYYY (day-first)"),
    ]
    # Independent check with pandas: the loaded NPS values are the valid ones.
    df = pd.read_csv(FIXTURES / "survey_small.csv")
    valid = df[pd.to_datetime(df["Response date"], format="%d/%m/%Y", errors="coerce").notna()]
    valid = valid[~(valid.iloc[:, 1] > 10)]
    expected = sorted(int(x) for x in valid.iloc[:, 1].dropna())
    assert sorted(r[0] for r in rows(ws_db, "SELECT nps FROM responses WHERE nps IS NOT NULL")) == (
        expected
    )
    stored = import_rejects(ws_db, WS, result.import_id)
    assert list(stored["row"]) == [5, 7]


def test_csat_ces_and_wrong_types(ws_db: Database, tmp_path: Path) -> None:
    text = "CSAT,Customer effort,Comment\n5,7,a\n0,3,b\nabc,2,c\n4,8,d\n,,\n3,1,e\n2,6,f\n"
    path = write(tmp_path, "c.csv", text)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    reasons = [(int(r.row), r.reason) for r in result.rejects.itertuples(index=False)]
    assert reasons == [
        (3, "CSAT must be a whole number from 1 to 5"),
        (4, "CSAT is not a number"),
        (5, "CES must be a whole number from 1 to 7"),
        (6, "no answer: no score, comment, rating or answered question"),
    ]
    assert result.rows_loaded == 3


def test_blank_optional_values_are_not_errors(ws_db: Database, tmp_path: Path) -> None:
    text = "customerID,TotalCharges,MonthlyCharges,Churn\nA,29.85,29.85,No\nB, ,20.00,No\nC,100,50,Yes\n"
    path = write(tmp_path, "t.csv", text)
    result = import_file(ws_db, WS, path, "customers", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert result.mapping.roles["revenue"] == "TotalCharges"
    assert rows(ws_db, "SELECT customer_id, revenue, churned FROM customers ORDER BY 1") == [
        ("A", 29.85, False),
        ("B", None, False),
        ("C", 100.0, True),
    ]


def test_events_missing_required_values(ws_db: Database, tmp_path: Path) -> None:
    text = "user_id,timestamp,action\nu1,2024-01-01 10:00,login\n,2024-01-01 11:00,login\nu3,,x\n"
    path = write(tmp_path, "e.csv", text)
    result = import_file(ws_db, WS, path, "events", actor=LOCAL_ADMIN)
    assert [(int(r.row), r.reason) for r in result.rejects.itertuples(index=False)] == [
        (3, "missing customer id"),
        (4, "missing time of the event"),
    ]


def test_missing_tokens_first_seen_after_the_sample_are_blanks(
    ws_db: Database, tmp_path: Path
) -> None:
    """An ``N/A`` or ``null`` first written after the sample (2,000 rows) is still a blank:
    no reject, no "N/A" channel, no lost customer (the reader nulls every spelling)."""
    lines = ["user_id,timestamp,action,channel,NPS"]
    lines += [f"u{i},2024-01-01 10:00,login,web,{i % 11}" for i in range(3000)]
    lines += ["u3000,2024-01-02 10:00,logout,N/A,NA", "null,2024-01-02 11:00,logout,-,9"]
    path = write(tmp_path, "late_tokens.csv", "\n".join(lines) + "\n")
    upload = read_upload(path)
    assert len(upload.sample) == 2000 and not {"N/A", "NA", "null", "-"} & upload.sample.cells()
    result = import_file(ws_db, WS, path, "events", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (3001, 1)
    assert [(int(r.row), r.reason) for r in result.rejects.itertuples(index=False)] == [
        (3003, "missing customer id"),
    ]
    assert rows(ws_db, "SELECT count(channel), count(*) FROM events") == [(3000, 3001)]
    assert rows(ws_db, "SELECT channel FROM events WHERE customer_id = 'u3000'") == [(None,)]


def test_index_column_is_ignored_and_ratings_zero_means_na(ws_db: Database, tmp_path: Path) -> None:
    text = (
        "number,id,Wifi,Seat comfort,Gate,satisfaction\n0,10,0,3,1,satisfied\n"
        "1,11,4,5,2,neutral\n2,12,5,1,5,satisfied\n3,13,2,2,4,neutral\n"
    )
    path = write(tmp_path, "air.csv", text)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.mapping.ignored == ["number"]
    assert result.rows_loaded == 4
    cols = rows(
        ws_db,
        "SELECT name, dtype, min_value, max_value, zero_means_na FROM attribute_columns "
        "ORDER BY name",
    )
    assert result.mapping.roles == {"customer_id": "id"}  # two 1-5 columns: no CSAT guess
    assert cols == [
        ("Gate", "numeric", 1.0, 5.0, False),
        ("Seat comfort", "numeric", 1.0, 5.0, False),
        ("Wifi", "numeric", 0.0, 5.0, True),
        ("satisfaction", "text", None, None, False),
    ]


# -- duplicates, rollback, mappings -------------------------------------------------------
def test_duplicates_error_skip_replace(ws_db: Database) -> None:
    path = FIXTURES / "survey_small.csv"
    first = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    with pytest.raises(DuplicateImportError) as info:
        import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert info.value.import_id == first.import_id
    skipped = import_file(ws_db, WS, path, "responses", on_duplicate="skip", actor=LOCAL_ADMIN)
    assert skipped.skipped_duplicate_of == first.import_id and skipped.rows_loaded == 0
    assert rows(ws_db, "SELECT count(*) FROM responses") == [(4,)]
    replaced = import_file(ws_db, WS, path, "responses", on_duplicate="replace", actor=LOCAL_ADMIN)
    assert replaced.replaced_import_id == first.import_id
    assert rows(ws_db, "SELECT count(*), min(import_id) FROM responses") == [
        (4, replaced.import_id)
    ]
    assert list(list_imports(ws_db, WS)["import_id"]) == [replaced.import_id]
    assert rows(ws_db, "SELECT count(*) FROM import_rejects") == [(2,)]


def test_a_failure_mid_import_rolls_everything_back(
    ws_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_rev = ws_db.data_version(WS)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_record_rejects", boom)
    with pytest.raises(RuntimeError):
        import_file(ws_db, WS, FIXTURES / "survey_small.csv", "responses", actor=LOCAL_ADMIN)
    for table in (
        "responses",
        "attribute_sources",
        "imports",
        "import_rejects",
        "column_mappings",
        "attribute_columns",
    ):
        assert rows(ws_db, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert ws_db.data_version(WS) == before_rev
    monkeypatch.undo()
    result = import_file(ws_db, WS, FIXTURES / "survey_small.csv", "responses", actor=LOCAL_ADMIN)
    assert result.rows_loaded == 4 and ws_db.data_version(WS) == before_rev + 1


def test_saved_mapping_is_reused_for_the_same_columns(ws_db: Database, tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "When,Mark,Words\n2024-01-01,9,good\n")
    b = write(tmp_path, "b.csv", "when,mark,words\n2024-02-01,3,bad\n2024-02-02,4,meh\n")
    first = import_file(ws_db, WS, a, "responses", overrides={"nps": "Mark"}, actor=LOCAL_ADMIN)
    assert first.mapping.roles["nps"] == "Mark"
    with read_upload(b) as up:
        again = detect_mapping(up, "responses", ws_db, WS)
    assert again.source == "saved" and again.roles["nps"] == "mark"
    second = import_file(ws_db, WS, b, "responses", actor=LOCAL_ADMIN)
    assert second.rows_loaded == 2
    assert rows(ws_db, "SELECT nps FROM responses ORDER BY nps") == [(3,), (4,), (9,)]


def test_delete_import(ws_db: Database) -> None:
    result = import_file(ws_db, WS, FIXTURES / "survey_small.csv", "responses", actor=LOCAL_ADMIN)
    delete_import(ws_db, WS, result.import_id, actor=LOCAL_ADMIN)
    tables = ("responses", "attribute_sources", "imports", "import_rejects", "attribute_columns")
    for table in tables:
        assert rows(ws_db, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_bytes_upload_and_progress(ws_db: Database) -> None:
    seen: list[float] = []
    data = (FIXTURES / "survey_small.csv").read_bytes()
    result = import_file(
        ws_db,
        WS,
        data,
        "responses",
        file_name="upload.csv",
        progress=lambda f, m: seen.append(f),
        actor=LOCAL_ADMIN,
    )
    assert result.file_name == "upload.csv" and result.rows_loaded == 4
    assert seen == sorted(seen) and seen[-1] == 1.0


# -- CLI ----------------------------------------------------------------------------------
def test_cli_import_map_and_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "cli.duckdb"
    path = write(tmp_path, "log.csv", "who,when,what\nu1,2024-01-01 10:00,x\nu2,2024-01-02,y\n")
    status = main(
        [
            "import",
            str(path),
            "--workspace",
            "new-ws",
            "--kind",
            "events",
            "--map",
            "customer_id=who",
            "--map",
            "occurred_at=when",
            "--set",
            "touchpoint=purchase",
            "--db",
            str(db_path),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "2 rows loaded, 0 rejected" in out
    db = Database(db_path)
    assert rows(db, "SELECT workspace, customer_id, touchpoint FROM events ORDER BY 2") == [
        ("new-ws", "u1", "purchase"),
        ("new-ws", "u2", "purchase"),
    ]
    db.close()


def test_cli_prints_first_rejects_and_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = str(tmp_path / "cli.duckdb")
    args = [
        "import",
        str(FIXTURES / "survey_small.csv"),
        "--workspace",
        "w",
        "--kind",
        "responses",
        "--db",
        db_path,
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "4 rows loaded, 2 rejected" in out
    assert "row 5, column “How likely are you to recommend us?”" in out
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: survey_small.csv was already imported")
    assert main([*args, "--on-duplicate", "skip"]) == 0
    assert "skipped" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    assert (
        main(["import", str(bad), "--workspace", "w", "--kind", "responses", "--db", db_path]) == 2
    )
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "error: bad.csv is empty. Choose a file that has a header row and data."
    )
    assert main([*args[:-2], "--map", "bogus=x", "--db", db_path]) == 2
    assert "“bogus” is not a role of responses" in capsys.readouterr().err


def test_read_upload_from_bytes_sample_is_text() -> None:
    data = io.BytesIO()
    pd.DataFrame({"a": [1, 2]}).to_csv(data, index=False)
    with read_upload(data.getvalue(), "x.csv") as up:
        assert up.columns == ["a"] and list(up.sample["a"]) == ["1", "2"]


def test_ambiguous_sample_is_settled_by_the_whole_column(ws_db: Database, tmp_path: Path) -> None:
    # The first 2,000 rows (the sample) are all ambiguous; a later row shows month-first.
    body = "".join(f"03/04/2024,{i % 11}\n" for i in range(2100)) + "04/13/2024,9\n"
    path = write(tmp_path, "late.csv", "Date,NPS\n" + body)
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.rows_rejected == 0
    assert "month-first" in result.date_formats["Date"]
    assert rows(ws_db, "SELECT min(submitted_at), max(submitted_at) FROM responses") == [
        (dt.datetime(2024, 3, 4), dt.datetime(2024, 4, 13))
    ]


def test_customer_dates_and_churn_words(ws_db: Database, tmp_path: Path) -> None:
    text = (
        "Customer ID,Signup date,Churned,Churn date,Revenue\n"
        'c1,2023-01-05,yes,2024-02-01,"£1,200.50"\n'
        "c2,2023-02-11,no,,300\n"
        "c3,2023-03-09,maybe,,10\n"
        ",2023-03-10,no,,5\n"
    )
    result = import_file(ws_db, WS, write(tmp_path, "c.csv", text), "customers", actor=LOCAL_ADMIN)
    assert result.mapping.roles == {
        "customer_id": "Customer ID",
        "first_seen": "Signup date",
        "churned": "Churned",
        "churned_at": "Churn date",
        "revenue": "Revenue",
    }
    assert [(int(r.row), r.reason) for r in result.rejects.itertuples(index=False)] == [
        (4, "not a yes/no value"),
        (5, "missing customer id"),
    ]
    assert rows(
        ws_db,
        "SELECT customer_id, first_seen, churned, churned_at, revenue FROM customers ORDER BY 1",
    ) == [
        ("c1", dt.datetime(2023, 1, 5), True, dt.datetime(2024, 2, 1), 1200.5),
        ("c2", dt.datetime(2023, 2, 11), False, None, 300.0),
    ]


def test_one_column_of_comments_keeps_commas(ws_db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", 'Comment\nGreat service\nToo slow, really\n"Said ""hi"""\n')
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert rows(ws_db, "SELECT comment FROM responses ORDER BY source_row") == [
        ("Great service",),
        ("Too slow, really",),
        ('Said "hi"',),
    ]


def test_utf16_with_bom(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("Comment\tNPS\nTrès bien\t10\n".encode("utf-16"))
    with read_upload(path) as up:
        assert (up.encoding, up.delimiter) == ("UTF-16", "\t")
    import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert rows(ws_db, "SELECT comment, nps FROM responses") == [("Très bien", 10)]


def test_customers_file_keeps_one_row_per_customer(ws_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "Customer ID,Segment,Churned,Revenue\nC1,SMB,No,10\nC2,SMB,Yes,20\n"
        "C1,Enterprise,No,30\n,SMB,No,5\nC3,SMB,maybe,1\n",
        encoding="utf-8",
    )
    result = import_file(ws_db, "w", path, "customers", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.rows_rejected) == (2, 3)
    rejects = result.rejects.sort_values("row")
    assert rejects["row"].tolist() == [4, 5, 6]
    assert rejects["reason"].tolist() == [
        "the same customer id is on an earlier row of this file",
        "missing customer id",
        "not a yes/no value",
    ]
    kept = ws_db.execute(
        "SELECT customer_id, segment, revenue FROM customers WHERE workspace = 'w' ORDER BY 1"
    ).fetchall()
    assert kept == [("C1", "SMB", 10.0), ("C2", "SMB", 20.0)]


def test_a_later_customers_file_replaces_earlier_records(ws_db: Database, tmp_path: Path) -> None:
    """Customers re-exported with new churn/revenue replace the earlier rows (and their
    extra columns) instead of counting twice."""
    first = write(
        tmp_path,
        "jan.csv",
        "Customer ID,Churned,Revenue,Favourite store\nC1,No,10,Gold\nC2,No,20,Basic\n",
    )
    second = write(
        tmp_path,
        "feb.csv",
        "Customer ID,Churned,Revenue,Favourite store\nC2,Yes,25,Basic\nC3,No,5,Gold\n",
    )
    import_file(ws_db, WS, first, "customers", actor=LOCAL_ADMIN)
    result = import_file(ws_db, WS, second, "customers", actor=LOCAL_ADMIN)
    assert (result.rows_loaded, result.customers_updated) == (2, 1)
    assert "1 of them replaces a customer loaded before" in result.summary()
    assert rows(ws_db, "SELECT customer_id, churned, revenue FROM customers ORDER BY 1") == [
        ("C1", False, 10.0),
        ("C2", True, 25.0),
        ("C3", False, 5.0),
    ]
    plans = attribute_values(duckdb_engine(ws_db), WS, "customers", "Favourite store").to_pandas()
    assert sorted(zip(plans.row_id, plans.text_value, strict=True)) == [
        ("C1", "Gold"),
        ("C2", "Basic"),
        ("C3", "Gold"),
    ]


def test_upload_stash_folder_is_per_process_and_stale_ones_go(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from cem.ingest import readers

    monkeypatch.setattr(readers.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(readers, "_stash_dir", None)
    stale = tmp_path / f"{readers.STASH_PREFIX}old"
    stale.mkdir()
    (stale / "upload-1.csv").write_text("a\n")
    old = time.time() - readers.STALE_STASH_SECONDS - 60
    os.utime(stale, (old, old))
    fresh = tmp_path / f"{readers.STASH_PREFIX}other-process"
    fresh.mkdir()
    folder = readers.stash_dir()
    assert Path(folder).parent == tmp_path and Path(folder).is_dir()
    assert readers.stash_dir() == folder  # one folder per process
    assert not stale.exists() and fresh.exists()


def test_times_with_a_spaced_utc_offset_load_as_utc(ws_db: Database, tmp_path: Path) -> None:
    """Delighted and Shopify write ``2024-01-01 10:00:00 -0500``: a date read as UTC (it
    once became the comment, free text of digits)."""
    path = write(
        tmp_path,
        "delighted.csv",
        "Response ID,Score,Created At,Comment\n"
        "1,9,2024-01-01 10:00:00 -0500,Quick answer from support\n"
        "2,4,2024-01-02 23:30:00 +0200,Checkout page froze twice\n"
        "3,10,2024-01-03 08:15:00 +0000,Great value for the money\n",
    )
    result = import_file(ws_db, WS, path, "responses", actor=LOCAL_ADMIN)
    assert result.mapping.roles["submitted_at"] == "Created At"
    assert result.mapping.roles["comment"] == "Comment"
    assert "nps" not in result.mapping.roles  # "Score" without NPS wording: a rating
    assert rows(ws_db, "SELECT submitted_at FROM responses ORDER BY source_row") == [
        (dt.datetime(2024, 1, 1, 15, 0),),
        (dt.datetime(2024, 1, 2, 21, 30),),
        (dt.datetime(2024, 1, 3, 8, 15),),
    ]
