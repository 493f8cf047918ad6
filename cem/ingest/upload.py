"""An uploaded file ready to import: :class:`Upload` (its clean column names, a text sample,
and :meth:`Upload.source_sql`, the SQL ``FROM`` source of its columns as VARCHAR ``c0..cN``).

``read_csv``'s arguments cannot be bound as parameters, so the file path is written into
the SQL text with :func:`cem.store.db.sql_string` (quoted as a literal); the column names are
generated (``c0``...), never taken from the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cem.ingest.limits import current as current_limits
from cem.ingest.sample import Sample
from cem.ingest.scales import LikertScale, not_on_scale_sql, rank_sql
from cem.ingest.sniff import SINGLE_COLUMN, blank_rows
from cem.ingest.verbal_scores import anchored_columns, anchored_number, anchored_sql
from cem.ingest.vocab import MISSING_SPELLINGS
from cem.store.db import sql_string

if TYPE_CHECKING:  # a workbook's rows are a frame (pandas loads only for workbooks)
    import pandas as pd

SAMPLE_ROWS = 2000
SAMPLE_CELLS = 200_000  # wide files get fewer sample rows (detection looks at every cell)


def sample_rows(width: int) -> int:
    """Rows in the sample of a file with ``width`` columns: 2,000, fewer for wide files.

    >>> sample_rows(12), sample_rows(2000)
    (2000, 200)
    """
    return max(200, min(SAMPLE_ROWS, SAMPLE_CELLS // max(1, width)))


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "whitespace"}


@dataclass
class Upload:
    """A file ready to be imported (see the module docstring).

    Detection reads only the start of a large text file. The pass over the whole file
    (its content hash, the UTF-8 check of the rest, blank lines, the row limit) waits until
    the import needs it: reading :attr:`content_hash` or :attr:`path`, a full
    :meth:`source_sql` or :meth:`skipped_blank_rows` runs it once (and may refuse the file
    then, or switch to a transcoded copy when a later part is not UTF-8).
    """

    file_name: str
    _path: str  # the file DuckDB reads (a transcoded copy for non-UTF-8 text)
    format: str  # 'csv' | 'whitespace' | 'xlsx' | 'parquet'
    columns: list[str]
    sample: Sample
    _content_hash: str  # "" until the whole-file pass has run
    size_bytes: int
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    row_count: int | None = None  # known for XLSX and Parquet, else None until imported
    blank_lines_inside: bool = False  # text: a blank line comes before more data
    header_rows: int = 1  # 3 for Qualtrics, 2 for SurveyMonkey (rows of question text)
    title_rows: int = 0  # rows above the header: a report's title (skipped by the reader)
    header_style: str = ""  # 'Qualtrics' | 'SurveyMonkey' | '' (one header row)
    _frame: pd.DataFrame | None = None  # XLSX data (text), with its sheet row numbers
    _temp_files: list[str] = field(default_factory=list)
    _whole_file_pass: Callable[[Upload], None] | None = None  # deferred (see above)
    # Score columns the user confirmed on a verbal scale (a Likert "satisfied" column as
    # CSAT): the import reads each such column as its rank 1..k (see :meth:`source_sql`).
    read_as_ranks: dict[str, LikertScale] = field(default_factory=dict)
    # Number columns whose scale ends are written with their label ("10 - Extremely likely"):
    # read as the numbers, in the sample too (cem.ingest.verbal_scores.anchored_columns).
    anchored: list[str] = field(default_factory=list)

    def read_whole_file(self) -> None:
        """Run the deferred pass over the whole file (once); raises what it finds."""
        if self._whole_file_pass is not None:
            self._whole_file_pass(self)  # stays pending if it raised
            self._whole_file_pass = None

    @property
    def content_hash(self) -> str:
        """sha256 of the file's bytes (recognises a file imported before)."""
        self.read_whole_file()
        return self._content_hash

    @property
    def path(self) -> str:
        """The file DuckDB reads, after the whole-file pass."""
        self.read_whole_file()
        return self._path

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

    def read_anchored(self) -> None:
        """Find the number columns with labelled scale ends and read them as numbers."""
        self.anchored = anchored_columns(self.sample)
        for col in self.anchored:
            self.sample[col] = [
                anchored_number(v) or v if v is not None else None for v in self.sample[col]
            ]

    def preview(self, rows: int = 10) -> pd.DataFrame:
        """The first ``rows`` rows as text, blanks as empty strings (for display)."""
        frame = self.sample.head(rows).to_frame()
        return frame.map(lambda v: "" if v is None else str(v))

    def column_sql_names(self) -> list[str]:
        """The generated SQL names of the columns, ``c0, c1, ...``."""
        return [f"c{i}" for i in range(len(self.columns))]

    def skipped_blank_rows(self) -> list[int]:
        """The file rows of blank lines the reader skips before more data (text files)."""
        self.read_whole_file()
        if not self.blank_lines_inside or self.format not in ("csv", "whitespace"):
            return []
        above = self.title_rows + self.header_rows  # blank title lines are not data rows
        return [r for r in blank_rows(self.path, quoted=self.format == "csv") if r > above]

    def sample_null_spellings(self) -> tuple[str, ...]:
        """The missing-value spellings (``NA``, ``N/A``, ...) written as whole cells in the
        sample, in :data:`~cem.ingest.vocab.MISSING_SPELLINGS` order."""
        if self.sample.empty:
            return ()
        cells = self.sample.cells()
        return tuple(v for v in MISSING_SPELLINGS if v in cells)

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
        self,
        *,
        rejects: tuple[str, str] | None = None,
        limit: int | None = None,
        types: dict[str, str] | None = None,
    ) -> str:
        """SQL ``FROM`` source with the columns ``c0..cN`` as VARCHAR (and ``__row`` for
        XLSX). ``rejects`` = (table, scan) names makes DuckDB store malformed CSV rows
        there instead of failing. A ``limit`` reads the (checked) start of the file only;
        without one the whole-file pass runs first. A CSV source makes empty cells and the
        missing-value spellings of the sample NULL (so a column the reader types reads an
        ``N/A`` of the sample as blank; each spelling costs the reader a comparison per cell:
        all 19 cost 1.6 s per 10M rows of 11 columns); the import's SQL looks up every
        spelling in text. ``types``: the CSV columns (``c<i>``) the reader types itself (a
        cell it cannot type is a reject of the reader's, ``CAST``)."""
        source = self._source_sql(rejects=rejects, limit=limit, types=types or {})
        if not self.read_as_ranks and not self.anchored:
            return source
        # A label of the scale reads as its rank, "Don't know" as blank; any other text stays
        # as it is (so the score's check rejects it, showing the cell as written).
        replaced = [
            f"coalesce(CAST({rank_sql(c, scale)} AS VARCHAR), CASE WHEN {not_on_scale_sql(c)} "
            f"THEN NULL ELSE {c} END) AS {c}"
            for column, scale in self.read_as_ranks.items()
            for c in [f"c{self.columns.index(column)}"]
        ]
        replaced += [
            f"{anchored_sql(c)} AS {c}"
            for column in self.anchored
            if column not in self.read_as_ranks
            for c in [f"c{self.columns.index(column)}"]
        ]
        return f"(SELECT * REPLACE ({', '.join(replaced)}) FROM {source})"

    def _source_sql(
        self,
        *,
        rejects: tuple[str, str] | None,
        limit: int | None,
        types: dict[str, str],
    ) -> str:
        path = self._path if limit is not None else self.path
        names = self.column_sql_names()
        lim = f" LIMIT {int(limit)}" if limit is not None else ""
        if self.format == "xlsx":
            return f"(SELECT * FROM tp_upload_frame{lim})"
        if self.format == "parquet":
            cols = ", ".join(f"CAST(#{i + 1} AS VARCHAR) AS {n}" for i, n in enumerate(names))
            return f"(SELECT {cols} FROM read_parquet({sql_string(path)}){lim})"
        if self.format == "whitespace":
            parts = ", ".join(f"parts[{i + 1}] AS {n}" for i, n in enumerate(names))
            return (
                f"(SELECT {parts}, len(parts) AS __nfields FROM ("
                f"SELECT string_split_regex(trim(line), '\\s+') AS parts FROM read_csv("
                f"{sql_string(path)}, columns={{'line': 'VARCHAR'}}, auto_detect=false, header=false,"
                f" skip=1,"
                f" delim='\\x1f', quote='', escape='', strict_mode=false)"
                f" WHERE trim(line) <> ''){lim})"
            )
        columns = "{" + ", ".join(f"'{n}': '{types.get(n, 'VARCHAR')}'" for n in names) + "}"
        options = (
            f"{sql_string(path)}, columns={columns}, auto_detect=false, header=false, "
            f"skip={1 + self.title_rows}, "
            f"delim={sql_string(self.delimiter or ',')}, quote='\"', escape='\"', "
            f"null_padding=false, max_line_size={_max_line_size()}, "
            f"nullstr={_nullstr(self.sample_null_spellings())}"
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
def _nullstr(spellings: tuple[str, ...]) -> str:
    """The reader's ``nullstr``: empty cells and the missing-value ``spellings``.

    >>> _nullstr(("N/A",))
    "['', 'N/A']"
    """
    return "[" + ", ".join(sql_string(v) for v in ("", *spellings)) + "]"


def _max_line_size() -> int:
    """DuckDB's longest accepted line: 10 MB, more when cells may be longer."""
    return max(10_000_000, 4 * current_limits().max_cell_chars + 1_000_000)
