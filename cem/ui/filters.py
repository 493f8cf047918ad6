"""The sidebar filter bar shared by every page, mirrored to the URL.

:func:`sidebar_filters` draws the date range, segment, persona, channel and touchpoint
pickers and, under "More filters", the stage and every text attribute of the uploads.
The URL query parameters are the shared state (:class:`cem.analytics.filters.Filters`):

- the first time a session shows a workspace, the widgets are filled FROM the URL, so a
  copied link reproduces the sender's view;
- on every run, the widgets' values are written back TO the URL (only the filter keys;
  ``workspace``, ``share`` and the page's own keys are kept), before the page runs, so
  ``ui.current_filters()`` on any page sees exactly what the sidebar shows, and links
  survive page switches.

Pages read the filters with :func:`cem.ui.current_filters`, never from the widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from cem import ui
from cem.access.links import pin_filters
from cem.analytics.catalogue import dimension_values, filter_date_bounds
from cem.analytics.filters import ATTRIBUTE_PREFIX, Filters
from cem.analytics.labels import dimension_label
from cem.ui.share import fixed_filters, share_panel

MAIN_DIMENSIONS: tuple[str, ...] = ("segment", "persona", "channel", "touchpoint")
DATES_KEY = "flt:dates"
LOADED_KEY = "_flt_workspace"
ADD_KEY = "flt:add"  # the "Filter on another attribute" picker
ADDED_KEY = "_flt_added"  # attributes the user added from it
MORE_KEY = "flt:more"  # the "More filters" box (its contents are drawn while it is open)
SHARE_KEY = "flt:share"  # the "Share" pop-over (drawn while it is open)
MORE_SHOWN = 12  # attribute filters shown at once under "More filters"


def widget_key(dim: str) -> str:
    """The session-state key of a dimension's multiselect (AppTest finds it by this).

    >>> widget_key("segment")
    'flt:segment'
    """
    return f"flt:{dim}"


def _load_widgets(
    filters: Filters, dims: Sequence[str], low: dt.date | None, high: dt.date | None
) -> None:
    """Put the URL's filters into the widgets' session state (before they are drawn)."""
    for dim in dims:
        st.session_state[widget_key(dim)] = list(filters.values(dim))
    if low is not None and high is not None:
        start = filters.date_from or low
        end = filters.date_to or high
        st.session_state[DATES_KEY] = (start, end)


def _clear(dims: Sequence[str], low: dt.date | None, high: dt.date | None) -> None:
    """The "Clear filters" button's callback: empty every picker, full date range."""
    _load_widgets(Filters(), dims, low, high)


def _widget_filters(dims: Sequence[str], low: dt.date | None, high: dt.date | None) -> Filters:
    """The filters the widgets currently show."""
    date_from = date_to = None
    chosen = st.session_state.get(DATES_KEY)
    if low is not None and isinstance(chosen, (tuple, list)) and len(chosen) == 2:
        start, end = chosen
        date_from = start if start and start != low else None
        date_to = end if end and end != high else None
    picked = {dim: st.session_state.get(widget_key(dim)) or [] for dim in dims}
    return Filters.make(date_from, date_to, **picked)


def _sync_url(filters: Filters) -> None:
    """Make the URL's filter keys equal ``filters`` (other keys untouched)."""
    wanted = filters.to_query_params()
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    current_filters = {
        k: v
        for k, v in current.items()
        if k in ("from", "to") or k in dict(Filters.from_query_params({k: v}).dimensions)
    }
    for key in current_filters:
        if key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        as_list = [value] if isinstance(value, str) else list(value)
        if current.get(key) != as_list:
            st.query_params[key] = value


def share_link() -> str:
    """The current page's URL with its query (filters, workspace)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    base = ""
    try:
        base = str(st.context.url or "")
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        base = ""
    base = base.split("?", 1)[0]
    return f"{base}?{urlencode(params, doseq=True)}"


def sidebar_filters(workspace: str) -> None:
    """Draw the shared filter bar in the sidebar and mirror it to ``st.query_params``."""
    values = ui.cached_analytics(dimension_values, workspace)
    low, high = ui.cached_analytics(filter_date_bounds, workspace)
    main = [d for d in MAIN_DIMENSIONS if d in values]
    more = [d for d in values if d not in MAIN_DIMENSIONS]
    url_filters = ui.current_filters()
    # Values in a link that this workspace does not have are kept (as options), so the
    # view matches the link exactly (and shows "no answers") rather than silently widening.
    options = {d: list(dict.fromkeys([*values[d], *url_filters.values(d)])) for d in values}
    for dim, chosen in url_filters.dimensions:
        if dim not in options:
            options[dim] = list(chosen)
            more.append(dim)
    dims = main + more
    if st.session_state.get(LOADED_KEY) != workspace:
        _load_widgets(url_filters, dims, low, high)
        st.session_state[LOADED_KEY] = workspace
    fixed = fixed_filters()  # a share link's fixed filters: shown, never changeable
    _pin_widgets(fixed, low, high)

    sidebar = st.sidebar
    sidebar.markdown("**Filters**")
    if low is not None and high is not None:
        chosen = st.session_state.get(DATES_KEY)
        lo_bound = min([low, *[d for d in (chosen or ()) if isinstance(d, dt.date)]])
        hi_bound = max([high, *[d for d in (chosen or ()) if isinstance(d, dt.date)]])
        if DATES_KEY not in st.session_state:
            st.session_state[DATES_KEY] = (low, high)
        sidebar.date_input(
            "Date range",
            min_value=lo_bound,
            max_value=hi_bound,
            key=DATES_KEY,
            format="YYYY-MM-DD",
            disabled=fixed.date_from is not None or fixed.date_to is not None,
        )
    else:
        sidebar.caption(
            "No dates in this data — upload a file with a date column to filter by date."
        )
    for dim in main:
        _multiselect(sidebar, dim, options[dim], disabled=bool(fixed.values(dim)))
    active_more = sum(bool(st.session_state.get(widget_key(d))) for d in more)
    if more:
        label = "More filters" + (f" ({active_more} active)" if active_more else "")
        shown, rest = split_more_filters(more, options, st.session_state)
        more_box = sidebar.expander(
            label, expanded=bool(active_more), key=MORE_KEY, on_change="rerun"
        )
        # Drawn only while open (or while one of them holds a value, so a choice is never
        # dropped): a closed box of multiselects cost every page view ~0.1 s in the browser.
        if more_box.open is not False or active_more:
            with more_box:
                _more_filters(shown, rest, options, fixed)

    filters = pin_filters(_widget_filters(dims, low, high), fixed)
    _sync_url(filters)

    cols = sidebar.columns(2)
    cols[0].button(
        "Clear filters",
        key="flt:clear",
        on_click=_clear,
        args=(dims, low, high),
        disabled=filters.is_empty,
        width="stretch",
    )
    if not ui.current_principal().read_only:
        share_box = cols[1].popover("🔗 Share", width="stretch", key=SHARE_KEY, on_change="rerun")
        if share_box.open is not False:  # drawn when opened: it reads the workspace's links
            with share_box:
                st.caption("Anyone who may use this Touchpoint sees this exact view at:")
                st.code(share_link(), language=None, wrap_lines=True)
                share_panel(workspace, current_page(), filters)
    sidebar.caption("Showing: " + ui.escape_markdown(filters.describe()))


def _more_filters(
    shown: Sequence[str], rest: Sequence[str], options: dict[str, list[str]], fixed: Filters
) -> None:
    """The contents of "More filters": a multiselect per attribute shown, and a picker
    that adds one of the ``rest``."""
    for dim in shown:
        _multiselect(st, dim, options[dim], disabled=bool(fixed.values(dim)))
    if rest:
        st.selectbox(
            f"Filter on another attribute ({len(rest):,} more)",
            [None, *rest],
            format_func=lambda d: "Choose…" if d is None else dimension_label(d),
            key=ADD_KEY,
            on_change=_add_filter,
        )


def split_more_filters(
    more: Sequence[str], options: dict[str, list[str]], state: Any
) -> tuple[list[str], list[str]]:
    """The "More filters" shown at once and those offered on demand: the attributes with the
    fewest values (at least two) first, up to :data:`MORE_SHOWN`, plus any with a value
    chosen or added by the user; the rest wait in a picker (a wide file has thousands).

    >>> opts = {"attr:a": ["1", "2"], "attr:b": ["x"], "attr:c": list("abc")}
    >>> split_more_filters(list(opts), opts, {})
    (['attr:a', 'attr:b', 'attr:c'], [])
    """
    ranked = sorted(more, key=lambda d: (len(options.get(d, [])) < 2, len(options.get(d, []))))
    added = set(state.get(ADDED_KEY, []))
    wanted = {d for d in more if state.get(widget_key(d)) or d in added}
    shown = [d for d in ranked[:MORE_SHOWN]] + [d for d in ranked[MORE_SHOWN:] if d in wanted]
    chosen = set(shown)
    return [d for d in more if d in chosen], [d for d in ranked if d not in chosen]


def _add_filter() -> None:
    """The attribute picker's callback: show that attribute's filter from now on."""
    dim = st.session_state.get(ADD_KEY)
    if dim:
        st.session_state[ADDED_KEY] = [*st.session_state.get(ADDED_KEY, []), dim]
    st.session_state[ADD_KEY] = None


def _pin_widgets(fixed: Filters, low: dt.date | None, high: dt.date | None) -> None:
    """Put a share link's fixed filters into their widgets on every run (before drawing)."""
    for dim, values in fixed.dimensions:
        st.session_state[widget_key(dim)] = list(values)
    if (fixed.date_from or fixed.date_to) and low is not None and high is not None:
        st.session_state[DATES_KEY] = (fixed.date_from or low, fixed.date_to or high)


def current_page() -> str:
    """The url path of the page this run shows (``home`` for the default page)."""
    try:
        path = str(st.context.url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        path = ""
    return path if path and ":" not in path and "." not in path else "home"


def _multiselect(container: object, dim: str, options: list[str], disabled: bool = False) -> None:
    key = widget_key(dim)
    current = [v for v in st.session_state.get(key) or [] if v in options]
    # Every value picked ("Select all") is no filter: back to "All" (a URL listing every
    # value, hundreds long, filtered nothing but the rows without a value).
    st.session_state[key] = [] if len(options) > 1 and set(current) == set(options) else current
    container.multiselect(  # type: ignore[attr-defined]
        ui.escape_markdown(dimension_label(dim)),
        options,
        key=key,
        placeholder="All" if not dim.startswith(ATTRIBUTE_PREFIX) else "Any",
        disabled=disabled,
    )
