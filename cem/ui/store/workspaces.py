"""The Workspaces page's callbacks and panels: create, open, rename, delete (with
confirmation), the table of what each workspace holds, and the demo reload.

Callbacks run before the next script run, so they may reset widgets and move the sidebar
switcher; all logic lives in :mod:`cem.store.workspaces` and :mod:`cem.demo.workspace`.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.demo.workspace import DEMO_COMPANY, build_demo_workspace
from cem.errors import InputError, TouchpointError
from cem.format import format_count
from cem.store import workspaces
from cem.store.db import Database
from cem.store.workspaces import WorkspaceSummary

FLASH = "ws_flash"
ERROR = "ws_error"
SWITCHER = "workspace_switcher"  # the key of the sidebar's select box (cem.ui)


# -- callbacks (run before the next script run, so they may reset widgets) -----------------
def switch_to(name: str | None) -> None:
    """Make ``name`` the session's workspace (or none) and let the sidebar follow.

    Setting the switcher's state in a callback (before the widget is drawn again) makes
    Streamlit push the new value to the browser; merely forgetting it would leave the
    browser showing, and later sending back, the old workspace.
    """
    if name is None:
        st.session_state.pop(SWITCHER, None)
        st.query_params.pop("workspace", None)
    else:
        st.session_state[SWITCHER] = name
        ui.set_workspace(name)


def remember_error(section: str, exc: Exception) -> None:
    """Keep a callback's error for its section to show on the next run."""
    st.session_state[ERROR] = (section, exc)


def on_open() -> None:
    """Switch to the workspace picked in the Open box."""
    name = st.session_state.get("ws_open_select")
    if name:
        switch_to(name)
        st.session_state[FLASH] = f"Switched to workspace '{name}'."


def on_create() -> None:
    """Create the workspace named in the Create box and switch to it."""
    try:
        created = workspaces.create_workspace(
            ui.get_database(), st.session_state["ws_new_name"], actor=ui.current_principal()
        )
    except TouchpointError as exc:
        remember_error("create", exc)
        return
    st.session_state["ws_new_name"] = ""
    switch_to(created)
    st.session_state[FLASH] = f"Created workspace '{created}' and switched to it."


def on_rename(current: str | None) -> None:
    """Rename the picked workspace; the session follows it when it was the current one."""
    old = st.session_state.get("ws_rename_select")
    new = st.session_state.get("ws_rename_name", "")
    try:
        if not old:
            raise InputError("Choose a workspace to rename.")
        workspaces.rename_workspace(ui.get_database(), old, new, actor=ui.current_principal())
    except TouchpointError as exc:
        remember_error("rename", exc)
        return
    clean = workspaces.validate_workspace_name(new)
    st.session_state["ws_rename_name"] = ""
    st.session_state.pop("ws_rename_select", None)
    switch_to(clean if old == current else current)
    st.session_state[FLASH] = f"Renamed workspace '{old}' to '{clean}'."


def on_delete(current: str | None) -> None:
    """Delete the picked workspace once its name was typed to confirm."""
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
        remember_error("delete", exc)
        return
    st.session_state["ws_delete_confirm"] = ""
    st.session_state.pop("ws_delete_select", None)
    if name == current:
        remaining = workspaces.list_workspaces(db)
        switch_to(remaining[0] if remaining else None)
    st.session_state[FLASH] = f"Deleted workspace '{name}' and all of its data."


def count_label(n: int, noun: str) -> str:
    """'1 journey map', '21,078 responses'."""
    return f"{format_count(n)} {noun}{'' if n == 1 else 's'}"


def show_section_error(section: str) -> None:
    """Show the error a callback left for ``section``, once."""
    pending = st.session_state.get(ERROR)
    if pending and pending[0] == section:
        del st.session_state[ERROR]
        ui.show_error(pending[1])


def workspace_table(summaries: list[WorkspaceSummary], current: str | None) -> None:
    """What each workspace holds, the current one marked."""
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


def demo_panel(db: Database, names: list[str]) -> None:
    """Load or rebuild the demo workspace, with progress."""
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
                else "Load it to look around before importing your own data."
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
                    st.session_state[FLASH] = summary
                    st.rerun()
