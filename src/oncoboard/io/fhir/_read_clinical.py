"""FHIR → case: patient, primary and secondary cancer conditions, staging, receptors, ECOG and
serum tumour markers. Functions return plain case-model data (dicts) and record what they skip
or assume in the :class:`Context`."""

from __future__ import annotations

import re
from typing import Any

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._context import Context, has_code, profiles, validated
from oncoboard.io.fhir._json import (
    Json,
    code_of,
    codes_of,
    codings,
    effective_date,
    extension,
    parse_date,
    text_of,
)
from oncoboard.io.fhir._read_stage import read_stage
from oncoboard.model import (
    HER2Test,
    HormoneReceptorTest,
    Laterality,
    MetastaticSite,
    PerformanceStatus,
    SiteName,
    TumorMarkerResult,
)
from oncoboard.model.monitoring import MARKER_UNITS

__all__ = [
    "is_secondary",
    "read_markers",
    "read_patient",
    "read_performance",
    "read_primary",
    "read_receptors",
    "read_secondaries",
]

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_SEX = {"female", "male", "other", "unknown"}


# --- patient ---------------------------------------------------------------------------------
def read_patient(ctx: Context) -> dict[str, Any]:
    """The Patient (exactly one per bundle) and its age observation, if any."""
    patients = list(ctx.of_type("Patient"))
    if len(patients) != 1:
        found = ", ".join(f"Patient/{p.get('id')}" for p in patients) or "none"
        raise ctx.fail(None, "entry", f"expected exactly one Patient resource, found {found}")
    patient = patients[0]
    ctx.use(patient)
    own = [i for i in patient.get("identifier") or [] if i.get("system") == fc.PATIENT_ID_SYSTEM]
    pid = own[0].get("value") if own else patient.get("id")
    if not isinstance(pid, str) or not _IDENTIFIER.match(pid):
        raise ctx.fail(patient, "id", f"patient id {pid!r} is missing or not a case identifier")
    gender = patient.get("gender")
    if gender not in _SEX:
        raise ctx.fail(patient, "gender", f"gender is required by the case model, got {gender!r}")
    out: dict[str, Any] = {"id": pid, "sex": gender}
    if patient.get("birthDate") is not None:
        born = parse_date(patient["birthDate"])
        if born is None:
            ctx.note(patient, f"birthDate {patient['birthDate']!r} is not a full date; not used")
        out["birth_date"] = born
    for key in ("deceasedBoolean", "deceasedDateTime"):
        if patient.get(key) not in (None, False):
            ctx.note(patient, f"{key} {patient[key]!r} is not carried by the case model")
    for observation in ctx.of_type("Observation"):
        if has_code(observation, "code", {fc.AGE}):
            value = (observation.get("valueQuantity") or {}).get("value")
            if isinstance(value, int | float) and value == int(value):
                out["age_years"] = int(value)
                ctx.use(observation)
            else:
                ctx.skip(observation, f"age {value!r} is not a whole number of years")
    if out.get("birth_date") is None and "age_years" not in out:
        raise ctx.fail(patient, "birthDate", "birthDate (or an Age observation) is required")
    return out


# --- primary cancer --------------------------------------------------------------------------
def is_secondary(resource: Json) -> bool:
    if any("secondary-cancer-condition" in p for p in profiles(resource)):
        return True
    codes = codes_of(resource.get("code"))
    if codes & (set(fc.SECONDARY_DISORDER_READ) | {fc.METASTATIC_NEOPLASM}):
        return True
    words = " ".join(d.lower() for _, _, d in codings(resource.get("code")))
    return "secondary" in words or "metastatic" in words


def _is_primary(resource: Json) -> bool:
    if is_secondary(resource):
        return False
    if any("primary-cancer-condition" in p for p in profiles(resource)):
        return True
    for system, code, _ in codings(resource.get("code")):
        if code in fc.PRIMARY_BREAST_CODES or (system.endswith("icd-10-cm") and code[:3] == "C50"):
            return True
    return False


def _onset(ctx: Context, condition: Json) -> Any:
    found = effective_date(condition, "onsetDateTime", "onsetPeriod")
    if found is not None:
        return found
    asserted = extension(condition, "condition-assertedDate")
    for value, source in (
        ((asserted or {}).get("valueDateTime"), "the condition-assertedDate extension"),
        (condition.get("recordedDate"), "recordedDate"),
    ):
        date_ = parse_date(value)
        if date_ is not None:
            ctx.note(condition, f"no onset date; date taken from {source} ({date_})")
            return date_
    return ctx.date(condition, "onsetDateTime")


def read_primary(ctx: Context) -> tuple[dict[str, Any], Json]:
    """The primary diagnosis and its Condition (error if the bundle has none)."""
    found = [c for c in ctx.of_type("Condition") if _is_primary(c)]
    if not found:
        raise ctx.fail(
            None,
            "entry",
            "no primary breast cancer Condition (mCODE PrimaryCancerCondition) in the bundle; "
            "the case model requires primary_diagnosis",
        )
    dated = [(_onset(ctx, c), i, c) for i, c in enumerate(found)]
    usable = sorted((d, i, c) for d, i, c in dated if d is not None)
    if not usable:
        raise ctx.fail(
            found[0],
            "onsetDateTime",
            "the primary cancer has no onset, asserted or recorded "
            "date; the case model requires primary_diagnosis.date (pass assume_date to import)",
        )
    date_, _, primary = usable[0]
    for _, _, other in [*usable[1:], *[(d, i, c) for d, i, c in dated if d is None]]:
        ctx.skip(other, "another primary cancer condition; the case model holds one primary")
    ctx.use(primary)
    out: dict[str, Any] = {"date": date_}
    out |= _histology(ctx, primary)
    laterality = _laterality(primary)
    if laterality is not None:
        out["laterality"] = laterality
    stage = read_stage(ctx, primary)
    if stage is not None:
        out["stage"] = stage
        if stage.get("m") == "M1" or stage.get("group") == "IV":
            out["de_novo_metastatic"] = True
            ctx.note(primary, "stage IV/M1 at diagnosis: recorded as de novo metastatic")
    return out, primary


def _histology(ctx: Context, primary: Json) -> dict[str, Any]:
    morphology = (extension(primary, "histology-morphology-behavior") or {}).get(
        "valueCodeableConcept"
    )
    out: dict[str, Any] = {}
    by_snomed = {code: histology for histology, code in fc.HISTOLOGY_SNOMED.items()}
    text = (morphology or {}).get("text")
    candidates = [h for h in by_snomed.values() if h.value == text]
    for system, code, _ in codings(morphology):
        if system == fc.ICDO3 and re.match(r"^\d{4}/[0-3]$", code):
            out["icdo3_morphology"] = code
            if code in fc.HISTOLOGY_ICDO3:
                candidates.append(fc.HISTOLOGY_ICDO3[code])
        elif system == fc.SCT and code in by_snomed:
            candidates.append(by_snomed[code])
    for code in codes_of(primary.get("code")):
        histology = fc.PRIMARY_BREAST_CODES.get(code)
        if histology is not None:
            candidates.append(histology)
    if candidates:
        out["histology"] = candidates[0]
    else:
        out["histology"] = "other"
        ctx.note(primary, "histology not coded in a form the case model knows; recorded 'other'")
    return out


def _laterality(primary: Json) -> Laterality | None:
    by_code = {code: side for side, code in fc.LATERALITY.items()}
    for site in primary.get("bodySite") or []:
        qualifier = (extension(site, "laterality") or {}).get("valueCodeableConcept")
        for code in codes_of(qualifier):
            if code in by_code:
                return by_code[code]
        for code in codes_of(site):
            if code in fc.BREAST_SITE_LATERALITY:
                return fc.BREAST_SITE_LATERALITY[code]
    for code in codes_of(primary.get("code")):
        if code in fc.PRIMARY_LATERALITY_CODES:
            return fc.PRIMARY_LATERALITY_CODES[code]
    return None


# --- metastatic sites ------------------------------------------------------------------------
def _site(condition: Json) -> SiteName | None:
    code = condition.get("code") or {}
    for site in SiteName:
        if code.get("text") == site.value:
            return site
    for value in codes_of(code):
        if value in fc.SECONDARY_DISORDER_READ:
            return fc.SECONDARY_DISORDER_READ[value]
    by_structure = {v: k for k, v in fc.SITE_BODY_STRUCTURE.items()}
    for body_site in condition.get("bodySite") or []:
        for value in codes_of(body_site):
            if value in by_structure:
                return by_structure[value]
    words = " ".join(
        d.lower() for cc in [code, *(condition.get("bodySite") or [])] for _, _, d in codings(cc)
    )
    return next((site for word, site in fc.SITE_WORDS if word in words), None)


def read_secondaries(ctx: Context) -> list[dict[str, Any]]:
    """Metastatic sites from SecondaryCancerCondition resources."""
    out = []
    for condition in list(ctx.of_type("Condition")):
        if not is_secondary(condition):
            continue
        verification = code_of(condition.get("verificationStatus"))
        if verification in ("refuted", "entered-in-error"):
            ctx.skip(condition, f"verificationStatus is {verification!r}")
            continue
        date_ = _onset(ctx, condition)
        if date_ is None:
            ctx.skip(
                condition,
                "no onset date; the case model requires the date of a site "
                "(pass assume_date to import it)",
            )
            continue
        site = _site(condition)
        item: dict[str, Any] = {"site": site or SiteName.OTHER, "date": date_}
        if site is None:
            ctx.note(condition, "site of the metastasis not recognised; recorded as 'other'")
        detail = next(
            (b.get("text") for b in condition.get("bodySite") or [] if b.get("text")), None
        )
        if detail:
            item["detail"] = detail
        clinical = code_of(condition.get("clinicalStatus"))
        if clinical in ("inactive", "remission", "resolved"):
            item["active"] = False
        if validated(ctx, condition, MetastaticSite, item):
            out.append(item)
    return out


# --- receptors, ECOG, serum markers ----------------------------------------------------------
def _common(ctx: Context, observation: Json) -> dict[str, Any] | None:
    date_ = ctx.date(observation, "effectiveDateTime", "effectivePeriod", "issued")
    if date_ is None:
        ctx.skip(
            observation,
            "no effective date; the case model requires the test date "
            "(pass assume_date to import it)",
        )
        return None
    out: dict[str, Any] = {"date": date_}
    performer = next((p.get("display") for p in observation.get("performer") or []), None)
    if performer:
        out["lab"] = performer
    site = (observation.get("bodySite") or {}).get("text")
    if site:
        out["specimen_site"] = site
    return out


def _polarity(observation: Json) -> str | None:
    codes = codes_of(observation.get("valueCodeableConcept"))
    for interpretation in observation.get("interpretation") or []:
        codes |= codes_of(interpretation)
    if codes & fc.POSITIVE_CODES:
        return "positive"
    if codes & fc.NEGATIVE_CODES:
        return "negative"
    return None


def _hormone(
    ctx: Context, observation: Json, receptor: str, percent: bool
) -> dict[str, Any] | None:
    item = _common(ctx, observation)
    if item is None:
        return None
    item["receptor"] = receptor
    if text_of(observation.get("method")) == "RNA":
        item["method"] = "RNA"
    value = (observation.get("valueQuantity") or {}).get("value")
    if percent and value is not None:
        item["percent"] = value
    polarity = _polarity(observation)
    if polarity is not None:
        item["interpretation"] = polarity
    if "percent" not in item and polarity is None:
        ctx.skip(observation, f"{receptor} result is neither a percentage nor positive/negative")
        return None
    return item if validated(ctx, observation, HormoneReceptorTest, item) else None


def _ihc_score(observation: Json) -> str | None:
    value = observation.get("valueCodeableConcept")
    raw = [text_of(value), observation.get("valueString"), *[c for _, c, _ in codings(value)]]
    quantity = (observation.get("valueQuantity") or {}).get("value")
    if isinstance(quantity, int | float) and quantity in (0, 1, 2, 3):
        raw.append(str(int(quantity)))
    for candidate in raw:
        if not candidate:
            continue
        text = str(candidate).strip()
        if text in fc.HER2_SCORE_TEXT:
            return text
        if text in ("1", "2", "3"):
            return f"{text}+"
    return None


def _her2(ctx: Context, observation: Json, ish: bool) -> dict[str, Any] | None:
    item = _common(ctx, observation)
    if item is None:
        return None
    item["receptor"] = "HER2"
    method_text = text_of(observation.get("method"))
    if not ish:
        score = _ihc_score(observation)
        if score is None:
            ctx.skip(
                observation,
                "HER2 IHC result without a score (0, 1+, 2+, 3+): the case "
                "model needs the score (HER2-low cannot be told from HER2-0 without it)",
            )
            return None
        item |= {"method": "IHC", "ihc_score": score}
        if method_text:
            item["ihc_antibody"] = method_text
    else:
        item["method"] = method_text if method_text in ("FISH", "CISH", "DISH") else "FISH"
        text = text_of(observation.get("valueCodeableConcept"))
        polarity = _polarity(observation)
        if text in ("amplified", "not_amplified", "equivocal"):
            item["ish_result"] = text
        elif polarity is not None:
            item["ish_result"] = "amplified" if polarity == "positive" else "not_amplified"
        for component in observation.get("component") or []:
            value = (component.get("valueQuantity") or {}).get("value")
            if has_code(component, "code", {fc.HER2_RATIO}):
                item["ish_ratio"] = value
            elif has_code(component, "code", {fc.HER2_COPIES}):
                item["her2_copies_per_cell"] = value
    return item if validated(ctx, observation, HER2Test, item) else None


def read_receptors(ctx: Context) -> list[dict[str, Any]]:
    """ER, PR and HER2 tumour marker tests."""
    out = []
    for observation in list(ctx.of_type("Observation")):
        codes = codes_of(observation.get("code"))
        item: dict[str, Any] | None = None
        if percent := codes & set(fc.RECEPTOR_PERCENT_CODES):
            item = _hormone(ctx, observation, fc.RECEPTOR_PERCENT_CODES[min(percent)], True)
        elif presence := codes & set(fc.RECEPTOR_PRESENCE_CODES):
            item = _hormone(ctx, observation, fc.RECEPTOR_PRESENCE_CODES[min(presence)], False)
        elif codes & fc.HER2_IHC_CODES:
            item = _her2(ctx, observation, ish=False)
        elif codes & fc.HER2_ISH_CODES:
            item = _her2(ctx, observation, ish=True)
        elif codes & fc.HER2_OTHER_CODES:
            ctx.skip(
                observation,
                "HER2 result without IHC score or ISH method (e.g. an overall "
                "interpretation): the case model records HER2 by IHC score or ISH result",
            )
        if item is not None:
            out.append(item)
    return out


def read_performance(ctx: Context) -> list[dict[str, Any]]:
    """ECOG performance status observations."""
    out = []
    for observation in list(ctx.of_type("Observation")):
        if not has_code(observation, "code", {fc.ECOG}):
            continue
        date_ = ctx.date(observation, "effectiveDateTime", "effectivePeriod")
        if date_ is None:
            ctx.skip(observation, "no effective date (pass assume_date to import it)")
            continue
        item = {"date": date_, "ecog": observation.get("valueInteger")}
        if validated(ctx, observation, PerformanceStatus, item):
            out.append(item)
    return out


def read_markers(ctx: Context) -> list[dict[str, Any]]:
    """Serum tumour markers (CA 15-3, CA 27.29, CEA)."""
    by_code = {code: marker for marker, code in fc.TUMOR_MARKER_CODES.items()}
    by_ucum = {code: unit for unit, code in fc.UCUM_UNITS.items()}
    out = []
    for observation in list(ctx.of_type("Observation")):
        found = codes_of(observation.get("code")) & set(by_code)
        if not found:
            continue
        marker = by_code[min(found)]
        date_ = ctx.date(observation, "effectiveDateTime", "effectivePeriod")
        quantity = observation.get("valueQuantity") or {}
        unit = quantity.get("unit")
        if unit not in MARKER_UNITS[marker]:
            unit = by_ucum.get(str(quantity.get("code")), unit)
        item: dict[str, Any] = {
            "marker": marker,
            "value": quantity.get("value"),
            "unit": unit,
            "date": date_,
        }
        high = ((observation.get("referenceRange") or [{}])[0].get("high") or {}).get("value")
        if high is not None:
            item["upper_limit_normal"] = high
        if date_ is None:
            ctx.skip(observation, "no effective date (pass assume_date to import it)")
        elif validated(ctx, observation, TumorMarkerResult, item):
            out.append(item)
    return out
