"""The acting principal and the one permission check every mutating function calls.

A :class:`Principal` is whoever acts: the local single-user (no accounts exist), a signed-in
user (an account or single sign-on) with a role and per-workspace grants, a share-link
viewer, or the CLI (a local admin: it has the database file). :func:`explain` says why an
action is allowed or not, step by step; :func:`allowed` and :func:`require` use it. Every
function in ``cem`` that changes data takes the principal and calls :func:`require` first,
so access is enforced in ``cem`` and not by hiding widgets.

>>> viewer = Principal("ann", Role.VIEWER, workspaces=frozenset({"demo"}))
>>> allowed(viewer, "view", "demo").ok, allowed(viewer, "view", "other").ok
(True, False)
>>> allowed(viewer, "journey.edit", "demo").reason
"ann is a viewer: 'journey.edit' needs the editor role"
>>> require(LOCAL_ADMIN, "workspace.delete", "demo")
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from cem.errors import AccessDenied


class Role(IntEnum):
    """Roles in increasing power: each role may do everything the ones below it may."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        """The role's name as users write it (``viewer``, ``editor``, ``admin``)."""
        return self.name.lower()


# Each named action and the least role that may do it.
ACTIONS: dict[str, Role] = {
    "view": Role.VIEWER,
    "import": Role.EDITOR,
    "journey.edit": Role.EDITOR,
    "case.edit": Role.EDITOR,
    "form.edit": Role.EDITOR,
    "theme.edit": Role.EDITOR,
    "persona.edit": Role.EDITOR,
    "share.create": Role.EDITOR,
    "workspace.create": Role.EDITOR,
    "workspace.edit": Role.ADMIN,
    "workspace.delete": Role.ADMIN,
    "user.manage": Role.ADMIN,
    "audit.view": Role.ADMIN,
}


@dataclass(frozen=True)
class Principal:
    """Whoever acts. ``workspaces`` is ``None`` for every workspace, else the granted set.

    ``kind`` is ``"local"`` (single-user mode), ``"user"`` (an account), ``"sso"`` (an
    address let in by single sign-on, :mod:`cem.access.sso`), ``"share"`` (a share link's
    viewer, always read-only) or ``"cli"``.
    """

    name: str
    role: Role
    workspaces: frozenset[str] | None = None
    kind: str = "user"
    link_id: str | None = None

    @property
    def read_only(self) -> bool:
        """True when this principal may not change anything."""
        return self.kind == "share" or self.role < Role.EDITOR


@dataclass(frozen=True)
class Decision:
    """The answer of :func:`allowed` / :func:`explain`: allowed or not, the deciding reason
    in words, and (``steps``) every check in order with its outcome (the "why" panel)."""

    ok: bool
    reason: str
    steps: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Same as ``ok``."""
        return self.ok


def _article(role: Role) -> str:
    return "an" if role.label[0] in "aeiou" else "a"


def _who(principal: Principal) -> str:
    return {
        "local": "single-user mode (no accounts exist)",
        "cli": "the command line (it has the database file)",
        "share": f"share link {principal.link_id}",
    }.get(principal.kind, principal.name)


def explain(principal: Principal, action: str, workspace: str | None = None) -> Decision:
    """May ``principal`` do ``action`` (in ``workspace``), and why: the share-link
    restriction, the role, then the workspace grant, each checked in that order.

    >>> ann = Principal("ann", Role.EDITOR, workspaces=frozenset({"demo"}))
    >>> d = explain(ann, "import", "other")
    >>> d.ok, d.reason
    (False, "ann has no access to workspace 'other'")
    >>> d.steps[0]
    "role: ann is an editor; 'import' needs the editor role: passes"
    """
    needed = ACTIONS.get(action)
    if needed is None:
        reason = f"unknown action '{action}'"
        return Decision(False, reason, (f"action: {reason}: refused",))
    steps: list[str] = []
    name = principal.name
    if principal.kind == "share":
        if action != "view":
            reason = f"a share link is read-only: '{action}' is not allowed"
            return Decision(False, reason, (f"link restriction: {reason}: refused",))
        steps.append(f"link restriction: {_who(principal)} is read-only; viewing: passes")
    role_text = (
        f"{name} is {_article(principal.role)} {principal.role.label}; '{action}' needs "
        f"the {needed.label} role"
    )
    if principal.role < needed:
        steps.append(f"role: {role_text}: refused")
        reason = (
            f"{name} is {_article(principal.role)} {principal.role.label}: '{action}' "
            f"needs the {needed.label} role"
        )
        return Decision(False, reason, tuple(steps))
    steps.append(f"role: {role_text}: passes")
    if workspace is None:
        steps.append("grant: the action is not tied to one workspace: passes")
    elif principal.workspaces is None:
        steps.append(f"grant: {_who(principal)} sees every workspace: passes")
    elif workspace in principal.workspaces:
        given = "the link is for" if principal.kind == "share" else f"{name} is granted"
        steps.append(f"grant: {given} workspace '{workspace}': passes")
    else:
        reason = f"{name} has no access to workspace '{workspace}'"
        steps.append(f"grant: {reason}: refused")
        return Decision(False, reason, tuple(steps))
    return Decision(
        True,
        f"{name} is {_article(principal.role)} {principal.role.label}: '{action}' allowed",
        tuple(steps),
    )


def allowed(principal: Principal, action: str, workspace: str | None = None) -> Decision:
    """May ``principal`` do ``action`` (in ``workspace``)? Unknown actions are refused.
    The one check: :func:`require` and every page ask it (it is :func:`explain`)."""
    return explain(principal, action, workspace)


def require(principal: Principal, action: str, workspace: str | None = None) -> None:
    """Raise :class:`~cem.errors.AccessDenied` unless ``principal`` may do ``action``."""
    decision = allowed(principal, action, workspace)
    if not decision.ok:
        raise AccessDenied(f"Not allowed: {decision.reason}.")


# Single-user mode (no account exists) and the CLI act as a local admin.
LOCAL_ADMIN = Principal("local", Role.ADMIN, kind="local")
CLI_ADMIN = Principal("cli", Role.ADMIN, kind="cli")
