"""KPI explorer: pick a metric, a period and a "split by" dimension; a trend per group
with its 95% band, the same numbers in a table (n, MoE, low confidence, significance),
the verbatims behind a chosen row, and exports of exactly what is on screen.
The metric, period and split live in the URL with the filters, so links reproduce it."""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.analytics import catalogue, kpi_frames, labels, overview
from cem.analytics.filters import STANDARD_DIMENSIONS
from cem.charts.kpi import trend_caption
from cem.errors import TouchpointError
from cem.ui.analytics.explorer import (
    MOE_COLUMN,
    comments_behind,
    export_buttons,
    numbers_on_screen,
    to_url,
    url_choice,
)
from cem.ui.analytics.kpi import (
    coarsen_period_choice,
    partial_period_notice,
    require_metrics,
    show_chart,
    trend_period_notice,
)

PERIODS = {"week": "Week", "month": "Month", "quarter": "Quarter"}
NO_SPLIT = "none"


st.title("📈 KPI explorer")
workspace = ui.require_workspace()
filters = ui.current_filters()

try:
    available = require_metrics(
        workspace,
        "No survey answers in this workspace yet. Import a survey export on "
        "**Import data** to explore NPS, CSAT, CES and rating columns.",
    )
    values = ui.cached_analytics(catalogue.dimension_values, workspace)
    split_options = (
        [NO_SPLIT]
        + [d for d in STANDARD_DIMENSIONS if d in values]
        + [d for d in values if d not in STANDARD_DIMENSIONS]
    )
    metric_keys = list(available)
    url_choice("exp:metric", "metric", metric_keys, metric_keys[0])
    url_choice("exp:period", "period", list(PERIODS), "month")
    first, last = ui.cached_analytics(catalogue.date_bounds, workspace)
    moved_from = coarsen_period_choice("exp:period", first, last)
    url_choice("exp:by", "by", split_options, NO_SPLIT)

    c1, c2, c3 = st.columns([2, 2, 2])
    metric = c1.selectbox(
        "Metric", metric_keys, format_func=lambda k: available[k], key="exp:metric"
    )
    period = (
        c2.segmented_control("Period", list(PERIODS), format_func=PERIODS.get, key="exp:period")
        or "month"
    )
    by = c3.selectbox(
        "Split by",
        split_options,
        key="exp:by",
        format_func=lambda d: "— no split —" if d == NO_SPLIT else labels.dimension_label(d),
    )
    to_url("metric", metric, metric_keys[0])
    to_url("period", period, "month")
    to_url("by", by, NO_SPLIT)
    dim = None if by == NO_SPLIT else by
    label = available.get(metric) or labels.metric_label(metric)  # e.g. "X (% yes)"

    st.caption(f"Filters: {ui.escape_markdown(filters.describe())}")
    if last is not None:
        trend_period_notice(moved_from, period)
        frame = ui.cached_analytics(
            overview.kpi_trend,
            workspace,
            metric,
            period=period,
            by=tuple([dim] if dim else []),
            filters=filters,
        )
        if frame.empty or not (frame.n > 0).any():
            st.info(
                f"No {ui.escape_markdown(label)} answers for these filters. Widen the "
                "date range or clear a filter in the sidebar."
            )
            st.stop()
        chart = show_chart(
            st,
            "kpi.trend_chart",
            frame,
            title=label,
            group=dim,
            metric=metric,
            band=metric != "responses",
        )
        st.caption(trend_caption(frame[dim].nunique() if dim else 1))
        partial_period_notice(period, first, last, filters, metric)
    else:
        st.info(
            "No dates in this file — upload one with a date column to see trends. "
            "Below: the whole file, split by the chosen dimension."
        )
        if dim:
            frame = ui.cached_analytics(overview.kpi_split, workspace, metric, dim, filters)
        else:
            frame = ui.cached_analytics(kpi_frames.kpi_frame, workspace, metric, filters=filters)
        chart = (
            show_chart(st, "kpi.split_bar_chart", frame, dim=dim, title=label, metric=metric)
            if dim
            else None
        )

    table = labels.kpi_table(frame, metric, dim)
    st.markdown("**The numbers** — select a row to read the comments behind it.")
    value_format = {"nps": "%+.0f", "responses": "localized"}.get(metric, "%.1f")
    selection = st.dataframe(
        numbers_on_screen(table),
        hide_index=True,
        width="stretch",
        key="exp:table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            label: st.column_config.NumberColumn(format=value_format),
            MOE_COLUMN: st.column_config.TextColumn(),
            "n": st.column_config.NumberColumn(format="localized"),
        },
    )

    stem = f"{workspace}-{metric}-{period}" + (f"-{dim}" if dim else "")
    export_buttons(labels.as_shown(table, metric), chart, stem, label)
    comments_behind(
        workspace, metric, label, frame, selection, filters=filters, period=period, dim=dim
    )
except TouchpointError as exc:
    ui.show_error(exc)
