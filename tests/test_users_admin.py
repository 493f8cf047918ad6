"""The Users admin: disable/enable, last sign-in, grants, the last-admin guard, the
permission explanation (``explain``), and the Users page through the app's router."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.access import links, signin, users
from cem.access.principal import CLI_ADMIN, LOCAL_ADMIN, Principal, Role, explain
from cem.errors import AccessDenied, InputError
from cem.store.db import Database
from tests.conftest import OpenPage
from tests.test_accounts import _add, _app, _sign_in

PROJECT_ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2026, 1, 5, 9, 0, 0)


def test_a_disabled_account_cannot_sign_in_and_says_so_like_a_wrong_password(
    db: Database,
) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    users.set_disabled(db, "ann", True, actor=CLI_ADMIN)
    with pytest.raises(AccessDenied) as caught:
        signin.sign_in(db, "ann", "password1", now=T0)
    assert str(caught.value) == signin.WRONG_CREDENTIALS
    assert users.active_principal(db, "ann") is None
    users.set_disabled(db, "ann", False, actor=CLI_ADMIN)
    assert signin.sign_in(db, "ann", "password1", now=T0).principal.name == "ann"
    assert users.active_principal(db, "ann") == Principal("ann", Role.VIEWER, frozenset())


def test_list_shows_last_sign_in_and_disabled(db: Database) -> None:
    users.add_user(db, "ann", "viewer", "password1", actor=CLI_ADMIN)
    users.add_user(db, "bob", "editor", "password2", actor=CLI_ADMIN, workspaces=("b", "a"))
    signin.sign_in(db, "ann", "password1", now=T0)
    with pytest.raises(AccessDenied):  # a failure is not a sign-in
        signin.sign_in(db, "ann", "wrong-pass", now=T0 + dt.timedelta(hours=1))
    users.set_disabled(db, "bob", True, actor=CLI_ADMIN)
    listed = users.list_users(db, actor=CLI_ADMIN)
    assert [(u.name, u.workspaces, u.disabled, u.last_sign_in) for u in listed] == [
        ("ann", (), False, T0),
        ("bob", ("a", "b"), True, None),
    ]


def test_set_grants_replaces_every_grant(db: Database) -> None:
    users.add_user(db, "bob", "editor", "password2", actor=CLI_ADMIN, workspaces=("a", "b"))
    users.set_grants(db, "bob", ("c", "a", "c"), actor=CLI_ADMIN)
    assert users.granted_workspaces(db, "bob") == frozenset({"a", "c"})
    users.set_grants(db, "bob", (), actor=CLI_ADMIN)
    assert users.granted_workspaces(db, "bob") == frozenset()


def test_the_last_enabled_admin_and_ones_own_account_are_kept(db: Database) -> None:
    users.add_user(db, "root", "admin", "password1", actor=CLI_ADMIN)
    for change in (
        lambda: users.remove_user(db, "root", actor=CLI_ADMIN),
        lambda: users.set_disabled(db, "root", True, actor=CLI_ADMIN),
        lambda: users.set_role(db, "root", "editor", actor=CLI_ADMIN),
    ):
        with pytest.raises(InputError, match="only enabled admin"):
            change()
    users.add_user(db, "second", "admin", "password2", actor=CLI_ADMIN)
    me = users.principal_for(db, "root")
    with pytest.raises(InputError, match="your own account"):
        users.set_disabled(db, "root", True, actor=me)
    users.set_disabled(db, "root", True, actor=users.principal_for(db, "second"))
    with pytest.raises(InputError, match="only enabled admin"):
        users.remove_user(db, "second", actor=CLI_ADMIN)


# -- explain: the "why" of a permission ------------------------------------------------
ANN = Principal("ann", Role.EDITOR, workspaces=frozenset({"demo"}))


def test_explain_names_the_role_the_grant_and_the_link() -> None:
    ok = explain(ANN, "import", "demo")
    assert (ok.ok, ok.reason) == (True, "ann is an editor: 'import' allowed")
    assert ok.steps == (
        "role: ann is an editor; 'import' needs the editor role: passes",
        "grant: ann is granted workspace 'demo': passes",
    )
    role = explain(ANN, "workspace.delete", "demo")
    assert role.steps == (
        "role: ann is an editor; 'workspace.delete' needs the admin role: refused",
    )
    grant = explain(ANN, "view", "acme")
    assert grant.steps[-1] == "grant: ann has no access to workspace 'acme': refused"
    link = links.link_principal("L1", "demo")
    assert explain(link, "view", "demo").steps == (
        "link restriction: share link L1 is read-only; viewing: passes",
        "role: share link L1 is a viewer; 'view' needs the viewer role: passes",
        "grant: the link is for workspace 'demo': passes",
    )
    assert not explain(link, "view", "other").ok
    local = explain(LOCAL_ADMIN, "workspace.delete", "x")
    assert local.ok and local.steps[-1] == (
        "grant: single-user mode (no accounts exist) sees every workspace: passes"
    )
    assert explain(ANN, "share.create").steps[-1] == (
        "grant: the action is not tied to one workspace: passes"
    )
    refusals = {
        (
            ANN,
            "workspace.delete",
            "demo",
        ): "ann is an editor: 'workspace.delete' needs the admin role",
        (ANN, "view", "acme"): "ann has no access to workspace 'acme'",
        (link, "journey.edit", "demo"): "a share link is read-only: 'journey.edit' is not allowed",
        (ANN, "nuke", "demo"): "unknown action 'nuke'",
    }
    for (who, action, workspace), reason in refusals.items():
        decision = explain(who, action, workspace)
        assert (decision.ok, decision.reason) == (False, reason)


# -- the Users page ----------------------------------------------------------------------
def _errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def _messages(at: AppTest) -> list[str]:
    """The outcome of the last change (the flash: the only messages with an icon)."""
    return [m.value.replace("\\", "") for m in [*at.success, *at.error] if m.icon]


def test_admin_manages_users_on_the_page(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "root", "admin")
    _add(app_env, "ann", "viewer", ("demo",))
    at = _sign_in(_app(open_page), "root", "password1")
    at.switch_page("pages/users.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["User", "Role", "Workspaces", "Last sign-in", "Disabled"]
    assert table[["User", "Role", "Workspaces", "Disabled"]].values.tolist() == [
        ["ann", "viewer", "demo", False],
        ["root", "admin", "all", False],
    ]
    assert table["Last sign-in"].tolist()[0] == "never"
    assert table["Last sign-in"].tolist()[1].endswith(" UTC")
    # add an editor of the demo workspace
    at.text_input(key="users:new_name").input("bob")
    at.selectbox(key="users:new_role").select("editor")
    at.multiselect(key="users:new_workspaces").select("demo")
    at.text_input(key="users:new_password").input("bob-password")
    at.button(key="FormSubmitter:users:add-Add user").click().run()
    assert _messages(at) == ["Added bob."]
    db = Database(app_env)
    assert users.principal_for(db, "bob") == Principal("bob", Role.EDITOR, frozenset({"demo"}))
    db.close()
    # ann becomes an editor with no workspace, then is disabled
    at.selectbox(key="users:selected").select("ann").run()
    at.selectbox(key="users:role:ann").select("editor")
    at.multiselect(key="users:grants:ann").unselect("demo")
    at.button(key="users:save:ann").click().run()
    assert _messages(at) == ["Saved ann: editor."]
    at.button(key="users:toggle:ann").click().run()
    assert _messages(at) == ["ann disabled."]
    assert at.dataframe[0].value.set_index("User").loc["ann", "Disabled"]
    # root cannot disable itself: the one sentence from cem
    at.selectbox(key="users:selected").select("root").run()
    at.button(key="users:toggle:root").click().run()
    assert _messages(at) == [
        "You cannot disable your own account; ask another admin.",
    ]
    # check access explains a refusal
    at.selectbox(key="users:check_who").select("bob (editor)")
    at.selectbox(key="users:check_action").select("workspace.delete")
    at.selectbox(key="users:check_ws").select("demo").run()
    assert [e.value.replace("\\", "") for e in at.error if not e.icon] == [
        "Refused: bob is an editor: 'workspace.delete' needs the admin role."
    ]


def test_disabling_ends_an_open_session_on_its_next_run(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "ann", "viewer", ("demo",))
    at = _sign_in(_app(open_page), "ann", "password1")
    assert "Signed in as ann (viewer)" in " ".join(c.value for c in at.sidebar.caption)
    db = Database(app_env)
    users.set_disabled(db, "ann", True, actor=CLI_ADMIN)
    db.close()
    at.run()
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert _errors(at) == ["Your session has ended: sign in again."]
    _sign_in(at, "ann", "password1")
    assert _errors(at) == ["Wrong user name or password."]


def test_only_admins_get_the_users_page(app_env: Path, open_page: OpenPage) -> None:
    _add(app_env, "bob", "editor", ("demo",))
    at = _sign_in(_app(open_page), "bob", "password1")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/users.py")
    # and cem refuses the editor whatever a page shows
    db = Database(app_env)
    with pytest.raises(AccessDenied):
        users.list_users(db, actor=users.principal_for(db, "bob"))
    db.close()


def test_the_first_account_made_in_single_user_mode_is_an_admin(
    app_env: Path, open_page: OpenPage
) -> None:
    at = _app(open_page)
    at.switch_page("pages/users.py").run()
    assert not at.exception
    assert "single-user mode" in at.info[0].value
    assert at.selectbox(key="users:new_role_first").disabled
    at.text_input(key="users:new_name").input("root")
    at.text_input(key="users:new_password").input("short")
    at.button(key="FormSubmitter:users:add-Add user").click().run()
    assert _messages(at) == ["A password needs at least 8 characters."]
    at.text_input(key="users:new_password").input("root-password")
    at.button(key="FormSubmitter:users:add-Add user").click().run()
    db = Database(app_env)
    assert users.principal_for(db, "root").role is Role.ADMIN
    db.close()
    # an account exists now: everyone signs in, this single-user session too
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    assert [s.value for s in at.subheader] == ["Sign in"]
