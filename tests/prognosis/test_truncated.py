"""Delayed-entry estimators (``_training.truncated``) against lifelines and brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.utils import concordance_index

from oncoboard.prognosis._training.truncated import (
    at_risk_after,
    baseline_grid,
    concordance,
    fit_cox,
    kaplan_meier,
)


@pytest.fixture(scope="module")
def data():
    """Simulated left-truncated, right-censored data with two covariates (no ties)."""
    rng = np.random.default_rng(20180905)
    n = 300
    x = rng.normal(size=(n, 2))
    latent = rng.exponential(2 * np.exp(-x @ np.array([0.5, -0.3])))
    censor = rng.uniform(0, 4, n)
    entry = np.where(rng.uniform(size=n) < 0.5, 0.0, rng.uniform(0, 1.5, n))
    time = np.minimum(latent, censor)
    event = (latent <= censor).astype(int)
    keep = time > entry
    return x[keep], time[keep], entry[keep], event[keep]


def test_kaplan_meier_with_entry_matches_lifelines(data):
    _, time, entry, event = data
    reference = KaplanMeierFitter().fit(time, event, entry=entry)
    for at in (0.25, 1.0, 2.0, 3.0):
        risk, low, high = kaplan_meier(time, entry, event, at)
        assert risk == pytest.approx(1 - reference.survival_function_at_times(at).iloc[0])
        assert low < risk < high


def test_kaplan_meier_with_entry_by_hand():
    # risk sets: t=1 {a, b} (c enters at 1.5); t=2 {b, c}; t=3 {c}
    time = np.array([1.0, 2.0, 3.0])
    entry = np.array([0.0, 0.0, 1.5])
    event = np.array([1, 1, 0])
    assert kaplan_meier(time, entry, event, 1.5)[0] == pytest.approx(0.5)
    assert kaplan_meier(time, entry, event, 2.5)[0] == pytest.approx(0.75)
    assert kaplan_meier(time, entry, event, 0.5) == (0.0, 0.0, 0.0)
    assert at_risk_after(time, entry, np.array([0.0, 1.5, 2.0, 3.0])).tolist() == [2, 2, 1, 0]


def test_cox_fit_with_entry_matches_lifelines(data):
    x, time, entry, event = data
    fit = fit_cox(x, time, entry, event)
    frame = pd.DataFrame(x, columns=["a", "b"]).assign(time=time, event=event, entry=entry)
    reference = CoxPHFitter().fit(frame, "time", "event", entry_col="entry")
    assert np.allclose(fit.beta, reference.params_.to_numpy(), atol=1e-5)
    assert np.allclose(np.sqrt(np.diag(fit.covariance)), reference.standard_errors_, rtol=1e-4)


def test_baseline_grid_by_hand():
    # two patients, no covariate effect: H0 jumps 1/2 at t=1 (both at risk), 1/1 at t=2
    time = np.array([1.0, 2.0])
    entry = np.array([0.0, 0.5])
    event = np.array([1, 1])
    x = np.zeros((2, 1))
    grid = baseline_grid(x, np.zeros(1), time, entry, event, np.array([0.0, 1.0, 1.5, 2.0]))
    assert grid.cumulative_hazard.tolist() == [0.0, 0.5, 0.5, 1.5]
    assert grid.variance_sum.tolist() == [0.0, 0.25, 0.25, 1.25]
    assert grid.at_risk.tolist() == [1, 1, 1, 0]


def test_concordance_without_entry_is_harrells_c(data):
    x, time, _, event = data
    score = x @ np.array([0.5, -0.3])
    c, _ = concordance(time, np.zeros_like(time), event, score)
    assert c == pytest.approx(concordance_index(time, -score, event))


def test_concordance_with_entry_by_brute_force(data):
    x, time, entry, event = data
    score = np.round(x @ np.array([0.5, -0.3]), 1)  # ties in the score count one half
    concordant = pairs = 0.0
    for i in np.flatnonzero(event == 1):
        for j in range(time.size):
            later = time[j] > time[i] or (time[j] == time[i] and event[j] != 1)
            if entry[j] < time[i] and later:
                pairs += 1
                concordant += 1.0 if score[i] > score[j] else 0.5 if score[i] == score[j] else 0
    c, usable = concordance(time, entry, event, score)
    assert usable == pairs
    assert c == pytest.approx(concordant / pairs)
    assert usable < concordance(time, np.zeros_like(time), event, score)[1]
