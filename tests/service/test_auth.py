"""Login, session tokens, API tokens and cookies; disabled users and revoked tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import select

from oncoboard.service import Principal, Role, Settings
from oncoboard.service.auth import (
    SESSION_COOKIE,
    authenticate,
    decode_session_token,
    issue_session_token,
)
from oncoboard.store import Store
from oncoboard.store._engine import make_engine
from oncoboard.store._schema import ApiTokenRow, UserRow
from tests.service.conftest import PASSWORD, SECRET, Users


def _login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return response.status_code, response.json()


def test_password_login_gives_a_working_bearer_jwt(client: TestClient) -> None:
    status, body = _login(client, "clin", PASSWORD)
    assert status == 200 and body["token_type"] == "bearer" and body["expires_in"] == 480 * 60
    token = str(body["access_token"])
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="oncoboard")
    assert claims["sub"] == "clin" and claims["role"] == "clinician"
    assert {"exp", "iat", "jti"} <= claims.keys()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "clin", "role": "clinician"}


def test_wrong_password_and_unknown_user_are_refused_and_audited(
    client: TestClient, service_store: Store
) -> None:
    assert _login(client, "clin", "wrong password!!")[0] == 401
    assert _login(client, "nobody", PASSWORD)[0] == 401
    assert _login(client, "clin", PASSWORD)[0] == 200
    logins = [(e.subject, e.outcome) for e in service_store.audit_events(3)]
    assert logins == [("clin", "ok"), ("nobody", "denied"), ("clin", "denied")]


def test_session_cookie_is_accepted(client: TestClient, settings: Settings) -> None:
    token = issue_session_token(settings, Principal("adm", Role.ADMIN))
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/v1/me").json() == {"username": "adm", "role": "admin"}


def test_tampered_expired_or_foreign_tokens_are_refused(
    client: TestClient, settings: Settings
) -> None:
    good = issue_session_token(settings, Principal("clin", Role.CLINICIAN))
    now = datetime.now(UTC)
    claims = {"iss": "oncoboard", "sub": "clin", "role": "clinician", "jti": "x"}
    expired = jwt.encode({**claims, "iat": now - timedelta(hours=2), "exp": now}, SECRET)
    foreign = jwt.encode({**claims, "iat": now, "exp": now + timedelta(hours=1)}, "k" * 40)
    unsigned = jwt.encode({**claims, "iat": now, "exp": now + timedelta(hours=1)}, None, "none")
    # one signature character changed (not the last: its low bits may be unused padding, and
    # a token whose signature already ended in the replacement would pass unchanged)
    i = len(good) - 10
    tampered = good[:i] + ("B" if good[i] == "A" else "A") + good[i + 1 :]
    assert tampered != good
    for token in (tampered, expired, foreign, unsigned, "obk_not-a-token", ""):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert decode_session_token(settings, good) is not None


def test_disabling_a_user_stops_their_tokens_and_sessions_at_once(
    client: TestClient, users: Users, settings: Settings, service_store: Store
) -> None:
    session = {"Authorization": f"Bearer {_login(client, 'clin', PASSWORD)[1]['access_token']}"}
    token = users.headers("clinician")
    assert client.get("/api/v1/me", headers=session).status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 200
    service_store.set_disabled("clin")
    assert client.get("/api/v1/me", headers=session).status_code == 401
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert _login(client, "clin", PASSWORD)[0] == 401
    service_store.set_disabled("clin", False)
    assert client.get("/api/v1/me", headers=token).status_code == 200


def test_role_is_read_from_the_store_not_trusted_from_the_token(
    client: TestClient, settings: Settings
) -> None:
    forged_role = issue_session_token(settings, Principal("ana", Role.CLINICIAN))
    response = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {forged_role}"})
    assert response.status_code == 403


def test_revoked_and_expired_api_tokens_stop_working(
    client: TestClient, service_store: Store
) -> None:
    info, token = service_store.create_api_token("clin", label="ci")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    service_store.revoke_api_token(info.id)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    past = datetime.now(UTC) - timedelta(seconds=1)
    _, old = service_store.create_api_token("clin", expires_at=past)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_only_hashes_are_stored(service_store: Store, users: Users, tmp_path: object) -> None:
    engine = make_engine(service_store.url)
    try:
        with engine.connect() as connection:
            stored = [row.sha256 for row in connection.execute(select(ApiTokenRow.__table__))]
            hashes = [row.password_hash for row in connection.execute(select(UserRow.__table__))]
    finally:
        engine.dispose()
    assert all(token.startswith("obk_") and len(token) > 40 for token in users.tokens.values())
    assert not set(users.tokens.values()) & set(stored)
    assert all(len(h) == 64 for h in stored)
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_authenticate_checks_the_password(service_store: Store) -> None:
    assert authenticate(service_store, "ana", PASSWORD) == Principal("ana", Role.ANALYST)
    assert authenticate(service_store, "ana", PASSWORD + "x") is None
    assert authenticate(service_store, "x" * 500, PASSWORD) is None
