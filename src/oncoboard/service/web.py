"""The server-rendered web UI: login, patient list, tumor-board page, upload and cohort.

Every page but ``/login`` needs a logged-in user (else a redirect to ``/login?next=...``)
with the right role (else a 403 page): clinicians see patients and upload cases; analysts
see only the de-identified cohort; admins see the users and the cohort. Every form POST
carries a double-submit CSRF token and is refused (403) without it or from another origin.
Reads go through the store with the user as audit actor. Pages are Jinja2 templates with
autoescape on; the tumor-board body is the report fragment of :mod:`oncoboard.report`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from oncoboard.service import auth
from oncoboard.service._users import Principal, Role
from oncoboard.service._web_support import (
    FLASH_COOKIE,
    bar_chart,
    check_csrf,
    current_or_none,
    error_page,
    gate,
    render,
    safe_next,
    settings_of,
)

if TYPE_CHECKING:
    from oncoboard.errors import Problem
    from oncoboard.service.findings import CaseFindings
    from oncoboard.store import Store

__all__ = ["install_error_pages", "router"]

router = APIRouter(include_in_schema=False)

SECTIONS_CACHE_SIZE = 32
"""Most rendered tumor-board fragments kept in memory (keyed like the findings cache)."""
_sections_lock = threading.Lock()
_sections_cache: OrderedDict[tuple[str, dt.date | None, str], Markup] = OrderedDict()

_FLASH = {
    "created": "Case created (version {version}).",
    "new_version": "New version {version} stored.",
    "unchanged": "Case unchanged: identical to the stored version {version}.",
}


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _forbidden_csrf(request: Request) -> HTMLResponse:
    message = "The form expired or came from another site. Reload the page and try again."
    return error_page(request, 403, message, principal=current_or_none(request))


# --------------------------------------------------------------------------- login / logout


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form (an already logged-in user goes straight on)."""
    target = safe_next(next)
    if current_or_none(request) is not None:
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    return render(request, "login.html", {"next": target, "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the credentials; set the session cookie and go to ``next`` (a local path)."""
    async with request.form(max_files=0, max_fields=8) as form:
        if not check_csrf(request, form):
            return _forbidden_csrf(request)
        username, password = form.get("username"), form.get("password")
        target = safe_next(str(form.get("next") or "/"))
    principal = None
    if isinstance(username, str) and isinstance(password, str) and username and password:
        # argon2 and the database are blocking: off the event loop.
        store = _store(request)
        principal = await run_in_threadpool(auth.authenticate, store, username, password)
    if principal is None:
        context = {
            "next": target,
            "error": "Wrong username or password, or the account is disabled.",
            "username": username if isinstance(username, str) else "",
        }
        return render(request, "login.html", context, status_code=401)
    settings = settings_of(request)
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        auth.SESSION_COOKIE,
        auth.issue_session_token(settings, principal),
        max_age=settings.session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the browser session (the session cookie is removed)."""
    async with request.form(max_files=0, max_fields=8) as form:
        if not check_csrf(request, form):
            return _forbidden_csrf(request)
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# --------------------------------------------------------------------------- home


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Clinicians: the patient list; analysts: the cohort; admins: the users."""
    principal = gate(request, Role.CLINICIAN, Role.ANALYST, Role.ADMIN)
    if isinstance(principal, Response):
        return principal
    if principal.role is Role.ANALYST:
        return RedirectResponse("/cohort", status.HTTP_303_SEE_OTHER)
    if principal.role is Role.ADMIN:
        users = auth.store_for(request, principal).list_users()
        return render(request, "users.html", {"users": users}, principal=principal)
    from oncoboard.service.findings import case_findings
    from oncoboard.store import document_sha256

    store = auth.store_for(request, principal)
    rows: list[dict[str, Any]] = []
    for patient in store.list_patients():
        findings = case_findings(patient.document, document_sha256(patient.document))
        summary = findings.summary
        rows.append(
            {
                "id": patient.patient_id,
                "version": patient.latest_version,
                "n_versions": patient.n_versions,
                "subtype": summary.subtype.label,
                "line": summary.line.number,
                "line_ongoing": summary.line.ongoing is not None,
                "regimen": summary.current_regimen,
                "n_alerts": findings.n_alerts,
                "synthetic": summary.synthetic,
            }
        )
    return render(request, "patients.html", {"rows": rows}, principal=principal)


# --------------------------------------------------------------------------- patient


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: str, version: str | None = None) -> Response:
    """The tumor-board view of one stored case version (audited as ``report``)."""
    principal = gate(request, Role.CLINICIAN)
    if isinstance(principal, Response):
        return principal
    from oncoboard.errors import CaseNotFoundError
    from oncoboard.report import REPORT_CSS
    from oncoboard.service.findings import case_findings

    if version is not None and not (version.isdigit() and len(version) < 10):
        return error_page(request, 404, "The version must be a number.", principal=principal)
    number = None if version is None else int(version)
    store = auth.store_for(request, principal)
    try:
        stored = store.get(patient_id, number, action="report")
        versions = store.versions(patient_id, action="versions")
    except CaseNotFoundError:
        message = f"No stored case for patient {patient_id!r}" + (
            f" in version {number}." if number is not None else "."
        )
        return error_page(request, 404, message, principal=principal)
    findings = case_findings(stored.document, stored.sha256)
    flash = _read_flash(request)
    context = {
        "stored": stored,
        "versions": versions,
        "summary": findings.summary,
        "notes": findings.full_case.notes,
        "n_alerts": findings.n_alerts,
        "report_css": Markup(REPORT_CSS),
        "sections": _sections(findings),
        "flash": flash,
        "latest": versions[-1].version,
    }
    response = render(request, "patient.html", context, principal=principal)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _sections(findings: CaseFindings) -> Markup:
    """The report fragment of a case version, rendered once (plots take a second)."""
    from oncoboard.report import render_sections
    from oncoboard.service.findings import knowledge_key

    key = (findings.sha256, findings.as_of, knowledge_key())
    with _sections_lock:
        cached = _sections_cache.get(key)
        if cached is not None:
            _sections_cache.move_to_end(key)
            return cached
    html = render_sections(findings.board)
    with _sections_lock:
        _sections_cache[key] = html
        while len(_sections_cache) > SECTIONS_CACHE_SIZE:
            _sections_cache.popitem(last=False)
    return html


def _read_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE, "")
    outcome, _, version = raw.partition(":")
    if outcome not in _FLASH or not version.isdigit():
        return None
    return _FLASH[outcome].format(version=int(version))


# --------------------------------------------------------------------------- upload


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    """The case upload form (YAML or JSON case file)."""
    principal = gate(request, Role.CLINICIAN)
    if isinstance(principal, Response):
        return principal
    context: dict[str, Any] = {"problems": [], "error": None, "filename": None}
    return render(request, "upload.html", context, principal=principal)


def _format_of(filename: str) -> Literal["yaml", "json"] | None:
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    return None


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request) -> Response:
    """Validate and import an uploaded case; errors are listed per field, nothing stored."""
    principal = await run_in_threadpool(gate, request, Role.CLINICIAN)
    if isinstance(principal, Response):
        return principal
    limit = settings_of(request).max_upload_bytes
    too_large = f"The upload is larger than the limit of {limit} bytes."
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + 64 * 1024:
        return error_page(request, 413, too_large, principal=principal)
    async with request.form(max_files=1, max_fields=8, max_part_size=limit + 1) as form:
        if not check_csrf(request, form):
            return _forbidden_csrf(request)
        upload = form.get("case_file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _upload_error(request, principal, "Choose a case file (.yaml, .yml or .json).")
        data = await upload.read(limit + 1)
        filename = upload.filename
    if len(data) > limit:
        return error_page(request, 413, too_large, principal=principal)
    # Validation and the database write are blocking: off the event loop.
    return await run_in_threadpool(_import_upload, request, principal, filename, data)


def _import_upload(request: Request, principal: Principal, filename: str, data: bytes) -> Response:
    """Validate an uploaded case file and store it; the form with its problems otherwise."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    fmt = _format_of(name)
    if fmt is None:
        return _upload_error(request, principal, f"{name!r} is not a .yaml, .yml or .json file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _upload_error(request, principal, f"{name!r} is not UTF-8 text.")
    from oncoboard.errors import CaseFileError
    from oncoboard.io import canonical_document, parse_case, parse_text

    try:
        case = parse_case(parse_text(text, name, fmt))
    except CaseFileError as exc:
        return _upload_error(request, principal, None, exc.problems, name)
    store = auth.store_for(request, principal)
    try:
        result = store.import_document(
            case.patient.id,
            canonical_document(case),
            source_name=name,
            source_format=fmt,
            source_text=text,
        )
    except ValueError as exc:
        return _upload_error(request, principal, f"{name!r} cannot be stored: {exc}")
    response = RedirectResponse(
        f"/patients/{_quote_path(result.patient_id)}", status.HTTP_303_SEE_OTHER
    )
    response.set_cookie(
        FLASH_COOKIE,
        f"{result.outcome}:{result.version}",
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookie_secure,
        path="/",
    )
    return response


def _quote_path(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _upload_error(
    request: Request,
    principal: Principal,
    error: str | None,
    problems: list[Problem] | None = None,
    filename: str | None = None,
) -> HTMLResponse:
    context: dict[str, Any] = {"problems": problems or [], "error": error, "filename": filename}
    return render(request, "upload.html", context, principal=principal, status_code=422)


# --------------------------------------------------------------------------- cohort


@router.get("/cohort", response_class=HTMLResponse)
def cohort(request: Request) -> Response:
    """The de-identified cohort: pseudonyms, subtype, line, age band, alerts, counts."""
    principal = gate(request, Role.ANALYST, Role.CLINICIAN, Role.ADMIN)
    if isinstance(principal, Response):
        return principal
    from oncoboard.service.cohort import cohort_view

    store = auth.store_for(request, principal)
    view = cohort_view(store, settings_of(request).secret_key.get_secret_value())
    context = {
        "view": view,
        "subtype_bars": bar_chart(view.by_subtype),
        "line_bars": bar_chart({f"line {k}": v for k, v in view.by_line.items()}),
    }
    return render(request, "cohort.html", context, principal=principal)


def install_error_pages(app: FastAPI, api_prefix: str = "/api/") -> None:
    """Answer errors outside ``api_prefix`` (unknown pages, wrong methods, bad query values)
    with an HTML page in the site layout; the API keeps FastAPI's JSON errors."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith(api_prefix) or exc.status_code < 400:
            return await http_exception_handler(request, exc)
        messages = {
            404: "There is no page at this address.",
            405: "This page does not take that request.",
        }
        message = messages.get(exc.status_code, "The request could not be served.")
        response = error_page(request, exc.status_code, message, principal=current_or_none(request))
        response.headers.update(exc.headers or {})
        return response

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if request.url.path.startswith(api_prefix):
            return await request_validation_exception_handler(request, exc)
        fields = sorted({str(error["loc"][-1]) for error in exc.errors() if error.get("loc")})
        message = "Invalid value for " + ", ".join(fields) + "." if fields else "Invalid request."
        return error_page(request, 400, message, principal=current_or_none(request))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
