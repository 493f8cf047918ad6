"""Streamlit helpers for the KPI pages: charts drawn from cached Vega-Lite specs.

Building an Altair chart and turning it into a spec costs 50-300 ms of Python per chart;
the KPI explorer and Key drivers draw one each, the Voice of the customer page two (the
Overview's specs are results of :mod:`cem.charts.specs`). :func:`show_chart` builds a
chart with a pure builder from :mod:`cem.charts.kpi` or :mod:`cem.charts.voc` (named
``"kpi.<builder>"`` / ``"voc.<builder>"``) once per (builder, data, options) and caches
the resulting spec, so a rerun only ships the cached spec to the
browser. The spec is not checked against the Vega-Lite schema here (that check was half
of a cold build); the builders' specs are checked in ``tests/test_charts_kpi.py``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.analytics import catalogue
from cem.charts import kpi as kpi_charts
from cem.charts import voc as voc_charts

CHART_FAMILIES = {"kpi": kpi_charts, "voc": voc_charts}


@st.cache_data(max_entries=256, show_spinner=False)
def chart_spec(
    builder: str, frame: pd.DataFrame, options: tuple[tuple[str, Any], ...]
) -> dict[str, Any]:
    """The Vega-Lite spec of ``cem.charts.<family>.<name>(frame, **options)`` for ``builder``
    ``"<family>.<name>"`` (cached on the frame's content and the options)."""
    family, name = builder.split(".", 1)
    return getattr(CHART_FAMILIES[family], name)(frame, **dict(options)).to_dict(validate=False)


def show_chart(container: Any, builder: str, frame: pd.DataFrame, **options: Any) -> dict[str, Any]:
    """Draw ``cem.charts.<builder>(frame, **options)`` from its cached spec; returns
    the spec (for the PNG/SVG exports of exactly what is drawn)."""
    spec = chart_spec(builder, frame, tuple(sorted(options.items())))
    container.vega_lite_chart(spec, width="stretch")
    return spec


def require_metrics(workspace: str, empty_message: str) -> dict[str, str]:
    """Metric key -> label for the workspace's metrics (cached); when it has none, show
    ``empty_message`` and stop the page."""
    available = ui.cached_analytics(catalogue.available_metrics, workspace)
    if not available:
        st.info(empty_message)
        st.stop()
    return available


def coarsen_period_choice(key: str, first: Any, last: Any) -> str | None:
    """Before the "Period" control is drawn: when the dates span more than
    :data:`~cem.analytics.kpis.MAX_TREND_PERIODS` of the chosen period, the control moves to
    the coarser one the trend is drawn by (so it never says "Month" under a quarterly
    chart). Returns the period it moved from, for :func:`trend_period_notice`."""
    from cem.analytics import kpis

    chosen = st.session_state.get(key) or "month"
    shown = kpis.trend_period(chosen, first, last)
    if shown == chosen:
        return None
    st.session_state[key] = shown
    return str(chosen)


def trend_period_notice(moved_from: str | None, shown: str) -> None:
    """The caption under a trend whose period is coarser than the one picked."""
    from cem.analytics import kpis

    if moved_from is not None:
        st.caption(
            f"These dates span more than {kpis.MAX_TREND_PERIODS} {moved_from}s, so the trend "
            f"is shown by {shown}."
        )


def partial_period_notice(period: str, first: Any, last: Any, filters: Any, metric: str) -> None:
    """The caption under a trend whose first or last period holds only part of its days
    (the data's dates, narrowed by the date filter): a month exported on the 14th is not a
    drop."""
    from cem.analytics import kpis, labels

    if filters.date_from is not None and first is not None:
        first = max(first, filters.date_from)
    if filters.date_to is not None and last is not None:
        last = min(last, filters.date_to)
    partial = kpis.partial_periods(period, first, last)
    note = labels.partial_period_note(period, partial, count=metric == "responses")
    if note:
        st.caption(note)
