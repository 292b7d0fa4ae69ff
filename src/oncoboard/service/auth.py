"""Authentication (passwords, session JWTs, API tokens) and role checks for the service.

Three credentials are accepted on every request, checked in this order:

1. ``Authorization: Bearer obk_...`` — an API token (stored as its SHA-256 only);
2. ``Authorization: Bearer <JWT>`` — a session token from ``POST /api/v1/auth/token``;
3. the :data:`SESSION_COOKIE` holding the same JWT (set by the web UI's login form).

A session token is verified by its signature (HS256), then the user is read again (one
primary-key query) so that a disabled user's tokens stop working at once and a changed role
applies at once. Passwords are verified (argon2id) only at login.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import jwt
from fastapi import Depends, HTTPException, Request, status

from oncoboard.service._middleware import route_template
from oncoboard.service._settings import Settings
from oncoboard.service._users import Principal, Role, verify_password
from oncoboard.store._users import TOKEN_PREFIX

if TYPE_CHECKING:
    from oncoboard.store import Store, UserInfo

__all__ = [
    "SESSION_COOKIE",
    "authenticate",
    "current_principal",
    "decode_session_token",
    "issue_session_token",
    "principal",
    "require_role",
    "store_for",
]

SESSION_COOKIE = "oncoboard_session"
ALGORITHM = "HS256"
ISSUER = "oncoboard"


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    """Check a username and password (argon2id); ``None`` if wrong or the user is disabled.

    Every attempt is audited (``login``, outcome ``ok`` or ``denied``). Unknown users take as
    long as known ones.
    """
    user = store.get_user(username) if len(username) <= 64 else None
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and not user.disabled
    store.record_login(username[:64], ok)
    if not ok or user is None:
        return None
    return Principal(user.username, Role(user.role))


def issue_session_token(settings: Settings, principal: Principal) -> str:
    """A signed session token (JWT HS256 with ``sub``, ``role``, ``iat``, ``exp``, ``jti``)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": principal.username,
        "role": principal.role.value,
        "iat": now,
        "exp": now + timedelta(minutes=settings.session_minutes),
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def decode_session_token(settings: Settings, token: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired session token, else ``None``."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "jti"]},
        )
    except jwt.PyJWTError:
        return None
    return claims


def _unauthorized() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "not authenticated: send a bearer token or log in",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _principal_of(user: UserInfo | None) -> Principal:
    if user is None or user.disabled:
        raise _unauthorized()
    return Principal(user.username, Role(user.role))


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated user of the request (401 if there is none)."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if header and scheme.lower() == "bearer" and credential:
        credential = credential.strip()
        if credential.startswith(TOKEN_PREFIX):
            return _principal_of(store.resolve_api_token(credential))
    elif header:
        raise _unauthorized()
    else:
        credential = request.cookies.get(SESSION_COOKIE, "")
    claims = decode_session_token(settings, credential) if credential else None
    if claims is None:
        raise _unauthorized()
    return _principal_of(store.get_user(str(claims["sub"])))


async def principal(request: Request) -> Principal:
    """FastAPI dependency: :func:`current_principal`, run on the event loop.

    Its reads are one primary-key or unique-index look-up (well under a millisecond), which
    costs less than handing the request to a worker thread and back, and avoids the GIL
    convoy of many threads under load.
    """
    return current_principal(request)


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency factory: the principal if their role is one of ``roles``, else 403
    (audited: ``access``/``denied`` with the actor, the patient named and the route)."""
    allowed = frozenset(roles)

    async def dependency(
        request: Request, user: Annotated[Principal, Depends(principal)]
    ) -> Principal:
        if user.role not in allowed:
            template = route_template(request.scope)
            patient_id = request.path_params.get("patient_id")
            store_for(request, user).record_denied(patient_id, f"{request.method} {template}")
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {names}")
        return user

    dependency.__name__ = f"require_{'_'.join(sorted(r.value for r in allowed))}"
    return dependency


def store_for(request: Request, principal: Principal) -> Store:
    """The app's store recording ``principal``'s username as the audit actor."""
    store: Store = request.app.state.store
    return store.as_actor(principal.username)
