"""Panels of the import page: the kind picker, the data-health check with its remedies, the
explained mapping, the import run, its result and the import history.

Each panel renders one part of :mod:`pages.import_data` and calls :mod:`cem.ingest` for the
work; user text (file and column names, values, reasons) is always escaped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cem import ui
from cem.errors import DuplicateImportError, MappingError, TouchpointError
from cem.export import frame_to_csv_bytes
from cem.format import format_count
from cem.ingest.detect import COMMENT_FIELD, KIND_HELP, LOW_CONFIDENCE, detect_kind
from cem.ingest.explain import column_role_text, possible_nps_columns, upload_warnings
from cem.ingest.health import Remedies
from cem.ingest.load import (
    KINDS,
    Mapping,
    Upload,
    apply_overrides,
    delete_import,
    import_file,
    import_rejects,
    list_imports,
    workspace_counts,
)
from cem.ingest.mapping import check_mapping
from cem.store.db import Database

CONFIRMED_NPS = "import_confirmed_nps"  # the column the user said is the NPS question
WARNING_ICONS = {
    "placeholder_dates": "📅",
    "date_range": "📅",
    "scale_change": "📏",
    "constant": "➖",
    "duplicates": "♊",
    "personal": "🔒",
    "preview": "🧪",
}


def kind_picker(upload: Upload) -> str:
    """The kind of data, preselected from detection, with the reason in words."""
    guess = detect_kind(upload.sample)
    kind = st.radio(
        "What is in the file?",
        KINDS,
        index=KINDS.index(guess.kind),
        horizontal=True,
        key="import_kind",
        format_func=lambda k: k.capitalize(),
    )
    if kind == guess.kind:
        sure = "" if guess.confidence >= LOW_CONFIDENCE else " — please check"
        st.caption(
            f"Detected **{kind}** ({guess.confidence:.0%} sure{sure}): "
            f"{ui.escape_markdown(guess.reason)}."
        )
    else:
        st.caption(
            f"You chose **{kind}** (detection said {guess.kind}: "
            f"{ui.escape_markdown(guess.reason)})."
        )
    st.caption(f"**{kind.capitalize()}**: {ui.escape_markdown(KIND_HELP[kind])}")
    return str(kind)


def nps_question(mapping: Mapping, upload: Upload) -> Mapping:
    """Ask whether a 0-10 column whose header does not say so is the NPS question; only
    the user's yes makes it NPS (the mapping returned then has it), never detection."""
    chosen = st.session_state.get(CONFIRMED_NPS)
    if chosen in upload.columns and "nps" not in mapping.roles:
        return apply_overrides(mapping, upload, {"nps": chosen})
    for k, col in enumerate(possible_nps_columns(upload, mapping)):
        name = ui.escape_markdown(col)
        st.info(
            f"**{name}** holds whole numbers from 0 to 10, the scale of NPS, but its header "
            "does not ask how likely customers are to recommend you, so it is kept as a "
            "rating (a driver, KPI and filter). Is it your likelihood-to-recommend question?",
            icon="❓",
        )
        if st.button(f"Yes, {name} is our NPS question", key=f"import_confirm_nps_{k}"):
            st.session_state[CONFIRMED_NPS] = col
            st.rerun()
    return mapping


def health_panel(upload: Upload, mapping: Mapping) -> Remedies:
    """The data-health warnings before loading, each with its one-click remedy."""
    warnings = upload_warnings(upload, mapping)
    if not warnings:
        st.caption("✅ Data health: no placeholder dates, duplicates or other problems found.")
        return Remedies()
    st.markdown(
        f"**Data health** — {len(warnings)} "
        f"{'thing' if len(warnings) == 1 else 'things'} to look at before importing"
    )
    chosen: dict[str, Any] = {}
    for k, w in enumerate(warnings):
        st.warning(ui.escape_markdown(w.message), icon=WARNING_ICONS.get(w.code, "⚠️"))
        if w.remedy and w.remedy not in chosen:
            if st.checkbox(w.remedy_label, key=f"import_remedy_{w.remedy}_{k}"):
                chosen[w.remedy] = w.column if w.remedy == "exclude_previews_in" else True
    return Remedies(**chosen)


def columns_table(mapping: Mapping, upload: Upload) -> None:
    """Every column's role with its confidence and reason; low confidence says so."""
    frame = mapping.columns_frame(upload)
    roles = list(frame["role"])
    has_role = [r not in ("attribute", "ignore") for r in roles]
    frame["confidence"] = [
        c if ok else None for c, ok in zip(frame["confidence"], has_role, strict=True)
    ]
    kept = {g.column: g.kept_as for g in mapping.guesses}
    frame["role"] = [
        column_role_text(r, kept.get(c))
        for c, r in zip(frame["column"], frame["role"], strict=True)
    ]
    frame["check"] = [
        "⚠ please check"
        if (ok and r != COMMENT_FIELD and c is not None and c == c and c < LOW_CONFIDENCE)
        else ""
        for c, ok, r in zip(frame["confidence"], has_role, roles, strict=True)
    ]
    st.dataframe(
        frame[["column", "check", "role", "confidence", "why", "examples"]],
        hide_index=True,
        use_container_width=True,
        column_config={
            "confidence": st.column_config.ProgressColumn(
                "confidence", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "why": st.column_config.TextColumn("why", width="large"),
        },
        key="import_columns_table",
    )


def mapping_problem(final: Mapping, upload: Upload) -> str | None:
    """What stops this mapping from importing (a required role without a column or a
    constant, a score on a scale it cannot have), shown before Import: None when it can."""
    try:
        check_mapping(final, upload)
    except MappingError as exc:
        return str(exc)
    return None


def mapping_notes(final: Mapping) -> None:
    """Notes on the mapping (saved mapping reused, fallbacks, ambiguous dates)."""
    if final.saved_from:
        note = st.container(border=True)
        note.markdown(
            f"♻️ Same columns as **{ui.escape_markdown(final.saved_from)}**: its mapping is "
            "reused. Change any role below, or start from detection again."
        )
        if note.button("Use detection instead", key="import_ignore_saved"):
            st.session_state["import_ignore_saved"] = True
            st.rerun()
    for text in final.notes:
        if not text.startswith("Same columns as"):
            st.caption(f"ℹ️ {ui.escape_markdown(text)}")
    if final.date_formats:
        st.caption(
            "Dates will be read as: "
            + "; ".join(
                f"{ui.escape_markdown(c)} → {ui.escape_markdown(f.label)}"
                for c, f in final.date_formats.items()
            )
        )


def run_import(
    db: Database,
    workspace: str,
    upload: Upload,
    mapping: Mapping,
    on_duplicate: str,
    remedies: Remedies,
) -> None:
    """Import with progress; the outcome goes to ``st.session_state['import_result']``.
    A failure is shown open, in plain words, under the progress box."""
    failure: TouchpointError | None = None
    with st.status(f"Importing {upload.file_name}…", expanded=True) as status:
        bar = st.progress(0.0, text="Starting")
        try:
            result = import_file(
                db,
                workspace,
                upload,
                mapping.kind,
                actor=ui.current_principal(),
                mapping=mapping,
                on_duplicate=on_duplicate,
                remedies=remedies,
                progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
            )
        except DuplicateImportError as exc:
            st.session_state["import_pending_duplicate"] = exc.import_id
            status.update(label="Already imported", state="error")
            return
        except TouchpointError as exc:
            status.update(label="Import failed: nothing was loaded", state="error")
            failure = exc
        else:
            status.update(label=f"Imported {upload.file_name}", state="complete", expanded=False)
    if failure is not None:
        ui.show_error(failure)
        return
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
        "notes": result.notes,
    }


def rejects_frame(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects for display: blanks instead of "None", a whole-row reason says so."""
    out = rejects.copy()
    out["column"] = out["column"].where(out["column"].notna(), "(whole row)")
    out["value"] = out["value"].where(out["value"].notna(), "")
    return out.astype({"column": str, "value": str})


def result_panel(db: Database, result: dict[str, Any]) -> None:
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
    for note in result.get("notes", []):
        st.info(ui.escape_markdown(note))
    if result["kind"] == "responses":
        _headline_nps(db, result["workspace"])
    counts = workspace_counts(db, result["workspace"])
    st.caption(
        "The workspace now holds "
        + ", ".join(f"{format_count(n)} {k}" for k, n in counts.items())
        + "."
    )
    if result["rejected"]:
        st.markdown("**Rejected rows** (row numbers as in the file, as a spreadsheet numbers them)")
        st.dataframe(
            rejects_frame(result["rejects"].head(50)), hide_index=True, use_container_width=True
        )
        try:
            everything = import_rejects(db, result["workspace"], result["import_id"])
            st.download_button(
                f"Download all {format_count(len(everything))} rejects as CSV",
                data=frame_to_csv_bytes(rejects_frame(everything)),
                file_name=f"rejects-import-{result['import_id']}.csv",
                mime="text/csv",
                key="import_download_rejects",
            )
        except TouchpointError as exc:
            ui.show_error(exc)


def _headline_nps(db: Database, workspace: str) -> None:
    """The workspace's NPS right after a responses import (nothing when it has none)."""
    from cem.analytics.engine import duckdb_engine
    from cem.analytics.kpi_frames import kpi_frame
    from cem.format import format_nps

    row = kpi_frame(duckdb_engine(db), workspace, "nps").iloc[0]
    if int(row.n) > 0:
        st.metric("Workspace NPS now", format_nps(row.value, row.moe, int(row.n)))


def history_panel(db: Database, workspace: str) -> None:
    """The workspace's imports, and deleting one."""
    st.subheader("Import history")
    st.caption("Row numbers in rejects are the file's own, as a spreadsheet numbers them.")
    try:
        history = list_imports(db, workspace)
    except TouchpointError as exc:
        ui.show_error(exc)
        return
    if history.empty:
        st.caption("Nothing imported into this workspace yet.")
        return
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
                delete_import(db, workspace, int(choice), actor=ui.current_principal())
                st.session_state.pop("import_result", None)
                st.success(f"Deleted import #{choice}.")
                st.rerun()
            except TouchpointError as exc:
                ui.show_error(exc)
