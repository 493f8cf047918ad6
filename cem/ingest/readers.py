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
import csv
import io
import itertools
import os
import shutil
import tempfile
import time as clock
from pathlib import Path

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
from cem.ingest.sniff import (
    CHUNK,
    SINGLE_COLUMN,
    SNIFF_BYTES,
    _BlankLineWatch,
    _hash_and_check_utf8,
    _looks_binary,
    _transcode,
    blank_rows,
    hash_file,
    is_utf8_start,
    sniff_delimiter,
)
from cem.ingest.upload import SAMPLE_ROWS, Upload, sample_rows
from cem.ingest.xlsx import _read_excel
from cem.store.db import scratch_connection, sql_string

__all__ = [
    "SAMPLE_ROWS",
    "SINGLE_COLUMN",
    "Upload",
    "blank_rows",
    "clean_column_names",
    "multi_row_header",
    "read_upload",
    "sample_rows",
    "sniff_delimiter",
    "stash_dir",
]

SAMPLE_BYTES = 1024 * 1024
EAGER_PASS_BYTES = 8 * 1024 * 1024  # smaller text files are read whole at once (a few ms)
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab", ".dat", ".psv", ""}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls"}


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
        upload.read_anchored()
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
    limits = current_limits()
    deferred = False
    digest, blank_inside = "", False
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
        size = os.path.getsize(path)
        read_path = path
        encoding = "UTF-8 with BOM" if head[:3] == b"\xef\xbb\xbf" else "UTF-8"
        deferred = size > EAGER_PASS_BYTES and _start_suffices(path, size, limits)
        if not deferred:
            digest, is_utf8, size, watch = _hash_and_check_utf8(path)
            if not is_utf8:
                read_path, encoding = _transcode_legacy(path)
                temp.append(read_path)
    if not deferred:
        blank_inside = watch.blank_inside
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
    if not deferred:
        data_lines = max(0, watch.newlines + (not text.endswith("\n") and complete) - 1)
        if data_lines > limits.max_rows:
            for t in temp:
                os.unlink(t)
            check_rows(name, data_lines, limits)
    delimiter, _width = sniff_delimiter(text[:SNIFF_BYTES])
    first_line = text.splitlines()[0] if text.splitlines() else ""
    title = 0
    if delimiter == " ":
        header = first_line.split()
        fmt = "whitespace"
    else:
        fmt = "csv"
        title = _title_lines(text, delimiter)
        below_title = _after_lines(text, title)
        header = next(csv.reader(io.StringIO(below_title), delimiter=delimiter), [])
    if len(header) > limits.max_columns:
        for t in temp:
            os.unlink(t)
        check_columns(name, len(header), limits)
    extra, style, names = 0, "", list(header)
    if fmt == "csv":
        below = io.StringIO(below_title)
        first = list(itertools.islice(csv.reader(below, delimiter=delimiter), 1, 4))
        extra, style, names = multi_row_header(list(header), first)
    columns = clean_column_names(names)
    upload = Upload(
        file_name=name,
        _path=read_path,
        format=fmt,
        header_rows=1 + extra,
        title_rows=title,
        header_style=style,
        columns=columns,
        sample=Sample([]),
        _content_hash=digest,
        size_bytes=size,
        encoding=encoding,
        delimiter=delimiter,
        blank_lines_inside=blank_inside,
        _temp_files=temp,
        _whole_file_pass=_whole_text_pass if deferred else None,
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


def _transcode_legacy(path: str) -> tuple[str, str]:
    """A UTF-8 copy of a file that is not UTF-8 (Windows-1252, else Latin-1), and which."""
    try:
        return _transcode(path, "cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return _transcode(path, "latin-1"), "Latin-1"


def _start_suffices(path: str, size: int, limits: Limits) -> bool:
    """Whether detection may read only the start of a large text file: the start is
    UTF-8 and, going by its line lengths, the file is well within the row limit (else the
    whole file is counted now, so a file over the limit is refused before any mapping)."""
    with open(path, "rb") as fh:
        start = fh.read(SAMPLE_BYTES)
    lines = start.count(b"\n")
    estimate = size * lines / max(1, len(start))
    return is_utf8_start(start, False) and estimate <= 0.8 * limits.max_rows


def _whole_text_pass(upload: Upload) -> None:
    """The import's pass over a large text file that detection read only the start of:
    the content hash, the row limit, blank lines before more data, and a UTF-8 check of
    the rest (a later Windows-1252 byte: the import reads a transcoded copy)."""
    digest, is_utf8, _size, watch = _hash_and_check_utf8(upload._path)
    with open(upload._path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        unterminated = fh.read(1) != b"\n"
    check_rows(upload.file_name, max(0, watch.newlines + unterminated - 1))
    if not is_utf8:
        upload._path, upload.encoding = _transcode_legacy(upload._path)
        upload._temp_files.append(upload._path)
    upload._content_hash = digest
    upload.blank_lines_inside = watch.blank_inside


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


def _title_lines(text: str, delimiter: str) -> int:
    """How many lines of a report's title (one filled cell each, or blank: "Customer
    Feedback Report,,,," as Excel saves a titled sheet) sit above the header; 0 when the
    first line is the header. Title lines never hold quotes (a quoted field may span lines).

    >>> _title_lines("Report Q2,,\\n,,\\nDate,NPS,Comment\\n2024-04-01,9,Good\\n", ",")
    2
    >>> _title_lines("Date,NPS\\n2024-04-01,9\\n", ","), _title_lines("Comment\\nGreat\\n", ",")
    (0, 0)
    """
    lines = text.splitlines()[:TITLE_SCAN_ROWS]
    rows: list[list[str | None]] = [
        next(csv.reader([line], delimiter=delimiter), []) for line in lines
    ]
    title = header_row_index(rows) or 0
    return title if title and not any('"' in line for line in lines[:title]) else 0


def _after_lines(text: str, skip: int) -> str:
    """``text`` without its first ``skip`` lines."""
    if not skip:
        return text
    return "".join(text.splitlines(keepends=True)[skip:])


def _sample_text(text: str, upload: Upload, complete: bool) -> Sample:
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
        reader = csv.reader(
            io.StringIO(_after_lines(text, upload.title_rows)), delimiter=upload.delimiter or ","
        )
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
    return Sample.from_rows(upload.columns, rows)


def _hash_whole_file(upload: Upload) -> None:
    """The import's pass over a Parquet file: its content hash."""
    upload._content_hash = hash_file(upload._path)[0]


def _sample(upload: Upload) -> Sample:
    """The first rows (all text) with the clean column names."""
    import duckdb

    with scratch_connection() as con:
        upload.register(con)
        names = upload.column_sql_names()
        select = ", ".join(names)
        try:
            rows = con.execute(
                f"SELECT {select} FROM {upload.source_sql(limit=sample_rows(len(names)))}"
            ).fetchall()
        except duckdb.Error as exc:
            raise FileFormatError(
                f"{upload.file_name} cannot be read as {upload.described}: "
                f"{str(exc).splitlines()[0]}"
            ) from exc
    return Sample.from_rows(upload.columns, rows)


def _read_parquet(path: str, name: str) -> Upload:
    import duckdb

    size = os.path.getsize(path)
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
    limits = current_limits()  # the same input limits as text files and workbooks
    check_columns(name, len(raw), limits)
    check_rows(name, int(count), limits)
    columns = clean_column_names(raw)
    upload = Upload(
        file_name=name,
        _path=path,
        format="parquet",
        columns=columns,
        sample=Sample([]),
        _content_hash="",
        size_bytes=size,
        encoding="",
        row_count=int(count),
        _whole_file_pass=_hash_whole_file,
    )
    if not count:
        raise FileFormatError(f"{name} has columns but no rows.")
    upload.sample = _sample(upload)
    return upload
