"""Reading workbooks (XLSX/XLS with python-calamine): the zip-bomb guard, only the used
range of a sheet, and the first sheet with a header and data rows preselected (every sheet
is offered).
"""

from __future__ import annotations

import zipfile
import zlib
from datetime import date, datetime, time
from typing import Any

from cem.errors import FileFormatError
from cem.ingest.headers import (
    TITLE_SCAN_ROWS,
    clean_column_names,
    header_row_index,
    multi_row_header,
)
from cem.ingest.limits import Limits, check_cell_length, check_columns, check_rows, refuse
from cem.ingest.limits import current as current_limits
from cem.ingest.sample import Sample
from cem.ingest.sniff import hash_file
from cem.ingest.upload import Upload, sample_rows
from cem.ingest.xlsx_guard import SheetScan, check_zip, scan_sheet, sheet_parts


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _guard_workbook(path: str, name: str, limits: Limits) -> dict[str, SheetScan | None]:
    """Zip-bomb checks, then where each sheet's values are (empty for .xls/.ods)."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, name, limits)
            return {
                sheet: scan_sheet(zf, part, name, limits) for sheet, part in sheet_parts(zf).items()
            }
    except zipfile.BadZipFile:  # an old .xls (OLE), or broken: calamine says which
        return {}
    except (KeyError, zlib.error, EOFError) as exc:
        raise FileFormatError(
            f"{name} is a damaged workbook ({str(exc)[:80]}). Save it from Excel as .xlsx "
            "again, or export it as CSV."
        ) from exc


def _sheet_rows(
    workbook: Any, path: str, name: str, sheet: str, scan: SheetScan | None, limits: Limits
) -> list[list[object]]:
    """A sheet's rows from A1, reading only its used range when a stray far cell (or a huge
    declared range) would make a dense read allocate more than ``max_xlsx_cells``."""
    if scan is None or scan.extent_cells <= limits.max_xlsx_cells:
        try:
            ws = workbook.get_sheet_by_name(sheet)
            return [list(r) for r in ws.to_python(skip_empty_area=False)]
        except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
            raise FileFormatError(f"{name}: sheet “{sheet}” cannot be read ({exc}).") from exc
    if scan.used_cells > limits.max_xlsx_cells:
        raise refuse(
            f"{name}: sheet “{sheet}” spans {scan.used_cells:,} cells "
            f"({scan.header_width:,} columns x {scan.last_row_in_header:,} rows)",
            "max_xlsx_cells",
            f"{limits.max_xlsx_cells:,} cells",
        )
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book[sheet].iter_rows(
                min_row=1,
                max_row=scan.last_row_in_header,
                max_col=scan.header_width,
                values_only=True,
            )
            return [list(r) for r in rows]
        finally:
            book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many error types
        raise FileFormatError(f"{name}: sheet “{sheet}” cannot be read ({exc}).") from exc


def _read_excel(path: str, name: str, sheet: str | None) -> Upload:
    limits = current_limits()
    scans = _guard_workbook(path, name, limits) if zipfile.is_zipfile(path) else {}
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        sheets = list(workbook.sheet_names)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types
        raise FileFormatError(
            f"{name} cannot be opened as an Excel workbook ({str(exc).splitlines()[0][:120]}). "
            "Save it from Excel as .xlsx again, or export it as CSV."
        ) from exc
    digest, size = hash_file(path)
    if sheet is not None and sheet not in sheets:
        raise FileFormatError(
            f"{name} has no sheet called “{sheet}”; its sheets are: {', '.join(sheets)}."
        )
    candidates = [sheet] if sheet is not None else sheets
    found: list[tuple[str, list[list[object]], int]] = []
    for candidate in candidates:
        scan = scans.get(candidate)
        if scan is not None and scan.cells == 0:
            continue
        data = _sheet_rows(workbook, path, name, candidate, scan, limits)
        first = next(
            (i for i, r in enumerate(data) if any(_cell_text(v) is not None for v in r)), None
        )
        if first is not None:  # a report's title lines above its table are not the header
            top = [[_cell_text(v) for v in r] for r in data[first : first + TITLE_SCAN_ROWS]]
            first += header_row_index(top) or 0
        if first is None:
            continue
        found.append((candidate, data[first:], first))
        if sheet is None and any(
            any(_cell_text(v) is not None for v in r) for r in data[first + 1 :]
        ):
            break  # the first sheet with a header and data rows is preselected
    if not found:
        where = f"sheet “{sheet}”" if sheet is not None else "any sheet"
        raise FileFormatError(
            f"{name} has no data in {where}. Put a header row and data in a sheet and try again."
        )
    chosen, rows, start_row = found[-1]
    header = rows[0]
    width = max(
        (i + 1 for i, v in enumerate(header) if _cell_text(v) is not None), default=len(header)
    )
    check_columns(name, width, limits)
    check_rows(name, len(rows) - 1, limits)
    extra, style, header_names = multi_row_header(
        [_cell_text(v) for v in header[:width]],
        [[_cell_text(v) for v in r[:width]] for r in rows[1:4]],
    )
    columns = clean_column_names(header_names)
    body: list[list[str | None]] = []
    row_numbers: list[int] = []
    for offset, row in enumerate(rows[1 + extra :], start=2 + extra):
        cells = [_cell_text(v) for v in row[:width]] + [None] * max(0, width - len(row))
        if all(c is None for c in cells):
            continue
        longest = max(len(c) for c in cells if c is not None)
        if longest > limits.max_cell_chars:
            check_cell_length(name, longest, f"row {start_row + offset}", limits)
        body.append(cells)
        row_numbers.append(start_row + offset)
    if not body:
        others = [s for s in sheets if s != chosen]
        raise FileFormatError(
            f"{name}: sheet “{chosen}” has a header but no data rows."
            + (
                f" Choose another sheet ({', '.join(others)})."
                if others
                else " Add rows and try again."
            )
        )
    names = [f"c{i}" for i in range(width)]
    import pandas as pd  # a workbook's rows go to DuckDB as a frame

    frame = pd.DataFrame(body, columns=names, dtype=object)
    frame["__row"] = row_numbers
    sample = Sample.from_rows(columns, body[: sample_rows(width)])
    return Upload(
        file_name=name,
        _path=path,
        format="xlsx",
        columns=columns,
        sample=sample,
        _content_hash=digest,
        size_bytes=size,
        encoding="",
        sheets=sheets,
        sheet=chosen,
        row_count=len(body),
        header_rows=1 + extra,
        title_rows=start_row,  # rows above the header (shown; rows keep their sheet numbers)
        header_style=style,
        _frame=frame,
    )
