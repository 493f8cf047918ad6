"""Share links: a signed token (:mod:`cem.access.tokens`) plus a row in ``share_links``.

An editor makes a link to one workspace with its allowed pages (the url paths of
``st.navigation``) and fixed filters; opening it gives a read-only share principal scoped to
that workspace. The table lets the workspace list, and revoke, its links; revoking (or a
deleted row) stops a link even though its signature is still good. Values are always bound
as parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets as _secrets
from dataclasses import dataclass
from typing import Any

from cem.access.audit import record
from cem.access.principal import Principal, Role, require
from cem.access.tokens import REVOKED, UNKNOWN, Clock, server_secret, sign_token, utc_now
from cem.access.tokens import verify_token as _verify
from cem.analytics.filters import Filters
from cem.errors import InputError, NotFoundError, ShareLinkInvalid
from cem.store.db import Database

EXPIRY_DAYS: tuple[int | None, ...] = (1, 7, 30, 90, None)
DEFAULT_PAGES: tuple[str, ...] = ("home",)
# The read-only pages a link can open (their url paths; "home" is the Overview at "/").
SHAREABLE_PAGES: tuple[str, ...] = (
    "home",
    "kpi-explorer",
    "key-drivers",
    "journey-analytics",
    "voice",
)


@dataclass(frozen=True)
class ShareLink:
    """One stored link (what the list shows) and, when just made, its token."""

    id: str
    workspace: str
    pages: tuple[str, ...]
    filters: Filters
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_opened_at: dt.datetime | None
    revoked_at: dt.datetime | None
    token: str | None = None


@dataclass(frozen=True)
class LinkSession:
    """An opened link: who acts, and what the session may see."""

    principal: Principal
    workspace: str
    pages: tuple[str, ...]
    filters: Filters


def create_link(
    db: Database,
    actor: Principal,
    workspace: str,
    pages: list[str] | tuple[str, ...] = DEFAULT_PAGES,
    filters: Filters | None = None,
    expires_days: int | None = 30,
    now: Clock = utc_now,
) -> ShareLink:
    """Make a link to ``workspace`` (needs ``share.create``); returns it with its token."""
    require(actor, "share.create", workspace)
    if expires_days not in EXPIRY_DAYS:
        raise InputError("A share link expires after 1, 7, 30 or 90 days, or never.")
    pages = tuple(dict.fromkeys(p for p in pages if p)) or DEFAULT_PAGES
    filters = filters or Filters()
    _check_link_request(db, workspace, pages, filters)
    created = now()
    expires = None if expires_days is None else created + dt.timedelta(days=expires_days)
    link_id = _secrets.token_urlsafe(9)
    while not link_id[0].isalnum():  # an id starting with - reads as an option in the CLI
        link_id = _secrets.token_urlsafe(9)
    params = filters.to_query_params()
    db.execute(
        "INSERT INTO share_links (id, workspace, pages, filters, created_by, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            link_id,
            workspace,
            json.dumps(list(pages)),
            json.dumps(params),
            actor.name,
            created,
            expires,
        ],
    )
    claims: dict[str, Any] = {
        "id": link_id,
        "workspace": workspace,
        "pages": list(pages),
        "filters": params,
        "exp": None if expires is None else int(expires.replace(tzinfo=dt.UTC).timestamp()),
    }
    token = sign_token(claims, server_secret(db.path))
    expiry = "never" if expires is None else f"{expires_days} days"
    record(db, actor, "share.create", workspace, link_id, f"pages {', '.join(pages)}; {expiry}")
    return _row_link(
        (
            link_id,
            workspace,
            json.dumps(list(pages)),
            json.dumps(params),
            actor.name,
            created,
            expires,
            None,
            None,
        ),
        token,
    )


_COLUMNS = (
    "id, workspace, pages, filters, created_by, created_at, expires_at, last_opened_at, revoked_at"
)


def _row_link(row: tuple[Any, ...], token: str | None = None) -> ShareLink:
    return ShareLink(
        id=row[0],
        workspace=row[1],
        pages=tuple(json.loads(row[2])),
        filters=Filters.from_query_params(json.loads(row[3])),
        created_by=row[4],
        created_at=row[5],
        expires_at=row[6],
        last_opened_at=row[7],
        revoked_at=row[8],
        token=token,
    )


def list_links(db: Database, workspace: str | None = None) -> list[ShareLink]:
    """The links of ``workspace`` (or of every workspace), newest first."""
    sql = f"SELECT {_COLUMNS} FROM share_links"
    params: list[Any] = []
    if workspace is not None:
        sql += " WHERE workspace = ?"
        params.append(workspace)
    rows = db.execute(sql + " ORDER BY created_at DESC, id", params).fetchall()
    return [_row_link(row) for row in rows]


def get_link(db: Database, link_id: str) -> ShareLink:
    """One link by id, or :class:`NotFoundError`."""
    row = db.execute(f"SELECT {_COLUMNS} FROM share_links WHERE id = ?", [link_id]).fetchone()
    if row is None:
        raise NotFoundError(f"There is no share link '{link_id}'.")
    return _row_link(row)


def _check_link_request(
    db: Database, workspace: str, pages: tuple[str, ...], filters: Filters
) -> None:
    """Refuse a link that would not show what was asked: an unknown workspace or page, a
    filter on a dimension the workspace does not have (a typo would silently drop the
    filter and share all data), or a value it never holds."""
    from cem.analytics.catalogue import MAX_VALUES, attribute_columns, dimension_values
    from cem.analytics.engine import duckdb_engine
    from cem.analytics.filters import ATTRIBUTE_PREFIX, STANDARD_DIMENSIONS

    if db.execute("SELECT count(*) FROM workspaces WHERE name = ?", [workspace]).fetchone()[0] == 0:
        raise InputError(f"There is no workspace '{workspace}'.")
    for page in pages:
        if page not in SHAREABLE_PAGES:
            raise InputError(
                f"A share link cannot open the page '{page}': choose from "
                f"{', '.join(SHAREABLE_PAGES)}."
            )
    engine = duckdb_engine(db)
    known = [*STANDARD_DIMENSIONS]
    kinds = ("responses", "events", "customers")
    names = {n for kind in kinds for n in attribute_columns(engine, workspace, kind).name}
    known += [ATTRIBUTE_PREFIX + str(n) for n in sorted(names)]
    values = dimension_values(engine, workspace) if filters.dimensions else {}
    for dim, wanted in filters.dimensions:
        if dim not in known:
            raise InputError(
                f"Unknown filter '{dim}': workspace '{workspace}' can be filtered by "
                f"{', '.join(known)}."
            )
        held = values.get(dim)
        if held is None or len(held) >= MAX_VALUES:
            continue  # no answers carry it (events may) or too many to list: not checked
        missing = [v for v in wanted if v not in held]
        if missing:
            shown = ", ".join(held[:8]) + (", …" if len(held) > 8 else "")
            raise InputError(
                f"No {dim} '{missing[0]}' in workspace '{workspace}' (it has {shown})."
            )


def revoke_link(db: Database, actor: Principal, link_id: str, now: Clock = utc_now) -> ShareLink:
    """Revoke a link (needs ``share.create`` in its workspace): it stops working at once."""
    link = get_link(db, link_id)
    require(actor, "share.create", link.workspace)
    db.execute(
        "UPDATE share_links SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
        [now(), link_id],
    )
    record(db, actor, "share.revoke", link.workspace, link_id)
    return get_link(db, link_id)


def open_link(db: Database, token: str, now: Clock = utc_now, record: bool = True) -> LinkSession:
    """Verify ``token`` and its row (tampered, expired, revoked or unknown:
    :class:`ShareLinkInvalid`); record the visit (``record``); the read-only session it
    gives (``.principal``: kind "share", viewer, the link's workspace only)."""
    claims = _verify(token, server_secret(db.path), now)
    row = db.execute(
        "SELECT workspace, revoked_at FROM share_links WHERE id = ?", [claims["id"]]
    ).fetchone()
    if row is None or row[0] != claims.get("workspace"):
        raise ShareLinkInvalid(UNKNOWN)
    if row[1] is not None:
        raise ShareLinkInvalid(REVOKED)
    if record:
        db.execute("UPDATE share_links SET last_opened_at = ? WHERE id = ?", [now(), claims["id"]])
    workspace = str(claims["workspace"])
    principal = link_principal(str(claims["id"]), workspace)
    pages = tuple(str(p) for p in claims.get("pages") or DEFAULT_PAGES)
    return LinkSession(principal, workspace, pages, Filters.from_query_params(claims["filters"]))


def link_principal(link_id: str, workspace: str) -> Principal:
    """Who acts in a session opened with link ``link_id``: a read-only viewer of its
    workspace only (also what the Users page's access check explains for a link)."""
    return Principal(
        f"share link {link_id}",
        Role.VIEWER,
        workspaces=frozenset({workspace}),
        kind="share",
        link_id=link_id,
    )


def link_url(base_url: str, token: str, page: str = "home") -> str:
    """The URL to send: ``base_url/page?share=TOKEN``; the Overview (``home``) is the app's
    default page, whose address is the bare ``base_url/`` (``/home`` would not be found).

    >>> link_url("http://h:8501", "T.S"), link_url("http://h:8501/", "T.S", "voice")
    ('http://h:8501/?share=T.S', 'http://h:8501/voice?share=T.S')
    """
    path = "" if page == "home" else page
    return f"{base_url.rstrip('/')}/{path}?share={token}"


def pin_filters(requested: Filters, fixed: Filters) -> Filters:
    """The filters a link session uses: ``fixed`` dimensions and dates always win (a URL
    edit cannot change or widen them); other dimensions may be filtered freely.

    >>> fixed = Filters.make(segment=["SMB"])
    >>> pin_filters(Filters.make(segment=["SMB", "Enterprise"], channel=["web"]), fixed)
    Filters(date_from=None, date_to=None, dimensions=(('channel', ('web',)), ('segment', ('SMB',))))
    """
    pinned = requested
    for dim, values in fixed.dimensions:
        pinned = pinned.with_dimension(dim, values)
    if fixed.date_from is not None or fixed.date_to is not None:
        pinned = pinned.with_dates(fixed.date_from, fixed.date_to)
    return pinned
