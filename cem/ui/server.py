"""Start the Touchpoint app server (``python -m cem serve``; ``make run`` uses it).

It is ``streamlit run app.py`` with one fix: Streamlit treats an app whose folder has a
``pages/`` directory as an old-style multipage app until ``st.navigation`` has run
once in the process, so the very first visit after a start, when it opens a deep link
such as ``/kpi-explorer?segment=Enterprise``, shows a spurious "Page not found" dialog.
Telling Streamlit up front that this app uses ``st.navigation`` removes that.

It also makes this process the database's host (:mod:`cem.store.host`): it opens the
database at once (or as soon as a CLI command that holds it ends), keeps the read-only
snapshot that CLI reads use, and imports what ``python -m cem import`` and other tools drop
into the inbox.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def serve(streamlit_args: Sequence[str] = ()) -> int:
    """Run the app server in this process until it is stopped; returns the exit status."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    from cem.cli.alongside import run_inbox_job
    from cem.store.db import resolve_db_path
    from cem.store.host import start_hosting

    PagesManager.uses_pages_directory = False  # app.py routes with st.navigation
    start_hosting(resolve_db_path(), run_inbox_job)
    sys.argv = ["streamlit", "run", str(APP), *streamlit_args]
    try:
        streamlit_cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
