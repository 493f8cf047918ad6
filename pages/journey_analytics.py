"""Journey analytics: what customers actually do, from the event log.

Thin page: widgets -> cem.analytics.events.flows (cached) -> charts. The shared sidebar
filters apply to every figure.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.analytics.events import flows as ja
from cem.charts import flow
from cem.errors import TouchpointError
from cem.format import format_count, format_percent
from cem.journeys import planned_actual as pa
from cem.ui.graph import render_graph
from cem.ui.journeys.network import transition_network

EMPTY = "Import an event log (customer, time, touchpoint) on the Import page to see journeys."
OBSERVED = "Observed order (from the data)"
PER_JOURNEY_MAX_EVENTS = 2_000_000
FUNNEL_MODES = {"Got at least this far": "reached", "Reached in order": "in_order"}

st.title("Journey analytics")
workspace = ui.require_workspace()
filters = ui.current_filters()
db = ui.get_database()


def _stage_order(choice: str, journeys: dict[str, int]) -> tuple[str, ...]:
    if choice in journeys:
        names = ui.cached_query(pa.planned_stage_names, workspace, journeys[choice])
        if names:
            return tuple(names)
    return tuple(ui.cached_query(ja.observed_stage_order, workspace, filters))


try:
    if not ui.cached_query(ja.has_events, workspace):
        st.info(EMPTY, icon="📥")
        st.stop()
    summary = ui.cached_query(ja.event_summary, workspace, filters).iloc[0]
    if int(summary["events"]) == 0:
        st.info(
            "No events match the filters. Widen the date range or clear a filter in the sidebar."
        )
        st.stop()
    st.caption(
        f"{format_count(summary['events'])} events of "
        f"{format_count(summary['customers'])} customers at "
        f"{format_count(summary['touchpoints'])} touchpoints · "
        f"{ui.escape_markdown(filters.describe())}"
    )

    with st.expander("Journey settings", expanded=False):
        c1, c2, c3 = st.columns(3)
        gap = c1.number_input(
            "New journey after a gap of (days, 0 = never)",
            min_value=0.0,
            max_value=3650.0,
            value=0.0,
            step=1.0,
            key="ja:gap",
        )
        collapse = c2.checkbox(
            "Count repeats of the same touchpoint once", value=True, key="ja:collapse"
        )
        journey_maps = {name: jid for jid, name in ui.cached_query(pa.list_journeys, workspace)}
        order_choice = c3.selectbox("Stage order", [OBSERVED, *journey_maps], key="ja:order")
    gap_days = float(gap) if gap and gap > 0 else None
    stage_order = _stage_order(order_choice, journey_maps)

    tab_flow, tab_funnel, tab_paths, tab_time, tab_outcomes = st.tabs(
        ["Flow", "Funnels", "Paths", "Timing & channels", "Outcomes"]
    )

    with tab_flow:
        trans = ui.cached_query(
            ja.transitions,
            workspace,
            filters,
            gap_days=gap_days,
            collapse_repeats=collapse,
            # Per-journey shares double the time; skip them on very large logs.
            per_journey=int(summary["events"]) <= PER_JOURNEY_MAX_EVENTS,
        )
        stats = ui.cached_query(
            ja.touchpoint_stats, workspace, filters, gap_days=gap_days, collapse_repeats=collapse
        )
        moves, journeys = ja.transition_totals(trans)
        most = max(5, len(trans))
        if st.session_state.get("ja:top_edges", 0) > most:  # fewer moves after a filter
            st.session_state["ja:top_edges"] = most
        top_n = int(st.session_state.get("ja:top_edges", min(25, most)))
        nodes, edges = transition_network(trans, stats, top_n=top_n, stage_order=stage_order)
        render_graph(nodes, edges, key="ja:network", height=430)
        c_text, c_slider = st.columns([3, 1])
        c_slider.slider(
            "Busiest moves shown",
            min_value=5,
            max_value=max(5, len(trans)),
            value=min(25, max(5, len(trans))),
            key="ja:top_edges",
        )
        c_text.caption(
            f"{format_count(journeys)} customer journeys, {format_count(moves)} "
            f"moves between touchpoints; showing the {min(top_n, len(trans))} "
            f"busiest of {len(trans)} moves. Circle size = events, line width = "
            f"moves, label = share of departures from the touchpoint, dashed = "
            f"the journey ends. Hover for numbers."
        )
        with st.expander("All moves"):
            st.dataframe(
                trans,
                hide_index=True,
                column_config={
                    "source": "From",
                    "target": "To (empty = journey ends)",
                    "is_exit": "Exit",
                    "transitions": st.column_config.NumberColumn("Moves", format="localized"),
                    "journeys": st.column_config.NumberColumn("Journeys", format="localized"),
                    "share": st.column_config.NumberColumn("Share of departures", format="percent"),
                    "journey_share": st.column_config.NumberColumn(
                        "Share of journeys visiting", format="percent"
                    ),
                },
            )

    with tab_funnel:
        mode_label = st.radio(
            "Count a stage when the customer…",
            list(FUNNEL_MODES),
            horizontal=True,
            key="ja:funnel_mode",
        )
        funnel = ui.cached_query(
            ja.stage_funnel,
            workspace,
            filters,
            stage_order,
            mode=FUNNEL_MODES[mode_label],
            gap_days=gap_days,
        )
        left, right = st.columns(2)
        with left:
            st.markdown("**Stage funnel**")
            st.altair_chart(flow.funnel_chart(funnel, "stage"))
        with right:
            st.markdown("**Where journeys stop**")
            st.altair_chart(flow.dropoff_chart(funnel, "stage"))
        st.markdown("**Custom funnel**: pick touchpoints in order (others may come between)")
        names = ui.cached_query(ja.touchpoint_names, workspace, filters)
        top3 = ui.cached_query(ja.top_paths, workspace, filters, k=3, limit=1)
        default = [
            p
            for p in (top3["path"].iloc[0].split(ja.PATH_SEPARATOR) if not top3.empty else [])
            if p in names
        ]
        chosen = st.session_state.get("ja:custom_steps")
        if chosen and any(n not in names for n in chosen):  # a filter removed a step
            st.session_state["ja:custom_steps"] = [n for n in chosen if n in names]
        steps = st.multiselect(
            "Funnel steps, in order",
            names,
            default=default[:3],
            key="ja:custom_steps",
            max_selections=ja.MAX_FUNNEL_STEPS,
        )
        if len(steps) < 2:
            st.info("Choose at least two touchpoints, in the order customers should meet them.")
        else:
            custom = ui.cached_query(
                ja.touchpoint_funnel, workspace, filters, tuple(steps), gap_days=gap_days
            )
            c1, c2 = st.columns(2)
            c1.altair_chart(flow.funnel_chart(custom, "touchpoint"))
            c2.dataframe(
                custom,
                hide_index=True,
                column_config={
                    "step": "Step",
                    "touchpoint": "Touchpoint",
                    "journeys": st.column_config.NumberColumn("Journeys", format="localized"),
                    "conversion": st.column_config.NumberColumn("From previous", format="percent"),
                    "share_of_start": st.column_config.NumberColumn("Of step 1", format="percent"),
                    "dropped": st.column_config.NumberColumn("Stop here", format="localized"),
                    "drop_rate": None,
                    "median_hours": st.column_config.NumberColumn("Median hours", format="%.1f"),
                    "p90_hours": st.column_config.NumberColumn("p90 hours", format="%.1f"),
                },
            )

    with tab_paths:
        c_best, c_k = st.columns([3, 1])
        k = c_k.slider("Path length (first touchpoints)", 2, 8, 3, key="ja:k")
        paths = ui.cached_query(
            ja.top_paths,
            workspace,
            filters,
            k=k,
            limit=15,
            gap_days=gap_days,
            collapse_repeats=collapse,
        )
        if paths.empty:
            st.info("No paths for these filters.")
        else:
            best = paths.iloc[0]
            c_best.metric(
                "Most common path (journeys)",
                format_count(best["journeys"]),
                help=f"{format_percent(100 * best['share'])} of journeys",
            )
            c_best.markdown(f"**{ui.escape_markdown(best['path'])}**")
            st.altair_chart(flow.path_chart(paths))
            st.dataframe(
                paths,
                hide_index=True,
                key="ja:paths_table",
                column_config={
                    "rank": "Rank",
                    "path": st.column_config.TextColumn("Path", width="large"),
                    "length": "Steps",
                    "ended": "Journey ended",
                    "journeys": st.column_config.NumberColumn("Journeys", format="localized"),
                    "share": st.column_config.NumberColumn("Share", format="percent"),
                },
            )
            st.caption("“→ …” means the journey goes on after these steps.")

    with tab_time:
        timing = ui.cached_query(
            ja.time_between_stages, workspace, filters, stage_order, gap_days=gap_days
        )
        st.markdown("**Time between stages** (first visit of a stage to first visit of the next)")
        if int(timing["journeys"].sum()) == 0:
            st.info("No customer reached two consecutive stages of this order.")
        else:
            st.altair_chart(flow.time_between_chart(timing))
        matrix = ui.cached_query(ja.channel_switches, workspace, filters, gap_days=gap_days)
        switched, total = ja.switch_summary(matrix)
        st.markdown("**Channel switching** (channel of an event → channel of the next)")
        if total == 0:
            st.info("No customer had two events in a row.")
        else:
            st.caption(
                f"{format_percent(100 * switched / total)} of "
                f"{format_count(total)} moves change channel."
            )
            st.altair_chart(flow.channel_heatmap(matrix))

    with tab_outcomes:
        all_names = ui.cached_query(ja.touchpoint_names, workspace, filters)
        preferred = next((i for i, n in enumerate(all_names) if "support" in n.lower()), 0)
        c1, c2 = st.columns([3, 1])
        touchpoint = c1.selectbox(
            "NPS by how often customers hit", all_names, index=preferred, key="ja:outcome_tp"
        )
        top = c2.number_input("Pool from (times)", 1, 10, 2, key="ja:outcome_top")
        outcomes = ui.cached_query(
            ja.outcomes_by_touchpoint_count, workspace, filters, touchpoint, top=int(top)
        )
        if int(outcomes["nps_n"].sum()) == 0:
            st.info(
                "None of these customers answered an NPS survey. Import survey "
                "responses with a customer id to link journeys to outcomes."
            )
        else:
            st.altair_chart(flow.outcome_chart(outcomes))
        st.dataframe(
            outcomes,
            hide_index=True,
            column_config=(
                outcome_cols := {
                    "group": "Group",
                    "customers": st.column_config.NumberColumn("Customers", format="localized"),
                    "nps": st.column_config.NumberColumn("NPS", format="%+.0f"),
                    "nps_moe": st.column_config.NumberColumn("± (95%)", format="%.0f"),
                    "nps_n": st.column_config.NumberColumn("NPS answers", format="localized"),
                    "csat": st.column_config.NumberColumn("CSAT %", format="%.0f"),
                    "csat_n": st.column_config.NumberColumn("CSAT answers", format="localized"),
                }
            ),
        )
        st.markdown("**NPS by path** (first 3 touchpoints of a customer)")
        by_path = ui.cached_query(ja.outcomes_by_path, workspace, filters, k=3, limit=8)
        st.dataframe(
            by_path,
            hide_index=True,
            column_config=outcome_cols
            | {"group": st.column_config.TextColumn("Path", width="large")},
        )
        st.caption("Groups with fewer than 30 answers are low-confidence (grey in the chart).")
except TouchpointError as exc:
    ui.show_error(exc)
