"""Where the store lives: ``ONCOBOARD_DATABASE_URL``, ``ONCOBOARD_DATA_DIR`` and defaults."""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

import platformdirs
import pytest

from oncoboard.errors import StoreConfigError, StoreError
from oncoboard.store import Store, database_url
from oncoboard.store._settings import current_actor, mask_url


def test_database_url_env_var_wins_over_data_dir(tmp_path: Path) -> None:
    env = {
        "ONCOBOARD_DATABASE_URL": "sqlite:////srv/cases.sqlite3",
        "ONCOBOARD_DATA_DIR": str(tmp_path),
    }
    assert database_url(env) == "sqlite:////srv/cases.sqlite3"


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://onco:pw@db.example:5432/cases",
        "postgres://onco:pw@db.example:5432/cases",
        "postgresql+psycopg://onco:pw@db.example:5432/cases",
    ],
)
def test_postgresql_urls_use_the_psycopg_driver(given: str) -> None:
    url = database_url({"ONCOBOARD_DATABASE_URL": given})
    assert url == "postgresql+psycopg://onco:pw@db.example:5432/cases"


def test_default_is_sqlite_under_data_dir_and_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet"
    url = database_url({"ONCOBOARD_DATA_DIR": str(data_dir), "ONCOBOARD_DATABASE_URL": ""})
    assert url == f"sqlite:///{data_dir}/oncoboard.sqlite3"
    assert not data_dir.exists()


def test_default_data_dir_is_the_platform_user_data_dir() -> None:
    expected = Path(platformdirs.user_data_dir("oncoboard")).absolute() / "oncoboard.sqlite3"
    assert database_url({}) == f"sqlite:///{expected}"


def test_open_creates_private_data_dir_and_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Store.open(database_url({"ONCOBOARD_DATA_DIR": str(data_dir)})) as store:
        assert store.list_patients() == []
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "oncoboard.sqlite3").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("url", "shown", "secret"),
    [
        ("mysql://admin:s3cret@db.example/cases", "mysql://admin:***@db.example/cases", "s3cret"),
        ("mysql://admin:s3c@ret@db.example/cases", "mysql://admin:***@db.example/cases", "s3c"),
        ("postgresql+psycopg2://admin:s3cret@db/x", "postgresql+psycopg2://admin:***@db/x", "s3"),
        ("oracle://db/cases?password=s3cret&x=1", "oracle://db/cases?password=***&x=1", "s3"),
    ],
)
def test_unknown_scheme_is_refused_with_password_masked(url: str, shown: str, secret: str) -> None:
    with pytest.raises(StoreConfigError) as info:
        database_url({"ONCOBOARD_DATABASE_URL": url})
    assert isinstance(info.value, ValueError)
    assert f"unsupported database URL {shown!r}" in str(info.value)
    assert secret not in str(info.value)


def test_unparsable_url_is_refused() -> None:
    with pytest.raises(StoreConfigError, match="cannot parse database URL 'not a url'"):
        Store.open("not a url")


def test_mask_url_leaves_urls_without_password_alone() -> None:
    assert mask_url("postgresql://onco@db/cases") == "postgresql://onco@db/cases"
    assert mask_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as info:
        Store.open("postgresql://onco:s3cret@127.0.0.1:1/cases")
    message = str(info.value)
    assert message.startswith("cannot open database 'postgresql+psycopg://onco:***@127.0.0.1:1/")
    assert "s3cret" not in message


def test_uncreatable_data_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreConfigError, match="cannot create the database file"):
        Store.open(f"sqlite:///{blocker}/sub/oncoboard.sqlite3")


def test_actor_is_the_os_account_with_the_declared_name(monkeypatch: pytest.MonkeyPatch) -> None:
    account = pwd.getpwuid(os.getuid()).pw_name
    assert current_actor({"ONCOBOARD_USER": "dr.jones"}) == f"{account} (as dr.jones)"
    assert current_actor({"ONCOBOARD_USER": " "}) == account
    monkeypatch.setenv("LOGNAME", "someone-else")  # spoofable variables are not the identity
    monkeypatch.setenv("USER", "someone-else")
    assert current_actor({}) == account


def test_open_without_url_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONCOBOARD_DATABASE_URL", raising=False)
    monkeypatch.setenv("ONCOBOARD_DATA_DIR", str(tmp_path / "env-data"))
    with Store.open() as store:
        assert store.url == f"sqlite:///{tmp_path}/env-data/oncoboard.sqlite3"
    assert (tmp_path / "env-data" / "oncoboard.sqlite3").is_file()
