"""Validation rules of the case model that the schema alone cannot express."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from oncoboard.model import Case, LabResult, LabTest, Lifestyle


def test_case_is_frozen(make_case):
    case = make_case()
    with pytest.raises(ValidationError):
        case.patient.id = "other"  # type: ignore[misc]


def test_unknown_fields_are_rejected(make_case):
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        make_case(patient={"id": "X", "sex": "female", "age_years": 50, "mrn": "123"})


def test_patient_needs_birth_date_or_age(make_case):
    with pytest.raises(ValidationError, match="give birth_date or age_years"):
        make_case(patient={"id": "X", "sex": "female"})


@pytest.mark.parametrize(
    ("test", "value", "unit", "canonical"),
    [
        ("hba1c", 8.4, "%", 8.4),
        ("hba1c", 68, "mmol/mol", 8.372),  # NGSP = 0.0915 x IFCC + 2.15
        ("fasting_glucose", 7.0, "mmol/L", 126.112),
        ("total_bilirubin", 17.104, "umol/L", 1.0),
        ("creatinine", 88.42, "umol/L", 1.0),
        ("anc", 1500, "cells/uL", 1.5),
    ],
)
def test_lab_units_convert_to_canonical(test, value, unit, canonical):
    lab = LabResult(test=LabTest(test), value=value, unit=unit, date="2024-01-01")
    assert lab.in_canonical_unit() == pytest.approx(canonical, rel=1e-3)


def test_lab_unit_must_belong_to_test():
    with pytest.raises(ValidationError) as exc:
        LabResult(test=LabTest.LVEF, value=55, unit="ms", date="2024-01-01")
    (error,) = exc.value.errors()
    assert error["msg"] == "Value error, unit 'ms' is not valid for lvef; expected one of ['%']"
    assert error["ctx"]["error"].field == "unit"  # FieldError: reported at labs.N.unit


def test_implausible_lab_value_is_a_typing_error():
    with pytest.raises(ValidationError, match="outside the plausible range"):
        LabResult(test=LabTest.HBA1C, value=84, unit="%", date="2024-01-01")


def test_times_uln():
    lab = LabResult(
        test=LabTest.TOTAL_BILIRUBIN,
        value=42,
        unit="umol/L",
        date="2024-01-01",
        upper_limit_normal=21,
    )
    assert lab.times_uln() == 2.0


def test_bmi_from_height_and_weight():
    assert Lifestyle(height_cm=160, weight_kg=64).body_mass_index() == pytest.approx(25.0)
    assert Lifestyle().body_mass_index() is None


def test_hormone_receptor_percent_must_match_interpretation(make_case):
    with pytest.raises(ValidationError, match="contradicts interpretation"):
        make_case(
            receptors=[
                {"receptor": "ER", "percent": 0, "interpretation": "positive", "date": "2024-01-01"}
            ]
        )


def test_her2_ihc_test_cannot_carry_ish(make_case):
    with pytest.raises(ValidationError, match="record ISH as its own test"):
        make_case(
            receptors=[
                {
                    "receptor": "HER2",
                    "method": "IHC",
                    "ihc_score": "2+",
                    "ish_result": "amplified",
                    "date": "2024-01-01",
                }
            ]
        )


def test_yaml_integer_zero_is_ihc_zero(make_case):
    case = make_case(
        receptors=[{"receptor": "HER2", "method": "IHC", "ihc_score": 0, "date": "2024-01-01"}]
    )
    assert case.receptors[0].ihc_score.value == "0"  # type: ignore[union-attr]


def test_ctdna_vaf_must_agree_with_reads(make_case):
    draw = {
        "date": "2024-01-01",
        "variants": [
            {"gene": "ESR1", "hgvs_p": "p.D538G", "alt_reads": 50, "depth": 1000, "vaf": 0.05}
        ],
    }
    case = make_case(liquid_biopsies=[draw])
    assert case.liquid_biopsies[0].variants[0].allele_fraction == 0.05
    draw["variants"][0]["vaf"] = 0.2
    with pytest.raises(ValidationError, match="disagrees with alt_reads/depth"):
        make_case(liquid_biopsies=[draw])


def test_germline_report_cannot_be_plasma(make_case):
    report = {
        "id": "G1",
        "date": "2024-01-01",
        "specimen_type": "plasma",
        "origin": "germline",
        "assay": "x",
    }
    with pytest.raises(ValidationError, match="plasma reports are somatic"):
        make_case(genomic_reports=[report])


def test_reported_genes_must_be_in_panel(make_case):
    report = {
        "id": "R1",
        "date": "2024-01-01",
        "specimen_type": "tissue",
        "origin": "somatic",
        "assay": "panel",
        "genes_tested": ["ESR1"],
        "variants": [{"gene": "PIK3CA", "hgvs_p": "p.H1047R"}],
    }
    with pytest.raises(ValidationError, match=r"\['PIK3CA'\] have results but are not in"):
        make_case(genomic_reports=[report])


def test_line_numbers_only_in_metastatic_setting(make_case):
    line = {
        "setting": "adjuvant",
        "line": 1,
        "agents": [{"name": "tamoxifen"}],
        "start_date": "2020-01-01",
    }
    with pytest.raises(ValidationError, match="metastatic setting only"):
        make_case(treatments=[line])


def test_duplicate_treatment_ids(make_case):
    line = {
        "id": "L1",
        "setting": "metastatic",
        "agents": [{"name": "letrozole"}],
        "start_date": "2020-01-01",
    }
    with pytest.raises(ValidationError, match="id 'L1' is used twice"):
        make_case(treatments=[line, line])


def test_json_schema_names_mcode_elements():
    schema = Case.model_json_schema()
    assert schema["$defs"]["Patient"]["mcode"] == "CancerPatient"
    assert schema["$defs"]["Variant"]["mcode"] == "GenomicVariant"
    assert schema["$defs"]["PrimaryDiagnosis"]["mcode"] == "PrimaryCancerCondition"
