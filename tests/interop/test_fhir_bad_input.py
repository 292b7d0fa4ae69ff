"""Bad input names the file, the resource and the field; the mCODE Extraction Framework's
expected bundles (tests/data/mcode/extraction-framework, Apache-2.0) are one module's output each,
so alone they are not a case: each is rejected with a clear reason, and their resources are
mapped by the readers when they are part of a patient's bundle."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from oncoboard.errors import CaseFileError
from oncoboard.io.fhir import read_fhir_bundle
from oncoboard.io.fhir._context import Context
from oncoboard.io.fhir._read_stage import read_stage
from oncoboard.io.fhir._read_therapy import read_adverse_events, read_local_therapies
from tests.conftest import DATA

FIXTURES = DATA / "mcode" / "extraction-framework"


def _problem(path, **kwargs):
    with pytest.raises(CaseFileError) as caught:
        read_fhir_bundle(path, **kwargs)
    return caught.value


def test_not_a_bundle(tmp_path):
    path = tmp_path / "patient.json"
    path.write_text(json.dumps({"resourceType": "Patient", "id": "p"}))
    error = _problem(path)
    assert str(path) in str(error)
    assert "expected a FHIR Bundle (resourceType 'Bundle'), got 'Patient'" in str(error)


def test_not_json(tmp_path):
    path = tmp_path / "bundle.json"
    path.write_text("{not json")
    assert "invalid JSON" in str(_problem(path))


def test_placeholder_date_names_entry_resource_and_field():
    error = _problem(FIXTURES / "csv-condition-bundle.json")
    problem = error.problems[0]
    assert problem.file.endswith("csv-condition-bundle.json")
    assert problem.path == "entry.0.resource.extension.0.valueDateTime"
    assert "Condition/conditionId-1" in problem.message
    assert "'YYYY-MM-DD'" in problem.message


def test_every_invalid_field_is_listed():
    error = _problem(FIXTURES / "csv-medication-request-bundle.json")
    paths = {p.path for p in error.problems}
    assert "entry.0.resource.authoredOn" in paths
    assert "entry.0.resource.dosageInstruction.0.timing.event.0" in paths


def test_dstu2_conditions_are_not_r4():
    error = _problem(FIXTURES / "condition-bundle.json")
    assert any(
        p.path == "entry.0.resource.clinicalStatus"
        and "Condition/TQJ-wIMDyCRN1gwoAY9A8tAB" in p.message
        for p in error.problems
    )


@pytest.mark.parametrize(
    "name",
    [
        "csv-staging-bundle.json",
        "csv-cancer-disease-status-bundle.json",
        "csv-procedure-bundle.json",
        "csv-ctc-adverse-event-bundle.json",
    ],
)
def test_module_bundles_without_a_patient(name):
    assert "expected exactly one Patient resource, found none" in str(_problem(FIXTURES / name))


def test_patient_without_cancer_names_the_missing_element():
    error = _problem(FIXTURES / "csv-patient-bundle.json")
    assert "no primary breast cancer Condition (mCODE PrimaryCancerCondition)" in str(error)
    assert "primary_diagnosis" in str(error)


def test_patient_without_gender():
    assert "Bundle.type" in str(_problem(FIXTURES / "context-with-patient.json"))
    error = _problem(FIXTURES / "context-with-patient.json", skip_invalid=True)
    assert error.problems[0].path == "entry.0.resource.gender"
    assert "Patient/mrn-1" in error.problems[0].message


def _context(*names: str) -> Context:
    entries = []
    for name in names:
        bundle = json.loads((FIXTURES / name).read_text())
        entries += [(i, e["resource"], e.get("fullUrl")) for i, e in enumerate(bundle["entry"])]
    return Context("fixture", entries, None)


def test_fixture_staging_reads_ajcc_codes():
    ctx = _context("csv-staging-bundle.json")
    stage = read_stage(ctx, {})
    assert stage == {
        "basis": "clinical",
        "system": "AJCC 6",  # method SNOMED 444256004 (DD tnm-staging-method-vs)
        "group": "IIIC",  # cancerstaging.org "3C"
        "t": "T3",
        "n": "N3",
        "m": "M0",
    }
    assert ctx.skipped == []


def test_fixture_ctcae_adverse_event():
    ctx = _context("csv-ctc-adverse-event-bundle.json")
    assert read_adverse_events(ctx) == [
        {
            "term": "event-text",  # AdverseEvent.event.text of the fixture
            "grade": 1,
            "onset_date": dt.date(1994, 12, 9),
            "resolved_date": dt.date(2021, 12, 1),
            "serious": True,
        }
    ]


def test_fixture_procedure_without_site_is_skipped_with_reason():
    ctx = _context("csv-procedure-bundle.json")
    assert read_local_therapies(ctx) == []
    assert [str(s) for s in ctx.skipped] == [
        "Procedure/procedure-1: no body site or no performed date (the case model needs both)"
    ]
