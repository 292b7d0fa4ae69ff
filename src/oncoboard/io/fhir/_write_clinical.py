"""Case → FHIR: patient, primary and secondary cancer conditions, staging, receptors, ECOG and
serum tumour markers (mCODE STU4 CancerPatient, PrimaryCancerCondition, TNMStageGroup,
SecondaryCancerCondition, TumorMarkerTest, ECOGPerformanceStatus)."""

from __future__ import annotations

from typing import Protocol

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._json import (
    Json,
    coding,
    concept,
    iso,
    loinc,
    quantity,
    snomed,
    valid_id,
)
from oncoboard.model import (
    Case,
    HER2Test,
    HormoneReceptorTest,
    Interpretation,
    MetastaticSite,
    PerformanceStatus,
    Stage,
    TestMethod,
    TumorMarkerResult,
)

__all__ = ["Builder", "ClinicalWriter"]


class Builder(Protocol):
    """What the writers need from the bundle being built."""

    def add(self, key: str, resource: Json) -> str:
        """Add ``resource`` under ``key``; returns its reference (the entry's fullUrl)."""

    def ref(self, key: str) -> str:
        """The reference the resource added under ``key`` has (or will have)."""


_PROBLEM_LIST = concept(fc.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
_LAB = [concept(fc.OBSERVATION_CATEGORY, "laboratory", "Laboratory")]
_SURVEY = [concept(fc.OBSERVATION_CATEGORY, "survey", "Survey")]


def _meta(name: str) -> Json:
    return {"profile": [fc.profile(name)]}


class ClinicalWriter:
    """Adds the clinical resources of one case through ``add`` (which returns the reference)."""

    def __init__(self, case: Case, bundle: Builder) -> None:
        self.case = case
        self.add = bundle.add
        self.ref = bundle.ref

    def subject(self) -> Json:
        """Reference to the patient."""
        return {"reference": self.ref("patient")}

    def write(self) -> None:
        """Add every clinical resource of the case."""
        self.add("patient", self._patient())
        self._age()
        stage_ref = self._stage(self.case.primary_diagnosis.stage)
        self.add("primary", self._primary(stage_ref))
        for index, site in enumerate(self.case.metastatic_sites):
            self.add(f"metastasis-{index}", self._secondary(site))
        for index, test in enumerate(self.case.receptors):
            resource = self._her2(test) if isinstance(test, HER2Test) else self._hormone(test)
            self.add(f"receptor-{index}", resource)
        for index, status in enumerate(self.case.performance_status):
            self.add(f"ecog-{index}", self._ecog(status))
        for index, marker in enumerate(self.case.tumor_markers):
            self.add(f"marker-{index}", self._marker(marker))

    # --- patient ----------------------------------------------------------------------------
    def _patient(self) -> Json:
        patient = self.case.patient
        resource: Json = {
            "resourceType": "Patient",
            "meta": _meta("cancer-patient"),
            "identifier": [{"system": fc.PATIENT_ID_SYSTEM, "value": patient.id}],
            # The case is de-identified: the name required by CancerPatient is masked.
            "name": [{"extension": [{"url": fc.DATA_ABSENT, "valueCode": "masked"}]}],
            "gender": patient.sex.value,
        }
        if valid_id(patient.id):
            resource["id"] = patient.id
        if patient.birth_date is not None:
            resource["birthDate"] = iso(patient.birth_date)
        return resource

    def _age(self) -> None:
        age = self.case.patient.age_years
        if age is None:
            return
        resource: Json = {
            "resourceType": "Observation",
            "status": "final",
            "code": loinc(fc.AGE, "Age"),
            "subject": self.subject(),
            "valueQuantity": quantity(age, "a", "a"),
        }
        if self.case.as_of is not None:
            resource["effectiveDateTime"] = iso(self.case.as_of)
        self.add("age", resource)

    # --- primary cancer and stage -----------------------------------------------------------
    def _primary(self, stage_ref: str | None) -> Json:
        primary = self.case.primary_diagnosis
        morphology = [coding(fc.SCT, fc.HISTOLOGY_SNOMED[primary.histology])]
        if primary.icdo3_morphology is not None:
            morphology.append(coding(fc.ICDO3, primary.icdo3_morphology))
        body_site = snomed(fc.BREAST_STRUCTURE, "Breast structure (body structure)")
        if primary.laterality is not None:
            side = snomed(fc.LATERALITY[primary.laterality], primary.laterality.value)
            body_site["extension"] = [{"url": fc.EXT_LATERALITY, "valueCodeableConcept": side}]
        resource: Json = {
            "resourceType": "Condition",
            "meta": _meta("primary-cancer-condition"),
            "extension": [
                {
                    "url": fc.EXT_HISTOLOGY,
                    "valueCodeableConcept": concept(also=morphology, text=primary.histology.value),
                }
            ],
            "clinicalStatus": concept(fc.CONDITION_CLINICAL, "active"),
            "verificationStatus": concept(fc.CONDITION_VERIFICATION, "confirmed"),
            "category": [_PROBLEM_LIST],
            "code": snomed(fc.BREAST_CANCER, "Malignant neoplasm of breast (disorder)"),
            "bodySite": [body_site],
            "subject": self.subject(),
            "onsetDateTime": iso(primary.date),
        }
        if stage_ref is not None:
            stage = primary.stage
            assert stage is not None
            entry: Json = {"assessment": [{"reference": stage_ref}]}
            if stage.group is not None:
                entry["summary"] = _stage_value("group", stage.basis, stage.group)
            resource["stage"] = [entry]
        return resource

    def _stage(self, stage: Stage | None) -> str | None:
        if stage is None:
            return None
        members = []
        for part in ("t", "n", "m"):
            value = getattr(stage, part)
            if value is not None:
                resource = self._staging_observation(stage, part, value)
                members.append({"reference": self.add(f"stage-{part}", resource)})
        group = self._staging_observation(stage, "group", stage.group)
        if members:
            group["hasMember"] = members
        return self.add("stage-group", group)

    def _staging_observation(self, stage: Stage, part: str, value: str | None) -> Json:
        names = {"t": "primary-tumor-category", "n": "regional-nodes-category"}
        names |= {"m": "distant-metastases-category", "group": "stage-group"}
        method = next((c for c, s in fc.STAGING_METHODS.items() if s == stage.system), None)
        resource: Json = {
            "resourceType": "Observation",
            "meta": _meta(f"tnm-{names[part]}"),
            "status": "final",
            "category": _SURVEY,
            "code": loinc(fc.STAGING_EXPORT[(part, stage.basis)]),
            "subject": self.subject(),
            "focus": [self._primary_ref()],
            "method": snomed(method) if method else concept(text=stage.system),
            "effectiveDateTime": iso(self.case.primary_diagnosis.date),
        }
        if value is not None:
            resource["valueCodeableConcept"] = _stage_value(part, stage.basis, value)
        return resource

    # --- metastatic sites -------------------------------------------------------------------
    def _secondary(self, site: MetastaticSite) -> Json:
        disorder = fc.SECONDARY_DISORDER.get(site.site, fc.METASTATIC_NEOPLASM)
        structure = fc.SITE_BODY_STRUCTURE.get(site.site)
        body_site = concept(fc.SCT, structure, text=site.detail) if structure else None
        if body_site is None and site.detail is not None:
            body_site = concept(text=site.detail)
        resource: Json = {
            "resourceType": "Condition",
            "meta": _meta("secondary-cancer-condition"),
            "extension": [{"url": fc.EXT_RELATED_CONDITION, "valueReference": self._primary_ref()}],
            "clinicalStatus": concept(
                fc.CONDITION_CLINICAL, "active" if site.active else "inactive"
            ),
            "verificationStatus": concept(fc.CONDITION_VERIFICATION, "confirmed"),
            "category": [_PROBLEM_LIST],
            "code": concept(fc.SCT, disorder, text=site.site.value),
            "subject": self.subject(),
            "onsetDateTime": iso(site.date),
        }
        if body_site:
            resource["bodySite"] = [body_site]
        return resource

    def _primary_ref(self) -> Json:
        return {"reference": self.ref("primary")}

    # --- receptors --------------------------------------------------------------------------
    def _tumor_marker(self, code: Json, date_: str, lab: str | None, site: str | None) -> Json:
        resource: Json = {
            "resourceType": "Observation",
            "meta": _meta("tumor-marker-test"),
            "status": "final",
            "category": _LAB,
            "code": code,
            "subject": self.subject(),
            "effectiveDateTime": date_,
        }
        if lab is not None:
            resource["performer"] = [{"display": lab}]
        if site is not None:
            resource["bodySite"] = {"text": site}
        return resource

    def _hormone(self, test: HormoneReceptorTest) -> Json:
        if test.percent is not None:
            code = fc.ER_PERCENT if test.receptor == "ER" else fc.PR_PERCENT
        else:
            code = fc.ER_PRESENCE if test.receptor == "ER" else fc.PR_PRESENCE
        resource = self._tumor_marker(loinc(code), iso(test.date), test.lab, test.specimen_site)
        if test.percent is not None:
            resource["valueQuantity"] = quantity(test.percent, "%", "%")
            if test.interpretation is not None:
                resource["interpretation"] = [_interpretation(test.interpretation)]
        else:
            assert test.interpretation is not None  # the model requires percent or it
            positive = test.interpretation is Interpretation.POSITIVE
            answer = fc.POSITIVE_LA if positive else fc.NEGATIVE_LA
            resource["valueCodeableConcept"] = loinc(answer, test.interpretation.value.title())
        if test.method is TestMethod.RNA:
            resource["method"] = concept(text=TestMethod.RNA.value)
        return resource

    def _her2(self, test: HER2Test) -> Json:
        if test.method is TestMethod.IHC:
            resource = self._tumor_marker(
                loinc(fc.HER2_IHC), iso(test.date), test.lab, test.specimen_site
            )
            assert test.ihc_score is not None  # the model requires it for IHC
            resource["valueCodeableConcept"] = concept(text=test.ihc_score.value)
            if test.ihc_antibody is not None:
                resource["method"] = concept(text=test.ihc_antibody)
            return resource
        resource = self._tumor_marker(
            loinc(fc.HER2_ISH), iso(test.date), test.lab, test.specimen_site
        )
        resource["method"] = concept(text=test.method.value)
        if test.ish_result is not None:
            resource["valueCodeableConcept"] = concept(text=test.ish_result.value)
        components = []
        if test.ish_ratio is not None:
            value = quantity(test.ish_ratio, "ratio", "{ratio}")
            components.append({"code": loinc(fc.HER2_RATIO), "valueQuantity": value})
        if test.her2_copies_per_cell is not None:
            value = quantity(test.her2_copies_per_cell, "copies per nucleus", "{copies}")
            components.append({"code": loinc(fc.HER2_COPIES), "valueQuantity": value})
        if components:
            resource["component"] = components
        return resource

    # --- ECOG and serum markers -------------------------------------------------------------
    def _ecog(self, status: PerformanceStatus) -> Json:
        return {
            "resourceType": "Observation",
            "meta": _meta("ecog-performance-status"),
            "status": "final",
            "category": _SURVEY,
            "code": loinc(fc.ECOG, "ECOG Performance Status score"),
            "subject": self.subject(),
            "effectiveDateTime": iso(status.date),
            "valueInteger": status.ecog,
        }

    def _marker(self, marker: TumorMarkerResult) -> Json:
        code = loinc(fc.TUMOR_MARKER_CODES[marker.marker], marker.marker.value)
        resource = self._tumor_marker(code, iso(marker.date), None, None)
        ucum = fc.UCUM_UNITS[marker.unit]
        resource["valueQuantity"] = quantity(marker.value, marker.unit, ucum)
        if marker.upper_limit_normal is not None:
            high = quantity(marker.upper_limit_normal, marker.unit, ucum)
            resource["referenceRange"] = [{"high": high}]
        return resource


def _interpretation(value: Interpretation) -> Json:
    code = "POS" if value is Interpretation.POSITIVE else "NEG"
    return concept(fc.INTERPRETATION, code, value.value.title())


def _stage_value(part: str, basis: str, value: str) -> Json:
    """Stage value as text, with the SNOMED AJCC code when one is in the verified table."""
    for code, (code_part, code_basis, code_value) in fc.STAGE_VALUE_SNOMED.items():
        if code_part == part and code_value == value and code_basis in ("", basis):
            return concept(fc.SCT, code, text=value)
    return concept(text=value)
