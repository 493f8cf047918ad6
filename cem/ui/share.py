"""Share links in the app: the link session gate (app.py) and the "Share this view" panel.

:func:`share_gate` runs first on every script run. A session opened with ``?share=TOKEN``
keeps that token for its whole life (in ``st.session_state``): every run re-verifies it
(revocation and expiry take effect at once), puts it back into the URL with the link's
workspace and fixed filters, and records the read-only share principal. A bad token shows
one sentence and stops the run: no navigation, no data.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cem import ui
from cem.access.links import (
    DEFAULT_PAGES,
    EXPIRY_DAYS,
    SHAREABLE_PAGES,
    LinkSession,
    create_link,
    link_url,
    list_links,
    open_link,
    revoke_link,
)
from cem.analytics.filters import Filters
from cem.errors import ShareLinkInvalid, TouchpointError
from cem.format import format_minute

TOKEN_KEY = "touchpoint_share_token"
SESSION_KEY = "touchpoint_share_session"


def link_session() -> LinkSession | None:
    """The share link this session was opened with (None: not a link session)."""
    session = st.session_state.get(SESSION_KEY)
    return session if isinstance(session, LinkSession) else None


def share_gate() -> LinkSession | None:
    """Resolve a share-link session (see the module doc); None when there is no link."""
    token = st.session_state.get(TOKEN_KEY) or st.query_params.get("share")
    if not token:
        return None
    first_visit = TOKEN_KEY not in st.session_state
    st.session_state[TOKEN_KEY] = token
    try:
        session = open_link(ui.get_database(), token, record=first_visit)
    except ShareLinkInvalid as exc:
        st.session_state.pop(SESSION_KEY, None)
        st.error(ui.escape_markdown(exc), icon="🔒")
        st.stop()
    st.session_state[SESSION_KEY] = session
    ui.set_current_principal(session.principal)
    if st.query_params.get("share") != token:
        st.query_params["share"] = token
    if st.query_params.get("workspace") != session.workspace:
        st.query_params["workspace"] = session.workspace
    for key in [k for k in st.query_params.keys() if k.lower() == "mode"]:
        del st.query_params[key]
    return session


def link_pages(pages: list[Any], session: LinkSession) -> list[Any]:
    """Of the app's ``st.Page`` objects, those the link allows (the default page's url
    path is empty: it is ``home``)."""
    return [p for p in pages if (p.url_path or DEFAULT_PAGES[0]) in session.pages]


def page_offered(url_path: str) -> bool:
    """True when this session's navigation has the page (a link session: its pages only)."""
    session = link_session()
    return session is None or url_path in session.pages


def link_params() -> dict[str, str]:
    """Query parameters an in-page link must carry to keep this session's share token."""
    token = st.session_state.get(TOKEN_KEY)
    return {"share": str(token)} if link_session() is not None and token else {}


def fixed_filters() -> Filters:
    """The link's fixed filters (none outside a link session)."""
    session = link_session()
    return session.filters if session is not None else Filters()


def _expiry_label(days: int | None) -> str:
    return "never" if days is None else f"{days} day" + ("s" if days > 1 else "")


def share_panel(workspace: str, page: str, filters: Filters) -> None:
    """The "Share this view" control: make a signed link to this page and filters, and
    list (and revoke) the workspace's links. Shown only to who may create links."""
    principal = ui.current_principal()
    from cem.access.principal import allowed

    if not allowed(principal, "share.create", workspace).ok:
        return
    st.caption("Read-only link for executives: this page, these filters, nothing else.")
    days = st.selectbox(
        "Expires after", EXPIRY_DAYS, index=2, format_func=_expiry_label, key="share:expiry"
    )
    if st.button("Create share link", key="share:create"):
        try:
            # Pages a link cannot open (Import, Journey map, …) share the Overview instead.
            page = page if page in SHAREABLE_PAGES else DEFAULT_PAGES[0]
            link = create_link(
                ui.get_database(), principal, workspace, [page], filters, expires_days=days
            )
        except TouchpointError as exc:
            ui.show_error(exc)
        else:
            st.session_state["share:last"] = link_url(_base_url(), link.token or "", page)
    if st.session_state.get("share:last"):
        st.code(st.session_state["share:last"], language=None, wrap_lines=True)
    links = list_links(ui.get_database(), workspace)
    if links:
        st.markdown("**Links of this workspace**")
    for link in links:
        state = "revoked" if link.revoked_at else f"expires {format_minute(link.expires_at)}"
        opened = format_minute(link.last_opened_at)
        st.caption(
            ui.escape_markdown(
                f"{link.id} · {', '.join(link.pages)} · {link.filters.describe()} · by "
                f"{link.created_by} · created {link.created_at:%Y-%m-%d %H:%M} · {state} · "
                f"last opened {opened}"
            )
        )
        if link.revoked_at is None and st.button("Revoke", key=f"share:revoke:{link.id}"):
            revoke_link(ui.get_database(), principal, link.id)
            st.rerun()


def _base_url() -> str:
    try:
        url = str(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        url = ""
    base = url.split("?", 1)[0]
    return base.rsplit("/", 1)[0] if base.count("/") > 2 else base or "http://localhost:8501"
