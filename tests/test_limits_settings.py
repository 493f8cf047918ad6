"""The input limits live in one settings module and are all listed, with their defaults, in
``.streamlit/secrets.toml.example``; ``secrets.toml`` and the environment both set them."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from cem.errors import FileFormatError
from cem.ingest import limits
from tests.conftest import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / ".streamlit" / "secrets.toml.example"


def test_every_limit_is_in_the_secrets_example_with_its_default() -> None:
    listed = dict(re.findall(r"^# (TOUCHPOINT_MAX_\w+) = ([\d_]+)", EXAMPLE.read_text(), re.M))
    defaults = {limits.env_name(f.name): f.default for f in fields(limits.Limits)}
    assert {k: int(v.replace("_", "")) for k, v in listed.items()} == defaults


def test_secrets_toml_sets_a_limit_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'TOUCHPOINT_MAX_COLUMNS = 7\nTOUCHPOINT_MAX_ROWS = "9"\n[touchpoint]\nsecret = "x"\n'
    )
    monkeypatch.delenv("TOUCHPOINT_MAX_COLUMNS", raising=False)
    monkeypatch.delenv("TOUCHPOINT_MAX_ROWS", raising=False)
    assert (limits.current(secrets).max_columns, limits.current(secrets).max_rows) == (7, 9)
    monkeypatch.setenv("TOUCHPOINT_MAX_COLUMNS", "11")
    assert limits.current(secrets).max_columns == 11
    assert limits.current(tmp_path / "absent.toml").max_rows == 5_000_000


@pytest.mark.parametrize(
    ("check", "args", "variable"),
    [
        (limits.check_file_size, ("big.csv", 300 * limits.MB), "TOUCHPOINT_MAX_UPLOAD_MB"),
        (limits.check_columns, ("wide.csv", 501), "TOUCHPOINT_MAX_COLUMNS"),
        (limits.check_rows, ("long.csv", 5_000_001), "TOUCHPOINT_MAX_ROWS"),
        (limits.check_cell_length, ("cell.csv", 1_000_001), "TOUCHPOINT_MAX_CELL_CHARS"),
    ],
)
def test_each_refusal_says_the_limit_and_how_to_change_it(check, args, variable) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileFormatError) as info:
        check(*args, limits=limits.Limits())
    message = str(info.value)
    assert "\n" not in message and variable in message and "secrets.toml" in message
    assert re.search(r"at most [\d,]+", message)
