"""GA4GH Phenopackets v2 export: every demo case exports and validates; pinned content."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import phenopackets as pp  # type: ignore[import-untyped]
import pytest
from google.protobuf import json_format  # type: ignore[import-untyped]

from oncoboard.io import _phenopacket_codes as codes
from oncoboard.io.case_file import load_case
from oncoboard.io.deidentify import deidentify_case
from oncoboard.io.phenopackets import case_to_phenopacket, phenopacket_json, validate_phenopacket
from oncoboard.model import Case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
DEMO = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".json"})
CREATED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
SECRET = b"test-site-secret-0123456789"


def _case(prefix: str) -> Case:
    return load_case(next(p for p in DEMO if p.stem.startswith(prefix)))


def _packet(case: Case) -> Any:
    return case_to_phenopacket(case, created=CREATED)


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_every_demo_case_exports_and_validates(path: Path) -> None:
    packet = _packet(load_case(path))
    assert validate_phenopacket(packet) == []
    parsed = json_format.Parse(phenopacket_json(load_case(path), created=CREATED), pp.Phenopacket())
    assert parsed == packet


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_deidentified_demo_cases_export_and_validate(path: Path) -> None:
    case = load_case(path)
    result = deidentify_case(case, secret=SECRET)
    text = phenopacket_json(result.case, created=CREATED)
    assert validate_phenopacket(json_format.Parse(text, pp.Phenopacket())) == []
    assert case.patient.id not in text
    assert result.pseudonym in text


def test_meta_data_lists_the_resources_used() -> None:
    packet = _packet(_case("mbc-002"))
    meta = packet.meta_data
    assert meta.phenopacket_schema_version == "2.0"
    assert meta.created_by == "oncoboard"
    assert meta.created.ToDatetime(tzinfo=dt.UTC) == CREATED
    prefixes = {resource.namespace_prefix for resource in meta.resources}
    assert {"NCIT", "UBERON", "LOINC", "HGNC", "NCBITaxon", "oncoboard.drug"} <= prefixes
    assert all(resource.version and resource.iri_prefix for resource in meta.resources)


def test_pik3ca_variant_er_status_and_agents_of_mbc_002() -> None:
    case = _case("mbc-002")
    packet = _packet(case)
    # the case file: PIK3CA c.3140A>G p.H1047R on NM_006218.4, FoundationOne CDx liver biopsy
    tissue = next(i for i in packet.interpretations if "F1CDX" in i.id)
    descriptor = tissue.diagnosis.genomic_interpretations[0].variant_interpretation
    variation = descriptor.variation_descriptor
    assert variation.gene_context.symbol == "PIK3CA"
    assert variation.gene_context.value_id == "HGNC:8975"
    expressions = {e.syntax: e.value for e in variation.expressions}
    assert expressions == {"hgvs.c": "NM_006218.4:c.3140A>G", "hgvs.p": "p.H1047R"}
    assert {e.name: e.value for e in variation.extensions} == {"allele_frequency": "0.31"}
    assert tissue.diagnosis.genomic_interpretations[0].subject_or_biosample_id == (
        "sample-MBC-002-F1CDX-1"
    )
    sample = next(s for s in packet.biosamples if s.id == "sample-MBC-002-F1CDX-1")
    assert sample.sampled_tissue.id == "UBERON:0002107"  # liver (segment VI core biopsy)
    assert sample.tumor_progression.id == "NCIT:C3261"  # metastatic
    # ER 95% on the primary (2016-03-14): positive, LOINC 85337-4
    er = packet.measurements[0]
    assert er.assay.id == "LOINC:85337-4"
    assert er.value.ontology_class.id == codes.POSITIVE.id
    assert "95% of tumour nuclei" in er.description
    assert er.time_observed.timestamp.ToDatetime().date() == dt.date(2016, 3, 14)
    # line 1: letrozole + abemaciclib, 2022-10-31 to 2025-01-27, stopped for progression, PR
    agents = [a.treatment.agent.label for a in packet.medical_actions if a.HasField("treatment")]
    assert agents[:5] == [
        "docetaxel",
        "cyclophosphamide",
        "anastrozole",
        "letrozole",
        "abemaciclib",
    ]
    regimen = packet.medical_actions[5].therapeutic_regimen
    assert regimen.start_time.timestamp.ToDatetime().date() == dt.date(2022, 10, 31)
    assert regimen.end_time.timestamp.ToDatetime().date() == dt.date(2025, 1, 27)
    assert regimen.regimen_status == pp.TherapeuticRegimen.DISCONTINUED
    assert packet.medical_actions[5].response_to_treatment.label == "Partial Remission"
    metformin = [
        a.treatment.agent
        for a in packet.medical_actions
        if a.treatment.drug_type == pp.EHR_MEDICATION_LIST
    ]
    assert ("RXNORM:6809", "metformin") in {(a.id, a.label) for a in metformin}


def test_germline_brca2_and_disease_of_mbc_006() -> None:
    case = _case("mbc-006")
    germline = next(r for r in case.genomic_reports if r.origin.value == "germline")
    packet = _packet(case)
    interpretation = next(i for i in packet.interpretations if i.id.endswith(germline.id))
    found = interpretation.diagnosis.genomic_interpretations[0]
    assert found.subject_or_biosample_id == case.patient.id
    variant = found.variant_interpretation
    assert variant.acmg_pathogenicity_classification == pp.PATHOGENIC
    assert variant.variation_descriptor.gene_context.symbol == germline.variants[0].gene
    assert variant.variation_descriptor.allelic_state.id == "GENO:0000135"
    primary = packet.diseases[0]
    assert primary.term.id == "NCIT:C4872"
    assert primary.primary_site.id == "UBERON:0000310"
    assert primary.onset.timestamp.ToDatetime().date() == case.primary_diagnosis.date
    metastases = [d for d in packet.diseases if d.term.id == "NCIT:C3261"]
    assert len(metastases) == len(case.metastatic_sites)


def test_de_novo_stage_iv_and_clinical_tnm() -> None:
    packet = _packet(_case("mbc-001"))  # de novo cT2 N1 M1, stage IV
    primary = packet.diseases[0]
    assert [t.id for t in primary.disease_stage] == ["NCIT:C27971"]
    assert [t.label for t in primary.clinical_tnm_finding] == [
        "T2 Stage Finding",
        "N1 Stage Finding",
        "M1 Stage Finding",
    ]


def test_radiosurgery_is_a_radiation_therapy() -> None:
    packet = _packet(_case("mbc-008"))
    radiation = [
        a.radiation_therapy for a in packet.medical_actions if a.HasField("radiation_therapy")
    ]
    assert radiation and all(r.body_site.id == "UBERON:0000955" for r in radiation)
    assert {r.modality.id for r in radiation} == {"NCIT:C15358"}


def test_a_missing_resource_and_a_missing_label_are_reported() -> None:
    packet = _packet(_case("mbc-002"))
    broken = pp.Phenopacket()
    broken.CopyFrom(packet)
    kept = [r for r in broken.meta_data.resources if r.namespace_prefix != "LOINC"]
    del broken.meta_data.resources[:]
    broken.meta_data.resources.extend(kept)
    broken.diseases[0].term.label = ""
    problems = validate_phenopacket(broken)
    assert any("'LOINC'" in p and "metaData.resources" in p for p in problems)
    assert any(p.startswith("phenopacket.diseases[0].term") and "no label" in p for p in problems)


def test_missing_meta_data_fields_and_schema_version_are_reported() -> None:
    packet = _packet(_case("mbc-001"))
    packet.meta_data.phenopacket_schema_version = "1.0"
    packet.meta_data.created_by = ""
    packet.id = ""
    problems = validate_phenopacket(packet)
    assert "id: required" in problems
    assert "metaData.createdBy: required" in problems
    assert any("phenopacketSchemaVersion" in p for p in problems)
    assert validate_phenopacket(pp.Phenopacket(id="x")) == ["metaData: required"]


def test_every_term_in_the_code_tables_has_a_declared_resource_and_source() -> None:
    terms = [value for value in vars(codes).values() if isinstance(value, codes.Term)] + [
        term
        for table in vars(codes).values()
        if isinstance(table, dict)
        for term in table.values()
        if isinstance(term, codes.Term)
    ]
    assert terms
    for term in terms:
        assert term.prefix in codes.RESOURCES, term
        assert term.label and term.source, term


def test_the_json_is_camel_case_protobuf_json() -> None:
    document = json.loads(phenopacket_json(_case("mbc-005"), created=CREATED))
    assert document["metaData"]["phenopacketSchemaVersion"] == "2.0"
    assert document["subject"]["sex"] == "FEMALE"
