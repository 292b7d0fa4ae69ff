"""Service fixtures: an app on a fresh SQLite store with one user (and API token) per role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette 1.x prefers the httpx2 package (not a dependency); httpx still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from oncoboard.io import canonical_document, parse_case, read_document
from oncoboard.service import Settings, create_app
from oncoboard.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
SECRET = "s3rvice-tests-" + "k" * 8 + "0123456789abcdefghij"
PASSWORD = "correct horse battery staple"
# One argon2 hash for every test user: hashing costs ~50 ms, tests need not pay it each time.
_HASH: list[str] = []


def password_hash() -> str:
    """The argon2id hash of :data:`PASSWORD` (computed once)."""
    from oncoboard.service._users import hash_password

    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass(frozen=True)
class Users:
    """The API token of each test user, by role."""

    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        """``Authorization`` header of the user with ``role`` (no header for ``anonymous``)."""
        if role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def import_example(store: Store, name: str) -> str:
    """Import one example case file into ``store``; return its patient id."""
    document = read_document(EXAMPLES / name)
    case = parse_case(document)
    store.import_document(
        case.patient.id,
        canonical_document(case),
        source_name=name,
        source_format=document.format,
        source_text=document.text,
    )
    return case.patient.id


@pytest.fixture
def service_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store with users ``clin`` (clinician), ``ana`` (analyst), ``adm`` (admin)."""
    with Store.open(f"sqlite:///{tmp_path / 'service.sqlite3'}", actor="setup") as store:
        for name, role in (("clin", "clinician"), ("ana", "analyst"), ("adm", "admin")):
            store.create_user(name, role, password_hash())
        yield store


@pytest.fixture
def users(service_store: Store) -> Users:
    """An API token for each test user."""
    tokens = {
        role: service_store.create_api_token(name, label="tests")[1]
        for name, role in (("clin", "clinician"), ("ana", "analyst"), ("adm", "admin"))
    }
    return Users(tokens)


@pytest.fixture
def settings() -> Settings:
    """Production settings with a strong test secret."""
    return Settings(environment="production", secret_key=SECRET)


@pytest.fixture
def app(settings: Settings, service_store: Store) -> FastAPI:
    """The service on :func:`service_store`."""
    return create_app(settings, service_store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client of :func:`app`."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def mbc005(service_store: Store) -> str:
    """MBC-005 (serial ctDNA and imaging) imported; its patient id."""
    return import_example(service_store, "mbc-005-esr1-serial-ctdna.yaml")
