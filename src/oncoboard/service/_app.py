"""The FastAPI application: JSON API under ``/api/v1``, the web UI at ``/``, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from oncoboard._version import __version__
from oncoboard.service._settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from oncoboard.store import Store

__all__ = ["API_PREFIX", "app_from_env", "create_app"]

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    settings
        The checked settings (:meth:`Settings.from_env`).
    store
        The case store to serve; default: opened at ``settings.database_url`` (and closed
        when the application shuts down). A given store is left open.

    Returns
    -------
    FastAPI
        The application, with ``app.state.settings`` and ``app.state.store``. OpenAPI is
        published at ``/api/openapi.json`` and the interactive docs at ``/api/docs``.
    """
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from oncoboard.service import _api_admin, _api_cases
    from oncoboard.service._middleware import ServiceMiddleware
    from oncoboard.service.web import install_error_pages
    from oncoboard.service.web import router as web_router
    from oncoboard.store import Store

    owned = store is None
    opened = (
        Store.open(settings.database_url, actor="oncoboard-service") if store is None else store
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owned:
                opened.close()

    app = FastAPI(
        title="Oncoboard",
        version=__version__,
        summary="Decision support for metastatic breast cancer tumor boards.",
        description=(
            "Decision support for qualified clinicians; it does not replace clinical "
            "judgement. See docs/api.md for roles, authentication and audit."
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = opened
    app.include_router(_api_admin.router, prefix=API_PREFIX)
    app.include_router(_api_cases.router, prefix=API_PREFIX)
    app.include_router(web_router)
    install_error_pages(app)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(ServiceMiddleware, max_body=settings.max_upload_bytes)
    return app


def app_from_env() -> FastAPI:
    """Application factory of ``oncoboard serve`` (uvicorn ``--factory``): settings from the
    environment, store at ``ONCOBOARD_DATABASE_URL``."""
    return create_app(Settings.from_env())
