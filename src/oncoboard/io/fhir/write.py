"""Case → FHIR R4 Bundle (type ``collection``, mCODE STU4 Patient Bundle).

Resource ids are stable UUIDs derived from the patient id and the resource's place in the case,
so exporting the same case twice gives the same bundle. References use the entries' ``fullUrl``
(``urn:uuid:...``). What the case holds and mCODE cannot carry is not exported; see
docs/interop.md for the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._json import Json, coding, resource_id
from oncoboard.io.fhir._validate import check_bundle
from oncoboard.io.fhir._write_clinical import ClinicalWriter
from oncoboard.io.fhir._write_therapy import TherapyWriter
from oncoboard.model import Case

__all__ = ["case_to_fhir"]


class _Bundle:
    """Collects entries; resources get their id and fullUrl from their key."""

    def __init__(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.entries: list[Json] = []

    def ref(self, key: str) -> str:
        return f"urn:uuid:{resource_id(self.patient_id, key)}"

    def add(self, key: str, resource: Json) -> str:
        full_url = self.ref(key)
        resource.setdefault("id", full_url.removeprefix("urn:uuid:"))
        self.entries.append({"fullUrl": full_url, "resource": _ordered(resource)})
        return full_url


def _ordered(resource: Json) -> Json:
    """``resourceType``, ``id`` and ``meta`` first (readability of the JSON only)."""
    head = {k: resource[k] for k in ("resourceType", "id", "meta") if k in resource}
    return head | {k: v for k, v in resource.items() if k not in head}


def case_to_fhir(case: Case) -> dict[str, Any]:
    """The case as a FHIR R4 Bundle (JSON-ready dict) following mCODE STU4 profiles.

    The bundle is validated with ``fhir.resources`` (R4B models, wire-compatible with R4 for
    these resources) before it is returned.

    Parameters
    ----------
    case
        A validated case.

    Returns
    -------
    dict
        ``{"resourceType": "Bundle", "type": "collection", ...}``.

    Raises
    ------
    CaseFileError
        If the produced bundle does not validate (a bug: the message names entry and field).

    References
    ----------
    HL7 mCODE STU4 (2023May), mCODE Patient Bundle profile:
    http://hl7.org/fhir/us/mcode/STU4/StructureDefinition-mcode-patient-bundle.html
    """
    bundle = _Bundle(case.patient.id)
    ClinicalWriter(case, bundle).write()
    TherapyWriter(case, bundle).write()
    meta: Json = {"profile": [fc.profile("patient-bundle")]}
    if case.synthetic:
        meta["security"] = [coding(fc.ACT_REASON, "HTEST", "test health data")]
    out: Json = {
        "resourceType": "Bundle",
        "id": resource_id(case.patient.id, "bundle"),
        "meta": meta,
        "type": "collection",
    }
    if case.as_of is not None:
        moment = dt.datetime.combine(case.as_of, dt.time(), tzinfo=dt.UTC)
        out["timestamp"] = moment.isoformat().replace("+00:00", "Z")
    out["entry"] = bundle.entries
    check_bundle(out, f"FHIR export of patient {case.patient.id}")
    return out
