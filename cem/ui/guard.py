"""The page guard: every page body runs inside :func:`page_guard`.

A :class:`~cem.errors.TouchpointError` (bad input, a locked database, a missing
workspace …) is shown as its one clear line. Any other exception is shown as one line with
a short error id, while its full traceback goes to the log file and stderr
(:mod:`cem.logs`); with ``client.showErrorDetails = "none"`` Streamlit never shows a
traceback either. ``st.stop()`` / ``st.rerun()`` / ``st.switch_page()`` pass through.

While another process (a ``python -m cem`` command) holds the database, the page says so
in one sentence and reloads by itself once the database can be opened again; the sidebar
stays quiet so the sentence is shown once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec

import streamlit as st

from cem.errors import TouchpointError
from cem.logs import log_exception
from cem.store.errors import DatabaseLockedError

RETRY_SECONDS = 2
P = ParamSpec("P")


def locked_message(exc: DatabaseLockedError) -> str:
    """The one sentence a page shows while another process holds the database."""
    holder = f" (process {exc.pid})" if exc.pid else ""
    return (
        f"Another program{holder}, most likely a `python -m cem` command, is using the "
        "database right now: this page opens it by itself as soon as that program ends."
    )


@st.fragment(run_every=RETRY_SECONDS)
def _reopen_when_free() -> None:
    """Try the database every few seconds; rerun the whole page once it opens."""
    from cem import ui  # cem.ui imports this module

    try:
        ui.get_database()
    except DatabaseLockedError:
        return
    st.rerun(scope="app")


def unexpected_error_message(error_id: str) -> str:
    """The one line a user sees for an unexpected error."""
    return (
        f"Something went wrong on this page (error id {error_id}). Nothing was changed; "
        "reload to try again, and quote the id if you report it."
    )


@contextmanager
def page_guard(where: str = "page") -> Iterator[None]:
    """Run a page body (or the sidebar) so that no traceback reaches the browser."""
    try:
        yield
    except DatabaseLockedError as exc:
        if where != "sidebar":  # the page says it, once
            st.info(locked_message(exc), icon="⏳")
            _reopen_when_free()
    except TouchpointError as exc:
        from cem.ui import escape_markdown  # cem.ui imports this module

        # Messages quote user text (file names, URL parameters): shown literally, never
        # as markdown links or images.
        st.error(escape_markdown(exc), icon="⚠️")
    except Exception as exc:  # noqa: BLE001 - the guard is where everything else ends
        st.error(unexpected_error_message(log_exception(exc, where)), icon="⚠️")


def guarded_fragment(func: Callable[P, None]) -> Callable[P, None]:
    """``st.fragment`` whose body runs inside :func:`page_guard`: a fragment reruns on its
    own (a widget inside it changed), outside the page's guard, so it brings its own.

    A panel that fails shows its one line; the rest of the page stays.
    """

    @functools.wraps(func)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        with page_guard(func.__name__):
            func(*args, **kwargs)

    return st.fragment(guarded)
