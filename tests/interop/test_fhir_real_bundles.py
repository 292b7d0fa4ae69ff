"""Real mCODE bundles (tests/data/mcode, Apache-2.0): what they import to, what is skipped and
why, and that the imported case exports to a valid bundle again. Values are pinned from the
source files."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.R4B.bundle import Bundle

from oncoboard.errors import CaseFileError
from oncoboard.io.fhir import FhirImport, case_to_fhir, read_fhir_bundle
from tests.conftest import DATA

TRIALS = DATA / "mcode" / "trial-matching"


def _skipped(result: FhirImport) -> dict[str, str]:
    return {f"{s.resource_type}/{s.resource_id}": s.reason for s in result.skipped}


def _revalidates(result: FhirImport) -> None:
    Bundle.model_validate(case_to_fhir(result.case))


# --- service__eom_patient_1.json: valid R4, imports as is --------------------------------------
@pytest.fixture(scope="module")
def eom() -> FhirImport:
    return read_fhir_bundle(TRIALS / "service__eom_patient_1.json")


def test_eom_patient_and_primary(eom):
    case = eom.case
    assert (case.patient.id, case.patient.sex.value) == ("Ancora-13", "female")
    assert case.patient.birth_date == dt.date(1987, 1, 1)
    primary = case.primary_diagnosis
    assert primary.date == dt.date(2024, 1, 1)  # from the condition-assertedDate extension
    assert primary.stage is not None
    assert (primary.stage.basis, primary.stage.t, primary.stage.n, primary.stage.m) == (
        "clinical",
        "T3",
        "N3",
        "M0",
    )
    assert primary.stage.system == "AJCC 8"  # method SNOMED 897275008
    notes = [n.message for n in eom.notes]
    assert any("condition-assertedDate" in n for n in notes)


def test_eom_receptors_keep_their_results_and_dates(eom):
    got = [(r.receptor, r.date.isoformat(), r.interpretation.value) for r in eom.case.receptors]
    assert got == [
        ("ER", "2018-03-10", "positive"),
        ("PR", "2018-03-10", "negative"),
        ("ER", "2022-01-02", "negative"),
        ("PR", "2022-01-02", "negative"),
    ]
    assert all(r.percent is None for r in eom.case.receptors)  # no percentage invented


def test_eom_her2_without_score_is_skipped_not_invented(eom):
    skipped = _skipped(eom)
    assert "without a score" in skipped["Observation/observation-id-5"]
    assert "HER2 result without IHC score" in skipped["Observation/tumor-marker-test-her2-jenny-m"]
    assert not any(r.receptor == "HER2" for r in eom.case.receptors)


def test_eom_ecog_medications_and_skips(eom):
    case = eom.case
    assert [(p.date, p.ecog) for p in case.performance_status] == [(dt.date(2022, 1, 2), 3)]
    assert len(case.treatments) == 1
    line = case.treatments[0]
    assert [a.name for a in line.agents] == ["abemaciclib", "alpelisib"]
    assert (line.start_date, line.stop_date) == (dt.date(2022, 1, 1), dt.date(2022, 1, 1))
    assert line.setting.value == "metastatic"  # inferred from the lung metastasis (noted)
    skipped = _skipped(eom)
    assert "no onset date" in skipped["Condition/conditionId-2"]  # lung metastasis, undated
    assert "not linked to a treatment line" in skipped["Observation/cancerDiseaseStatusId-1"]
    assert (
        "later or second staging"
        in skipped["Observation/546d75a171ad7f90983a6f32e7fb3da7511534dd4229d6d3fd9e493b22c6f3c7"]
    )
    assert case.metastatic_sites == []
    _revalidates(eom)


def test_eom_lung_metastasis_imports_with_an_assumed_date():
    result = read_fhir_bundle(
        TRIALS / "service__eom_patient_1.json", assume_date=dt.date(2022, 1, 2)
    )
    assert [(m.site.value, m.date) for m in result.case.metastatic_sites] == [
        ("lung", dt.date(2022, 1, 2))
    ]
    assert any("assumed 2022-01-02" in n.message for n in result.notes)


# --- app__TrialMatching_Patient01.json: invalid Bundle.id, undated resources ------------------
def test_trial_matching_bundle_id_is_rejected_naming_the_field():
    with pytest.raises(CaseFileError) as caught:
        read_fhir_bundle(TRIALS / "app__TrialMatching_Patient01.json")
    assert caught.value.problems[0].path == "Bundle.id"
    assert "9aa0a829-14be-4951-84e7-5dd453708011_1" in str(caught.value)


def test_trial_matching_undated_primary_is_an_error_naming_the_element():
    with pytest.raises(CaseFileError) as caught:
        read_fhir_bundle(TRIALS / "app__TrialMatching_Patient01.json", skip_invalid=True)
    problem = caught.value.problems[0]
    assert problem.path == "entry.1.resource.onsetDateTime"
    assert "Condition/mCODETrialMatchingPrimaryCancerConditionExample01" in problem.message
    assert "primary_diagnosis.date" in problem.message


@pytest.fixture(scope="module")
def trial() -> FhirImport:
    return read_fhir_bundle(
        TRIALS / "app__TrialMatching_Patient01.json",
        skip_invalid=True,
        assume_date=dt.date(2019, 4, 1),
    )


def test_trial_matching_content(trial):
    case = trial.case
    assert case.patient.birth_date == dt.date(1959, 1, 1)
    assert case.primary_diagnosis.histology.value == "invasive_ductal"  # SNOMED 408643008
    assert case.primary_diagnosis.stage.group == "IV"
    assert case.primary_diagnosis.de_novo_metastatic is True
    assert [m.site.value for m in case.metastatic_sites] == ["lymph_node", "liver", "bone"]
    assert [(r.receptor, r.interpretation.value) for r in case.receptors] == [
        ("ER", "positive"),
        ("PR", "positive"),
    ]
    assert [(p.date, p.ecog) for p in case.performance_status] == [(dt.date(2019, 4, 1), 1)]
    lines = [([a.name for a in t.agents], t.start_date) for t in case.treatments]
    assert lines == [
        (["leuprolide", "fulvestrant", "abemaciclib"], dt.date(2019, 4, 1)),
        (["fulvestrant", "ribociclib"], dt.date(2019, 6, 1)),
    ]
    _revalidates(trial)


def test_trial_matching_skips_and_assumptions(trial):
    skipped = _skipped(trial)
    assert (
        "without a score" in skipped["Observation/mCODETrialMatchingTumorMarker03PatientExample01"]
    )
    esr1 = skipped["Observation/mCODETrialMatchingCancerGeneticVariantPatientExample01"]
    assert "ESR1 without HGVS" in esr1
    assert (
        "PIK3CA" in skipped["Observation/mCODETrialMatchingCancerGeneticVariant02PatientExample01"]
    )
    assert "62862-8" in skipped["Observation/mCODETrialMatchingTumorMarker04PatientExample01"]
    assumed = [n for n in trial.notes if "assumed 2019-04-01" in n.message]
    assert {n.resource_id for n in assumed} >= {
        "mCODETrialMatchingPrimaryCancerConditionExample01",
        "mCODETrialMatchingSecondaryCancerCondition02PatientExample01",
        "mCODETrialMatchingTumorMarkerPatientExample01",
    }
    assert any(n.message.startswith("ignored Bundle-level problem: Bundle.id") for n in trial.notes)


# --- bctrials__patient_data.json: Synthea, an invalid Observation, repeated ids ---------------
def test_bctrials_invalid_observation_is_an_error_naming_entry_and_field():
    with pytest.raises(CaseFileError) as caught:
        read_fhir_bundle(TRIALS / "bctrials__patient_data.json")
    problem = caught.value.problems[0]
    assert problem.path == "entry.3.resource"
    assert "Observation/95d74cb0-15d5-44dd-a289-b622bfed80be" in problem.message
    assert "but got multiple" in problem.message  # valueCodeableConcept and valueQuantity


def test_bctrials_with_skip_invalid():
    result = read_fhir_bundle(TRIALS / "bctrials__patient_data.json", skip_invalid=True)
    case = result.case
    assert (case.patient.sex.value, case.patient.birth_date) == ("female", dt.date(1966, 8, 3))
    assert case.primary_diagnosis.date == dt.date(2017, 7, 21)
    assert (case.primary_diagnosis.stage.group, case.primary_diagnosis.stage.basis) == (
        "IIIA",
        "clinical",
    )  # AJCC code c3A in Condition.stage.summary
    reasons = [s.reason for s in result.skipped]
    assert sum("duplicate of entry 1" in r for r in reasons) == 4  # MedicationStatement x4
    assert sum("duplicate of entry 2" in r for r in reasons) == 3  # Condition x3
    assert any(r.startswith("invalid FHIR R4 resource: entry.3.resource") for r in reasons)
    # Paclitaxel has no treatment intent and the patient has stage IIIA disease only.
    assert any("treatment setting unknown" in r for r in reasons)
    assert case.treatments == [] and case.receptors == []
    _revalidates(result)
