"""Start the Touchpoint app server (``python -m cem serve``; ``make run`` uses it).

It is ``streamlit run app.py`` with one fix: Streamlit treats an app whose folder has a
``pages/`` directory as an old-style multipage app until ``st.navigation`` has run
once in the process, so the very first visit after a start, when it opens a deep link
such as ``/kpi-explorer?segment=Enterprise``, shows a spurious "Page not found" dialog.
Telling Streamlit up front that this app uses ``st.navigation`` removes that.

It also makes this process the database's host (:mod:`cem.store.host`): it opens the
database at once (or as soon as a CLI command that holds it ends), keeps the read-only
snapshot that CLI reads use, imports what ``python -m cem import`` and other tools drop
into the inbox, and runs the other CLI changes handed to it (:mod:`cem.cli.relay`).

Before it answers, it imports every ``cem`` module the pages import (pandas, Ibis and
Altair with them): 2–3 s that the first visit after a start would otherwise wait for.
It also builds one Ibis DuckDB backend on a scratch connection: Ibis's one-time set-up
(0.15 s, 0.6 s on a loaded machine) is then not paid by the first view that computes.
Streamlit's own one-time work of a first view (the page icon's emoji check, 0.4 s, and
its "run with streamlit run" stack walk, 0.25 s) is done here too, and so is the import of
pyarrow's Parquet reader that the first kept frame read back would pay (0.2 s loaded).
Those modules' objects are then frozen out of the garbage collector's view
(``gc.freeze``): they live as long as the process, and a full collection no longer walks
them (``.streamlit/config.toml`` also turns off Streamlit's collection after every run).
"""

from __future__ import annotations

import ast
import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGES = APP.with_name("pages")


def page_modules() -> list[str]:
    """The ``cem`` modules that ``app.py`` and the pages import (read from their source)."""
    names: set[str] = set()
    for script in [APP, *sorted(PAGES.glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == "cem":
                    names.add(node.module)
                    names.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.split(".")[0] == "cem")
    return sorted(names)


def preload_page_modules() -> list[str]:
    """Import the pages' ``cem`` modules now (a name that is a function or class rather
    than a module is skipped); returns the modules imported."""
    loaded = []
    for name in page_modules():
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        loaded.append(name)
    return loaded


def prepare_engine() -> None:
    """Build (and drop) one Ibis DuckDB backend on a private in-memory connection, so
    the one-time set-up of Ibis's DuckDB backend is done before the first page view."""
    import ibis

    from cem.store.db import scratch_connection

    with scratch_connection() as con:
        ibis.duckdb.from_connection(con)


def prepare_streamlit() -> None:
    """Do Streamlit's one-time, per-process work now rather than in the first page view:
    the emoji check of the page icon (imports ``streamlit.emojis`` and compiles its
    pattern of every emoji, ~0.4 s) and the "not run with streamlit run" check made
    before the first element is drawn (walks the whole stack with ``inspect``, ~0.25 s).
    The second is a private Streamlit function: skipped if a release drops it."""
    from streamlit import delta_generator, string_util

    from cem.ui.routes import APP_ICON

    string_util.is_emoji(APP_ICON)
    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if check is not None:
        check()


def prepare_result_store() -> None:
    """Keep and read back one tiny frame the way kept results are stored, so the first
    kept frame a page view reads does not import pyarrow's Parquet modules (0.2 s on a
    loaded machine)."""
    import pandas as pd

    from cem.analytics import result_store

    result_store.decode(result_store.encode(pd.DataFrame({"name": ["a", None]})))


def page_paths() -> list[str]:
    """The address of each page of the app: every ``url_path="…"`` in ``app.py`` (read
    from its source) and the ``/home`` alias."""
    from cem.ui.routes import HOME

    paths = {HOME}
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if isinstance(node, ast.keyword) and node.arg == "url_path":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                paths.add(node.value.value)
    return sorted(paths)


def add_page_shell() -> bool:
    """Have the server send its HTML page with :mod:`cem.ui.page_shell`'s script (the
    front end then connects without first asking a page's address for the server).
    Streamlit builds its middleware list in a private function: if a release drops it,
    the page is sent as it is and this returns False."""
    from streamlit.web.server.starlette import starlette_app

    streamlit_middleware = getattr(starlette_app, "create_streamlit_middleware", None)
    if streamlit_middleware is None:
        return False

    def with_page_shell() -> list[Any]:
        from starlette.middleware import Middleware
        from streamlit import config

        from cem.ui.page_shell import PageShellMiddleware, shell_script

        script = shell_script(page_paths(), str(config.get_option("server.baseUrlPath") or ""))
        return [*streamlit_middleware(), Middleware(PageShellMiddleware, script=script)]

    starlette_app.create_streamlit_middleware = with_page_shell
    return True


def serve(streamlit_args: Sequence[str] = ()) -> int:
    """Run the app server in this process until it is stopped; returns the exit status."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    from cem.cli.alongside import run_inbox_job
    from cem.cli.relay import run_command_job
    from cem.store.db import resolve_db_path
    from cem.store.host import start_hosting

    PagesManager.uses_pages_directory = False  # app.py routes with st.navigation
    start_hosting(resolve_db_path(), run_inbox_job, run_command_job)
    preload_page_modules()
    prepare_engine()
    prepare_streamlit()
    prepare_result_store()
    add_page_shell()
    gc.collect()
    gc.freeze()  # the modules' objects stay for the process's life: not walked by a collection
    sys.argv = ["streamlit", "run", str(APP), *streamlit_args]
    try:
        streamlit_cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
