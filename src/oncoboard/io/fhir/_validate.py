"""Structural validation of FHIR R4 JSON with ``fhir.resources`` (its R4B models).

R4B (4.3.0) is wire-compatible with R4 (4.0.1) for every resource this package reads or writes
(Patient, Condition, Observation, DiagnosticReport, Specimen, MedicationRequest,
MedicationStatement, MedicationAdministration, Procedure, BodyStructure, AdverseEvent, Bundle):
see docs/interop.md. fhir.resources 8 has no R4 package; its top level is R5.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from oncoboard.errors import CaseFileError, Problem
from oncoboard.io.fhir._json import Json

__all__ = ["FHIR_VERSION", "check_bundle", "entry_problems", "shell_problems"]

FHIR_VERSION = "R4 (4.0.1), validated with fhir.resources R4B models"


def _messages(exc: ValidationError, prefix: str) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        path = f"{prefix}.{loc}" if loc else prefix
        message = error["msg"].removeprefix("Value error, ")
        value = error.get("input")
        if error["type"] != "missing" and not isinstance(value, dict | list):
            message = f"{message} (got {value!r})"
        out.append((path, message))
    return out


def shell_problems(data: Json) -> list[tuple[str, str]]:
    """Problems of the Bundle itself (everything but its entries' resources)."""
    shell = {key: value for key, value in data.items() if key != "entry"}
    shell["entry"] = [
        {k: v for k, v in entry.items() if k != "resource"} if isinstance(entry, dict) else entry
        for entry in data.get("entry") or []
    ]
    try:
        Bundle.model_validate(shell)
    except ValidationError as exc:
        return _messages(exc, "Bundle")
    return []


def entry_problems(resource: Any, index: int) -> list[tuple[str, str]]:
    """Problems of the resource of entry ``index`` (path ``entry.N.resource.field``)."""
    prefix = f"entry.{index}.resource"
    if not isinstance(resource, dict):
        return [(prefix, f"expected a resource object, got {type(resource).__name__}")]
    kind = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(kind))
    except (KeyError, ValueError, AttributeError):
        return [(f"{prefix}.resourceType", f"unknown FHIR R4 resource type {kind!r}")]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return _messages(exc, prefix)
    return []


def check_bundle(bundle: Json, name: str) -> None:
    """Validate a whole Bundle (as exported); raises :class:`CaseFileError` naming the field."""
    problems = shell_problems(bundle)
    for index, entry in enumerate(bundle.get("entry") or []):
        problems += entry_problems(entry.get("resource"), index)
    if problems:
        raise CaseFileError(name, [Problem(name, None, path, msg) for path, msg in problems])
