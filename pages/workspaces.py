"""Workspaces: list them with what they hold; open, create, rename, delete (with
confirmation); reload the demo data. All logic lives in :mod:`cem.store.workspaces` and
:mod:`cem.demo.workspace`; actions run in button callbacks so the sidebar switcher follows them.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.demo.workspace import DEMO_COMPANY, build_demo_workspace
from cem.errors import InputError, TouchpointError
from cem.format import format_count
from cem.store import workspaces

_FLASH = "ws_flash"
_ERROR = "ws_error"
_SWITCHER = "workspace_switcher"  # the key of the sidebar's select box (cem.ui)


# -- callbacks (run before the next script run, so they may reset widgets) -----------------
def _switch_to(name: str | None) -> None:
    """Make ``name`` the session's workspace (or none) and let the sidebar follow.

    Setting the switcher's state in a callback (before the widget is drawn again) makes
    Streamlit push the new value to the browser; merely forgetting it would leave the
    browser showing, and later sending back, the old workspace.
    """
    if name is None:
        st.session_state.pop(_SWITCHER, None)
        st.query_params.pop("workspace", None)
    else:
        st.session_state[_SWITCHER] = name
        ui.set_workspace(name)


def _fail(section: str, exc: Exception) -> None:
    st.session_state[_ERROR] = (section, exc)


def _on_open() -> None:
    name = st.session_state.get("ws_open_select")
    if name:
        _switch_to(name)
        st.session_state[_FLASH] = f"Switched to workspace '{name}'."


def _on_create() -> None:
    try:
        created = workspaces.create_workspace(
            ui.get_database(), st.session_state["ws_new_name"], actor=ui.current_principal()
        )
    except TouchpointError as exc:
        _fail("create", exc)
        return
    st.session_state["ws_new_name"] = ""
    _switch_to(created)
    st.session_state[_FLASH] = f"Created workspace '{created}' and switched to it."


def _on_rename(current: str | None) -> None:
    old = st.session_state.get("ws_rename_select")
    new = st.session_state.get("ws_rename_name", "")
    try:
        if not old:
            raise InputError("Choose a workspace to rename.")
        workspaces.rename_workspace(ui.get_database(), old, new, actor=ui.current_principal())
    except TouchpointError as exc:
        _fail("rename", exc)
        return
    clean = workspaces.validate_workspace_name(new)
    st.session_state["ws_rename_name"] = ""
    st.session_state.pop("ws_rename_select", None)
    _switch_to(clean if old == current else current)
    st.session_state[_FLASH] = f"Renamed workspace '{old}' to '{clean}'."


def _on_delete(current: str | None) -> None:
    name = st.session_state.get("ws_delete_select")
    typed = (st.session_state.get("ws_delete_confirm") or "").strip()
    db = ui.get_database()
    try:
        if not name:
            raise InputError("Choose a workspace to delete.")
        if typed != name:
            raise InputError(
                f"Type the workspace's name, '{name}', in the box to confirm the delete."
            )
        workspaces.delete_workspace(db, name, actor=ui.current_principal())
    except TouchpointError as exc:
        _fail("delete", exc)
        return
    st.session_state["ws_delete_confirm"] = ""
    st.session_state.pop("ws_delete_select", None)
    if name == current:
        remaining = workspaces.list_workspaces(db)
        _switch_to(remaining[0] if remaining else None)
    st.session_state[_FLASH] = f"Deleted workspace '{name}' and all of its data."


def _count(n: int, noun: str) -> str:
    """'1 journey map', '21,078 responses'."""
    return f"{format_count(n)} {noun}{'' if n == 1 else 's'}"


def _show_error(section: str) -> None:
    pending = st.session_state.get(_ERROR)
    if pending and pending[0] == section:
        del st.session_state[_ERROR]
        ui.show_error(pending[1])


# -- page ---------------------------------------------------------------------------------
st.title("Workspaces")
st.caption(
    "A workspace is one isolated set of data — its imports, journeys and KPIs never mix "
    "with another workspace's. Pick the one you work in from the sidebar or below."
)
flash = st.session_state.pop(_FLASH, None)
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
    st.dataframe(
        [
            {
                "": "▶" if s.name == current else "",
                "Workspace": s.name,
                "Responses": s.responses,
                "Events": s.events,
                "Customers": s.customers,
                "Journeys": s.journeys,
                "Last import": f"{s.last_import_at:%Y-%m-%d %H:%M}" if s.last_import_at else "—",
                "Latest file": s.last_import_file or "—",
            }
            for s in summaries
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "": st.column_config.TextColumn("", width=30, help="the workspace you are in"),
            "Workspace": st.column_config.TextColumn(width=170),
            "Responses": st.column_config.NumberColumn(format="localized"),
            "Events": st.column_config.NumberColumn(format="localized"),
            "Customers": st.column_config.NumberColumn(format="localized"),
            "Journeys": st.column_config.NumberColumn(format="localized"),
            "Last import": st.column_config.TextColumn(width=125),
            "Latest file": st.column_config.TextColumn(width="large"),
        },
        key="ws_table",
    )
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
    st.button("Create workspace", key="ws_create", type="primary", on_click=_on_create)
    _show_error("create")

with right.container(border=True):
    st.markdown("#### Open a workspace")
    if names:
        st.selectbox(
            "Workspace",
            names,
            index=names.index(current) if current in names else 0,
            key="ws_open_select",
        )
        st.button("Switch to this workspace", key="ws_open", on_click=_on_open)
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
        st.button("Rename", key="ws_rename", on_click=_on_rename, args=(current,))
        _show_error("rename")
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
                f"{_count(info.responses, 'response')}, {_count(info.events, 'event')}, "
                f"{_count(info.customers, 'customer')} and {_count(info.journeys, 'journey map')}."
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
            on_click=_on_delete,
            args=(current,),
            disabled=target is None or typed.strip() != target,
        )
        _show_error("delete")
    else:
        st.caption("Nothing to delete.")

with st.container(border=True):
    st.markdown("#### Demo data")
    demo_exists = workspaces.DEMO_WORKSPACE in names
    st.markdown(
        f"The workspace **{workspaces.DEMO_WORKSPACE}** holds a fictional broadband provider, "
        f"{DEMO_COMPANY}: 5,000 customers, 18 months of surveys with comments, a touchpoint "
        "event log and a journey map, always generated the same way. "
        + (
            "Reloading rebuilds it from scratch; changes you made in it are replaced."
            if demo_exists
            else "It was deleted; load it again to look around."
        )
    )
    if st.button("Reload demo data" if demo_exists else "Load demo data", key="ws_reload_demo"):
        with st.status("Building the demo workspace…", expanded=True) as status:
            try:
                summary = build_demo_workspace(
                    db, progress=status.write, actor=ui.current_principal()
                )
            except TouchpointError as exc:
                status.update(label="The demo could not be built", state="error")
                ui.show_error(exc)
            else:
                status.update(label=summary, state="complete")
                st.session_state[_FLASH] = summary
                st.rerun()
