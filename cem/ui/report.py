"""The Overview's "Download summary (PDF)" button: the executive summary of the current
workspace and filters, cached on the workspace's data revision and the filters.

A read action: it works for read-only viewers and share-link sessions alike.
"""

from __future__ import annotations

import functools
import re

import streamlit as st

from cem import ui
from cem.analytics.filters import Filters
from cem.report.pdf import build_summary_pdf

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


@st.cache_data(ttl=ui.CACHE_TTL_SECONDS, max_entries=32, show_spinner=False)
def _summary_pdf(workspace: str, revision: int, filters: Filters) -> bytes:
    return build_summary_pdf(ui.get_engine(), workspace, filters)


def summary_pdf(workspace: str, filters: Filters) -> bytes:
    """The summary PDF (cached; any write to the workspace makes it rebuild)."""
    revision = ui.get_database().data_version(workspace)
    return _summary_pdf(workspace, revision, filters)


def download_summary_button(workspace: str, filters: Filters) -> None:
    """A "Download summary (PDF)" button for ``workspace`` under ``filters``; the PDF is
    built only when clicked (deferred ``data``), so the Overview does not wait for it."""
    with ui.page_guard():
        name = _UNSAFE_FILE_CHARS.sub("-", workspace).strip("-") or "workspace"
        st.download_button(
            "Download summary (PDF)",
            data=functools.partial(summary_pdf, workspace, filters),
            on_click="ignore",
            file_name=f"touchpoint-summary-{name}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
        )
