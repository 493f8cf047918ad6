"""Accounts, sign-in (rate limit, expiry), the audit log, and the sign-in gate of app.py."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.access import audit, signin, users
from cem.access.principal import CLI_ADMIN, Principal, Role
from cem.errors import AccessDenied, InputError
from cem.store.db import Database
from tests.conftest import OpenPage

T0 = dt.datetime(2026, 1, 5, 9, 0, 0)


def test_hash_is_scrypt_with_the_stored_parameters() -> None:
    stored = users.hash_password("s3cret-pass")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    expected = hashlib.scrypt(b"s3cret-pass", salt=base64.b64decode(salt), n=2**14, r=8, p=1)
    assert base64.b64decode(digest) == expected
    assert users.verify_password("s3cret-pass", stored)
    assert not users.verify_password("s3cret-pasS", stored)
    assert stored != users.hash_password("s3cret-pass")  # a fresh salt each time


def test_add_list_grant_remove(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN, workspaces=("demo",))
    users.add_user(db, "bob", Role.EDITOR, "password2", actor=CLI_ADMIN)
    users.grant_workspace(db, "bob", "acme", actor=CLI_ADMIN)
    listed = users.list_users(db, actor=CLI_ADMIN)
    assert [(u.name, u.role, u.workspaces) for u in listed] == [
        ("ann", Role.VIEWER, ("demo",)),
        ("bob", Role.EDITOR, ("acme",)),
    ]
    users.revoke_workspace(db, "bob", "acme", actor=CLI_ADMIN)
    users.remove_user(db, "ann", actor=CLI_ADMIN)
    assert [(u.name, u.workspaces) for u in users.list_users(db, actor=CLI_ADMIN)] == [("bob", ())]
    with pytest.raises(InputError):
        users.add_user(db, "bob", "editor", "password3", actor=CLI_ADMIN)
    with pytest.raises(InputError):
        users.add_user(db, "carl", "owner", "password3", actor=CLI_ADMIN)
    with pytest.raises(InputError):
        users.add_user(db, "carl", "editor", "short", actor=CLI_ADMIN)
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "password2" not in stored


def test_sign_in_gives_the_role_and_grants(db: Database) -> None:
    users.add_user(db, "ann", "editor", "password1", actor=CLI_ADMIN, workspaces=("demo",))
    session = signin.sign_in(db, "ann", "password1", now=T0)
    assert session.principal == Principal("ann", Role.EDITOR, frozenset({"demo"}), "user")
    assert session.expires_at == T0 + dt.timedelta(hours=12)
    assert session.valid(T0 + dt.timedelta(hours=11, minutes=59))
    assert not session.valid(T0 + dt.timedelta(hours=12))


def test_session_hours_from_the_environment(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHPOINT_SESSION_HOURS", "2")
    users.add_user(db, "ann", "admin", "password1", actor=CLI_ADMIN)
    session = signin.sign_in(db, "ann", "password1", now=T0)
    assert session.expires_at == T0 + dt.timedelta(hours=2)
    assert session.principal.workspaces is None  # an admin sees every workspace


def test_unknown_user_and_wrong_password_say_the_same(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    messages = []
    for name, password in (("ann", "nope-nope"), ("zed", "password1")):
        with pytest.raises(AccessDenied) as caught:
            signin.sign_in(db, name, password, now=T0)
        messages.append(str(caught.value))
    assert messages == [signin.WRONG_CREDENTIALS] * 2


def test_rate_limit_after_five_failures(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    for minute in range(5):
        with pytest.raises(AccessDenied, match="Wrong user name"):
            signin.sign_in(db, "ann", "bad-password", now=T0 + dt.timedelta(minutes=minute))
    # the 5th failure was at 9:04: locked until 9:09, even with the right password
    with pytest.raises(AccessDenied, match="Too many failed sign-ins.*5 minutes"):
        signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(minutes=4, seconds=1))
    with pytest.raises(AccessDenied, match="Too many failed sign-ins.*1 minute\\."):
        signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(minutes=8, seconds=30))
    session = signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(minutes=9))
    assert session.principal.name == "ann"
    # a success resets the count: one more failure is only a wrong password
    with pytest.raises(AccessDenied, match="Wrong user name"):
        signin.sign_in(db, "ann", "bad", now=T0 + dt.timedelta(minutes=10))
    signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(minutes=10, seconds=1))


def test_failures_spread_over_more_than_15_minutes_do_not_lock(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    for minute in (0, 4, 8, 12, 16):
        with pytest.raises(AccessDenied, match="Wrong user name"):
            signin.sign_in(db, "ann", "bad", now=T0 + dt.timedelta(minutes=minute))
    # within the 15 minutes before 9:17 there are only 4 failures (4, 8, 12, 16)
    signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(minutes=17))


def test_every_attempt_is_audited_never_the_password(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    with pytest.raises(AccessDenied):
        signin.sign_in(db, "ann", "wrong-one", now=T0)
    signin.sign_in(db, "ann", "password1", now=T0 + dt.timedelta(seconds=1))
    log = audit.entries(db)
    assert log[["actor", "action", "target"]].values.tolist() == [
        ["cli", "user.add", "ann"],  # at the real time, later than T0
        ["ann", "signin.ok", "ann"],
        ["ann", "signin.failed", "ann"],
    ]
    text = log.to_csv()
    assert "password1" not in text and "wrong-one" not in text
    assert audit.entries(db, action="signin").shape[0] == 2
    assert audit.entries(db, user="cli").shape[0] == 1
    viewer = Principal("ann", Role.VIEWER, frozenset())
    with pytest.raises(AccessDenied):
        audit.browse(db, actor=viewer)


# -- the gate in app.py --------------------------------------------------------------------
def _app(open_page: OpenPage) -> AppTest:
    at = open_page(workspace="demo")
    assert not at.exception
    return at


def _add(app_env: Path, name: str, role: str, workspaces: tuple[str, ...] = ()) -> None:
    database = Database(app_env)
    users.add_user(database, name, role, "password1", actor=CLI_ADMIN, workspaces=workspaces)
    database.close()


def test_no_user_single_user_mode(open_page: OpenPage) -> None:
    at = _app(open_page)
    captions = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert "Single-user mode — anyone who can open this address can edit" in captions
    assert not at.text_input  # no sign-in form


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    return at


def test_with_a_user_only_the_sign_in_form(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "ann", "viewer", ("demo",))
    at = _app(open_page)
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert [s.value for s in at.subheader] == ["Sign in"]
    assert not at.metric and not at.selectbox  # no page body, no workspace switcher
    _sign_in(at, "ann", "wrong-pass")
    assert [e.value for e in at.error] == ["Wrong user name or password\\."]


def test_viewer_signs_in_and_sees_read_only_pages(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "ann", "viewer", ("demo",))
    at = _sign_in(_app(open_page), "ann", "password1")
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Signed in as ann (viewer)" in captions
    assert not at.text_input  # the form is gone
    # a viewer cannot open the editing pages: the navigation has only the insights
    for editing_page in ("import_data", "journey_map", "workspaces"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{editing_page}.py")
    at.switch_page("pages/explorer.py").run()  # an insight page opens
    assert not at.exception


def test_editor_sees_only_granted_workspaces(app_env: Path, open_page: OpenPage) -> None:
    database = Database(app_env)
    from cem.store.workspaces import create_workspace

    create_workspace(database, "acme", actor=CLI_ADMIN)
    database.close()
    _add(app_env, "bob", "editor", ("acme",))
    at = _sign_in(_app(open_page), "bob", "password1")
    assert at.sidebar.selectbox(key="workspace_switcher").options == ["acme"]
    at.switch_page("pages/import_data.py").run()  # an editor may import
    assert not at.exception
    at.sidebar.button(key="touchpoint_sign_out").click()
    at.run()
    assert [t.label for t in at.text_input] == ["User name", "Password"]


def test_admin_browses_the_audit_log(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "root", "admin")
    at = _sign_in(_app(open_page), "root", "password1")
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert frame[["actor", "action", "target"]].values.tolist()[:2] == [
        ["root", "signin.ok", "root"],
        ["cli", "user.add", "root"],
    ]
    at.text_input(key="audit_action").input("user").run()
    assert at.dataframe[0].value["action"].tolist() == ["user.add"]
