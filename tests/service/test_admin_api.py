"""Administration through the API: users, API tokens and the audit trail (admins only)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from oncoboard.store import Store
from tests.service.conftest import Users

NEW_USER = {"username": "dr.new", "role": "clinician", "password": "a long enough password"}


def test_admin_adds_lists_disables_and_enables_users(
    client: TestClient, users: Users, service_store: Store
) -> None:
    admin = users.headers("admin")
    created = client.post("/api/v1/users", json=NEW_USER, headers=admin)
    assert created.status_code == 201
    assert created.json()["username"] == "dr.new" and "password" not in created.text
    assert client.post("/api/v1/users", json=NEW_USER, headers=admin).status_code == 409
    weak = {**NEW_USER, "username": "weak", "password": "short"}
    assert client.post("/api/v1/users", json=weak, headers=admin).status_code == 422
    names = [u["username"] for u in client.get("/api/v1/users", headers=admin).json()]
    assert names == ["adm", "ana", "clin", "dr.new"]
    disabled = client.post("/api/v1/users/dr.new/disable", headers=admin).json()
    assert disabled["disabled"] is True
    assert client.post("/api/v1/users/ghost/disable", headers=admin).status_code == 404
    assert client.post("/api/v1/users/dr.new/enable", headers=admin).json()["disabled"] is False
    login = client.post(
        "/api/v1/auth/token", data={"username": "dr.new", "password": NEW_USER["password"]}
    )
    assert login.status_code == 200
    events = [(e.actor, e.action, e.subject) for e in service_store.audit_events(20)]
    assert ("adm", "user_add", "dr.new") in events
    assert ("adm", "user_disable", "dr.new") in events
    assert ("adm", "user_enable", "dr.new") in events


def test_admin_issues_lists_and_revokes_tokens(
    client: TestClient, users: Users, service_store: Store
) -> None:
    admin = users.headers("admin")
    issued = client.post("/api/v1/users/ana/tokens", json={"label": "notebook"}, headers=admin)
    assert issued.status_code == 201
    body = issued.json()
    token, token_id = body["token"], body["id"]
    assert token.startswith("obk_") and body["expires_at"] is not None
    listed = client.get("/api/v1/users/ana/tokens", headers=admin).json()
    assert [t["label"] for t in listed] == ["tests", "notebook"]
    assert all("token" not in t for t in listed)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).json()["username"] == "ana"
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).json()["revoked_at"]
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert client.delete("/api/v1/tokens/99999", headers=admin).status_code == 404
    assert client.post("/api/v1/users/ghost/tokens", json={}, headers=admin).status_code == 404
    events = [(e.actor, e.action, e.subject) for e in service_store.audit_events(10)]
    assert ("adm", "token_issue", "ana") in events and ("adm", "token_revoke", "ana") in events


def test_audit_trail_shows_who_read_which_patient(
    client: TestClient, users: Users, mbc005: str
) -> None:
    client.get(f"/api/v1/patients/{mbc005}/plan", headers=users.headers("clinician"))
    trail = client.get("/api/v1/audit?limit=5", headers=users.headers("admin")).json()
    newest = trail[0]
    assert (newest["actor"], newest["action"], newest["patient_id"], newest["outcome"]) == (
        "clin",
        "plan",
        mbc005,
        "ok",
    )
    assert len(trail) <= 5
    assert client.get("/api/v1/audit?limit=0", headers=users.headers("admin")).status_code == 422
