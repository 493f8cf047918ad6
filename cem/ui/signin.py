"""The sign-in gate app.py runs before any page: who is this session's principal?

A share-link session (its principal already set, ``kind == "share"``) passes. With no
account in the database the app is in single-user mode (the local admin; the sidebar
says so). Once any account exists, a session must sign in: until it does, the sign-in
form is the only page. A sign-in expires after ``$TOUCHPOINT_SESSION_HOURS``.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.access.principal import LOCAL_ADMIN, Principal, Role
from cem.access.signin import Session, sign_in
from cem.access.users import has_users
from cem.errors import AccessDenied, TouchpointError

SESSION_KEY = "touchpoint_signin"
# Who acts while the database cannot be read (locked, damaged): nobody, with no workspace.
# Every page is listed so each can say what is wrong, and every change is refused in cem.
UNAVAILABLE = Principal("nobody", Role.VIEWER, workspaces=frozenset(), kind="unavailable")
SINGLE_USER_NOTE = "Single-user mode — anyone who can open this address can edit"


def resolve_principal() -> Principal | None:
    """The session's principal (also set as :func:`ui.current_principal`), or ``None`` when
    it must sign in first."""
    existing = st.session_state.get(ui.PRINCIPAL_KEY)
    if isinstance(existing, Principal) and existing.kind == "share":
        return existing
    try:
        users_exist = has_users(ui.get_database())
    except TouchpointError:  # the page itself shows what is wrong with the database
        ui.set_current_principal(UNAVAILABLE)
        return UNAVAILABLE
    if not users_exist:
        st.session_state.pop(SESSION_KEY, None)
        ui.set_current_principal(LOCAL_ADMIN)
        st.sidebar.caption(ui.escape_markdown(SINGLE_USER_NOTE))
        return LOCAL_ADMIN
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, Session) and session.valid():
        ui.set_current_principal(session.principal)
        _account_box(session.principal)
        return session.principal
    if isinstance(session, Session):
        st.session_state["touchpoint_signin_note"] = "Your session expired: sign in again."
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ui.PRINCIPAL_KEY, None)
    return None


def _account_box(principal: Principal) -> None:
    """'Signed in as NAME (role) · Sign out' in the sidebar."""
    st.sidebar.caption(
        f"Signed in as {ui.escape_markdown(principal.name)} ({principal.role.label})"
    )
    if st.sidebar.button("Sign out", key="touchpoint_sign_out"):
        sign_out()
        st.rerun()


def sign_out() -> None:
    """Forget this session's sign-in."""
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ui.PRINCIPAL_KEY, None)


def _on_sign_in() -> None:
    name = st.session_state.get("signin_name", "")
    password = st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""
    try:
        session = sign_in(ui.get_database(), name, password)
    except AccessDenied as exc:
        st.session_state["touchpoint_signin_note"] = str(exc)
        return
    st.session_state.pop("touchpoint_signin_note", None)
    st.session_state[SESSION_KEY] = session
    ui.set_current_principal(session.principal)


def sign_in_page() -> None:
    """The sign-in form: the only page a session sees before it signs in."""
    st.title("🧭 Touchpoint")
    st.subheader("Sign in")
    note = st.session_state.get("touchpoint_signin_note")
    if note:
        st.error(ui.escape_markdown(note), icon="🔒")
    with st.form("signin_form", border=True):
        st.text_input("User name", key="signin_name", autocomplete="username")
        st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        st.form_submit_button("Sign in", type="primary", on_click=_on_sign_in)
    st.caption("Ask your Touchpoint administrator for an account.")


def sign_in_navigation(url_paths: list[str]) -> None:
    """Show only the sign-in form, then stop the run. Every page's address (``url_paths``)
    shows the form too, so a deep link asks to sign in and opens its page afterwards."""
    pages = [
        st.Page(sign_in_page, title="Sign in", icon="🔒", url_path=path, default=not i)
        for i, path in enumerate(["sign-in", *(p for p in url_paths if p)])
    ]
    st.navigation(pages, position="hidden").run()
    st.stop()
