"""`python -m analytics users ...` and `token ...`: who may sign in to the app, and the API's tokens."""

from __future__ import annotations

import argparse
import getpass
import sys

from analytics import auth, tokens
from analytics.cli import emit
from analytics.errors import InputError
from analytics.identity import ROLES, os_user


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the `users` command."""
    p = sub.add_parser("users", parents=[parent], help="manage sign-in users and their roles")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users.add_parser("set", parents=[parent], help="add a user or change role/password/e-mail")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--email", help="e-mail of a single sign-on user")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--no-password", action="store_true", help="single sign-on only")
    add.set_defaults(handler=cmd_set)
    lst = users.add_parser("list", parents=[parent], help="list users (never their hashes)")
    lst.set_defaults(handler=cmd_list)
    rm = users.add_parser("remove", parents=[parent], help="delete a user")
    rm.add_argument("name")
    rm.set_defaults(handler=cmd_remove)
    _register_tokens(sub, parent)


def _register_tokens(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the `token` command (the HTTP API's bearer tokens)."""
    p = sub.add_parser("token", parents=[parent], help="create, list or revoke the HTTP API's bearer tokens")
    actions = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[parent],
                                help="issue a token (printed once, stored hashed)")
    create.add_argument("--user", required=True, help="a user of the users file (the token gets its role)")
    create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS,
                        help=f"days until it expires (default {tokens.DEFAULT_DAYS})")
    create.set_defaults(handler=cmd_token_create)
    lst = actions.add_parser("list", parents=[parent], help="list tokens (ids and users, never the tokens)")
    lst.set_defaults(handler=cmd_token_list)
    revoke = actions.add_parser("revoke", parents=[parent], help="end a token, or every token of a user")
    revoke.add_argument("token_id", nargs="?", metavar="ID",
                        help="the id `token create` and `token list` show")
    revoke.add_argument("--user", help="revoke every live token of this user")
    revoke.set_defaults(handler=cmd_token_revoke)


def _password(args: argparse.Namespace) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if first != getpass.getpass("again: "):
        raise InputError("the two passwords differ")
    return first


def cmd_set(args: argparse.Namespace) -> int:
    """Add or change a user."""
    user = auth.set_user(args.name, args.role, _password(args), args.email)
    payload = {"name": user.name, "role": user.role, "email": user.email,
               "password": bool(user.password_hash), "file": str(auth.users_path())}
    emit(args, payload, lambda p: f"{p['name']} is {p['role']} (users file {p['file']})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List users."""
    users = auth.load_users() or {}
    rows = [{"name": u.name, "role": u.role, "email": u.email, "password": bool(u.password_hash),
             "disabled": u.disabled} for u in users.values()]
    emit(args, {"users": rows, "sign_in_required": auth.sign_in_required()},
         lambda p: "\n".join(f"{r['name']:<24} {r['role']:<8} {r['email'] or ''}" for r in p["users"])
         or "no users: the app runs open on localhost")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Delete a user."""
    auth.remove_user(args.name)
    emit(args, {"removed": args.name}, lambda p: f"removed {p['removed']}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Issue a token and print it once."""
    token, record = tokens.create(args.user, args.days, created_by=os_user())
    payload = {"token": token, "id": record.id, "user": record.user, "expires_at": record.expires_at,
               "file": str(tokens.tokens_path())}
    emit(args, payload, lambda p: (
        f"{p['token']}\n(id {p['id']} for {p['user']}, expires {p['expires_at']:%Y-%m-%d}; shown once, "
        "only its hash is kept)"))
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    """List tokens without revealing them."""
    rows = [r.model_dump(exclude={"sha256"}) for r in tokens.load()]
    emit(args, {"tokens": rows}, lambda p: "\n".join(
        f"{r['id']}  {r['user']:<24} expires {r['expires_at']:%Y-%m-%d}"
        + ("  revoked" if r["revoked_at"] else "") for r in p["tokens"]) or "no tokens")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke a token (or all of a user's)."""
    done = tokens.revoke(args.token_id, args.user)
    emit(args, {"revoked": done}, lambda p: f"revoked {', '.join(p['revoked']) or 'nothing (no live token)'}")
    return 0
