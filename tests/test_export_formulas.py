"""Every CSV/XLSX writer, fed cells full of formula starters, read back with Python's csv
(as a ``,`` and as a ``;`` spreadsheet would split it) and openpyxl: no cell starts a formula.

Writers covered: :mod:`cem.export` (the KPI explorer, drivers, verbatims and theme-impact
downloads, the import rejects CSV and the audit CSV all call it), the journey CSV, and the
CLI's ``--format csv`` of ``kpi``, ``verbatims``, ``themes``, ``events`` and ``audit``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cem.access.principal import CLI_ADMIN
from cem.cli.main import main
from cem.export import frame_to_csv_bytes, frame_to_csv_text, frame_to_xlsx_bytes
from cem.ingest.load import import_file
from cem.journeys.io import journey_to_csv
from cem.journeys.model import Journey, Stage, Touchpoint
from cem.store.db import Database

STARTERS = (
    "=1+1",
    "+1+1",
    "-1+A1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "x\r=1+1",
    "x\n=1+1",
    ";=1+1",
    "ok;=1+1",
    'say "hi";=1',
    "a,=1",
    '=HYPERLINK("http://x","y")',
    "-2",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula_cell(cells: list[str], where: str) -> None:
    for cell in cells:
        if cell.startswith(FORMULA_START):
            assert cell.startswith("-") and _is_number(cell), (where, cell)


def assert_safe_csv(text: str, where: str, rows: int | None = None) -> None:
    """No formula cell when split on ``,`` (honouring quotes) nor on ``;``."""
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=","))
    if rows is not None:
        assert len(parsed) == rows, (where, parsed)
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            assert_no_formula_cell(row, f"{where} split on {delimiter!r}")


def assert_safe_xlsx(content: bytes, where: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert_no_formula_cell([cell.value], where)


def starter_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "=name": list(STARTERS),
            "n": range(len(STARTERS)),
            "delta": [-1.5] * len(STARTERS),
            "when": [dt.datetime(2025, 1, 1)] * len(STARTERS),
        }
    )


def test_export_module_csv_and_xlsx() -> None:
    frame = starter_frame()
    rows = len(frame) + 1
    assert_safe_csv(frame_to_csv_text(frame), "frame_to_csv_text", rows)
    assert_safe_csv(frame_to_csv_bytes(frame).decode("utf-8"), "frame_to_csv_bytes", rows)
    assert_safe_xlsx(frame_to_xlsx_bytes(frame, "=sheet"), "frame_to_xlsx_bytes")
    # Numbers stay numbers; the text is all there behind its quote.
    back = list(csv.DictReader(io.StringIO(frame_to_csv_text(frame), newline="")))
    assert [r["'=name"].replace("'", "") for r in back] == list(STARTERS)
    assert {r["delta"] for r in back} == {"-1.5"}


def test_rejects_csv_of_the_import_page() -> None:
    from cem.ui.ingest.panels import rejects_frame

    rejects = pd.DataFrame(
        {
            "row": range(2, 2 + len(STARTERS)),
            "column": [*STARTERS[:-1], None],
            "value": list(STARTERS),
            "reason": list(STARTERS),
        }
    )
    out = frame_to_csv_bytes(rejects_frame(rejects)).decode("utf-8")
    assert_safe_csv(out, "rejects CSV", len(STARTERS) + 1)


def test_journey_csv() -> None:
    touchpoints = tuple(
        Touchpoint(k, 1, k, name, channel=name, owner=name, description=name, opportunity=name)
        for k, name in enumerate(STARTERS)
    )
    journey = Journey(
        1, "w", "=j", None, None, 1, None, None, (Stage(1, 0, "@stage", 1, touchpoints),)
    )
    assert_safe_csv(journey_to_csv(journey).decode("utf-8"), "journey CSV", len(STARTERS) + 1)


@pytest.fixture(scope="module")
def starter_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose segments, comments, touchpoints and file names are formula starters."""
    folder = tmp_path_factory.mktemp("formulas")
    path = folder / "formulas.duckdb"
    responses = folder / "@responses.csv"
    values = [s.replace("\r", " ").replace("\n", " ") for s in STARTERS]
    complaints = ("the delivery was slow", "my refund never arrived", "support was helpful")
    rows = 6 * len(values)
    pd.DataFrame(
        {
            "customer_id": [f"c{k}" for k in range(rows)],
            "submitted_at": pd.date_range("2025-01-01", periods=rows, freq="D"),
            "nps": [k % 11 for k in range(rows)],
            "segment": [values[k % len(values)] for k in range(rows)],
            "comment": [f"{values[k % len(values)]} {complaints[k % 3]}" for k in range(rows)],
        }
    ).to_csv(responses, index=False)
    events = folder / "=events.csv"
    pd.DataFrame(
        {
            "customer_id": [f"c{k // 2}" for k in range(2 * len(values))],
            "occurred_at": pd.date_range("2025-01-01", periods=2 * len(values), freq="h"),
            "touchpoint": [v for v in values for _ in range(2)][::-1],
        }
    ).to_csv(events, index=False)
    db = Database(path)
    for file, kind in ((responses, "responses"), (events, "events")):
        import_file(db, "acme", str(file), kind, actor=CLI_ADMIN, file_name=file.name)
    db.close()
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["kpi", "--workspace", "acme", "--metric", "nps", "--by", "segment"],
        ["verbatims", "--workspace", "acme", "--format", "csv"],
        ["themes", "--workspace", "acme", "--by", "segment", "--format", "csv"],
        ["events", "transitions", "--workspace", "acme", "--format", "csv"],
        ["events", "paths", "--workspace", "acme", "--format", "csv"],
        ["audit", "--format", "csv"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_cli_csv_output(starter_db: Path, command: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    status = main([*command, "--db", str(starter_db)])
    out = capsys.readouterr().out
    assert status == 0
    assert len(out.splitlines()) > 1, out  # a header and rows: the starters are in it
    assert any(s.strip() in out for s in ("=1+1", "@SUM(A1)", "@responses.csv")), out
    assert_safe_csv(out, " ".join(command[:2]))
