"""Settings refuse unsafe secrets outside development."""

from __future__ import annotations

import logging

import pytest

from oncoboard.service import Settings, SettingsError

STRONG = "Zq8w-" + "x7Yp2LmN4kR9sT1vB3nC6dF0gH5jK8qW"


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("", "is not set"),
        ("changeme", "well-known default"),
        ("please-change-this-secret-key-before-production-0123", "well-known default"),
        ("short-but-random-Zq8w", "at least 32 characters, but has 21"),
        ("a" * 40, "fewer than 8 distinct characters"),
    ],
)
def test_production_refuses_missing_default_or_short_secret(secret: str, problem: str) -> None:
    env = {"ONCOBOARD_ENV": "production", "ONCOBOARD_SECRET_KEY": secret}
    with pytest.raises(SettingsError, match=problem) as caught:
        Settings.from_env(env)
    assert "ONCOBOARD_SECRET_KEY" in str(caught.value)
    assert "production" in str(caught.value)


def test_production_accepts_a_strong_secret_and_secures_the_cookie() -> None:
    env = {"ONCOBOARD_ENV": "production", "ONCOBOARD_SECRET_KEY": STRONG}
    settings = Settings.from_env(env)
    assert settings.secret_key.get_secret_value() == STRONG
    assert settings.cookie_secure is True
    assert settings.max_upload_bytes == 1024 * 1024
    assert settings.session_minutes == 480
    assert STRONG not in repr(settings)


def test_development_without_a_key_generates_one_per_process_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="oncoboard.service"):
        first = Settings.from_env({})
        second = Settings.from_env({})
    assert first.development and first.cookie_secure is False
    assert len(first.secret_key.get_secret_value()) >= 32
    assert first.secret_key != second.secret_key
    assert "random key for this process" in caplog.text


def test_environment_values_are_checked() -> None:
    with pytest.raises(SettingsError, match="must be 'development' or 'production'"):
        Settings.from_env({"ONCOBOARD_ENV": "prod"})
    with pytest.raises(SettingsError, match="ONCOBOARD_MAX_UPLOAD_BYTES must be a positive"):
        Settings.from_env({"ONCOBOARD_MAX_UPLOAD_BYTES": "1MB"})
    settings = Settings.from_env(
        {"ONCOBOARD_MAX_UPLOAD_BYTES": "2048", "ONCOBOARD_DATABASE_URL": "sqlite:///x.db"}
    )
    assert settings.max_upload_bytes == 2048
    assert settings.database_url == "sqlite:///x.db"


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        Settings(environment="production", secret_key="too-short")
