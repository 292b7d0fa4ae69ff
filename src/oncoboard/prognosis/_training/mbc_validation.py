"""Internal validation of ``msk2018-mbc-os``: repeated CV with delayed-entry metrics.

The Cox model is refitted (lifelines, delayed entry) in every training fold of a repeated
K-fold split stratified on death, and predicts the 2- and 5-year risk of death of the
held-out patients from their metastatic diagnosis, using the fold's own delayed-entry
baseline. Metrics of a set of out-of-fold predictions (:func:`metric_values`):

- ``c_truncated``: Harrell's C on the pairs usable under delayed entry
  (:func:`~.truncated.concordance`), score = predicted 5-year risk;
- ``c_ignoring_entry``: the usual Harrell's C with entry ignored, for comparison only: it
  compares a patient who died with patients who were not yet under observation, so it is
  biased;
- ``slope_2y`` / ``slope_5y``: calibration slope, the Cox coefficient (delayed entry,
  follow-up censored at the horizon) of log(-log(1 - predicted risk)); 1 is ideal;
- ``oe_2y`` / ``oe_5y``: observed risk (delayed-entry Kaplan-Meier) over the mean
  predicted risk.

Point = mean over repeats; 95% interval from bootstrap resamples of patients where
replicate b uses the predictions of repeat b mod R (as for the Desmedt models). No
time-dependent AUC or Uno's C: their IPCW estimators in scikit-survival ignore delayed
entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training.internal import CvSettings
from oncoboard.prognosis._training.mbc_data import SUBTYPE_LEVELS, MbcCohort
from oncoboard.prognosis._training.mbc_model import design, fit_lifelines
from oncoboard.prognosis._training.metrics import bootstrap
from oncoboard.prognosis._training.truncated import (
    baseline_grid,
    concordance,
    fit_cox,
    kaplan_meier,
)

__all__ = [
    "HORIZONS",
    "METRICS",
    "MbcCv",
    "calibration_groups",
    "cross_validate",
    "metric_values",
    "model_risks",
    "summarise",
]

HORIZONS = (2.0, 5.0)
METRICS = ("c_truncated", "c_ignoring_entry", "slope_2y", "slope_5y", "oe_2y", "oe_5y")
_GROUPS = 5


@dataclass(frozen=True)
class MbcCv:
    """Out-of-fold risks (repeats x patients) at each horizon of :data:`HORIZONS`."""

    risk: dict[float, np.ndarray]


def _fold_risk(cohort: MbcCohort, train: np.ndarray, test: np.ndarray) -> dict[float, np.ndarray]:
    x = design(cohort.covariates)
    means = x[train].mean(axis=0)
    part = cohort.subset(np.isin(np.arange(x.shape[0]), train))
    beta, _, _ = fit_lifelines(x[train] - means, part)
    base = baseline_grid(
        x[train] - means,
        beta,
        cohort.time[train],
        cohort.entry[train],
        cohort.event[train],
        np.array(HORIZONS),
    )
    hazard = np.exp((x[test] - means) @ beta)
    return {h: -np.expm1(-base.cumulative_hazard[k] * hazard) for k, h in enumerate(HORIZONS)}


def cross_validate(cohort: MbcCohort, settings: CvSettings) -> MbcCv:
    """Out-of-fold 2- and 5-year risks over repeated stratified K-fold CV."""
    from sklearn.model_selection import RepeatedStratifiedKFold  # type: ignore[import-untyped]

    n = len(cohort.covariates)
    risk = {h: np.full((settings.repeats, n), np.nan) for h in HORIZONS}
    splitter = RepeatedStratifiedKFold(
        n_splits=settings.folds, n_repeats=settings.repeats, random_state=settings.seed
    )
    for split, (train, test) in enumerate(splitter.split(np.zeros(n), cohort.event)):
        # train is sorted, so cohort.subset(train) keeps the order of x[train]
        for h, values in _fold_risk(cohort, np.sort(train), test).items():
            risk[h][split // settings.folds, test] = values
    return MbcCv(risk=risk)


def _cloglog(risk: np.ndarray) -> np.ndarray:
    clipped = np.clip(risk, 1e-12, 1 - 1e-12)
    result: np.ndarray = np.log(-np.log1p(-clipped))
    return result


def calibration_slope(cohort: MbcCohort, risk: np.ndarray, horizon: float) -> float:
    """Delayed-entry Cox coefficient of cloglog(risk), follow-up censored at the horizon."""
    seen = cohort.entry < horizon
    time = np.minimum(cohort.time[seen], horizon)
    event = ((cohort.event[seen] == 1) & (cohort.time[seen] <= horizon)).astype(int)
    if event.sum() == 0:
        raise ValueError(f"expected an event before {horizon} years, got none")
    x = _cloglog(risk[seen])[:, None]
    return float(fit_cox(x - x.mean(), time, cohort.entry[seen], event).beta[0])


def metric_values(cohort: MbcCohort, risk: dict[float, np.ndarray]) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one set of 2- and 5-year predictions."""
    zero = np.zeros_like(cohort.entry)
    values = {
        "c_truncated": concordance(cohort.time, cohort.entry, cohort.event, risk[5.0])[0],
        "c_ignoring_entry": concordance(cohort.time, zero, cohort.event, risk[5.0])[0],
    }
    for h in HORIZONS:
        observed = kaplan_meier(cohort.time, cohort.entry, cohort.event, h)[0]
        values[f"slope_{h:g}y"] = calibration_slope(cohort, risk[h], h)
        values[f"oe_{h:g}y"] = observed / float(np.mean(risk[h]))
    return values


def calibration_groups(
    cohort: MbcCohort, risk: np.ndarray, horizon: float, groups: int = _GROUPS
) -> list[dict[str, float]]:
    """Mean predicted and delayed-entry KM observed risk by quantile group of risk."""
    edges = np.quantile(risk, np.linspace(0, 1, groups + 1))
    labels = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, groups - 1)
    rows = []
    for g in range(groups):
        part = cohort.subset(labels == g)
        km, low, high = kaplan_meier(part.time, part.entry, part.event, horizon)
        rows.append(
            {
                "group": float(g + 1),
                "n": float(len(part.covariates)),
                "events": float(np.sum((part.event == 1) & (part.time <= horizon))),
                "predicted": float(risk[labels == g].mean()),
                "observed_km": km,
                "observed_km_low": low,
                "observed_km_high": high,
            }
        )
    return rows


def model_risks(model: CoxModel, cohort: MbcCohort) -> dict[float, np.ndarray]:
    """The shipped model's risks at each horizon for every training patient."""
    return {
        h: np.array([model.predict(row, h).risk for row in cohort.covariates]) for h in HORIZONS
    }


def _take(cohort: MbcCohort, index: np.ndarray) -> MbcCohort:
    """The patients at ``index``, with repeats (bootstrap)."""
    return MbcCohort(
        covariates=[cohort.covariates[i] for i in index],
        time=cohort.time[index],
        entry=cohort.entry[index],
        event=cohort.event[index],
        patients=tuple(cohort.patients[i] for i in index),
        first_sample_type=cohort.first_sample_type[index],
        entry_last=cohort.entry_last[index],
    )


def summarise(cohort: MbcCohort, cv: MbcCv, settings: CvSettings) -> dict[str, Any]:
    """Point estimates (mean over repeats), bootstrap intervals and calibration tables."""
    repeats = settings.repeats
    per_repeat = [
        metric_values(cohort, {h: cv.risk[h][r] for h in HORIZONS}) for r in range(repeats)
    ]
    point = {m: float(np.mean([v[m] for v in per_repeat])) for m in METRICS}
    spread = {m: float(np.std([v[m] for v in per_repeat])) for m in METRICS}

    def compute(index: np.ndarray, b: int) -> dict[str, float]:
        risk = {h: cv.risk[h][b % repeats][index] for h in HORIZONS}
        return metric_values(_take(cohort, index), risk)

    ci = bootstrap(len(cohort.covariates), settings.bootstrap, settings.seed + 7, compute)
    mean_risk = {h: cv.risk[h].mean(axis=0) for h in HORIZONS}
    return {
        "point": point,
        "sd_over_repeats": spread,
        "ci": {m: list(ci[m]) for m in METRICS},
        "bootstrap_used": ci["replicates"][0],
        "mean_predicted": {f"{h:g}y": float(mean_risk[h].mean()) for h in HORIZONS},
        "calibration_groups": {
            f"{h:g}y": calibration_groups(cohort, mean_risk[h], h) for h in HORIZONS
        },
        "risk_group_cutpoints_5y": [float(q) for q in np.quantile(mean_risk[5.0], [1 / 3, 2 / 3])],
    }


def km_medians(cohort: MbcCohort) -> list[dict[str, Any]]:
    """Median OS from metastatic diagnosis by subtype (lifelines KM with and without entry)."""
    import warnings

    from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]
    from lifelines.utils import median_survival_times  # type: ignore[import-untyped]

    subtype = cohort.subtype
    groups = [("All", np.ones(subtype.size, dtype=bool))]
    groups += [(s, subtype == s) for s in SUBTYPE_LEVELS]
    groups.append(("HER2+ (HR+ or HR-)", np.isin(subtype, ["HR+/HER2+", "HR-/HER2+"])))
    rows = []
    for name, members in groups:
        part = cohort.subset(members)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            truncated = KaplanMeierFitter().fit(part.time, part.event, entry=part.entry)
            naive = KaplanMeierFitter().fit(part.time, part.event)
        interval = median_survival_times(truncated.confidence_interval_).to_numpy()[0]
        rows.append(
            {
                "group": name,
                "n": int(members.sum()),
                "deaths": int(part.event.sum()),
                "median_months": _months(truncated.median_survival_time_),
                "ci_months": [_months(interval[0]), _months(interval[1])],
                "median_months_ignoring_entry": _months(naive.median_survival_time_),
            }
        )
    return rows


def _months(years: float) -> float:
    return float(years) * 12 if math.isfinite(float(years)) else math.nan
