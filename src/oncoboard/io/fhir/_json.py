"""Small helpers over FHIR JSON (plain dicts): codings, extensions, dates, builders."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from oncoboard.io.fhir._codes import LOINC, SCT

Json = dict[str, Any]

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_NAMESPACE = uuid.UUID("6f1c5e1e-6b0a-4f55-9d0a-0b3c0b6f1e10")  # Oncoboard FHIR export ids


# --- reading ---------------------------------------------------------------------------------
def codings(concept: Json | None) -> Iterator[tuple[str, str, str]]:
    """``(system, code, display)`` of each coding of a CodeableConcept (missing parts are '')."""
    for coding in (concept or {}).get("coding") or []:
        yield (
            str(coding.get("system") or ""),
            str(coding.get("code") or ""),
            str(coding.get("display") or ""),
        )


def code_of(concept: Json | None, system: str | None = None) -> str | None:
    """The first code of ``concept`` (in ``system`` when given)."""
    for sys, code, _ in codings(concept):
        if code and (system is None or sys == system):
            return code
    return None


def codes_of(concept: Json | None) -> set[str]:
    """All codes of ``concept``, whatever their system."""
    return {code for _, code, _ in codings(concept) if code}


def text_of(concept: Json | None) -> str | None:
    """``concept.text``, else the first coding display."""
    if concept and concept.get("text"):
        return str(concept["text"])
    for _, _, display in codings(concept):
        if display:
            return display
    return None


def extensions(element: Json, fragment: str) -> list[Json]:
    """Extensions of ``element`` whose URL contains ``fragment`` (tolerates older URLs)."""
    return [e for e in element.get("extension") or [] if fragment in str(e.get("url", ""))]


def extension(element: Json, fragment: str) -> Json | None:
    """The first extension whose URL contains ``fragment``, or None."""
    found = extensions(element, fragment)
    return found[0] if found else None


def parse_date(value: object) -> dt.date | None:
    """The calendar date of a FHIR date/dateTime/instant (as written); None when partial."""
    if not isinstance(value, str):
        return None
    match = _DATE.match(value)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def effective_date(resource: Json, *fields: str) -> dt.date | None:
    """The first full date among ``fields`` (``xxxPeriod`` means its start)."""
    for name in fields:
        value = resource.get(name)
        if name.endswith("Period") and isinstance(value, dict):
            value = value.get("start")
        found = parse_date(value)
        if found is not None:
            return found
    return None


def reference_of(value: Json | None) -> str | None:
    """``reference`` of a Reference."""
    if isinstance(value, dict) and value.get("reference"):
        return str(value["reference"])
    return None


# --- writing ---------------------------------------------------------------------------------
def valid_id(value: str) -> bool:
    """True when ``value`` is a valid FHIR resource id."""
    return _ID.match(value) is not None


def resource_id(patient_id: str, key: str) -> str:
    """Stable resource id (a UUID) for ``key`` of the patient's bundle."""
    return str(uuid.uuid5(_NAMESPACE, f"{patient_id}/{key}"))


def coding(system: str, code: str, display: str | None = None) -> Json:
    """A Coding."""
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(
    system: str | None = None,
    code: str | None = None,
    display: str | None = None,
    *,
    text: str | None = None,
    also: Iterable[Json] = (),
) -> Json:
    """A CodeableConcept with one coding (when ``code``), more codings and/or text."""
    out: Json = {}
    items = [coding(system, code, display)] if system and code else []
    items.extend(also)
    if items:
        out["coding"] = items
    if text:
        out["text"] = text
    return out


def loinc(code: str, display: str | None = None) -> Json:
    """A LOINC CodeableConcept."""
    return concept(LOINC, code, display)


def snomed(code: str, display: str | None = None) -> Json:
    """A SNOMED CT CodeableConcept."""
    return concept(SCT, code, display)


def iso(value: dt.date) -> str:
    """ISO date string."""
    return value.isoformat()


def quantity(value: float, unit: str, code: str | None = None, system: str | None = None) -> Json:
    """A Quantity (UCUM when ``code`` is given)."""
    out: Json = {"value": value, "unit": unit}
    if code is not None:
        out["system"] = system or "http://unitsofmeasure.org"
        out["code"] = code
    return out
