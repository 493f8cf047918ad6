"""Import data: upload a CSV/TSV/TXT, XLSX or Parquet file as responses, events or customers,
check the detected column roles, import, and see what was loaded and what was rejected.

Thin: all reading, detection, validation and loading is :mod:`cem.ingest.load` (the same code
path as ``python -m cem import``).
"""

from __future__ import annotations

import streamlit as st

from cem import ui
from cem.errors import DuplicateImportError, TouchpointError
from cem.export import frame_to_csv_bytes
from cem.format import format_count
from cem.ingest.load import (
    KIND_HELP,
    KINDS,
    apply_overrides,
    delete_import,
    detect_mapping,
    import_file,
    import_rejects,
    list_imports,
    read_upload,
    workspace_counts,
)
from cem.store.workspaces import ensure_workspace
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

kind = st.radio(
    "What is in the file?",
    KINDS,
    horizontal=True,
    key="import_kind",
    format_func=lambda k: k.capitalize(),
)
st.caption(f"**{kind.capitalize()}**: {ui.escape_markdown(KIND_HELP[kind])}")

limit_mb = max_upload_mb()
uploaded = st.file_uploader(
    f"Choose a file (CSV, TSV, TXT, XLSX or Parquet; up to {limit_mb} MB)",
    type=["csv", "tsv", "txt", "xlsx", "xls", "parquet"],
    key="import_file",
)


def _show_result(result: dict) -> None:
    """The outcome of the last import in this session."""
    if result.get("skipped_of") is not None:
        st.info(
            f"{ui.escape_markdown(result['file_name'])} was already imported "
            f"(import #{result['skipped_of']}); nothing was loaded."
        )
        return
    st.success(
        f"Imported {ui.escape_markdown(result['file_name'])} as import #{result['import_id']}"
        + (f", replacing import #{result['replaced']}" if result.get("replaced") else "")
        + "."
    )
    a, b, c = st.columns(3)
    a.metric("Rows loaded", format_count(result["loaded"]))
    b.metric("Rows rejected", format_count(result["rejected"]))
    c.metric("Rows read", format_count(result["read"]))
    if updated := result.get("customers_updated"):
        st.caption(
            f"{format_count(updated)} of these customers "
            + ("was" if updated == 1 else "were")
            + " in an earlier import: their records (and extra columns) now come from this file."
        )
    if result["date_formats"]:
        st.caption(
            "Dates read as: "
            + "; ".join(
                f"{ui.escape_markdown(col)} → {ui.escape_markdown(fmt)}"
                for col, fmt in result["date_formats"].items()
            )
        )
    # Headline KPI right after a responses import (cem.analytics; counts when it has none).
    if result["kind"] == "responses":
        try:
            from cem.analytics.kpi_frames import kpi_frame
            from cem.format import format_nps

            row = kpi_frame(ui.get_engine(), result["workspace"], "nps").iloc[0]
            if int(row.n) > 0:
                st.metric("Workspace NPS now", format_nps(row.value, row.moe, int(row.n)))
        except Exception as exc:  # noqa: BLE001 - the KPI is a bonus; the import result stands
            from cem.logs import log_exception

            st.caption(
                f"The workspace NPS cannot be shown (error id {log_exception(exc, 'import')})."
            )
    counts = workspace_counts(db, result["workspace"])
    st.caption(
        "The workspace now holds "
        + ", ".join(f"{format_count(n)} {k}" for k, n in counts.items())
        + "."
    )
    if result["rejected"]:
        st.markdown("**Rejected rows** (row 1 is the header, as in a spreadsheet)")
        st.dataframe(result["rejects"].head(50), hide_index=True, use_container_width=True)
        try:
            everything = import_rejects(db, result["workspace"], result["import_id"])
            st.download_button(
                f"Download all {format_count(len(everything))} rejects as CSV",
                data=frame_to_csv_bytes(everything),
                file_name=f"rejects-import-{result['import_id']}.csv",
                mime="text/csv",
                key="import_download_rejects",
            )
        except TouchpointError as exc:
            ui.show_error(exc)


def _run_import(upload, mapping, on_duplicate: str) -> None:  # type: ignore[no-untyped-def]
    ensure_workspace(db, workspace)
    with st.status(f"Importing {upload.file_name}…", expanded=True) as status:
        bar = st.progress(0.0, text="Starting")
        try:
            result = import_file(
                db,
                workspace,
                upload,
                kind,
                mapping=mapping,
                on_duplicate=on_duplicate,
                progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
            )
        except DuplicateImportError as exc:
            st.session_state["import_pending_duplicate"] = exc.import_id
            status.update(label="Already imported", state="error")
            return
        except TouchpointError as exc:
            status.update(label="Import failed: nothing was loaded", state="error")
            ui.show_error(exc)
            return
        status.update(label=f"Imported {upload.file_name}", state="complete", expanded=False)
    st.session_state.pop("import_pending_duplicate", None)
    st.session_state["import_result"] = {
        "file_name": result.file_name,
        "workspace": workspace,
        "kind": result.kind,
        "import_id": result.import_id,
        "loaded": result.rows_loaded,
        "rejected": result.rows_rejected,
        "read": result.rows_read,
        "rejects": result.rejects,
        "date_formats": result.date_formats,
        "skipped_of": result.skipped_duplicate_of,
        "replaced": result.replaced_import_id,
        "customers_updated": result.customers_updated,
    }


if uploaded is None:
    clear_stash()
    st.info(
        "Upload a file to see its columns and the role detected for each. Survey exports, "
        "reviews, touchpoint logs and customer lists all work; nothing is loaded until you "
        "press **Import**."
    )
elif uploaded.size > limit_mb * 1024 * 1024:
    st.error(
        f"{ui.escape_markdown(uploaded.name)} is {uploaded.size / 1048576:,.0f} MB; the limit "
        f"is {limit_mb} MB. Split the file, save it as Parquet, or import it with "
        "`python -m cem import` (an administrator can raise TOUCHPOINT_MAX_UPLOAD_MB).",
        icon="⚠️",
    )
else:
    upload = None
    try:
        path = stash_upload(uploaded)
        sheet = st.session_state.get("import_sheet")
        upload = read_upload(path, uploaded.name, sheet=sheet)
        if len(upload.sheets) > 1:
            st.selectbox(
                "Sheet", upload.sheets, index=upload.sheets.index(upload.sheet), key="import_sheet"
            )
        st.caption(
            f"{ui.escape_markdown(upload.file_name)}: {ui.escape_markdown(upload.described)}"
            + (f", {format_count(upload.row_count)} rows" if upload.row_count else "")
            + f", {len(upload.columns)} columns."
        )
        st.markdown("**Preview** (first rows, shown as text)")
        st.dataframe(upload.preview(10), hide_index=True, use_container_width=True)

        mapping = detect_mapping(upload, kind, db, workspace)
        st.markdown("**Detected role of every column**")
        roles_box = st.container()
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
            for note in final.notes:
                st.caption(f"ℹ️ {ui.escape_markdown(note)}")
            if final.date_formats:
                st.caption(
                    "Dates will be read as: "
                    + "; ".join(
                        f"{ui.escape_markdown(c)} → {ui.escape_markdown(f.label)}"
                        for c, f in final.date_formats.items()
                    )
                )
            roles_box.dataframe(
                final.columns_frame(upload),
                hide_index=True,
                use_container_width=True,
                column_config={
                    "confidence": st.column_config.ProgressColumn(
                        "confidence", min_value=0.0, max_value=1.0, format="%.2f"
                    ),
                },
            )
            pending = st.session_state.get("import_pending_duplicate")
            if pending is not None:
                st.warning(
                    f"This file was already imported into this workspace (import #{pending}). "
                    "Skip it, or replace the earlier import with this one?",
                    icon="♻️",
                )
                skip_col, replace_col, _ = st.columns([1, 2, 3])
                if skip_col.button("Skip", key="import_skip"):
                    _run_import(upload, final, "skip")
                if replace_col.button("Replace earlier import", key="import_replace"):
                    _run_import(upload, final, "replace")
            elif st.button("Import", type="primary", key="import_button"):
                _run_import(upload, final, "error")
                if st.session_state.get("import_pending_duplicate") is not None:
                    st.rerun()
    except TouchpointError as exc:
        ui.show_error(exc)
    finally:
        if upload is not None:
            upload.close()

result = st.session_state.get("import_result")
if result is not None and uploaded is not None:
    _show_result(result)

st.divider()
st.subheader("Import history")
st.caption("Row numbers in rejects are as in a spreadsheet: row 1 is the header.")
try:
    history = list_imports(db, workspace)
except TouchpointError as exc:
    ui.show_error(exc)
    history = None
if history is None or history.empty:
    st.caption("Nothing imported into this workspace yet.")
else:
    st.dataframe(
        history.rename(
            columns={
                "import_id": "#",
                "file_name": "file",
                "rows_read": "read",
                "rows_loaded": "loaded",
                "rows_rejected": "rejected",
                "created_at": "when",
            }
        ),
        hide_index=True,
        use_container_width=True,
        key="import_history",
    )
    with st.expander("Delete an import"):
        choice = st.selectbox(
            "Import",
            history["import_id"].tolist(),
            format_func=lambda i: (
                f"#{i} " + str(history.loc[history["import_id"] == i, "file_name"].iloc[0])
            ),
            key="import_delete_choice",
        )
        sure = st.checkbox(
            "Yes, delete this import and every row it loaded", key="import_delete_confirm"
        )
        if st.button("Delete import", disabled=not sure, key="import_delete_button"):
            try:
                delete_import(db, workspace, int(choice))
                st.session_state.pop("import_result", None)
                st.success(f"Deleted import #{choice}.")
                st.rerun()
            except TouchpointError as exc:
                ui.show_error(exc)
