"""A corpus of hostile input files, generated on demand (the big ones are never committed).

Used by ``tests/test_hostile_files.py`` (through the CLI and the Import page) and by
``bench/hostile_bench.py`` (time and peak memory per file). Each generator writes one file
into ``folder`` and returns its path.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = "customer_id,nps,comment\n"


def far_cell_xlsx(folder: Path) -> Path:
    """``customer_id, nps`` in A1:B2 and one stray cell at XFD1048576 (4.9 KB)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["A2"], ws["B2"] = "customer_id", "nps", "c1", 9
    ws["XFD1048576"] = "x"
    path = folder / "far_cell.xlsx"
    wb.save(path)
    return path


def zip_bomb_xlsx(folder: Path, inflated_mb: int = 300) -> Path:
    """A valid workbook whose second sheet inflates to ``inflated_mb`` MB of identical rows
    (the first sheet is empty, as in the red-team file)."""
    import io

    import openpyxl

    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.title = "Empty"
    data = wb.create_sheet("Data")
    data["A1"], data["B1"] = "customer_id", "nps"
    wb.save(buffer)
    path = folder / "zip_bomb.xlsx"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                dst.writestr(info, src.read(info))
                continue
            xml = src.read(info).decode()
            head, tail = xml.split("</sheetData>")
            row = '<row><c t="inlineStr"><is><t>c</t></is></c><c><v>9</v></c></row>'
            with dst.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as fh:
                fh.write(head.encode())
                block = (row * 4096).encode()
                for _ in range(inflated_mb * 1024 * 1024 // len(block)):
                    fh.write(block)
                fh.write(("</sheetData>" + tail).encode())
    return path


def wide_csv(folder: Path, columns: int = 2000, rows: int = 100) -> Path:
    """``columns`` columns: an id, an NPS score and few-valued attributes (39 KB for 2,000
    x 1 row; ``rows`` rows of data)."""
    names = ["customer_id", "nps"] + [f"q{i}" for i in range(columns - 2)]
    lines = [",".join(names)]
    for r in range(rows):
        values = [f"c{r}", str(r % 11)] + [str((r + i) % 3) for i in range(columns - 2)]
        lines.append(",".join(values))
    path = folder / f"wide_{columns}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wide_parquet(folder: Path, columns: int = 2000, rows: int = 200) -> Path:
    """The same as :func:`wide_csv`, as Parquet (whose sample once took all the memory)."""
    import pandas as pd

    frame = pd.read_csv(wide_csv(folder, columns, rows), dtype=str)
    path = folder / f"wide_{columns}.parquet"
    frame.to_parquet(path)
    return path


def big_cell_csv(folder: Path, megabytes: int = 10) -> Path:
    """One comment of ``megabytes`` MB in a single cell."""
    path = folder / "big_cell.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("c1,9," + "x" * (megabytes * 1024 * 1024) + "\n")
        fh.write("c2,7,short\n")
    return path


def deep_quoting_csv(folder: Path, depth: int = 20000) -> Path:
    """Doubled quotes thousands deep inside one field, then an unclosed quote."""
    path = folder / "deep_quoting.csv"
    deep = '"' + '""' * depth + "x" + '""' * depth + '"'
    path.write_text(HEADER + f'c1,9,{deep}\nc2,8,"unclosed\nc3,7,fine\n', encoding="utf-8")
    return path


def nul_bytes_csv(folder: Path) -> Path:
    """NUL bytes inside values (and a binary-looking tail)."""
    path = folder / "nul_bytes.csv"
    path.write_bytes(HEADER.encode() + b"c1,9,ab\x00cd\nc2,\x00,x\n" + b"\x00" * 64 + b"\n")
    return path


def mixed_encodings_csv(folder: Path) -> Path:
    """UTF-8 rows, then Windows-1252 rows (read as Windows-1252: the UTF-8 row's accents
    become mojibake, but every row loads)."""
    path = folder / "mixed_encodings.csv"
    body = (
        HEADER.encode()
        + "c1,9,café crème\n".encode()
        + "c2,8,naïve – 5 €\n".encode("cp1252")
        + b"c3,7,plain\n"
    )
    path.write_bytes(body)
    return path


def empty_csv(folder: Path) -> Path:
    """Zero bytes."""
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


CORPUS: dict[str, Callable[[Path], Path]] = {
    "far-cell xlsx": far_cell_xlsx,
    "zip bomb": zip_bomb_xlsx,
    "2,000 columns": wide_csv,
    "10 MB single cell": big_cell_csv,
    "deep quoting": deep_quoting_csv,
    "NUL bytes": nul_bytes_csv,
    "mixed encodings": mixed_encodings_csv,
    "empty file": empty_csv,
}
