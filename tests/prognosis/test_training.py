"""Training code: data loaders, estimators, and an independent recomputation of the artefact."""

from __future__ import annotations

import csv
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from oncoboard.prognosis import load_model
from oncoboard.prognosis._training.data import gbsg2, metabric, npi_grade_size
from oncoboard.prognosis._training.external import metabric_subsets
from oncoboard.prognosis._training.survival import aalen_johansen, kaplan_meier

ROOT = Path(__file__).resolve().parents[2]
GBSG2 = ROOT / "examples/survival/lymph_node.csv"
METABRIC = ROOT / "examples/cohort/metabric"
REFERENCE = json.loads((Path(__file__).parent / "data" / "reference_patients.json").read_text())


@pytest.mark.parametrize(
    ("npi", "nodes", "expected"),
    [
        (6.044, 10, (3, 2.2)),  # MB-0000: stage 3 (>= 4 nodes), grade 3, 22 mm
        (4.02, 0, (3, 1.0)),  # MB-0002: stage 1, grade 3, 10 mm
        (3.048, 0, (2, 2.4)),
        (3.024, 1, (1, 1.2)),  # stage 2 (1-3 nodes)
        (2.03, 0, (1, 1.5)),
        (1.0, 0, (None, None)),  # grade 0 and size 0: not recoverable
        (4.05, None, (None, None)),  # nodes unknown: stage unknown
    ],
)
def test_npi_reconstruction(npi, nodes, expected):
    grade, size = npi_grade_size(npi, nodes)
    assert grade == expected[0]
    assert size == (None if expected[1] is None else pytest.approx(expected[1]))


def test_gbsg2_loader():
    cohort = gbsg2(GBSG2)
    assert len(cohort.covariates) == 686
    assert int(cohort.event.sum()) == 299
    with GBSG2.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    er_positive = sum(float(r["estrg_recp"]) >= 10 for r in rows)
    assert sum(bool(r["er_positive"]) for r in cohort.covariates) == er_positive
    assert cohort.covariates[0] == {"age": 38, "size_cm": 1.8, "grade": 3, "er_positive": True}
    assert cohort.time[0] == pytest.approx(1337 / 365.25)
    assert set(cohort.extra["nodes"].tolist()) >= {1} and cohort.extra["nodes"].min() >= 1


def test_metabric_loader_and_analysis_populations():
    cohort = metabric(METABRIC)
    assert len(cohort.covariates) == 1980
    assert set(np.unique(cohort.event)) == {0, 1, 2}
    first = cohort.covariates[0]  # MB-0000: NPI 6.044, 10 nodes, ER positive
    assert first["grade"] == 3 and first["size_cm"] == pytest.approx(2.2)
    assert first["er_positive"] is True
    sizes = {
        s.key: len(s.cohort.covariates)
        for s in metabric_subsets(load_model("desmedt2007-clinical"), cohort)
    }
    assert sizes == {
        "complete": 1806,
        "node_negative": 931,
        "in_domain": 385,
        "in_domain_untreated": 202,
    }


def test_kaplan_meier_and_aalen_johansen_by_hand():
    time = np.array([1.0, 2.0, 3.0, 4.0])
    event = np.array([1, 2, 1, 0])
    # CIF: 1/4 at t=1; survivors 2/4 after t=2; + (2/4)(1/2) at t=3
    assert aalen_johansen(time, event, 1.5) == pytest.approx(0.25)
    assert aalen_johansen(time, event, 3.0) == pytest.approx(0.5)
    # KM with the competing event censored: (3/4)(1/2)
    assert kaplan_meier(time, event, 3.0)[0] == pytest.approx(0.625)
    assert kaplan_meier(time, event, 0.5) == (0.0, 0.0, 0.0)


def _tsiatis_interval(x, time, event, beta, covariance, z, horizon):
    """Straightforward loop over event times (independent of the package's code)."""
    centre = x.mean(axis=0)
    xc, zc = x - centre, z - centre
    cumhaz, a_sum, d = 0.0, 0.0, np.zeros(len(beta))
    for t in np.unique(time[event == 1]):
        if t > horizon:
            break
        at_risk = time >= t
        weights = np.exp(xc[at_risk] @ beta)
        total = weights.sum()
        xbar = weights @ xc[at_risk] / total
        deaths = np.sum((time == t) & (event == 1))
        cumhaz += deaths / total
        a_sum += deaths / total**2
        d += deaths * (zc - xbar) / total
    h = cumhaz * math.exp(zc @ beta)
    se = math.sqrt(math.exp(2 * zc @ beta) * (a_sum + d @ covariance @ d)) / h
    return (
        1 - math.exp(-h),
        1 - math.exp(-h * math.exp(-1.959964 * se)),
        1 - math.exp(-h * math.exp(1.959964 * se)),
    )


@pytest.mark.slow
def test_lifelines_refit_reproduces_the_shipped_model():
    import pandas as pd
    from lifelines import CoxPHFitter

    from oncoboard.prognosis._training.clinical import TERMS, design
    from oncoboard.prognosis._training.data import desmedt

    cohort = desmedt()
    names = [name for name, _, _ in TERMS]
    x = design(cohort.covariates)
    frame = pd.DataFrame(x, columns=names).assign(time=cohort.time, event=cohort.event)
    fit = CoxPHFitter().fit(  # Efron ties = Breslow here: there are no tied event times
        frame, duration_col="time", event_col="event", fit_options={"precision": 1e-12}
    )
    model = load_model("desmedt2007-clinical")
    shipped = np.array([t.coefficient for t in model.artefact.terms])
    assert np.allclose(fit.params_[names].to_numpy(), shipped, atol=1e-5)
    covariance = fit.variance_matrix_.loc[names, names].to_numpy()
    assert np.allclose(covariance, np.array(model.artefact.covariance), rtol=1e-4, atol=1e-9)
    beta = fit.params_[names].to_numpy()
    for case in REFERENCE["patients"]:
        row = design([case["covariates"]])
        horizon = case["horizon_years"]
        survival = fit.predict_survival_function(
            pd.DataFrame(row, columns=names), times=[horizon]
        ).iloc[0, 0]
        risk, low, high = _tsiatis_interval(
            x, cohort.time, cohort.event, beta, covariance, row[0], horizon
        )
        assert 1 - survival == pytest.approx(case["risk"], abs=1e-5)
        assert (risk, low, high) == pytest.approx(
            (case["risk"], case["ci_low"], case["ci_high"]), abs=1e-5
        )


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_artefact():
    from oncoboard.prognosis._training.clinical import build_clinical
    from oncoboard.prognosis._training.data import desmedt

    rebuilt = build_clinical(desmedt())
    shipped = json.loads(
        resources.files("oncoboard.prognosis")
        .joinpath("models/desmedt2007-clinical.json")
        .read_text()
    )
    assert rebuilt["training"] == shipped["training"]
    assert rebuilt["covariates"] == shipped["covariates"]
    for new, old in zip(rebuilt["terms"], shipped["terms"], strict=True):
        assert new["name"] == old["name"]
        assert new["coefficient"] == pytest.approx(old["coefficient"], abs=1e-10)
    assert np.allclose(rebuilt["covariance"], shipped["covariance"], atol=1e-12)
    for new, old in zip(rebuilt["baseline"], shipped["baseline"], strict=True):
        assert new["cumulative_hazard"] == pytest.approx(old["cumulative_hazard"], rel=1e-10)
