"""The views of the Journey analytics page: KPI tiles, settings and one panel per view.

Only the selected view runs (a segmented control, not ``st.tabs``, whose bodies all run
on every rerun), and each panel is an ``st.fragment``, so moving one of its widgets
reruns that panel alone. Every figure goes through ``ui.cached_analytics``: cached by
(function, workspace, filters, settings, data revision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.analytics.events import flows as ja
from cem.analytics.filters import Filters
from cem.charts import flow
from cem.format import format_count, format_percent
from cem.journeys import planned_actual as pa
from cem.ui.graph import render_graph
from cem.ui.journeys.network import transition_network
from cem.ui.warm import PER_JOURNEY_MAX_EVENTS

OBSERVED = "Observed order (from the data)"
FUNNEL_MODES = {"Got at least this far": "reached", "Reached in order": "in_order"}
VIEWS = ("Flow", "Funnels", "Paths", "Timing & channels", "Outcomes")
VIEW_PARAM = "view"
FEWEST_MOVES_SHOWN = 5  # the graph's "Busiest moves shown" slider starts here
NO_STAGES = (
    "These events have no journey stage (it comes from a stage column chosen on import), "
    "so there is no stage funnel and no time between stages. The custom funnel works on "
    "touchpoints."
)
OUTCOME_COLUMNS: dict[str, Any] = {
    "group": "Group",
    "customers": st.column_config.NumberColumn("Customers", format="localized"),
    "nps": st.column_config.TextColumn("NPS"),
    "nps_moe": st.column_config.TextColumn("± (95%)"),
    "nps_n": st.column_config.NumberColumn("NPS answers", format="localized"),
    "csat": st.column_config.TextColumn("CSAT %"),
    "csat_n": st.column_config.NumberColumn("CSAT answers", format="localized"),
}


def outcomes_on_screen(frame: pd.DataFrame) -> pd.DataFrame:
    """An outcomes table as shown: NPS, its margin and CSAT as written numbers, "—" for a
    group without answers (an empty number cell read "None")."""
    shown = frame.copy()
    for column, written in (("nps", "{:+.0f}"), ("nps_moe", "{:.0f}"), ("csat", "{:.0f}")):
        if column in shown.columns:
            shown[column] = [written.format(v) if pd.notna(v) else "—" for v in shown[column]]
    return shown


@dataclass(frozen=True)
class JourneySettings:
    """What the "Journey settings" expander chose (hashable: part of cache keys)."""

    gap_days: float | None
    collapse: bool
    order_choice: str
    journey_maps: tuple[tuple[str, int], ...]


def kpi_tiles(summary: dict[str, object], filters: Filters) -> None:
    """The headline numbers of the filtered event log."""
    cols = st.columns(3)
    cols[0].metric("Events", format_count(summary["events"]))
    cols[1].metric("Customers", format_count(summary["customers"]))
    cols[2].metric("Touchpoints", format_count(summary["touchpoints"]))
    first, last = summary["first_at"], summary["last_at"]
    # The period in words under the tiles (as a tile, its dates were cut off at 1280 px).
    period = (
        f" · events from {first:%d %b %Y} to {last:%d %b %Y}"  # type: ignore[str-format]
        if first is not None
        else ""
    )
    st.caption(f"Filters: {ui.escape_markdown(filters.describe())}{period}")


def journey_settings(workspace: str) -> JourneySettings:
    """The collapsed "Journey settings" expander: session gap, repeats, stage order."""
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
        maps = tuple((name, jid) for jid, name in pa.list_journeys(ui.get_database(), workspace))
        choice = c3.selectbox("Stage order", [OBSERVED, *(n for n, _ in maps)], key="ja:order")
    return JourneySettings(float(gap) if gap and gap > 0 else None, bool(collapse), choice, maps)


def view_selector() -> str:
    """The view to show (shareable: kept in the URL as ``?view=``)."""
    wanted = st.query_params.get(VIEW_PARAM)
    default = wanted if wanted in VIEWS else VIEWS[0]
    view = st.segmented_control(
        "View", VIEWS, default=default, required=True, key="ja:view", label_visibility="collapsed"
    )
    view = view if view in VIEWS else default
    if view != VIEWS[0]:
        st.query_params[VIEW_PARAM] = view
    elif VIEW_PARAM in st.query_params:
        del st.query_params[VIEW_PARAM]
    return str(view)


def stage_order(workspace: str, filters: Filters, settings: JourneySettings) -> tuple[str, ...]:
    """The stage order: the chosen journey map's stages, else the observed order."""
    maps = dict(settings.journey_maps)
    if settings.order_choice in maps:
        names = pa.planned_stage_names(ui.get_database(), workspace, maps[settings.order_choice])
        if names:
            return tuple(names)
    return tuple(ui.cached_analytics(ja.observed_stage_order, workspace, filters))


@ui.guarded_fragment
def flow_panel(workspace: str, filters: Filters, settings: JourneySettings, events: int) -> None:
    """The transition network of touchpoints, with the table of all moves."""
    # The moves and the touchpoints' figures from one ordered pass over the events.
    trans, stats = ui.cached_analytics(
        ja.flow_figures,
        workspace,
        filters,
        gap_days=settings.gap_days,
        collapse_repeats=settings.collapse,
        # Per-journey shares double the time; skip them on very large logs.
        per_journey=events <= PER_JOURNEY_MAX_EVENTS,
    )
    moves, ended = ja.transition_totals(trans)
    most = max(FEWEST_MOVES_SHOWN, len(trans))
    if st.session_state.get("ja:top_edges", 0) > most:  # fewer moves after a filter
        st.session_state["ja:top_edges"] = most
    top_n = int(st.session_state.get("ja:top_edges", min(25, most)))
    order = stage_order(workspace, filters, settings)
    nodes, edges = transition_network(trans, stats, top_n=top_n, stage_order=order)
    render_graph(nodes, edges, key="ja:network", height=430)
    c_text, c_slider = st.columns([3, 1])
    if len(trans) > FEWEST_MOVES_SHOWN:  # with fewer, every move is on the graph: no slider
        c_slider.slider(
            "Busiest moves shown",
            min_value=FEWEST_MOVES_SHOWN,
            max_value=most,
            value=min(25, most),
            key="ja:top_edges",
        )
    c_text.caption(
        f"{format_count(ended)} customer journeys, {format_count(moves)} moves between "
        "touchpoints"
        + (" (a touchpoint repeated in a row counts once)" if settings.collapse else "")
        + f". The graph shows the {min(top_n, len(trans))} busiest of the "
        f"{format_count(len(trans))} distinct routes (from → to, or from → journey end). "
        "Circle size = events, line width = moves, label = share of departures from the "
        "touchpoint, dashed = the journey ends. Hover for numbers."
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


def default_funnel_steps(workspace: str, filters: Filters, names: list[str]) -> list[str]:
    """Three distinct touchpoints for the custom funnel: the most common path's, topped
    up with the busiest touchpoints (never a repeat, so the default shows numbers)."""
    top = ui.cached_analytics(ja.top_paths, workspace, filters, k=3, limit=1)
    first = top["path"].iloc[0].split(ja.PATH_SEPARATOR) if not top.empty else []
    steps = ja.distinct_steps([p for p in first if p in names] + names)
    return steps[:3]


@ui.guarded_fragment
def funnels_panel(workspace: str, filters: Filters, settings: JourneySettings) -> None:
    """The stage funnel (either mode), where journeys stop, and the custom funnel."""
    order = stage_order(workspace, filters, settings)
    if order:
        mode_label = st.radio(
            "Count a stage when the customer…",
            list(FUNNEL_MODES),
            horizontal=True,
            key="ja:funnel_mode",
        )
        funnel = ui.cached_analytics(
            ja.stage_funnel,
            workspace,
            filters,
            order,
            mode=FUNNEL_MODES[str(mode_label)],
            gap_days=settings.gap_days,
        )
        left, right = st.columns(2)
        left.markdown("**Stage funnel**")
        left.altair_chart(flow.funnel_chart(funnel, "stage"))
        right.markdown("**Where journeys stop**")
        right.altair_chart(flow.dropoff_chart(funnel, "stage"))
    else:
        st.info(NO_STAGES)
    st.markdown("**Custom funnel**: pick touchpoints in order (others may come between)")
    names = ui.cached_analytics(ja.touchpoint_names, workspace, filters)
    chosen = st.session_state.get("ja:custom_steps")
    if chosen and any(n not in names for n in chosen):  # a filter removed a step
        st.session_state["ja:custom_steps"] = [n for n in chosen if n in names]
    steps = st.multiselect(
        "Funnel steps, in order",
        names,
        default=default_funnel_steps(workspace, filters, names),
        key="ja:custom_steps",
        max_selections=ja.MAX_FUNNEL_STEPS,
    )
    if len(steps) < 2:
        st.info("Choose at least two touchpoints, in the order customers should meet them.")
        return
    custom = ui.cached_analytics(
        ja.touchpoint_funnel, workspace, filters, tuple(steps), gap_days=settings.gap_days
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


@ui.guarded_fragment
def paths_panel(workspace: str, filters: Filters, settings: JourneySettings) -> None:
    """The most common first-k paths, as a chart and a table."""
    c_best, c_k = st.columns([3, 1])
    k = c_k.slider("Path length (first touchpoints)", 2, 8, 3, key="ja:k")
    paths = ui.cached_analytics(
        ja.top_paths,
        workspace,
        filters,
        k=int(k),
        limit=15,
        gap_days=settings.gap_days,
        collapse_repeats=settings.collapse,
    )
    if paths.empty:
        st.info("No paths for these filters.")
        return
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


@ui.guarded_fragment
def timing_panel(workspace: str, filters: Filters, settings: JourneySettings) -> None:
    """Time between consecutive stages, and channel switching."""
    order = stage_order(workspace, filters, settings)
    st.markdown("**Time between stages** (first visit of a stage to first visit of the next)")
    if len(order) < 2:
        st.info(
            "These events have no journey stage (it comes from a stage column chosen on import)."
            if not order
            else "These events have one journey stage only."
        )
    else:
        timing = ui.cached_analytics(
            ja.time_between_stages, workspace, filters, order, gap_days=settings.gap_days
        )
        if int(timing["journeys"].sum()) == 0:
            st.info("No customer reached two consecutive stages of this order.")
        else:
            st.altair_chart(flow.time_between_chart(timing))
    matrix = ui.cached_analytics(
        ja.channel_switches, workspace, filters, gap_days=settings.gap_days
    )
    switched, total = ja.switch_summary(matrix)
    st.markdown("**Channel switching** (channel of an event → channel of the next)")
    if total == 0:
        st.info("No customer had two events in a row.")
        return
    st.caption(
        f"Of {format_count(total)} step{'s' if total != 1 else ''} from one event to the next "
        f"(every event counts, repeats too), {format_percent(100 * switched / total)} change "
        "channel."
    )
    st.altair_chart(flow.channel_heatmap(matrix))


@ui.guarded_fragment
def outcomes_panel(workspace: str, filters: Filters) -> None:
    """NPS/CSAT by how often customers hit a touchpoint, and by their first path."""
    names = ui.cached_analytics(ja.touchpoint_names, workspace, filters)
    preferred = next((i for i, n in enumerate(names) if "support" in n.lower()), 0)
    c1, c2 = st.columns([3, 1])
    touchpoint = c1.selectbox(
        "NPS by how often customers hit", names, index=preferred, key="ja:outcome_tp"
    )
    top = c2.number_input("Pool from (times)", 1, 10, 2, key="ja:outcome_top")
    outcomes = ui.cached_analytics(
        ja.outcomes_by_touchpoint_count, workspace, filters, str(touchpoint), top=int(top)
    )
    if int(outcomes["nps_n"].sum()) == 0:
        st.info(
            "None of these customers answered an NPS survey. Import survey responses with a "
            "customer id to link journeys to outcomes."
        )
    else:
        st.altair_chart(flow.outcome_chart(outcomes))
    st.dataframe(outcomes_on_screen(outcomes), hide_index=True, column_config=OUTCOME_COLUMNS)
    st.markdown("**NPS by path** (first 3 touchpoints of a customer)")
    by_path = ui.cached_analytics(ja.outcomes_by_path, workspace, filters, k=3, limit=8)
    st.dataframe(
        outcomes_on_screen(by_path),
        hide_index=True,
        column_config=OUTCOME_COLUMNS
        | {"group": st.column_config.TextColumn("Path", width="medium")},
    )
    st.caption("Groups with fewer than 30 answers are low-confidence (grey in the chart).")


def render_view(
    view: str, workspace: str, filters: Filters, settings: JourneySettings, events: int
) -> None:
    """Run the panel of ``view`` (and only that one)."""
    if view == "Funnels":
        funnels_panel(workspace, filters, settings)
    elif view == "Paths":
        paths_panel(workspace, filters, settings)
    elif view == "Timing & channels":
        timing_panel(workspace, filters, settings)
    elif view == "Outcomes":
        outcomes_panel(workspace, filters)
    else:
        flow_panel(workspace, filters, settings, events)
