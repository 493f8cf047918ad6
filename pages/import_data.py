"""Import data: upload a CSV/TSV/TXT, XLSX or Parquet file; the kind (responses, events or
customers) and every column's role are detected and explained; check the data health, fix
the mapping in one place, import, and see what was loaded and what was rejected.

Thin: reading, detection, health checks and loading are :mod:`cem.ingest` (the same code
path as ``python -m cem import``); the panels are :mod:`cem.ui.ingest.panels`.
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.errors import TouchpointError
from cem.ingest.load import apply_overrides, detect_mapping, read_upload
from cem.ui.ingest import panels
from cem.ui.ingest.widgets import clear_stash, mapping_editor, max_upload_mb, stash_upload

st.title("Import data")
db = ui.get_database()

workspace = ui.current_workspace()
if workspace is None:
    name = st.text_input(
        "There is no workspace yet: name the one to import into",
        value="My data",
        key="import_new_workspace",
    )
    workspace = name.strip() or "My data"
st.caption(f"Importing into workspace **{ui.escape_markdown(workspace)}**.")

limit_mb = max_upload_mb()
uploaded = st.file_uploader(
    f"Choose a file (CSV, TSV, TXT, XLSX or Parquet; up to {limit_mb} MB)",
    type=["csv", "tsv", "txt", "xlsx", "xls", "parquet"],
    key="import_file",
)

if uploaded is None:
    clear_stash()
    st.info(
        "Upload a file to see what it holds and the role detected for each column. Survey "
        "exports (Google Forms, Qualtrics, SurveyMonkey, SurveyGizmo), reviews, ticket and "
        "touchpoint logs and customer lists all work; nothing is loaded until you press "
        "**Import**."
    )
elif uploaded.size > limit_mb * 1024 * 1024:
    st.error(
        f"{ui.escape_markdown(uploaded.name)} is {uploaded.size / 1048576:,.0f} MB; the limit "
        f"is {limit_mb} MB. Split the file or save it as Parquet; an administrator can raise "
        "the limit (TOUCHPOINT_MAX_UPLOAD_MB) or import it from the command line.",
        icon="⚠️",
    )
else:
    upload = None
    try:
        path = stash_upload(uploaded)
        upload = read_upload(path, uploaded.name, sheet=st.session_state.get("import_sheet"))
        if len(upload.sheets) > 1:
            st.selectbox(
                "Sheet (the first one with data is preselected)",
                upload.sheets,
                index=upload.sheets.index(upload.sheet),
                key="import_sheet",
            )
        st.caption(
            f"{ui.escape_markdown(upload.file_name)}: {ui.escape_markdown(upload.described)}"
            + (f", {upload.header_rows} header rows" if upload.header_rows > 1 else "")
            + (f" ({upload.header_style} export)" if upload.header_style else "")
            + (
                f", header on row {upload.title_rows + 1} (the title lines above it skipped)"
                if upload.title_rows
                else ""
            )
            + (f", {upload.row_count:,} rows" if upload.row_count else "")
            + f", {len(upload.columns)} columns."
        )
        kind = panels.kind_picker(upload)
        health_box = st.container()
        use_saved = not st.session_state.get("import_ignore_saved")
        mapping = detect_mapping(upload, kind, db if use_saved else None, workspace)
        mapping = panels.nps_question(mapping, upload)
        st.markdown("**Detected role of every column** (with how sure, and why)")
        roles_box = st.container()
        with st.expander("Preview (first rows, shown as text)"):
            st.dataframe(upload.preview(10), hide_index=True, use_container_width=True)
        st.markdown(
            "**Roles** — change a column or give a constant for a role the file lacks; "
            "columns without a role are kept as attributes (ratings and filters)."
        )
        overrides, constants = mapping_editor(mapping, upload)
        ignored = st.multiselect(
            "Columns not to load at all",
            upload.columns,
            default=mapping.ignored,
            key="import_ignored",
        )
        final = None
        try:
            final = apply_overrides(mapping, upload, overrides, constants, ignored)
        except TouchpointError as exc:
            ui.show_error(exc)
        if final is not None:
            with roles_box:
                panels.columns_table(final, upload)
            panels.mapping_notes(final)
            with health_box:
                remedies = panels.health_panel(upload, final)
            pending = st.session_state.get("import_pending_duplicate")
            if pending is not None:
                st.warning(
                    f"This file was already imported into this workspace (import #{pending}). "
                    "Skip it, or replace the earlier import with this one?",
                    icon="♻️",
                )
                skip_col, replace_col, _ = st.columns([1, 2, 3])
                if skip_col.button("Skip", key="import_skip"):
                    panels.run_import(db, workspace, upload, final, "skip", remedies)
                if replace_col.button("Replace earlier import", key="import_replace"):
                    panels.run_import(db, workspace, upload, final, "replace", remedies)
            elif problem := panels.mapping_problem(final, upload):
                st.warning(ui.escape_markdown(problem), icon="✋")
                st.button("Import", type="primary", key="import_button", disabled=True)
            elif st.button("Import", type="primary", key="import_button"):
                panels.run_import(db, workspace, upload, final, "error", remedies)
                if st.session_state.get("import_pending_duplicate") is not None:
                    st.rerun()
    except TouchpointError as exc:
        ui.show_error(exc)
    finally:
        if upload is not None:
            upload.close()

result = st.session_state.get("import_result")
if result is not None and uploaded is not None:
    panels.result_panel(db, result)

st.divider()
panels.history_panel(db, workspace)
