"""Workspaces: list them with what they hold; open, create, rename, delete (with
confirmation); reload the demo data. Callbacks and panels live in
:mod:`cem.ui.store.workspaces`, all logic in :mod:`cem.store.workspaces`.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.errors import TouchpointError
from cem.store import workspaces
from cem.ui.store.workspaces import (
    FLASH,
    count_label,
    demo_panel,
    on_create,
    on_delete,
    on_open,
    on_rename,
    show_section_error,
    workspace_table,
)

st.title("Workspaces")
st.caption(
    "A workspace is one isolated set of data — its imports, journeys and KPIs never mix "
    "with another workspace's. Pick the one you work in from the sidebar or below."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(ui.escape_markdown(flash), icon="✅")

db = ui.get_database()
try:
    summaries = workspaces.workspace_summaries(db)
    current = ui.current_workspace()
except TouchpointError as exc:
    ui.show_error(exc)
    st.stop()
names = [s.name for s in summaries]

if not summaries:
    st.info("There is no workspace yet. Create one below, or load the demo data to look around.")
else:
    workspace_table(summaries, current)
    if current is not None:
        st.caption(f"▶ You are in **{ui.escape_markdown(current)}**.")

left, right = st.columns(2)
with left.container(border=True):
    st.markdown("#### Create a workspace")
    st.text_input(
        "New workspace name",
        key="ws_new_name",
        max_chars=workspaces.MAX_NAME_LENGTH,
        placeholder="e.g. Acme Retail",
    )
    st.button("Create workspace", key="ws_create", type="primary", on_click=on_create)
    show_section_error("create")

with right.container(border=True):
    st.markdown("#### Open a workspace")
    if names:
        st.selectbox(
            "Workspace",
            names,
            index=names.index(current) if current in names else 0,
            key="ws_open_select",
        )
        st.button("Switch to this workspace", key="ws_open", on_click=on_open)
    else:
        st.caption("Nothing to open yet.")

left, right = st.columns(2)
with left.container(border=True):
    st.markdown("#### Rename")
    if names:
        st.selectbox(
            "Workspace to rename",
            names,
            index=names.index(current) if current in names else 0,
            key="ws_rename_select",
        )
        st.text_input("New name", key="ws_rename_name", max_chars=workspaces.MAX_NAME_LENGTH)
        st.button("Rename", key="ws_rename", on_click=on_rename, args=(current,))
        show_section_error("rename")
    else:
        st.caption("Nothing to rename yet.")

with right.container(border=True):
    st.markdown("#### Delete")
    if names:
        target = st.selectbox(
            "Workspace to delete",
            names,
            index=None,
            key="ws_delete_select",
            placeholder="Choose a workspace",
        )
        if target is not None:
            info = summaries[names.index(target)]
            st.warning(
                f"Deleting **{ui.escape_markdown(target)}** removes "
                f"{count_label(info.responses, 'response')}, {count_label(info.events, 'event')}, "
                f"{count_label(info.customers, 'customer')} and {count_label(info.journeys, 'journey map')}."
                " This cannot be undone.",
                icon="⚠️",
            )
        typed = st.text_input(
            "Type the workspace's name to confirm",
            key="ws_delete_confirm",
            disabled=target is None,
        )
        st.button(
            "Delete workspace",
            key="ws_delete",
            on_click=on_delete,
            args=(current,),
            disabled=target is None or typed.strip() != target,
        )
        show_section_error("delete")
    else:
        st.caption("Nothing to delete.")

demo_panel(db, names)
