"""The shipped artefacts: schema, version, consistency, and no pickle anywhere."""

from __future__ import annotations

import ast
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from oncoboard.errors import KnowledgeError
from oncoboard.prognosis import _registry as registry
from oncoboard.prognosis import available_models
from oncoboard.prognosis._artefact import READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION, CoxArtefact

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "oncoboard" / "prognosis"


def _text(model_id: str) -> str:
    return resources.files("oncoboard.prognosis").joinpath(f"models/{model_id}.json").read_text()


@pytest.fixture(params=available_models())
def document(request) -> dict:
    return json.loads(_text(request.param))


@pytest.fixture
def desmedt_document() -> dict:
    return json.loads(_text("desmedt2007-clinical"))


def test_schema_version_and_identity(document):
    assert document["schema_version"] in READABLE_SCHEMA_VERSIONS == (1, 2)
    assert SCHEMA_VERSION == 2
    assert document["kind"] == "cox_ph"
    assert document["time_unit"] == "years"
    assert document["version"].count(".") == 2
    assert (ROOT / document["card"]).is_file()
    assert len(document["training"]["sha256"]) == 64


def test_desmedt_stays_a_version_1_artefact(desmedt_document):
    assert desmedt_document["schema_version"] == 1
    assert "grid" not in desmedt_document and "setting" not in desmedt_document


def test_training_provenance(desmedt_document):
    training = desmedt_document["training"]
    assert training["n"] == 196
    assert training["events"] == 51
    assert "grade recorded as unknown" in training["exclusions"]
    assert "scikit-survival" in training["source"]


def test_covariance_is_symmetric_positive_definite(document):
    covariance = np.array(document["covariance"])
    assert covariance.shape == (len(document["terms"]),) * 2
    assert np.allclose(covariance, covariance.T)
    assert np.all(np.linalg.eigvalsh(covariance) > 0)


def test_baseline_increases_with_horizon(document):
    baseline = document["baseline"]
    horizons = [b["horizon_years"] for b in baseline]
    assert horizons == sorted(horizons)
    cumhaz = [b["cumulative_hazard"] for b in baseline]
    assert cumhaz == sorted(cumhaz)
    assert all(len(b["mean_shift"]) == len(document["terms"]) for b in baseline)


def test_terms_match_covariates(document):
    covariates = {c["name"]: c for c in document["covariates"]}
    for term in document["terms"]:
        spec = covariates[term["covariate"]]
        if spec["kind"] == "categorical":
            assert term["level"] in spec["levels"]
            assert term["level"] != spec["reference"]
        else:
            assert term["level"] is None


def test_domain_is_the_training_range(desmedt_document):
    covariates = {c["name"]: c for c in desmedt_document["covariates"]}
    assert (covariates["age"]["minimum"], covariates["age"]["maximum"]) == (24, 60)
    assert (covariates["size_cm"]["minimum"], covariates["size_cm"]["maximum"]) == (0.6, 5.0)
    assert sum(covariates["grade"]["counts"]) == 196
    assert sum(covariates["er_positive"]["counts"]) == 196


def test_other_schema_version_is_rejected():
    document = json.loads(_text("desmedt2007-clinical"))
    document["schema_version"] = 2
    with pytest.raises(ValidationError, match="schema_version"):
        CoxArtefact.model_validate(document)


def test_asymmetric_covariance_is_rejected():
    document = json.loads(_text("desmedt2007-clinical"))
    document["covariance"][0][1] += 1.0
    with pytest.raises(ValidationError, match="not symmetric"):
        CoxArtefact.model_validate(document)


def test_term_of_an_unknown_covariate_is_rejected():
    document = json.loads(_text("desmedt2007-clinical"))
    document["terms"][0]["covariate"] = "nodes"
    with pytest.raises(ValidationError, match="unknown covariate 'nodes'"):
        CoxArtefact.model_validate(document)


def test_malformed_package_data_is_a_knowledge_error(monkeypatch):
    monkeypatch.setattr(registry, "read_text", lambda package, name: '{"schema_version": 1}')
    registry.load_model.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="is not a valid model"):
            registry.load_model("desmedt2007-clinical")
    finally:
        registry.load_model.cache_clear()


def test_artefact_names_another_model_is_a_knowledge_error(monkeypatch):
    document = json.loads(_text("desmedt2007-clinical"))
    document["model_id"] = "other"
    monkeypatch.setattr(registry, "read_text", lambda package, name: json.dumps(document))
    registry.load_model.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="expected model_id 'desmedt2007-clinical'"):
            registry.load_model("desmedt2007-clinical")
    finally:
        registry.load_model.cache_clear()


def test_no_pickle_is_shipped_or_loaded():
    shipped = [p.name for p in (PACKAGE / "models").iterdir()]
    assert shipped and all(name.endswith(".json") for name in shipped)
    forbidden = {"pickle", "joblib", "dill", "cloudpickle", "skops"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not names & forbidden, f"{path.name} imports {names & forbidden}"
