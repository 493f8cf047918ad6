"""The executive summary PDF: its text (read back with pypdf) holds the same numbers as
cem's KPI functions and as a pandas computation with DESIGN.md's formulas; filters change
them and are stated; hostile workspace names are written literally; the CLI and the
Overview's download button produce it."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from cem.access.principal import CLI_ADMIN
from cem.analytics.engine import duckdb_engine
from cem.analytics.filters import Filters
from cem.analytics.overview import kpi_snapshot
from cem.report.pdf import build_summary_pdf
from cem.store.db import Database
from cem.store.workspaces import rename_workspace

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pdf_text(data: bytes) -> tuple[int, str]:
    """(page count, the text of every page, whitespace collapsed)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def pandas_nps(db: Database, workspace: str, segment: str | None = None) -> tuple[int, int, int]:
    """(NPS, margin, n) of the last 90 days of data, by hand with pandas (DESIGN.md)."""
    frame = (
        db.cursor()
        .execute(
            "SELECT nps, submitted_at, segment FROM responses WHERE workspace = ?", [workspace]
        )
        .df()
    )
    last = pd.to_datetime(frame.submitted_at).dt.normalize().max()
    day = pd.to_datetime(frame.submitted_at).dt.normalize()
    window = frame[(day > last - pd.Timedelta(days=90)) & (day <= last) & frame.nps.notna()]
    if segment is not None:
        window = window[window.segment == segment]
    n = len(window)
    p_p = (window.nps >= 9).sum() / n
    p_d = (window.nps <= 6).sum() / n
    nps = 100 * (p_p - p_d)
    moe = 100 * 1.96 * math.sqrt((p_p + p_d - (p_p - p_d) ** 2) / n)
    return round(nps), round(moe), n


def test_pdf_holds_the_overview_numbers(demo_db: Database) -> None:
    engine = duckdb_engine(demo_db)
    pages, text = pdf_text(build_summary_pdf(engine, "demo", Filters(), now=NOW))
    assert 1 <= pages <= 3
    nps, moe, n = pandas_nps(demo_db, "demo")
    snap = kpi_snapshot(engine, "demo", "nps", Filters(), 90)
    assert (round(snap["value"]), snap["n"]) == (nps, n)
    assert f"NPS {nps:+d} ±{moe} · n={n:,}" in text
    csat = kpi_snapshot(engine, "demo", "csat", Filters(), 90)
    assert f"CSAT {csat['value']:.0f}% ±{round(csat['moe'])} pts · n={csat['n']:,}" in text
    assert f"{snap['words']} vs the previous 90 days" in text
    assert "Filters: all data" in text
    assert "Workspace: demo" in text and "Generated 02 Dec 2026 12:00 UTC" in text
    assert "Touchpoints: best and worst NPS" in text and "Revenue at risk" in text


def test_segment_filter_changes_the_numbers_and_is_stated(demo_db: Database) -> None:
    engine = duckdb_engine(demo_db)
    filters = Filters.make(segment=["Enterprise"])
    _, text = pdf_text(build_summary_pdf(engine, "demo", filters, now=NOW))
    nps, moe, n = pandas_nps(demo_db, "demo", "Enterprise")
    everyone = pandas_nps(demo_db, "demo")
    assert n < everyone[2]
    assert f"NPS {nps:+d} ±{moe} · n={n:,}" in text
    assert "Filters: segment: Enterprise" in text


def test_hostile_workspace_name_is_written_literally(demo_db: Database) -> None:
    name = "<script>alert(1)</script> **x** Ωμέγα"
    rename_workspace(demo_db, "demo", name, actor=CLI_ADMIN)
    _, text = pdf_text(build_summary_pdf(duckdb_engine(demo_db), name, Filters(), now=NOW))
    assert f"Workspace: {name}" in text
    assert "□" not in text


def _no_cjk_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from cem.report import pdf

    monkeypatch.setattr(pdf, "CJK_FONTS", ((tmp_path / "none.ttc", 0, "None"),))
    pdf.cjk_font.cache_clear()


def test_korean_name_is_marked_not_dropped_without_a_cjk_font(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a CJK font DejaVu Sans draws no Hangul: each syllable is drawn as □ and a
    note names the code points, instead of the name silently losing letters."""
    from cem.report import pdf

    _no_cjk_font(monkeypatch, tmp_path)
    name = "고객 경험 demo"
    rename_workspace(demo_db, "demo", name, actor=CLI_ADMIN)
    try:
        _, text = pdf_text(build_summary_pdf(duckdb_engine(demo_db), name, Filters(), now=NOW))
    finally:
        pdf.cjk_font.cache_clear()
    assert "Workspace: □□ □□ demo" in text
    assert "□ marks 4 character(s)" in text and "U+ACE0" in text
    assert "install fonts-noto-cjk" in text


def test_korean_names_are_drawn_with_the_cjk_font(demo_db: Database) -> None:
    """With Debian's fonts-noto-cjk (installed by .ci/run) the Hangul reads back from the
    PDF: the workspace and a touchpoint name; a character no font has is still marked."""
    from cem.report import pdf

    if pdf.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    from cem.analytics.overview import touchpoint_ranking

    top = touchpoint_ranking(duckdb_engine(demo_db), "demo", Filters())["best"].touchpoint[0]
    demo_db.execute(
        "UPDATE responses_base SET touchpoint = '매장 계산대' WHERE workspace = 'demo' "
        "AND touchpoint = ?",
        [top],
    )
    name = "고객 경험 demo 𐒀"  # the last one (Osmanya) is in no installed font
    rename_workspace(demo_db, "demo", name, actor=CLI_ADMIN)
    _, text = pdf_text(build_summary_pdf(duckdb_engine(demo_db), name, Filters(), now=NOW))
    # pypdf reads the CJK font's CMap with a NUL before each glyph, and spaces may move:
    # compare the text without either (a viewer copies it through the ToUnicode map).
    squeezed = re.sub(r"[\s\x00]", "", text)
    assert "Workspace:고객경험demo□" in squeezed
    assert "매장계산대" in squeezed
    assert "□ marks 1 character(s)" in text and "U+10480" in text
    assert "DejaVu Sans, Noto Sans CJK" in text and "install fonts-noto-cjk" not in text


def test_workspace_without_responses_says_so(db: Database) -> None:
    from cem.store.workspaces import create_workspace

    create_workspace(db, "empty", actor=CLI_ADMIN)
    pages, text = pdf_text(build_summary_pdf(duckdb_engine(db), "empty", Filters(), now=NOW))
    assert pages == 1
    assert "No survey responses match these filters." in text
    assert "NPS" not in text.replace("NPS ± is", "")


def test_cli_writes_a_pdf(demo_db_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    args = ["report", "--workspace", "demo", "--filter", "segment=Enterprise", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "cem", *args, "--db", str(demo_db_copy)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr
    pages, text = pdf_text(out.read_bytes())
    assert 1 <= pages <= 3 and "Filters: segment: Enterprise" in text
    bad = subprocess.run(
        [sys.executable, "-m", "cem", "report", "--workspace", "nope", "--out", str(out)]
        + ["--db", str(demo_db_copy)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert bad.returncode == 2 and bad.stderr.strip() == "error: There is no workspace 'nope'"


@pytest.mark.parametrize("mode", [None, "view"])
def test_overview_has_the_download_button(open_page, mode: str | None) -> None:  # type: ignore[no-untyped-def]
    query = {"workspace": "demo"} | ({"mode": mode} if mode else {})
    at = open_page("pages/overview.py", **query)
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download summary (PDF)"]


def test_missing_font_is_one_clear_error(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cem.report import pdf

    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    with pytest.raises(pdf.ReportFontMissing, match="needs the font .*DejaVuSans.ttf"):
        build_summary_pdf(duckdb_engine(demo_db), "demo", Filters(), now=NOW)
