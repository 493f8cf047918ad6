"""Voice of the customer: every comment with its scores, sentiment and themes; full-text
search; themes with their NPS impact and trend. Thin: widgets → cem.voc → panels in
cem.ui.voc. The shared filter bar applies; search, theme, sort and page live in the URL."""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.errors import TouchpointError
from cem.export import frame_to_csv_bytes
from cem.ui import voc as panels
from cem.voc import themes
from cem.voc.verbatims import all_verbatims, verbatims_page

st.title("💬 Voice of the customer")
workspace = ui.require_workspace()
filters = ui.current_filters()

try:
    status = panels.analysis_status(workspace)
    theme_table = ui.cached_query(themes.list_themes, workspace)
    theme_options = dict(zip(theme_table.theme_id.astype(int), theme_table.label, strict=False))
    st.caption(
        f"Filters: {ui.escape_markdown(filters.describe())} · sentiment and themes are "
        "computed once per import, offline."
    )
    names = ["🧭 Themes", "💬 Comments"]
    if st.query_params.get("theme") or st.query_params.get("q"):
        names.reverse()  # a link to a theme or a search opens on its comments
    tabs = dict(zip(names, st.tabs(names), strict=True))
    themes_tab, comments_tab = tabs["🧭 Themes"], tabs["💬 Comments"]

    with comments_tab:
        q = panels.query_from_params(list(theme_options))
        q = panels.search_controls(q, theme_options)
        page = ui.cached_analytics(verbatims_page, workspace, filters, q)
        if q.theme_id is not None:
            panels.theme_detail(workspace, filters, q.theme_id, theme_options[q.theme_id])
        top = st.columns([3, 1])
        with top[0]:
            panels.save_search_as_theme(workspace, q.search)
        top[1].download_button(
            f"Download CSV (first {panels.EXPORT_ROWS:,})",
            data=frame_to_csv_bytes(
                ui.cached_analytics(all_verbatims, workspace, filters, q, panels.EXPORT_ROWS).drop(
                    columns=["texts"]
                )
            )
            if page.total
            else b"",
            file_name=f"comments-{workspace}.csv",
            mime="text/csv",
            disabled=not page.total,
            key="voc_csv",
        )
        narrowed = bool(q.search or q.theme_id is not None or q.sentiment_label)
        panels.verbatim_list(page, narrowed or not filters.is_empty)
        panels.pager(page)

    with themes_tab:
        by = st.segmented_control(
            "Break down by",
            ["touchpoint", "segment", "month"],
            format_func=str.capitalize,
            key="voc_by",
        )
        impact = panels.theme_overview(workspace, filters, by)
        if not impact.empty and not by:
            st.caption(
                "NPS with vs without: responses whose comment mentions the theme against all "
                "other commented responses; significant at 95% (30 answers or more on each side). "
                "Tick a theme's "
                "row (the box at its start) to read its comments."
            )
        panels.theme_editor(workspace, theme_table)
except TouchpointError as exc:
    ui.show_error(exc)
