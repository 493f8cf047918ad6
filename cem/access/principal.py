"""The acting principal and the one permission check every mutating function calls.

A :class:`Principal` is whoever acts: the local single-user (no accounts exist), a signed-in
user with a role and per-workspace grants, a share-link viewer, or the CLI (a local admin: it
has the database file). Every function in ``cem`` that changes data takes the principal and
calls :func:`require` first, so access is enforced in ``cem`` and not by hiding widgets.

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

    ``kind`` is ``"local"`` (single-user mode), ``"user"``, ``"share"`` (a share link's
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
    """The answer of :func:`allowed`, with the reason in words (for the debug view)."""

    ok: bool
    reason: str


def allowed(principal: Principal, action: str, workspace: str | None = None) -> Decision:
    """May ``principal`` do ``action`` (in ``workspace``)? Unknown actions are refused."""
    needed = ACTIONS.get(action)
    if needed is None:
        return Decision(False, f"unknown action '{action}'")
    if principal.kind == "share" and action != "view":
        return Decision(False, f"a share link is read-only: '{action}' is not allowed")
    if principal.role < needed:
        return Decision(
            False,
            f"{principal.name} is a {principal.role.label}: '{action}' needs the "
            f"{needed.label} role",
        )
    if (
        workspace is not None
        and principal.workspaces is not None
        and workspace not in principal.workspaces
    ):
        return Decision(False, f"{principal.name} has no access to workspace '{workspace}'")
    return Decision(True, f"{principal.name} is a {principal.role.label}: '{action}' allowed")


def require(principal: Principal, action: str, workspace: str | None = None) -> None:
    """Raise :class:`~cem.errors.AccessDenied` unless ``principal`` may do ``action``."""
    decision = allowed(principal, action, workspace)
    if not decision.ok:
        raise AccessDenied(f"Not allowed: {decision.reason}.")


# Single-user mode (no account exists) and the CLI act as a local admin.
LOCAL_ADMIN = Principal("local", Role.ADMIN, kind="local")
CLI_ADMIN = Principal("cli", Role.ADMIN, kind="cli")
