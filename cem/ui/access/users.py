"""The Users page's panels (admins): the account table, add a user, change one (role,
grants, password, disable/enable, remove) and "Check access", which explains why a user
or a share link may or may not do an action (:func:`cem.access.principal.explain`).

Every change goes through :mod:`cem.access.users` with the session's principal as
``actor``: those functions refuse anyone but an admin, whatever this page shows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cem import ui
from cem.access import users
from cem.access.links import link_principal, list_links
from cem.access.principal import ACTIONS, Principal, Role, explain
from cem.errors import TouchpointError
from cem.format import format_minute
from cem.store.workspaces import list_workspaces

FLASH = "users:flash"
NO_WORKSPACE = "(not tied to a workspace)"
ROLES = [r.label for r in sorted(Role, reverse=True)]


def _run(action, *args, flash: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Call a cem change as this session's principal; flash the outcome or the error."""
    try:
        action(ui.get_database(), *args, actor=ui.current_principal(), **kwargs)
    except TouchpointError as exc:
        st.session_state[FLASH] = ("error", str(exc))
    else:
        st.session_state[FLASH] = ("ok", flash)


def show_flash() -> None:
    """The outcome of the last change (kept across the rerun a callback causes)."""
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, text = flash
        if kind == "ok":
            st.success(ui.escape_markdown(text), icon="✅")
        else:
            st.error(ui.escape_markdown(text), icon="⚠️")


def _when(value: dt.datetime | None) -> str:
    return format_minute(value) + (" UTC" if value is not None else "")


def user_table(accounts: list[users.User]) -> None:
    """One row per account: role, workspaces, last sign-in, disabled."""
    if not accounts:
        st.info(
            "No account yet: the app is in single-user mode (anyone who can open this "
            "address can edit). Add an admin first: once any account exists, everyone "
            "signs in.",
            icon="ℹ️",
        )
        return
    frame = pd.DataFrame(
        {
            "User": [u.name for u in accounts],
            "Role": [u.role.label for u in accounts],
            "Workspaces": [
                "all" if u.role is Role.ADMIN else ", ".join(u.workspaces) or "none"
                for u in accounts
            ],
            "Last sign-in": [_when(u.last_sign_in) for u in accounts],
            "Disabled": [u.disabled for u in accounts],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _on_add(first: bool) -> None:
    state = st.session_state
    _run(
        users.add_user,
        state["users:new_name"],
        "admin" if first else state["users:new_role"],
        state["users:new_password"],
        workspaces=tuple(state.get("users:new_workspaces") or ()),
        flash=f"Added {str(state['users:new_name']).strip()}.",
    )
    state["users:new_password"] = ""


def add_user_form(first: bool, workspaces: list[str]) -> None:
    """Name, role, workspaces and a password (at least 8 characters)."""
    with (
        st.expander("➕ Add a user", expanded=first),
        st.form("users:add", border=False),
    ):
        left, right = st.columns(2)
        left.text_input("User name", key="users:new_name")
        if first:
            right.selectbox("Role", ["admin"], disabled=True, key="users:new_role_first")
        else:
            right.selectbox("Role", ROLES, index=ROLES.index("viewer"), key="users:new_role")
        st.multiselect(
            "Workspaces (editors and viewers see only these)",
            workspaces,
            key="users:new_workspaces",
        )
        st.text_input("Password", type="password", key="users:new_password")
        st.form_submit_button("Add user", type="primary", on_click=_on_add, args=(first,))


def _on_save(name: str) -> None:
    state = st.session_state
    role = state[f"users:role:{name}"]
    try:
        db, actor = ui.get_database(), ui.current_principal()
        users.set_role(db, name, role, actor=actor)
        users.set_grants(db, name, tuple(state[f"users:grants:{name}"]), actor=actor)
    except TouchpointError as exc:
        state[FLASH] = ("error", str(exc))
    else:
        state[FLASH] = ("ok", f"Saved {name}: {role}.")


def _on_password(name: str) -> None:
    key = f"users:password:{name}"
    _run(
        users.set_password,
        name,
        st.session_state.get(key, ""),
        flash=f"Password of {name} changed.",
    )
    st.session_state[key] = ""


def edit_user_panel(accounts: list[users.User], workspaces: list[str]) -> None:
    """Pick an account; change its role and grants, its password, disable or remove it."""
    if not accounts:
        return
    st.markdown("**Change a user**")
    names = [u.name for u in accounts]
    name = st.selectbox("User", names, key="users:selected")
    account = accounts[names.index(name)]
    left, right = st.columns(2)
    with left.container(border=True):
        st.selectbox("Role", ROLES, index=ROLES.index(account.role.label), key=f"users:role:{name}")
        st.multiselect(
            "Workspaces",
            sorted({*workspaces, *account.workspaces}),
            default=list(account.workspaces),
            key=f"users:grants:{name}",
            help="Admins see every workspace whatever is granted here.",
        )
        st.button(
            "Save role and workspaces", key=f"users:save:{name}", on_click=_on_save, args=(name,)
        )
    with right.container(border=True):
        st.text_input("New password", type="password", key=f"users:password:{name}")
        st.button("Reset password", key=f"users:reset:{name}", on_click=_on_password, args=(name,))
        label = "Enable account" if account.disabled else "Disable account"
        st.button(
            label,
            key=f"users:toggle:{name}",
            on_click=_run,
            args=(users.set_disabled, name, not account.disabled),
            kwargs={"flash": f"{name} {'enabled' if account.disabled else 'disabled'}."},
            help="A disabled account cannot sign in; its open sessions end on their next run.",
        )
        sure = st.checkbox(f"Yes, remove {name}", key=f"users:sure:{name}")
        st.button(
            "Remove user",
            key=f"users:remove:{name}",
            disabled=not sure,
            on_click=_run,
            args=(users.remove_user, name),
            kwargs={"flash": f"Removed {name}."},
        )


def _subjects(accounts: list[users.User]) -> dict[str, Principal | None]:
    """Who the access check can ask about: accounts (None: disabled) and share links."""
    db = ui.get_database()
    subjects: dict[str, Principal | None] = {
        f"{u.name} ({u.role.label})": None if u.disabled else users.principal_for(db, u.name)
        for u in accounts
    }
    for link in list_links(db):
        if link.revoked_at is None:
            label = f"share link {link.id} ({link.workspace})"
            subjects[label] = link_principal(link.id, link.workspace)
    return subjects


def check_access_panel(accounts: list[users.User], workspaces: list[str]) -> None:
    """'Check access': may this user (or link) do this action in this workspace, and why."""
    st.markdown("**Check access**")
    subjects = _subjects(accounts)
    if not subjects:
        st.caption("No account or share link to check yet.")
        return
    who_col, action_col, ws_col = st.columns(3)
    who = who_col.selectbox("Who", list(subjects), key="users:check_who")
    action = action_col.selectbox("Action", list(ACTIONS), key="users:check_action")
    choices = [NO_WORKSPACE, *workspaces]
    current = ui.current_workspace()
    workspace = ws_col.selectbox(
        "Workspace",
        choices,
        index=choices.index(current) if current in choices else 0,
        key="users:check_ws",
    )
    principal = subjects[who]
    if principal is None:
        st.error(ui.escape_markdown(f"Refused: {who} is disabled and cannot sign in."))
        return
    decision = explain(principal, action, None if workspace == NO_WORKSPACE else workspace)
    verdict = "Allowed" if decision.ok else "Refused"
    (st.success if decision.ok else st.error)(ui.escape_markdown(f"{verdict}: {decision.reason}."))
    for step in decision.steps:
        st.caption(ui.escape_markdown(step))


def users_page() -> None:
    """The whole page body (pages/users.py calls it)."""
    show_flash()
    db = ui.get_database()
    accounts = users.list_users(db, actor=ui.current_principal())
    workspaces = list_workspaces(db)
    user_table(accounts)
    add_user_form(not accounts, workspaces)
    edit_user_panel(accounts, workspaces)
    check_access_panel(accounts, workspaces)
