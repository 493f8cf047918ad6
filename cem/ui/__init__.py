"""The thin Streamlit layer: the only part of ``cem`` that imports Streamlit.

Pages call these helpers for the shared database, the current workspace, the shared
filters, cached queries and safe text display; the domain logic stays in ``cem``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from cem.access.principal import LOCAL_ADMIN, Principal
from cem.analytics import result_cache
from cem.analytics.engine import Engine, duckdb_engine
from cem.analytics.filters import Filters
from cem.errors import TouchpointError
from cem.store.db import Database, resolve_db_path
from cem.store.workspaces import DEMO_WORKSPACE, list_workspaces

T = TypeVar("T")

CACHE_TTL_SECONDS = 600
# ASCII punctuation except & < > (which become HTML entities)
_MARKDOWN_SPECIAL = re.compile(r"([!-%'-/:;=?@\[-`{-~])")
# Where GitHub-flavoured markdown starts a bare-URL/e-mail autolink ("x://", "www.", "a@b"):
# it finds them in the text *after* backslash escapes are resolved, so escaping alone does
# not stop it. An invisible WORD JOINER (U+2060) breaks each pattern.
_AUTOLINK_START = re.compile(r"(?i)(:)(?=//)|\b(www)(?=\.)|(@)")
_WORD_JOINER = "\u2060"


# DuckDB's memory for queries in the app server (sorts and joins spill to disk beyond it),
# so the server stays small at ten million rows; TOUCHPOINT_MEMORY_LIMIT changes it.
SERVER_MEMORY_LIMIT = "1GB"


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    import os

    from cem.store.host import hosted_database  # the server's own, under `cem serve`

    db = hosted_database(path) or Database(path)
    db.cap_memory(os.environ.get("TOUCHPOINT_MEMORY_LIMIT", SERVER_MEMORY_LIMIT))
    return db


def get_database() -> Database:
    """The process-wide database (one connection; each thread uses its own cursor)."""
    return _database(resolve_db_path())


def get_engine() -> Engine:
    """The analytics engine for this thread: DuckDB on the process-wide database."""
    return duckdb_engine(get_database())


# The session's principal, resolved once per run by app.py (share link, signed-in user or
# single-user mode) and stored here; every mutating call passes ``current_principal()``.
PRINCIPAL_KEY = "touchpoint_principal"


def current_principal() -> Principal:
    """Who acts in this session: the principal app.py resolved for it.

    A page run on its own (AppTest of one page) has none: single-user mode, the local admin.
    """
    principal = st.session_state.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else LOCAL_ADMIN


def set_current_principal(principal: Principal) -> None:
    """Record who acts in this session (app.py calls it before the page runs)."""
    st.session_state[PRINCIPAL_KEY] = principal


# -- workspace -----------------------------------------------------------------------
def _choose_workspace(names: list[str]) -> str | None:
    """Of ``names``: the one in the URL (``?workspace=``), else the demo, else the first."""
    if not names:
        return None
    wanted = st.query_params.get("workspace")
    if wanted in names:
        return wanted
    return DEMO_WORKSPACE if DEMO_WORKSPACE in names else names[0]


def visible_workspaces() -> list[str]:
    """The workspaces the session's principal may see (its grants; all for an admin)."""
    granted = current_principal().workspaces
    names = list_workspaces(get_database())
    return names if granted is None else [n for n in names if n in granted]


def current_workspace() -> str | None:
    """The workspace in the URL (``?workspace=``), else the demo, else the first one the
    principal may see; for a share link's principal always the link's workspace (the URL
    cannot change it)."""
    principal = current_principal()
    if principal.kind == "share" and principal.workspaces:
        return sorted(principal.workspaces)[0]
    return _choose_workspace(visible_workspaces())


def set_workspace(name: str) -> None:
    """Switch the session (and the URL) to another workspace, dropping its filters."""
    st.query_params.clear()
    st.query_params["workspace"] = name


def workspace_switcher() -> str | None:
    """The sidebar's workspace select box; returns the chosen workspace."""
    names = visible_workspaces()
    current = _choose_workspace(names)
    if current is None:
        st.sidebar.info(
            "No workspace yet. Create one on the **Workspaces** page, "
            "or run `python -m cem demo` to load the demo."
        )
        return None
    choice = st.sidebar.selectbox(
        "Workspace", names, index=names.index(current), key="workspace_switcher"
    )
    if choice != current:
        set_workspace(choice)
        st.rerun()
    wanted = st.query_params.get("workspace")
    if wanted and wanted not in names:  # a link to a renamed, deleted or forbidden workspace
        st.warning(
            f"There is no workspace “{escape_markdown(wanted)}” that you can open (renamed or "
            f"deleted?): this is “{escape_markdown(current)}”.",
            icon="🔎",
        )
    if wanted != current:
        st.query_params["workspace"] = current
    return current


def require_workspace() -> str:
    """The current workspace, or stop the page with a hint when there is none."""
    workspace = current_workspace()
    if workspace is None:
        st.info("There is no workspace yet. Create one on the Workspaces page or import a file.")
        st.stop()
    return workspace  # type: ignore[return-value]


def current_filters() -> Filters:
    """The shared filters, read from the URL query parameters; in a share-link session the
    link's fixed filters win (:func:`cem.access.links.pin_filters`)."""
    from cem.access.links import pin_filters
    from cem.ui.share import fixed_filters

    return pin_filters(_url_filters(), fixed_filters())


def _url_filters() -> Filters:
    try:
        return Filters.from_query_params(
            st.query_params.to_dict()
            | {
                k: st.query_params.get_all(k)
                for k in st.query_params.keys()
                if len(st.query_params.get_all(k)) > 1
            }
        )
    except TouchpointError as exc:
        st.warning(f"Ignored the filters in the link: {escape_markdown(exc)}")
        return Filters()


# -- cached queries ------------------------------------------------------------------
def cached_query(func: Callable[..., T], workspace: str, *args: Any, **kwargs: Any) -> T:
    """Call ``func(db, workspace, *args, **kwargs)`` through the process-wide result cache
    (:mod:`cem.analytics.result_cache`).

    The cache key holds the workspace's data revision, so any write to the workspace
    (an import, a replace, a delete) makes the next call recompute; the after-import
    warmer (:mod:`cem.ui.warm`) fills the same cache.
    """
    return result_cache.cached_query(get_database(), func, workspace, *args, **kwargs)


def cached_analytics(func: Callable[..., T], workspace: str, *args: Any, **kwargs: Any) -> T:
    """Call ``func(engine, workspace, *args, **kwargs)`` through the cache (see
    :func:`cached_query`): for analytics functions, which take the :class:`Engine`."""
    return result_cache.cached_analytics(get_database(), func, workspace, *args, **kwargs)


# -- safe text ------------------------------------------------------------------------
def escape_markdown(text: object) -> str:
    """Escape user text for anything Streamlit renders as markdown (``st.markdown``,
    captions, messages, widget labels, help, tab and expander titles): shown literally,
    never as markup, links, images, autolinked bare URLs, emoji/icon shortcodes, LaTeX or
    HTML. Every ASCII punctuation mark gets a backslash (CommonMark shows it as itself),
    and ``& < >`` become entities. A bare URL or e-mail address gets an invisible word joiner
    after its ``:``, ``www`` or ``@`` (markdown autolinks them even when escaped).

    >>> escape_markdown("<b>*hi*</b>")
    '&lt;b&gt;\\\\*hi\\\\*&lt;\\\\/b&gt;'
    >>> escape_markdown("see https://x.io www.y.io a@b.io").replace("\\u2060", "|")
    'see https\\\\:|\\\\/\\\\/x\\\\.io www|\\\\.y\\\\.io a\\\\@|b\\\\.io'
    """
    text = _AUTOLINK_START.sub(lambda m: m.group(0) + _WORD_JOINER, str(text))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_error(exc: BaseException) -> None:
    """Show a Touchpoint error as a one-line message (never a traceback)."""
    st.error(
        escape_markdown(exc)
        if isinstance(exc, TouchpointError)
        else "Something went wrong while doing that. Nothing was changed.",
        icon="⚠️",
    )


from cem.ui.guard import guarded_fragment as guarded_fragment  # noqa: E402
from cem.ui.guard import page_guard as page_guard  # noqa: E402 - ``with ui.page_guard():``
