"""Users and API tokens in the store, on SQLite and PostgreSQL; all administration is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oncoboard.errors import StoreError
from oncoboard.store import Store


def test_users_are_created_listed_and_disabled(store: Store) -> None:
    created = store.create_user("dr.b", "clinician", "$argon2id$hash-b")
    store.create_user("admin", "admin", "$argon2id$hash-a")
    assert (created.username, created.role, created.disabled) == ("dr.b", "clinician", False)
    assert "hash" not in repr(created)
    assert [u.username for u in store.list_users()] == ["admin", "dr.b"]
    assert store.get_user("dr.b") == created
    assert store.get_user("nobody") is None
    disabled = store.set_disabled("dr.b")
    assert disabled is not None and disabled.disabled
    assert store.set_disabled("nobody") is None
    with pytest.raises(StoreError, match=r"user 'dr\.b' already exists"):
        store.create_user("dr.b", "analyst", "x")
    with pytest.raises(ValueError, match="role must be one of"):
        store.create_user("x", "superuser", "x")
    events = [(e.action, e.subject, e.outcome) for e in store.audit_events(10)]
    assert events[:4] == [
        ("user_disable", "nobody", "not_found"),
        ("user_disable", "dr.b", "ok"),
        ("user_add", "admin", "ok"),
        ("user_add", "dr.b", "ok"),
    ]


def test_api_tokens_resolve_until_revoked_or_expired(store: Store) -> None:
    store.create_user("dr.b", "clinician", "h")
    info, token = store.create_api_token("dr.b", label="laptop")
    assert token.startswith("obk_") and info.label == "laptop" and info.revoked_at is None
    resolved = store.resolve_api_token(token)
    assert resolved is not None and resolved.username == "dr.b"
    assert store.resolve_api_token(token + "x") is None
    past = datetime.now(UTC) - timedelta(minutes=1)
    future = datetime.now(UTC) + timedelta(days=1)
    expired = store.create_api_token("dr.b", expires_at=past)[1]
    valid = store.create_api_token("dr.b", expires_at=future)[1]
    assert store.resolve_api_token(expired) is None
    assert store.resolve_api_token(valid) is not None
    revoked = store.revoke_api_token(info.id)
    assert revoked is not None and revoked.revoked_at is not None
    assert store.resolve_api_token(token) is None
    assert store.revoke_api_token(12345) is None
    assert [t.id for t in store.list_api_tokens("dr.b")] == [info.id, info.id + 1, info.id + 2]
    with pytest.raises(StoreError, match="no user 'ghost'"):
        store.create_api_token("ghost")
    actions = [e.action for e in store.audit_events(10)]
    assert actions.count("token_issue") == 3 and actions.count("token_revoke") == 2


def test_as_actor_shares_the_store_and_records_another_actor(store: Store) -> None:
    view = store.as_actor("dr.c")
    view.import_document("P-1", {}, source_name="a", source_format="json", source_text="{}")
    view.get("P-1", action="plan")
    view.close()  # closes the view only
    assert store.get("P-1").version == 1
    actors = [(e.actor, e.action) for e in store.audit_events(3)]
    assert actors == [("tester", "show"), ("dr.c", "plan"), ("dr.c", "import")]
