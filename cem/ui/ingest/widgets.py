"""Streamlit helpers for the import page: the upload stash, the size limit and the
mapping editor. Domain work stays in :mod:`cem.ingest`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from cem.ingest.load import CONSTANT_ROLES, NO_COLUMN, Mapping, Upload
from cem.ingest.readers import stash_dir

ENV_MAX_UPLOAD_MB = "TOUCHPOINT_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 200
_STASH = "import_stash"
# Widgets whose state belongs to one uploaded file: reset when another file comes.
PER_FILE_KEYS = (
    "import_mapping",
    "import_ignored",
    "import_sheet",
    "import_pending_duplicate",
    "import_result",
    "import_kind",
    "import_ignore_saved",
    "import_confirmed_nps",
)


def max_upload_mb() -> int:
    """The app's upload limit in MB (``$TOUCHPOINT_MAX_UPLOAD_MB``, default 200)."""
    try:
        value = int(os.environ.get(ENV_MAX_UPLOAD_MB, DEFAULT_MAX_UPLOAD_MB))
    except ValueError:
        value = DEFAULT_MAX_UPLOAD_MB
    return max(1, value)


def stash_upload(uploaded: Any) -> str:
    """Write an uploaded file to a temp file once (DuckDB reads files); return its path.

    The previous stash is deleted when another file is uploaded, and per-file widget
    state is reset.
    """
    stash = st.session_state.get(_STASH)
    if stash and stash["id"] == uploaded.file_id and os.path.exists(stash["path"]):
        return str(stash["path"])
    clear_stash()
    for key in list(st.session_state.keys()):
        if key in PER_FILE_KEYS or str(key).startswith(("import_mapping", "import_remedy")):
            st.session_state.pop(key, None)
    suffix = Path(uploaded.name).suffix
    fd, path = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=stash_dir())
    with os.fdopen(fd, "wb") as fh:
        for chunk in iter(lambda: uploaded.read(1 << 20), b""):
            fh.write(chunk)
    uploaded.seek(0)
    st.session_state[_STASH] = {"id": uploaded.file_id, "path": path}
    return path


def clear_stash() -> None:
    """Delete the stashed upload (if any)."""
    stash = st.session_state.pop(_STASH, None)
    if stash:
        try:
            os.unlink(stash["path"])
        except OSError:
            pass


def mapping_editor(
    mapping: Mapping, upload: Upload
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """The one place to change roles: a table of the kind's roles with a column picker and
    a constant field. Returns (overrides role -> column, constants role -> value)."""
    frame = mapping.editor_frame(upload)
    edited: pd.DataFrame = st.data_editor(
        frame,
        key=f"import_mapping_{mapping.kind}",
        hide_index=True,
        use_container_width=True,
        num_rows="fixed",
        disabled=["role", "meaning", "date format", "why"],
        column_config={
            "role": st.column_config.TextColumn("Role", width="medium"),
            "meaning": st.column_config.TextColumn("Meaning"),
            "column": st.column_config.SelectboxColumn(
                "Column in the file",
                options=[NO_COLUMN, *upload.columns],
                help="Pick the column that holds this role",
            ),
            "constant": st.column_config.TextColumn(
                "Or a constant",
                help="A value for every row, for a role the file lacks "
                f"({', '.join(sorted(CONSTANT_ROLES))})",
            ),
            "date format": st.column_config.TextColumn("Date format"),
            "why": st.column_config.TextColumn("Why", width="large"),
        },
    )
    overrides: dict[str, str | None] = {}
    constants: dict[str, str | None] = {}
    for rec in edited.to_dict("records"):
        column = rec.get("column") or None
        if column == NO_COLUMN:
            column = None
        constant = (rec.get("constant") or "").strip() or None
        overrides[rec["role"]] = column
        constants[rec["role"]] = constant if column is None else None
    return overrides, constants
