"""oncoboard import / export / validate with FHIR R4 mCODE Bundles."""

from __future__ import annotations

import json
import shutil

from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case
from oncoboard.io.fhir import mcode_subset, read_fhir_bundle
from tests.conftest import DATA, EXAMPLES

runner = CliRunner()
TRIALS = DATA / "mcode" / "trial-matching"


def _run(db_url: str, *args: str):
    return runner.invoke(app, [*args, "--database-url", db_url])


def test_export_fhir_then_import_the_bundle(db_url, tmp_path):
    source = EXAMPLES / "mbc-001-hr-pos-first-line.yaml"
    assert _run(db_url, "import", str(source)).exit_code == 0
    out = tmp_path / "mbc-001.fhir.json"
    exported = _run(db_url, "export", "MBC-001", "--format", "fhir", "-o", str(out))
    assert exported.exit_code == 0, exported.stderr
    bundle = json.loads(out.read_text())
    Bundle.model_validate(bundle)
    assert bundle["resourceType"] == "Bundle"

    again = _run(db_url, "import", str(out))
    assert again.exit_code == 0, again.stderr
    assert "new version (version 2)" in again.stdout  # the non-mCODE fields are not in it
    shown = json.loads(_run(db_url, "show", "MBC-001", "--json").stdout)
    assert shown["source_name"] == str(out)
    stored = read_fhir_bundle(bundle).case
    assert mcode_subset(stored) == mcode_subset(load_case(source))
    original = _run(db_url, "export", "MBC-001", "--format", "original").stdout
    assert json.loads(original) == bundle


def test_import_reports_skipped_resources_with_id_and_reason(db_url):
    result = _run(db_url, "import", str(TRIALS / "service__eom_patient_1.json"))
    assert result.exit_code == 0, result.stderr
    assert "created (version 1)" in result.stdout
    assert "skipped Observation/observation-id-5: HER2 IHC result without a score" in result.stderr
    assert "skipped Condition/conditionId-2: no onset date" in result.stderr
    assert "note: Condition/conditionId-1: no onset date; date taken from" in result.stderr
    listed = json.loads(_run(db_url, "list", "--json").stdout)
    assert [p["patient_id"] for p in listed["patients"]] == ["Ancora-13"]


def test_import_rejects_a_bad_bundle_and_keeps_the_good_file(db_url, tmp_path):
    shutil.copy(TRIALS / "bctrials__patient_data.json", tmp_path / "a.json")
    shutil.copy(EXAMPLES / "mbc-002-pik3ca-diabetes.yaml", tmp_path / "b.yaml")
    result = _run(db_url, "import", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'a.json'}: entry.3.resource: Observation/95d74cb0" in result.stderr
    listed = json.loads(_run(db_url, "list", "--json").stdout)
    assert [p["patient_id"] for p in listed["patients"]] == ["MBC-002"]


def test_import_options_for_real_world_bundles(db_url):
    path = str(TRIALS / "app__TrialMatching_Patient01.json")
    rejected = _run(db_url, "import", path)
    assert rejected.exit_code == 1
    assert "Bundle.id" in rejected.stderr
    imported = _run(db_url, "import", path, "--skip-invalid", "--assume-date", "2019-04-01")
    assert imported.exit_code == 0, imported.stderr
    assert "assumed 2019-04-01" in imported.stderr
    shown = json.loads(_run(db_url, "show", "mCODETrialMatchingPatientExample01", "--json").stdout)
    assert shown["case"]["primary_diagnosis"]["histology"] == "invasive_ductal"


def test_export_rejects_an_unknown_format(db_url):
    _run(db_url, "import", str(EXAMPLES / "mbc-001-hr-pos-first-line.yaml"))
    result = _run(db_url, "export", "MBC-001", "--format", "xml")
    assert result.exit_code == 2
    assert "yaml, json, fhir, phenopacket, original" in result.stderr


def test_validate_accepts_a_bundle(tmp_path):
    good = runner.invoke(app, ["validate", str(TRIALS / "service__eom_patient_1.json")])
    assert good.exit_code == 0, good.stderr
    bad = runner.invoke(app, ["validate", str(TRIALS / "bctrials__patient_data.json")])
    assert bad.exit_code == 1
    assert "entry.3.resource" in bad.stderr
