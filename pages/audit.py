"""Audit log (admins): who did what, where and when."""

from __future__ import annotations

import streamlit as st

from cem.ui.access.audit import audit_log_panel

st.title("Audit log")
audit_log_panel()
