"""`cem serve` imports the pages' modules before Streamlit starts (cem.ui.server.preload)."""

from __future__ import annotations

import subprocess
import sys

from cem.ui import server


def test_preload_imports_the_pages_modules_without_a_runtime() -> None:
    code = (
        "import sys\n"
        "from cem.ui.server import PRELOAD, preload\n"
        "preload()\n"
        "missing = [m for m in (*PRELOAD, 'ibis', 'pandas', 'altair') if m not in sys.modules]\n"
        "print(missing)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    assert done.stdout.strip() == "[]"
    assert "No runtime found" not in done.stderr  # the decorator's check line is muted


def test_every_preloaded_module_is_a_cem_module() -> None:
    assert all(name.startswith("cem.") for name in server.PRELOAD)
