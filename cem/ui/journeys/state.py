"""Session state of the journey map page: who is editing, what happened, what is open.

The journey itself lives in DuckDB; the session only remembers the editor's name, the
outcome messages of the last operations, which dialog is open, the present-mode focus
and the journey as last read (reused while its version is unchanged).
``?journey=<id>`` and ``?present=1`` in the URL make a view shareable.

The map is a keyed fragment (:data:`MAP_FRAGMENT`): a dialog's callback saves and then
reruns only the map (:func:`redraw_map`), so an edit shows without a full-page rerun.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, NoReturn

import streamlit as st

from cem import ui
from cem.errors import ConflictError, TouchpointError
from cem.journeys import api as jm
from cem.journeys.model import Journey
from cem.ui.journeys.widgets import Outcome

OUTCOMES = "jm_outcomes"
DIALOG = "jm_dialog"  # (kind, id) of the open dialog, or absent
FOCUS = "jm_focus"  # the stage index focused in present mode
OPENED_VERSION = "jm_dialog_version"  # the version the open dialog's text was filled from
CLOSING = "jm_dialog_closing"  # the kind of dialog a Save just closed (the map closes it)
READ = "jm_read"  # (key, journey, memo): the journey as last read, and what was derived from it
MAP_FRAGMENT = "jm_map"  # the key of the map's fragment
OPENED_FILL = "jm_dialog_fill"  # what the open dialog's fields were filled with


def author() -> str:
    """The editor's display name (colleagues see it in the history): the signed-in user's
    name, else a guest name of its own (``Guest-3f9a``) that the editor may change. Called
    before the name field is drawn, so the field starts from it."""
    if "author_name" not in st.session_state:
        principal = ui.current_principal()
        signed_in = principal.kind in ("user", "sso")
        st.session_state["author_name"] = (
            principal.name if signed_in else f"Guest-{secrets.token_hex(2)}"
        )
    return (st.session_state.get("author_name") or "").strip() or "Guest"


def remember(outcomes: list[Outcome]) -> None:
    """Keep outcome messages for the next run (callbacks run before the page draws)."""
    st.session_state.setdefault(OUTCOMES, []).extend(outcomes)


def attempt(func: Callable[[], Any], ok: str | Callable[[Any], str]) -> bool:
    """Run one operation; remember what happened. True when it was saved. ``ok`` is the
    message, or makes it from what ``func`` returned."""
    try:
        result = func()
    except ConflictError as exc:
        remember([Outcome("conflict", str(exc))])
        return False
    except TouchpointError as exc:
        remember([Outcome("error", str(exc))])
        return False
    remember([Outcome("saved", ok if isinstance(ok, str) else ok(result))])
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
    return st.session_state.get("jm_seen_version")


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
    st.session_state[OPENED_FILL] = dict(fill or {})
    for key, value in (fill or {}).items():
        st.session_state[key] = value


def changed_in_dialog(keys: dict[str, str]) -> dict[str, Any]:
    """Of the dialog's fields (field -> widget key), those the user changed since it
    opened, with their new values: a Save writes only them, so it never puts back what a
    colleague changed meanwhile in a field the user did not touch."""
    opened = st.session_state.get(OPENED_FILL) or {}
    return {
        field: st.session_state.get(key)
        for field, key in keys.items()
        if key not in opened or st.session_state.get(key) != opened[key]
    }


def close_dialog() -> None:
    """Forget the open dialog (the X, Esc, a click outside, or after Save)."""
    st.session_state.pop(DIALOG, None)
    st.session_state.pop(OPENED_VERSION, None)
    st.session_state.pop(OPENED_FILL, None)


def dismissed() -> None:
    """The X, Esc or a click outside closed the dialog: forget it, and have the next map
    run send its closed state too, so a redraw that was already on its way (a move in
    the dialog) cannot leave it open again on the screen."""
    opened = st.session_state.get(DIALOG)
    if opened:
        st.session_state[CLOSING] = opened[0]
    close_dialog()


def redraw_map() -> NoReturn:
    """From a widget callback: rerun only the map fragment (the open dialog stays open
    and is redrawn from the saved journey)."""
    st.rerun(MAP_FRAGMENT)


def saved_and_close(whole_page: bool = False) -> NoReturn:
    """From a dialog's callback after a save: close the dialog and rerun only the map,
    which closes the dialog on the screen (:func:`cem.ui.journeys.dialogs.close_closed`);
    ``whole_page`` reruns the page (the journey's name, in the picker above the map)."""
    opened = st.session_state.get(DIALOG)
    if opened:
        st.session_state[CLOSING] = opened[0]
    close_dialog()
    if whole_page:
        st.rerun()
    st.rerun(MAP_FRAGMENT)


def read_journey(workspace: str, journey_id: int) -> Journey:
    """The journey, read again only when its version moved (one cheap query otherwise)."""
    db = ui.get_database()
    version = jm.journey_version(db, workspace, journey_id)
    held = st.session_state.get(READ)
    key = (db.path, workspace, int(journey_id), version)
    if held is not None and held[0] == key:
        return held[1]
    journey = jm.get_journey(db, workspace, journey_id)
    st.session_state[READ] = ((db.path, workspace, int(journey_id), journey.version), journey, {})
    return journey


def remembered(slot: str, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` again only when ``key`` changed since this session's last call for
    ``slot`` (one value per slot: the curve, the data behind the map)."""
    held = st.session_state.get(f"jm_memo_{slot}")
    if held is not None and held[0] == key:
        return held[1]
    value = compute()
    st.session_state[f"jm_memo_{slot}"] = (key, value)
    return value


def derived(journey: Journey, name: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per journey version (and ``name``): curve specs, undo state…"""
    held = st.session_state.get(READ)
    if held is None or held[1] is not journey:
        return compute()
    memo = held[2]
    if name not in memo:
        memo[name] = compute()
    return memo[name]


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


# -- dialogs ----------------------------------------------------------------------------
# kind -> (title, width): one place, so the map can close the dialog it showed.
DIALOGS: dict[str, tuple[str, str]] = {
    "touchpoint": ("Edit touchpoint", "large"),
    "new_touchpoint": ("Add a touchpoint", "small"),
    "stage": ("Stage", "small"),
    "cell": ("Lane text", "small"),
    "details": ("Journey and persona", "large"),
    "lanes": ("Lanes", "large"),
}


def dialog(kind: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The ``st.dialog`` decorator of one kind of dialog (title and width from :data:`DIALOGS`)."""
    title, width = DIALOGS[kind]
    return st.dialog(title, width=width, on_dismiss=dismissed)  # type: ignore[arg-type]


def close_closed() -> None:
    """In the map's run after a Save: close the dialog the Save closed.

    A dialog is mounted outside the fragment that opened it, so rerunning only the map
    would leave it on the screen; this sends the closed state of that same dialog (its
    title, width and dismiss handler make the same element). Streamlit 1.67.0 has no
    public call for it: its ``st.dialog`` documentation closes a dialog programmatically
    only with a full-app ``st.rerun()`` (what the fallback does, at the cost of the whole
    page), and ``st.rerun(scope="fragment")`` reruns the map without closing the dialog.
    Should the internal call be missing or change, the full rerun closes the dialog.
    """
    kind = st.session_state.pop(CLOSING, None)
    if kind not in DIALOGS:
        return
    title, width = DIALOGS[kind]
    try:
        from streamlit.delta_generator_singletons import get_dg_singleton_instance

        events = get_dg_singleton_instance().event_dg
        events._dialog(title=title, width=width, on_dismiss=dismissed).close()
    except (ImportError, AttributeError, TypeError):
        st.rerun()


def quick(func: Callable[[], Any], ok: str) -> None:
    """A quick change from inside an open dialog: save, then redraw the map behind it."""
    if attempt(func, ok):
        redraw_map()


def final(func: Callable[[], Any], ok: str, whole_page: bool = False) -> None:
    """A Save/Add/Delete: save, close the dialog and redraw the map (kept open on failure;
    ``whole_page``: the page, for a change the picker shows)."""
    if attempt(func, ok):
        saved_and_close(whole_page)
