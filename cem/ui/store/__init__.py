"""Streamlit panels over :mod:`cem.store` (workspaces)."""
