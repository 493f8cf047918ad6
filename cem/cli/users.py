"""``python -m cem user …`` and ``python -m cem audit``: accounts and the audit log.

The CLI acts as the local admin (whoever runs it has the database file). Passwords are
read from standard input (``--password-stdin``), never from the command line.

Examples::

    printf '%s\\n' "$PASS" | python -m cem user add ann --role editor --workspace demo --password-stdin
    python -m cem user list
    python -m cem user disable ann      # ann cannot sign in; her open sessions end
    python -m cem audit --workspace demo --format csv
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cem.access.principal import CLI_ADMIN
from cem.errors import InputError

if TYPE_CHECKING:
    from cem.store.db import Database


def _db(args: argparse.Namespace, read_only: bool = False) -> Database:
    from cem.cli.alongside import read_database, write_database

    return (read_database if read_only else write_database)(args.db)


def _password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise InputError("Give the password on standard input with --password-stdin.")
    return sys.stdin.readline().rstrip("\r\n")


def add_user_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``user add|list|remove|passwd|disable|enable``."""
    p = sub.add_parser("user", help="manage accounts (once one exists, the app asks to sign in)")
    p.add_argument("--db", default=None, help="database file")
    users = p.add_subparsers(dest="user_command", required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "editor", "viewer"])
    add.add_argument("--workspace", action="append", default=[], help="grant; repeatable")
    add.add_argument("--password-stdin", action="store_true")
    users.add_parser("list", help="list the accounts")
    remove = users.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    passwd = users.add_parser("passwd", help="set an account's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    for verb, text in (("disable", "stop an account signing in"), ("enable", "let it again")):
        users.add_parser(verb, help=text).add_argument("name")
    p.set_defaults(handler=cmd_user)


def cmd_user(args: argparse.Namespace) -> int:
    """Run one ``user`` subcommand."""
    from cem.access import users

    db = _db(args, read_only=args.user_command == "list")
    if args.user_command == "add":
        password = _password(args)
        users.add_user(
            db, args.name, args.role, password, actor=CLI_ADMIN, workspaces=tuple(args.workspace)
        )
        print(f"Added {args.name} ({args.role}).")
    elif args.user_command == "list":
        for user in users.list_users(db, actor=CLI_ADMIN):
            grants = ", ".join(user.workspaces) if user.workspaces else "-"
            if user.role.label == "admin":
                grants = "all workspaces"
            state = "\tdisabled" if user.disabled else ""
            print(f"{user.name}\t{user.role.label}\t{grants}{state}")
    elif args.user_command in ("disable", "enable"):
        users.set_disabled(db, args.name, args.user_command == "disable", actor=CLI_ADMIN)
        print(f"{args.name} {args.user_command}d.")
    elif args.user_command == "remove":
        users.remove_user(db, args.name, actor=CLI_ADMIN)
        print(f"Removed {args.name}.")
    else:
        users.set_password(db, args.name, _password(args), actor=CLI_ADMIN)
        print(f"Password of {args.name} changed.")
    return 0


def add_audit_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``audit``."""
    p = sub.add_parser("audit", help="print the audit log (newest first)")
    p.add_argument("--db", default=None, help="database file")
    p.add_argument("--workspace", default=None)
    p.add_argument("--user", default=None)
    p.add_argument("--action", default=None, help="action or its prefix, e.g. signin")
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.set_defaults(handler=cmd_audit)


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, as a table or as neutralised CSV."""
    from cem.access.audit import browse
    from cem.export import frame_to_csv_text

    frame = browse(
        _db(args, read_only=True),
        actor=CLI_ADMIN,
        workspace=args.workspace,
        user=args.user,
        action=args.action,
    )
    if args.format == "csv":
        sys.stdout.write(frame_to_csv_text(frame))
    elif frame.empty:
        print("The audit log is empty.")
    else:
        print(frame.fillna("").to_string(index=False))
    return 0
