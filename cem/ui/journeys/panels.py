"""The journey map page's panels: the data behind the map, live updates, tables, history,
export, compare, graph and the new/import/manage panel (the map itself is
:mod:`cem.ui.journeys.map_view`).

Each panel is a function the page calls; changes go through :mod:`cem.journeys.api` with
the acting principal (:func:`cem.ui.journeys.state.edit_kwargs`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.analytics.filters import Filters
from cem.charts.journey_poster import PAPER_PX, compare_curves_chart, journey_poster_chart
from cem.errors import TouchpointError
from cem.journeys import api as jm
from cem.journeys import io as journey_io
from cem.journeys.data_emotion import (
    attach_to_touchpoints,
    emotion_by_key,
    touchpoint_keys,
    touchpoint_kpis,
)
from cem.journeys.draft import create_draft_journey
from cem.journeys.fields import CSV_COLUMNS
from cem.journeys.lane_texts import lane_texts
from cem.journeys.model import Journey
from cem.journeys.templates import TEMPLATES, create_journey_from_template
from cem.ui.graph import render_graph
from cem.ui.journeys import dialogs, state
from cem.ui.journeys import widgets as jw

LIVE_SECONDS = 2.5
LIVE_NOTED = "jm_live_noted"  # a colleague's version announced while a dialog was open
TABLES_BASE = "jm_tables_base"  # the journey the tables were drawn from
MAX_BOARD_TOUCHPOINTS = 60  # a projector shows ~60 cards; larger maps show chosen stages


# -- data behind the map (keyed on the workspace's data revision, which map edits leave
# alone, and on the touchpoints' match keys) --------------------------------------------------
def data_behind(
    workspace: str, journey: Journey, filters: Filters
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers' emotion per touchpoint, KPI per match key) under the shared filters."""
    keys = touchpoint_keys(journey)
    db = ui.get_database()
    by_key, kpis = state.remembered(
        "data",
        (db.path, workspace, keys, repr(filters), db.data_version(workspace)),
        lambda: (
            ui.cached_analytics(emotion_by_key, workspace, keys, filters),
            ui.cached_analytics(touchpoint_kpis, workspace, keys, filters),
        ),
    )
    emotion = state.derived(
        journey, ("emotion", id(by_key)), lambda: attach_to_touchpoints(journey, by_key)
    )
    return emotion, kpis


def board_subset(journey: Journey) -> Journey:
    """Big journeys: the stages the user picks (by default the first ones up to
    :data:`MAX_BOARD_TOUCHPOINTS` cards); the tables, exports and poster keep every stage."""
    if len(journey.touchpoints) <= MAX_BOARD_TOUCHPOINTS:
        return journey
    labels = {f"{i + 1} · {s.name}": s.stage_id for i, s in enumerate(journey.stages)}
    default, total = [], 0
    for label, stage in zip(labels, journey.stages, strict=True):
        if default and total + len(stage.touchpoints) > MAX_BOARD_TOUCHPOINTS:
            break
        default.append(label)
        total += len(stage.touchpoints)
    picked = st.multiselect(
        "Stages on the map (this journey is large)", list(labels), default=default, key="map_stages"
    )
    return jm.subset_journey(journey, [labels[p] for p in picked])


# -- live updates ---------------------------------------------------------------------------
def live_poll(workspace: str, journey_id: int) -> None:
    """Every few seconds: when a colleague changed the journey, redraw the page.

    Not while one of this user's dialogs is open: redrawing the page sends the dialog
    again, and the browser then drops text typed but not yet sent (a text area sends it
    on blur), so the user's Save would silently store the text the dialog opened with.
    The colleague's change is announced once and shows when the dialog closes (its
    Save, X or Esc redraws the map from the saved journey); a Save that collides with
    it is refused as a conflict.
    """
    db = ui.get_database()
    version = jm.journey_version(db, workspace, journey_id)
    seen = st.session_state.get("jm_seen_version")
    if seen is None or version == seen:
        return
    noted = st.session_state.get(LIVE_NOTED)
    if version != noted:  # announce each change once
        me = state.author()
        since = max(seen, noted or 0)
        others = [c for c in jm.changes_since(db, workspace, journey_id, since) if c.author != me]
        for change in others[-3:]:
            st.toast(f"{change.author or 'someone'}: {change.action}", icon="👥")
    if st.session_state.get(state.DIALOG):
        st.session_state[LIVE_NOTED] = version
        return
    st.session_state.pop(LIVE_NOTED, None)
    st.rerun(scope="app")


# -- tables (the power-user view) -----------------------------------------------------------
def tables(workspace: str, base: Journey) -> None:
    """The stage and touchpoint tables; their keys change with the journey version, so a
    saved edit leaves no stray rows behind. Their edits apply against the journey they
    show (kept as :data:`TABLES_BASE`), even after the map moved on."""
    st.session_state[TABLES_BASE] = base
    left, right = st.columns([1, 3])
    with left:
        st.markdown("**Stages**")
        st.data_editor(
            jw.stage_editor_frame(base),
            key=f"stage_editor_{base.version}",
            num_rows="dynamic",
            hide_index=True,
            column_config=jw.stage_column_config(),
            width="stretch",
        )
    with right:
        st.markdown("**Touchpoints**")
        st.data_editor(
            jw.touchpoint_editor_frame(base),
            key=f"touchpoint_editor_{base.version}",
            num_rows="dynamic",
            hide_index=True,
            column_config=jw.touchpoint_column_config(base),
            width="stretch",
            height=min(38 + 35 * (len(base.touchpoints) + 1), 460),
        )
    st.caption("Every change is saved at once; change # to reorder, the stage to move.")


def apply_tables(workspace: str, journey_id: int) -> None:
    """Save what changed in the tables since the last run (against what they showed)."""
    previous: Journey | None = st.session_state.pop(TABLES_BASE, None)  # applied once
    if previous is None or previous.journey_id != journey_id or previous.workspace != workspace:
        return
    db, kw = ui.get_database(), state.edit_kwargs()
    outcomes = jw.apply_stage_editor(
        db,
        workspace,
        previous,
        st.session_state.get(f"stage_editor_{previous.version}"),
        kw["author"],
        actor=kw["actor"],
    ) + jw.apply_touchpoint_editor(
        db,
        workspace,
        previous,
        st.session_state.get(f"touchpoint_editor_{previous.version}"),
        kw["author"],
        actor=kw["actor"],
    )
    state.remember(outcomes)


# -- history, export, graph, compare ----------------------------------------------------------
def history_tab(workspace: str, journey_id: int) -> None:
    """Every version with who changed what; restore any of them."""
    db = ui.get_database()
    versions = jm.list_versions(db, workspace, journey_id)
    frame = pd.DataFrame(
        [
            {"version": v.version, "when": v.created_at, "who": v.author, "change": v.action}
            for v in versions
        ],
        columns=["version", "when", "who", "change"],
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="history_table")
    if not versions:
        return
    pick = st.selectbox(
        "Restore the journey as it was at version",
        [v.version for v in versions],
        format_func=lambda v: f"version {v}",
        key="restore_pick",
    )
    if st.button(
        "Restore this version", key="restore_version", help="Adds a new version; nothing is lost."
    ):
        state.attempt(
            lambda: jm.restore_version(
                db,
                workspace,
                journey_id,
                int(pick),
                expected_version=state.seen_version(),
                **state.edit_kwargs(),
            ),
            f"Restored version {pick}",
        )
        st.rerun()


def export_tab(journey: Journey, emotion: pd.DataFrame, kpis: pd.DataFrame) -> None:
    """Poster (PNG/SVG/PDF, A3/A2, every lane), JSON (re-importable) and CSV."""
    stem = "".join(ch if ch.isalnum() else "_" for ch in journey.name).strip("_") or "journey"
    paper = (
        st.segmented_control("Poster size", list(PAPER_PX), default="A3", key="poster_paper")
        or "A3"
    )
    texts = [(kind, label, rows) for _, kind, label, rows in lane_texts(journey, kpis)]

    def poster() -> Any:
        return journey_poster_chart(journey, texts, emotion, paper=paper)

    downloads = (
        (f"Poster PNG ({paper})", lambda: journey_io.journey_to_png(poster()), "png", "image/png"),
        (
            f"Poster SVG ({paper})",
            lambda: journey_io.journey_to_svg(poster()),
            "svg",
            "image/svg+xml",
        ),
        (
            f"Poster PDF ({paper})",
            lambda: journey_io.journey_to_pdf(poster(), paper),
            "pdf",
            "application/pdf",
        ),
        (
            "JSON (re-importable)",
            lambda: journey_io.journey_to_json(journey),
            "json",
            "application/json",
        ),
        ("CSV of touchpoints", lambda: journey_io.journey_to_csv(journey), "csv", "text/csv"),
    )
    for col, (label, data, ext, mime) in zip(st.columns(len(downloads)), downloads, strict=True):
        col.download_button(
            label,
            data=data,
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"export_{ext}",
            on_click="ignore",
        )
    st.caption(
        "The poster shows the whole map with every shown lane, every card and the emotion "
        "curves; JSON keeps the lanes and their texts and imports back unchanged."
    )


def graph_tab(journey: Journey) -> None:
    """Stages and touchpoints as a flow (click a touchpoint to edit it)."""
    shown = (
        journey
        if len(journey.touchpoints) <= 250
        else jm.subset_journey(journey, [s.stage_id for s in journey.stages[:2]])
    )
    nodes, edges = jw.graph_elements(shown)
    if not nodes:
        st.info("Add stages and touchpoints to see the flow.")
        return
    st.caption("Click a touchpoint to edit it. ⚠ pain point (red ring) · ★ moment of truth.")
    clicked = render_graph(nodes, edges, key="journey_graph", height=jw.graph_height(shown))
    if clicked and clicked.startswith("t:") and st.session_state.get("jm_graph_last") != clicked:
        st.session_state["jm_graph_last"] = clicked
        dialogs.open_touchpoint(journey, int(clicked[2:]))
        st.rerun()


def compare_tab(workspace: str, journey: Journey, summaries: list[jm.JourneySummary]) -> None:
    """Two journeys side by side (personas, current vs future) with their emotion curves."""
    db = ui.get_database()
    others = [s for s in summaries if s.journey_id != journey.journey_id]
    if not others:
        st.info(
            "Make a second journey (Duplicate, or Future state in ➕) to compare it with this one."
        )
        return
    default = next((i for i, s in enumerate(others) if s.journey_id == journey.based_on), 0)
    labels = {s.journey_id: s.name for s in others}
    other_id = st.selectbox(
        "Compare with", list(labels), index=default, format_func=labels.get, key="compare_with"
    )
    other = jm.get_journey(db, workspace, other_id)
    st.altair_chart(
        compare_curves_chart({journey.name: journey, other.name: other}),
        width="stretch",
        key="compare_chart",
    )
    left, right = st.columns(2)
    for col, item in ((left, journey), (right, other)):
        col.markdown(
            f"**{ui.escape_markdown(item.name)}**"
            + (f" · 👤 {ui.escape_markdown(item.persona)}" if item.persona else "")
        )
        col.dataframe(
            jw.touchpoint_editor_frame(item)[
                ["stage", "touchpoint", "channel", "emotion", "pain_point"]
            ],
            hide_index=True,
            width="stretch",
        )
    current, future = (other, journey) if journey.based_on == other.journey_id else (journey, other)
    changes = jm.journey_diff(jm.journey_to_dict(current), jm.journey_to_dict(future))
    st.markdown(
        f"**What changes from {ui.escape_markdown(current.name)} to {ui.escape_markdown(future.name)}** ({len(changes)})"
    )
    icons = {"added": "🟢", "removed": "🔴", "changed": "🟡", "moved": "🔵"}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "": icons[c.kind],
                    "change": c.kind,
                    "stage": c.stage,
                    "touchpoint": c.touchpoint or "",
                    "what": c.detail,
                }
                for c in changes
            ],
            columns=["", "change", "stage", "touchpoint", "what"],
        ),
        hide_index=True,
        width="stretch",
        key="compare_diff",
    )


# -- new / import / manage --------------------------------------------------------------------
def _open_new(workspace: str, make: Callable[[], int], what: str) -> None:
    """Run ``make`` (it returns the new journey's id), announce ``what`` (``{name}`` is the
    name the journey got) and open it on the map."""
    try:
        new_id = make()
        name = jm.get_journey(ui.get_database(), workspace, new_id).name
    except TouchpointError as exc:
        ui.show_error(exc)
        return
    state.remember([jw.Outcome("created", what.replace("{name}", name))])
    state.select(new_id)
    st.rerun()


def manage_panel(workspace: str, base: Journey | None) -> None:
    """Create (blank, template, from data), duplicate / future state, import, delete."""
    db, kw = ui.get_database(), state.edit_kwargs()
    personas = ["(none)"] + ui.cached_query(jm.list_personas, workspace)
    create, copy, importer, delete = st.tabs(["New", "Copy · future state", "Import", "Delete"])
    with create, st.form("create_form", border=False):
        name = st.text_input("Name", key="new_name", placeholder="e.g. Family broadband")
        choices = ["blank", "data", *TEMPLATES]
        titles = {
            "blank": "Blank journey",
            "data": "Draft from the event log (real customer paths)",
        } | {k: t.title for k, t in TEMPLATES.items()}
        start = st.selectbox("Start from", choices, format_func=titles.get, key="new_template")
        persona = st.selectbox("Persona", personas, key="new_persona", accept_new_options=True)
        if st.form_submit_button("Create journey", key="create_journey", type="primary"):
            chosen = None if persona in (None, "(none)") else persona

            def make() -> int:
                if start == "blank":
                    return jm.create_journey(db, workspace, name, persona=chosen, **kw)
                if start == "data":
                    return create_draft_journey(
                        ui.get_engine(),
                        workspace,
                        name or "Journey from data",
                        persona=chosen,
                        **kw,
                    )
                return create_journey_from_template(
                    db, workspace, start, name=name or None, persona=chosen, **kw
                )

            _open_new(workspace, make, "Created journey '{name}' — it is open on the map")
    with copy:
        if base is None:
            st.caption("Create or import a journey first.")
        else:
            with st.form("duplicate_form", border=False):
                future = st.toggle(
                    "Future state (what the journey should become; compare shows the difference)",
                    value=True,
                    key="dup_future",
                )
                dup_name = st.text_input("Name of the copy (optional)", key="dup_name")
                dup_persona = st.selectbox(
                    "For persona",
                    ["(same)", *personas[1:]],
                    key="dup_persona",
                    accept_new_options=True,
                )
                if st.form_submit_button("Make the copy", key="duplicate_journey"):
                    _open_new(
                        workspace,
                        lambda: jm.duplicate_journey(
                            db,
                            workspace,
                            base.journey_id,
                            name=dup_name or None,
                            persona=None if dup_persona in (None, "(same)") else dup_persona,
                            future_state=future,
                            **kw,
                        ),
                        "Made the copy '{name}' — it is open on the map",
                    )
    with importer:
        st.caption(
            "A JSON export of Touchpoint (with its lanes), or a CSV with the columns "
            + ", ".join(CSV_COLUMNS)
            + "."
        )
        upload = st.file_uploader("Journey file", type=["json", "csv"], key="import_file")
        if st.button("Import journey", key="import_journey", disabled=upload is None):
            _open_new(
                workspace,
                lambda: journey_io.import_journey(
                    db, workspace, upload.getvalue(), upload.name, **kw
                ),
                f"Imported {upload.name}",
            )
    with delete:
        if base is not None:
            sure = st.checkbox(
                "Yes, delete this journey and its whole history", key="confirm_delete"
            )
            if st.button("Delete journey", key="delete_journey", disabled=not sure, type="primary"):
                try:
                    jm.delete_journey(db, workspace, base.journey_id, actor=kw["actor"])
                except TouchpointError as exc:
                    ui.show_error(exc)
                else:
                    for key in (TABLES_BASE, state.READ, "journey_picker"):
                        st.session_state.pop(key, None)
                    st.query_params.pop("journey", None)
                    st.rerun()
