"""Session state of the journey map page: who is editing, what happened, what is open.

The journey itself lives in DuckDB; the session only remembers the editor's name, the
outcome messages of the last operations, which dialog is open and the present-mode
focus. ``?journey=<id>`` and ``?present=1`` in the URL make a view shareable.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import streamlit as st

from cem import ui
from cem.errors import ConflictError, TouchpointError
from cem.ui.journeys.widgets import Outcome

BASE = "jm_base"  # the journey as the page last showed it (edits are relative to it)
OUTCOMES = "jm_outcomes"
DIALOG = "jm_dialog"  # (kind, id) of the open dialog, or absent
FOCUS = "jm_focus"  # the stage index focused in present mode
OPENED_VERSION = "jm_dialog_version"  # the version the open dialog's text was filled from


def author() -> str:
    """The editor's display name (colleagues see it in the history)."""
    if "author_name" not in st.session_state:
        st.session_state["author_name"] = f"Guest-{secrets.token_hex(2)}"
    return (st.session_state.get("author_name") or "").strip() or "Guest"


def remember(outcomes: list[Outcome]) -> None:
    """Keep outcome messages for the next run (callbacks run before the page draws)."""
    st.session_state.setdefault(OUTCOMES, []).extend(outcomes)


def attempt(func: Callable[[], Any], ok: str) -> bool:
    """Run one operation; remember what happened. True when it was saved."""
    try:
        func()
    except ConflictError as exc:
        remember([Outcome("conflict", str(exc))])
        return False
    except TouchpointError as exc:
        remember([Outcome("error", str(exc))])
        return False
    remember([Outcome("saved", ok)])
    return True


def edit_kwargs() -> dict[str, Any]:
    """The acting principal and display name every change is made with."""
    return {"actor": ui.current_principal(), "author": author()}


def select(journey_id: int) -> None:
    """Open another journey (on the next run) and name it in the URL."""
    st.session_state["jm_pending_select"] = journey_id
    st.query_params["journey"] = str(journey_id)


def picked() -> None:
    """The journey picker changed: name the map in the URL."""
    st.query_params["journey"] = str(st.session_state["journey_picker"])


def seen_version() -> int | None:
    """The journey version the user last saw (whole-journey edits check it)."""
    base = st.session_state.get(BASE)
    return st.session_state.get("jm_seen_version") or (base.version if base else None)


def open_dialog(
    kind: str, target: Any = None, fill: dict[str, Any] | None = None, version: int | None = None
) -> None:
    """Open a dialog on the next run, with its widgets filled from ``fill``.

    ``version`` is the version of what the text was filled from: the dialog's Save checks
    against it, so a colleague's change made while the dialog is open is a conflict, even
    though the live map behind the dialog has already been redrawn with it.
    """
    st.session_state[DIALOG] = (kind, target)
    st.session_state[OPENED_VERSION] = version
    for key, value in (fill or {}).items():
        st.session_state[key] = value


def close_dialog() -> None:
    """Forget the open dialog (the X, Esc, a click outside, or after Save)."""
    st.session_state.pop(DIALOG, None)
    st.session_state.pop(OPENED_VERSION, None)


def opened_version(current: int) -> int:
    """The version the open dialog was filled from (``current`` when none was kept)."""
    seen = st.session_state.get(OPENED_VERSION)
    return current if seen is None else int(seen)


def rebase(version: int) -> None:
    """The user's own quick save made ``version``: their open text is now relative to it."""
    if st.session_state.get(DIALOG):
        st.session_state[OPENED_VERSION] = version


def present_mode() -> bool:
    """True while the map is shown for the projector (``?present=1``)."""
    return st.query_params.get("present") == "1"


def set_present(on: bool) -> None:
    """Enter or leave present mode (kept in the URL, so a reload stays there)."""
    if on:
        st.query_params["present"] = "1"
        st.session_state[FOCUS] = None
    else:
        st.query_params.pop("present", None)
    close_dialog()


def step_focus(step: int, n_stages: int) -> None:
    """Move the present-mode focus one stage left or right (none → first/last)."""
    current = st.session_state.get(FOCUS)
    if current is None:
        st.session_state[FOCUS] = 0 if step > 0 else max(0, n_stages - 1)
    else:
        st.session_state[FOCUS] = max(0, min(n_stages - 1, int(current) + step))
