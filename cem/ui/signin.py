"""The sign-in gate app.py runs before any page: who is this session's principal?

A share-link session (its principal already set, ``kind == "share"``) passes. With no
account in the database and no single sign-on configured the app is in single-user mode
(the local admin; the sidebar says so). Once any account exists, or an ``[auth]`` section
is in ``secrets.toml`` (OIDC through Streamlit's ``st.login``), a session must sign in:
until it does, the sign-in form is the only page. A sign-in expires after
``$TOUCHPOINT_SESSION_HOURS``; the account is re-read on every run, so a disabled or
removed account's open sessions end on their next run and role or grant changes apply at
once. A single sign-on address gets its role from the allow-list in
``[touchpoint.oidc]`` (:mod:`cem.access.sso`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from cem import ui
from cem.access.audit import record
from cem.access.principal import LOCAL_ADMIN, Principal, Role
from cem.access.signin import Session, sign_in
from cem.access.sso import normalise_email, parse_policy, sso_principal
from cem.access.users import active_principal, has_users
from cem.errors import AccessDenied, TouchpointError

SESSION_KEY = "touchpoint_signin"
NOTE_KEY = "touchpoint_signin_note"
SSO_SEEN_KEY = "touchpoint_sso_seen"
# Who acts while the database cannot be read (locked, damaged): nobody, with no workspace.
# Every page is listed so each can say what is wrong, and every change is refused in cem.
UNAVAILABLE = Principal("nobody", Role.VIEWER, workspaces=frozenset(), kind="unavailable")
SINGLE_USER_NOTE = "Single-user mode — anyone who can open this address can edit"
SESSION_ENDED = "Your session has ended: sign in again."


def sso_settings() -> Mapping[str, Any] | None:
    """The ``[touchpoint.oidc]`` section when single sign-on is configured (an ``[auth]``
    section in ``secrets.toml``), else ``None``."""
    try:
        if "auth" not in st.secrets:
            return None
        return st.secrets.get("touchpoint", {}).get("oidc", {}) or {}
    except FileNotFoundError:  # no secrets.toml at all
        return None


def resolve_principal() -> Principal | None:
    """The session's principal (also set as :func:`ui.current_principal`), or ``None`` when
    it must sign in first."""
    existing = st.session_state.get(ui.PRINCIPAL_KEY)
    if isinstance(existing, Principal) and existing.kind == "share":
        return existing
    sso = sso_settings()
    try:
        users_exist = has_users(ui.get_database())
    except TouchpointError:  # the page itself shows what is wrong with the database
        ui.set_current_principal(UNAVAILABLE)
        return UNAVAILABLE
    if not users_exist and sso is None:
        st.session_state.pop(SESSION_KEY, None)
        ui.set_current_principal(LOCAL_ADMIN)
        st.sidebar.caption(ui.escape_markdown(SINGLE_USER_NOTE))
        return LOCAL_ADMIN
    if sso is not None and st.user.get("is_logged_in"):
        return _sso_session(sso)
    return _password_session()


def _password_session() -> Principal | None:
    session = st.session_state.get(SESSION_KEY)
    current = None
    if isinstance(session, Session) and session.valid():
        current = active_principal(ui.get_database(), session.principal.name)
    if current is not None:
        ui.set_current_principal(current)
        _account_box(current)
        return current
    if isinstance(session, Session):
        st.session_state[NOTE_KEY] = SESSION_ENDED
    sign_out()
    return None


def _sso_session(settings: Mapping[str, Any]) -> Principal | None:
    """The principal of the address signed in through ``st.login`` (None: refused)."""
    email = normalise_email(st.user.get("email"))
    db = ui.get_database()
    try:
        principal = sso_principal(
            parse_policy(settings), email, verified=st.user.get("email_verified", True)
        )
    except (AccessDenied, ValueError) as exc:
        if st.session_state.get(SSO_SEEN_KEY) != ("refused", email):
            st.session_state[SSO_SEEN_KEY] = ("refused", email)
            record(db, _attempt(email), "signin.sso_refused", None, email, str(exc))
        st.session_state[NOTE_KEY] = str(exc)
        st.session_state.pop(ui.PRINCIPAL_KEY, None)
        return None
    if st.session_state.get(SSO_SEEN_KEY) != ("ok", email):
        st.session_state[SSO_SEEN_KEY] = ("ok", email)
        record(db, principal, "signin.sso", None, email, f"role {principal.role.label}")
    st.session_state.pop(NOTE_KEY, None)
    ui.set_current_principal(principal)
    _account_box(principal)
    return principal


def _attempt(name: str) -> Principal:
    return Principal(name or "(empty)", Role.VIEWER, workspaces=frozenset(), kind="sso")


def _account_box(principal: Principal) -> None:
    """'Signed in as NAME (role) · Sign out' in the sidebar."""
    via = " via single sign-on" if principal.kind == "sso" else ""
    st.sidebar.caption(
        f"Signed in as {ui.escape_markdown(principal.name)} ({principal.role.label}){via}"
    )
    if st.sidebar.button("Sign out", key="touchpoint_sign_out"):
        sign_out()
        if principal.kind == "sso":
            st.logout()
        st.rerun()


def sign_out() -> None:
    """Forget this session's sign-in."""
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(ui.PRINCIPAL_KEY, None)
    st.session_state.pop(SSO_SEEN_KEY, None)


def _on_sign_in() -> None:
    name = st.session_state.get("signin_name", "")
    password = st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""
    try:
        session = sign_in(ui.get_database(), name, password)
    except AccessDenied as exc:
        st.session_state[NOTE_KEY] = str(exc)
        return
    st.session_state.pop(NOTE_KEY, None)
    st.session_state[SESSION_KEY] = session
    ui.set_current_principal(session.principal)


def _sso_buttons(settings: Mapping[str, Any]) -> None:
    """'Sign in with SSO' (or, after a refused address, 'Use another account')."""
    if st.user.get("is_logged_in"):
        if st.button("Use another account", key="touchpoint_sso_logout"):
            sign_out()
            st.logout()
        return
    if st.button("Sign in with SSO", type="primary", key="touchpoint_sso_login"):
        st.login(parse_policy(settings).provider)


def sign_in_page() -> None:
    """The sign-in form: the only page a session sees before it signs in."""
    st.title("🧭 Touchpoint")
    st.subheader("Sign in")
    note = st.session_state.get(NOTE_KEY)
    if note:
        st.error(ui.escape_markdown(note), icon="🔒")
    sso = sso_settings()
    if sso is not None:
        _sso_buttons(sso)
    if has_users(ui.get_database()):
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
