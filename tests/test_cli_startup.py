"""``python -m cem --help`` loads no heavy library: the command line imports pandas, Ibis,
DuckDB and Streamlit only inside the command that needs them (a structural test: which
modules the real process imports, read from ``-X importtime``; the time is in bench/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

HEAVY = ("pandas", "ibis", "duckdb", "streamlit", "numpy", "pyarrow", "sqlglot")


def imported_modules(*args: str) -> set[str]:
    """The modules that ``python -X importtime -m cem ARGS`` imports (top-level names)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cem", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "cem" in names  # the import log was read
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("import", "--help"),
        ("kpi", "--help"),
        ("share", "create", "--help"),
        ("user", "--help"),
    ],
)
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    heavy = sorted(imported_modules(*args) & set(HEAVY))
    assert heavy == [], f"python -m cem {' '.join(args)} imported {heavy}"


def test_every_cli_module_imports_without_the_heavy_stack() -> None:
    """Each ``cem.cli`` module on its own (a fresh interpreter) leaves the stack unloaded."""
    code = (
        "import importlib, pkgutil, sys, cem.cli\n"
        "for m in pkgutil.iter_modules(cem.cli.__path__):\n"
        "    importlib.import_module('cem.cli.' + m.name)\n"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", result.stdout
