"""FHIR → case: cancer-related medications grouped into treatment lines (with the response
recorded as CancerDiseaseStatus), local therapies (surgery, radiotherapy) and adverse events."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._context import Context, has_code, profiles, validated
from oncoboard.io.fhir._json import (
    Json,
    code_of,
    codes_of,
    effective_date,
    extension,
    extensions,
    parse_date,
    text_of,
)
from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import (
    AdverseEvent,
    BestResponse,
    LocalTherapy,
    LocalTherapyKind,
    Setting,
    StopReason,
    TreatmentLine,
)

__all__ = ["read_adverse_events", "read_local_therapies", "read_treatments"]

_MEDICATIONS = ("MedicationRequest", "MedicationStatement", "MedicationAdministration")
_UNUSABLE = {"entered-in-error", "cancelled", "draft", "not-taken", "not-done", "unknown"}


@dataclass
class _Agent:
    resource: Json
    name: str
    start: dt.date
    end: dt.date | None
    reason: StopReason | None
    dose: str | None


@dataclass
class _Line:
    line_id: str | None
    setting: Setting
    agents: list[_Agent] = field(default_factory=list)


# --- medications -----------------------------------------------------------------------------
def _agent_name(ctx: Context, resource: Json) -> str | None:
    concept = resource.get("medicationCodeableConcept")
    if concept is None:
        medication = ctx.resolve(resource.get("medicationReference"))
        concept = (medication or {}).get("code")
        if medication is not None:
            ctx.use(medication)
    text = text_of(concept)
    if not text:
        return None
    vocabulary = drug_vocabulary()
    if vocabulary.lookup(text) is not None:
        return text.strip()  # a generic name or alias, as written
    words = re.split(r"[\s,/()]+", text.strip())
    for candidate in (" ".join(words[:n]) for n in (2, 1)):
        drug = vocabulary.lookup(candidate)
        if drug is not None:
            return drug.name
    return None


def _setting(resource: Json) -> Setting | None:
    intent = (
        extension(resource, "treatment-intent") or extension(resource, "procedure-intent") or {}
    ).get("valueCodeableConcept")
    text = (intent or {}).get("text")
    if text in {s.value for s in Setting}:
        return Setting(text)
    codes = codes_of(intent)
    if fc.NEOADJUVANT in codes:
        return Setting.NEOADJUVANT
    if fc.ADJUVANT in codes:
        return Setting.ADJUVANT
    if fc.PALLIATIVE in codes:
        return Setting.METASTATIC
    if fc.SUPPORTIVE in codes:
        return Setting.SUPPORTIVE
    return None


def _stop_reason(resource: Json) -> StopReason | None:
    value = (extension(resource, "termination-reason") or {}).get("valueCodeableConcept")
    text = (value or {}).get("text")
    if text in {r.value for r in StopReason}:
        return StopReason(text)
    by_code = {code: reason for reason, code in fc.STOP_REASONS.items()}
    return next((by_code[c] for c in codes_of(value) if c in by_code), None)


def _period(resource: Json) -> tuple[dt.date | None, dt.date | None, str | None]:
    kind = resource["resourceType"]
    if kind == "MedicationRequest":
        dosage = (resource.get("dosageInstruction") or [{}])[0]
        bounds = ((dosage.get("timing") or {}).get("repeat") or {}).get("boundsPeriod") or {}
        start = parse_date(bounds.get("start")) or parse_date(resource.get("authoredOn"))
        return start, parse_date(bounds.get("end")), dosage.get("text")
    period = resource.get("effectivePeriod") or {}
    start = parse_date(period.get("start")) or parse_date(resource.get("effectiveDateTime"))
    dosage = resource.get("dosage")
    dose = (dosage[0] if isinstance(dosage, list) and dosage else dosage or {}).get("text")
    return start, parse_date(period.get("end")), dose


def _group(resource: Json) -> tuple[str, str | None] | None:
    group = resource.get("groupIdentifier") or {}
    if group.get("system") == fc.LINE_ID_SYSTEM:
        return f"id:{group.get('value')}", str(group.get("value"))
    if group.get("value"):
        return f"key:{group.get('system')}|{group.get('value')}", None
    return None


def read_treatments(ctx: Context, metastatic: bool) -> list[dict[str, Any]]:
    """Treatment lines from cancer-related medication resources.

    ``metastatic`` tells whether the bundle documents metastatic disease; it is used (and noted)
    for medications without a treatment intent.
    """
    lines: dict[str, _Line] = {}
    for resource in list(ctx.of_type(*_MEDICATIONS)):
        if resource.get("status") in _UNUSABLE:
            ctx.skip(resource, f"status is {resource.get('status')!r}")
            continue
        name = _agent_name(ctx, resource)
        if name is None:
            what = text_of(resource.get("medicationCodeableConcept")) or "no medication text"
            ctx.skip(resource, f"agent {what!r} is not in the drug vocabulary")
            continue
        start, end, dose = _period(resource)
        if start is None:
            start = ctx.date(resource, "effectiveDateTime")
        if start is None:
            ctx.skip(resource, "no start date (pass assume_date to import it)")
            continue
        if end is None and resource.get("status") in ("completed", "stopped"):
            ctx.note(
                resource,
                f"status {resource['status']!r} without an end date: recorded without stop date",
            )
        setting = _setting(resource)
        if setting is None and metastatic:
            setting = Setting.METASTATIC
            ctx.note(
                resource,
                "no treatment intent; setting 'metastatic' inferred from the "
                "documented metastatic disease",
            )
        if setting is None:
            ctx.skip(
                resource,
                "treatment setting unknown (no neoadjuvant/adjuvant/palliative "
                "intent) and the bundle documents no metastatic disease",
            )
            continue
        group = _group(resource) or (f"date:{start}|{setting.value}", None)
        line = lines.setdefault(group[0], _Line(group[1], setting))
        line.agents.append(_Agent(resource, name, start, end, _stop_reason(resource), dose))
    return [item for line in lines.values() if (item := _line(ctx, line)) is not None]


def _line(ctx: Context, line: _Line) -> dict[str, Any] | None:
    start = min(a.start for a in line.agents)
    ends = [a.end for a in line.agents]
    stop = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    agents: dict[str, dict[str, Any]] = {}
    reason = None
    for agent in line.agents:
        item = agents.setdefault(agent.name, {"name": agent.name})
        if agent.dose and "dose" not in item:
            item["dose"] = agent.dose
        if agent.end is not None and (stop is None or agent.end < stop):
            item["stop_date"] = agent.end
            if agent.reason is not None:
                item["reason_stopped"] = agent.reason
        elif agent.end is not None and agent.reason is not None:
            reason = agent.reason
    out: dict[str, Any] = {
        "setting": line.setting,
        "agents": list(agents.values()),
        "start_date": start,
    }
    if line.line_id is not None:
        out["id"] = line.line_id
    if stop is not None:
        out["stop_date"] = stop
        if reason is not None:
            out["reason_stopped"] = reason
    _response(ctx, line, out)
    resources = [a.resource for a in line.agents]
    if not validated(ctx, resources[0], TreatmentLine, out):
        reason_text = ctx.skipped[-1].reason
        for resource in resources[1:]:
            ctx.skip(resource, reason_text)
        return None
    for resource in resources:
        ctx.use(resource)
    return out


def _response(ctx: Context, line: _Line, out: dict[str, Any]) -> None:
    """Best response and progression date from CancerDiseaseStatus based on the line."""
    refs = {id(a.resource) for a in line.agents}
    for status in list(ctx.of_type("Observation")):
        if not has_code(status, "code", {fc.DISEASE_STATUS}):
            continue
        based = {id(r) for b in status.get("basedOn") or [] if (r := ctx.resolve(b)) is not None}
        if not based & refs:
            continue
        value = status.get("valueCodeableConcept")
        if status.get("effectivePeriod") is not None:
            text = (value or {}).get("text")
            by_code = {
                code: r for r, code in fc.RESPONSE_STATUS.items() if r is not BestResponse.PCR
            }
            response = BestResponse(text) if text in {r.value for r in BestResponse} else None
            if response is None:
                response = next((by_code[c] for c in codes_of(value) if c in by_code), None)
                evidence = codes_of(
                    (extension(status, "evidence-type") or {}).get("valueCodeableConcept")
                )
                if response is BestResponse.CR and fc.EVIDENCE_PATHOLOGY in evidence:
                    response = BestResponse.PCR
            if response is not None:
                out["best_response"] = response
                ctx.use(status)
        elif has_code(status, "valueCodeableConcept", {fc.WORSENED}):
            found = effective_date(status, "effectiveDateTime")
            if found is not None:
                out["progression_date"] = found
                ctx.use(status)


# --- local therapy ---------------------------------------------------------------------------
def _kind(ctx: Context, procedure: Json) -> tuple[LocalTherapyKind, str | None] | None:
    code = procedure.get("code") or {}
    text = code.get("text")
    if text in {k.value for k in LocalTherapyKind}:
        return LocalTherapyKind(text), None
    codes = codes_of(code)
    names = profiles(procedure)
    if fc.SURGERY in codes or any("surgical-procedure" in p for p in names):
        return LocalTherapyKind.SURGERY, text_of(code)
    mcode = any("mcode" in p for p in names) or extension(procedure, "intent") is not None
    if fc.RADIOTHERAPY_COURSE in codes or mcode:
        return LocalTherapyKind.OTHER, text_of(code)
    return None


def read_local_therapies(ctx: Context) -> list[dict[str, Any]]:
    """Surgery and radiotherapy procedures (mCODE surgical procedure / RT course summary)."""
    out = []
    for procedure in list(ctx.of_type("Procedure")):
        kind = _kind(ctx, procedure)
        if kind is None:
            ctx.skip(procedure, "not a cancer-related surgical or radiotherapy procedure")
            continue
        if procedure.get("status") in _UNUSABLE:
            ctx.skip(procedure, f"status is {procedure.get('status')!r}")
            continue
        site = next((text_of(b) for b in procedure.get("bodySite") or [] if text_of(b)), None)
        start = ctx.date(procedure, "performedDateTime", "performedPeriod")
        if site is None or start is None:
            ctx.skip(procedure, "no body site or no performed date (the case model needs both)")
            continue
        item: dict[str, Any] = {"kind": kind[0], "site": site, "start_date": start}
        if kind[1] and kind[0] is LocalTherapyKind.OTHER:
            item["notes"] = kind[1]
        end = parse_date((procedure.get("performedPeriod") or {}).get("end"))
        if end is not None:
            item["stop_date"] = end
        intent = (extension(procedure, "intent") or {}).get("valueCodeableConcept")
        by_code = {code: name for name, code in fc.LOCAL_INTENT.items()}
        found = next((by_code[c] for c in codes_of(intent) if c in by_code), None)
        if found is None and (intent or {}).get("text") == "ablative":
            found = "ablative"
        if found is not None:
            item["intent"] = found
        item |= _dose(ctx, procedure)
        if validated(ctx, procedure, LocalTherapy, item):
            out.append(item)
    return out


def _dose(ctx: Context, procedure: Json) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dose in extensions(procedure, "dose-delivered-to-volume"):
        for part in dose.get("extension") or []:
            if part.get("url") == "volume":
                volume = ctx.resolve(part.get("valueReference"))
                if volume is not None:
                    ctx.use(volume)
            elif part.get("url") == "totalDoseDelivered":
                quantity = part.get("valueQuantity") or {}
                value = quantity.get("value")
                if value is not None:
                    gy = (
                        value / 100
                        if quantity.get("code", quantity.get("unit")) == "cGy"
                        else value
                    )
                    out["total_dose_gy"] = round(gy, 6)
            elif part.get("url") == "fractionsDelivered":
                out["fractions"] = part.get("valueUnsignedInt")
    return out


# --- adverse events --------------------------------------------------------------------------
def read_adverse_events(ctx: Context) -> list[dict[str, Any]]:
    """Adverse events graded with CTCAE."""
    out = []
    for event in list(ctx.of_type("AdverseEvent")):
        if event.get("actuality") == "potential":
            ctx.skip(event, "a potential (not actual) adverse event")
            continue
        grade = code_of((extension(event, "ctcae-grade") or {}).get("valueCodeableConcept"))
        term = text_of(event.get("event"))
        onset = ctx.date(event, "date", "detected", "recordedDate")
        if grade not in ("1", "2", "3", "4", "5") or not term or onset is None:
            ctx.skip(
                event,
                "needs a CTCAE grade (ctcae-grade extension), an event term and a "
                f"date; got grade {grade!r}, term {term!r}, date {onset}",
            )
            continue
        item: dict[str, Any] = {"term": term, "grade": int(grade), "onset_date": onset}
        resolved = parse_date((extension(event, "resolved-date") or {}).get("valueDateTime"))
        if resolved is not None:
            item["resolved_date"] = resolved
        if code_of(event.get("seriousness")) == "serious":
            item["serious"] = True
        agents = []
        for suspect in event.get("suspectEntity") or []:
            instance = suspect.get("instance") or {}
            target = ctx.resolve(instance)
            name = instance.get("display") or text_of((target or {}).get("code"))
            if name:
                agents.append(str(name))
        if agents:
            item["attributed_to"] = agents
        if validated(ctx, event, AdverseEvent, item):
            out.append(item)
    return out
