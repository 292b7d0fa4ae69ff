"""Copy-number events, fusions, TMB and MSI in FHIR (mCODE STU4 GenomicVariant, GR TMB/MSI):
the demo cases' results survive the round trip, and the shapes of the IG's own GenomeX examples
(EX_GenomeX.fsh: CDKN2A loss, MYCN gain, MET-ALK fusion, TMB 57.1, MSI-H) are read."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from oncoboard.io import load_case
from oncoboard.io.fhir import _codes as fc
from oncoboard.io.fhir import case_to_fhir, mcode_subset, read_fhir_bundle
from oncoboard.model import Case, GenomicReport
from tests.conftest import EXAMPLES

LNC = "http://loinc.org"
HGNC = "http://www.genenames.org/geneId"


def _case(prefix: str) -> Case:
    return load_case(next(EXAMPLES.glob(f"{prefix}-*")))


def _round_trip(case: Case) -> Case:
    bundle = case_to_fhir(case)
    Bundle.model_validate(bundle)
    return read_fhir_bundle(bundle).case


def _report(case: Case, report_id: str) -> GenomicReport:
    return next(r for r in case.genomic_reports if r.id == report_id)


def _resources(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if any(c.get("code") == code for c in e["resource"].get("code", {}).get("coding", []))
    ]


def _component(resource: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [c for c in resource["component"] if c["code"]["coding"][0]["code"] == code]


def test_erbb2_amplification_keeps_level_and_copy_number():
    case = _case("mbc-007")
    tissue = next(r for r in case.genomic_reports if r.copy_number)
    back = _report(_round_trip(case), tissue.id)
    assert back.copy_number == tissue.copy_number
    erbb2 = next(c for c in back.copy_number if c.gene == "ERBB2")
    assert (erbb2.type.value, erbb2.copy_number) == ("amplification", 24)


def test_copy_number_observation_uses_the_ig_codes():
    bundle = case_to_fhir(_case("mbc-007"))
    cnvs = [
        v
        for v in _resources(bundle, fc.VARIANT)
        if _component(v, fc.MOLECULAR_CONSEQUENCE) and _component(v, fc.COPY_NUMBER)
    ]
    erbb2 = next(
        v
        for v in cnvs
        if _component(v, fc.GENE_STUDIED)[0]["valueCodeableConcept"]["text"] == "ERBB2"
    )
    consequence = _component(erbb2, fc.MOLECULAR_CONSEQUENCE)[0]["valueCodeableConcept"]
    assert consequence["coding"][0]["code"] == "SO:0001742"  # copy_number_gain
    assert _component(erbb2, fc.COPY_NUMBER)[0]["valueQuantity"]["value"] == 24
    level = _component(erbb2, "copy-number-level")[0]
    assert level["code"]["coding"][0]["system"] == fc.CNV_LEVEL_SYSTEM
    assert level["valueCodeableConcept"]["coding"][0]["code"] == "amplification"
    assert erbb2["valueCodeableConcept"]["coding"][0]["code"] == fc.PRESENT
    # referenced from the report's DiagnosticReport.result, like the sequence variants
    results = {
        r["reference"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DiagnosticReport"
        for r in e["resource"].get("result", [])
    }
    assert next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is erbb2) in results


def test_every_copy_number_level_survives(make_case):
    events = [
        {"gene": "ERBB2", "type": "amplification", "copy_number": 4.8},
        {"gene": "CCND1", "type": "gain"},
        {"gene": "PTEN", "type": "loss", "copy_number": 1},
        {"gene": "CDKN2A", "type": "deep_deletion", "copy_number": 0},
    ]
    report = {
        "id": "R1",
        "date": "2024-01-02",
        "specimen_type": "tissue",
        "origin": "somatic",
        "assay": "panel",
        "copy_number": events,
    }
    case = make_case(genomic_reports=[report])
    back = _round_trip(case)
    assert back.genomic_reports[0].copy_number == case.genomic_reports[0].copy_number
    assert mcode_subset(back) == mcode_subset(case)


def test_etv6_ntrk3_fusion_keeps_gene_order():
    case = _case("mbc-013")
    source = next(r for r in case.genomic_reports if r.fusions)
    bundle = case_to_fhir(case)
    fusion = next(v for v in _resources(bundle, fc.VARIANT) if _component(v, fc.CODING_CHANGE_TYPE))
    genes = [c["valueCodeableConcept"]["text"] for c in _component(fusion, fc.GENE_STUDIED)]
    assert genes == ["ETV6", "NTRK3"]
    change = _component(fusion, fc.CODING_CHANGE_TYPE)[0]["valueCodeableConcept"]
    assert change["coding"][0]["code"] == "SO:0002062"
    back = _report(read_fhir_bundle(bundle).case, source.id)
    assert [(f.gene_5p, f.gene_3p) for f in back.fusions] == [("ETV6", "NTRK3")]
    assert back.fusions[0].in_frame is None  # not carried (no standard component)


def test_msi_high_and_tmb_of_mbc_012_survive():
    case = _case("mbc-012")
    back = _round_trip(case)
    for report in case.genomic_reports:
        got = _report(back, report.id)
        assert (got.msi is None) == (report.msi is None)
        if report.msi is not None and got.msi is not None:
            assert (got.msi.status, got.msi.method) == (report.msi.status, report.msi.method)
        assert (got.tmb.value if got.tmb else None) == (report.tmb.value if report.tmb else None)
    tissue = _report(back, "MBC-012-F1CDX-2025")
    assert tissue.msi is not None and tissue.msi.status.value == "MSI-H"
    assert tissue.tmb is not None and tissue.tmb.value == 38
    msi = _resources(case_to_fhir(case), fc.MSI)
    answers = {m["valueCodeableConcept"]["coding"][0]["code"] for m in msi}
    assert "LA26203-2" in answers  # MSI-H, as in the IG's gx-genomic-msi
    assert all(fc.GR_MSI_PROFILE in m["meta"]["profile"] for m in msi)


def _observation(oid: str, code: dict[str, Any], patient: str, **fields: Any) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{oid}",
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "laboratory",
                        }
                    ]
                }
            ],
            "code": code,
            "subject": {"reference": patient},
            "effectiveDateTime": "2019-04-01",
            **fields,
        },
    }


def _gene(hgnc: str, symbol: str, entrez: str) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": LNC, "code": "48018-6"}]},
        "valueCodeableConcept": {
            "coding": [
                {"system": HGNC, "code": hgnc, "display": symbol},
                {"system": "http://www.ncbi.nlm.nih.gov/gene", "code": entrez, "display": symbol},
            ]
        },
    }


def _comp(system: str, code: str, value_system: str, value: str, display: str) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": system, "code": code}]},
        "valueCodeableConcept": {
            "coding": [{"system": value_system, "code": value, "display": display}]
        },
    }


def _genomex_variant(oid: str, patient: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    somatic = _comp(LNC, "48002-0", LNC, "LA6684-0", "Somatic")
    return _observation(
        oid,
        {"coding": [{"system": LNC, "code": "69548-6"}]},
        patient,
        method={"coding": [{"system": LNC, "code": "LA26398-0", "display": "Sequencing"}]},
        valueCodeableConcept={
            "coding": [{"system": LNC, "code": "LA9633-4", "display": "Present"}]
        },
        component=[*components, somatic],
    )


def test_ig_genomex_examples_are_read():
    """Values of EX_GenomeX.fsh (gx-genomic-variant-somatic-cdkn2a-cnv, -mycn,
    gx-genomic-variant-fusion-met-alk, gx-genomic-tmb, gx-genomic-msi). The TMB and MSI
    instances take their code from the GR profile (94076-7, 81695-9), written here."""
    bundle = case_to_fhir(_case("mbc-001"))
    patient = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    so = "http://www.sequenceontology.org/"
    tbd = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
    grch37 = _comp(LNC, "62374-4", LNC, "LA14029-5", "GRCh37")
    entries = [
        _genomex_variant(
            "gx-cdkn2a-cnv",
            patient,
            [
                _gene("HGNC:1787", "CDKN2A", "1029"),
                _comp(tbd, "molecular-consequence", so, "SO:0001743", "copy_number_loss"),
                grch37,
            ],
        ),
        _genomex_variant(
            "gx-mycn",
            patient,
            [
                _gene("HGNC:7559", "MYCN", "4613"),
                _comp(tbd, "molecular-consequence", so, "SO:0001742", "copy_number_gain"),
                grch37,
            ],
        ),
        _genomex_variant(
            "gx-fusion-met-alk",
            patient,
            [
                _gene("HGNC:7029", "MET", "4233"),
                _gene("HGNC:427", "ALK", "238"),
                _comp(LNC, "48019-4", so, "SO:0002062", "complex chromosomal rearrangement"),
            ],
        ),
        _observation(
            "gx-tmb",
            {"coding": [{"system": LNC, "code": "94076-7"}]},
            patient,
            valueQuantity={"value": 57.1},
        ),
        _observation(
            "gx-msi",
            {"coding": [{"system": LNC, "code": "81695-9"}]},
            patient,
            valueCodeableConcept={
                "coding": [{"system": LNC, "code": "LA26203-2", "display": "MSI-H"}]
            },
        ),
    ]
    specimen = {
        "fullUrl": "urn:uuid:gx-specimen",
        "resource": {
            "resourceType": "Specimen",
            "id": "gx-specimen",
            "type": {"coding": [{"system": fc.SPECIMEN_TYPE, "code": "TUMOR"}]},
            "subject": {"reference": patient},
            "collection": {"collectedDateTime": "2019-04-01"},
        },
    }
    report = {
        "fullUrl": "urn:uuid:gx-report",
        "resource": {
            "resourceType": "DiagnosticReport",
            "id": "gx-report",
            "status": "final",
            "code": {"coding": [{"system": LNC, "code": "51969-4"}], "text": "GenomeX"},
            "subject": {"reference": patient},
            "effectiveDateTime": "2019-04-01",
            "specimen": [{"reference": "urn:uuid:gx-specimen"}],
            "result": [{"reference": e["fullUrl"]} for e in entries],
        },
    }
    bundle["entry"] += [specimen, *entries, report]
    Bundle.model_validate(bundle)
    result = read_fhir_bundle(bundle)
    got = _report(result.case, "gx-report")
    assert [(c.gene, c.type.value, c.copy_number) for c in got.copy_number] == [
        ("CDKN2A", "loss", None),
        ("MYCN", "gain", None),
    ]
    assert [(f.gene_5p, f.gene_3p) for f in got.fusions] == [("MET", "ALK")]
    assert got.tmb is not None and got.tmb.value == 57.1
    assert got.msi is not None and got.msi.status.value == "MSI-H"
    assert got.origin.value == "somatic"
    skipped_ids = {s.resource_id for s in result.skipped}
    assert not skipped_ids & {e["resource"]["id"] for e in entries}
