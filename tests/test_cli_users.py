"""``python -m cem user …`` and ``python -m cem audit`` (in process, through ``main``)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cem.access import signin
from cem.cli.main import main
from cem.errors import AccessDenied
from cem.store.db import Database


def _run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_user_commands_and_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "t.duckdb")
    add = ["user", "--db", path, "add", "ann", "--role", "editor", "--workspace", "demo"]
    assert _run(monkeypatch, [*add, "--password-stdin"], "first-pass\n") == 0
    assert _run(monkeypatch, ["user", "--db", path, "add", "bob", "--role", "admin"]) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert _run(monkeypatch, ["user", "--db", path, "list"]) == 0
    assert capsys.readouterr().out == "ann\teditor\tdemo\n"
    passwd = ["user", "--db", path, "passwd", "ann", "--password-stdin"]
    assert _run(monkeypatch, passwd, "second-pass\n") == 0
    db = Database(path)
    assert signin.sign_in(db, "ann", "second-pass").principal.name == "ann"
    db.close()
    capsys.readouterr()
    assert _run(monkeypatch, ["audit", "--db", path, "--format", "csv"]) == 0
    log = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert log[["actor", "action", "target"]].values.tolist() == [
        ["ann", "signin.ok", "ann"],
        ["cli", "user.password", "ann"],
        ["cli", "user.add", "ann"],
    ]
    assert _run(monkeypatch, ["user", "--db", path, "remove", "ann"]) == 0
    assert _run(monkeypatch, ["user", "--db", path, "remove", "ann"]) == 2
    assert "no user called 'ann'" in capsys.readouterr().err


def test_disable_and_enable_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "t.duckdb")
    add = ["user", "--db", path, "add", "ann", "--role", "viewer", "--password-stdin"]
    assert _run(monkeypatch, add, "first-pass\n") == 0
    assert _run(monkeypatch, ["user", "--db", path, "disable", "ann"]) == 0
    assert _run(monkeypatch, ["user", "--db", path, "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "ann\tviewer\t-\tdisabled"
    db = Database(path)
    with pytest.raises(AccessDenied, match=r"^Wrong user name or password\.$"):
        signin.sign_in(db, "ann", "first-pass")
    db.close()
    assert _run(monkeypatch, ["user", "--db", path, "enable", "ann"]) == 0
    db = Database(path)
    assert signin.sign_in(db, "ann", "first-pass").principal.name == "ann"
    db.close()
    assert _run(monkeypatch, ["user", "--db", path, "disable", "nobody"]) == 2
    assert "no user called 'nobody'" in capsys.readouterr().err
