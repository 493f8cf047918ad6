"""The audit log page body: filters by user, action and date, a table, a CSV export."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from cem import ui
from cem.access.audit import browse
from cem.export import frame_to_csv_text


def audit_log_panel() -> None:
    """Filter and show the audit log (admins only: :func:`browse` checks ``audit.view``)."""
    left, middle, right = st.columns(3)
    user = left.text_input("User", key="audit_user").strip() or None
    action = middle.text_input("Action (or its start, e.g. signin)", key="audit_action")
    today = dt.datetime.now(dt.UTC).date()
    dates = right.date_input(
        "Dates", value=(today - dt.timedelta(days=30), today), key="audit_dates"
    )
    since, until = (dates[0], dates[-1]) if isinstance(dates, tuple) and dates else (None, None)
    frame = browse(
        ui.get_database(),
        actor=ui.current_principal(),
        user=user,
        action=action.strip() or None,
        since=since,
        until=until,
    )
    st.caption(f"{len(frame):,} entr{'y' if len(frame) == 1 else 'ies'}, newest first (UTC).")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        frame_to_csv_text(frame),
        file_name="touchpoint-audit.csv",
        mime="text/csv",
        key="audit_csv",
    )
