"""Support of the web UI: templates, CSRF double-submit tokens, page access, redirects.

Kept apart from :mod:`oncoboard.service.web` (the routes) so each stays small. Nothing here
reads a file at import time; the Jinja2 environment is built on first use.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oncoboard._resources import html_templates
from oncoboard.cli._console import DISCLAIMER
from oncoboard.service import auth
from oncoboard.service._middleware import route_template
from oncoboard.service._users import Principal, Role

if TYPE_CHECKING:
    from jinja2 import Environment

    from oncoboard.service._settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "FLASH_COOKIE",
    "PAGE_CSP",
    "Bar",
    "bar_chart",
    "check_csrf",
    "csrf_token",
    "current_or_none",
    "error_page",
    "gate",
    "login_redirect",
    "render",
    "safe_next",
    "set_csrf_cookie",
    "settings_of",
]

CSRF_COOKIE = "oncoboard_csrf"
"""Double-submit CSRF token, readable by the page (not HttpOnly), SameSite=Strict."""
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "oncoboard_flash"
_CSRF_STATE = "oncoboard_csrf_token"
PAGE_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The pages run no script and load nothing but this site's stylesheet (inline SVG/CSS)."""


@cache
def _environment() -> Environment:
    env = html_templates("oncoboard.service")
    env.globals["disclaimer"] = DISCLAIMER
    env.globals["csrf_field"] = CSRF_FIELD
    return env


def settings_of(request: Request) -> Settings:
    """The settings of the running app."""
    settings: Settings = request.app.state.settings
    return settings


def csrf_token(request: Request) -> str:
    """This browser's CSRF token: the cookie's, or a new one (set by :func:`render`)."""
    token: str | None = getattr(request.state, _CSRF_STATE, None)
    if token is None:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        token = cookie if 32 <= len(cookie) <= 128 and cookie.isascii() else None
        token = token or secrets.token_urlsafe(32)
        setattr(request.state, _CSRF_STATE, token)
    return token


def _same_origin(request: Request) -> bool:
    """Whether the Origin (else the Referer) header, when sent, names this host."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc == host
    referer = request.headers.get("referer")
    if referer is not None:
        return urlsplit(referer).netloc == host
    return True


def check_csrf(request: Request, form: Mapping[str, Any]) -> bool:
    """Whether a form POST passes the CSRF checks.

    The hidden field must equal the CSRF cookie (compared in constant time) and the
    Origin/Referer, when present, must name this host.
    """
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get(CSRF_FIELD)
    if not cookie or not isinstance(field, str) or not field:
        return False
    same = hmac.compare_digest(cookie.encode("utf-8"), field.encode("utf-8"))
    return same and _same_origin(request)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie when the browser does not have this token yet."""
    token = csrf_token(request)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            httponly=False,
            samesite="strict",
            secure=settings_of(request).cookie_secure,
            path="/",
        )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page of the site layout (CSRF cookie set, never cached)."""
    values: dict[str, Any] = {
        "principal": principal,
        "csrf": csrf_token(request),
        "Role": Role,
        "path": request.url.path,
    }
    values.update(context or {})
    html = _environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    # The service's default "no-referrer" makes browsers send "Origin: null" on form POSTs,
    # which the CSRF check refuses; "same-origin" sends nothing to other sites either.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    set_csrf_cookie(request, response)
    return response


def error_page(
    request: Request, status_code: int, message: str, *, principal: Principal | None = None
) -> HTMLResponse:
    """An error page (403, 404, 413, ...) in the site layout."""
    titles = {
        400: "Bad request",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Upload too large",
    }
    context = {"code": status_code, "title": titles.get(status_code, "Error"), "message": message}
    return render(request, "error.html", context, principal=principal, status_code=status_code)


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a relative path on this site, else ``default`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(c in target for c in "\\\r\n\t") or not target.isprintable():
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """Send an unauthenticated browser to the login form, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status.HTTP_303_SEE_OTHER)


def gate(request: Request, *roles: Role) -> Principal | Response:
    """Check a page request: the service's :func:`~oncoboard.service.auth.current_principal`
    authenticates it, then the principal's role must be one of ``roles``.

    Returns the principal, or the response to send instead: a redirect to
    ``/login?next=...`` when nobody is logged in, a 403 page for another role. Fails closed
    (``TypeError``) if authentication ever returns something that is not a principal.
    """
    try:
        principal = auth.current_principal(request)
    except HTTPException as exc:
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            return login_redirect(request)
        raise
    if not isinstance(principal, Principal):
        raise TypeError(f"current_principal returned {type(principal).__name__}, not Principal")
    if principal.role not in roles:
        route = f"{request.method} {route_template(request.scope)}"
        auth.store_for(request, principal).record_denied(
            request.path_params.get("patient_id"), route
        )
        message = f"This page is not available to the role {principal.role.value!r}."
        return error_page(request, 403, message, principal=principal)
    return principal


def current_or_none(request: Request) -> Principal | None:
    """The logged-in principal, or ``None`` (for pages shown to anyone, like errors)."""
    try:
        return auth.current_principal(request)
    except HTTPException:
        return None


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of :func:`bar_chart` (coordinates in SVG user units)."""

    label: str
    count: int
    y: float
    width: float


def bar_chart(counts: Mapping[str, int], *, max_width: float = 330.0) -> list[Bar]:
    """Horizontal bars of ``counts`` (label → count), for the cohort page's inline SVG."""
    top = max(counts.values(), default=0) or 1
    return [
        Bar(label, count, 10.0 + i * 34.0, max(count / top * max_width, 2.0))
        for i, (label, count) in enumerate(counts.items())
    ]
