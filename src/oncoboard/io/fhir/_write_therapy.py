"""Case → FHIR: genomic reports, treatment lines with their response, local therapies and
adverse events (mCODE STU4 GenomicsReport, GenomicVariant, GenomicRegionStudied,
CancerRelatedMedicationRequest, CancerDiseaseStatus, CancerRelatedSurgicalProcedure,
RadiotherapyCourseSummary; FHIR R4 AdverseEvent with the CTCAE grade extension)."""

from __future__ import annotations

from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir._json import Json, coding, concept, iso, loinc, quantity, snomed
from oncoboard.io.fhir._write_clinical import Builder
from oncoboard.knowledge import gene_table
from oncoboard.model import (
    AdverseEvent,
    BestResponse,
    Case,
    CopyNumberEvent,
    Fusion,
    GenomicReport,
    LocalTherapy,
    LocalTherapyKind,
    SampleOrigin,
    SpecimenType,
    TreatmentLine,
    Variant,
)

__all__ = ["TherapyWriter"]

_SPECIMEN_CODES = {
    SpecimenType.TISSUE: ("TISS", "Tissue"),
    SpecimenType.PLASMA: ("PLAS", "Plasma"),  # HL7 v2-0487; not in the mCODE value set
    SpecimenType.BLOOD: ("BLD", "Whole blood"),
    SpecimenType.SALIVA: ("SAL", "Saliva"),
}
_RADIOTHERAPY = {
    LocalTherapyKind.STEREOTACTIC_RADIOSURGERY,
    LocalTherapyKind.STEREOTACTIC_BODY_RADIOTHERAPY,
    LocalTherapyKind.WHOLE_BRAIN_RADIOTHERAPY,
    LocalTherapyKind.EXTERNAL_BEAM_RADIOTHERAPY,
}


def _meta(name: str) -> Json:
    return {"profile": [fc.profile(name)]}


class TherapyWriter:
    """Adds genomic, treatment, local-therapy and adverse-event resources of one case."""

    def __init__(self, case: Case, bundle: Builder) -> None:
        self.case = case
        self.add = bundle.add
        self.ref = bundle.ref

    def subject(self) -> Json:
        """Reference to the patient."""
        return {"reference": self.ref("patient")}

    def write(self) -> None:
        """Add every therapy and genomics resource of the case."""
        for index, report in enumerate(self.case.genomic_reports):
            self._report(index, report)
        for index, line in enumerate(self.case.treatments):
            self._line(index, line)
        for index, therapy in enumerate(self.case.local_therapies):
            self._local(index, therapy)
        for index, event in enumerate(self.case.adverse_events):
            self.add(f"ae-{index}", self._adverse_event(event))

    # --- genomics ---------------------------------------------------------------------------
    def _report(self, index: int, report: GenomicReport) -> None:
        key = f"report-{index}"
        code, display = _SPECIMEN_CODES[report.specimen_type]
        specimen: Json = {
            "resourceType": "Specimen",
            "meta": _meta("human-specimen"),
            "type": concept(fc.SPECIMEN_TYPE, code, display),
            "subject": self.subject(),
            "collection": {"collectedDateTime": iso(report.date)},
        }
        if report.specimen_site is not None:
            specimen["collection"]["bodySite"] = {"text": report.specimen_site}
        specimen_ref = self.add(f"{key}-specimen", specimen)
        results = []
        for v_index, variant in enumerate(report.variants):
            resource = self._variant(report, variant, specimen_ref)
            results.append({"reference": self.add(f"{key}-variant-{v_index}", resource)})
        for c_index, event in enumerate(report.copy_number):
            resource = self._copy_number(report, event, specimen_ref)
            results.append({"reference": self.add(f"{key}-cnv-{c_index}", resource)})
        for f_index, fusion in enumerate(report.fusions):
            resource = self._fusion(report, fusion, specimen_ref)
            results.append({"reference": self.add(f"{key}-fusion-{f_index}", resource)})
        if report.genes_tested is not None:
            resource = self._observation(fc.REGION_STUDIED, report, specimen_ref)
            resource["meta"] = _meta("genomic-region-studied")
            resource["component"] = [_gene_component(g) for g in report.genes_tested]
            results.append({"reference": self.add(f"{key}-region", resource)})
        if report.tmb is not None:
            resource = self._observation(fc.TMB, report, specimen_ref)
            resource["meta"] = {"profile": [fc.profile("tumor-marker-test"), fc.GR_TMB_PROFILE]}
            resource["valueQuantity"] = quantity(report.tmb.value, "mutations/Mb")
            results.append({"reference": self.add(f"{key}-tmb", resource)})
        if report.msi is not None:
            resource = self._observation(fc.MSI, report, specimen_ref)
            resource["meta"] = {"profile": [fc.GR_MSI_PROFILE]}
            answer, display = fc.MSI_ANSWERS[report.msi.status]
            status = report.msi.status.value
            resource["valueCodeableConcept"] = concept(fc.LOINC, answer, display, text=status)
            if report.msi.method is not None:
                resource["method"] = {"text": report.msi.method}
            results.append({"reference": self.add(f"{key}-msi", resource)})
        diagnostic: Json = {
            "resourceType": "DiagnosticReport",
            "meta": _meta("genomics-report"),
            "identifier": [{"system": fc.REPORT_ID_SYSTEM, "value": report.id}],
            "status": "final",
            "category": [concept(fc.DIAGNOSTIC_SERVICE, "GE", "Genetics")],
            "code": concept(
                fc.LOINC, fc.GENOMICS_REPORT, "Genetic analysis report", text=report.assay
            ),
            "subject": self.subject(),
            "effectiveDateTime": iso(report.date),
            "specimen": [{"reference": specimen_ref}],
        }
        if results:
            diagnostic["result"] = results
        self.add(key, diagnostic)

    def _observation(self, code: str, report: GenomicReport, specimen_ref: str) -> Json:
        return {
            "resourceType": "Observation",
            "status": "final",
            "category": [concept(fc.OBSERVATION_CATEGORY, "laboratory", "Laboratory")],
            "code": loinc(code),
            "subject": self.subject(),
            "effectiveDateTime": iso(report.date),
            "specimen": {"reference": specimen_ref},
        }

    def _variant(self, report: GenomicReport, variant: Variant, specimen_ref: str) -> Json:
        resource = self._observation(fc.VARIANT, report, specimen_ref)
        resource["meta"] = _meta("genomic-variant")
        resource["valueCodeableConcept"] = loinc(fc.PRESENT, "Present")
        source = fc.SOMATIC if report.origin is SampleOrigin.SOMATIC else fc.GERMLINE
        components = [
            _gene_component(variant.gene),
            _component(fc.SOURCE_CLASS, loinc(source, report.origin.value.title())),
        ]
        if variant.hgvs_c is not None:
            components.append(_component(fc.C_HGVS, concept(fc.HGVS, variant.hgvs_c)))
        if variant.hgvs_p is not None:
            components.append(_component(fc.P_HGVS, concept(fc.HGVS, variant.hgvs_p)))
        if variant.transcript is not None:
            components.append(_component(fc.TRANSCRIPT, concept(text=variant.transcript)))
        if variant.genome_build is not None:
            build = variant.genome_build.value
            components.append(
                _component(fc.ASSEMBLY, concept(fc.LOINC, fc.ASSEMBLY_CODES[build], build))
            )
        if variant.chromosome is not None:
            components.append(_component(fc.CYTOGENETIC_LOCATION, concept(text=variant.chromosome)))
        if variant.position is not None:
            low = {"value": variant.position}
            components.append({"code": loinc(fc.ALLELE_START_END), "valueRange": {"low": low}})
        if variant.ref is not None:
            components.append(_component(fc.REF_ALLELE, concept(text=variant.ref)))
        if variant.alt is not None:
            components.append(_component(fc.ALT_ALLELE, concept(text=variant.alt)))
        if variant.vaf is not None:
            value = quantity(variant.vaf, "relative frequency of a particular allele", "1")
            components.append({"code": loinc(fc.VAF), "valueQuantity": value})
        resource["component"] = components
        return resource

    def _structural(self, report: GenomicReport, specimen_ref: str, genes: list[str]) -> Json:
        """A GenomicVariant (present) for ``genes`` with the report's genomic source class."""
        resource = self._observation(fc.VARIANT, report, specimen_ref)
        resource["meta"] = _meta("genomic-variant")
        resource["valueCodeableConcept"] = loinc(fc.PRESENT, "Present")
        source = fc.SOMATIC if report.origin is SampleOrigin.SOMATIC else fc.GERMLINE
        resource["component"] = [_gene_component(g) for g in genes] + [
            _component(fc.SOURCE_CLASS, loinc(source, report.origin.value.title()))
        ]
        return resource

    def _copy_number(self, report: GenomicReport, event: CopyNumberEvent, ref: str) -> Json:
        """Copy-number event as in the IG's gx-genomic-variant-somatic-mycn / -cdkn2a-cnv: SO
        consequence (standard), copy number 82155-3, and the model's level (LOCAL code)."""
        resource = self._structural(report, ref, [event.gene])
        so_code, so_display = fc.CNV_LEVELS[event.type]
        consequence = concept(fc.SO, so_code, so_display)
        components = resource["component"]
        components.append(
            {
                "code": concept(fc.GR_TBD, fc.MOLECULAR_CONSEQUENCE, "Molecular Consequence"),
                "valueCodeableConcept": consequence,
            }
        )
        if event.copy_number is not None:
            value = quantity(event.copy_number, "copies", "1")
            components.append({"code": loinc(fc.COPY_NUMBER), "valueQuantity": value})
        level = concept(fc.CNV_LEVEL_SYSTEM, event.type.value, text=event.type.value)
        components.append(
            {
                "code": concept(fc.CNV_LEVEL_SYSTEM, "copy-number-level", "Copy-number level"),
                "valueCodeableConcept": level,
            }
        )
        return resource

    def _fusion(self, report: GenomicReport, fusion: Fusion, specimen_ref: str) -> Json:
        """Fusion as in the IG's gx-genomic-variant-fusion-met-alk: two gene-studied components,
        5' partner first, then 3' partner; coding-change-type complex rearrangement."""
        resource = self._structural(report, specimen_ref, [fusion.gene_5p, fusion.gene_3p])
        change = concept(fc.SO, fc.COMPLEX_REARRANGEMENT, "complex chromosomal rearrangement")
        resource["component"].append(_component(fc.CODING_CHANGE_TYPE, change))
        return resource

    # --- treatment lines --------------------------------------------------------------------
    def _line(self, index: int, line: TreatmentLine) -> None:
        key = f"line-{index}"
        if line.id is not None:
            group = {"system": fc.LINE_ID_SYSTEM, "value": line.id}
        else:
            group = {"system": fc.LINE_KEY_SYSTEM, "value": key}
        intent = fc.SETTING_INTENT[line.setting]
        intent_concept = concept(fc.SCT, intent[0], also=[coding(fc.SCT, c) for c in intent[1:]])
        intent_concept["text"] = line.setting.value
        refs = []
        for a_index, agent in enumerate(line.agents):
            stop = agent.stop_date or line.stop_date
            reason = agent.reason_stopped if agent.stop_date else line.reason_stopped
            bounds: Json = {"start": iso(line.start_date)}
            if stop is not None:
                bounds["end"] = iso(stop)
            dosage: Json = {"timing": {"repeat": {"boundsPeriod": bounds}}}
            if agent.dose is not None:
                dosage["text"] = agent.dose
            extensions: list[Json] = [
                {"url": fc.EXT_INTENT, "valueCodeableConcept": intent_concept}
            ]
            if reason is not None:
                code = fc.STOP_REASONS.get(reason)
                value = (
                    concept(fc.SCT, code, text=reason.value) if code else concept(text=reason.value)
                )
                extensions.append({"url": fc.EXT_TERMINATION, "valueCodeableConcept": value})
            status = "active" if stop is None else "completed"
            if reason is not None and reason.value != "completed":
                status = "stopped"
            resource: Json = {
                "resourceType": "MedicationRequest",
                "meta": _meta("cancer-related-medication-request"),
                "extension": extensions,
                "status": status,
                "intent": "order",
                "groupIdentifier": group,
                "medicationCodeableConcept": concept(text=agent.name),
                "subject": self.subject(),
                "authoredOn": iso(line.start_date),
                "requester": {"extension": [{"url": fc.DATA_ABSENT, "valueCode": "unknown"}]},
                "reasonReference": [{"reference": self.ref("primary")}],
                "dosageInstruction": [dosage],
            }
            refs.append({"reference": self.add(f"{key}-agent-{a_index}", resource)})
        if line.best_response is not None:
            self.add(f"{key}-response", self._response(line, refs))
        if line.progression_date is not None:
            progression = self._status(fc.WORSENED, fc.EVIDENCE_IMAGING, refs)
            progression["effectiveDateTime"] = iso(line.progression_date)
            self.add(f"{key}-progression", progression)

    def _status(self, value: str, evidence: str, based_on: list[Json]) -> Json:
        return {
            "resourceType": "Observation",
            "meta": _meta("cancer-disease-status"),
            "extension": [{"url": fc.EXT_EVIDENCE, "valueCodeableConcept": snomed(evidence)}],
            "status": "final",
            "code": loinc(fc.DISEASE_STATUS, "Cancer disease status"),
            "subject": self.subject(),
            "focus": [{"reference": self.ref("primary")}],
            "basedOn": based_on,
            "valueCodeableConcept": snomed(value),
        }

    def _response(self, line: TreatmentLine, based_on: list[Json]) -> Json:
        """Best response of the line: CancerDiseaseStatus over the line's period."""
        response = line.best_response
        assert response is not None
        pathological = response is BestResponse.PCR
        evidence = fc.EVIDENCE_PATHOLOGY if pathological else fc.EVIDENCE_IMAGING
        status = self._status(fc.RESPONSE_STATUS[response], evidence, based_on)
        period: Json = {"start": iso(line.start_date)}
        if line.stop_date is not None:
            period["end"] = iso(line.stop_date)
        status["effectivePeriod"] = period
        status["valueCodeableConcept"]["text"] = response.value
        return status

    # --- local therapy ----------------------------------------------------------------------
    def _local(self, index: int, therapy: LocalTherapy) -> None:
        key = f"local-{index}"
        label = therapy.kind.value
        extensions: list[Json] = []
        if therapy.kind is LocalTherapyKind.SURGERY:
            code = concept(fc.SCT, fc.SURGERY, "Surgical procedure", text=label)
            meta: Json | None = _meta("cancer-related-surgical-procedure")
        elif therapy.kind in _RADIOTHERAPY:
            code = concept(fc.SCT, fc.RADIOTHERAPY_COURSE, text=label)
            meta = _meta("radiotherapy-course-summary")
            dose = self._dose(key, therapy)
            if dose is not None:
                extensions.append(dose)
        else:
            code, meta = concept(text=label), None
        if therapy.intent is not None:
            intent_code = fc.LOCAL_INTENT.get(therapy.intent)
            value = concept(fc.SCT, intent_code, text=therapy.intent)
            extensions.append({"url": fc.EXT_INTENT, "valueCodeableConcept": value})
        resource: Json = {
            "resourceType": "Procedure",
            "status": "completed",
            "code": code,
            "subject": self.subject(),
            "bodySite": [{"text": therapy.site}],
        }
        if meta is not None:
            resource["meta"] = meta
        if extensions:
            resource["extension"] = extensions
        if therapy.stop_date is None:
            resource["performedDateTime"] = iso(therapy.start_date)
        else:
            period = {"start": iso(therapy.start_date), "end": iso(therapy.stop_date)}
            resource["performedPeriod"] = period
        self.add(key, resource)

    def _dose(self, key: str, therapy: LocalTherapy) -> Json | None:
        if therapy.total_dose_gy is None and therapy.fractions is None:
            return None
        volume: Json = {
            "resourceType": "BodyStructure",
            "meta": _meta("radiotherapy-volume"),
            "description": therapy.site,
            "patient": self.subject(),
        }
        parts: list[Json] = [
            {"url": "volume", "valueReference": {"reference": self.add(f"{key}-volume", volume)}}
        ]
        if therapy.total_dose_gy is not None:
            dose = quantity(round(therapy.total_dose_gy * 100, 6), "cGy", "cGy")
            parts.append({"url": "totalDoseDelivered", "valueQuantity": dose})
        if therapy.fractions is not None:
            parts.append({"url": "fractionsDelivered", "valueUnsignedInt": therapy.fractions})
        return {"url": fc.EXT_DOSE_TO_VOLUME, "extension": parts}

    # --- adverse events ---------------------------------------------------------------------
    def _adverse_event(self, event: AdverseEvent) -> Json:
        grade = concept(fc.CTCAE_GRADE_SYSTEM, str(event.grade))
        extensions: list[Json] = [{"url": fc.EXT_CTCAE_GRADE, "valueCodeableConcept": grade}]
        if event.resolved_date is not None:
            extensions.append(
                {"url": fc.EXT_AE_RESOLVED, "valueDateTime": iso(event.resolved_date)}
            )
        seriousness = "serious" if event.serious else "non-serious"
        resource: Json = {
            "resourceType": "AdverseEvent",
            "extension": extensions,
            "actuality": "actual",
            "event": concept(text=event.term),
            "subject": self.subject(),
            "date": iso(event.onset_date),
            "seriousness": concept(fc.AE_SERIOUSNESS, seriousness),
        }
        if event.attributed_to:
            resource["suspectEntity"] = [
                {"instance": {"display": agent}} for agent in event.attributed_to
            ]
        return resource


def _component(code: str, value: Json) -> Json:
    return {"code": loinc(code), "valueCodeableConcept": value}


def _gene_component(symbol: str) -> Json:
    gene = gene_table().gene(symbol)
    hgnc = gene.hgnc_id if gene is not None and gene.symbol == symbol else None
    value = concept(fc.HGNC, hgnc, symbol, text=symbol) if hgnc else concept(text=symbol)
    return _component(fc.GENE_STUDIED, value)
