"""Exports: tables as CSV/XLSX and charts as PNG/SVG, all offline.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula, so every exported text cell that starts with one of those
is prefixed with a single quote (OWASP "CSV injection"). Numbers are left alone: ``-5``
stays a number. In CSV, a field is quoted when it holds a delimiter of any locale
(``,`` or ``;``), a tab, a quote or a line break (CR alone included), so no value can start
a new cell or row in any spreadsheet program (:func:`csv_field`). A program that splits on
``;`` (the list separator of many locales) may see a new cell after each ``;`` and a new row
after each line break inside a quoted field, so a ``;``, CR or LF followed by a formula
character gets a quote after it as well.
Charts are rendered by vl-convert (no browser, no network).

>>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_cell(-5)
-5
>>> frame_to_csv_bytes(pd.DataFrame({"a": ["@SUM(A1)", "ok"]})).decode()
"a\\n'@SUM(A1)\\nok\\n"
>>> print(frame_to_csv_bytes(pd.DataFrame({"a": ["x=1", ";=1+1"], "n": [1.5, None]})).decode())
a,n
x=1,1.5
";'=1+1",
<BLANKLINE>
"""

from __future__ import annotations

import io
import json
import math
import re
from typing import Any

import altair as alt
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A text cell that would run as a formula gets a leading quote; others are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise_cell)
    return out


_NEEDS_QUOTES = re.compile(r'[,;\t\r\n"]')
# A ';' or line break then (blanks or quotes, then) a formula character: where a ';' reader
# may start a cell or a row.
_SEMICOLON_FORMULA = re.compile(r'([;\r\n])(?=[\s"]*[=+\-@])')


def csv_field(value: Any) -> str:
    """One CSV field: blank for missing values; quoted (quotes doubled) when it holds
    ``,`` ``;`` a tab, a quote, CR or LF. Call it on neutralised values.

    >>> csv_field('a"b'), csv_field(None), csv_field(3), csv_field("a;b")
    ('"a""b"', '', '3', '"a;b"')
    >>> print(csv_field("ok;=1+1"))
    "ok;'=1+1"
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _SEMICOLON_FORMULA.sub(r"\1'", str(value))
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """CSV text of a neutralised copy of ``frame`` (header row, no index, LF line ends)."""
    safe = neutralise_frame(frame)
    lines = [",".join(csv_field(c) for c in safe.columns)]
    for row in safe.itertuples(index=False, name=None):
        lines.append(",".join(csv_field(None if _missing(v) else v) for v in row))
    return "\n".join(lines) + "\n"


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a neutralised copy of ``frame`` (no index): :func:`frame_to_csv_text`."""
    return frame_to_csv_text(frame).encode("utf-8")


def frame_to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """An XLSX workbook (one sheet) of a neutralised copy of ``frame``."""
    buffer = io.BytesIO()
    safe = neutralise_frame(frame)
    for column in safe.columns:  # Excel has no timezone-aware datetimes
        if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
            safe[column] = safe[column].dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet_name[:31] or "Data", index=False)
    return buffer.getvalue()


def _vega_lite_json(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """The Vega-Lite JSON of an Altair chart or of a spec (a dict)."""
    return json.dumps(chart) if isinstance(chart, dict) else chart.to_json()


def chart_to_png(chart: alt.TopLevelMixin | dict[str, Any], scale: float = 2.0) -> bytes:
    """A PNG of an Altair chart (or a Vega-Lite spec), rendered offline by vl-convert."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(_vega_lite_json(chart), scale=scale))


def chart_to_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """An SVG of an Altair chart (or a Vega-Lite spec), rendered offline by vl-convert."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(_vega_lite_json(chart)))


def chart_to_pdf(chart: alt.TopLevelMixin | dict[str, Any], scale: float = 3.0) -> bytes:
    """A one-page PDF of an Altair chart (or a Vega-Lite spec), rendered offline by
    vl-convert: vector text and shapes; a chart whose text needs a colour-emoji font
    (channel icons, some faces), which vl-convert cannot embed in a PDF, becomes a PDF of
    its PNG at ``scale`` (the page keeps the chart's size).

    >>> import altair as alt, pandas as pd
    >>> chart_to_pdf(alt.Chart(pd.DataFrame({"t": ["📱 app"]})).mark_text().encode(text="t"))[:5]
    b'%PDF-'
    """
    import vl_convert as vlc

    spec = _vega_lite_json(chart)
    try:
        return bytes(vlc.vegalite_to_pdf(spec))
    except ValueError as exc:
        if "font" not in str(exc).lower():
            raise
    return _png_as_pdf(bytes(vlc.vegalite_to_png(spec, scale=scale)), scale)


def chart_on_paper_pdf(
    chart: alt.TopLevelMixin | dict[str, Any],
    paper_pt: tuple[float, float],
    scale: float = 3.0,
    margin_pt: float = 28.0,
) -> bytes:
    """A one-page PDF of the paper size ``paper_pt`` (landscape width, height in points,
    e.g. A3 1190.55 x 841.89) holding the chart rendered at ``scale``, fitted inside the
    margins and centred, turned to portrait when that fits it larger: a poster that prints
    at actual size on that paper.

    >>> import altair as alt, pandas as pd
    >>> pdf = chart_on_paper_pdf(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(
    ...     x="x"), (1190.55, 841.89))
    >>> pdf[:5], b"/MediaBox [0 0 1190.55 841.89]" in pdf  # a wide chart: A3 landscape
    (b'%PDF-', True)
    """
    import vl_convert as vlc
    from fpdf import FPDF

    png = bytes(vlc.vegalite_to_png(_vega_lite_json(chart), scale=scale))
    width, height = (int.from_bytes(png[i : i + 4], "big") / scale for i in (16, 20))
    long_side, short_side = max(paper_pt), min(paper_pt)
    best = None
    for page in ((long_side, short_side), (short_side, long_side)):
        fit = min((page[0] - 2 * margin_pt) / width, (page[1] - 2 * margin_pt) / height)
        if best is None or fit > best[1]:
            best = (page, fit)
    assert best is not None
    (page_w, page_h), fit = best
    pdf = FPDF(unit="pt", format=(page_w, page_h))
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    w, h = width * fit, height * fit
    pdf.image(io.BytesIO(png), x=(page_w - w) / 2, y=(page_h - h) / 2, w=w, h=h)
    return bytes(pdf.output())


def _png_as_pdf(png: bytes, scale: float) -> bytes:
    """One PDF page the chart's size (1 px = 1 pt, as vl-convert's own PDFs) holding ``png``."""
    from fpdf import FPDF

    # A PNG's size is in its IHDR chunk: width and height, 4 bytes each, from byte 16.
    width, height = (int.from_bytes(png[i : i + 4], "big") / scale for i in (16, 20))
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(io.BytesIO(png), x=0, y=0, w=width, h=height)
    return bytes(pdf.output())
