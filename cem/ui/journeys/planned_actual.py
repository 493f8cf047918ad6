"""The "Planned vs actual" view: a journey map against the event log.

The journey map page calls :func:`render_planned_vs_actual` in its "Planned vs actual"
tab; the numbers come from :func:`cem.journeys.planned_actual.compare` (cached per
workspace, plan, filters and data revision), the picture from :func:`cem.charts.flow.planned_actual_chart`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.analytics.engine import duckdb_engine
from cem.analytics.events.stream import has_events
from cem.analytics.filters import Filters
from cem.charts.flow import planned_actual_chart
from cem.errors import TouchpointError
from cem.format import format_count, format_percent
from cem.journeys import planned_actual as pa
from cem.store.db import Database

NO_EVENTS = (
    "No event data yet. Import an event log (customer, time, touchpoint) on the "
    "Import page to compare this map with what customers actually do."
)


def _compare(
    db: Database, workspace: str, journey_id: int, filters: Filters
) -> tuple[pa.PlannedVsActual, tuple[object, ...]]:
    """The comparison, cached by (workspace, plan, filters, data revision): the plan is
    part of the key, so an edit of the map recomputes too. Also that key."""
    plan = pa.load_plan(db, workspace, journey_id)
    key = (db.path, workspace, plan, repr(filters), db.data_version(workspace))
    if db is ui.get_database():
        return ui.cached_analytics(pa.compare, workspace, plan, filters), key
    return pa.compare(duckdb_engine(db), workspace, plan, filters), key


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _chart_spec(key: tuple[object, ...], _result: pa.PlannedVsActual) -> dict[str, Any]:
    """The chart's Vega-Lite spec, built once per comparison ``key`` (workspace, plan,
    filters, data revision) for every session: Altair takes ~0.5 s to build it."""
    return planned_actual_chart(_result.stages, _result.touchpoints).to_dict()  # type: ignore[no-any-return]


def _table_or_note(
    title: str, frame: pd.DataFrame, empty_note: str, column_config: dict[str, Any]
) -> None:
    """A bold ``title``, then ``frame`` as a table, or ``empty_note`` when it has no rows."""
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption(empty_note)
    else:
        st.dataframe(frame, hide_index=True, column_config=column_config)


def render_planned_vs_actual(
    db: Database, workspace: str, journey_id: int, filters: Filters | None
) -> None:
    """Draw the planned-vs-actual comparison of one journey map (no widgets of its own)."""
    filters = filters or Filters()
    try:
        if not has_events(duckdb_engine(db), workspace):
            st.info(NO_EVENTS)
            return
        result, key = _compare(db, workspace, journey_id, filters)
    except TouchpointError as exc:
        ui.show_error(exc)
        return
    if result.stages.empty:
        st.info(
            "This journey map has no stages yet. Add stages and touchpoints to compare "
            "the plan with the event data."
        )
        return
    st.caption(
        f"{ui.escape_markdown(result.journey_name)} against the event log "
        f"({ui.escape_markdown(filters.describe())}). Touchpoints match by data key "
        "or name (ignoring case); events of other touchpoints are placed by their "
        "stage column when it names a planned stage."
    )
    if result.journeys == 0:
        st.warning(
            "No event matches a touchpoint or stage of this map yet. Check the "
            "touchpoints' data keys against the names in the event log below."
        )
    cols = st.columns(4)
    cols[0].metric("Customer journeys on the map", format_count(result.journeys))
    cols[1].metric("Follow the planned order", format_percent(100 * result.share(result.in_order)))
    cols[2].metric(
        "Go back to an earlier stage", format_percent(100 * result.share(result.backwards))
    )
    cols[3].metric("Skip a planned stage", format_percent(100 * result.share(result.skipping)))
    spec = _chart_spec(key, result)
    st.vega_lite_chart(spec, key="pa_chart")
    left, right = st.columns(2)
    with left:
        _table_or_note(
            "On the map, never seen in the data",
            result.unseen,
            "Every planned touchpoint appears in the events.",
            {
                "stage": "Stage",
                "touchpoint": "Touchpoint",
                "channel": "Channel",
                "data_key": "Data key",
            },
        )
    with right:
        _table_or_note(
            "In the data, missing from the map",
            result.unmapped,
            "Every touchpoint of the events is on the map.",
            {
                "touchpoint": "Touchpoint",
                "events": st.column_config.NumberColumn("Events", format="localized"),
                "customers": st.column_config.NumberColumn("Customers", format="localized"),
                "usual_stage": "Usual stage",
                "usual_channel": "Usual channel",
            },
        )
    _table_or_note(
        "Moves against the planned order",
        result.moves[result.moves["kind"] != "next stage"],
        "Every customer moves through the stages in the planned order.",
        {
            "from_stage": "From stage",
            "to_stage": "To stage",
            "kind": "Kind",
            "moves": st.column_config.NumberColumn("Moves", format="localized"),
            "journeys": st.column_config.NumberColumn("Journeys", format="localized"),
        },
    )
    if not result.examples.empty:
        with st.expander("Example customers"):
            st.dataframe(
                result.examples,
                hide_index=True,
                column_config={
                    "kind": "Kind",
                    "customer_id": "Customer",
                    "sequence": "Stages visited",
                },
            )
