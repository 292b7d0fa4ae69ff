"""``oncoboard users`` and ``oncoboard serve`` (uvicorn itself is not started here)."""

from __future__ import annotations

import json
import logging
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from oncoboard.cli import _serve, _users
from oncoboard.store import Store

runner = CliRunner()
PASSWORD = "a long enough password"


def _app() -> typer.Typer:
    app = typer.Typer()
    _users.register(app)
    _serve.register(app)
    return app


def _run(db_url: str, *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(_app(), [*args, "--database-url", db_url], input=stdin)


def test_users_add_list_disable_and_token(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    added = _run(
        db_url,
        "users",
        "add",
        "dr.x",
        "--role",
        "clinician",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    again = _run(
        db_url,
        "users",
        "add",
        "dr.x",
        "--role",
        "clinician",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert again.exit_code == 1 and "already exists" in again.output
    weak = _run(
        db_url, "users", "add", "dr.y", "--role", "clinician", "--password-stdin", stdin="short\n"
    )
    assert weak.exit_code == 2 and "at least 12 characters" in weak.output
    bad_role = _run(
        db_url, "users", "add", "dr.z", "--role", "root", "--password-stdin", stdin=PASSWORD
    )
    assert bad_role.exit_code == 2
    listed = json.loads(_run(db_url, "users", "list", "--json").stdout)
    assert [(u["username"], u["role"], u["disabled"]) for u in listed] == [
        ("dr.x", "clinician", False)
    ]
    token = _run(db_url, "users", "token", "dr.x", "--label", "ci", "--days", "7")
    assert token.exit_code == 0
    secret = token.stdout.strip().splitlines()[-1]
    assert secret.startswith("obk_")
    with Store.open(db_url) as store:
        user = store.resolve_api_token(secret)
        assert user is not None and user.username == "dr.x"
        assert store.get_user("dr.x").password_hash.startswith("$argon2id$")  # type: ignore[union-attr]
    assert _run(db_url, "users", "disable", "dr.x").exit_code == 0
    assert _run(db_url, "users", "disable", "ghost").exit_code == 1
    assert json.loads(_run(db_url, "users", "list", "--json").stdout)[0]["disabled"] is True
    assert _run(db_url, "users", "token", "ghost").exit_code == 1
    with Store.open(db_url) as store:
        actions = [e.action for e in store.audit_events(10)]
    assert {"user_add", "token_issue", "user_disable"} <= set(actions)


def test_users_add_prompts_for_the_password_twice(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    result = _run(
        db_url, "users", "add", "adm", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.stdout


@pytest.fixture(autouse=True)
def _restore_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` exports its settings to the environment (for its workers): undo that."""
    for name in ("ONCOBOARD_SECRET_KEY", "ONCOBOARD_DATABASE_URL", "ONCOBOARD_ENV"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_serve_refuses_a_default_secret_outside_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOBOARD_ENV", "production")
    monkeypatch.setenv("ONCOBOARD_SECRET_KEY", "changeme")
    result = _run(f"sqlite:///{tmp_path / 's.sqlite3'}", "serve")
    assert result.exit_code == 2
    assert "refusing to start" in result.output and "ONCOBOARD_SECRET_KEY" in result.output


def test_serve_runs_uvicorn_without_its_access_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **kw: calls.append({"target": target, **kw}))
    result = _run(
        f"sqlite:///{tmp_path / 's.sqlite3'}", "serve", "--port", "8123", "--workers", "2"
    )
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["target"] == "oncoboard.service._app:app_from_env" and call["factory"] is True
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8123, 2)
    assert call["access_log"] is False
    assert "oncoboard" in call["log_config"]["loggers"]
    assert len(os.environ["ONCOBOARD_SECRET_KEY"]) >= 32  # one key shared by the workers


def test_service_log_lines_start_with_their_utc_time() -> None:
    config = _serve.log_config()
    pickle.loads(pickle.dumps(config))  # uvicorn hands it to worker processes
    for name in ("default", "access"):
        options = {k: v for k, v in config["formatters"][name].items() if k != "()"}
        formatter = config["formatters"][name]["()"](**options)
        record = logging.LogRecord("oncoboard.service", logging.INFO, __file__, 1, "%s", None, None)
        record.created, record.msecs = 1_764_460_800.25, 250.0  # 2025-11-30 00:00:00.250 UTC
        if name == "access":
            record.args = ("127.0.0.1:5000", "GET", "/api/v1/me", "1.1", 200)
            record.msg = '%s - "%s %s HTTP/%s" %d'
        else:
            record.args = ("service started",)
        line = formatter.format(record)
        assert line.startswith("2025-11-30T00:00:00.250Z "), line
