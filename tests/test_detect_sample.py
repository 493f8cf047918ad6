"""Detection reads only the start of a large text file; the pass over the whole file (content
hash, UTF-8 check of the rest, blank lines, row limit) runs when the import needs it.

The threshold for "large" is lowered so that small files take the deferred route. Expected
values are computed here with hashlib and csv, not by the code under test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import xxhash

from cem.access.principal import LOCAL_ADMIN
from cem.errors import TouchpointError
from cem.ingest import readers
from cem.ingest.explain import detection_report
from cem.ingest.load import detect_mapping, import_file, read_upload
from cem.store.db import Database

HEADER = "Customer ID,Submitted at,How likely are you to recommend us?,Comment\n"


def _rows(count: int, start: int = 0) -> str:
    return "".join(
        f"C{i:05d},2024-03-{1 + i % 28:02d},{i % 11},Row {i} was fine all round\n"
        for i in range(start, start + count)
    )


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text file counts as large: detection reads only its start."""
    monkeypatch.setattr(readers, "EAGER_PASS_BYTES", 0)


def test_detection_leaves_the_whole_file_pass_for_the_import(
    tmp_path: Path, deferred: None
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + _rows(3000), encoding="utf-8")
    with read_upload(path) as upload:
        report = detection_report(upload, detect_mapping(upload))
        assert report["roles"]["nps"] == "How likely are you to recommend us?"
        assert upload._whole_file_pass is not None  # nothing past the start was read
        assert upload.content_hash == "xxh3-128:" + xxhash.xxh3_128(path.read_bytes()).hexdigest()
        assert upload._whole_file_pass is None


def test_a_late_windows_1252_byte_is_still_transcoded(
    tmp_path: Path, deferred: None, db: Database
) -> None:
    """The start (1 MB) is UTF-8; a row after it holds ``é`` in Windows-1252."""
    rows = _rows(25000)
    assert len(rows) > readers.SAMPLE_BYTES
    late = "C99999,2024-03-05,9,Caf\xe9 staff were lovely\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes((HEADER + rows).encode("ascii") + late)
    with read_upload(path) as upload:
        assert upload.encoding == "UTF-8"
        result = import_file(db, "acme", upload, actor=LOCAL_ADMIN)
        assert upload.encoding == "Windows-1252"
    with open(path, encoding="cp1252", newline="") as fh:
        expected = list(csv.DictReader(fh))
    assert result.rows_loaded == len(expected) == 25001
    comments = db.execute(
        "SELECT comment FROM responses WHERE workspace = ? AND comment LIKE 'Caf%'", ["acme"]
    ).fetchall()
    assert [c for (c,) in comments] == [expected[-1]["Comment"]] == ["Café staff were lovely"]


def test_blank_lines_after_the_start_are_found_by_the_import(
    tmp_path: Path, deferred: None, db: Database
) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(HEADER + _rows(10) + "\n" + _rows(5, start=10), encoding="utf-8")
    with read_upload(path) as upload:
        assert upload.blank_lines_inside is False  # not looked at yet
        assert upload.skipped_blank_rows() == [12]
        result = import_file(db, "acme", upload, actor=LOCAL_ADMIN)
    assert result.rows_loaded == 15


def test_a_file_estimated_over_the_row_limit_is_counted_at_once(
    tmp_path: Path, deferred: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(HEADER + _rows(500), encoding="utf-8")
    monkeypatch.setenv("TOUCHPOINT_MAX_ROWS", "400")
    with pytest.raises(TouchpointError, match="500 data rows"):
        read_upload(path)
