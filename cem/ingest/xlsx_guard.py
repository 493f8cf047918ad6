"""Look inside an XLSX workbook before reading it: zip-bomb checks and the sheets' real extent.

A workbook is a zip of XML parts. Two hostile shapes take a naive reader down:

- a **zip bomb**: a few KB that inflate to gigabytes. :func:`check_zip` refuses a workbook
  whose parts add up to more than ``max_xlsx_uncompressed_mb`` or inflate more than
  ``max_xlsx_ratio`` times (judged from the zip directory, then enforced while streaming,
  since a directory can lie);
- a **far cell**: one value at ``XFD1048576`` makes a dense reader (python-calamine)
  allocate 16,384 x 1,048,576 cells (half a terabyte) and abort the process.
  :func:`scan_sheet` streams the sheet's XML (never parsing it into a tree) and reports
  the cells that hold values: the sheet's extent, the header row's width and the last row
  with a value under the header. The reader then picks a dense read when the extent is
  small, or a read of only the used range (header width x last row) when it is not.

>>> import io, openpyxl
>>> wb = openpyxl.Workbook(); ws = wb.active
>>> ws["A1"], ws["B1"], ws["A2"], ws["B2"], ws["XFD1048576"] = "id", "nps", "c1", 9, "x"
>>> buffer = io.BytesIO(); wb.save(buffer)
>>> import zipfile
>>> with zipfile.ZipFile(buffer) as zf:
...     scan = scan_sheet(zf, sheet_parts(zf)["Sheet"], "far.xlsx", Limits())
>>> scan.max_row, scan.max_col, scan.header_width, scan.last_row_in_header
(1048576, 16384, 2, 2)
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from array import array
from dataclasses import dataclass
from xml.etree import ElementTree

from cem.ingest.limits import MB, Limits, refuse

_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
# a cell tag without r="..." (its place is implied by the cells before it; rare)
_UNPLACED = re.compile(rb'<(?:\w+:)?c(?=[\s>/])(?![^>]*\br=")[^>]*>')
_CHUNK = 1 << 20
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def column_number(letters: bytes | str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384.

    >>> column_number("A"), column_number("AA"), column_number(b"XFD")
    (1, 27, 16384)
    """
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for ch in text:
        number = number * 26 + (ord(ch) - 64)
    return number


def column_letters(number: int) -> str:
    """``1`` -> ``A``, ``16384`` -> ``XFD``.

    >>> column_letters(1), column_letters(28), column_letters(16384)
    ('A', 'AB', 'XFD')
    """
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def check_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse a workbook whose directory announces a zip bomb (see the module docstring)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MB and info.file_size > limits.max_xlsx_ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise refuse(
                f"{name} looks like a zip bomb (its part {info.filename[:60]} inflates "
                f"{ratio:,.0f} times)",
                "max_xlsx_ratio",
                f"a ratio of {limits.max_xlsx_ratio}",
            )
    if total > limits.max_xlsx_uncompressed_mb * MB:
        raise refuse(
            f"{name} inflates to {total / MB:,.0f} MB of XML",
            "max_xlsx_uncompressed_mb",
            f"{limits.max_xlsx_uncompressed_mb} MB",
        )


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip part of its XML (empty when the zip is not an XLSX workbook)."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG}Relationship")}
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"))
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[sheet.get("name", "")] = posixpath.normpath(path)
    return parts


@dataclass(frozen=True)
class SheetScan:
    """Where a sheet's values are (1-based rows and columns; 0 when the sheet is empty)."""

    max_row: int  # the last row with a value anywhere
    max_col: int  # the last column with a value anywhere
    header_row: int  # the first row with a value
    header_width: int  # the header row's last column with a value
    last_row_in_header: int  # the last row with a value in columns 1..header_width
    cells: int  # cells with a value

    @property
    def extent_cells(self) -> int:
        """Cells a dense reader allocates for the whole sheet (A1 to the far corner)."""
        return self.max_row * self.max_col

    @property
    def used_cells(self) -> int:
        """Cells of the used range: the header's width x down to its last row."""
        return self.last_row_in_header * self.header_width


def scan_sheet(zf: zipfile.ZipFile, part: str, name: str, limits: Limits) -> SheetScan | None:
    """Stream a sheet's XML (bounded by ``max_xlsx_uncompressed_mb``) and locate its values;
    None when its cells carry no ``r`` references (then only the size bound applies)."""
    budget = limits.max_xlsx_uncompressed_mb * MB
    read = 0
    max_row = max_col = cells = 0
    rows = array("l")  # row number of each row that has values, in file order ...
    min_cols = array("l")  # ... and the leftmost column with a value in it
    first_width = 0
    unplaced = 0
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            read += len(chunk)
            if read > budget:
                raise refuse(
                    f"{name}: a sheet inflates to more than {limits.max_xlsx_uncompressed_mb} MB",
                    "max_xlsx_uncompressed_mb",
                    f"{limits.max_xlsx_uncompressed_mb} MB",
                )
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = data[:cut], data[cut:]
            if not cells:
                unplaced += len(_UNPLACED.findall(data))
            for match in _CELL.finditer(data):
                if match.group(3):  # <c r="..." s="1"/>: formatting, no value
                    continue
                col = column_number(match.group(1))
                row = int(match.group(2))
                cells += 1
                max_row = max(max_row, row)
                max_col = max(max_col, col)
                if rows and rows[-1] == row:
                    min_cols[-1] = min(min_cols[-1], col)
                else:
                    rows.append(row)
                    min_cols.append(col)
                if row == rows[0]:
                    first_width = max(first_width, col)
    if not rows:
        return None if unplaced else SheetScan(0, 0, 0, 0, 0, 0)
    header_row = min(rows)
    if header_row != rows[0]:  # rows out of order (rare): widen the header to be safe
        first_width = max_col
    last = max((r for r, c in zip(rows, min_cols, strict=True) if c <= first_width), default=0)
    return SheetScan(max_row, max_col, header_row, first_width, last, cells)


def describe_far_cell(scan: SheetScan) -> str:
    """Where the far corner of a sheet is, for messages: ``XFD1048576``."""
    return f"{column_letters(scan.max_col)}{scan.max_row}"
