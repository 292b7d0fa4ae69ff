"""The public API of :mod:`oncoboard.store` is deliberate: pin it."""

from __future__ import annotations

import inspect

import oncoboard.store


def test_exported_members_are_pinned() -> None:
    assert oncoboard.store.__all__ == [
        "ApiTokenInfo",
        "AuditEvent",
        "ImportOutcome",
        "ImportResult",
        "PatientSummary",
        "ReadAction",
        "SourceFormat",
        "Store",
        "StoredCase",
        "UserInfo",
        "VersionInfo",
        "VersionRead",
        "canonical_json",
        "database_url",
        "document_sha256",
    ]


def test_exported_members_exist_and_name_themselves() -> None:
    for name in oncoboard.store.__all__:
        member = getattr(oncoboard.store, name)
        if inspect.isclass(member) or inspect.isfunction(member):
            assert member.__qualname__ == name
            assert member.__module__.startswith("oncoboard.store.")
