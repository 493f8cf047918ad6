"""``python -m cem serve`` imports the pages' modules before it answers, so the first
visit after a start does not wait for them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from cem.ui.server import page_modules, preload_page_modules, prepare_engine

ROOT = Path(__file__).resolve().parents[1]


def test_every_cem_import_of_the_pages_is_preloaded() -> None:
    written = set()
    for script in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        written.update(re.findall(r"^from (cem[\w.]*) import", script.read_text(), re.M))
    assert written and written <= set(page_modules())
    assert "cem.ui.events.panels" in page_modules()  # `from cem.ui.events import panels`


def test_preload_imports_modules_and_skips_imported_names() -> None:
    loaded = preload_page_modules()
    assert "cem.ui.events.panels" in loaded and "cem.analytics.events.flows" in loaded
    assert all(name in sys.modules for name in loaded)
    assert "cem.ui.guard.page_guard" not in loaded  # a function, not a module


def test_prepare_engine_sets_up_ibis_duckdb_on_a_scratch_connection() -> None:
    prepare_engine()
    assert "ibis.backends.duckdb" in sys.modules


def test_prepare_streamlit_does_the_first_views_one_time_work() -> None:
    """Run in a fresh interpreter: after it, the emoji table is imported and the
    "use streamlit run" check is done, so the first page view pays neither."""
    code = (
        "import sys\n"
        "from cem.ui.server import prepare_streamlit\n"
        "assert 'streamlit.emojis' not in sys.modules\n"
        "prepare_streamlit()\n"
        "from streamlit import delta_generator\n"
        "assert 'streamlit.emojis' in sys.modules\n"
        "assert delta_generator._use_warning_has_been_displayed\n"
    )
    _passes_in_a_fresh_interpreter(code)


def test_prepare_result_store_reads_parquet_before_the_first_view() -> None:
    """In a fresh interpreter: the pages' modules do not import the Parquet reader; after
    prepare_result_store a kept frame reads back without importing it."""
    code = (
        "import sys\n"
        "from cem.ui.server import preload_page_modules, prepare_result_store\n"
        "preload_page_modules()\n"
        "assert 'pyarrow.parquet' not in sys.modules\n"
        "prepare_result_store()\n"
        "assert 'pyarrow.parquet' in sys.modules\n"
    )
    _passes_in_a_fresh_interpreter(code)


def _passes_in_a_fresh_interpreter(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
