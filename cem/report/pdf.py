"""The executive summary as a 1-3 page A4 PDF (fpdf2), made offline.

Charts come from the Overview's own builders (:mod:`cem.charts.kpi`) turned into PNG by
vl-convert; text uses DejaVu Sans from Debian (Latin, Greek, Cyrillic and more). It has no
Hangul, kana or Chinese characters: for those the first installed font of
:data:`CJK_FONTS` (Debian's ``fonts-noto-cjk``, else ``fonts-nanum`` for Hangul) is added
as a fallback, only when a name needs it (it is large to load). A character that no
installed font can draw is drawn as ``□`` and a note under the report says so, rather than
vanishing silently.
Every user text (workspace, filter values, touchpoints) is written as plain text: fpdf2
never interprets markup unless asked to, and this module never asks.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path

import pandas as pd
from fpdf import FPDF

from cem.analytics.engine import Engine
from cem.analytics.filters import Filters
from cem.charts import kpi as kpi_charts
from cem.errors import TouchpointError
from cem.report.summary import (
    WINDOW_DAYS,
    Headline,
    Summary,
    gather_summary,
    generated_text,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT = "DejaVu"
PAGE_WIDTH = 210.0
MARGIN = 14.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
GREY = (110, 110, 110)
INK = (34, 34, 34)


class ReportFontMissing(TouchpointError):
    """The report's font is not installed."""


def _add_fonts(pdf: FPDF) -> None:
    for style, name in FONT_FILES.items():
        path = FONT_DIR / name
        if not path.is_file():
            raise ReportFontMissing(
                f"The PDF needs the font {path} (Debian: apt-get install fonts-dejavu-core)"
            )
        pdf.add_font(FONT, style, str(path))


MISSING_GLYPH = "□"
# Fonts for Hangul, kana and Chinese, tried in order: (file, face in a collection, name).
CJK_FONTS: tuple[tuple[Path, int, str], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 1, "Noto Sans CJK"),
    (Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"), 0, "NanumGothic"),
)
CJK_FONT = "CJK"


def _cmap(path: Path, face: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), fontNumber=face, lazy=True).getBestCmap())


@functools.cache
def _font_characters() -> frozenset[int]:
    """The code points the regular report font can draw."""
    return _cmap(FONT_DIR / FONT_FILES[""])


@functools.cache
def cjk_font() -> tuple[Path, int, str, frozenset[int]] | None:
    """The first installed font of :data:`CJK_FONTS` with the code points it can draw."""
    for path, face, name in CJK_FONTS:
        if path.is_file():
            return path, face, name, _cmap(path, face)
    return None


class Drawable:
    """Turns user text into text the fonts can draw, remembering what it replaced. The
    CJK fallback font is added to ``pdf`` the first time a character needs it."""

    def __init__(self, pdf: FPDF | None = None) -> None:
        self.missing: set[str] = set()
        self.pdf = pdf
        self.fallback_added = False

    def _fallback_draws(self, char: str) -> bool:
        found = cjk_font()
        if found is None or ord(char) not in found[3]:
            return False
        if self.pdf is not None and not self.fallback_added:
            self.pdf.add_font(CJK_FONT, "", str(found[0]), collection_font_number=found[1])
            self.pdf.set_fallback_fonts([CJK_FONT], exact_match=False)
            self.fallback_added = True
        return True

    def __call__(self, text: object) -> str:
        """``text`` with every character no installed font has replaced by ``□``."""
        known = _font_characters()
        out = []
        for char in str(text):
            if ord(char) in known or char in "\n\t" or self._fallback_draws(char):
                out.append(char)
            else:
                self.missing.add(char)
                out.append(MISSING_GLYPH)
        return "".join(out)

    def note(self) -> str | None:
        """A sentence saying which characters could not be drawn (None when all could)."""
        if not self.missing:
            return None
        codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(self.missing)[:5])
        more = "…" if len(self.missing) > 5 else ""
        fonts = "DejaVu Sans" + (f", {cjk_font()[2]}" if cjk_font() else "")  # type: ignore[index]
        hint = "" if cjk_font() else "; install fonts-noto-cjk to show CJK names"
        return (
            f"{MISSING_GLYPH} marks {len(self.missing)} character(s) in names that the installed "
            f"fonts ({fonts}) cannot draw ({codes}{more}){hint}."
        )


def chart_png(chart: object, width: int = 520) -> bytes:
    """An Altair chart as PNG bytes, rendered offline by vl-convert (2x for print)."""
    import vl_convert

    spec = chart.to_dict()  # type: ignore[attr-defined]
    spec["width"] = width
    return vl_convert.vegalite_to_png(spec, scale=2)


def _text(pdf: FPDF, text: str, size: float, *, bold: bool = False, colour=INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(CONTENT_WIDTH, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")


def _tiles(pdf: FPDF, headlines: list[Headline]) -> None:
    width = CONTENT_WIDTH / max(len(headlines), 1)
    top = pdf.get_y()
    for i, tile in enumerate(headlines):
        x = MARGIN + i * width
        pdf.set_draw_color(200, 200, 200)
        pdf.rect(x + 1, top, width - 2, 38)
        pdf.set_xy(x + 3, top + 2)
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*GREY)
        pdf.cell(width - 6, 5, tile.label)
        pdf.set_xy(x + 3, top + 7)
        pdf.set_font(FONT, "B", 20)
        pdf.set_text_color(*(GREY if tile.low_confidence else INK))
        pdf.cell(width - 6, 10, tile.value_text)
        pdf.set_xy(x + 3, top + 18)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*INK)
        details = " · ".join(p for p in (tile.margin_text, f"n={tile.n:,}") if p)
        if tile.low_confidence:
            details += " · low confidence (n < 30)"
        pdf.multi_cell(width - 6, 3.8, details + "\n" + tile.change_text)
    pdf.set_xy(MARGIN, top + 41)


def _cases(pdf: FPDF, summary: Summary) -> None:
    lines = []
    if summary.open_detractors is not None:
        det = summary.open_detractors
        since = f"since {det['since']:%d %b %Y}" if det["since"] else "all responses (no dates)"
        lines.append(f"Open detractors (NPS 0–6 without a closed case): {det['count']:,} {since}")
    if summary.revenue_at_risk is not None:
        risk = summary.revenue_at_risk
        share = 100 * risk["revenue_at_risk"] / risk["total_revenue"]
        lines.append(
            f"Revenue at risk: {risk['revenue_at_risk']:,.0f} ({share:.0f}% of revenue), "
            f"{int(risk['customers_at_risk']):,} customers whose latest NPS is 0–6"
        )
    for line in lines:
        _text(pdf, line, 10)
    if lines:
        pdf.ln(2)


def _trends(pdf: FPDF, summary: Summary) -> None:
    if not summary.trends:
        _text(pdf, "No dates in this data, so no 12-month trends.", 10, colour=GREY)
        return
    _text(pdf, f"Trends, last 12 months ({summary.trend_window_text})", 12, bold=True)
    width = CONTENT_WIDTH / 2 - 2
    for i, (metric, frame) in enumerate(summary.trends.items()):
        chart = kpi_charts.trend_chart(
            frame,
            summary.labels[metric],
            metric=metric,
            height=170,
            band=metric != "responses",
        )
        png = chart_png(chart, width=330)
        if i % 2 == 0:
            if pdf.get_y() > 297 - 75:
                pdf.add_page()
            row_top = pdf.get_y()
        x = MARGIN + (i % 2) * (width + 4)
        image = pdf.image(io.BytesIO(png), x=x, y=row_top, w=width)
        if i % 2 == 1 or i == len(summary.trends) - 1:
            pdf.set_y(row_top + image.rendered_height + 2)
    _text(pdf, "Shaded: 95% interval. Grey triangles: months with fewer than 30 answers.", 8)


def _ranking(pdf: FPDF, ranking: pd.DataFrame, drawable: Drawable) -> None:
    pdf.ln(3)
    if pdf.get_y() > 297 - 60:
        pdf.add_page()
    _text(pdf, "Touchpoints: best and worst NPS", 12, bold=True)
    pdf.set_font(FONT, "B", 9)
    widths = (22, 100, 30, 30)
    for head, w in zip(("", "Touchpoint", "NPS", "n"), widths, strict=True):
        pdf.cell(w, 6, head, border="B")
    pdf.ln()
    pdf.set_font(FONT, "", 9)
    for row in ranking.itertuples():
        cells = (row.rank_group, drawable(row.touchpoint), f"{row.value:+.0f}", f"{int(row.n):,}")
        for text, w in zip(cells, widths, strict=True):
            pdf.cell(w, 5.5, text)
        pdf.ln()


def render_summary_pdf(summary: Summary, now: dt.datetime) -> bytes:
    """The PDF bytes of a gathered :class:`Summary`."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    _add_fonts(pdf)
    drawable = Drawable(pdf)
    pdf.set_title(f"Executive summary: {summary.workspace}")
    pdf.set_creator("Touchpoint")
    pdf.add_page()
    _text(pdf, "Executive summary", 20, bold=True)
    _text(pdf, f"Workspace: {drawable(summary.workspace)}", 12)
    _text(pdf, f"Generated {generated_text(now)}", 9, colour=GREY)
    _text(pdf, f"Filters: {drawable(summary.filters_text)}", 9, colour=GREY)
    _text(
        pdf,
        f"Headline window: last {WINDOW_DAYS} days of data ({summary.window_text})",
        9,
        colour=GREY,
    )
    pdf.ln(3)
    if not summary.headlines:
        _text(pdf, "No survey responses match these filters.", 11)
        return _finish(pdf, drawable)
    _tiles(pdf, summary.headlines)
    _cases(pdf, summary)
    _trends(pdf, summary)
    if summary.ranking is not None:
        _ranking(pdf, summary.ranking, drawable)
    _text(pdf, "NPS ± is the 95% margin of error; n is the number of answers.", 8, colour=GREY)
    return _finish(pdf, drawable)


def _finish(pdf: FPDF, drawable: Drawable) -> bytes:
    """Add the note on undrawable characters (if any) and return the PDF bytes."""
    note = drawable.note()
    if note:
        _text(pdf, note, 8, colour=GREY)
    return bytes(pdf.output())


def build_summary_pdf(
    engine: Engine, workspace: str, filters: Filters | None, *, now: dt.datetime | None = None
) -> bytes:
    """The executive summary PDF of ``workspace`` under ``filters`` (1-3 A4 pages)."""
    summary = gather_summary(engine, workspace, filters or Filters())
    return render_summary_pdf(summary, now or dt.datetime.now(dt.UTC))
