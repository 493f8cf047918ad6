"""Key drivers: which ratings move the chosen outcome, and how well each performs.
A ranking table and an importance x performance quadrant, under the shared filters.
All numbers come from cem.analytics.drivers."""

from __future__ import annotations

import streamlit as st

from cem import export, ui
from cem.analytics import catalogue, drivers
from cem.charts.kpi import QUADRANT_COLOURS
from cem.errors import TouchpointError
from cem.ui.analytics.kpi import show_chart

st.title("🎯 Key drivers")
workspace = ui.require_workspace()
filters = ui.current_filters()

try:
    ratings = ui.cached_analytics(catalogue.rating_attributes, workspace)
    default_drivers = ui.cached_analytics(drivers.driver_candidates, workspace)
    outcomes = ui.cached_analytics(drivers.outcome_options, workspace)
    if not ratings or not outcomes:
        st.info(
            "Key drivers need an outcome (an NPS, CSAT or CES score, or a yes/no "
            "satisfaction column) and numeric rating columns (e.g. 'Speed rating' "
            "1–5) in the uploaded responses. Import a survey export that has them on "
            "**Import data**."
        )
        st.stop()
    keys = list(outcomes)
    if "drv:outcome" not in st.session_state:
        wanted = st.query_params.get("outcome")
        st.session_state["drv:outcome"] = wanted if wanted in keys else keys[0]
    elif st.session_state["drv:outcome"] not in keys:
        st.session_state["drv:outcome"] = keys[0]
    c1, c2 = st.columns([1, 2])
    outcome = c1.selectbox("Outcome", keys, format_func=outcomes.get, key="drv:outcome")
    if outcome != keys[0]:
        st.query_params["outcome"] = outcome
    elif "outcome" in st.query_params:
        del st.query_params["outcome"]
    chosen = c2.multiselect(
        "Drivers (rating columns)",
        ratings,
        key="drv:drivers",
        placeholder=f"All {len(ratings)} rating columns",
    )
    st.caption(f"Filters: {ui.escape_markdown(filters.describe())}")

    ranking = ui.cached_analytics(
        drivers.key_drivers, workspace, outcome, tuple(chosen) or None, filters
    )
    r2 = float(ranking.r2.iloc[0])
    st.markdown(
        f"Together the {len(ranking)} ratings explain **{100 * r2:.0f}%** of the variation "
        f"in {ui.escape_markdown(outcomes[outcome])}. Importance = each rating's share of "
        "that (relative weight); performance = its mean rating, placed on its own scale "
        "(lowest answer 0%, highest 100%) so ratings on different scales compare."
    )

    left, right = st.columns([3, 2])
    show_chart(left, "kpi.quadrant_chart", ranking)
    with right:
        for name, text in drivers.QUADRANTS.items():
            members = ranking[ranking.quadrant == name].driver.tolist()
            colour = QUADRANT_COLOURS[name]
            listed = ", ".join(ui.escape_markdown(m) for m in members) or "—"
            st.markdown(
                f"<span style='color:{colour}'>●</span> **{name}**: {listed}  \n"
                f"<small>{text}</small>",
                unsafe_allow_html=True,
            )

    for note in (
        drivers.lower_is_better_note(ranking),
        drivers.unranked_note(chosen or ratings, ranking, outcome),
    ):
        if note:
            st.caption(ui.escape_markdown(note))
    table = (
        ranking.assign(
            lower_is_better=ranking.lower_is_better.map({True: "lower", False: "higher"})
        )
        .rename(
            columns={
                "driver": "Driver",
                "importance": "Importance (% of R²)",
                "correlation": "Correlation r",
                "beta": "Std. beta",
                "performance": "Mean rating",
                "scale": "Scale",
                "lower_is_better": "Better",
                "top2_share": "Top-2-box %",
                "n": "n",
                "quadrant": "Quadrant",
            }
        )
        .drop(columns=["r2", "performance_pct"])
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="drv:table",
        column_config={
            "Importance (% of R²)": st.column_config.ProgressColumn(
                format="%.0f%%", min_value=0, max_value=100
            ),
            "Correlation r": st.column_config.NumberColumn(format="%.2f"),
            "Std. beta": st.column_config.NumberColumn(format="%.2f"),
            "Mean rating": st.column_config.NumberColumn(format="%.2f"),
            "Top-2-box %": st.column_config.NumberColumn(format="%.0f"),
            "n": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.download_button(
        "⬇ Ranking (CSV)",
        export.frame_to_csv_bytes(table),
        file_name="key-drivers.csv",
        mime="text/csv",
        key="drv:csv",
    )
    st.caption(
        "Ratings of 0 are treated as 'not applicable' where the column's scale says "
        "so. Each correlation uses every response that answered both columns."
    )
except TouchpointError as exc:
    ui.show_error(exc)
