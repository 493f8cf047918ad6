"""Touchpoint: the Streamlit entry point.

A router only: it sets the page up, shows the workspace switcher and the shared filter
bar in the sidebar, and hands over to the page chosen in ``st.navigation``.
A share link (``?share=TOKEN``, :mod:`cem.ui.share`) gives a read-only session scoped to
the link's workspace, pages and fixed filters for its whole life.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.ui.filters import sidebar_filters
from cem.ui.guard import page_guard
from cem.ui.routes import APP_ICON, HOME, home_alias
from cem.ui.share import link_pages, share_gate
from cem.ui.signin import resolve_principal, sign_in_navigation
from cem.ui.voc import install_import_hook
from cem.ui.warm import install_warm_hook

st.set_page_config(
    page_title="Touchpoint", page_icon=APP_ICON, layout="wide", initial_sidebar_state="expanded"
)

share = share_gate()  # a ?share= link session; a bad token stops here with one sentence
install_import_hook()  # comments are analysed in the background after each import
install_warm_hook()  # then the heavy pages' first results are computed into the cache

insight_pages = [
    # Served at "/" (its declared path is never shown; not the file name, which AppTest
    # would take for a pages/ directory page); "/home" is the hidden alias below.
    st.Page("pages/overview.py", title="Overview", icon="📊", url_path="home-page", default=True),
    st.Page("pages/explorer.py", title="KPI explorer", icon="📈", url_path="kpi-explorer"),
    st.Page("pages/drivers.py", title="Key drivers", icon="🎯", url_path="key-drivers"),
    st.Page(
        "pages/journey_analytics.py",
        title="Journey analytics",
        icon="🔀",
        url_path="journey-analytics",
    ),
    st.Page("pages/verbatims.py", title="Voice of the customer", icon="💬", url_path="voice"),
]
workshop_pages = [
    st.Page("pages/journey_map.py", title="Journey map", icon="🗺️", url_path="journey-map"),
]
data_pages = [
    st.Page("pages/import_data.py", title="Import data", icon="📥", url_path="import"),
    st.Page("pages/workspaces.py", title="Workspaces", icon="🗂️", url_path="manage-workspaces"),
]

# The gate: a share link, a signed-in user or single-user mode; else only the sign-in form.
principal = None
with page_guard("sign-in"):
    principal = resolve_principal()
if principal is None:
    admin_paths = [
        HOME,
        "audit-log",
        "manage-users",
    ]  # deep links to the admin pages ask to sign in too
    sign_in_navigation(
        [p.url_path for p in [*insight_pages, *workshop_pages, *data_pages]] + admin_paths
    )
read_only = share is not None or (principal.read_only and principal.kind != "unavailable")
if not read_only and (principal.role.label == "admin" or principal.kind == "unavailable"):
    data_pages.append(st.Page("pages/audit.py", title="Audit log", icon="🛡️", url_path="audit-log"))
    data_pages.append(st.Page("pages/users.py", title="Users", icon="👥", url_path="manage-users"))
home_page = insight_pages[0]
if share is not None:
    shared = link_pages(insight_pages, share)
    alias = [home_alias(home_page)] if home_page in shared else []
    navigation = st.navigation({"Shared view": shared + alias})
elif read_only:
    navigation = st.navigation({"Insights": [*insight_pages, home_alias(home_page)]})
else:
    navigation = st.navigation(
        {
            "Insights": [*insight_pages, home_alias(home_page)],
            "Workshop": workshop_pages,
            "Data": data_pages,
        }
    )

if navigation.url_path == HOME:  # the /home alias only switches to "/": no sidebar first
    navigation.run()
st.sidebar.markdown("### 🧭 Touchpoint")
with st.sidebar, page_guard("sidebar"):
    workspace = ui.workspace_switcher() if share is None else ui.current_workspace()
    if workspace is not None:
        if share is not None:
            st.sidebar.caption(
                f"Workspace: {ui.escape_markdown(workspace)} · shared read-only view"
            )
        elif read_only:
            st.sidebar.caption(f"Workspace: {ui.escape_markdown(workspace)} · read-only")
        sidebar_filters(workspace)

# Every page body (ui.require_workspace() included) runs inside the one page guard.
with page_guard(navigation.url_path or navigation.title):
    navigation.run()
