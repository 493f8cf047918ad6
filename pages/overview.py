"""Overview: the executive landing page. Headline KPIs with their uncertainty and change,
12-month trends, best and worst touchpoints, open detractors and revenue at risk.
Read-only; nothing to click to make it work. Numbers come from cem.analytics only; the
panels are in cem.ui.analytics.overview."""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.analytics import catalogue
from cem.errors import TouchpointError
from cem.ui.analytics.overview import (
    kpi_tiles,
    loop_panels,
    touchpoint_panel,
    trend_panels,
    window_caption,
    without_survey_panels,
)
from cem.ui.report import download_summary_button
from cem.ui.voc import rising_themes_panel

st.title("📊 Overview")
workspace = ui.require_workspace()
filters = ui.current_filters()
download_summary_button(workspace, filters)

try:
    available = ui.cached_analytics(catalogue.available_metrics, workspace)
    if not available:
        without_survey_panels(workspace, filters)
        st.stop()
    first, last = ui.cached_analytics(catalogue.date_bounds, workspace)
    window_caption(workspace, filters, has_dates=last is not None)
    kpi_tiles(workspace, filters, available)
    if "nps" in available:  # open detractors and revenue at risk are NPS figures
        loop_panels(workspace, filters)
    trend_panels(workspace, filters, available)
    if "nps" in available:
        touchpoint_panel(workspace, filters)
    if "comment_share" in available:  # themes come from comments
        rising_themes_panel(workspace, filters)
except TouchpointError as exc:
    ui.show_error(exc)
