"""ASGI middleware: security headers, request-size limit and an access log without patient data.

The access log names the route *template* (``/api/v1/patients/{patient_id}/plan``), never
the requested path, so no patient id reaches the logs; uvicorn's own access log is turned
off by ``oncoboard serve``. Unhandled errors are logged by type and route only (their
messages may name patients) and answered with a plain 500.
"""

from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import Mount

__all__ = ["ACCESS_LOGGER", "ServiceMiddleware", "route_template"]

ACCESS_LOGGER = "oncoboard.access"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_access = logging.getLogger(ACCESS_LOGGER)
_errors = logging.getLogger("oncoboard.service")

_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
_PAGE_CSP = b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
# Static files and the API description hold no patient data; everything else may.
_CACHEABLE = ("/static/", "/api/openapi.json", "/api/docs")
_PREFIXES = frozenset({"", "/api/v1"})


class _BodyTooLargeError(Exception):
    pass


def _error_response(path: str, status: int, detail: str) -> tuple[Message, Message]:
    """JSON ``{"detail": ...}`` for the API, a small HTML page for the web UI."""
    if path.startswith("/api/"):
        body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
    else:
        text = html.escape(detail)
        body = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status}</title>'
            f'</head><body><h1>{status}</h1><p>{text}</p><p><a href="/">Back to the start page'
            "</a></p></body></html>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", kind), (b"content-length", b"%d" % len(body))],
    }
    return start, {"type": "http.response.body", "body": body}


class ServiceMiddleware:
    """Headers, body limit, redacted access log and last-resort error handling."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        started = time.perf_counter()
        status_holder = [0]
        extra = list(_COMMON_HEADERS)
        extra.append(
            (b"content-security-policy", _API_CSP if path.startswith("/api/") else _PAGE_CSP)
        )
        if not path.startswith(_CACHEABLE):
            extra.append((b"cache-control", b"no-store"))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in extra if k not in names),
                ]
            await send(message)

        try:
            await self._limited(scope, receive, send_wrapper)
        except _BodyTooLargeError:
            if not status_holder[0]:
                for message in _error_response(path, 413, self._too_large()):
                    await send_wrapper(message)
        except Exception as exc:
            _errors.error(
                "unhandled %s on %s %s", type(exc).__name__, scope["method"], route_template(scope)
            )
            if not status_holder[0]:
                for message in _error_response(path, 500, "internal error"):
                    await send_wrapper(message)
        finally:
            _access.info(
                '"%s %s" %d %.1fms',
                scope["method"],
                route_template(scope),
                status_holder[0],
                (time.perf_counter() - started) * 1000,
            )

    def _too_large(self) -> str:
        return f"request body larger than {self.max_body} bytes"

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            raise _BodyTooLargeError
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _BodyTooLargeError
            return message

        await self.app(scope, limited_receive, send)


def route_template(scope: Scope) -> str:
    """The matched route's template, or a placeholder: never the requested path.

    Routes of an included router know their template without the router's prefix; the
    prefix is the part of the path before what the route's pattern matches, and is logged
    only when it is one of the service's fixed prefixes.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    regex = getattr(route, "path_regex", None)
    path: str = scope.get("path", "")
    if not isinstance(template, str) or regex is None:
        return path if path.startswith("/static/") else "<unmatched>"
    if isinstance(route, Mount):
        return template
    for start in range(len(path)):
        if path[start] == "/" and regex.match(path[start:]):
            prefix = path[:start]
            return prefix + template if prefix in _PREFIXES else template
    return template
