"""``python -m cem share create|list|revoke``: signed share links from the command line.

``share create --workspace W [--page home …] [--filter DIM=V …] [--expires DAYS|never]
[--base-url URL]`` prints the link's URL; ``share list [--workspace W]`` prints one line per
link; ``share revoke ID`` stops a link at once. The CLI acts as the local admin
(:data:`cem.access.principal.CLI_ADMIN`): it has the database file.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cem.access.principal import CLI_ADMIN
from cem.cli.filters import parse_filters
from cem.errors import InputError

if TYPE_CHECKING:
    pass


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help="database file (default: $TOUCHPOINT_DB or data/touchpoint.duckdb)",
    )


def add_share_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``share`` and its subcommands."""
    p = sub.add_parser("share", help="signed read-only share links: create, list, revoke")
    share_sub = p.add_subparsers(dest="share_command", required=True)
    create = share_sub.add_parser("create", help="make a link and print its URL")
    create.add_argument("--workspace", required=True)
    create.add_argument("--page", action="append", default=[], help="allowed page (repeatable)")
    create.add_argument(
        "--filter", action="append", default=[], metavar="DIM=V", help="fixed filter (repeatable)"
    )
    create.add_argument("--expires", default="30", help="days: 1, 7, 30 or 90, or 'never'")
    create.add_argument("--base-url", default="http://localhost:8501")
    _db_option(create)
    create.set_defaults(handler=cmd_share_create)
    listing = share_sub.add_parser("list", help="list the links")
    listing.add_argument("--workspace", default=None)
    _db_option(listing)
    listing.set_defaults(handler=cmd_share_list)
    revoke = share_sub.add_parser("revoke", help="revoke a link (it stops working at once)")
    revoke.add_argument("id")
    _db_option(revoke)
    revoke.set_defaults(handler=cmd_share_revoke)


def _expiry(text: str) -> int | None:
    if text.strip().lower() == "never":
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise InputError(f"--expires {text!r}: use 1, 7, 30, 90 or never.") from exc


def cmd_share_create(args: argparse.Namespace) -> int:
    """Create the link; print its URL."""
    from cem.access.links import create_link, link_url
    from cem.cli.alongside import write_database

    db = write_database(args.db)
    try:
        pages = args.page or ["home"]
        link = create_link(
            db, CLI_ADMIN, args.workspace, pages, parse_filters(args.filter), _expiry(args.expires)
        )
    finally:
        db.close()
    print(link_url(args.base_url, link.token or "", pages[0]))
    return 0


def cmd_share_list(args: argparse.Namespace) -> int:
    """Print one tab-separated line per link."""
    from cem.access.links import list_links
    from cem.cli.alongside import read_database

    db = read_database(args.db)
    try:
        links = list_links(db, args.workspace)
    finally:
        db.close()
    print("id\tworkspace\tpages\tfilters\tcreated_by\tcreated\texpires\tlast_opened\trevoked")
    for link in links:
        print(
            "\t".join(
                str(v)
                for v in (
                    link.id,
                    link.workspace,
                    ",".join(link.pages),
                    link.filters.describe(),
                    link.created_by,
                    f"{link.created_at:%Y-%m-%d %H:%M}",
                    link.expires_at or "never",
                    link.last_opened_at or "never",
                    link.revoked_at or "",
                )
            )
        )
    return 0


def cmd_share_revoke(args: argparse.Namespace) -> int:
    """Revoke one link."""
    from cem.access.links import get_link, revoke_link
    from cem.cli.alongside import write_database

    db = write_database(args.db)
    try:
        already = get_link(db, args.id).revoked_at is not None
        link = revoke_link(db, CLI_ADMIN, args.id)
    finally:
        db.close()
    if already:
        print(f"Share link {link.id} of workspace '{link.workspace}' was already revoked.")
    else:
        print(f"Revoked share link {link.id} of workspace '{link.workspace}'.")
    return 0
