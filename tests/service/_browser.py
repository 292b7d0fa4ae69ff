"""Fixtures of the web UI's browser tests: the real app under uvicorn, and headless Chromium.

The service runs in a background thread on a free loopback port with a temporary SQLite
store holding a clinician, an analyst and an admin. Chromium is Debian's ``/usr/bin/chromium``
(never downloaded); without it the tests fail when ``CI`` is set and are skipped, loudly,
elsewhere (the pattern of ``tests/_postgres.py``; ``scripts/ensure-chromium.sh`` installs it).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from oncoboard.service import Settings, create_app
from oncoboard.service._users import hash_password
from oncoboard.store import Store
from tests._postgres import free_port
from tests.conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
SECRET = "web-e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
USERS = {
    "dr.lee": ("clinician", "clinician-password-1"),
    "ana.lyst": ("analyst", "analyst-password-12"),
    "root.admin": ("admin", "admin-password-123"),
}


def _chromium_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in {"", "0", "false", "no"}


def _skip_or_fail(reason: str) -> NoReturn:
    if _chromium_required():
        pytest.fail(f"{reason} (required because CI is set; run scripts/ensure-chromium.sh)")
    pytest.skip(f"!!! {reason}: browser tests NOT RUN; run scripts/ensure-chromium.sh !!!")


@dataclass
class LiveServer:
    """The service running under uvicorn on ``url`` (``http://127.0.0.1:PORT``)."""

    url: str
    store: Store


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app (uvicorn, background thread) on a fresh SQLite store with three users."""
    import uvicorn

    db = tmp_path_factory.mktemp("web-e2e") / "oncoboard.sqlite3"
    store = Store.open(f"sqlite:///{db}", actor="web-e2e")
    for username, (role, password) in USERS.items():
        store.create_user(username, role, hash_password(password))
    settings = Settings(environment="development", secret_key=SECRET, cookie_secure=False)
    app = create_app(settings, store)
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        ws="none",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-web-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            store.close()
            pytest.fail(f"the web service did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", store)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (sync API)."""
    if not CHROMIUM.is_file():
        _skip_or_fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
