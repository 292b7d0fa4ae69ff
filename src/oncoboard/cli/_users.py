"""``oncoboard users``: add, list, disable and enable users of the web service; issue tokens."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from oncoboard.cli._console import err, out
from oncoboard.cli._store import DatabaseOption, _store

__all__ = ["register", "users_app"]

users_app = typer.Typer(
    name="users",
    help="Users and API tokens of the web service (oncoboard serve).",
    no_args_is_help=True,
)
NameArgument = Annotated[str, typer.Argument(help="Username.")]


@users_app.command("add")
def add(
    username: NameArgument,
    role: Annotated[str, typer.Option("--role", "-r", help="clinician, analyst or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Add a user (the password is prompted for, or read from stdin)."""
    from oncoboard.service._users import Role, check_password_policy, hash_password

    if role not in {r.value for r in Role}:
        err.print(f"error: --role must be clinician, analyst or admin, got {role!r}", markup=False)
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password_policy(password)
        with _store(database_url) as store:
            if store.get_user(username) is not None:
                err.print(f"error: user {username!r} already exists", markup=False)
                raise typer.Exit(1)
            store.create_user(username, role, hash_password(password))
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc
    out.print(f"added {username} ({role})", markup=False)


@users_app.command("list")
def list_(
    database_url: DatabaseOption = None, as_json: bool = typer.Option(False, "--json")
) -> None:
    """List users with their role and state."""
    with _store(database_url) as store:
        users = store.list_users()
    if as_json:
        payload = [
            {
                "username": u.username,
                "role": u.role,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(),
            }
            for u in users
        ]
        out.print_json(json.dumps(payload))
        return
    table = Table("user", "role", "state", "created")
    for u in users:
        state = "disabled" if u.disabled else "active"
        table.add_row(u.username, u.role, state, u.created_at.strftime("%Y-%m-%d %H:%M"))
    out.print(table)


def _set_disabled(username: str, disabled: bool, database_url: str | None) -> None:
    with _store(database_url) as store:
        user = store.set_disabled(username, disabled)
    if user is None:
        err.print(f"error: no user {username!r}", markup=False)
        raise typer.Exit(1)
    out.print(f"{username}: {'disabled' if disabled else 'enabled'}", markup=False)


@users_app.command("disable")
def disable(username: NameArgument, database_url: DatabaseOption = None) -> None:
    """Disable a user: no login, and none of their tokens or sessions works any more."""
    _set_disabled(username, True, database_url)


@users_app.command("enable")
def enable(username: NameArgument, database_url: DatabaseOption = None) -> None:
    """Enable a disabled user again."""
    _set_disabled(username, False, database_url)


@users_app.command("token")
def token(
    username: NameArgument,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    days: Annotated[int, typer.Option(min=0, max=3650, help="Lifetime; 0: no expiry.")] = 90,
    database_url: DatabaseOption = None,
) -> None:
    """Issue an API token and print it once (only its SHA-256 is stored)."""
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    with _store(database_url) as store:
        if store.get_user(username) is None:
            err.print(f"error: no user {username!r}", markup=False)
            raise typer.Exit(1)
        info, secret = store.create_api_token(username, label=label, expires_at=expires)
    until = info.expires_at.date().isoformat() if info.expires_at else "never"
    err.print(f"token {info.id} for {username} (expires {until}); it is shown only once:")
    out.file.write(secret + "\n")


@users_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token id.")], database_url: DatabaseOption = None
) -> None:
    """Revoke an API token."""
    with _store(database_url) as store:
        info = store.revoke_api_token(token_id)
    if info is None:
        err.print(f"error: no token {token_id}", markup=False)
        raise typer.Exit(1)
    out.print(f"token {token_id} of {info.username}: revoked", markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``users`` group to ``app``."""
    app.add_typer(users_app)
