"""Single sign-on: the e-mail allow-list (cem.access.sso) and the gate with ``st.login``
configured, the logged-in user faked through AppTest's ``user``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from cem.access import audit, sso, users
from cem.access.principal import CLI_ADMIN, Principal, Role
from cem.errors import AccessDenied, InputError
from cem.store.db import Database

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OIDC = {
    "admins": ["cio@example.com"],
    "editors": ["Ann@Example.com", "both@example.com"],
    "viewers": ["board@example.com", "both@example.com", "nogrant@example.com"],
    "workspaces": {"ann@example.com": ["demo", "retail"], "board@example.com": ["demo"]},
}


def test_allow_list_maps_each_address_to_its_role_and_grants() -> None:
    policy = sso.parse_policy(OIDC)
    assert sso.sso_principal(policy, "CIO@example.com ") == Principal(
        "cio@example.com", Role.ADMIN, None, "sso"
    )
    assert sso.sso_principal(policy, "ann@example.com") == Principal(
        "ann@example.com", Role.EDITOR, frozenset({"demo", "retail"}), "sso"
    )
    assert sso.sso_principal(policy, "both@example.com").role is Role.EDITOR  # the highest
    assert sso.sso_principal(policy, "nogrant@example.com").workspaces == frozenset()
    for address in ("eve@example.com", "", None):
        with pytest.raises(AccessDenied, match="is not allowed in this Touchpoint"):
            sso.sso_principal(policy, address)
    with pytest.raises(AccessDenied, match="has not verified the address"):
        sso.sso_principal(policy, "ann@example.com", verified=False)


def test_a_missing_section_lets_nobody_in_and_bad_shapes_are_named() -> None:
    with pytest.raises(AccessDenied):
        sso.sso_principal(sso.parse_policy(None), "cio@example.com")
    with pytest.raises(InputError, match="admins must be a list"):
        sso.parse_policy({"admins": "cio@example.com"})
    with pytest.raises(InputError, match="workspaces"):
        sso.parse_policy({"workspaces": {"a@b.c": "demo"}})
    assert sso.parse_policy({"provider": "okta"}).provider == "okta"


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "touchpoint",
    "client_secret": "test-client-secret",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}


def _shown(text: object) -> str:
    """Text as a reader sees it: without escape_markdown's backslashes and word joiners."""
    return str(text).replace("\\", "").replace("\u2060", "")


def _app(user: dict[str, Any]) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.secrets["touchpoint"] = {"oidc": OIDC}
    at.user = user
    at.query_params["workspace"] = "demo"
    at.run()
    assert not at.exception
    return at


def test_sso_configured_asks_to_sign_in_even_without_accounts(app_env: Path) -> None:
    at = _app({"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in with SSO"]
    assert not at.text_input  # no local account: no password form
    assert not at.metric and not at.sidebar.selectbox
    database = Database(app_env)
    users.add_user(database, "root", "admin", "password1", actor=CLI_ADMIN)
    database.close()
    at.run()
    assert [b.label for b in at.button] == ["Sign in with SSO", "Sign in"]
    assert [t.label for t in at.text_input] == ["User name", "Password"]


def test_an_allowed_address_gets_its_role(app_env: Path) -> None:
    at = _app({"is_logged_in": True, "email": "board@example.com", "email_verified": True})
    captions = _shown(" ".join(c.value for c in at.sidebar.caption))
    assert "Signed in as board@example.com (viewer) via single sign-on" in captions
    assert at.sidebar.selectbox(key="workspace_switcher").options == ["demo"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/import_data.py")  # a viewer: read-only pages only
    at.run()
    database = Database(app_env)
    log = audit.entries(database, action="signin.sso")
    database.close()
    assert log[["actor", "action", "detail"]].values.tolist() == [
        ["board@example.com", "signin.sso", "role viewer"]
    ]  # once per session, not once per run


def test_an_unknown_address_is_refused_with_one_sentence(app_env: Path) -> None:
    at = _app({"is_logged_in": True, "email": "eve@example.com"})
    assert [_shown(e.value) for e in at.error] == [
        "The address eve@example.com is not allowed in this Touchpoint: ask its "
        "administrator to add it."
    ]
    assert [b.label for b in at.button] == ["Use another account"]
    assert not at.metric and not at.sidebar.selectbox
    database = Database(app_env)
    refused = audit.entries(database, action="signin.sso_refused")
    database.close()
    assert refused["target"].tolist() == ["eve@example.com"]


class _SecretsFile(dict):  # type: ignore[type-arg]
    """Stands for a secrets.toml holding ``[auth]``: st.login validates the file itself,
    which AppTest's ``secrets`` does not reach."""

    def load_if_toml_exists(self) -> bool:
        return True


def test_the_sso_button_starts_st_login(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit.auth_util as auth_util

    at = _app({"is_logged_in": False})
    monkeypatch.setattr(auth_util, "secrets_singleton", _SecretsFile(auth=AUTH))
    at.button(key="touchpoint_sso_login").click().run()
    assert not at.exception  # st.login accepted the configuration and asked for a redirect
    monkeypatch.undo()
    at.button(key="touchpoint_sso_login").click().run()
    assert at.exception  # the same click without [auth] in a secrets file fails: it did call
