"""Journey analytics: what customers actually do, from the event log.

Thin page: KPI tiles first, then the one selected view (panels in
:mod:`cem.ui.events.panels`; each a fragment over cached :mod:`cem.analytics.events`
queries). The shared sidebar filters apply to every figure.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.analytics.events import flows as ja
from cem.errors import TouchpointError
from cem.ui.events import panels

EMPTY = "Import an event log (customer, time, touchpoint) on the Import page to see journeys."

st.title("Journey analytics")
workspace = ui.require_workspace()
filters = ui.current_filters()

try:
    if not ui.cached_analytics(ja.has_events, workspace):
        st.info(EMPTY, icon="📥")
        st.stop()
    summary = ui.cached_analytics(ja.event_summary, workspace, filters)
    if int(summary["events"]) == 0:
        st.info(
            "No events match the filters. Widen the date range or clear a filter in the sidebar."
        )
        st.stop()
    panels.kpi_tiles(summary, filters)
    settings = panels.journey_settings(workspace)
    view = panels.view_selector()
    panels.render_view(view, workspace, filters, settings, int(summary["events"]))
except TouchpointError as exc:
    ui.show_error(exc)
