"""Streamlit panels of the Journey analytics page (one per view), over
:mod:`cem.analytics.events`."""
