"""Journey map: the workshop page. Pick or create a journey and edit it on the map — click
a card, a stage or a lane cell to edit it in a dialog, "+" adds a touchpoint to a stage —
with the team's emotion curve beside the customers' data, lanes, the persona, undo,
live updates from colleagues, present mode for the projector, exports and comparisons.

``?journey=<id>`` names the journey and ``?present=1`` opens present mode, so a copied
link opens the same view.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.errors import TouchpointError
from cem.journeys import api as jm
from cem.ui.journeys import panels, state
from cem.ui.journeys.map_view import map_fragment
from cem.ui.journeys.widgets import show_outcomes

workspace = ui.require_workspace()
db = ui.get_database()
filters = ui.current_filters()
present = state.present_mode()

try:
    summaries = jm.list_journeys(db, workspace)
except TouchpointError as exc:
    ui.show_error(exc)
    st.stop()

ids = [s.journey_id for s in summaries]
pending = st.session_state.pop("jm_pending_select", None)
if pending in ids:
    st.session_state["journey_picker"] = pending
elif st.session_state.get("journey_picker") not in ids and ids:
    wanted = st.query_params.get("journey")
    wanted_id = int(wanted) if wanted and str(wanted).isdigit() else None
    st.session_state["journey_picker"] = wanted_id if wanted_id in ids else ids[0]

journey_id: int | None = None
state.author()  # the editor's name, before its field is drawn
if ids and not present:
    top = st.columns([4, 2, 1], vertical_alignment="bottom")
    # Name and persona only: a card count here would go stale, as the map's edits rerun
    # the map, not this picker.
    labels = {s.journey_id: f"{s.name}{f' — {s.persona}' if s.persona else ''}" for s in summaries}
    journey_id = top[0].selectbox(
        "🗺️ Journey map",
        ids,
        format_func=lambda i: labels.get(i, str(i)),
        key="journey_picker",
        on_change=state.picked,
    )
    top[1].text_input("Your name (colleagues see it)", key="author_name", max_chars=40)
    live = top[2].toggle(
        "Live", value=True, key="live_mode", help="Show colleagues' changes within seconds"
    )
else:
    journey_id = st.session_state.get("journey_picker")
    live = st.session_state.get("live_mode", True)
if journey_id is not None and st.session_state.get("jm_runs", 0) > 0:
    if st.query_params.get("journey") != str(journey_id):
        st.query_params["journey"] = str(journey_id)  # the URL names the map (shareable)
st.session_state["jm_runs"] = st.session_state.get("jm_runs", 0) + 1

base: jm.Journey | None = None
if journey_id is not None:
    panels.apply_tables(workspace, journey_id)
    try:
        base = state.read_journey(workspace, journey_id)
    except TouchpointError as exc:
        ui.show_error(exc)
        st.stop()
    st.session_state["jm_seen_version"] = base.version

if base is None:
    show_outcomes(st.session_state.pop(state.OUTCOMES, []))
    st.info(
        "No journey in this workspace yet. Create one below — blank, drafted from your event "
        "log, or from the retail, SaaS or hospitality template — or import a JSON/CSV file."
    )
    panels.manage_panel(workspace, base)
    st.stop()

if live:
    st.fragment(panels.live_poll, run_every=panels.LIVE_SECONDS)(workspace, base.journey_id)

# The map is a fragment: edits on it rerun only the map (see cem.ui.journeys.map_view).
map_fragment(workspace, base.journey_id, filters, present)
if present:
    st.stop()

# The first tab draws next to nothing, so a page visit and a full run build no table: the
# power-user tables and every other tab run only when opened (lazy tabs).
tabs = st.tabs(
    [
        "💡 Editing",
        "📋 Tables",
        "🔀 Graph",
        "⚖️ Compare",
        "🕘 History",
        "📊 Planned vs actual",
        "⬇️ Export",
        "➕ New · copy · import",
    ],
    key="jm_tabs",
    on_change="rerun",
)


def _is_open(tab: object) -> bool:
    opened = getattr(tab, "open", None)
    return True if opened is None else bool(opened)


with tabs[0]:
    st.caption(
        "Click a card, a stage or a lane cell to edit it; **+ touchpoint** adds one to a "
        "stage. The tabs hold the editable tables, the graph, comparisons, history, planned "
        "vs actual, exports and new journeys."
    )
with tabs[1]:
    if _is_open(tabs[1]):
        panels.tables(workspace, base)
with tabs[2]:
    if _is_open(tabs[2]):
        panels.graph_tab(base)
with tabs[3]:
    if _is_open(tabs[3]):
        panels.compare_tab(workspace, base, summaries)
with tabs[4]:
    if _is_open(tabs[4]):
        panels.history_tab(workspace, base.journey_id)
with tabs[5]:
    if _is_open(tabs[5]):
        from cem.ui.journeys.planned_actual import render_planned_vs_actual

        render_planned_vs_actual(db, workspace, base.journey_id, filters)
with tabs[6]:
    if _is_open(tabs[6]):
        try:
            panels.export_tab(base, *panels.data_behind(workspace, base, filters))
        except TouchpointError as exc:
            ui.show_error(exc)
with tabs[7]:
    if _is_open(tabs[7]):
        panels.manage_panel(workspace, base)
