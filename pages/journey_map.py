"""Journey map: the workshop page. Pick or create a journey, see the map (stages,
touchpoint cards, channels, the team's emotion curve beside the customers' data), edit it
in tables or a form, undo, restore versions, watch colleagues' changes live, export.

The URL's ``?journey=<id>`` names the journey, so a copied link opens the same map.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.analytics.filters import Filters
from cem.charts.journey import journey_map_chart
from cem.errors import ConflictError, TouchpointError
from cem.journeys import io as journey_io
from cem.journeys import model as jm
from cem.journeys.data_emotion import (
    attach_to_touchpoints,
    emotion_by_key,
    responses_fingerprint,
    touchpoint_keys,
)
from cem.journeys.templates import TEMPLATES, create_journey_from_template
from cem.ui.graph import render_graph
from cem.ui.journeys import widgets as jw

LIVE_SECONDS = 2.5
MAP_WIDTH = 760
MAX_MAP_TOUCHPOINTS = 60
BASE = "jm_base"  # the journey as the editors last showed it (their edits are relative to it)
OUTCOMES = "jm_outcomes"


# -- small state helpers -------------------------------------------------------------------
def _author() -> str:
    if "author_name" not in st.session_state:
        st.session_state["author_name"] = f"Guest-{secrets.token_hex(2)}"
    return (st.session_state.get("author_name") or "").strip() or "Guest"


def _remember(outcomes: list[jw.Outcome]) -> None:
    st.session_state.setdefault(OUTCOMES, []).extend(outcomes)


def _attempt(func: Any, ok: str) -> bool:
    """Run one operation from a callback; remember what happened."""
    try:
        func()
    except ConflictError as exc:
        _remember([jw.Outcome("conflict", str(exc))])
        return False
    except TouchpointError as exc:
        _remember([jw.Outcome("error", str(exc))])
        return False
    _remember([jw.Outcome("saved", ok)])
    return True


def _select(journey_id: int) -> None:
    st.session_state["jm_pending_select"] = journey_id
    st.query_params["journey"] = str(journey_id)


def _picked() -> None:
    # Written on a pick only: writing query params in a deep link's first run loses the page.
    st.query_params["journey"] = str(st.session_state["journey_picker"])


def _seen_version() -> int | None:
    base = st.session_state.get(BASE)
    return st.session_state.get("jm_seen_version") or (base.version if base else None)


# -- callbacks (run before the script, with the versions the user saw) ----------------------
def _history_step(step: Callable[..., str], ok: str, workspace: str, journey_id: int) -> None:
    """Run ``jm.undo`` or ``jm.redo`` against the version the user saw."""
    db = ui.get_database()
    _attempt(
        lambda: step(db, workspace, journey_id, expected_version=_seen_version(), author=_author()),
        ok,
    )


def _undo(workspace: str, journey_id: int) -> None:
    _history_step(jm.undo, "Undone", workspace, journey_id)


def _redo(workspace: str, journey_id: int) -> None:
    _history_step(jm.redo, "Redone", workspace, journey_id)


def _restore(workspace: str, journey_id: int) -> None:
    db = ui.get_database()
    version = st.session_state.get("restore_pick")
    if version is None:
        return
    _attempt(
        lambda: jm.restore_version(
            db,
            workspace,
            journey_id,
            int(version),
            expected_version=_seen_version(),
            author=_author(),
        ),
        f"Restored version {version}",
    )


def _save_form(prefix: str, workspace: str, touchpoint_id: int) -> None:
    """Save the one-touchpoint form against the version it was filled from."""
    db = ui.get_database()
    base: jm.Journey = st.session_state[BASE]
    version = st.session_state.get(f"{prefix}_version")
    get = st.session_state.get
    fields = {
        "name": get(f"{prefix}_name"),
        "channel": get(f"{prefix}_channel"),
        "emotion": None
        if get(f"{prefix}_emotion") in (None, "not set")
        else get(f"{prefix}_emotion"),
        "pain_point": get(f"{prefix}_pain"),
        "moment_of_truth": get(f"{prefix}_mot"),
        "owner": get(f"{prefix}_owner"),
        "pain_note": get(f"{prefix}_pain_note"),
        "opportunity": get(f"{prefix}_opportunity"),
        "description": get(f"{prefix}_description"),
    }
    labels = jw.stage_labels(base)
    target = labels.get(get(f"{prefix}_stage") or "")

    def work() -> None:
        new_version = jm.update_touchpoint(
            db, workspace, touchpoint_id, expected_version=version, author=_author(), **fields
        )
        tp = base.touchpoint(touchpoint_id)
        if target is not None and target != tp.stage_id:
            jm.move_touchpoint(
                db,
                workspace,
                touchpoint_id,
                expected_version=new_version,
                stage_id=target,
                author=_author(),
            )

    _attempt(work, f"Saved '{fields['name']}'")
    st.session_state.pop(f"{prefix}_for", None)  # refill the form from the saved state


def _delete_from_form(prefix: str, workspace: str, touchpoint_id: int) -> None:
    db = ui.get_database()
    version = st.session_state.get(f"{prefix}_version")
    _attempt(
        lambda: jm.delete_touchpoint(
            db, workspace, touchpoint_id, expected_version=version, author=_author()
        ),
        "Deleted the touchpoint",
    )
    st.session_state.pop(f"{prefix}_for", None)


# -- pieces ---------------------------------------------------------------------------------
def _journey_label(summary: jm.JourneySummary) -> str:
    persona = f" — {summary.persona}" if summary.persona else ""
    return f"{summary.name}{persona} ({summary.n_touchpoints} touchpoints)"


def _open_new(make: Callable[[], int]) -> None:
    """Create a journey with ``make`` and open it (or show why it could not be made)."""
    try:
        new_id = make()
    except TouchpointError as exc:
        ui.show_error(exc)
    else:
        _select(new_id)
        st.rerun()


def _personas(workspace: str) -> list[str]:
    return ui.cached_query(jm.list_personas, workspace)


def manage_panel(workspace: str, base: jm.Journey | None) -> None:
    """Create / duplicate / import / rename / delete."""
    db = ui.get_database()
    author = _author()
    personas = ["(none)"] + _personas(workspace)
    with st.container():
        create, duplicate, importer, details, delete = st.tabs(
            ["New", "Duplicate", "Import", "Rename", "Delete"]
        )
        with create:
            with st.form("create_form", border=False):
                name = st.text_input("Name", key="new_name", placeholder="e.g. Family broadband")
                template = st.selectbox(
                    "Start from",
                    ["blank", *TEMPLATES],
                    format_func=lambda k: "Blank journey" if k == "blank" else TEMPLATES[k].title,
                    key="new_template",
                )
                persona = st.selectbox(
                    "Persona", personas, key="new_persona", accept_new_options=True
                )
                if st.form_submit_button("Create journey", key="create_journey", type="primary"):
                    chosen = None if persona in (None, "(none)") else persona
                    _open_new(
                        lambda: (
                            jm.create_journey(db, workspace, name, persona=chosen, author=author)
                            if template == "blank"
                            else create_journey_from_template(
                                db,
                                workspace,
                                template,
                                name=name or None,
                                persona=chosen,
                                author=author,
                            )
                        )
                    )
        with duplicate:
            if base is None:
                st.caption("Create or import a journey first.")
            else:
                with st.form("duplicate_form", border=False):
                    dup_name = st.text_input(
                        "Name of the copy", value=f"{base.name} (copy)", key="dup_name"
                    )
                    dup_persona = st.selectbox(
                        "For persona", personas, key="dup_persona", accept_new_options=True
                    )
                    if st.form_submit_button("Duplicate journey", key="duplicate_journey"):
                        _open_new(
                            lambda: jm.duplicate_journey(
                                db,
                                workspace,
                                base.journey_id,
                                name=dup_name,
                                persona=None if dup_persona in (None, "(none)") else dup_persona,
                                author=author,
                            )
                        )
        with importer:
            st.caption(
                "A JSON export of Touchpoint, or a CSV with the columns "
                + ", ".join(journey_io.CSV_COLUMNS)
                + " (stage and touchpoint are required)."
            )
            upload = st.file_uploader("Journey file", type=["json", "csv"], key="import_file")
            if st.button("Import journey", key="import_journey", disabled=upload is None):
                _open_new(
                    lambda: journey_io.import_journey(
                        db, workspace, upload.getvalue(), upload.name, author=author
                    )
                )
        with details:
            if base is not None:
                with st.form("details_form", border=False):
                    new_title = st.text_input("Journey name", value=base.name, key="rename_name")
                    description = st.text_area(
                        "Description", value=base.description or "", key="rename_description"
                    )
                    if st.form_submit_button("Save details", key="save_details"):
                        try:
                            jm.update_journey(
                                db,
                                workspace,
                                base.journey_id,
                                expected_version=base.version,
                                author=author,
                                name=new_title,
                                description=description,
                            )
                        except TouchpointError as exc:
                            ui.show_error(exc)
                        else:
                            st.rerun()
        with delete:
            if base is not None:
                sure = st.checkbox(
                    "Yes, delete this journey and its whole history", key="confirm_delete"
                )
                if st.button(
                    "Delete journey", key="delete_journey", disabled=not sure, type="primary"
                ):
                    try:
                        jm.delete_journey(db, workspace, base.journey_id)
                    except TouchpointError as exc:
                        ui.show_error(exc)
                    else:
                        st.session_state.pop(BASE, None)
                        st.session_state.pop("journey_picker", None)
                        st.query_params.pop("journey", None)
                        st.rerun()


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def _emotion_by_key(
    workspace: str, keys: tuple[str, ...], filters: Filters, fingerprint: tuple[int, int]
) -> pd.DataFrame:
    # Keyed on the responses (not the workspace revision), so journey edits reuse it.
    return emotion_by_key(ui.get_engine(), workspace, keys, filters)


def _data_emotion(workspace: str, journey: jm.Journey, filters: Filters) -> pd.DataFrame:
    fingerprint = responses_fingerprint(ui.get_engine(), workspace)
    by_key = _emotion_by_key(workspace, touchpoint_keys(journey), filters, fingerprint)
    return attach_to_touchpoints(journey, by_key)


def _map_subset(journey: jm.Journey) -> jm.Journey:
    """Big journeys: show the stages the user picks (a projector shows ~60 cards)."""
    if len(journey.touchpoints) <= MAX_MAP_TOUCHPOINTS:
        return journey
    labels = jw.stage_labels(journey)
    default, total = [], 0
    for label, stage in zip(labels, journey.stages, strict=True):
        if default and total + len(stage.touchpoints) > MAX_MAP_TOUCHPOINTS:
            break
        default.append(label)
        total += len(stage.touchpoints)
    picked = st.multiselect(
        "Stages on the map (this journey is large)", list(labels), default=default, key="map_stages"
    )
    return jm.subset_journey(journey, [labels[p] for p in picked])


def render_map(workspace: str, journey_id: int, filters: Filters) -> None:
    """The live part: polls the version and redraws the map when anyone changed it."""
    db = ui.get_database()
    version = jm.journey_version(db, workspace, journey_id)
    if version < 0:
        st.warning("This journey was deleted by someone else.")
        return
    cached = st.session_state.get("jm_live")
    if cached is None or cached.journey_id != journey_id or cached.version != version:
        cached = jm.get_journey(db, workspace, journey_id)
        st.session_state["jm_live"] = cached
    journey: jm.Journey = cached
    base: jm.Journey | None = st.session_state.get(BASE)
    me = _author()
    if base is not None and base.journey_id == journey_id and version > base.version:
        others = [
            c for c in jm.changes_since(db, workspace, journey_id, base.version) if c.author != me
        ]
        if others:
            lines = "  \n".join(
                f"**{ui.escape_markdown(c.author or 'someone')}**: {ui.escape_markdown(c.action)}"
                for c in others[-5:]
            )
            st.info(
                f"🔄 Colleagues changed this journey (the map is up to date):  \n{lines}",
                icon="👥",
            )
            if st.button(
                "Refresh the tables with their changes",
                key="refresh_tables",
                help="Your unsaved table edits stay until you refresh",
            ):
                st.rerun(scope="app")
    st.session_state["jm_seen_version"] = version
    if not journey.stages:
        st.info(
            "This journey has no stages yet. Add stages in the **Stages** table below "
            "(for example Awareness, Purchase, Support), then their touchpoints."
        )
        return
    shown = _map_subset(journey)
    try:
        emotion = _data_emotion(workspace, shown, filters)
    except TouchpointError as exc:
        ui.show_error(exc)
        emotion = None
    # Building the chart costs ~0.5 s; the live poll reuses it while nothing changed.
    chart_key = (
        journey_id,
        version,
        db.data_version(workspace),
        filters,
        tuple(s.stage_id for s in shown.stages),
    )
    cached_chart = st.session_state.get("jm_chart")
    if cached_chart is None or cached_chart[0] != chart_key:
        cached_chart = (
            chart_key,
            journey_map_chart(shown, emotion, width=MAP_WIDTH, show_title=False).to_dict(),
        )
        st.session_state["jm_chart"] = cached_chart
    st.vega_lite_chart(spec=cached_chart[1], key="journey_map_chart", width="content")
    matched = 0 if emotion is None else int((emotion["n"] > 0).sum())
    legend = (
        "⚠ pain point · ★ moment of truth · 💡 opportunity · ● team's emotion · ◆ customers' data"
    )
    if matched == 0:
        st.caption(
            f"{legend}. No survey responses match these touchpoints yet, so only the team's "
            "curve is drawn. Responses match on their touchpoint column (or a data key)."
        )
    else:
        st.caption(
            f"{legend}. Customers' data: {matched} of {len(shown.touchpoints)} touchpoints have responses "
            f"({ui.escape_markdown(filters.describe())}). Hover a point for n, NPS, CSAT, CES."
        )


def touchpoint_form(prefix: str, workspace: str, base: jm.Journey, touchpoint_id: int) -> None:
    """A small form for one touchpoint, filled from (and saved against) the base version."""
    try:
        tp = base.touchpoint(touchpoint_id)
    except TouchpointError:
        st.caption("That touchpoint is no longer in the journey.")
        return
    stage_index = next(i for i, s in enumerate(base.stages) if s.stage_id == tp.stage_id)
    if st.session_state.get(f"{prefix}_for") != touchpoint_id:
        # Fill the form only when another touchpoint is picked (or after a save), so
        # live refreshes never wipe what the user is typing.
        st.session_state[f"{prefix}_for"] = touchpoint_id
        st.session_state[f"{prefix}_version"] = tp.version
        st.session_state[f"{prefix}_name"] = tp.name
        st.session_state[f"{prefix}_stage"] = jw.stage_label(
            stage_index, base.stages[stage_index].name
        )
        st.session_state[f"{prefix}_channel"] = tp.channel
        st.session_state[f"{prefix}_emotion"] = (
            jm.format_emotion(tp.emotion) if tp.emotion is not None else "not set"
        )
        st.session_state[f"{prefix}_pain"] = tp.pain_point
        st.session_state[f"{prefix}_mot"] = tp.moment_of_truth
        st.session_state[f"{prefix}_owner"] = tp.owner or ""
        st.session_state[f"{prefix}_pain_note"] = tp.pain_note or ""
        st.session_state[f"{prefix}_opportunity"] = tp.opportunity or ""
        st.session_state[f"{prefix}_description"] = tp.description or ""
    with st.form(f"{prefix}_form"):
        left, right = st.columns(2)
        with left:
            st.text_input("Touchpoint", key=f"{prefix}_name", max_chars=120)
            st.selectbox("Stage", list(jw.stage_labels(base)), key=f"{prefix}_stage")
            st.selectbox(
                "Channel",
                jw.channel_options(base),
                key=f"{prefix}_channel",
                accept_new_options=True,
            )
            st.select_slider(
                "Emotion (the team's view)",
                ["not set", *jw.EMOTION_OPTIONS],
                key=f"{prefix}_emotion",
            )
            st.text_input("Owner", key=f"{prefix}_owner")
        with right:
            st.checkbox("⚠ Pain point", key=f"{prefix}_pain")
            st.text_input("Pain note", key=f"{prefix}_pain_note")
            st.checkbox("★ Moment of truth", key=f"{prefix}_mot")
            st.text_input("💡 Opportunity", key=f"{prefix}_opportunity")
            st.text_area("Description", key=f"{prefix}_description", height=68)
        save, remove = st.columns([1, 1])
        save.form_submit_button(
            "Save touchpoint",
            key=f"{prefix}_save",
            type="primary",
            on_click=_save_form,
            args=(prefix, workspace, touchpoint_id),
        )
        remove.form_submit_button(
            "Delete touchpoint",
            key=f"{prefix}_delete",
            on_click=_delete_from_form,
            args=(prefix, workspace, touchpoint_id),
        )


def editors(workspace: str, base: jm.Journey) -> None:
    """The stage and touchpoint tables (every change is saved on the next run)."""
    left, right = st.columns([1, 3])
    with left:
        st.markdown("**Stages**")
        st.data_editor(
            jw.stage_editor_frame(base),
            key="stage_editor",
            num_rows="dynamic",
            hide_index=True,
            column_config=jw.stage_column_config(),
            width="stretch",
        )
        st.caption("Rename in place, change # to reorder, add or delete rows.")
    with right:
        st.markdown("**Touchpoints**")
        st.data_editor(
            jw.touchpoint_editor_frame(base),
            key="touchpoint_editor",
            num_rows="dynamic",
            hide_index=True,
            column_config=jw.touchpoint_column_config(base),
            width="stretch",
            height=min(38 + 35 * (len(base.touchpoints) + 1), 460),
        )
        st.caption(
            "Every change is saved at once. Pick a stage for new rows; change # to reorder "
            "within a stage, or the stage to move a touchpoint."
        )


def history_tab(workspace: str, journey_id: int) -> None:
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
    if versions:
        st.selectbox(
            "Restore the journey as it was at version",
            [v.version for v in versions],
            format_func=lambda v: f"version {v}",
            key="restore_pick",
        )
        st.button(
            "Restore this version",
            key="restore_version",
            on_click=_restore,
            args=(workspace, journey_id),
            help="Adds a new version; nothing in the history is lost.",
        )


def export_tab(workspace: str, journey: jm.Journey, filters: Filters) -> None:
    emotion = _data_emotion(workspace, journey, filters)
    stem = "".join(ch if ch.isalnum() else "_" for ch in journey.name).strip("_") or "journey"
    downloads = (
        (
            "PNG image",
            lambda: journey_io.journey_to_png(journey_map_chart(journey, emotion)),
            "png",
            "image/png",
        ),
        (
            "SVG image",
            lambda: journey_io.journey_to_svg(journey_map_chart(journey, emotion)),
            "svg",
            "image/svg+xml",
        ),
        (
            "JSON (re-importable)",
            lambda: journey_io.journey_to_json(journey),
            "json",
            "application/json",
        ),
        ("CSV of touchpoints", lambda: journey_io.journey_to_csv(journey), "csv", "text/csv"),
    )
    for col, (label, data, ext, mime) in zip(st.columns(4), downloads, strict=True):
        col.download_button(
            label,
            data=data,
            file_name=f"{stem}.{ext}",
            mime=mime,
            key=f"export_{ext}",
            on_click="ignore",
        )
    st.caption("PNG and SVG show the whole map at print size; JSON imports back unchanged.")


def graph_tab(workspace: str, base: jm.Journey) -> None:
    shown = (
        base
        if len(base.touchpoints) <= 250
        else jm.subset_journey(base, [s.stage_id for s in base.stages[:2]])
    )
    nodes, edges = jw.graph_elements(shown)
    if not nodes:
        st.info("Add stages and touchpoints to see the flow.")
        return
    st.caption("Click a touchpoint to edit it below. ⚠ pain point (red ring) · ★ moment of truth.")
    clicked = render_graph(
        nodes,
        edges,
        key="journey_graph",
        height=560,
        hierarchical=True,
        direction="LR",
        level_separation=120,
        node_spacing=85,
    )
    if clicked and clicked.startswith("t:"):
        st.session_state["jm_graph_tp"] = int(clicked[2:])
    selected = st.session_state.get("jm_graph_tp")
    if selected is not None and any(t.touchpoint_id == selected for t in base.touchpoints):
        touchpoint_form("graph_tp", workspace, base, selected)


# -- the page -------------------------------------------------------------------------------
workspace = ui.require_workspace()
db = ui.get_database()
filters = ui.current_filters()
author = _author()

try:
    summaries = jm.list_journeys(db, workspace)
except TouchpointError as exc:
    ui.show_error(exc)
    st.stop()

ids = [s.journey_id for s in summaries]
pending = st.session_state.pop("jm_pending_select", None)
if pending in ids:
    st.session_state["journey_picker"] = pending
elif st.session_state.get("journey_picker") not in ids and ids:
    wanted = st.query_params.get("journey")
    wanted_id = int(wanted) if wanted and str(wanted).isdigit() else None
    st.session_state["journey_picker"] = wanted_id if wanted_id in ids else ids[0]

top = st.columns([4, 2, 1], vertical_alignment="bottom")
journey_id: int | None = None
if ids:
    labels = {s.journey_id: _journey_label(s) for s in summaries}
    journey_id = top[0].selectbox(
        "🗺️ Journey map",
        ids,
        format_func=lambda i: labels.get(i, str(i)),
        key="journey_picker",
        on_change=_picked,
    )
if journey_id is not None and st.session_state.get("jm_runs", 0) > 0:
    if st.query_params.get("journey") != str(journey_id):
        st.query_params["journey"] = str(journey_id)  # the URL names the map (shareable)
st.session_state["jm_runs"] = st.session_state.get("jm_runs", 0) + 1
top[1].text_input("Your name (colleagues see it)", key="author_name", max_chars=40)
live = top[2].toggle(
    "Live", value=True, key="live_mode", help="Show colleagues' changes within seconds"
)

base: jm.Journey | None = None
if journey_id is not None:
    previous: jm.Journey | None = st.session_state.get(BASE)
    if (
        previous is not None
        and previous.journey_id == journey_id
        and previous.workspace == workspace
    ):
        # Apply what changed in the tables since the last run, against what they showed.
        outcomes = jw.apply_stage_editor(
            db, workspace, previous, st.session_state.get("stage_editor"), author
        ) + jw.apply_touchpoint_editor(
            db, workspace, previous, st.session_state.get("touchpoint_editor"), author
        )
        _remember(outcomes)
    try:
        base = jm.get_journey(db, workspace, journey_id)
    except TouchpointError as exc:
        ui.show_error(exc)
        st.stop()
    st.session_state[BASE] = base

jw.show_outcomes(st.session_state.pop(OUTCOMES, []))

if base is None:
    st.info(
        "No journey in this workspace yet. Create one below — start from the retail, "
        "SaaS or hospitality template, or import a JSON/CSV file."
    )
    manage_panel(workspace, base)
    st.stop()

map_tab, graph_t, history_t, planned_t, export_t, manage_t = st.tabs(
    [
        "🗺️ Map & edit",
        "🔀 Graph",
        "🕘 History",
        "📊 Planned vs actual",
        "⬇️ Export",
        "➕ New · import · more",
    ],
    key="jm_tabs",
    on_change="rerun",
)


def _is_open(tab: Any) -> bool:
    state = getattr(tab, "open", None)
    return True if state is None else bool(state)


with map_tab:
    live_map = st.fragment(render_map, run_every=LIVE_SECONDS if live else None)
    live_map(workspace, base.journey_id, filters)
    buttons = st.columns([1, 1, 7], vertical_alignment="center")
    buttons[0].button(
        "↶ Undo",
        key="undo",
        on_click=_undo,
        args=(workspace, base.journey_id),
        disabled=not jm.can_undo(db, workspace, base.journey_id),
        help="Undo the last change to this journey (yours or a colleague's)",
    )
    buttons[1].button(
        "↷ Redo",
        key="redo",
        on_click=_redo,
        args=(workspace, base.journey_id),
        disabled=not jm.can_redo(db, workspace, base.journey_id),
    )
    last = jm.list_versions(db, workspace, base.journey_id, limit=1)
    if last:
        buttons[2].caption(
            f"Version {last[0].version} · last change by "
            f"{ui.escape_markdown(last[0].author or 'someone')}: {ui.escape_markdown(last[0].action)}"
        )
    editors(workspace, base)
    with st.expander("✏️ Edit one touchpoint in a form", expanded=False):
        if base.touchpoints:
            options = [t.touchpoint_id for t in base.touchpoints]
            names = {
                t.touchpoint_id: f"{s.name} · {t.name}" for s in base.stages for t in s.touchpoints
            }
            if st.session_state.get("tp_pick") not in options:
                st.session_state["tp_pick"] = options[0]
            picked = st.selectbox(
                "Touchpoint", options, format_func=lambda i: names.get(i, str(i)), key="tp_pick"
            )
            touchpoint_form("edit_tp", workspace, base, picked)
        else:
            st.caption("No touchpoints yet.")

with graph_t:
    if _is_open(graph_t):
        graph_tab(workspace, base)

with history_t:
    if _is_open(history_t):
        history_tab(workspace, base.journey_id)

with planned_t:
    if _is_open(planned_t):
        try:
            from cem.ui.journeys.planned_actual import render_planned_vs_actual
        except ImportError:
            st.info("The planned-vs-actual comparison is not available in this build yet.")
        else:
            render_planned_vs_actual(db, workspace, base.journey_id, filters)

with export_t:
    if _is_open(export_t):
        try:
            export_tab(workspace, base, filters)
        except TouchpointError as exc:
            ui.show_error(exc)

with manage_t:
    if _is_open(manage_t):
        manage_panel(workspace, base)
