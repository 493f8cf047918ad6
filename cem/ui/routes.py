"""Addresses that lead to another page: ``/home`` opens the Overview at ``/``.

Streamlit serves the default page only at the root URL, so its own ``url_path`` (``home``,
the name share links and the filter bar use for it) would show "Page not found". The app
adds :func:`home_alias` as a hidden page at ``/home`` that switches to the default page,
keeping the query parameters (workspace, filters, a share token).
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

HOME = "home"
APP_ICON = "🧭"  # the browser tab's icon (st.set_page_config)


def home_alias(home: StreamlitPage) -> StreamlitPage:
    """A hidden page at ``/home`` that opens ``home`` (the default page) instead."""

    def open_home() -> None:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        st.switch_page(home, query_params=params)

    return st.Page(open_home, title=home.title, icon=home.icon, url_path=HOME, visibility="hidden")
