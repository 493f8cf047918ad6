"""Touchpoint's domain package: storage, import, KPIs, journeys and charts.

Importable and testable without a running Streamlit server; only :mod:`cem.ui`
imports Streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"
