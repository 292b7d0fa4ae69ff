"""GA4GH Phenopackets v2 export of a case (``phenopackets`` protobuf bindings).

Mapping (details, codes and sources in ``docs/interop-research.md``; codes in
:mod:`oncoboard.io._phenopacket_codes`, each with its source and a ``verified`` flag):

- ``subject``: id, sex, date of birth (when recorded), age at ``as_of`` as an ISO 8601
  duration (``time_at_last_encounter``), taxonomy *Homo sapiens*.
- ``diseases``: the breast carcinoma (NCIT:C4872) with onset, primary site (breast), laterality,
  stage IV (when the stage group is IV) and clinical TNM findings (main categories, clinical
  basis); one ``Metastatic Neoplasm`` (NCIT:C3261) per metastatic site, with the organ as its
  site and the date it was documented as onset. This follows the Phenopackets v2 oncology
  example, where the metastasis carries NCIT:C3261.
- ``biosamples``: the primary tumour (breast, histology, primary progression, pathological TNM
  findings) and one sample per genomic report (tissue organ from the specimen site, or blood
  plasma / blood / saliva; sample type; primary or metastatic progression for tumour tissue).
- ``measurements``: ER, PR (positive/negative, with the percentage in the description) and HER2
  (IHC score, ISH result or ratio), with LOINC assay codes as used by mCODE.
- ``interpretations``: one per genomic report with variants; each variant a VRSATILE
  ``VariationDescriptor`` with gene context (HGNC id from the gene table), HGVS expressions,
  VCF record (when coordinates are known), allelic state (GENO), allele fraction (extension)
  and the ACMG class of germline reports. Therapeutic actionability is not in the case model and
  is exported as ``UNKNOWN_ACTIONABILITY``.
- ``medical_actions``: each treatment line as a therapeutic regimen (dates, status, best
  response) plus one treatment per agent (drug vocabulary term); radiotherapy with dose and
  fractions as ``radiation_therapy``, other local therapies as procedures; current medications
  with an RxNorm code.
- ``meta_data``: created, created_by, schema version 2.0 and every resource whose prefix is
  used.

References
----------
GA4GH Phenopacket Schema v2 documentation, "A complete example: Oncology" and the element
pages (phenopacket-schema.readthedocs.io); Jacobsen JOB et al. Nat Biotechnol 2022;40:817-820.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import phenopackets as pp  # type: ignore[import-untyped]
from google.protobuf import json_format  # type: ignore[import-untyped]

from oncoboard.io import _phenopacket_codes as codes
from oncoboard.io._deid_text import generalise_site
from oncoboard.io._phenopacket_codes import Term
from oncoboard.io._phenopacket_validate import iter_messages, validate_phenopacket
from oncoboard.knowledge.drugs import drug_vocabulary
from oncoboard.knowledge.genes import gene_table
from oncoboard.model import (
    Agent,
    Case,
    GenomicReport,
    HER2Test,
    HormoneReceptorTest,
    LocalTherapy,
    SampleOrigin,
    SpecimenType,
    TreatmentLine,
    Variant,
)
from oncoboard.model.patient import Sex
from oncoboard.model.receptors import HER2IHCScore, ISHResult, Specimen, TestMethod
from oncoboard.model.treatment import StopReason

__all__ = ["SCHEMA_VERSION", "case_to_phenopacket", "phenopacket_json", "validate_phenopacket"]

SCHEMA_VERSION = "2.0"
_SEX = {Sex.FEMALE: pp.FEMALE, Sex.MALE: pp.MALE, Sex.OTHER: pp.OTHER_SEX}
_ACMG = {
    "pathogenic": pp.PATHOGENIC,
    "likely_pathogenic": pp.LIKELY_PATHOGENIC,
    "uncertain_significance": pp.UNCERTAIN_SIGNIFICANCE,
    "likely_benign": pp.LIKELY_BENIGN,
    "benign": pp.BENIGN,
}
_IHC_SCORE = {
    HER2IHCScore.ZERO: (0, "0"),
    HER2IHCScore.ZERO_MEMBRANE: (0, "0 with membrane staining (HER2-ultralow)"),
    HER2IHCScore.ONE: (1, "1+"),
    HER2IHCScore.TWO: (2, "2+"),
    HER2IHCScore.THREE: (3, "3+"),
}
_RADIATION = {
    "stereotactic_radiosurgery",
    "stereotactic_body_radiotherapy",
    "whole_brain_radiotherapy",
    "external_beam_radiotherapy",
}
_PRIMARY_TUMOUR = "primary-tumour"


def _oc(term: Term) -> Any:
    return pp.OntologyClass(id=term.id, label=term.label)


def _timestamp(day: dt.date) -> Any:
    from google.protobuf.timestamp_pb2 import Timestamp  # type: ignore[import-untyped]

    stamp = Timestamp()
    stamp.FromDatetime(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))
    return stamp


def _time(day: dt.date) -> Any:
    return pp.TimeElement(timestamp=_timestamp(day))


def _age(case: Case) -> int | None:
    born, on = case.patient.birth_date, case.as_of
    if born is not None and on is not None:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return case.patient.age_years


def _subject(case: Case) -> Any:
    patient = case.patient
    subject = pp.Individual(
        id=patient.id, sex=_SEX.get(patient.sex, pp.UNKNOWN_SEX), taxonomy=_oc(codes.HOMO_SAPIENS)
    )
    if patient.birth_date is not None:
        subject.date_of_birth.CopyFrom(_timestamp(patient.birth_date))
    age = _age(case)
    if age is not None:
        subject.time_at_last_encounter.CopyFrom(
            pp.TimeElement(age=pp.Age(iso8601duration=f"P{age}Y"))
        )
    return subject


def _tnm(value: str | None) -> Term | None:
    match = re.match(r"^([TNM])(\d)", value or "")
    return codes.TNM.get(match.group(1) + match.group(2)) if match else None


def _tnm_findings(case: Case) -> list[Any]:
    stage = case.primary_diagnosis.stage
    if stage is None:
        return []
    terms = (_tnm(stage.t), _tnm(stage.n), _tnm(stage.m))
    return [_oc(term) for term in terms if term is not None]


def _diseases(case: Case) -> list[Any]:
    diagnosis = case.primary_diagnosis
    primary = pp.Disease(
        term=_oc(codes.BREAST_CARCINOMA),
        onset=_time(diagnosis.date),
        primary_site=_oc(codes.BREAST),
    )
    if diagnosis.laterality is not None:
        primary.laterality.CopyFrom(_oc(codes.LATERALITY[diagnosis.laterality.value]))
    stage = diagnosis.stage
    if stage is not None and stage.group == "IV":
        primary.disease_stage.append(_oc(codes.STAGE_IV))
    if stage is not None and stage.basis == "clinical":
        primary.clinical_tnm_finding.extend(_tnm_findings(case))
    diseases = [primary]
    for site in case.metastatic_sites:
        metastasis = pp.Disease(term=_oc(codes.METASTATIC_NEOPLASM), onset=_time(site.date))
        organ = codes.SITE_TISSUE.get(site.site)
        if organ is not None:
            metastasis.primary_site.CopyFrom(_oc(organ))
        diseases.append(metastasis)
    return diseases


def _histology(case: Case) -> Term:
    return codes.HISTOLOGY.get(case.primary_diagnosis.histology, codes.BREAST_CARCINOMA)


def _organ(site: str | None) -> Term | None:
    organ = generalise_site(site) if site else None
    return codes.ORGANS.get(organ) if organ is not None else None


def _primary_sample(case: Case) -> Any:
    sample = pp.Biosample(
        id=_PRIMARY_TUMOUR,
        individual_id=case.patient.id,
        sampled_tissue=_oc(codes.BREAST),
        sample_type=_oc(codes.SAMPLE_TYPE[SpecimenType.TISSUE]),
        histological_diagnosis=_oc(_histology(case)),
        tumor_progression=_oc(codes.TUMOR_PROGRESSION[Specimen.PRIMARY]),
        time_of_collection=_time(case.primary_diagnosis.date),
    )
    stage = case.primary_diagnosis.stage
    if stage is not None and stage.basis != "clinical":
        sample.pathological_tnm_finding.extend(_tnm_findings(case))
    return sample


def _sample_id(report: GenomicReport) -> str:
    return f"sample-{report.id}"


def _report_sample(case: Case, report: GenomicReport) -> Any:
    sample = pp.Biosample(
        id=_sample_id(report),
        individual_id=case.patient.id,
        description=f"{report.assay} ({report.specimen_type.value}, {report.origin.value})",
        sample_type=_oc(codes.SAMPLE_TYPE[report.specimen_type]),
        time_of_collection=_time(report.date),
    )
    if report.specimen_type is not SpecimenType.TISSUE:
        sample.sampled_tissue.CopyFrom(_oc(codes.SPECIMEN_TISSUE[report.specimen_type]))
        return sample
    organ = _organ(report.specimen_site)
    sample.sampled_tissue.CopyFrom(_oc(organ or codes.UNKNOWN))
    sample.procedure.CopyFrom(pp.Procedure(code=_oc(codes.BIOPSY)))
    if report.origin is SampleOrigin.SOMATIC:
        sample.histological_diagnosis.CopyFrom(_oc(_histology(case)))
        if organ is not None:
            where = Specimen.PRIMARY if organ == codes.BREAST else Specimen.METASTASIS
            sample.tumor_progression.CopyFrom(_oc(codes.TUMOR_PROGRESSION[where]))
    return sample


def _biosamples(case: Case) -> list[Any]:
    return [_primary_sample(case), *(_report_sample(case, r) for r in case.genomic_reports)]


def _procedure(test: HormoneReceptorTest | HER2Test) -> Any:
    procedure = pp.Procedure(code=_oc(codes.BIOPSY), performed=_time(test.date))
    organ = codes.BREAST if test.specimen is Specimen.PRIMARY else _organ(test.specimen_site)
    if organ is not None:
        procedure.body_site.CopyFrom(_oc(organ))
    return procedure


def _finding(positive: bool) -> Any:
    return pp.Value(ontology_class=_oc(codes.POSITIVE if positive else codes.NEGATIVE))


def _quantity(value: float, unit: str, label: str) -> Any:
    return pp.Value(quantity=pp.Quantity(value=value, unit=pp.OntologyClass(id=unit, label=label)))


def _hormone_measurement(test: HormoneReceptorTest) -> Any | None:
    if test.method is not TestMethod.IHC:
        return None  # RNA-based ER/PR has no immune-stain LOINC code here
    assay = codes.LOINC_ER if test.receptor == "ER" else codes.LOINC_PR
    if test.percent is not None:
        positive = test.percent >= 1  # ASCO/CAP 2020: >=1% of nuclei is positive
        detail = f"{test.percent:g}% of tumour nuclei stained"
    else:
        positive = test.interpretation is not None and test.interpretation.value == "positive"
        detail = "interpretation only"
    if test.intensity is not None:
        detail += f", {test.intensity} intensity"
    return pp.Measurement(
        description=f"{test.receptor} by IHC: {detail} ({test.specimen.value} specimen)",
        assay=_oc(assay),
        value=_finding(positive),
        time_observed=_time(test.date),
        procedure=_procedure(test),
    )


def _her2_measurement(test: HER2Test) -> Any | None:
    if test.method is TestMethod.IHC and test.ihc_score is not None:
        score, text = _IHC_SCORE[test.ihc_score]
        assay, value = codes.LOINC_HER2_IHC, _quantity(score, "UCUM:{score}", "IHC score")
        detail = f"IHC {text}"
    elif test.ish_result in (ISHResult.AMPLIFIED, ISHResult.NOT_AMPLIFIED):
        assay, value = codes.LOINC_HER2_ISH, _finding(test.ish_result is ISHResult.AMPLIFIED)
        detail = f"{test.method.value} {test.ish_result.value}"
    elif test.ish_ratio is not None:
        assay, value = codes.LOINC_HER2_ISH, _quantity(test.ish_ratio, "UCUM:{ratio}", "ratio")
        detail = f"{test.method.value} HER2/CEP17 ratio"
    else:
        return None
    if test.ish_ratio is not None:
        detail += f", HER2/CEP17 ratio {test.ish_ratio:g}"
    if test.her2_copies_per_cell is not None:
        detail += f", {test.her2_copies_per_cell:g} HER2 signals per cell"
    return pp.Measurement(
        description=f"HER2 {detail} ({test.specimen.value} specimen)",
        assay=_oc(assay),
        value=value,
        time_observed=_time(test.date),
        procedure=_procedure(test),
    )


def _measurements(case: Case) -> list[Any]:
    found = (
        _hormone_measurement(test)
        if isinstance(test, HormoneReceptorTest)
        else _her2_measurement(test)
        for test in case.receptors
    )
    return [measurement for measurement in found if measurement is not None]


def _gene(symbol: str) -> Any:
    gene = gene_table().gene(symbol)
    hgnc = gene.hgnc_id if gene is not None and gene.hgnc_id else f"HGNC.SYMBOL:{symbol}"
    return pp.GeneDescriptor(value_id=hgnc, symbol=symbol)


def _descriptor(report: GenomicReport, index: int, variant: Variant) -> Any:
    change = variant.hgvs_p or variant.hgvs_c or f"g.{variant.position}"
    descriptor = pp.VariationDescriptor(
        id=f"{report.id}-variant-{index + 1}",
        label=f"{variant.gene} {change}",
        gene_context=_gene(variant.gene),
        molecule_context=pp.transcript if variant.hgvs_c else pp.protein,
    )
    if variant.hgvs_c is not None:
        value = f"{variant.transcript}:{variant.hgvs_c}" if variant.transcript else variant.hgvs_c
        descriptor.expressions.append(pp.Expression(syntax="hgvs.c", value=value))
    if variant.hgvs_p is not None:
        descriptor.expressions.append(pp.Expression(syntax="hgvs.p", value=variant.hgvs_p))
    coordinates = (variant.genome_build, variant.chromosome, variant.position, variant.ref)
    if all(part is not None for part in coordinates) and variant.alt is not None:
        descriptor.molecule_context = pp.genomic
        descriptor.vcf_record.CopyFrom(
            pp.VcfRecord(
                genome_assembly=str(variant.genome_build),
                chrom=str(variant.chromosome),
                pos=variant.position,
                ref=variant.ref,
                alt=variant.alt,
            )
        )
    if variant.zygosity is not None:
        descriptor.allelic_state.CopyFrom(_oc(codes.ZYGOSITY[variant.zygosity]))
    if variant.vaf is not None:
        descriptor.extensions.append(
            pp.Extension(name="allele_frequency", value=f"{variant.vaf:g}")
        )
    return descriptor


def _interpretation(case: Case, report: GenomicReport) -> Any:
    subject = case.patient.id if report.origin is SampleOrigin.GERMLINE else _sample_id(report)
    found = [
        pp.GenomicInterpretation(
            subject_or_biosample_id=subject,
            interpretation_status=pp.GenomicInterpretation.UNKNOWN_STATUS,
            variant_interpretation=pp.VariantInterpretation(
                acmg_pathogenicity_classification=_ACMG.get(
                    variant.classification.value if variant.classification else "", pp.NOT_PROVIDED
                ),
                therapeutic_actionability=pp.UNKNOWN_ACTIONABILITY,
                variation_descriptor=_descriptor(report, index, variant),
            ),
        )
        for index, variant in enumerate(report.variants)
    ]
    return pp.Interpretation(
        id=f"interpretation-{report.id}",
        progress_status=pp.Interpretation.COMPLETED,
        diagnosis=pp.Diagnosis(disease=_oc(codes.BREAST_CARCINOMA), genomic_interpretations=found),
    )


def _agent(agent: Agent) -> Any:
    drug = None if agent.investigational else drug_vocabulary().lookup(agent.name)
    if drug is None:
        return pp.OntologyClass(id="oncoboard.drug:investigational", label=agent.name)
    return pp.OntologyClass(id=f"oncoboard.drug:{drug.name.replace(' ', '_')}", label=drug.name)


def _regimen_status(line: TreatmentLine) -> Any:
    if line.stop_date is None:
        return pp.TherapeuticRegimen.STARTED
    if line.reason_stopped in (None, StopReason.COMPLETED):
        return pp.TherapeuticRegimen.COMPLETED
    return pp.TherapeuticRegimen.DISCONTINUED


def _line_actions(index: int, line: TreatmentLine) -> Iterator[Any]:
    number = f" line {line.line}" if line.line is not None else ""
    regimen = pp.TherapeuticRegimen(
        external_reference=pp.ExternalReference(
            id=f"treatment-line:{line.id or index + 1}",
            description=f"{line.setting.value}{number}: "
            + " + ".join(agent.name for agent in line.agents),
        ),
        start_time=_time(line.start_date),
        regimen_status=_regimen_status(line),
    )
    if line.stop_date is not None:
        regimen.end_time.CopyFrom(_time(line.stop_date))
    response = codes.BEST_RESPONSE.get(line.best_response) if line.best_response else None
    common: dict[str, Any] = {"treatment_target": _oc(codes.BREAST_CARCINOMA)}
    if response is not None:
        common["response_to_treatment"] = _oc(response)
    yield pp.MedicalAction(therapeutic_regimen=regimen, **common)
    for agent in line.agents:
        treatment = pp.Treatment(agent=_agent(agent), drug_type=pp.PRESCRIPTION)
        yield pp.MedicalAction(treatment=treatment, **common)


def _local_action(therapy: LocalTherapy) -> Any | None:
    term = codes.LOCAL_THERAPY.get(therapy.kind)
    if term is None:
        return None
    organ = _organ(therapy.site)
    dose, fractions = therapy.total_dose_gy, therapy.fractions
    if (
        therapy.kind.value in _RADIATION
        and organ is not None
        and dose is not None
        and fractions is not None
        and float(dose).is_integer()
    ):
        return pp.MedicalAction(
            radiation_therapy=pp.RadiationTherapy(
                modality=_oc(term), body_site=_oc(organ), dosage=int(dose), fractions=fractions
            )
        )
    procedure = pp.Procedure(code=_oc(term), performed=_time(therapy.start_date))
    if organ is not None:
        procedure.body_site.CopyFrom(_oc(organ))
    return pp.MedicalAction(procedure=procedure)


def _medical_actions(case: Case) -> list[Any]:
    actions = [a for i, line in enumerate(case.treatments) for a in _line_actions(i, line)]
    actions += [a for a in map(_local_action, case.local_therapies) if a is not None]
    actions += [
        pp.MedicalAction(
            treatment=pp.Treatment(
                agent=pp.OntologyClass(id=f"RXNORM:{medication.rxnorm}", label=medication.name),
                drug_type=pp.EHR_MEDICATION_LIST,
            )
        )
        for medication in case.medications
        if medication.rxnorm is not None
    ]
    return actions


def _meta_data(packet: Any, created_by: str, created: dt.datetime) -> Any:
    used = set()
    for _, message in iter_messages(packet, "phenopacket"):
        curie = getattr(message, "value_id", "") or (
            message.id if message.DESCRIPTOR.name == "OntologyClass" else ""
        )
        if ":" in curie:
            used.add(curie.split(":", 1)[0])
    meta = pp.MetaData(created_by=created_by, phenopacket_schema_version=SCHEMA_VERSION)
    meta.created.FromDatetime(created.astimezone(dt.UTC))
    for prefix in sorted(used & codes.RESOURCES.keys()):
        resource = codes.RESOURCES[prefix]
        version = drug_vocabulary().version if prefix == "oncoboard.drug" else resource.version
        meta.resources.append(
            pp.Resource(
                id=resource.id,
                name=resource.name,
                url=resource.url,
                version=version,
                namespace_prefix=resource.namespace_prefix,
                iri_prefix=resource.iri_prefix,
            )
        )
    return meta


def case_to_phenopacket(
    case: Case, *, created_by: str = "oncoboard", created: dt.datetime | None = None
) -> Any:
    """The case as a GA4GH Phenopacket v2 (``phenopackets.Phenopacket``).

    The packet carries the case's identifiers and dates as they are: de-identify first
    (:func:`oncoboard.io.deidentify.deidentify_case`) for research export.

    Parameters
    ----------
    case
        The case to export.
    created_by
        ``meta_data.created_by``.
    created
        ``meta_data.created`` (timezone-aware); defaults to now (UTC).
    """
    packet = pp.Phenopacket(
        id=f"oncoboard-{case.patient.id}",
        subject=_subject(case),
        diseases=_diseases(case),
        biosamples=_biosamples(case),
        measurements=_measurements(case),
        interpretations=[_interpretation(case, r) for r in case.genomic_reports if r.variants],
        medical_actions=_medical_actions(case),
    )
    packet.meta_data.CopyFrom(_meta_data(packet, created_by, created or dt.datetime.now(dt.UTC)))
    return packet


def phenopacket_json(case: Case, *, created: dt.datetime | None = None) -> str:
    """The case as Phenopacket v2 JSON (protobuf ``MessageToJson``, camelCase field names)."""
    return str(json_format.MessageToJson(case_to_phenopacket(case, created=created)))
