"""The shipped clinical model: pinned predictions, domain checks and the public contract."""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import pytest

from oncoboard.errors import OncoboardError
from oncoboard.model import Evidence, EvidenceSource
from oncoboard.prognosis import (
    CoxModel,
    OutOfDomain,
    RiskEstimate,
    UnknownModelError,
    available_models,
    load_model,
)

REFERENCE = json.loads((Path(__file__).parent / "data" / "reference_patients.json").read_text())
MODEL_ID = "desmedt2007-clinical"
PATIENT = {"age": 52, "size_cm": 2.1, "grade": 2, "er_positive": True}


@pytest.fixture(scope="module")
def model() -> CoxModel:
    return load_model(MODEL_ID)


def test_available_models_lists_the_shipped_model():
    assert available_models() == (MODEL_ID, "msk2018-mbc-os")


def test_load_model_is_cached_and_versioned(model):
    assert load_model(MODEL_ID) is model
    assert model.model_id == MODEL_ID
    assert model.version == REFERENCE["version"]
    assert model.horizons == tuple(float(h) for h in range(1, 11))
    assert model.covariate_names == ("age", "size_cm", "grade", "er_positive")


def test_unknown_model_id_is_a_lookup_error_naming_the_choices():
    with pytest.raises(UnknownModelError, match=r"desmedt2007-clinical.*'nope'") as info:
        load_model("nope")
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, OncoboardError)


@pytest.mark.parametrize(
    "case", REFERENCE["patients"], ids=lambda c: f"{c['label']}@{c['horizon_years']}"
)
def test_reference_patient_risk_and_interval_are_pinned(model, case):
    estimate = model.predict(case["covariates"], horizon_years=case["horizon_years"])
    assert estimate.risk == pytest.approx(case["risk"], abs=1e-6)
    assert estimate.ci_low == pytest.approx(case["ci_low"], abs=1e-6)
    assert estimate.ci_high == pytest.approx(case["ci_high"], abs=1e-6)
    assert estimate.ci_low < estimate.risk < estimate.ci_high


def test_estimate_carries_endpoint_card_and_data_source(model):
    estimate = model.predict(PATIENT, horizon_years=5)
    assert isinstance(estimate, RiskEstimate)
    assert estimate.model_id == MODEL_ID
    assert estimate.version == "1.0.0"
    assert estimate.horizon_years == 5
    assert "distant metastasis" in estimate.endpoint
    assert estimate.card == "docs/models/desmedt2007-clinical.md"
    assert (Path(__file__).resolve().parents[2] / estimate.card).is_file()
    (evidence,) = estimate.evidence
    assert isinstance(evidence, Evidence)
    assert evidence.source is EvidenceSource.PUBLICATION
    assert "17545524" in evidence.title
    assert evidence.id == "doi:10.1158/1078-0432.CCR-06-2765"


def test_risk_increases_with_horizon_and_size(model):
    five = model.predict(PATIENT, 5).risk
    assert model.predict(PATIENT, 10).risk > five > model.predict(PATIENT, 1).risk
    assert model.predict({**PATIENT, "size_cm": 4.0}, 5).risk > five


def test_patient_at_the_training_means_still_has_an_interval(model):
    """The interval includes the baseline's uncertainty, so it never collapses to a point."""
    means = {t.name: t.mean for t in model.artefact.terms}
    assert model.linear_predictor(PATIENT) != 0
    estimate = model.predict(PATIENT, 5)
    assert estimate.ci_high - estimate.ci_low > 0.05
    assert means["age"] == pytest.approx(46.4, abs=0.5)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"age": None}, "age not recorded"),
        ({"size_cm": None}, "size_cm not recorded"),
        ({"grade": None}, "grade not recorded"),
        ({"er_positive": None}, "er_positive not recorded"),
        ({"age": 72}, "age 72 is outside the training range 24 to 60 years"),
        ({"age": 18}, "age 18 is outside the training range 24 to 60 years"),
        ({"size_cm": 6.5}, "size_cm 6.5 is outside the training range 0.6 to 5 cm"),
        ({"size_cm": 0.3}, "size_cm 0.3 is outside the training range 0.6 to 5 cm"),
        ({"size_cm": math.nan}, "size_cm nan is not a finite number"),
        ({"size_cm": "2 cm"}, "size_cm must be a number in cm, got '2 cm'"),
        ({"grade": 4}, "grade 4 is not a category seen in training (1, 2, 3)"),
        ({"grade": "II"}, "grade 'II' is not a category seen in training (1, 2, 3)"),
        ({"grade": True}, "grade True is not a category seen in training (1, 2, 3)"),
        ({"er_positive": "positive"}, "er_positive must be True or False, got 'positive'"),
        ({"er_positive": 1}, "er_positive must be True or False, got 1"),
    ],
)
def test_out_of_domain_names_the_covariate(model, change, reason):
    with pytest.raises(OutOfDomain) as info:
        model.predict({**PATIENT, **change}, 5)
    assert info.value.reasons == [reason]
    assert info.value.model_id == MODEL_ID
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, OncoboardError)


def test_missing_covariates_are_not_imputed(model):
    with pytest.raises(OutOfDomain) as info:
        model.predict({"age": 52}, 5)
    assert info.value.reasons == [
        "size_cm not recorded",
        "grade not recorded",
        "er_positive not recorded",
    ]


def test_every_problem_is_reported_at_once(model):
    with pytest.raises(OutOfDomain) as info:
        model.predict({"age": 75, "size_cm": 2.0, "grade": 5, "nodes": 0}, 5)
    assert info.value.reasons == [
        "age 75 is outside the training range 24 to 60 years",
        "grade 5 is not a category seen in training (1, 2, 3)",
        "er_positive not recorded",
        "'nodes' is not a covariate of this model (expected age, size_cm, grade, er_positive)",
    ]
    assert "age 75" in str(info.value)


@pytest.mark.parametrize("horizon", [0.5, 11, 12.0, "5", True])
def test_horizon_without_a_baseline_is_out_of_domain(model, horizon):
    with pytest.raises(OutOfDomain, match="not one of the stored horizons"):
        model.predict(PATIENT, horizon)


def test_float_horizon_equal_to_a_stored_one_is_accepted(model):
    assert model.predict(PATIENT, 5.0) == model.predict(PATIENT, 5)


def test_boundaries_of_the_training_range_are_in_domain(model):
    assert model.check({"age": 24, "size_cm": 0.6, "grade": 1, "er_positive": False}) == []
    assert model.check({"age": 60, "size_cm": 5.0, "grade": 3, "er_positive": True}) == []
    assert model.check({"age": 60.5, "size_cm": 5.0, "grade": 3, "er_positive": True}) == [
        "age 60.5 is outside the training range 24 to 60 years"
    ]


def test_domain_is_human_readable(model):
    domain = model.domain
    assert "lymph-node-negative" in domain
    assert "Not for metastatic disease" in domain
    assert "age 24 to 60 years" in domain
    assert "size_cm 0.6 to 5 cm" in domain
    assert "grade one of 1, 2, 3" in domain


def test_out_of_domain_survives_pickling():
    error = OutOfDomain(["age not recorded"], model_id=MODEL_ID)
    copy = pickle.loads(pickle.dumps(error))  # the error object, not model data
    assert copy.reasons == error.reasons
    assert copy.model_id == MODEL_ID


def test_estimate_is_frozen(model):
    estimate = model.predict(PATIENT, 5)
    with pytest.raises(ValueError, match="frozen"):
        estimate.risk = 0.5  # type: ignore[misc]
