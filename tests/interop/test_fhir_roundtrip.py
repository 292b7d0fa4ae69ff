"""Case → FHIR (mCODE STU4) → case keeps every field mCODE carries, for every demo case."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.R4B.bundle import Bundle

from oncoboard.io import load_case
from oncoboard.io.fhir import case_to_fhir, mcode_subset, read_fhir_bundle
from oncoboard.model import Case
from tests.conftest import EXAMPLES

DEMO = sorted(EXAMPLES.iterdir())


@pytest.mark.parametrize("path", DEMO, ids=[p.stem for p in DEMO])
def test_round_trip_keeps_the_mcode_subset(path):
    case = load_case(path)
    bundle = case_to_fhir(case)
    Bundle.model_validate(bundle)  # the export is valid FHIR (R4B models)
    result = read_fhir_bundle(bundle, name=path.name)
    expected, got = mcode_subset(case), mcode_subset(result.case)
    for section in expected:  # section by section, so a failure names the field
        assert got[section] == expected[section], section
    assert got == expected


def test_round_trip_is_not_vacuous():
    """The subset really holds the clinical content (a projection to {} would pass above)."""
    subset = mcode_subset(load_case(EXAMPLES / "mbc-001-hr-pos-first-line.yaml"))
    assert subset["patient"] == {
        "id": "MBC-001",
        "sex": "female",
        "birth_date": "1961-04-12",
        "age_years": None,
    }
    assert subset["primary_diagnosis"]["stage"]["group"] == "IV"
    assert [r["receptor"] for r in subset["receptors"]] == ["ER", "PR", "HER2", "ER"]
    assert subset["receptors"][2]["ihc_score"] == "1+"
    assert subset["treatments"][0]["agents"][1]["name"] == "ribociclib"
    assert subset["genomic_reports"][0]["variants"][0]["hgvs_p"] == "p.S408Rfs*99"
    assert subset["adverse_events"][0]["grade"] == 3


def test_a_changed_field_breaks_the_comparison(make_case):
    """mcode_subset compares what it claims to carry: a different ER percent is a difference."""
    base = {"receptors": [{"receptor": "ER", "date": "2020-01-02", "percent": 80}]}
    case = make_case(**base)
    other = make_case(receptors=[{"receptor": "ER", "date": "2020-01-02", "percent": 70}])
    assert mcode_subset(case) != mcode_subset(other)
    assert mcode_subset(read_fhir_bundle(case_to_fhir(case)).case) == mcode_subset(case)


def test_export_is_deterministic_and_mcode_profiled():
    case = load_case(EXAMPLES / "mbc-007-her2-pos-first-line-tdxd.yaml")
    first, second = case_to_fhir(case), case_to_fhir(case)
    assert first == second
    assert first["type"] == "collection"
    profiles = {
        p for entry in first["entry"] for p in entry["resource"].get("meta", {}).get("profile", [])
    }
    base = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-"
    for name in (
        "cancer-patient",
        "primary-cancer-condition",
        "secondary-cancer-condition",
        "tumor-marker-test",
        "tnm-stage-group",
        "ecog-performance-status",
        "cancer-related-medication-request",
        "genomics-report",
        "genomic-variant",
    ):
        assert base + name in profiles


def test_her2_ultralow_travels_as_text_over_ihc_zero(make_case):
    case = make_case(
        receptors=[
            {"receptor": "HER2", "method": "IHC", "date": "2024-01-01", "ihc_score": "0+membrane"}
        ]
    )
    bundle = case_to_fhir(case)
    her2 = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "85319-2"
    )
    assert her2["valueCodeableConcept"] == {"text": "0+membrane"}
    back = read_fhir_bundle(bundle).case.receptors[0]
    assert back.ihc_score.value == "0+membrane"


def test_what_mcode_does_not_carry_is_left_at_unknown(make_case):
    """Menopausal status, labs and visceral crisis are not exported: they come back unknown or
    empty, never as a negative."""
    case = make_case(
        patient={
            "id": "T-1",
            "sex": "female",
            "birth_date": "1960-01-01",
            "menopausal_status": "postmenopausal",
        },
        labs=[{"test": "alt", "value": 20, "unit": "U/L", "date": "2020-01-02"}],
        visceral_crisis={"date": "2020-01-03", "organs": ["liver"]},
    )
    back = read_fhir_bundle(case_to_fhir(case)).case
    assert back.patient.menopausal_status.value == "unknown"
    assert back.labs == []
    assert back.visceral_crisis is None
    assert back.receptors == []  # nothing invented


def test_as_of_and_synthetic_travel_on_the_bundle(make_case):
    case = make_case(as_of="2025-09-15")
    bundle = case_to_fhir(case)
    assert bundle["timestamp"] == "2025-09-15T00:00:00Z"
    assert bundle["meta"]["security"][0]["code"] == "HTEST"
    back = read_fhir_bundle(bundle).case
    assert (back.as_of, back.synthetic) == (dt.date(2025, 9, 15), True)
    assert isinstance(back, Case)
