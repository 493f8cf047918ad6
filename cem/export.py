"""Exports: tables as CSV/XLSX and charts as PNG/SVG, all offline.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, so every exported text cell that starts with one of those is prefixed with a
single quote (OWASP "CSV injection"). Numbers are left alone: ``-5`` stays a number.
Charts are rendered by vl-convert (no browser, no network).

>>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise_cell(-5)
-5
>>> frame_to_csv_bytes(pd.DataFrame({"a": ["@SUM(A1)", "ok"]})).decode()
"a\\n'@SUM(A1)\\nok\\n"
"""

from __future__ import annotations

import io
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


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a neutralised copy of ``frame`` (no index)."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


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


def chart_to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """A PNG of an Altair chart, rendered offline by vl-convert."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(chart.to_json(), scale=scale))


def chart_to_svg(chart: alt.TopLevelMixin) -> str:
    """An SVG of an Altair chart, rendered offline by vl-convert."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(chart.to_json()))
