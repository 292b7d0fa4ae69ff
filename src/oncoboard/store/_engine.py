"""Engine set-up (SQLite transactions and foreign keys) and programmatic Alembic upgrades."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from oncoboard.errors import StoreConfigError
from oncoboard.store._records import canonical_json
from oncoboard.store._settings import sqlite_path

__all__ = [
    "MIGRATIONS_DIR",
    "READ_ONLY",
    "describe_error",
    "make_engine",
    "prepare_sqlite_file",
    "upgrade_to_head",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
# Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK_KEY = 0x0C0B0A4D
READ_ONLY = "oncoboard_read_only"
"""Execution option of a connection whose transaction only reads: on SQLite it starts with a
deferred ``BEGIN`` (no write lock), so concurrent readers never wait for one another."""


def make_engine(url: str) -> Engine:
    """Create the engine for a checked database URL.

    Statement parameters (patient ids, documents) are kept out of exception messages and
    logs (``hide_parameters``). On SQLite, foreign keys are enforced and every transaction
    starts with ``BEGIN IMMEDIATE``: every store transaction writes (at least an audit
    event), so taking the write lock up front serialises concurrent writers instead of
    failing them, and makes DDL transactional. Connections with the :data:`READ_ONLY`
    execution option begin a deferred transaction instead. SQLite files use the
    write-ahead log with ``synchronous=NORMAL`` (readers never block the writer; a commit
    survives a crash of the process, only the last commits may be lost on power failure).
    """
    options: dict[str, Any] = {"hide_parameters": True, "json_serializer": canonical_json}
    if sqlite_path(url) is not None:
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    engine = create_engine(url, **options)
    if make_url(url).drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module (it would not BEGIN before
    # SELECT or DDL); SQLAlchemy's "begin" event below emits BEGIN IMMEDIATE instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to the write-ahead log unless it is already in it (the mode is
    stored in the file). Switching needs the file to itself and SQLite answers "database
    is locked" at once, without waiting, when another connection is using the file (two
    processes opening a new store together): retry until the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _sqlite_on_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database to the newest schema, in one transaction.

    Uses the Alembic scripts shipped in :data:`MIGRATIONS_DIR`; no ``alembic.ini`` is needed.
    Concurrent upgrades are serialised (PostgreSQL advisory lock, SQLite write lock).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def prepare_sqlite_file(url: str) -> None:
    """Create the SQLite file's directory (0700) and the file itself (0600) when missing."""
    path = sqlite_path(url)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
    except OSError as exc:
        raise StoreConfigError(
            f"cannot create the database file {str(path)!r}: {exc.strerror or exc}"
        ) from exc


def describe_error(exc: SQLAlchemyError) -> str:
    """Name a database error by its driver exception's first line (no SQL, no parameters)."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return type(exc).__name__
    primary = getattr(getattr(orig, "diag", None), "message_primary", None)
    first_line = primary or next(iter(str(orig).splitlines()), "")
    return f"{type(orig).__name__}: {first_line}" if first_line else type(orig).__name__
