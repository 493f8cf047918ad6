"""The KPI explorer's pieces: widget state kept in the URL (so links reproduce a view),
the export buttons for exactly what is on screen, and the comments behind a picked row."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from cem import export, ui
from cem.analytics import overview
from cem.analytics.filters import Filters

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


MOE_COLUMN = "± (95%)"


def numbers_on_screen(table: pd.DataFrame) -> pd.DataFrame:
    """The explorer's table as shown: a margin of error that cannot be computed (one
    answer) reads "—" rather than an empty "None" cell; exports keep the numbers."""
    if MOE_COLUMN not in table.columns:
        return table
    shown = table.copy()
    shown[MOE_COLUMN] = [f"{v:.1f}" if pd.notna(v) else "—" for v in shown[MOE_COLUMN]]
    return shown


def url_choice(key: str, param: str, options: list[str], default: str) -> None:
    """Initialise a widget from the URL on first load (links work); options may change."""
    wanted = st.query_params.get(param)
    if key not in st.session_state:
        st.session_state[key] = wanted if wanted in options else default
    elif st.session_state[key] not in options:
        st.session_state[key] = default


def to_url(param: str, value: str, default: str) -> None:
    """Write a widget's value to the URL (dropped when it is the default: short links)."""
    if value == default:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def export_buttons(
    table: pd.DataFrame, chart: alt.TopLevelMixin | dict[str, Any] | None, stem: str, label: str
) -> None:
    """CSV/XLSX of the table and PNG/SVG of the chart (an Altair chart or the Vega-Lite
    spec drawn), named after the view."""
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)
    downloads: list[tuple[str, Any, str, str]] = [
        ("Table (CSV)", export.frame_to_csv_bytes(table), "csv", "text/csv"),
        ("Table (XLSX)", lambda: export.frame_to_xlsx_bytes(table, label), "xlsx", XLSX_MIME),
    ]
    if chart is not None:
        downloads += [
            ("Chart (PNG)", lambda: export.chart_to_png(chart), "png", "image/png"),
            ("Chart (SVG)", lambda: export.chart_to_svg(chart), "svg", "image/svg+xml"),
        ]
    for column, (what, data, ext, mime) in zip(st.columns(4), downloads, strict=False):
        column.download_button(
            f"⬇ {what}", data, file_name=f"{stem}.{ext}", mime=mime, key=f"exp:{ext}"
        )


def comments_behind(
    workspace: str,
    metric: str,
    label: str,
    frame: pd.DataFrame,
    selection: object,
    *,
    filters: Filters,
    period: str,
    dim: str | None,
) -> None:
    """The most recent comments behind the row picked in the numbers table."""
    rows = selection.selection.rows if selection is not None else []
    if rows:
        row = frame.iloc[rows[0]]
        picked_period = row["period"] if "period" in frame.columns else None
        picked_group = str(row[dim]) if dim else None
        quotes = ui.cached_analytics(
            overview.verbatims,
            workspace,
            metric,
            filters=filters,
            period=period if picked_period is not None else None,
            period_start=picked_period,
            dim=dim,
            dim_value=picked_group,
            limit=200,
        )
        what = " · ".join(
            ui.escape_markdown(p)
            for p in (
                f"{picked_period:%d %b %Y}" if picked_period is not None else None,
                picked_group,
            )
            if p
        )
        st.subheader(f"Comments behind {ui.escape_markdown(label)} · {what or 'all'}")
        if quotes.empty:
            st.info("No comments were left with these answers.")
        else:
            st.caption(f"{len(quotes):,} most recent comments (up to 200).")
            st.dataframe(
                quotes,
                hide_index=True,
                width="stretch",
                key="exp:verbatims",
                column_config={
                    "comment": st.column_config.TextColumn("Comment", width="large"),
                    "date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD"),
                },
            )
