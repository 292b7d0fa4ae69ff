"""FHIR R4 Bundle → case (mCODE STU4 and earlier mCODE profiles, recognised by their codes).

Reading never invents data: a marker, site or drug that is not in the bundle stays absent, and
every resource that does not reach the case is reported in :attr:`FhirImport.skipped` with its
type, id and the reason. Where the import had to assume something (a date from
``recordedDate``, the model default for an element mCODE does not carry), it says so in
:attr:`FhirImport.notes`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from oncoboard.errors import CaseFileError, Problem
from oncoboard.io.fhir._codes import DISEASE_STATUS
from oncoboard.io.fhir._context import Context, ImportNote, Skipped, has_code, label
from oncoboard.io.fhir._json import Json, codings, effective_date, text_of
from oncoboard.io.fhir._read_clinical import (
    is_secondary,
    read_markers,
    read_patient,
    read_performance,
    read_primary,
    read_receptors,
    read_secondaries,
)
from oncoboard.io.fhir._read_genomics import read_genomics
from oncoboard.io.fhir._read_stage import stage_value, staging_part
from oncoboard.io.fhir._read_therapy import (
    read_adverse_events,
    read_local_therapies,
    read_treatments,
)
from oncoboard.io.fhir._validate import entry_problems, shell_problems
from oncoboard.model import Case

__all__ = ["FhirImport", "ImportNote", "Skipped", "is_fhir_bundle", "read_fhir_bundle"]


@dataclass(frozen=True, slots=True)
class FhirImport:
    """Result of reading a bundle: the case, what was left out and what was assumed."""

    case: Case
    skipped: tuple[Skipped, ...]
    notes: tuple[ImportNote, ...]


def is_fhir_bundle(data: object) -> bool:
    """True for a parsed JSON object with ``"resourceType": "Bundle"``."""
    return isinstance(data, Mapping) and data.get("resourceType") == "Bundle"


def _load(source: Path | str | Mapping[str, Any], name: str | None) -> tuple[Json, str]:
    if isinstance(source, Mapping):
        return dict(source), name or "<bundle>"
    label_ = name or str(source)
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(label_, [Problem(label_, None, "", str(exc))]) from exc
    try:
        return json.loads(text), label_
    except json.JSONDecodeError as exc:
        problem = Problem(label_, exc.lineno, "", f"invalid JSON: {exc.msg}")
        raise CaseFileError(label_, [problem]) from exc


Entry = tuple[int, Json, str | None]  # entry index, resource, fullUrl


def _entries(
    data: Json, name: str, skip_invalid: bool
) -> tuple[list[Entry], list[tuple[int, Json, str]], list[str]]:
    """Valid entries; invalid ones (with the reason) when skipping; Bundle-level problems."""
    if not is_fhir_bundle(data):
        kind = data.get("resourceType") if isinstance(data, Mapping) else type(data).__name__
        message = f"expected a FHIR Bundle (resourceType 'Bundle'), got {kind!r}"
        raise CaseFileError(name, [Problem(name, None, "resourceType", message)])
    problems: list[Problem] = []
    shell = shell_problems(data)
    if not skip_invalid:
        problems += [Problem(name, None, path, msg) for path, msg in shell]
    valid: list[Entry] = []
    invalid: list[tuple[int, Json, str]] = []
    for index, entry in enumerate(data.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resource is None:
            continue  # a transaction entry without a resource (e.g. DELETE) carries no data
        found = entry_problems(resource, index)
        if not found:
            valid.append((index, resource, entry.get("fullUrl")))
            continue
        if skip_invalid and isinstance(resource, dict):
            invalid.append((index, resource, "; ".join(f"{p}: {m}" for p, m in found)))
            continue
        where = label(resource) if isinstance(resource, dict) else f"entry {index}"
        problems += [Problem(name, None, path, f"{where}: {msg}") for path, msg in found]
    if problems:
        raise CaseFileError(name, problems)
    return valid, invalid, [f"{path}: {msg}" for path, msg in shell]


def _deduplicated(entries: list[Entry]) -> tuple[list[Entry], list[tuple[Json, str]]]:
    seen: dict[tuple[str, str], int] = {}
    kept: list[Entry] = []
    duplicates: list[tuple[Json, str]] = []
    for index, resource, full_url in entries:
        key = (str(resource.get("resourceType")), str(resource.get("id")))
        if resource.get("id") and key in seen:
            duplicates.append((resource, f"duplicate of entry {seen[key]} (same type and id)"))
            continue
        seen.setdefault(key, index)
        kept.append((index, resource, full_url))
    return kept, duplicates


def read_fhir_bundle(
    source: Path | str | Mapping[str, Any],
    *,
    assume_date: dt.date | None = None,
    skip_invalid: bool = False,
    name: str | None = None,
) -> FhirImport:
    """Read a FHIR R4 Bundle (mCODE) into a :class:`~oncoboard.model.Case`.

    Parameters
    ----------
    source
        Path of a JSON file, or the parsed Bundle.
    assume_date
        Date given to resources that carry no date of their own (the case model requires dates);
        every use is listed in ``notes``. Without it such resources are skipped, and an undated
        primary cancer condition is an error.
    skip_invalid
        Report resources that fail FHIR R4 validation as skipped (and Bundle-level problems as
        notes) instead of raising.
    name
        Name used in messages (default: the path).

    Returns
    -------
    FhirImport
        The case, the skipped resources and the import notes.

    Raises
    ------
    CaseFileError
        Not JSON, not a Bundle, an invalid resource (unless ``skip_invalid``), no or several
        Patients, no primary breast cancer condition, or a case that fails validation; each
        problem names the file, the entry and resource, and the field.
    """
    data, name = _load(source, name)
    valid, invalid, shell = _entries(data, name, skip_invalid)
    valid, duplicates = _deduplicated(valid)
    ctx = Context(name, valid, assume_date)
    for _, resource, reason in invalid:
        ctx.skipped.append(
            Skipped(
                str(resource.get("resourceType")),
                resource.get("id"),
                f"invalid FHIR R4 resource: {reason}",
            )
        )
    for resource, reason in duplicates:
        ctx.skipped.append(Skipped(str(resource.get("resourceType")), resource.get("id"), reason))
    for problem in shell:
        ctx.note(None, f"ignored Bundle-level problem: {problem}")
    case = _assemble(ctx, data)
    for resource in ctx.resources:
        if not ctx.done(resource):
            ctx.skip(resource, _unmapped(resource))
    return FhirImport(case, tuple(ctx.skipped), tuple(ctx.notes))


def _unmapped(resource: Json) -> str:
    kind = resource.get("resourceType")
    code = resource.get("code") if isinstance(resource.get("code"), dict) else None
    what = f"{kind}"
    if code is not None:
        found = [f"{s.rsplit('/', 1)[-1]} {c}" for s, c, _ in codings(code) if c]
        what += f" with code {', '.join(found) or text_of(code)!r}"
    if kind == "Observation" and has_code(resource, "code", {DISEASE_STATUS}):
        return (
            "CancerDiseaseStatus not linked to a treatment line (basedOn a "
            "MedicationRequest); the case model records response per line"
        )
    return f"{what} is not mapped to the case model (see docs/interop.md)"


def _metastatic(ctx: Context, stage: dict[str, Any]) -> bool:
    """Whether the bundle documents metastatic disease (imported or not)."""
    if stage.get("m") == "M1" or stage.get("group") == "IV":
        return True
    for resource in ctx.resources:
        kind = resource.get("resourceType")
        if kind == "Condition" and is_secondary(resource):
            return True
        part = staging_part(resource) if kind == "Observation" else None
        token = stage_value(resource, part[0]) if part is not None else None
        if token is not None and token[0] in ("M1", "IV"):
            return True
    return False


def _subject_check(ctx: Context, patient_id: str) -> None:
    """Skip resources about another patient than the bundle's."""
    refs = _patient_refs(ctx)
    for resource in ctx.resources:
        if ctx.done(resource):
            continue
        subject = resource.get("subject") or resource.get("patient")
        ref = subject.get("reference") if isinstance(subject, dict) else None
        if ref and ref not in refs and ctx.resolve(ref) is None:
            ctx.skip(resource, f"subject {ref!r} is not the bundle's patient {patient_id!r}")


def _patient_refs(ctx: Context) -> set[str]:
    out: set[str] = set()
    for resource in ctx.resources:
        if resource.get("resourceType") == "Patient" and resource.get("id"):
            out |= {f"Patient/{resource['id']}", f"urn:uuid:{resource['id']}"}
    return out


def _assemble(ctx: Context, data: Json) -> Case:
    patient = read_patient(ctx)
    _subject_check(ctx, patient["id"])
    primary, _ = read_primary(ctx)
    metastatic = _metastatic(ctx, primary.get("stage") or {})
    sites = read_secondaries(ctx)
    document: dict[str, Any] = {
        "schema_version": "1",
        "patient": patient,
        "primary_diagnosis": primary,
        "metastatic_sites": sites,
        "receptors": read_receptors(ctx),
        "performance_status": read_performance(ctx),
        "tumor_markers": read_markers(ctx),
        "genomic_reports": read_genomics(ctx),
        "treatments": read_treatments(ctx, metastatic),
        "local_therapies": read_local_therapies(ctx),
        "adverse_events": read_adverse_events(ctx),
    }
    security = (data.get("meta") or {}).get("security") or []
    if any(s.get("code") == "HTEST" for s in security):
        document["synthetic"] = True
    as_of = effective_date(data, "timestamp")
    if as_of is not None:
        document["as_of"] = as_of
    if document["receptors"]:
        ctx.note(
            None,
            "receptor specimen origin (primary/metastasis) is not carried by mCODE; "
            "receptor tests are recorded with the model default 'primary'",
        )
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        problems = [
            Problem(
                ctx.name,
                None,
                ".".join(str(p) for p in e["loc"]),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise CaseFileError(ctx.name, problems) from exc
