"""``oncoboard serve``: run the web service (JSON API and web UI) with uvicorn."""

from __future__ import annotations

import copy
import functools
import ipaddress
import logging
import os
import secrets
import time
from typing import Annotated, Any

import typer

from oncoboard.cli._console import err

__all__ = ["log_config", "register"]


def log_config() -> dict[str, Any]:
    """Uvicorn's logging set-up plus the service's loggers (access log by route template);
    every line starts with its time in UTC (ISO 8601, milliseconds)."""
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter, DefaultFormatter

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    for name, base in (("default", DefaultFormatter), ("access", AccessFormatter)):
        formatter = config["formatters"][name]
        formatter["()"] = functools.partial(_in_utc, base)
        formatter["fmt"] = "%(asctime)s.%(msecs)03dZ " + formatter["fmt"]
        formatter["datefmt"] = "%Y-%m-%dT%H:%M:%S"
    config["loggers"]["oncoboard"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _in_utc(base: type[logging.Formatter], **options: Any) -> logging.Formatter:
    formatter = base(**options)
    formatter.converter = time.gmtime
    return formatter


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="ONCOBOARD_DATABASE_URL",
            show_envvar=True,
            help="SQLAlchemy URL; default: SQLite file in the user data directory.",
        ),
    ] = None,
) -> None:
    """Serve the JSON API (/api/v1, docs at /api/docs) and the web UI.

    Configuration comes from the environment (ONCOBOARD_ENV, ONCOBOARD_SECRET_KEY, ...; see
    docs/api.md). Outside development a missing, default or short secret key is refused.
    Put a TLS-terminating reverse proxy in front of it for anything but local use.
    """
    import uvicorn

    from oncoboard.service import Settings, SettingsError

    if database_url:
        os.environ["ONCOBOARD_DATABASE_URL"] = database_url
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc
    if settings.development:
        if not os.environ.get("ONCOBOARD_SECRET_KEY"):
            # One random key shared by every worker of this run (sessions end on restart).
            os.environ["ONCOBOARD_SECRET_KEY"] = secrets.token_urlsafe(48)
        if not _loopback(host):
            err.print(f"warning: development settings served on {host!r}, not only loopback")
    uvicorn.run(
        "oncoboard.service._app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # it logs paths, which hold patient ids; the service logs routes
        log_config=log_config(),
        server_header=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)
