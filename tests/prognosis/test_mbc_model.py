"""The shipped MBC model ``msk2018-mbc-os``: pinned and conditional predictions, domain
checks, the v2 artefact layout next to v1, and an independent recomputation."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from oncoboard.derive.subtype import Subtype
from oncoboard.prognosis import CoxModel, OutOfDomain, RiskEstimate, load_model
from oncoboard.prognosis._artefact import CoxArtefact

ROOT = Path(__file__).resolve().parents[2]
MSK = ROOT / "examples/cohort/msk-mbc-2018/breast_msk_2018_clinical_data.tsv"
REFERENCE = json.loads((Path(__file__).parent / "data" / "mbc_reference_patients.json").read_text())
MODEL_ID = "msk2018-mbc-os"
PATIENT = {"subtype": "HR+/HER2-", "age_at_metastasis": 55, "de_novo": False, "dfi_years": 5.0}
DE_NOVO = {"subtype": "HR+/HER2+", "age_at_metastasis": 62, "de_novo": True, "dfi_years": 0.0}


@pytest.fixture(scope="module")
def model() -> CoxModel:
    return load_model(MODEL_ID)


def _document(model_id: str) -> dict:
    path = ROOT / "src/oncoboard/prognosis/models" / f"{model_id}.json"
    return json.loads(path.read_text())


# --- identity and setting ------------------------------------------------------------------


def test_metastatic_model_identity(model):
    assert model.version == REFERENCE["version"] == "1.0.0"
    assert model.setting == "metastatic"
    assert model.time_origin == "metastatic diagnosis"
    assert model.artefact.schema_version == 2
    assert model.covariate_names == ("subtype", "age_at_metastasis", "de_novo", "dfi_years")
    assert model.horizons == tuple(float(h) for h in range(1, 11))
    assert model.max_years == pytest.approx(127 / 12)
    assert "death from any cause" in model.endpoint
    assert (ROOT / model.card).name == "msk2018-mbc-os.md"


def test_desmedt_is_an_early_model_read_from_version_1():
    early = load_model("desmedt2007-clinical")
    assert early.artefact.schema_version == 1
    assert early.setting == "early"
    assert early.time_origin == "diagnosis"
    assert early.max_years == 10


def test_training_provenance_and_domain(model):
    training = model.artefact.training
    assert (training.n, training.events) == (1256, 378)
    assert "5 metastatic patients whose follow-up ends at or before their entry" in (
        training.exclusions
    )
    subtype = model.artefact.covariates[0]
    assert subtype.levels == ["HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "TNBC"]
    assert subtype.reference == "HR+/HER2-"
    assert subtype.counts == [945, 142, 48, 121]
    assert "subtype one of HR+/HER2-, HR+/HER2+, HR-/HER2+, TNBC" in model.domain
    assert "age_at_metastasis 24.75 to 86.75 years" in model.domain
    assert "dfi_years 0 to 31.7075 years (0 when de_novo)" in model.domain
    assert "up to 10.5833 years from metastatic diagnosis" in model.domain


# --- pinned and conditional predictions ----------------------------------------------------


@pytest.mark.parametrize(
    "case",
    REFERENCE["patients"],
    ids=lambda c: f"{c['label']}@{c['horizon_years']}|{c['given_years']}",
)
def test_reference_patient_risk_and_interval_are_pinned(model, case):
    estimate = model.predict(
        case["covariates"], horizon_years=case["horizon_years"], given_years=case["given_years"]
    )
    assert estimate.given_years == case["given_years"]
    assert estimate.risk == pytest.approx(case["risk"], abs=1e-9)
    assert estimate.ci_low == pytest.approx(case["ci_low"], abs=1e-9)
    assert estimate.ci_high == pytest.approx(case["ci_high"], abs=1e-9)
    assert estimate.ci_low < estimate.risk < estimate.ci_high


def test_reference_includes_conditional_windows():
    assert {c["given_years"] for c in REFERENCE["patients"]} >= {0.0, 1.0, 2.0}
    assert len({c["label"] for c in REFERENCE["patients"]}) == 3


@pytest.mark.parametrize("covariates", [PATIENT, DE_NOVO])
@pytest.mark.parametrize("horizon", [1, 2, 2.5, 5, 10])
def test_given_zero_is_the_unconditional_risk(model, covariates, horizon):
    assert model.predict(covariates, horizon, given_years=0.0) == model.predict(covariates, horizon)
    assert model.predict(covariates, horizon).given_years == 0


@pytest.mark.parametrize("given", [0.5, 1, 2, 4])
def test_conditional_risk_is_the_ratio_of_survivals(model, given):
    """1 - S(g + h) / S(g) with S from the unconditional risks (exact for a Cox model)."""
    horizon = 2.0
    survive_g = 1 - model.predict(PATIENT, given).risk
    survive_gh = 1 - model.predict(PATIENT, given + horizon).risk
    conditional = model.predict(PATIENT, horizon, given_years=given)
    assert conditional.risk == pytest.approx(1 - survive_gh / survive_g, rel=1e-12)
    assert conditional.ci_low < conditional.risk < conditional.ci_high


@pytest.mark.parametrize("given", [0.0, 1.0, 3.0])
def test_risk_increases_with_horizon(model, given):
    horizons = np.arange(1, 12 * (10 - int(given)) + 1) / 12
    risks = [model.predict(PATIENT, h, given_years=given).risk for h in horizons]
    assert all(b >= a for a, b in itertools.pairwise(risks))
    assert risks[-1] > risks[0]


def test_covariate_effects_have_the_fitted_direction(model):
    five = model.predict(PATIENT, 5).risk
    assert model.predict({**PATIENT, "subtype": "TNBC"}, 5).risk > five
    assert model.predict({**PATIENT, "subtype": "HR+/HER2+"}, 5).risk < five
    assert model.predict({**PATIENT, "dfi_years": 10.0}, 5).risk < five
    assert model.predict({**PATIENT, "age_at_metastasis": 70}, 5).risk > five


def test_times_between_grid_points_round_down_to_the_month(model):
    month = model.predict(PATIENT, 2, given_years=1.0)
    assert model.predict(PATIENT, 2, given_years=1.0 + 0.9 / 12).risk == pytest.approx(
        model.predict(PATIENT, 2 + 0.9 / 12, given_years=1.0).risk
    )
    assert model.predict(PATIENT, 2 + 0.5 / 12, given_years=1.0).risk == month.risk
    assert model.predict(PATIENT, 7 / 12).risk == model.predict(PATIENT, 7.4 / 12).risk


def test_subtype_enum_values_are_accepted(model):
    as_enum = {**PATIENT, "subtype": Subtype.TRIPLE_NEGATIVE}
    assert model.predict(as_enum, 2) == model.predict({**PATIENT, "subtype": "TNBC"}, 2)


def test_estimate_is_a_risk_estimate_with_the_data_source(model):
    estimate = model.predict(PATIENT, 2, given_years=1)
    assert isinstance(estimate, RiskEstimate)
    assert (estimate.horizon_years, estimate.given_years) == (2, 1)
    (evidence,) = estimate.evidence
    assert evidence.id == "PMID:30205045"


# --- out of domain -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"subtype": "Luminal A"},
            "subtype 'Luminal A' is not a category seen in training "
            "(HR+/HER2-, HR+/HER2+, HR-/HER2+, TNBC)",
        ),
        (
            {"subtype": "tnbc"},
            "subtype 'tnbc' is not a category seen in training "
            "(HR+/HER2-, HR+/HER2+, HR-/HER2+, TNBC)",
        ),
        (
            {"subtype": 1},
            "subtype 1 is not a category seen in training (HR+/HER2-, HR+/HER2+, HR-/HER2+, TNBC)",
        ),
        ({"subtype": None}, "subtype not recorded"),
        (
            {"age_at_metastasis": 20},
            "age_at_metastasis 20 is outside the training range 24.75 to 86.75 years",
        ),
        (
            {"age_at_metastasis": 90},
            "age_at_metastasis 90 is outside the training range 24.75 to 86.75 years",
        ),
        ({"de_novo": "no"}, "de_novo must be True or False, got 'no'"),
        ({"dfi_years": -1}, "dfi_years -1 is outside the training range 0 to 31.7075 years"),
        ({"dfi_years": None}, "dfi_years not recorded"),
        ({"de_novo": True}, "dfi_years must be 0 when de_novo is True, got 5.0"),
    ],
)
def test_out_of_domain_names_the_covariate(model, change, reason):
    with pytest.raises(OutOfDomain) as info:
        model.predict({**PATIENT, **change}, 2)
    assert info.value.reasons == [reason]
    assert info.value.model_id == MODEL_ID


def test_missing_covariates_are_not_imputed(model):
    with pytest.raises(OutOfDomain) as info:
        model.predict({"subtype": "TNBC", "age_at_metastasis": 50}, 2)
    assert info.value.reasons == ["de_novo not recorded", "dfi_years not recorded"]


def test_given_years_beyond_the_follow_up_is_out_of_domain(model):
    with pytest.raises(OutOfDomain) as info:
        model.predict(PATIENT, 1, given_years=11)
    (reason,) = info.value.reasons
    assert reason.startswith(
        "11 years since metastatic diagnosis is beyond the follow-up the model has "
        "(baseline to 10.5833 years, when 20 training patients were still at risk)"
    )


def test_window_ending_beyond_the_follow_up_is_out_of_domain(model):
    with pytest.raises(OutOfDomain, match=r"given_years 9 \+ horizon_years 2 = 11 years since"):
        model.predict(PATIENT, 2, given_years=9)
    assert model.predict(PATIENT, 127 / 12).risk > 0  # the last grid point is in domain


@pytest.mark.parametrize("given", [-0.5, math.nan, math.inf, "1", True, None])
def test_given_years_must_be_a_non_negative_number(model, given):
    with pytest.raises(OutOfDomain, match="given_years must be a number of years >= 0"):
        model.predict(PATIENT, 2, given_years=given)


@pytest.mark.parametrize("horizon", [0, 0.05, -1, math.nan, "2", False])
def test_horizon_shorter_than_a_month_or_not_a_number_is_out_of_domain(model, horizon):
    with pytest.raises(OutOfDomain, match="horizon_years"):
        model.predict(PATIENT, horizon)


def test_version_1_model_refuses_conditional_risk():
    early = load_model("desmedt2007-clinical")
    covariates = {"age": 52, "size_cm": 2.1, "grade": 2, "er_positive": True}
    assert early.predict(covariates, 5, given_years=0.0) == early.predict(covariates, 5)
    with pytest.raises(OutOfDomain, match="no baseline grid and predicts only from diagnosis"):
        early.predict(covariates, 5, given_years=1)


# --- artefact layout v2 --------------------------------------------------------------------


def test_version_2_needs_a_grid():
    document = _document(MODEL_ID)
    document["grid"] = []
    with pytest.raises(ValidationError, match="schema_version 2 needs a baseline grid"):
        CoxArtefact.model_validate(document)


def test_version_1_cannot_carry_version_2_fields():
    document = _document("desmedt2007-clinical")
    document["setting"] = "metastatic"
    with pytest.raises(ValidationError, match="schema_version 1 cannot have setting"):
        CoxArtefact.model_validate(document)
    text = _document(MODEL_ID)
    text["schema_version"] = 1
    with pytest.raises(ValidationError, match="schema_version 1 cannot have grid, setting"):
        CoxArtefact.model_validate(text)


def test_yearly_baseline_must_equal_the_grid():
    document = _document(MODEL_ID)
    document["baseline"][1]["cumulative_hazard"] *= 1.01
    with pytest.raises(ValidationError, match=r"baseline at 2\.0 y differs from the grid"):
        CoxArtefact.model_validate(document)


def test_grid_must_not_decrease():
    document = _document(MODEL_ID)
    document["grid"][5]["cumulative_hazard"] = 10.0
    with pytest.raises(ValidationError, match="grid sums decrease"):
        CoxArtefact.model_validate(document)


def test_text_reference_must_be_a_level():
    document = _document(MODEL_ID)
    document["covariates"][0]["reference"] = "Luminal A"
    with pytest.raises(ValidationError, match="reference 'Luminal A' not in"):
        CoxArtefact.model_validate(document)


def test_zero_when_must_name_a_boolean():
    document = _document(MODEL_ID)
    document["covariates"][3]["zero_when"] = "age_at_metastasis"
    with pytest.raises(ValidationError, match="is not a boolean covariate"):
        CoxArtefact.model_validate(document)


def test_grid_is_monthly_from_zero_with_enough_patients_at_risk(model):
    grid = model.artefact.grid
    assert [g.time_years for g in grid] == [k / 12 for k in range(128)]
    assert grid[0].cumulative_hazard == 0 and grid[-1].at_risk >= 20
    for base in model.artefact.baseline:
        point = grid[round(base.horizon_years * 12)]
        assert base.cumulative_hazard == point.cumulative_hazard
