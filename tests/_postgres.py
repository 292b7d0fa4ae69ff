"""PostgreSQL and store fixtures: tests run on SQLite and on a real, throw-away PostgreSQL server.

The PostgreSQL server is started once per session in a temporary directory (TCP on
127.0.0.1 only, trust authentication, unix socket inside the directory) and each test gets
its own fresh database. Without server binaries the PostgreSQL tests are skipped, unless
``CI`` or ``ONCOBOARD_REQUIRE_POSTGRES=1`` is set, where they fail.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest

from oncoboard.store import Store

MISSING_BINARIES = "PostgreSQL server binaries not found (initdb/pg_ctl)"
SERVER_USER = "postgres"


def _postgres_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in {"", "0", "false", "no"} or os.environ.get("ONCOBOARD_REQUIRE_POSTGRES") == "1"


def _skip_or_fail(reason: str) -> NoReturn:
    if _postgres_required():
        pytest.fail(f"{reason} (required because CI or ONCOBOARD_REQUIRE_POSTGRES=1 is set)")
    pytest.skip(reason)


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def find_server_binaries() -> tuple[Path, Path] | None:
    """Return ``(initdb, pg_ctl)`` from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    bin_dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for bin_dir in bin_dirs:
        if (bin_dir / "initdb").is_file() and (bin_dir / "pg_ctl").is_file():
            return bin_dir / "initdb", bin_dir / "pg_ctl"
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running throw-away PostgreSQL server reachable on 127.0.0.1."""

    port: int
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, dbname=database, autocommit=True
        )

    def create_database(self) -> str:
        """Create a fresh, empty database and return its URL."""
        name = f"test_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _run(command: list[str], cwd: Path) -> None:
    if os.geteuid() == 0:
        if shutil.which("runuser"):
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        else:
            command = [
                "setpriv",
                f"--reuid={SERVER_USER}",
                f"--regid={SERVER_USER}",
                "--init-groups",
                "--",
                *command,
            ]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{shlex.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start PostgreSQL in a temporary directory for the session; stop and remove it after."""
    binaries = find_server_binaries()
    if binaries is None:
        _skip_or_fail(MISSING_BINARIES)
    initdb, pg_ctl = binaries
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            _skip_or_fail(f"running as root but there is no {SERVER_USER!r} user to run PostgreSQL")
    # Not under pytest's tmp_path: that is private to root, the server user must reach it.
    root = Path(tempfile.mkdtemp(prefix="oncoboard-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if owner is not None:
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    log = root / "server.log"
    started = False
    try:
        flags = ["-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
        _run([str(initdb), "-D", str(data), "-U", SERVER_USER, *flags], cwd=root)
        for attempt in range(3):  # the free port may be taken before the server binds it
            port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(sockets))} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            start = [str(pg_ctl), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
            try:
                _run([*start, "-o", options, "start"], cwd=root)
            except RuntimeError as exc:
                if attempt == 2:
                    server_log = log.read_text(errors="replace") if log.exists() else ""
                    raise RuntimeError(f"{exc}\nserver log:\n{server_log}") from exc
                continue
            started = True
            break
        yield PostgresServer(port)
    finally:
        if started:
            _run([str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"], cwd=root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh, empty database (an SQLite file, or a new PostgreSQL database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on a fresh database."""
    with Store.open(db_url, actor="tester") as opened:
        yield opened
