"""Share links: signed tokens, the link table, the link session in the app, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from cem.access import tokens
from cem.access.links import (
    create_link,
    get_link,
    link_url,
    list_links,
    open_link,
    pin_filters,
    revoke_link,
)
from cem.access.principal import CLI_ADMIN, Principal, Role
from cem.analytics.filters import Filters
from cem.errors import AccessDenied, InputError, ShareLinkInvalid
from cem.store.db import Database

SECRET = b"s" * 32
CLAIMS = {"id": "L1", "workspace": "demo", "pages": ["home"], "filters": {}, "exp": None}
EDITOR = Principal("eve", Role.EDITOR, workspaces=frozenset({"demo"}))
VIEWER = Principal("vic", Role.VIEWER, workspaces=frozenset({"demo"}))


@pytest.fixture
def db(db: Database) -> Database:
    """The empty database with the workspace ``demo`` the links are made for."""
    from cem.store.workspaces import ensure_workspace

    ensure_workspace(db, "demo")
    return db


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


# -- tokens -----------------------------------------------------------------------------
def test_sign_then_verify_returns_the_claims() -> None:
    token = tokens.sign_token(CLAIMS, SECRET)
    assert tokens.verify_token(token, SECRET) == CLAIMS
    payload = token.split(".")[0]
    assert json.loads(tokens._unb64(payload)) == CLAIMS


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_changed_character_is_tampering(where: str) -> None:
    token = tokens.sign_token(CLAIMS, SECRET)
    payload, signature = token.split(".")
    bad = (
        f"{_flip(payload, 5)}.{signature}"
        if where == "payload"
        else f"{payload}.{_flip(signature, 3)}"
    )
    with pytest.raises(ShareLinkInvalid, match="changed or is incomplete"):
        tokens.verify_token(bad, SECRET)


@pytest.mark.parametrize("bad", ["", "abc", "abc.", ".abc", "é.é", "a.b.c"])
def test_garbage_is_tampering(bad: str) -> None:
    with pytest.raises(ShareLinkInvalid):
        tokens.verify_token(bad, SECRET)


def test_a_forged_payload_with_a_reused_signature_is_refused() -> None:
    genuine = tokens.sign_token(CLAIMS, SECRET)
    forged = tokens.sign_token(CLAIMS | {"workspace": "other"}, SECRET).split(".")[0]
    with pytest.raises(ShareLinkInvalid):
        tokens.verify_token(f"{forged}.{genuine.split('.')[1]}", SECRET)


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(ShareLinkInvalid):
        tokens.verify_token(tokens.sign_token(CLAIMS, SECRET), b"t" * 32)


def test_expiry_with_an_injected_clock() -> None:
    expires = dt.datetime(2030, 1, 1)
    token = tokens.sign_token(
        CLAIMS | {"exp": int(expires.replace(tzinfo=dt.UTC).timestamp())}, SECRET
    )
    assert tokens.verify_token(token, SECRET, now=lambda: expires - dt.timedelta(seconds=1))
    with pytest.raises(ShareLinkInvalid, match="expired"):
        tokens.verify_token(token, SECRET, now=lambda: expires)


def test_generated_secret_is_private_stable_and_rotates(tmp_path: Path) -> None:
    db_path = str(tmp_path / "x.duckdb")
    none = tmp_path / "absent.toml"
    first = tokens.server_secret(db_path, none)
    path = tmp_path / "touchpoint.secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert tokens.server_secret(db_path, none) == first and len(first) >= 32
    tokens.rotate_secret(db_path)
    assert tokens.server_secret(db_path, none) != first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_secret_from_secrets_toml_wins(tmp_path: Path) -> None:
    toml = tmp_path / "secrets.toml"
    toml.write_text('[touchpoint]\nsecret = "from-the-toml-file"\n')
    assert tokens.server_secret(str(tmp_path / "x.duckdb"), toml) == b"from-the-toml-file"
    assert not (tmp_path / "touchpoint.secret").exists()


# -- links ------------------------------------------------------------------------------
def test_link_ids_never_start_like_a_cli_option(db: Database) -> None:
    """``share revoke ID`` must parse: an id starting with ``-`` read as an option (a
    clean-clone run failed on one)."""
    ids = [create_link(db, EDITOR, "demo", ["home"], Filters(), 7).id for _ in range(300)]
    assert len(set(ids)) == 300
    assert all(i[0].isalnum() for i in ids)


def test_create_open_list_revoke(db: Database) -> None:
    now = dt.datetime(2026, 3, 1, 12, 0)
    link = create_link(
        db, EDITOR, "demo", ["home", "voice"], Filters.make(segment=["SMB"]), 7, now=lambda: now
    )
    assert link.expires_at == dt.datetime(2026, 3, 8, 12, 0) and link.token
    assert get_link(db, link.id).last_opened_at is None
    opened_at = dt.datetime(2026, 3, 2, 9, 30)
    session = open_link(db, link.token, now=lambda: opened_at)
    assert session.principal.kind == "share" and session.principal.role == Role.VIEWER
    assert session.principal.workspaces == frozenset({"demo"})
    assert session.principal.link_id == link.id and session.principal.read_only
    assert session.pages == ("home", "voice")
    assert session.filters == Filters.make(segment=["SMB"])
    assert get_link(db, link.id).last_opened_at == opened_at
    [listed] = list_links(db, "demo")
    assert (listed.id, listed.created_by, listed.created_at) == (link.id, "eve", now)
    assert list_links(db, "other") == []
    with pytest.raises(ShareLinkInvalid, match="expired"):
        open_link(db, link.token, now=lambda: dt.datetime(2026, 3, 8, 12, 0))
    revoke_link(db, EDITOR, link.id)
    with pytest.raises(ShareLinkInvalid, match="revoked"):
        open_link(db, link.token, now=lambda: opened_at)


def test_never_expiring_link_and_unknown_link(db: Database) -> None:
    link = create_link(db, CLI_ADMIN, "demo", expires_days=None)
    assert link.expires_at is None
    assert open_link(db, link.token, now=lambda: dt.datetime(2099, 1, 1)).workspace == "demo"
    db.execute("DELETE FROM share_links WHERE id = ?", [link.id])
    with pytest.raises(ShareLinkInvalid, match="not known"):
        open_link(db, link.token)


def test_rotating_the_secret_invalidates_links(db: Database) -> None:
    link = create_link(db, CLI_ADMIN, "demo")
    tokens.rotate_secret(db.path)
    with pytest.raises(ShareLinkInvalid, match="changed"):
        open_link(db, link.token)


def test_viewers_and_share_principals_cannot_create_or_revoke(db: Database) -> None:
    link = create_link(db, EDITOR, "demo")
    share = open_link(db, link.token).principal
    for actor in (VIEWER, share, Principal("eve", Role.EDITOR, workspaces=frozenset({"x"}))):
        with pytest.raises(AccessDenied):
            create_link(db, actor, "demo")
        with pytest.raises(AccessDenied):
            revoke_link(db, actor, link.id)
    assert get_link(db, link.id).revoked_at is None


def test_only_the_offered_expiries(db: Database) -> None:
    with pytest.raises(InputError):
        create_link(db, EDITOR, "demo", expires_days=3)


def test_hostile_values_are_bound_not_formatted(db: Database) -> None:
    name = "x'); DROP TABLE share_links; --"
    db.execute("INSERT INTO workspaces(name) VALUES (?)", [name])
    link = create_link(db, CLI_ADMIN, name, ["home"], Filters.make(segment=["a'b"]))
    assert open_link(db, link.token).workspace == name
    assert list_links(db, name)[0].filters == Filters.make(segment=["a'b"])
    with pytest.raises(ShareLinkInvalid):
        open_link(db, "' OR 1=1 --")


def test_fixed_filters_win() -> None:
    fixed = Filters.make(dt.date(2026, 1, 1), None, segment=["SMB"])
    asked = Filters.make(None, dt.date(2026, 2, 1), segment=["SMB", "Enterprise"], channel=["web"])
    assert pin_filters(asked, fixed) == Filters.make(
        dt.date(2026, 1, 1), None, segment=["SMB"], channel=["web"]
    )
    assert pin_filters(Filters(), fixed) == fixed


def test_link_url() -> None:
    assert link_url("http://h:8501/", "T.S", "voice") == "http://h:8501/voice?share=T.S"


# -- CLI --------------------------------------------------------------------------------
def test_cli_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cem.cli.main import main

    db_file = str(tmp_path / "cli.duckdb")
    db = Database(db_file)
    db.execute("INSERT INTO workspaces(name) VALUES ('demo')")
    db.close()
    args = ["share", "create", "--workspace", "demo", "--page", "home", "--page", "voice"]
    args += ["--filter", "segment=SMB", "--expires", "never", "--base-url", "http://x:1"]
    assert main([*args, "--db", db_file]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://x:1/?share=")
    db = Database(db_file)
    try:
        session = open_link(db, url.split("share=", 1)[1])
        assert session.pages == ("home", "voice")
        assert session.filters == Filters.make(segment=["SMB"])
        [link] = list_links(db)
        assert link.expires_at is None and link.created_by == "cli"
    finally:
        db.close()
    assert main(["share", "list", "--workspace", "demo", "--db", db_file]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{link.id}\tdemo\thome,voice\tsegment: SMB")
    assert main(["share", "revoke", link.id, "--db", db_file]) == 0
    assert capsys.readouterr().out.startswith(f"Revoked share link {link.id}")
    assert main(["share", "revoke", link.id, "--db", db_file]) == 0
    assert "was already revoked" in capsys.readouterr().out
    # A typo in a filter's dimension or a page: refused (exit 2), nothing shared.
    for typo in (["--filter", "segmnt=SMB"], ["--page", "kpi"]):
        assert main(["share", "create", "--workspace", "demo", *typo, "--db", db_file]) == 2
        assert "segmnt" in (err := capsys.readouterr().err) or "'kpi'" in err
    db = Database(db_file)
    try:
        with pytest.raises(ShareLinkInvalid, match="revoked"):
            open_link(db, url.split("share=", 1)[1])
    finally:
        db.close()
    assert main(["share", "create", "--workspace", "demo", "--expires", "3", "--db", db_file]) == 2
    assert main(["share", "create", "--workspace", "d", "--filter", "oops", "--db", db_file]) == 2
    assert "DIM=VALUE" in capsys.readouterr().err


def test_creating_and_revoking_a_link_is_audited(db: Database) -> None:
    from cem.access import audit

    link = create_link(db, EDITOR, "demo", ["home"], None, 30)
    revoke_link(db, EDITOR, link.id)
    log = audit.entries(db, user="eve")
    shared = log[log["action"].str.startswith("share.")]
    assert sorted(shared["action"]) == ["share.create", "share.revoke"]
    assert set(shared["target"]) == {link.id} and set(shared["workspace"]) == {"demo"}
    created = shared[shared["action"] == "share.create"].iloc[0]
    assert created["detail"] == "pages home; 30 days"


def test_a_link_that_would_not_show_what_was_asked_is_refused(db: Database) -> None:
    """A mistyped filter dimension was dropped and the link shared all data; a mistyped
    page gave an Overview-only link or a page that does not exist."""
    from cem.access.principal import LOCAL_ADMIN
    from cem.ingest.load import import_file

    import_file(
        db,
        "demo",
        b"Segment,NPS\nEnterprise,9\nSMB,3\n",
        "responses",
        actor=LOCAL_ADMIN,
        file_name="s.csv",
    )
    ok = create_link(db, CLI_ADMIN, "demo", ["home"], Filters.make(segment=["Enterprise"]), 7)
    assert ok.filters.values("segment") == ("Enterprise",)
    bad = [
        (["home"], Filters.make(segmnt=["Enterprise"]), "Unknown filter 'segmnt'"),
        (["home"], Filters.make(segment=["Enterprize"]), "No segment 'Enterprize'"),
        (["kpi"], Filters(), "cannot open the page 'kpi'"),
        (["import"], Filters(), "cannot open the page 'import'"),
    ]
    for pages, filters, message in bad:
        with pytest.raises(InputError, match=message):
            create_link(db, CLI_ADMIN, "demo", pages, filters, 7)
    with pytest.raises(InputError, match="no workspace 'nowhere'"):
        create_link(db, CLI_ADMIN, "nowhere", ["home"], Filters(), 7)
    assert len(list_links(db, "demo")) == 1  # nothing was made by the refused ones
