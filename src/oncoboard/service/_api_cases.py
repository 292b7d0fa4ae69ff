"""Routes on patients' cases (clinicians only): upload, validate, read and derive."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from oncoboard.cli._console import DISCLAIMER
from oncoboard.errors import CaseFileError, CaseNotFoundError
from oncoboard.service._schemas import (
    CaseOut,
    ImportOut,
    PatientOut,
    PatientsOut,
    ProblemsOut,
    ValidateOut,
    VersionOut,
    VersionsOut,
)
from oncoboard.service._users import Principal, Role
from oncoboard.service.auth import require_role, store_for
from oncoboard.service.findings import CaseFindings, case_findings, peek
from oncoboard.store import ReadAction, Store, StoredCase, VersionRead, document_sha256

if TYPE_CHECKING:
    from oncoboard.model import Case

__all__ = ["router"]

router = APIRouter(tags=["cases"])
Clinician = Annotated[Principal, Depends(require_role(Role.CLINICIAN))]
VersionQuery = Annotated[int | None, Query(ge=1, description="Version (default: latest).")]
AsOfQuery = Annotated[dt.date | None, Query(description="Only what was known on this date.")]
Responses = dict[int | str, dict[str, Any]]
_PROBLEMS: Responses = {422: {"model": ProblemsOut, "description": "Invalid case file"}}
_NOT_FOUND: Responses = {404: {"description": "No such patient or version"}}
_JSON_TYPES = {"application/json"}
_YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


async def _clinician_store(request: Request, principal: Clinician) -> Store:
    return store_for(request, principal)  # async: no I/O, so no thread hop


ClinicianStore = Annotated[Store, Depends(_clinician_store)]


def _problems(exc: CaseFileError) -> JSONResponse:
    detail = [
        {
            "loc": [int(p) if p.isdigit() else p for p in problem.path.split(".") if p],
            "msg": problem.message,
            "line": problem.line,
        }
        for problem in exc.problems
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _upload(request: Request) -> tuple[str, str, Literal["yaml", "json"]]:
    """The uploaded text, its name and format: a multipart ``file`` or the raw body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()  # bounded by the service middleware (413 above the limit)
    if media == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise HTTPException(422, "multipart upload needs a 'file' part")
            name = upload.filename or "upload"
            raw = await upload.read()
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        fmt: Literal["yaml", "json"] | None = (
            "json" if suffix == "json" else "yaml" if suffix in ("yaml", "yml") else None
        )
        media = (upload.content_type or "").split(";")[0].strip().lower()
    else:
        raw, name, fmt = body, "", None
    if fmt is None:
        fmt = "json" if media in _JSON_TYPES else "yaml" if media in _YAML_TYPES else None
    if fmt is None:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "send application/json or application/yaml, or a .yaml/.yml/.json file",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(422, f"the upload is not UTF-8 text (byte {exc.start})") from exc
    return text, name or f"upload.{fmt}", fmt


async def _parse(request: Request) -> tuple[Case, str, str, Literal["yaml", "json"]]:
    from oncoboard.io import parse_case, parse_text

    text, name, fmt = await _upload(request)
    case = await run_in_threadpool(lambda: parse_case(parse_text(text, name, fmt)))
    return case, text, name, fmt


@router.post(
    "/cases",
    response_model=ImportOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ImportOut, "description": "New version or unchanged"}, **_PROBLEMS},
)
async def upload_case(request: Request, store: ClinicianStore, response: Response) -> Any:
    """Validate and store a case file (YAML or JSON body, or a multipart ``file``).

    201 when the patient is new, 200 with ``outcome`` ``new_version`` or ``unchanged``.
    """
    from oncoboard.io import canonical_document

    try:
        case, text, name, fmt = await _parse(request)
    except CaseFileError as exc:
        return _problems(exc)
    result = await run_in_threadpool(
        store.import_document,
        case.patient.id,
        canonical_document(case),
        source_name=name,
        source_format=fmt,
        source_text=text,
    )
    if result.outcome != "created":
        response.status_code = status.HTTP_200_OK
    return ImportOut(
        patient_id=result.patient_id,
        version=result.version,
        outcome=result.outcome,
        sha256=result.sha256,
    )


@router.post("/cases/validate", response_model=ValidateOut, responses=_PROBLEMS)
async def validate_case(request: Request, principal: Clinician) -> Any:
    """Validate a case file like ``POST /cases`` without storing anything."""
    try:
        case, _text, _name, fmt = await _parse(request)
    except CaseFileError as exc:
        return _problems(exc)
    return ValidateOut(patient_id=case.patient.id, format=fmt)


@router.get("/patients", response_model=PatientsOut)
def list_patients(store: ClinicianStore) -> PatientsOut:
    """Every patient: subtype, line of therapy, current regimen and number of alerts."""
    rows = []
    for patient in store.list_patients():
        findings = case_findings(patient.document, document_sha256(patient.document))
        summary = findings.summary
        rows.append(
            PatientOut(
                patient_id=patient.patient_id,
                version=patient.latest_version,
                n_versions=patient.n_versions,
                updated_at=patient.updated_at,
                subtype=summary.subtype.subtype.value,
                subtype_label=summary.subtype.label,
                line=summary.line.number,
                current_regimen=summary.current_regimen,
                n_alerts=findings.n_alerts,
            )
        )
    return PatientsOut(disclaimer=DISCLAIMER, patients=rows)


def _read(store: Store, patient_id: str, version: int | None, action: ReadAction) -> StoredCase:
    try:
        return store.get(patient_id, version, action=action)
    except CaseNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.get("/patients/{patient_id}", response_model=CaseOut, responses=_NOT_FOUND)
def get_patient(patient_id: str, store: ClinicianStore, version: VersionQuery = None) -> CaseOut:
    """One version of a patient's case (default the latest) with its derived summary."""
    stored = _read(store, patient_id, version, "show")
    findings = case_findings(stored.document, stored.sha256)
    return CaseOut(
        disclaimer=DISCLAIMER,
        patient_id=stored.patient_id,
        version=stored.version,
        imported_at=stored.imported_at,
        sha256=stored.sha256,
        source_name=stored.source_name,
        source_format=stored.source_format,
        derived=findings.summary.to_json(),
        case=stored.document,
    )


@router.get("/patients/{patient_id}/versions", response_model=VersionsOut, responses=_NOT_FOUND)
def list_versions(patient_id: str, store: ClinicianStore) -> VersionsOut:
    """Every stored version of a patient's case, oldest first."""
    try:
        infos = store.versions(patient_id, action="versions")
    except CaseNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    return VersionsOut(
        patient_id=patient_id,
        versions=[
            VersionOut(
                version=v.version,
                sha256=v.sha256,
                source_name=v.source_name,
                source_format=v.source_format,
                imported_at=v.imported_at,
            )
            for v in infos
        ],
    )


def _findings(
    store: Store,
    patient_id: str,
    version: int | None,
    as_of: dt.date | None,
    action: ReadAction,
) -> tuple[VersionRead, CaseFindings]:
    """Read a version (its document only when its derivations are not cached), audited."""
    held: list[CaseFindings] = []

    def have(sha256: str) -> bool:
        entry = peek(sha256, as_of)
        if entry is not None:
            held.append(entry)
        return entry is not None

    try:
        read = store.read_version(patient_id, version, action=action, have=have)
    except CaseNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    if held:
        return read, held[0]
    assert read.document is not None  # not held, so read
    return read, case_findings(read.document, read.sha256, as_of)


async def _derive(findings: CaseFindings, attribute: str) -> bytes:
    """A derived JSON: from the cache, or computed in a worker thread (tens of ms of CPU)."""
    if attribute in vars(findings):
        cached: bytes = vars(findings)[attribute]
        return cached
    computed: bytes = await run_in_threadpool(getattr, findings, attribute)
    return computed


def _derived(stored: VersionRead, as_of: dt.date | None, key: str, payload: bytes) -> Response:
    head = {
        "disclaimer": DISCLAIMER,
        "patient_id": stored.patient_id,
        "version": stored.version,
        "sha256": stored.sha256,
        "as_of": as_of.isoformat() if as_of else None,
    }
    prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    body = b"".join((prefix.encode("utf-8"), b',"', key.encode(), b'":', payload, b"}"))
    return Response(body, media_type="application/json")


_DERIVED_DOC: Responses = {
    200: {"description": "disclaimer, patient_id, version, sha256, as_of and the result"}
}


@router.get("/patients/{patient_id}/findings", responses={**_DERIVED_DOC, **_NOT_FOUND})
async def get_findings(
    patient_id: str, store: ClinicianStore, version: VersionQuery = None, as_of: AsOfQuery = None
) -> Response:
    """Summary and genomic findings (levels, tiers, evidence, testing suggestions)."""
    stored, findings = _findings(store, patient_id, version, as_of, "findings")
    return _derived(stored, as_of, "findings", await _derive(findings, "findings_json"))


@router.get("/patients/{patient_id}/plan", responses={**_DERIVED_DOC, **_NOT_FOUND})
async def get_plan(
    patient_id: str, store: ClinicianStore, version: VersionQuery = None, as_of: AsOfQuery = None
) -> Response:
    """Ranked, cited treatment options, excluded options and why (``?as_of=`` to replay)."""
    stored, findings = _findings(store, patient_id, version, as_of, "plan")
    return _derived(stored, as_of, "plan", await _derive(findings, "plan_json"))


@router.get("/patients/{patient_id}/monitor", responses={**_DERIVED_DOC, **_NOT_FOUND})
async def get_monitoring(
    patient_id: str, store: ClinicianStore, version: VersionQuery = None, as_of: AsOfQuery = None
) -> Response:
    """Response (RECIST, iRECIST, PERCIST, RANO-BM), ctDNA, emergent alterations, alerts."""
    stored, findings = _findings(store, patient_id, version, as_of, "monitor")
    return _derived(stored, as_of, "monitoring", await _derive(findings, "monitoring_json"))


def _filename(stored: VersionRead, suffix: str) -> str:
    return f"oncoboard-{_SAFE_NAME.sub('_', stored.patient_id)}-v{stored.version}.{suffix}"


@router.get("/patients/{patient_id}/report.html", response_class=HTMLResponse, responses=_NOT_FOUND)
def get_report_html(
    patient_id: str, store: ClinicianStore, version: VersionQuery = None, as_of: AsOfQuery = None
) -> HTMLResponse:
    """The tumor-board report as one self-contained HTML document."""
    from oncoboard.report import render_html

    stored, findings = _findings(store, patient_id, version, as_of, "report")
    html = render_html(findings.board)
    disposition = f'inline; filename="{_filename(stored, "html")}"'
    return HTMLResponse(html, headers={"Content-Disposition": disposition})


@router.get(
    "/patients/{patient_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **_NOT_FOUND},
)
def get_report_pdf(
    patient_id: str, store: ClinicianStore, version: VersionQuery = None, as_of: AsOfQuery = None
) -> Response:
    """The tumor-board report as PDF."""
    from oncoboard.report import render_pdf

    stored, findings = _findings(store, patient_id, version, as_of, "report")
    pdf = render_pdf(findings.board)
    disposition = f'attachment; filename="{_filename(stored, "pdf")}"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
