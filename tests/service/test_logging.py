"""No patient data in the application's logs: routes are logged by template only."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from oncoboard.service import _api_cases
from oncoboard.service.findings import CaseFindings
from tests.service.conftest import Users

SUFFIXES = ("", "/versions", "/findings", "/plan", "/monitor", "/report.html")


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record of the server side (the test client's own ``httpx`` log is not)."""
    return [
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    ]


def test_requests_for_a_patient_never_log_the_patient_id(
    client: TestClient, users: Users, mbc005: str, caplog: pytest.LogCaptureFixture
) -> None:
    headers = users.headers("clinician")
    with caplog.at_level(logging.DEBUG):
        for suffix in SUFFIXES:
            assert client.get(f"/api/v1/patients/{mbc005}{suffix}", headers=headers).is_success
            client.get(f"/api/v1/patients/SECRET-ID-42{suffix}", headers=headers)
        client.get(f"/api/v1/patients/{mbc005}/plan", headers=users.headers("analyst"))
        client.get(f"/no/such/{mbc005}")
    messages = _messages(caplog)
    access = [m for m in messages if m.startswith("oncoboard.access")]
    assert len(access) == 2 * len(SUFFIXES) + 2
    assert any('"GET /api/v1/patients/{patient_id}/plan" 200' in m for m in access)
    assert any('"GET /api/v1/patients/{patient_id}/plan" 403' in m for m in access)
    assert any('"GET <unmatched>" 404' in m for m in access)
    for message in messages:
        assert mbc005 not in message and "SECRET-ID-42" not in message


def test_unhandled_errors_are_logged_without_their_message(
    client: TestClient,
    users: Users,
    mbc005: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(document: object, sha256: str, as_of: object = None) -> CaseFindings:
        raise RuntimeError(f"derivation failed for {mbc005}")

    monkeypatch.setattr(_api_cases, "peek", lambda sha256, as_of=None: None)
    monkeypatch.setattr(_api_cases, "case_findings", explode)
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/api/v1/patients/{mbc005}/plan", headers=users.headers("clinician"))
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    messages = _messages(caplog)
    assert any(
        "unhandled RuntimeError on GET /api/v1/patients/{patient_id}/plan" in m for m in messages
    )
    assert not any(mbc005 in m for m in messages)
