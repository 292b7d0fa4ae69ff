"""Every route of the API × every role: the expected answer (a route without a rule fails).

Clinicians read and write patients; analysts see only the de-identified cohort; admins
administer users, tokens and the audit trail and read no patient. Routes of the web UI
(``oncoboard.service.web``) are checked by its own tests.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from oncoboard.service import web
from oncoboard.store import Store
from tests.service.conftest import Users, password_hash

ROLES = ("anonymous", "clinician", "analyst", "admin")
PUBLIC = frozenset(ROLES)
CLINICIAN = frozenset({"clinician"})
ADMIN = frozenset({"admin"})
COHORT = frozenset({"clinician", "analyst", "admin"})
SIGNED_IN = COHORT

# (method, path template) -> roles allowed; everyone else gets 401 (anonymous) or 403.
RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs/oauth2-redirect"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/cohort"): COHORT,
    ("POST", "/api/v1/cases"): CLINICIAN,
    ("POST", "/api/v1/cases/validate"): CLINICIAN,
    ("GET", "/api/v1/patients"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/versions"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/findings"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/plan"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/monitor"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/report.html"): CLINICIAN,
    ("GET", "/api/v1/patients/{patient_id}/report.pdf"): CLINICIAN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{username}/disable"): ADMIN,
    ("POST", "/api/v1/users/{username}/enable"): ADMIN,
    ("GET", "/api/v1/users/{username}/tokens"): ADMIN,
    ("POST", "/api/v1/users/{username}/tokens"): ADMIN,
    ("DELETE", "/api/v1/tokens/{token_id}"): ADMIN,
}


def _endpoints(app: FastAPI) -> list[tuple[str, str]]:
    """``(method, path)`` of every route of the app but the web UI's pages and static files."""
    web_routes = {id(route) for route in web.router.routes}
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount) and context.path == "/static":
            continue
        if id(context.original_route) in web_routes:
            assert not str(context.path).startswith("/api/")
            continue  # the web UI's pages: tests/service/test_web*.py
        assert context.path and context.methods, f"unexpected route {context!r}"
        found.extend((method, context.path) for method in context.methods - {"HEAD"})
    return sorted(found)


def test_every_api_route_has_a_rule(app: FastAPI) -> None:
    endpoints = _endpoints(app)
    missing = sorted(set(endpoints) - RULES.keys())
    assert missing == [], f"routes without a role rule: {missing}"
    assert sorted(RULES.keys() - set(endpoints)) == []


def test_roles_of_every_route(client: TestClient, users: Users, service_store: Store) -> None:
    # A user and token only the admin routes act on, and a patient that does not exist: an
    # allowed role gets a 404/422 answer (its role passed), a refused one 401 or 403.
    service_store.create_user("victim", "clinician", password_hash())
    token_id = service_store.create_api_token("victim")[0].id
    values = {"patient_id": "P-UNKNOWN", "username": "victim", "token_id": str(token_id)}
    results: dict[tuple[str, str, str], int] = {}
    for (method, template), allowed in RULES.items():
        path = template.format(**values)
        for role in ROLES:
            response = client.request(method, path, headers=users.headers(role))
            results[(method, template, role)] = response.status_code
            if role in allowed:
                assert response.status_code not in (401, 403), (method, template, role)
                assert response.status_code < 500, (method, template, role, response.text)
            elif role == "anonymous":
                assert response.status_code == 401, (method, template, role)
                assert response.headers["www-authenticate"] == "Bearer"
            else:
                assert response.status_code == 403, (method, template, role)
    # The patient routes answer an allowed clinician with "not found", not with data.
    assert results[("GET", "/api/v1/patients/{patient_id}/plan", "clinician")] == 404


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_only_clinicians_see_patients_even_in_the_list(
    client: TestClient, users: Users, mbc005: str, role: str
) -> None:
    response = client.get("/api/v1/patients", headers=users.headers(role))
    assert response.status_code == 403
    assert mbc005 not in response.text
    allowed = client.get("/api/v1/patients", headers=users.headers("clinician"))
    assert [p["patient_id"] for p in allowed.json()["patients"]] == [mbc005]


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_refused_patient_reads_are_audited(
    client: TestClient, users: Users, service_store: Store, mbc005: str, role: str
) -> None:
    before = service_store.audit_events(1)[0].id
    response = client.get(f"/api/v1/patients/{mbc005}/plan", headers=users.headers(role))
    assert response.status_code == 403
    events = [e for e in service_store.audit_events(10) if e.id > before]
    assert [(e.actor, e.action, e.patient_id, e.outcome, e.subject) for e in events] == [
        (
            {"analyst": "ana", "admin": "adm"}[role],
            "access",
            mbc005,
            "denied",
            "GET /api/v1/patients/{patient_id}/plan",
        )
    ]
