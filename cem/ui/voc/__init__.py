"""Streamlit panels of the Voice of the customer page and the Overview's "what customers
talk about". Every user text (comments, theme names, rules) is escaped before it is shown;
search matches are highlighted with ``<mark>`` around escaped words only.
"""

from __future__ import annotations

import functools
import html

import pandas as pd
import streamlit as st

from cem import ui
from cem.access.principal import allowed
from cem.analytics import catalogue
from cem.analytics.filters import Filters
from cem.errors import TouchpointError
from cem.export import frame_to_csv_bytes
from cem.format import format_signed
from cem.ui.analytics.kpi import show_chart
from cem.ui.share import link_params, page_offered
from cem.voc import analytics as voc_analytics
from cem.voc import jobs, themes
from cem.voc.query import Query
from cem.voc.sentiment import EMOTION_PALETTE, emotion_level, sentiment_note
from cem.voc.verbatims import SORT_LABELS, VerbatimPage, VerbatimQuery, highlight_spans

PAGE_SIZE = 20
EXPORT_ROWS = 20_000


def install_import_hook() -> None:
    """Analyse comments in the background after every import made in this process."""
    from cem.ingest import load

    hooks = getattr(load, "AFTER_IMPORT", None)
    if hooks is not None and jobs.after_import not in hooks:
        hooks.append(jobs.after_import)


def analysis_status(workspace: str) -> jobs.Status:
    """Start the analysis if it is missing or stale, and show its progress while it runs."""
    db = ui.get_database()
    status = jobs.ensure_current(db, workspace)
    if status.state == "running" or (not status.current and status.state != "failed"):
        _progress_fragment(workspace)
    elif status.state == "failed":
        st.warning(ui.escape_markdown(status.message), icon="⚠️")
    return status


@st.fragment(run_every=2)
def _progress_fragment(workspace: str) -> None:
    status = jobs.status(ui.get_database(), workspace)
    if status.state == "running":
        st.progress(
            min(max(status.progress, 0.0), 1.0), text=f"Analysing comments: {status.message}"
        )
    elif status.state == "done" and status.current:
        st.rerun()


def sentiment_badge(score: float | None, label: str | None, language: str | None = None) -> str:
    """HTML of a sentiment badge: the emotion palette's colour, face, label and score; for
    a comment without a score, why ("no sentiment for Spanish")."""
    level = emotion_level(score)
    if level is None:
        note = sentiment_note(score, language) or "no sentiment"
        return f"<span style='color:#757575'>{html.escape(note)}</span>"
    colour, face = EMOTION_PALETTE[level]
    text_colour = "#ffffff" if level in (-2, 2) else "#212121"
    return (
        f"<span style='background:{colour};color:{text_colour};padding:1px 8px;"
        f"border-radius:10px;white-space:nowrap'>{face} {html.escape(label or '')} "
        f"{_signed_score(score)}</span>"
    )


def _signed_score(score: float) -> str:
    """A sentiment score with its sign; a score that rounds to zero reads "0.00", not
    "-0.00"."""
    text = f"{score:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def highlighted(text: str, query: Query) -> str:
    """The comment as safe markdown+HTML, matches wrapped in ``<mark>``."""
    parts = []
    for piece, hit in highlight_spans(text, query) or [(text, False)]:
        safe = ui.escape_markdown(piece).replace("\n", "<br>")
        parts.append(f"<mark>{safe}</mark>" if hit else safe)
    return "".join(parts)


def _meta(row: pd.Series) -> str:
    bits = []
    if pd.notna(row.submitted_at):
        bits.append(f"{pd.Timestamp(row.submitted_at):%d %b %Y}")
    for col, name in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")):
        if pd.notna(row[col]):
            bits.append(f"{name} {int(row[col])}")
    for col in ("touchpoint", "segment", "persona", "channel"):
        if isinstance(row[col], str) and row[col]:
            bits.append(ui.escape_markdown(row[col]))
    if isinstance(row.customer_id, str) and row.customer_id:
        bits.append("customer " + ui.escape_markdown(row.customer_id))
    return " · ".join(bits)


def verbatim_list(page: VerbatimPage, narrowed: bool = True) -> None:
    """Each comment as a card: meta line, highlighted text(s), sentiment, themes.
    ``narrowed``: a search, theme, sentiment or filter is set (an empty list then says
    to clear it; otherwise the workspace has no comments at all)."""
    if page.rows.empty:
        st.info(
            "No comments match. Clear the search or the filters to see more."
            if narrowed
            else "This workspace has no comments yet: import a file with a comment column "
            "(free text) to read them here."
        )
        return
    for row in page.rows.itertuples(index=False):
        series = pd.Series(row._asdict())
        box = st.container(border=True)
        box.markdown(
            f"{sentiment_badge(row.sentiment, row.sentiment_label, row.language)} &nbsp; "
            f"<span style='color:#616161'>{_meta(series)}</span>",
            unsafe_allow_html=True,
        )
        texts = row.texts or {}
        for field, text in texts.items():
            prefix = (
                ""
                if field == "comment" or len(texts) == 1
                else (f"**{ui.escape_markdown(field)}:** ")
            )
            box.markdown(prefix + highlighted(str(text), page.query), unsafe_allow_html=True)
        if row.themes:
            box.caption("Themes: " + " · ".join(ui.escape_markdown(t) for t in row.themes))


def query_from_params(theme_ids: list[int]) -> VerbatimQuery:
    """The listing's state from the URL (search, theme, sort, page), so links reproduce it."""
    params = st.query_params
    theme = params.get("theme")
    theme_id = int(theme) if theme and theme.isdigit() and int(theme) in theme_ids else None
    sort = params.get("sort", "date")
    page = params.get("p", "1")
    return VerbatimQuery(
        search=params.get("q", ""),
        theme_id=theme_id,
        sort=sort if sort in SORT_LABELS else "date",
        page=int(page) if page.isdigit() else 1,
        page_size=PAGE_SIZE,
    )


def _set_param(key: str, value: str | None) -> None:
    if value in (None, ""):
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def search_controls(q: VerbatimQuery, theme_options: dict[int, str]) -> VerbatimQuery:
    """Search box, theme and sort pickers; writes the choice back to the URL."""
    left, mid, right = st.columns([3, 2, 1.4])
    search = left.text_input(
        "Search comments",
        value=q.search,
        placeholder='e.g. delivery late, "on hold", refund -router, courier OR driver',
        help='Words must all appear; "quotes" for a phrase; -word to exclude; OR between '
        "alternatives; word* for a prefix. Case and accents are ignored.",
        key="voc_search",
    )
    labels = {None: "All themes"} | {k: v for k, v in theme_options.items()}
    theme = mid.selectbox(
        "Theme",
        list(labels),
        index=list(labels).index(q.theme_id) if q.theme_id in labels else 0,
        format_func=lambda k: labels[k],
        key="voc_theme",
    )
    sorts = list(SORT_LABELS)
    default_sort = "relevance" if search and q.sort == "date" and not q.search else q.sort
    sort = right.selectbox(
        "Sort",
        sorts,
        index=sorts.index(default_sort),
        format_func=lambda s: SORT_LABELS[s],
        key="voc_sort",
    )
    changed = (search, theme, sort) != (q.search, q.theme_id, q.sort)
    _set_param("q", search.strip() or None)
    _set_param("theme", str(theme) if theme is not None else None)
    _set_param("sort", sort if sort != "date" else None)
    page = 1 if changed else q.page
    _set_param("p", str(page) if page > 1 else None)
    return VerbatimQuery(search.strip(), theme, None, sort, None, page, PAGE_SIZE)


def pager(page: VerbatimPage) -> None:
    """Previous/next buttons and where we are."""
    left, mid, right = st.columns([1, 3, 1])
    if left.button("◀ Previous", disabled=page.page <= 1, key="voc_prev"):
        _set_param("p", str(page.page - 1) if page.page > 2 else None)
        st.rerun()
    mid.caption(
        f"Page {page.page:,} of {page.pages:,} · {page.total:,} comment"
        f"{'s' if page.total != 1 else ''}"
    )
    if right.button("Next ▶", disabled=page.page >= page.pages, key="voc_next"):
        _set_param("p", str(page.page + 1))
        st.rerun()


def save_search_as_theme(workspace: str, search: str) -> None:
    """One click: the current search becomes a rule theme."""
    if not search:
        return
    with st.popover("➕ Save this search as a theme"):
        label = st.text_input("Theme name", value=search[:60], key="voc_new_theme_label")
        st.caption(f"Rule: {ui.escape_markdown(search)}")
        if st.button("Create theme", type="primary", key="voc_new_theme"):
            try:
                new_id = themes.create_theme(
                    ui.get_database(), workspace, label, search, actor=ui.current_principal()
                )
            except TouchpointError as exc:
                ui.show_error(exc)
                return
            st.query_params["theme"] = str(new_id)
            st.query_params.pop("q", None)
            st.rerun()


def theme_overview(workspace: str, filters: Filters, by: str | None) -> pd.DataFrame:
    """The theme table (n, share, NPS with/without, significance) and its impact chart."""
    impact = ui.cached_analytics(voc_analytics.theme_impact, workspace, filters, by)
    if impact.empty:
        if "comment_share" not in ui.cached_analytics(catalogue.available_metrics, workspace):
            st.info(
                "No themes: these answers have no comments (no column was read as customers' "
                "own words on import). Import the file again and choose its comment column."
            )
        else:
            st.info(
                "No themes yet: they appear once the comments are analysed, or save a "
                "search as a theme."
            )
        return impact
    # Without any NPS answer behind these comments, the NPS columns and chart would be
    # empty cells ("None") and an empty axis: themes are then shown by how often they occur.
    has_nps = bool(impact.nps_with.notna().any() or impact.nps_without.notna().any())
    shown = impact.copy()
    shown["nps_with"] = shown.nps_with.map(lambda v: format_signed(v) if v == v else "—")
    shown["nps_without"] = shown.nps_without.map(lambda v: format_signed(v) if v == v else "—")
    columns = (["group"] if by else []) + ["theme", "n", "share"]
    if has_nps:
        columns += [
            "nps_with",
            "nps_without",
            "words",
            "detractors_mentioning",
            "promoters_mentioning",
        ]
    else:
        st.caption(
            "These comments come with no NPS answer, so themes are shown by how often they "
            "come up (no NPS with or without them)."
        )
    selectable: dict[str, object] = (
        {}
        if by
        else {
            "key": "voc_theme_table",
            "on_select": functools.partial(
                _open_selected_theme, impact.theme_id.astype(int).tolist()
            ),
            "selection_mode": "single-row",
        }
    )
    st.dataframe(
        shown[columns],
        hide_index=True,
        width="stretch",
        **selectable,  # type: ignore[arg-type]
        column_config={
            "group": st.column_config.TextColumn((by or "").capitalize()),
            "theme": st.column_config.TextColumn("Theme"),
            "n": st.column_config.NumberColumn("Comments", format="%d"),
            "share": st.column_config.NumberColumn("% of comments", format="%.1f%%"),
            "nps_with": st.column_config.TextColumn("NPS with"),
            "nps_without": st.column_config.TextColumn("NPS without"),
            "words": st.column_config.TextColumn("Difference"),
            "detractors_mentioning": st.column_config.NumberColumn(
                "% of detractors", format="%.0f%%"
            ),
            "promoters_mentioning": st.column_config.NumberColumn(
                "% of promoters", format="%.0f%%"
            ),
        },
    )
    st.download_button(
        "Download themes as CSV",
        frame_to_csv_bytes(impact),
        file_name=f"themes-{workspace}.csv",
        mime="text/csv",
        key="voc_themes_csv",
    )
    if not by and has_nps:
        show_chart(st, "voc.theme_impact_chart", impact)
    return impact


def _open_selected_theme(theme_ids: list[int]) -> None:
    """One click on a theme's row opens its comments: the theme goes into the URL (the
    page then opens on the Comments tab) and the Comments tab's theme picker follows it."""
    state = st.session_state.get("voc_theme_table")
    rows = list(state.selection.rows) if state is not None else []
    if not rows or rows[0] >= len(theme_ids):
        return
    st.query_params["theme"] = str(theme_ids[rows[0]])
    st.query_params.pop("p", None)
    st.session_state["voc_theme"] = theme_ids[rows[0]]


def theme_detail(workspace: str, filters: Filters, theme_id: int, label: str) -> None:
    """The chosen theme: its share over time and where it hurts (by touchpoint/segment)."""
    trend = ui.cached_analytics(voc_analytics.theme_trend, workspace, filters)
    trend = trend[trend.theme_id == theme_id]
    st.markdown(f"**{ui.escape_markdown(label)}** — share of comments per month")
    if trend.empty:
        st.info("No dated comments mention this theme.")
    else:
        show_chart(st, "voc.theme_trend_chart", trend)
    by_tp = ui.cached_analytics(voc_analytics.theme_impact, workspace, filters, "touchpoint")
    by_tp = by_tp[by_tp.theme_id == theme_id].sort_values("share", ascending=False)
    if not by_tp.empty:
        top = by_tp.iloc[0]
        st.caption(
            f"Mentioned most at {ui.escape_markdown(top.group)} "
            f"({top.share:.0f}% of its comments, n={int(top.n):,}); NPS with vs without "
            f"there: {ui.escape_markdown(top.words)}."
        )


def theme_editor(workspace: str, theme_table: pd.DataFrame) -> None:
    """Rename, change the rule of, merge and delete themes (editors only; checked in cem,
    and not shown to a read-only session: viewers, share links)."""
    db, actor = ui.get_database(), ui.current_principal()
    if theme_table.empty or not allowed(actor, "theme.edit", workspace).ok:
        return
    options = dict(zip(theme_table.theme_id.astype(int), theme_table.label, strict=False))
    with st.expander("✏️ Edit themes"):
        chosen = st.selectbox(
            "Theme", list(options), format_func=lambda k: options[k], key="voc_edit_theme"
        )
        row = theme_table[theme_table.theme_id == chosen].iloc[0]
        name = st.text_input("Name", value=row.label, key=f"voc_name_{chosen}")
        rule = st.text_input(
            "Rule",
            value=row.rule or "",
            key=f"voc_rule_{chosen}",
            help='e.g. delivery OR courier OR "arrived late"',
        )
        c1, c2 = st.columns(2)
        try:
            if c1.button("Save", key="voc_save_theme"):
                themes.update_theme(
                    db,
                    workspace,
                    int(chosen),
                    actor=actor,
                    label=name,
                    rule=rule if rule != (row.rule or "") else None,
                )
                st.rerun()
            if c2.button("Delete theme", key="voc_delete_theme"):
                themes.delete_theme(db, workspace, int(chosen), actor=actor)
                st.query_params.pop("theme", None)
                st.rerun()
            merge = st.multiselect(
                "Merge themes", list(options), format_func=lambda k: options[k], key="voc_merge"
            )
            merged_name = st.text_input("Name of the merged theme", key="voc_merge_name")
            if st.button("Merge", disabled=len(merge) < 2, key="voc_merge_go"):
                themes.merge_themes(
                    db,
                    workspace,
                    [int(m) for m in merge],
                    merged_name or " + ".join(options[m] for m in merge),
                    actor=actor,
                )
                st.rerun()
        except TouchpointError as exc:
            ui.show_error(exc)


def rising_themes_panel(workspace: str, filters: Filters) -> None:
    """The Overview's "what customers talk about": top 3 rising themes, with direction and
    significance, each a link to its comments on the Voice of the customer page."""
    st.subheader("What customers talk about")
    try:
        rising = ui.cached_analytics(voc_analytics.rising_themes, workspace, filters)
    except TouchpointError as exc:
        ui.show_error(exc)
        return
    if rising.empty:
        st.caption("No rising themes in the last 90 days (or comments not analysed yet).")
        return
    cols = st.columns(len(rising))
    for col, row in zip(cols, rising.itertuples(index=False), strict=True):
        box = col.container(border=True)
        box.markdown(f"**{ui.escape_markdown(row.theme)}**")
        box.caption(
            f"{row.share_now:.1f}% of comments, was {row.share_before:.1f}% · "
            f"{ui.escape_markdown(row.words)}"
        )
        if page_offered("voice"):
            box.page_link(
                "pages/verbatims.py",
                label="Read the comments",
                icon="💬",
                query_params={"workspace": workspace, "theme": str(int(row.theme_id))}
                | link_params(),
            )
