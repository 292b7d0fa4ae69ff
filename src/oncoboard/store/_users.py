"""Users and API tokens of the web service, as statements on an open session."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from oncoboard.errors import StoreError
from oncoboard.store._records import ApiTokenInfo, UserInfo
from oncoboard.store._schema import ApiTokenRow, UserRow, UTCDateTime

__all__ = [
    "ROLES",
    "TOKEN_PREFIX",
    "add_token",
    "add_user",
    "find_token_user",
    "find_user",
    "token_info",
    "token_sha256",
    "user_info",
]

ROLES = ("clinician", "analyst", "admin")
TOKEN_PREFIX = "obk_"
"""Prefix of every API token, so that leaked tokens are recognisable (secret scanners)."""


def token_sha256(token: str) -> str:
    """The hex SHA-256 of an API token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_info(row: UserRow) -> UserInfo:
    """Convert a user row."""
    return UserInfo(row.username, row.role, row.disabled, row.created_at, row.password_hash)


def token_info(row: ApiTokenRow) -> ApiTokenInfo:
    """Convert a token row."""
    return ApiTokenInfo(
        row.id, row.username, row.label, row.created_at, row.expires_at, row.revoked_at
    )


def add_user(
    session: Session, username: str, role: str, password_hash: str, now: datetime
) -> UserInfo:
    """Insert a user; refuse an unknown role, an empty name or a name already taken."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, but was {role!r}")
    if not username or len(username) > 64 or not username.isprintable() or " " in username:
        raise ValueError(f"username must be 1-64 printable characters, no space: {username!r}")
    if session.get(UserRow, username) is not None:
        raise StoreError(f"user {username!r} already exists")
    row = UserRow(
        username=username, role=role, password_hash=password_hash, disabled=False, created_at=now
    )
    session.add(row)
    return user_info(row)


def add_token(
    session: Session, username: str, label: str, expires_at: datetime | None, now: datetime
) -> tuple[ApiTokenInfo, str]:
    """Insert a new random token of ``username``; return its metadata and the token itself."""
    if session.get(UserRow, username) is None:
        raise StoreError(f"no user {username!r}")
    if len(label) > 100:
        raise ValueError(f"label must be at most 100 characters, but has {len(label)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        username=username,
        sha256=token_sha256(token),
        label=label,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    return token_info(row), token


# Built once: composing a statement costs more than running it on SQLite.
_USERS = UserRow.__table__
_TOKENS = ApiTokenRow.__table__
_FIND_USER = select(_USERS).where(_USERS.c.username == bindparam("username"))
_FIND_TOKEN_USER = (
    select(_USERS.c.username, _USERS.c.role, _USERS.c.disabled, _USERS.c.created_at)
    .join(_TOKENS, _TOKENS.c.username == _USERS.c.username)
    .where(_TOKENS.c.sha256 == bindparam("sha256"), _TOKENS.c.revoked_at.is_(None))
    .where(
        _TOKENS.c.expires_at.is_(None)
        | (_TOKENS.c.expires_at > bindparam("now", type_=UTCDateTime()))
    )
)


def find_user(connection: Connection, username: str) -> UserInfo | None:
    """Look a user up by name (primary key)."""
    row = connection.execute(_FIND_USER, {"username": username}).first()
    if row is None:
        return None
    return UserInfo(row.username, row.role, row.disabled, row.created_at, row.password_hash)


def find_token_user(connection: Connection, token: str, now: datetime) -> UserInfo | None:
    """The user of a valid (known, unrevoked, unexpired) API token, in one indexed query."""
    row = connection.execute(_FIND_TOKEN_USER, {"sha256": token_sha256(token), "now": now}).first()
    return None if row is None else UserInfo(row[0], row[1], row[2], row[3])


def revoke(session: Session, token_id: int, now: datetime) -> ApiTokenInfo | None:
    """Mark a token revoked (kept for the record); ``None`` if there is no such token."""
    session.execute(
        update(ApiTokenRow)
        .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    row = session.get(ApiTokenRow, token_id)
    return None if row is None else token_info(row)
