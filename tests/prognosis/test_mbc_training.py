"""Training of ``msk2018-mbc-os``: the cohort reader, and an independent recomputation of the
shipped artefact and of the pinned predictions from the raw MSK 2018 table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from oncoboard.prognosis import load_model
from oncoboard.prognosis._training.mbc_data import msk_mbc

ROOT = Path(__file__).resolve().parents[2]
MSK = ROOT / "examples/cohort/msk-mbc-2018/breast_msk_2018_clinical_data.tsv"
REFERENCE = json.loads((Path(__file__).parent / "data" / "mbc_reference_patients.json").read_text())
TERMS = ["HR+/HER2+", "HR-/HER2+", "TNBC", "age", "de_novo", "dfi"]


@pytest.fixture(scope="module")
def cohort_and_checks():
    return msk_mbc(MSK)


def test_cohort_counts(cohort_and_checks):
    cohort, _ = cohort_and_checks
    assert cohort.counts == {
        "metastatic": 1261,
        "dropped_not_after_entry": 5,
        "dropped_negative_time": 0,
        "dfi_clipped_to_0": 1,
        "unknown_subtype": 0,
        "male": 7,
        "patients": 1256,
        "events": 378,
    }
    assert np.all(cohort.time > cohort.entry) and np.all(cohort.entry >= 0)
    de_novo = np.array([r["de_novo"] for r in cohort.covariates])
    dfi = np.array([r["dfi_years"] for r in cohort.covariates])
    assert np.all(dfi[de_novo] == 0) and np.all(dfi >= 0)


def test_time_columns_read_as_ages_in_months(cohort_and_checks):
    _, checks = cohort_and_checks
    assert checks["patients_with_inconsistent_patient_columns"] == 0
    assert max(map(abs, checks["deceased_dx_plus_os_minus_death_age"])) < 1
    assert max(map(abs, checks["metastatic_met_age_minus_dx_age_minus_dfs"])) < 1
    assert checks["never_metastatic_dfs_minus_os"] == [0.0, 0.0]
    assert max(map(abs, checks["last_contact_days_as_months_minus_dx_plus_os"])) < 1.5
    assert max(map(abs, checks["dx_age_months_over_12_minus_age_years"])) < 0.6
    assert checks["stage_iv_not_m1"] == checks["living_with_death_age"] == 0


def _independent_cohort():
    """The cohort rebuilt with pandas, from the brief's rules, without the package's reader."""
    import pandas as pd

    raw = pd.read_csv(MSK, sep="\t", na_values=["NA"])
    raw = raw.sort_values(["Patient ID", "NGS Sample Collection Time Period", "Sample ID"])
    first = raw.groupby("Patient ID", sort=False).first().reset_index()
    first = first[first["Metastatic Recurrence Time"].notna()]
    met = first["Metastatic Recurrence Time"]
    dx = first["Time to Diagnosis Invasive Carcinoma"]
    frame = pd.DataFrame(
        {
            "time": (dx + first["Overall Survival (Months)"] - met) / 12,
            "entry": (first["NGS Sample Collection Time Period"] - met).clip(lower=0) / 12,
            "event": (first["Overall Survival Status"] == "1:DECEASED").astype(int),
            "de_novo": (first["Stage At Diagnosis"] == "IV").astype(float),
            "age": met / 12,
        }
    )
    frame["dfi"] = np.where(frame["de_novo"] == 1, 0.0, ((met - dx) / 12).clip(lower=0))
    status = first["Overall Patient Receptor Status"]
    for level, source in (("HR+/HER2+",) * 2, ("HR-/HER2+",) * 2, ("TNBC", "Triple Negative")):
        frame[level] = (status == source).astype(float)
    return frame[(frame["time"] > frame["entry"]) & (frame["time"] >= 0)].reset_index(drop=True)


def _loop_window(x, time, entry, event, beta, covariance, z, start, stop):
    """Delayed-entry Breslow/Tsiatis over (start, stop], one event time at a time."""
    centre = x.mean(axis=0)
    xc, zc = x - centre, z - centre
    cumhaz, a_sum, d = 0.0, 0.0, np.zeros(len(beta))
    for t in np.unique(time[event == 1]):
        if t <= start or t > stop:
            continue
        at_risk = (entry < t) & (time >= t)
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
def test_independent_refit_reproduces_the_artefact_and_the_pinned_predictions():
    import pandas as pd
    from lifelines import CoxPHFitter, CoxTimeVaryingFitter

    frame = _independent_cohort()
    assert (len(frame), int(frame["event"].sum())) == (1256, 378)
    fit = CoxPHFitter().fit(
        frame[[*TERMS, "time", "event", "entry"]],
        duration_col="time",
        event_col="event",
        entry_col="entry",
        fit_options={"precision": 1e-10},
    )
    model = load_model("msk2018-mbc-os")
    shipped = np.array([t.coefficient for t in model.artefact.terms])
    beta = fit.params_[TERMS].to_numpy()
    assert np.allclose(beta, shipped, atol=1e-7)
    covariance = fit.variance_matrix_.loc[TERMS, TERMS].to_numpy()
    assert np.allclose(covariance, np.array(model.artefact.covariance), rtol=1e-6, atol=1e-12)
    assert np.allclose(frame[TERMS].mean().to_numpy(), [t.mean for t in model.artefact.terms])

    # baseline: lifelines' start/stop fitter uses delayed-entry risk sets (CoxPHFitter's
    # own baseline ignores entry_col, lifelines issue #1416)
    ctv = CoxTimeVaryingFitter().fit(
        frame[[*TERMS, "entry", "time", "event"]].assign(id=np.arange(len(frame))),
        id_col="id",
        event_col="event",
        start_col="entry",
        stop_col="time",
    )
    ctv_h0 = ctv.baseline_cumulative_hazard_.iloc[:, 0]
    for point in model.artefact.grid[6::12]:
        reference = ctv_h0[ctv_h0.index <= point.time_years].iloc[-1]
        assert point.cumulative_hazard == pytest.approx(reference, rel=1e-5)

    x, time = frame[TERMS].to_numpy(), frame["time"].to_numpy()
    entry, event = frame["entry"].to_numpy(), frame["event"].to_numpy()
    for case in REFERENCE["patients"]:
        c = case["covariates"]
        z = np.array(
            [c["subtype"] == s for s in TERMS[:3]]
            + [c["age_at_metastasis"], c["de_novo"], c["dfi_years"]],
            dtype=float,
        )
        start = case["given_years"]
        stop = start + case["horizon_years"]
        expected = (case["risk"], case["ci_low"], case["ci_high"])
        window = _loop_window(x, time, entry, event, beta, covariance, z, start, stop)
        assert window == pytest.approx(expected, abs=1e-6)
        if start == 0:
            survival = fit.predict_survival_function(
                pd.DataFrame([z], columns=TERMS), times=[stop]
            ).iloc[0, 0]
            # lifelines' CoxPHFitter prediction ignores delayed entry: it must differ
            assert 1 - survival < case["risk"]
