"""Where the store lives and who is using it, read from the environment on demand."""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Mapping
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from oncoboard.errors import StoreConfigError

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "USER_ENV",
    "current_actor",
    "database_url",
    "mask_url",
    "normalize_url",
    "sqlite_path",
]

DATABASE_URL_ENV = "ONCOBOARD_DATABASE_URL"
DATA_DIR_ENV = "ONCOBOARD_DATA_DIR"
USER_ENV = "ONCOBOARD_USER"
SQLITE_FILE_NAME = "oncoboard.sqlite3"

_POSTGRES_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg"}
_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
_USERINFO_PASSWORD = re.compile(r"^(?P<head>[^:/?#]+://[^:/?#@]*):.*@")
_QUERY_PASSWORD = re.compile(r"(?P<key>[?&]password=)[^&#]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``, for messages.

    Masks the password of the user-info part (up to the last ``@``, so a stray ``@`` in a
    password cannot leak the rest of it) and a ``password=`` query parameter.
    """
    masked = _USERINFO_PASSWORD.sub(r"\g<head>:***@", url)
    return _QUERY_PASSWORD.sub(r"\g<key>***", masked)


def normalize_url(url: str) -> str:
    """Check a database URL and pin the PostgreSQL driver to psycopg 3.

    Parameters
    ----------
    url
        ``sqlite:///PATH`` or ``postgresql://...``; ``postgres://`` and
        ``postgresql+psycopg://`` are accepted too.

    Returns
    -------
    str
        The URL, with ``postgresql+psycopg`` as scheme for PostgreSQL.

    Raises
    ------
    StoreConfigError
        If the URL cannot be parsed or names another database or driver; the message shows
        the URL with its password masked.
    """
    expected = "expected 'sqlite:///PATH' or 'postgresql://USER@HOST/DB'"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreConfigError(f"cannot parse database URL {mask_url(url)!r}: {expected}") from exc
    if parsed.drivername in _SQLITE_DRIVERS:
        return url
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise StoreConfigError(
        f"unsupported database URL {mask_url(url)!r} (scheme {parsed.drivername!r}): {expected}"
    )


def database_url(env: Mapping[str, str] | None = None) -> str:
    """Return the database URL to use.

    Parameters
    ----------
    env
        Environment to read (default :data:`os.environ`).

    Returns
    -------
    str
        ``ONCOBOARD_DATABASE_URL`` (checked by :func:`normalize_url`) when set and non-empty,
        else an SQLite file ``oncoboard.sqlite3`` in ``ONCOBOARD_DATA_DIR`` or, when that is
        unset, in the per-user data directory (``platformdirs.user_data_dir("oncoboard")``).
        Nothing is created here; :meth:`Store.open` creates the directory.

    Raises
    ------
    StoreConfigError
        If ``ONCOBOARD_DATABASE_URL`` is not a supported URL.
    """
    env = os.environ if env is None else env
    if url := env.get(DATABASE_URL_ENV, "").strip():
        return normalize_url(url)
    data_dir = env.get(DATA_DIR_ENV, "").strip() or platformdirs.user_data_dir("oncoboard")
    path = Path(data_dir).expanduser().absolute() / SQLITE_FILE_NAME
    return f"sqlite:///{path.as_posix()}"


def sqlite_path(url: str | URL) -> Path | None:
    """Return the file of an SQLite URL, or ``None`` for other databases and ``:memory:``."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return None
    return Path(database)


def os_account() -> str:
    """The operating-system account running the process, from the real uid (not from the
    spoofable ``USER``/``LOGNAME`` variables); ``uid:<n>`` where the uid has no name."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid:{os.getuid()}"


def current_actor(env: Mapping[str, str] | None = None) -> str:
    """Who is using the store, for the audit trail.

    The authenticated identity is the operating-system account; a clinician name declared in
    ``ONCOBOARD_USER`` is recorded next to it (``account (as name)``), never instead of it.
    """
    env = os.environ if env is None else env
    account = os_account()
    declared = env.get(USER_ENV, "").strip()
    return f"{account} (as {declared})" if declared and declared != account else account
