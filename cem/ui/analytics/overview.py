"""The Overview page's panels: KPI tiles with margin and change, the closed-loop pair
(open detractors, revenue at risk), the 12-month trends and the best/worst touchpoints.

Numbers come from :mod:`cem.analytics` (overview, kpi_frames, customer_kpis) only; these
functions lay them out and say what is missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import streamlit as st

from cem import ui
from cem.analytics import catalogue, customer_kpis, overview
from cem.analytics.filters import ATTRIBUTE_PREFIX, Filters
from cem.analytics.flags import parse_flag_metric
from cem.analytics.overview import HEADLINE_METRICS, WINDOW_DAYS
from cem.charts import specs
from cem.format import format_count, format_kpi_value, format_margin
from cem.ui.analytics.kpi import partial_period_notice


def show_tile(
    column: st.delta_generator.DeltaGenerator, metric: str, label: str, snap: dict
) -> None:
    """One KPI tile: value, change vs the previous window, margin, n and confidence.
    A flag ("% satisfied") is a share of answers: shown as CSAT is (percent, pts)."""
    flag = parse_flag_metric(metric)
    rating = metric.startswith(ATTRIBUTE_PREFIX) and not flag
    help_text = HELP.get(metric) or (
        f"Share of answers that are “{flag[1]}” in “{flag[0]}”; ± is the 95% margin."
        if flag
        else f"Mean answer of “{metric.removeprefix(ATTRIBUTE_PREFIX)}”; ± is the 95% margin."
        if rating
        else ""
    )
    # The unit: a flag is a percentage of answers (as CSAT), a rating a mean (as CES).
    metric = "csat" if flag else "ces" if rating else metric
    column = column.container(border=True)
    has_value = snap["n"] > 0 and not math.isnan(float(snap["value"]))
    change = snap["change"]
    delta = None
    if has_value and change == change and snap["previous"] is not None:
        if metric == "ces":
            delta = f"{change:+.1f}"
        elif metric == "responses":
            delta = f"{change:+,.0f}"
        else:
            delta = f"{change:+.0f} pts"
    column.metric(
        label,
        format_kpi_value(metric, snap["value"]) if has_value else "—",
        delta=delta,
        delta_color="off" if metric == "responses" or snap["low_confidence"] else "normal",
        help=help_text,
    )
    parts = [p for p in (format_margin(metric, snap["moe"]), f"n={snap['n']:,}") if p]
    column.caption(" · ".join(parts))
    if snap["previous"] is not None and has_value:
        column.caption(f"vs previous {WINDOW_DAYS} days: {snap['words']}")
    if snap["low_confidence"] and metric != "responses":
        column.caption(
            ":grey[⚠ Low confidence: fewer than 30 answers. Treat as a hint.]"
            if snap["n"]
            else ":grey[No answers in this period.]"
        )


HELP = {
    "nps": "Net Promoter Score: % promoters (9–10) minus % detractors (0–6), −100…+100. "
    "± is the 95% margin of error.",
    "csat": "Customer satisfaction: share of 1–5 answers that are 4 or 5.",
    "ces": "Customer effort: mean 1–7 score (higher = easier).",
    "responses": "Survey responses received.",
}


def window_caption(workspace: str, filters: Filters, has_dates: bool) -> None:
    """The line under the title: which window of data and which filters the page shows."""
    described = ui.escape_markdown(filters.describe())
    if has_dates:
        snap = ui.cached_analytics(
            overview.kpi_snapshot, workspace, "responses", filters, WINDOW_DAYS
        )
        st.caption(f"Last {WINDOW_DAYS} days of data ({snap['window']}) · filters: {described}")
    else:
        st.caption(f"All responses · filters: {described}")


def kpi_tiles(workspace: str, filters: Filters, available: Mapping[str, str]) -> None:
    """One tile per headline KPI the workspace has; without NPS, CSAT and CES, the
    yes/no outcomes its answers carry ("% satisfied"), at most two, before the count."""
    tiles = [(m, label) for m, label in HEADLINE_METRICS if m in available]
    if not {"nps", "csat", "ces"} & set(available):
        # The label quotes the file's column and value: shown as text, never markdown.
        flags = [(m, ui.escape_markdown(label)) for m, label in available.items()]
        flags = [(m, label) for m, label in flags if parse_flag_metric(m)][:2]
        # No flag either: the one rating scale the answers carry (a review's stars) is the
        # headline; with several, none is picked for the user (Key drivers shows them all).
        rating = None if flags else ui.cached_analytics(catalogue.headline_rating, workspace)
        if rating is not None:
            flags = [(ATTRIBUTE_PREFIX + rating, f"{ui.escape_markdown(rating)} (mean)")]
        tiles = flags + tiles
    columns = st.columns(len(tiles))
    for column, (metric, label) in zip(columns, tiles, strict=True):
        snap = ui.cached_analytics(overview.kpi_snapshot, workspace, metric, filters, WINDOW_DAYS)
        show_tile(column, metric, label, snap)


def loop_panels(workspace: str, filters: Filters) -> None:
    """Open detractors (last 30 days) beside the revenue of customers at risk."""
    left, right = st.columns(2)
    left, right = left.container(border=True), right.container(border=True)
    detractors = ui.cached_analytics(overview.open_detractors, workspace, filters, 30)
    since = detractors["since"]
    left.metric(
        "Open detractors",
        format_count(detractors["count"]),
        help="Detractors (NPS 0–6) in the last 30 days of data that have no closed "
        "case. Follow them up to close the loop.",
    )
    left.caption(f"since {since:%d %b %Y}" if since else "all responses (no dates)")
    risk = ui.cached_analytics(customer_kpis.revenue_at_risk, workspace, filters)
    revenue_known = (
        risk["customers"]
        and risk["total_revenue"] == risk["total_revenue"]
        and risk["total_revenue"] > 0
    )
    if revenue_known and not risk["customers_linked"]:  # no customer id in both: unknown
        right.metric("Revenue at risk", "—")
        right.caption(
            "The customer list and the survey answers share no customer id, so the revenue "
            "behind detractors is unknown. Import answers with the list's customer ids."
        )
    elif revenue_known:
        share = 100 * risk["revenue_at_risk"] / risk["total_revenue"]
        right.metric(
            "Revenue at risk",
            f"{risk['revenue_at_risk']:,.0f}",
            help="Revenue of customers whose latest NPS answer is a detractor (0–6).",
        )
        right.caption(
            f"{share:.0f}% of revenue · {int(risk['customers_at_risk']):,} "
            f"customers whose latest NPS is 0–6"
        )
    else:
        right.metric("Revenue at risk", "—")
        right.caption(
            "Import a customer list with a revenue column to see the revenue of "
            "customers whose latest answer is a detractor."
        )


def trend_panels(workspace: str, filters: Filters, available: set[str] | list[str]) -> None:
    """The 12-month trend of each headline KPI, two charts a row."""
    window = ui.cached_analytics(overview.last_months_filters, workspace, filters, 12)
    if window is None:
        st.info("No dates in this file — upload one with a date column to see trends.")
        return
    st.subheader("Trends, last 12 months")
    trend_metrics = [(m, label) for m, label in HEADLINE_METRICS if m in available]
    for row_start in range(0, len(trend_metrics), 2):
        cols = st.columns(2)
        for col, (metric, label) in zip(
            cols, trend_metrics[row_start : row_start + 2], strict=False
        ):
            spec = ui.cached_analytics(specs.overview_trend_spec, workspace, metric, label, window)
            if spec is None:
                col.info(f"No {label} answers in the last 12 months.")
                continue
            col.vega_lite_chart(spec, width="stretch")
    st.caption(
        "Shaded: 95% interval. Hollow grey triangles: months with fewer than 30 "
        "answers (low confidence)."
    )
    first, last = ui.cached_analytics(catalogue.date_bounds, workspace)
    only_counts = [m for m, _label in trend_metrics] == ["responses"]
    partial_period_notice("month", first, last, window, "responses" if only_counts else "nps")


def touchpoint_panel(workspace: str, filters: Filters) -> None:
    """The best and worst touchpoints by NPS."""
    st.subheader("Touchpoints: best and worst NPS")
    spec = ui.cached_analytics(specs.touchpoint_ranking_spec, workspace, filters, 3)
    if spec is None:
        st.info(
            "No touchpoint names in these responses — map a touchpoint column on "
            "import to see which moments help and hurt."
        )
        return
    st.vega_lite_chart(spec, width="stretch")
    st.caption(
        "Over every date the filters allow (not only the last "
        f"{WINDOW_DAYS} days of the tiles above, which would leave most touchpoints "
        "too few answers). Touchpoints with at least 30 answers when enough have them; "
        "the number beside each bar is its NPS and n."
    )


NO_SURVEY = (
    "This workspace has no survey answers yet, so there is no NPS, CSAT or CES to show. "
    "Import a survey export on **Import data** to see them here."
)


def without_survey_panels(workspace: str, filters: Filters) -> None:
    """The Overview of a workspace without survey answers: what it does hold (an event log,
    a customer list) as tiles, and where to see more; never an empty page."""
    from cem.analytics.events import flows as ja
    from cem.ui.share import link_params, page_offered

    st.info(NO_SURVEY, icon="📥")
    if ui.cached_analytics(ja.has_events, workspace):
        summary = ui.cached_analytics(ja.event_summary, workspace, filters)
        st.subheader("Event log")
        cols = st.columns(3)
        cols[0].metric("Events", format_count(summary["events"]))
        cols[1].metric("Customers", format_count(summary["customers"]))
        cols[2].metric("Touchpoints", format_count(summary["touchpoints"]))
        first, last = summary["first_at"], summary["last_at"]
        if first is not None:
            st.caption(f"From {first:%d %b %Y} to {last:%d %b %Y}")  # type: ignore[str-format]
        if page_offered("journey-analytics"):
            st.page_link(
                "pages/journey_analytics.py",
                label="See the journeys in Journey analytics",
                icon="🧭",
                query_params={"workspace": workspace} | link_params(),
            )
    people = ui.cached_analytics(customer_kpis.customer_summary, workspace, filters)
    if people["customers"]:
        st.subheader("Customers")
        cols = st.columns(3)
        cols[0].metric("Customers", format_count(people["customers"]))
        if people["churn_share"] is not None:
            cols[1].metric(
                "Churned",
                f"{people['churn_share']:.1f}%",
                help="Customers flagged as churned, of those whose churn flag is known.",
            )
            cols[1].caption(
                f"{format_count(people['churned'])} of {format_count(people['with_churn'])}"
            )
        if people["revenue"] is not None:
            cols[2].metric("Revenue", f"{people['revenue']:,.0f}", help="Sum over the list.")
