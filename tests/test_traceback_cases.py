"""Issue #12 point 5, the cases test_guard.py does not cover: an unknown ``attr:`` filter in
the URL (every page) and on the CLI, and ``--db`` under a folder that cannot be created.
Each ends in one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_guard import assert_one_line, cli
from test_pages_all import NAVIGATION_PAGES


@pytest.fixture(autouse=True)
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("TOUCHPOINT_LOG_DIR", str(folder))
    return folder


def test_unknown_attribute_filter_in_the_url_on_every_page(
    open_page,  # type: ignore[no-untyped-def]
) -> None:
    for page in NAVIGATION_PAGES:
        at = open_page(page, workspace="demo", **{"attr:nonexistent": "1"})
        assert not at.exception, (page, [e.value for e in at.exception])
        shown = [str(e.value) for e in (*at.error, *at.warning, *at.markdown)]
        assert all("Traceback" not in text and "CatalogException" not in text for text in shown)


def test_unknown_attribute_filter_on_the_cli(
    demo_db_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = cli(
        capsys,
        "kpi",
        "--workspace",
        "demo",
        "--metric",
        "nps",
        "--filter",
        "attr:nonexistent=1",
        "--db",
        str(demo_db_copy),
    )
    # No response has that attribute, so the filter matches nothing: n = 0 and no NPS value.
    assert status == 0 and "Traceback" not in err
    assert out.strip().splitlines() == ["value,n,promoters,detractors,moe", ",0,0,0,"]


def test_db_under_a_folder_that_cannot_be_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    status, _, err = cli(
        capsys, "kpi", "--workspace", "demo", "--metric", "nps", "--db", str(blocker / "x.duckdb")
    )
    assert status in (1, 2)
    assert_one_line(err)
    assert "Traceback" not in err
