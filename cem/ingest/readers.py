"""Read uploaded files: sniff what they are, and expose them to DuckDB as text columns.

Supported: delimited text (.csv/.tsv/.txt; comma, semicolon, tab, pipe or whitespace-aligned;
UTF-8, UTF-8 with BOM, UTF-16 with BOM, Latin-1/cp1252), XLSX/XLS (python-calamine; pick the
sheet) and Parquet. The type of a file is decided from its first bytes, not its name.

Every file becomes an :class:`Upload`: its clean column names, a small sample (first rows,
all values as text) for role detection and the preview, and :meth:`Upload.source_sql`,
the SQL ``FROM`` source that yields the columns as VARCHAR ``c0, c1, ...`` in file order.
DuckDB reads the file itself (``read_csv``/``read_parquet``); only XLSX goes through Python
(a workbook is limited to about a million rows). Files that DuckDB cannot decode (cp1252,
Latin-1, UTF-16) are transcoded to a temporary UTF-8 file in 1 MB chunks.

``read_csv``'s arguments cannot be bound as parameters, so the file path is written into
the SQL text with :func:`cem.store.db.sql_string` (quoted as a literal); the column names are
generated (``c0``...), never taken from the file.

>>> import tempfile, os
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "s.csv")
>>> _ = open(path, "w", encoding="utf-8").write("Date;Score\\n13/04/2024;9\\n")
>>> up = read_upload(path, "s.csv")
>>> up.delimiter, up.columns
(';', ['Date', 'Score'])
>>> up.close()
"""

from __future__ import annotations

import atexit
import codecs
import csv
import hashlib
import io
import itertools
import json
import os
import re
import shutil
import tempfile
import time as clock
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cem.errors import FileFormatError
from cem.ingest.limits import (
    Limits,
    check_cell_length,
    check_columns,
    check_rows,
    refuse,
)
from cem.ingest.limits import current as current_limits
from cem.ingest.xlsx_guard import SheetScan, check_zip, scan_sheet, sheet_parts
from cem.store.db import scratch_connection, sql_string

SAMPLE_ROWS = 2000
SAMPLE_CELLS = 200_000  # wide files get fewer sample rows (detection looks at every cell)


def sample_rows(width: int) -> int:
    """Rows in the sample of a file with ``width`` columns: 2,000, fewer for wide files.

    >>> sample_rows(12), sample_rows(2000)
    (2000, 200)
    """
    return max(200, min(SAMPLE_ROWS, SAMPLE_CELLS // max(1, width)))


SNIFF_BYTES = 256 * 1024
SAMPLE_BYTES = 1024 * 1024
CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
SINGLE_COLUMN = "\x1f"  # the unit separator: a one-column file has no delimiter
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "whitespace"}
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab", ".dat", ".psv", ""}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}


@dataclass
class Upload:
    """A file ready to be imported (see the module docstring)."""

    file_name: str
    path: str  # the file DuckDB reads (a transcoded copy for non-UTF-8 text)
    format: str  # 'csv' | 'whitespace' | 'xlsx' | 'parquet'
    columns: list[str]
    sample: pd.DataFrame
    content_hash: str
    size_bytes: int
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    row_count: int | None = None  # known for XLSX and Parquet, else None until imported
    blank_lines_inside: bool = False  # text: a blank line comes before more data
    header_rows: int = 1  # 3 for Qualtrics, 2 for SurveyMonkey (rows of question text)
    header_style: str = ""  # 'Qualtrics' | 'SurveyMonkey' | '' (one header row)
    _frame: pd.DataFrame | None = None  # XLSX data (text), with its sheet row numbers
    _temp_files: list[str] = field(default_factory=list)

    @property
    def described(self) -> str:
        """A short human description: ``CSV, semicolon-delimited, UTF-8``."""
        if self.format == "xlsx":
            return f"Excel workbook, sheet “{self.sheet}”"
        if self.format == "parquet":
            return "Parquet"
        what = "whitespace-aligned text" if self.format == "whitespace" else "delimited text"
        delim = DELIMITER_NAMES.get(self.delimiter or ",", repr(self.delimiter))
        if self.format == "whitespace":
            return f"{what}, {self.encoding}"
        if self.delimiter == SINGLE_COLUMN:
            return f"{what}, one column, {self.encoding}"
        return f"{what}, {delim}-delimited, {self.encoding}"

    def preview(self, rows: int = 10) -> pd.DataFrame:
        """The first ``rows`` rows as text, blanks as empty strings (for display)."""
        return self.sample.head(rows).fillna("").astype(str)

    def column_sql_names(self) -> list[str]:
        """The generated SQL names of the columns, ``c0, c1, ...``."""
        return [f"c{i}" for i in range(len(self.columns))]

    def skipped_blank_rows(self) -> list[int]:
        """The file rows of blank lines the reader skips before more data (text files)."""
        if not self.blank_lines_inside or self.format not in ("csv", "whitespace"):
            return []
        return blank_rows(self.path, quoted=self.format == "csv")

    @property
    def extra_columns(self) -> list[str]:
        """Columns the source has besides ``c0..cN``: ``__row`` (a workbook's own row
        number) or ``__nfields`` (how many fields a whitespace-aligned line has)."""
        return {"xlsx": ["__row"], "whitespace": ["__nfields"]}.get(self.format, [])

    def register(self, cur: Any) -> None:
        """Make in-memory data (XLSX) visible to a DuckDB cursor."""
        if self._frame is not None:
            cur.register("tp_upload_frame", self._frame)

    def source_sql(
        self, *, rejects: tuple[str, str] | None = None, limit: int | None = None
    ) -> str:
        """SQL ``FROM`` source with the columns ``c0..cN`` as VARCHAR (and ``__row`` for
        XLSX). ``rejects`` = (table, scan) names makes DuckDB store malformed CSV rows
        there instead of failing."""
        names = self.column_sql_names()
        lim = f" LIMIT {int(limit)}" if limit is not None else ""
        if self.format == "xlsx":
            return f"(SELECT * FROM tp_upload_frame{lim})"
        if self.format == "parquet":
            cols = ", ".join(f"CAST(#{i + 1} AS VARCHAR) AS {n}" for i, n in enumerate(names))
            return f"(SELECT {cols} FROM read_parquet({sql_string(self.path)}){lim})"
        if self.format == "whitespace":
            parts = ", ".join(f"parts[{i + 1}] AS {n}" for i, n in enumerate(names))
            return (
                f"(SELECT {parts}, len(parts) AS __nfields FROM ("
                f"SELECT string_split_regex(trim(line), '\\s+') AS parts FROM read_csv("
                f"{sql_string(self.path)}, columns={{'line': 'VARCHAR'}}, auto_detect=false, header=false,"
                f" skip=1,"
                f" delim='\\x1f', quote='', escape='', strict_mode=false)"
                f" WHERE trim(line) <> ''){lim})"
            )
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        options = (
            f"{sql_string(self.path)}, columns={columns}, auto_detect=false, header=false, skip=1, "
            f"delim={sql_string(self.delimiter or ',')}, quote='\"', escape='\"', "
            f"null_padding=false, max_line_size={_max_line_size()}"
        )
        if rejects is not None:
            options += (
                f", store_rejects=true, rejects_table={sql_string(rejects[0])}, "
                f"rejects_scan={sql_string(rejects[1])}"
            )
        else:
            options += ", ignore_errors=true"
        offset = f" OFFSET {self.header_rows - 1}" if self.header_rows > 1 else ""
        return f"(SELECT * FROM read_csv({options}){lim}{offset})"

    def close(self) -> None:
        """Remove temporary files made for this upload."""
        for path in self._temp_files:
            try:
                os.unlink(path)
            except OSError:
                pass
        self._temp_files.clear()

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- helpers ---------------------------------------------------------------------------
def _max_line_size() -> int:
    """DuckDB's longest accepted line: 10 MB, more when cells may be longer."""
    return max(10_000_000, 4 * current_limits().max_cell_chars + 1_000_000)


def clean_column_names(raw: list[object]) -> list[str]:
    """Trimmed, unique, non-empty names (blank -> ``Unnamed: i``; repeats get `` (2)``).

    >>> clean_column_names(["", "a", "a", " b "])
    ['Unnamed: 0', 'a', 'a (2)', 'b']
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        text = "" if name is None else str(name).replace("\ufeff", "").strip()
        text = re.sub(r"[\x00-\x1f]", " ", text)
        if not text or text.lower() in {"nan", "none"}:
            text = f"Unnamed: {i}"
        key = text.lower()
        if key in seen:
            seen[key] += 1
            text = f"{text} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(text)
    return out


_SM_RESPONSE = {"response", "open-ended response", "other (please specify)"}


def multi_row_header(
    header: list[object], first: list[list[object]]
) -> tuple[int, str, list[object]]:
    """The extra header rows of the big survey tools, found from their content.

    Returns ``(extra rows, tool, column names)``:

    - Qualtrics: row 2 is the question text, row 3 ``{"ImportId": ...}`` JSON: names are the
      question texts (the short ids where a text is blank);
    - SurveyMonkey: row 2 names the sub-answer (``Response``, ``Open-Ended Response`` or a
      choice) and blank row-1 cells continue the question to their left: names are
      ``question`` or ``question – choice``.

    >>> multi_row_header(["Q1", "Q2"], [["How?", "Why?"], ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}']])
    (2, 'Qualtrics', ['How?', 'Why?'])
    >>> multi_row_header(["Respondent ID", "Pick one", ""], [["", "A", "B"], ["1", "A", ""]])
    (1, 'SurveyMonkey', ['Respondent ID', 'Pick one – A', 'Pick one – B'])
    >>> multi_row_header(["a", "b"], [["1", "2"]])
    (0, '', ['a', 'b'])
    """
    texts = [[("" if v is None else str(v)).strip() for v in row] for row in first]
    head = [("" if v is None else str(v)).strip() for v in header]
    for k, row in enumerate(texts[:2]):
        filled = [v for v in row if v]
        if filled and sum(1 for v in filled if _import_id(v)) >= 0.5 * len(filled):
            question = texts[0] if k == 1 else [""] * len(head)
            names: list[object] = [
                (question[i] if i < len(question) and question[i] else head[i])
                for i in range(len(head))
            ]
            return k + 1, "Qualtrics", names
    if not texts:
        return 0, "", list(header)
    sub = texts[0] + [""] * (len(head) - len(texts[0]))
    blanks = [i for i, h in enumerate(head) if not h]
    says_response = any(v.lower() in _SM_RESPONSE for v in sub)
    continues = bool(blanks) and all(sub[i] for i in blanks) and 0 not in blanks
    if not (says_response or continues) or len(texts) < 2:
        return 0, "", list(header)
    out: list[object] = []
    question = ""
    for i, h in enumerate(head):
        grouped = (i + 1 < len(head) and not head[i + 1]) or not h
        question = h or question
        choice = sub[i]
        if not choice or choice.lower() in _SM_RESPONSE or not grouped:
            out.append(
                question
                if choice.lower() in _SM_RESPONSE or not choice
                else f"{question} – {choice}"
            )
        else:
            out.append(f"{question} – {choice}")
    return 1, "SurveyMonkey", out


def _import_id(text: str) -> bool:
    if not text.startswith("{") or "ImportId" not in text:
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _first_blank_line(chunk: bytes) -> list[int]:
    """Offset in ``chunk`` of the first newline followed by another line end (a blank
    line, LF or CRLF), as a one-item list (empty if none). Looks only at the byte after
    each newline, with numpy: several times faster than ``bytes.find`` on text.

    >>> _first_blank_line(b"a\\nb\\r\\n\\r\\nc"), _first_blank_line(b"a\\nb\\n")
    ([4], [])
    """
    data = np.frombuffer(chunk, dtype=np.uint8)
    newlines = np.flatnonzero(data[:-1] == 10)
    following = data[newlines + 1]
    blank = newlines[(following == 10) | (following == 13)]
    return [int(blank[0])] if len(blank) else []


class _BlankLineWatch:
    """Fed a file's bytes in order, tells whether a blank line comes before more data
    (DuckDB's reader skips blank lines, so the rows after one need renumbering). Trailing
    blank lines, the usual end of an export, do not count."""

    def __init__(self) -> None:
        self._offset = 0
        self._tail = b""
        self._first_blank: int | None = None
        self._last_data = -1
        self.newlines = 0

    def feed(self, chunk: bytes) -> None:
        self.newlines += chunk.count(b"\n")
        if self._first_blank is None:
            # Vectorised over the chunk (no copies), then the seam with the last chunk.
            found = _first_blank_line(chunk)
            seam = self._tail + chunk[:2]
            found += [
                i - len(self._tail) for i in (seam.find(b"\n\n"), seam.find(b"\n\r\n")) if i >= 0
            ]
            if found:
                self._first_blank = self._offset + min(found)
        end = len(chunk)
        while end and chunk[end - 1] in b" \t\r\n" and len(chunk) - end < 64:
            end -= 1
        if end and chunk[end - 1] in b" \t\r\n":  # a long run of blanks: rare
            end = len(chunk.rstrip())
        if end:
            self._last_data = self._offset + end
        self._offset += len(chunk)
        self._tail = chunk[-2:]

    @property
    def blank_inside(self) -> bool:
        return self._first_blank is not None and self._first_blank + 1 < self._last_data


def blank_rows(path: str, quoted: bool = True) -> list[int]:
    """The rows (as a spreadsheet numbers them: the header is row 1) of the blank lines of a
    text file that come before more data. With ``quoted``, a line inside a quoted field
    (an odd number of ``"`` so far) continues its row, as in DuckDB's reader.

    >>> import tempfile
    >>> path = tempfile.mkstemp(suffix=".csv")[1]
    >>> _ = open(path, "w").write('a,b\\n1,"x\\n\\ny"\\n\\n2,z\\n\\n')
    >>> blank_rows(path)
    [3]
    """
    rows: list[int] = []
    row = 0
    inside = False
    last_data = 0
    with open(path, "rb") as fh:
        for line in fh:
            if not inside:
                row += 1
                if not line.strip():
                    rows.append(row)
                else:
                    last_data = row
            if quoted and line.count(b'"') % 2:
                inside = not inside
    return [r for r in rows if r < last_data]


def _hash_and_check_utf8(path: str) -> tuple[str, bool, int, _BlankLineWatch]:
    """sha256, whether the bytes are UTF-8, the size, and what the blank-line watch saw
    (blank lines before more data, line count): one pass over the file."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    watch = _BlankLineWatch()
    ok = True
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
            watch.feed(chunk)
            # ASCII is UTF-8: only other chunks (or a pending multi-byte start) need decoding.
            if ok and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    ok = False
        if ok:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                ok = False
    return digest.hexdigest(), ok, size, watch


def _transcode(path: str, encoding: str, skip: int = 0) -> str:
    """Write a UTF-8 copy of ``path`` decoded as ``encoding``; raise UnicodeDecodeError."""
    fd, out = tempfile.mkstemp(suffix=".csv", prefix="touchpoint-")
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as dst:
            src.seek(skip)
            decoder = codecs.getincrementaldecoder(encoding)()
            while chunk := src.read(CHUNK):
                dst.write(decoder.decode(chunk).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except BaseException:
        os.unlink(out)
        raise
    return out


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head[:8192]:
        return True
    control = sum(1 for b in head[:8192] if b < 9 or 13 < b < 32)
    return control > 0.05 * min(len(head), 8192)


def sniff_delimiter(text: str) -> tuple[str, int]:
    """(delimiter, fields in the header) of a decoded text sample; ``' '`` means
    whitespace-aligned.

    >>> sniff_delimiter("a|b|c\\n1|2,3|4\\n")
    ('|', 3)
    >>> sniff_delimiter(" id  date n\\n 001 19970101  1\\n")
    (' ', 3)
    """
    lines = text.splitlines()
    if len(text) >= SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [ln for ln in lines if ln.strip()][:200]
    if not lines:
        return ",", 0
    best: tuple[float, int, str] = (0.0, 0, ",")
    for delim in DELIMITERS:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        rows = [r for r in rows if r]
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        share = sum(1 for r in rows if len(r) == width) / len(rows)
        if (share, width) > best[:2]:
            best = (share, width, delim)
    if best[0] >= 0.8:
        return best[2], best[1]
    tokens = [len(ln.split()) for ln in lines]
    if tokens[0] > 1 and sum(1 for t in tokens if t == tokens[0]) / len(tokens) >= 0.8:
        return " ", tokens[0]
    if best[1] >= 2:
        return best[2], best[1]
    if tokens[0] > 1 and sum(1 for t in tokens if t == tokens[0]) / len(tokens) >= 0.5:
        return " ", tokens[0]
    # One column: no delimiter at all, so commas inside unquoted text stay in the value.
    return SINGLE_COLUMN, 1


# -- where uploads wait -------------------------------------------------------------------
STASH_PREFIX = "touchpoint-uploads-"
STALE_STASH_SECONDS = 24 * 3600
_stash_dir: str | None = None


def stash_dir() -> str:
    """This process's folder for uploaded files waiting to be imported. It is removed when
    the process exits; folders that a killed process left behind are removed once they are
    a day old. (A browser tab closed mid-import leaves its file here until then.)"""
    global _stash_dir
    if _stash_dir is None or not os.path.isdir(_stash_dir):
        _sweep_stale_stashes()
        _stash_dir = tempfile.mkdtemp(prefix=STASH_PREFIX)
        atexit.register(shutil.rmtree, _stash_dir, True)
    return _stash_dir


def _sweep_stale_stashes() -> None:
    cutoff = clock.time() - STALE_STASH_SECONDS
    for folder in Path(tempfile.gettempdir()).glob(f"{STASH_PREFIX}*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


# -- public ----------------------------------------------------------------------------
def read_upload(
    source: str | os.PathLike[str] | bytes, file_name: str | None = None, sheet: str | None = None
) -> Upload:
    """Open a file (a path, or the bytes of an upload) and sniff it.

    Raises :class:`FileFormatError` with a one-line message when the file is empty, has only
    a header, is binary, is a broken workbook, or has no data.
    """
    temp: list[str] = []
    if isinstance(source, bytes):
        suffix = Path(file_name or "upload").suffix
        fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="touchpoint-upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(source)
        path = tmp
        temp.append(tmp)
    else:
        path = str(source)
    name = file_name or Path(path).name
    try:
        if not os.path.exists(path):
            raise FileFormatError(f"{name}: there is no such file.")
        if os.path.isdir(path):
            raise FileFormatError(f"{name} is a folder, not a file.")
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
        ext = Path(name).suffix.lower()
        if head[:4] == b"PK\x03\x04" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            upload = _read_excel(path, name, sheet)
        elif head[:4] == b"PAR1":
            upload = _read_parquet(path, name)
        elif ext in EXCEL_EXTENSIONS:
            raise FileFormatError(
                f"{name} is not a real Excel workbook (it is not a zip file). Open it in Excel "
                "and save it as .xlsx again, or export it as CSV."
            )
        elif ext == ".parquet":
            raise FileFormatError(f"{name} is not a Parquet file. Export it again or use CSV.")
        else:
            upload = _read_text(path, name, head)
        upload._temp_files.extend(temp)
        return upload
    except BaseException:
        for t in temp:
            try:
                os.unlink(t)
            except OSError:
                pass
        raise


def _read_text(path: str, name: str, head: bytes) -> Upload:
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileFormatError(f"{name} is empty. Choose a file that has a header row and data.")
    temp: list[str] = []
    encoding = "utf-8"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        digest, _, size, _ = _hash_and_check_utf8(path)
        read_path = _transcode(path, "utf-16")
        temp.append(read_path)
        encoding = "UTF-16"
        watch = _BlankLineWatch()
        with open(read_path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                watch.feed(chunk)
    else:
        if _looks_binary(head):
            raise FileFormatError(
                f"{name} does not look like a text file (it contains binary data). "
                "Export your data as CSV, XLSX or Parquet and upload that."
            )
        digest, is_utf8, size, watch = _hash_and_check_utf8(path)
        read_path = path
        if head[:3] == b"\xef\xbb\xbf":
            encoding = "UTF-8 with BOM"
        elif not is_utf8:
            try:
                read_path = _transcode(path, "cp1252")
                encoding = "Windows-1252"
            except UnicodeDecodeError:
                read_path = _transcode(path, "latin-1")
                encoding = "Latin-1"
            temp.append(read_path)
        else:
            encoding = "UTF-8"
    blank_inside = watch.blank_inside
    limits = current_limits()
    try:
        head_bytes, complete = _first_rows_bytes(read_path, limits)
    except BaseException:
        for t in temp:
            os.unlink(t)
        raise
    text = head_bytes.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not complete and text.count("\n") < 2:
        for t in temp:
            os.unlink(t)
        raise refuse(
            f"{name} has a first data row of more than {len(text):,} characters",
            "max_cell_chars",
            f"{limits.max_cell_chars:,} characters per cell",
        )
    data_lines = max(0, watch.newlines + (not text.endswith("\n") and complete) - 1)
    if data_lines > limits.max_rows:
        for t in temp:
            os.unlink(t)
        check_rows(name, data_lines, limits)
    delimiter, _width = sniff_delimiter(text[:SNIFF_BYTES])
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if delimiter == " ":
        header = first_line.split()
        fmt = "whitespace"
    else:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        fmt = "csv"
    if len(header) > limits.max_columns:
        for t in temp:
            os.unlink(t)
        check_columns(name, len(header), limits)
    extra, style, names = 0, "", list(header)
    if fmt == "csv":
        first = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 1, 4))
        extra, style, names = multi_row_header(list(header), first)
    columns = clean_column_names(names)
    upload = Upload(
        file_name=name,
        path=read_path,
        format=fmt,
        header_rows=1 + extra,
        header_style=style,
        columns=columns,
        sample=pd.DataFrame(),
        content_hash=digest,
        size_bytes=size,
        encoding=encoding,
        delimiter=delimiter,
        blank_lines_inside=blank_inside,
        _temp_files=temp,
    )
    try:
        upload.sample = _sample_text(text, upload, complete)
    except BaseException:
        upload.close()
        raise
    if upload.sample.empty:
        upload.close()
        raise FileFormatError(
            f"{name} has a header but no data rows. Export the data again with its rows."
        )
    return upload


def _first_rows_bytes(path: str, limits: Limits) -> tuple[bytes, bool]:
    """The first megabyte of a text file (more when its first data row is longer: up to
    the cell-length limit), and whether that is the whole file."""
    cap = max(SAMPLE_BYTES, 4 * limits.max_cell_chars + SAMPLE_BYTES)
    want = SAMPLE_BYTES
    with open(path, "rb") as fh:
        data = fh.read(want)
        while len(data) == want and data.count(b"\n") < 2 and want < cap:
            more = fh.read(min(want, cap - want))
            if not more:
                break
            data += more
            want = len(data)
        return data, len(data) < want or not fh.read(1)


def _sample_text(text: str, upload: Upload, complete: bool) -> pd.DataFrame:
    """The first rows of a text file, parsed in Python from its first megabyte (the same
    quoting rules as DuckDB's reader: ``"`` quotes, ``""`` escapes). Malformed rows are
    left out of the sample; the import reports them."""
    if not complete:
        cut = text.rfind("\n")
        text = text[: cut + 1] if cut > 0 else text
    width = len(upload.columns)
    limits = current_limits()
    rows: list[list[str | None]] = []
    if upload.format == "whitespace":
        records = (line.split() for line in text.splitlines()[1:] if line.strip())
    else:
        reader = csv.reader(io.StringIO(text), delimiter=upload.delimiter or ",")
        for _ in range(upload.header_rows):
            next(reader, None)
        records = (r for r in reader if r)
    seen = 0
    try:
        for record in records:
            seen += 1
            if len(record) != width:
                continue
            longest = max(map(len, record), default=0)
            if longest > limits.max_cell_chars:
                check_cell_length(upload.file_name, longest, f"row {seen + 1}", limits)
            rows.append([v if v != "" else None for v in record])
            if len(rows) >= sample_rows(width):
                break
    except csv.Error as exc:
        raise FileFormatError(
            f"{upload.file_name} cannot be read as {upload.described}: {exc}"
        ) from exc
    if seen and not rows:
        raise FileFormatError(
            f"{upload.file_name}: no row has the header's {width} fields. Check the delimiter, "
            "or export the file again."
        )
    frame = pd.DataFrame(rows, columns=upload.columns, dtype=object)
    return frame.where(frame.notna(), None)


def _sample(upload: Upload) -> pd.DataFrame:
    """The first rows (all text) with the clean column names."""
    import duckdb

    with scratch_connection() as con:
        upload.register(con)
        names = upload.column_sql_names()
        select = ", ".join(names)
        try:
            frame = con.execute(
                f"SELECT {select} FROM {upload.source_sql(limit=sample_rows(len(names)))}"
            ).df()
        except duckdb.Error as exc:
            raise FileFormatError(
                f"{upload.file_name} cannot be read as {upload.described}: "
                f"{str(exc).splitlines()[0]}"
            ) from exc
    frame.columns = upload.columns
    return frame.astype(object).where(frame.notna(), None)


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
    digest, _, size, _ = _hash_and_check_utf8(path)
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
    frame = pd.DataFrame(body, columns=names, dtype=object)
    frame["__row"] = row_numbers
    sample = frame.head(sample_rows(width))[names].copy()
    sample.columns = columns
    return Upload(
        file_name=name,
        path=path,
        format="xlsx",
        columns=columns,
        sample=sample,
        content_hash=digest,
        size_bytes=size,
        encoding="",
        sheets=sheets,
        sheet=chosen,
        row_count=len(body),
        header_rows=1 + extra,
        header_style=style,
        _frame=frame,
    )


def _read_parquet(path: str, name: str) -> Upload:
    import duckdb

    digest, _, size, _ = _hash_and_check_utf8(path)
    with scratch_connection() as con:
        try:
            rel = con.execute(f"SELECT * FROM read_parquet({sql_string(path)}) LIMIT 0")
            raw = [d[0] for d in rel.description]
            count = con.execute(
                f"SELECT count(*) FROM read_parquet({sql_string(path)})"
            ).fetchone()[0]
        except duckdb.Error as exc:
            raise FileFormatError(
                f"{name} cannot be read as Parquet ({str(exc).splitlines()[0][:120]})."
            ) from exc
    columns = clean_column_names(raw)
    upload = Upload(
        file_name=name,
        path=path,
        format="parquet",
        columns=columns,
        sample=pd.DataFrame(),
        content_hash=digest,
        size_bytes=size,
        encoding="",
        row_count=int(count),
    )
    if not count:
        raise FileFormatError(f"{name} has columns but no rows.")
    upload.sample = _sample(upload)
    return upload
