"""Per-patient prognosis in the plan and the report: a risk with its interval and model card
where the patient is in a model's domain, otherwise the reasons (issue #9)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case
from oncoboard.model import Case
from oncoboard.planning import plan_case
from oncoboard.prognosis import load_model
from oncoboard.prognosis.case import case_prognosis, metastatic_date
from tests.conftest import EXAMPLES
from tests.report.conftest import demo_html

MBC_005 = EXAMPLES / "mbc-005-esr1-serial-ctdna.yaml"


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(MBC_005)


def _by_id(case: Case, **kwargs: object) -> dict[str, object]:
    return {r.model_id: r for r in case_prognosis(case, **kwargs)}  # type: ignore[arg-type]


def test_metastatic_model_applies_with_conditional_risks(case: Case) -> None:
    result = _by_id(case)["msk2018-mbc-os"]
    assert result.applicable and result.reasons == []  # type: ignore[attr-defined]
    recurrence, as_of = dt.date(2022, 6, 14), dt.date(2025, 7, 15)
    assert metastatic_date(case) == recurrence
    covariates = {
        "subtype": "HR+/HER2-",
        "de_novo": False,
        "dfi_years": round((recurrence - dt.date(2012, 9, 3)).days / 365.25, 2),
        "age_at_metastasis": round((recurrence - dt.date(1951, 5, 17)).days / 365.25, 2),
    }
    assert result.covariates == covariates  # type: ignore[attr-defined]
    given = round((as_of - recurrence).days / 365.25, 2)
    assert result.given_years == given == 3.09  # type: ignore[attr-defined]
    model = load_model("msk2018-mbc-os")
    expected = [model.predict(covariates, horizon_years=h, given_years=given) for h in (1, 2)]
    assert result.estimates == expected  # type: ignore[attr-defined]
    one, two = expected
    assert 0 < one.ci_low < one.risk < one.ci_high < 1
    assert one.risk < two.risk
    assert result.card == "docs/models/msk2018-mbc-os.md"  # type: ignore[attr-defined]
    assert result.evidence and "msk2018-mbc-os" in result.rule  # type: ignore[attr-defined]


def test_early_model_does_not_apply_and_says_why(case: Case) -> None:
    result = _by_id(case)["desmedt2007-clinical"]
    assert not result.applicable and result.estimates == []  # type: ignore[attr-defined]
    assert result.reasons == [  # type: ignore[attr-defined]
        "the patient has metastatic breast cancer; the model is for early (non-metastatic, "
        "node-negative) breast cancer at diagnosis"
    ]


def test_early_breast_cancer_case_is_not_imputed(case: Case) -> None:
    """A node-negative early case with everything but the tumour size: still out of domain,
    because the size is not recorded; never a guessed size."""
    dx = case.primary_diagnosis.model_copy(update={"metastatic_recurrence_date": None})
    patient = case.patient.model_copy(update={"birth_date": dt.date(1960, 5, 17)})
    early = case.model_copy(
        update={
            "patient": patient,
            "primary_diagnosis": dx,
            "metastatic_sites": [],
            "as_of": dt.date(2013, 1, 1),
        }
    )
    results = _by_id(early)
    desmedt = results["desmedt2007-clinical"]
    assert desmedt.reasons == ["size_cm not recorded"]  # type: ignore[attr-defined]
    assert desmedt.covariates == {"age": 52.3, "grade": 1, "er_positive": True}  # type: ignore[attr-defined]
    mbc = results["msk2018-mbc-os"]
    assert mbc.reasons == [  # type: ignore[attr-defined]
        "no metastatic disease recorded; the model is for metastatic breast cancer"
    ]


def test_undetermined_subtype_is_a_reason_not_a_guess(case: Case) -> None:
    no_her2 = case.model_copy(
        update={"receptors": [r for r in case.receptors if r.receptor != "HER2"]}
    )
    result = _by_id(no_her2)["msk2018-mbc-os"]
    assert not result.applicable  # type: ignore[attr-defined]
    assert any(r.startswith("subtype undetermined") for r in result.reasons)  # type: ignore[attr-defined]
    assert "subtype" not in result.covariates  # type: ignore[attr-defined]


def test_plan_carries_prognosis_in_json_and_text(case: Case) -> None:
    plan = plan_case(case)
    assert [r.model_id for r in plan.prognosis] == ["desmedt2007-clinical", "msk2018-mbc-os"]
    runner = CliRunner()
    document = json.loads(runner.invoke(app, ["plan", str(MBC_005), "--json"]).stdout)
    (entry,) = [p for p in document["plans"][0]["prognosis"] if p["applicable"]]
    assert entry["model_id"] == "msk2018-mbc-os"
    assert [e["horizon_years"] for e in entry["estimates"]] == [1.0, 2.0]
    text = runner.invoke(app, ["plan", str(MBC_005)]).stdout
    assert "Prognosis (population risk models)" in text
    assert "desmedt2007-clinical" in text and "not applicable" in text
    risk = plan.prognosis[1].estimates[0]
    assert f"within 1 years: {100 * risk.risk:.0f}%" in text


def test_report_shows_the_estimates_and_the_reasons() -> None:
    html = demo_html("mbc-005")
    assert 'id="ob-prognosis"' in html
    assert "msk2018-mbc-os" in html and "docs/models/msk2018-mbc-os.md" in html
    assert "Not applicable" in html and "the patient has metastatic breast cancer" in html
    # the figure: the patient's curve against the cohort's Kaplan-Meier curves and calibration
    assert 'id="ob-prognosis-msk2018-mbc-os-title"' in html
    assert "ob-prognosis-desmedt2007-clinical" not in html
    assert "delayed-entry Kaplan-Meier" in html and "calibration by quintile" in html


def test_validation_summary_is_aggregate_and_matches_the_card() -> None:
    from oncoboard.prognosis._registry import validation_summary

    summary = validation_summary("msk2018-mbc-os")
    assert summary is not None
    assert validation_summary("desmedt2007-clinical") is None
    groups = summary["risk_groups"]
    assert [g["name"] for g in groups] == ["low", "intermediate", "high"]
    assert sum(g["n"] for g in groups) == 1256 and sum(g["events"] for g in groups) == 378
    for group in groups:
        curve = group["cumulative_incidence"]
        assert len(curve) == len(summary["grid_years"]) == 121
        assert curve[0] == 0 and all(a <= b for a, b in itertools.pairwise(curve))
    at_5y = [g["cumulative_incidence"][60] for g in groups]
    assert at_5y == sorted(at_5y)  # the risk groups separate
    assert [len(rows) for rows in summary["calibration"].values()] == [5, 5]
