"""Single sign-on (OIDC): who may come in through Streamlit's ``st.login``, with what role.

Streamlit checks the identity provider and gives the app the signed-in e-mail address;
this module decides what that address may do, from an allow-list in ``secrets.toml``::

    [touchpoint.oidc]
    admins = ["cio@example.com"]
    editors = ["ann@example.com"]
    viewers = ["board@example.com"]

    [touchpoint.oidc.workspaces]          # grants of editors and viewers
    "ann@example.com" = ["demo", "retail"]
    "board@example.com" = ["demo"]

Addresses are compared without case. An address on several lists gets the highest role;
admins see every workspace, editors and viewers their grants only (none: no workspace).
An address on no list, or one the provider says is not verified, is refused with one
sentence. Pure: the caller passes the section as a mapping (``st.secrets`` in the app).

>>> policy = parse_policy({"editors": ["Ann@Example.com"], "workspaces": {"ann@example.com": ["demo"]}})
>>> p = sso_principal(policy, "ann@example.COM")
>>> p.name, p.role.label, sorted(p.workspaces), p.kind
('ann@example.com', 'editor', ['demo'], 'sso')
>>> sso_principal(policy, "eve@example.com")
Traceback (most recent call last):
...
cem.errors.AccessDenied: The address eve@example.com is not allowed in this Touchpoint: ask its administrator to add it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cem.access.principal import Principal, Role
from cem.errors import AccessDenied, InputError

ROLE_LISTS: dict[str, Role] = {"admins": Role.ADMIN, "editors": Role.EDITOR, "viewers": Role.VIEWER}


@dataclass(frozen=True)
class SsoPolicy:
    """The allow-list: each address's role and its workspace grants."""

    roles: Mapping[str, Role] = field(default_factory=dict)
    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)
    provider: str | None = None


def normalise_email(email: object) -> str:
    """The address as compared: trimmed, lower case."""
    return str(email or "").strip().lower()


def _addresses(value: object, key: str) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InputError(f"[touchpoint.oidc] {key} must be a list of e-mail addresses.")
    return (normalise_email(v) for v in value)


def parse_policy(section: Mapping[str, Any] | None) -> SsoPolicy:
    """The :class:`SsoPolicy` of a ``[touchpoint.oidc]`` section (missing: nobody allowed)."""
    section = section or {}
    roles: dict[str, Role] = {}
    for key, role in ROLE_LISTS.items():
        for address in _addresses(section.get(key), key):
            if address and role > roles.get(address, Role.VIEWER - 1):
                roles[address] = role
    table = section.get("workspaces") or {}
    if not isinstance(table, Mapping):
        raise InputError("[touchpoint.oidc.workspaces] must map e-mail addresses to lists.")
    grants = {
        normalise_email(address): frozenset(str(w) for w in _addresses_raw(ws, address))
        for address, ws in table.items()
    }
    provider = section.get("provider")
    return SsoPolicy(roles, grants, str(provider) if provider else None)


def _addresses_raw(value: object, key: str) -> Iterable[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InputError(f"[touchpoint.oidc.workspaces] {key} must be a list of workspaces.")
    return value


def not_allowed_message(email: str) -> str:
    """The one sentence an address that may not come in sees."""
    return (
        f"The address {email or '(none)'} is not allowed in this Touchpoint: ask its "
        "administrator to add it."
    )


def sso_principal(policy: SsoPolicy, email: object, *, verified: object = True) -> Principal:
    """The principal of a signed-in address, or :class:`AccessDenied` (one sentence) when
    it is on no list or the provider says it is not verified (``verified`` is False)."""
    address = normalise_email(email)
    role = policy.roles.get(address)
    if not address or role is None:
        raise AccessDenied(not_allowed_message(address))
    if verified is False:
        raise AccessDenied(
            f"The identity provider has not verified the address {address}: verify it there "
            "and sign in again."
        )
    workspaces = None if role is Role.ADMIN else policy.grants.get(address, frozenset())
    return Principal(address, role, workspaces=workspaces, kind="sso")
