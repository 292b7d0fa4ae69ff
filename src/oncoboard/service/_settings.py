"""Settings of the web service, read from the environment; unsafe secrets are refused."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from oncoboard.errors import OncoboardError

__all__ = ["ENV_VAR", "SECRET_ENV", "Settings", "SettingsError"]

ENV_VAR = "ONCOBOARD_ENV"
SECRET_ENV = "ONCOBOARD_SECRET_KEY"
MAX_UPLOAD_ENV = "ONCOBOARD_MAX_UPLOAD_BYTES"
SESSION_MINUTES_ENV = "ONCOBOARD_SESSION_MINUTES"
MIN_SECRET_LENGTH = 32
# Values found in tutorials, templates and .env examples: never a real secret.
DEFAULT_SECRETS = frozenset(
    {"changeme", "change-me", "changethis", "secret", "secret-key", "dev", "development", "test"}
)

_log = logging.getLogger("oncoboard.service")


class SettingsError(OncoboardError):
    """The service settings are unsafe or invalid; the message names the variable."""


def _secret_problem(secret: str) -> str | None:
    if not secret:
        return f"{SECRET_ENV} is not set"
    if secret.strip().lower() in DEFAULT_SECRETS or "change" in secret.lower():
        return f"{SECRET_ENV} is a well-known default value"
    if len(secret) < MIN_SECRET_LENGTH:
        return (
            f"{SECRET_ENV} must be at least {MIN_SECRET_LENGTH} characters, but has {len(secret)}"
        )
    if len(set(secret)) < 8:
        return f"{SECRET_ENV} has fewer than 8 distinct characters"
    return None


class Settings(BaseModel):
    """Settings of ``oncoboard serve`` (see :meth:`from_env` for the variables).

    Outside ``development`` a missing, well-known or short (< 32 characters) secret key is
    refused with :class:`SettingsError`. In ``development`` a missing key is replaced by a
    random one for this process (sessions end when it stops) and a warning is logged.

    Attributes
    ----------
    environment
        ``"development"`` or ``"production"``.
    secret_key
        Signs session tokens (JWT HS256) and keys the cohort pseudonyms (HMAC).
    database_url
        The store's database (``None``: the store's default, see :mod:`oncoboard.store`).
    max_upload_bytes
        Largest request body accepted (413 above it).
    session_minutes
        Lifetime of a session token.
    cookie_secure
        Send the session cookie over HTTPS only (default: outside development).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr
    database_url: str | None = None
    max_upload_bytes: int = Field(default=1024 * 1024, gt=0)
    session_minutes: int = Field(default=480, gt=0, le=7 * 24 * 60)
    cookie_secure: bool = True

    @model_validator(mode="before")
    @classmethod
    def _safe_secret(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        environment = data.get("environment", "development")
        raw = data.get("secret_key")
        secret = raw.get_secret_value() if isinstance(raw, SecretStr) else (raw or "")
        if environment == "development":
            if not secret:
                _log.warning(
                    "%s is not set: using a random key for this process (development only)",
                    SECRET_ENV,
                )
                data["secret_key"] = secrets.token_urlsafe(48)
            data.setdefault("cookie_secure", False)
        elif problem := _secret_problem(str(secret)):
            raise SettingsError(
                f"refusing to start with {ENV_VAR}={environment!r}: {problem}; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return data

    @property
    def development(self) -> bool:
        """Whether this is a development set-up."""
        return self.environment == "development"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``ONCOBOARD_ENV``, ``ONCOBOARD_SECRET_KEY``, ``ONCOBOARD_DATABASE_URL``,
        ``ONCOBOARD_MAX_UPLOAD_BYTES`` and ``ONCOBOARD_SESSION_MINUTES``.

        Raises
        ------
        SettingsError
            If a value is unsafe or invalid (the message names the variable).
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "environment": env.get(ENV_VAR, "").strip() or "development",
            "secret_key": env.get(SECRET_ENV, ""),
            "database_url": env.get("ONCOBOARD_DATABASE_URL", "").strip() or None,
        }
        for name, key in (
            (MAX_UPLOAD_ENV, "max_upload_bytes"),
            (SESSION_MINUTES_ENV, "session_minutes"),
        ):
            if text := env.get(name, "").strip():
                if not text.isdigit():
                    raise SettingsError(f"{name} must be a positive integer, but was {text!r}")
                values[key] = int(text)
        if (environment := values["environment"]) not in ("development", "production"):
            raise SettingsError(
                f"{ENV_VAR} must be 'development' or 'production', but was {environment!r}"
            )
        values.update(overrides)
        return cls(**values)
