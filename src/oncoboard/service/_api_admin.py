"""Routes on identity and administration: login, ``me``, users, tokens, audit, cohort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from oncoboard.errors import StoreError
from oncoboard.service._schemas import (
    ApiTokenOut,
    AuditEventOut,
    IssuedTokenOut,
    MeOut,
    SessionTokenOut,
    TokenIn,
    UserIn,
    UserOut,
)
from oncoboard.service._settings import Settings
from oncoboard.service._users import Principal, Role, hash_password
from oncoboard.service.auth import (
    authenticate,
    issue_session_token,
    principal,
    require_role,
    store_for,
)
from oncoboard.store import ApiTokenInfo, Store, UserInfo

__all__ = ["router"]

router = APIRouter()
Anyone = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
CohortReader = Annotated[Principal, Depends(require_role(Role.ANALYST, Role.CLINICIAN, Role.ADMIN))]


def _admin_store(request: Request, principal: Admin) -> Store:
    return store_for(request, principal)


AdminStore = Annotated[Store, Depends(_admin_store)]


def _user_out(user: UserInfo) -> UserOut:
    return UserOut(
        username=user.username,
        role=Role(user.role),
        disabled=user.disabled,
        created_at=user.created_at,
    )


def _token_out(info: ApiTokenInfo) -> ApiTokenOut:
    return ApiTokenOut(
        id=info.id,
        username=info.username,
        label=info.label,
        created_at=info.created_at,
        expires_at=info.expires_at,
        revoked_at=info.revoked_at,
    )


@router.post(
    "/auth/token",
    response_model=SessionTokenOut,
    tags=["auth"],
    responses={401: {"description": "Wrong username or password, or user disabled"}},
)
def login(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> SessionTokenOut:
    """OAuth2 password flow: exchange a username and password for a session token (JWT)."""
    settings: Settings = request.app.state.settings
    principal = authenticate(request.app.state.store, form.username, form.password)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = issue_session_token(settings, principal)
    return SessionTokenOut(access_token=token, expires_in=settings.session_minutes * 60)


@router.get("/me", response_model=MeOut, tags=["auth"])
async def me(user: Anyone) -> MeOut:
    """The authenticated user and their role."""
    return MeOut(username=user.username, role=user.role)


@router.get("/cohort", tags=["cohort"])
def cohort(request: Request, principal: CohortReader) -> dict[str, Any]:
    """The de-identified cohort (pseudonyms, subtype, line, age band, alerts, counts)."""
    from oncoboard.service.cohort import cohort_view

    settings: Settings = request.app.state.settings
    view = cohort_view(store_for(request, principal), settings.secret_key.get_secret_value())
    return view.to_json()


@router.get("/audit", response_model=list[AuditEventOut], tags=["admin"])
def audit(
    store: AdminStore, limit: Annotated[int, Query(ge=1, le=10_000)] = 100
) -> list[AuditEventOut]:
    """The newest audit events, newest first."""
    return [
        AuditEventOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            patient_id=e.patient_id,
            version=e.version,
            outcome=e.outcome,
            subject=e.subject,
        )
        for e in store.audit_events(limit)
    ]


@router.get("/users", response_model=list[UserOut], tags=["admin"])
def list_users(store: AdminStore) -> list[UserOut]:
    """Every user."""
    return [_user_out(u) for u in store.list_users()]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, tags=["admin"])
def add_user(user: UserIn, store: AdminStore) -> UserOut:
    """Add a user (409 if the name is taken)."""
    if store.get_user(user.username) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"user {user.username!r} already exists")
    try:
        created = store.create_user(user.username, user.role.value, hash_password(user.password))
    except StoreError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _user_out(created)


def _set_disabled(store: Store, username: str, disabled: bool) -> UserOut:
    user = store.set_disabled(username, disabled)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    return _user_out(user)


@router.post("/users/{username}/disable", response_model=UserOut, tags=["admin"])
def disable_user(username: str, store: AdminStore) -> UserOut:
    """Disable a user: they cannot log in and none of their tokens works any more."""
    return _set_disabled(store, username, True)


@router.post("/users/{username}/enable", response_model=UserOut, tags=["admin"])
def enable_user(username: str, store: AdminStore) -> UserOut:
    """Enable a disabled user again."""
    return _set_disabled(store, username, False)


@router.get("/users/{username}/tokens", response_model=list[ApiTokenOut], tags=["admin"])
def list_tokens(username: str, store: AdminStore) -> list[ApiTokenOut]:
    """A user's API tokens (metadata only)."""
    return [_token_out(t) for t in store.list_api_tokens(username)]


@router.post(
    "/users/{username}/tokens",
    response_model=IssuedTokenOut,
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
)
def issue_token(username: str, body: TokenIn, store: AdminStore) -> IssuedTokenOut:
    """Issue an API token; the token is in this answer only (it is stored as a hash)."""
    if store.get_user(username) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    expires = datetime.now(UTC) + timedelta(days=body.days) if body.days else None
    info, token = store.create_api_token(username, label=body.label, expires_at=expires)
    return IssuedTokenOut(**_token_out(info).model_dump(), token=token)


@router.delete("/tokens/{token_id}", response_model=ApiTokenOut, tags=["admin"])
def revoke_token(token_id: int, store: AdminStore) -> ApiTokenOut:
    """Revoke an API token."""
    info = store.revoke_api_token(token_id)
    if info is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no token {token_id}")
    return _token_out(info)
