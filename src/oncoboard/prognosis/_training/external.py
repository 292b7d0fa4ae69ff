"""External validation of the shipped clinical model on GBSG2 and METABRIC.

The model is transported unchanged (coefficients and Desmedt baseline) and evaluated on the
covariates the cohorts share. Separately, the baseline hazard is re-estimated in the external
cohort with the linear predictor held fixed (recalibration of the baseline only); the
discrimination and the calibration slope do not change under that recalibration.

Endpoints differ: the model predicts distant metastasis, GBSG2 records recurrence-free
survival (local and distant recurrence) and METABRIC disease-specific death (other-cause
death competing). Agreement in absolute risk is therefore not expected; ranking is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training.clinical import design
from oncoboard.prognosis._training.data import Cohort
from oncoboard.prognosis._training.metrics import (
    METRICS,
    Outcome,
    bootstrap,
    calibration_groups,
    metric_values,
)
from oncoboard.prognosis._training.survival import aalen_johansen, baseline_sums, kaplan_meier

__all__ = ["Subset", "gbsg2_subsets", "metabric_subsets", "transported_risk", "validate"]

HORIZON = 5.0


@dataclass(frozen=True)
class Subset:
    """A named analysis population of an external cohort."""

    key: str
    label: str
    cohort: Cohort


def _complete(row: dict[str, object]) -> bool:
    return all(value is not None for value in row.values())


def transported_risk(model: CoxModel, cohort: Cohort, horizon: float = HORIZON) -> np.ndarray:
    """Risk by ``horizon`` of complete rows, without domain checks (for out-of-range rows)."""
    terms = model.artefact.terms
    beta = np.array([t.coefficient for t in terms])
    means = np.array([t.mean for t in terms])
    (base,) = [b for b in model.artefact.baseline if b.horizon_years == horizon]
    lp = (design(cohort.covariates) - means) @ beta
    risk: np.ndarray = -np.expm1(-base.cumulative_hazard * np.exp(lp))
    return risk


def _in_domain(model: CoxModel, cohort: Cohort) -> np.ndarray:
    return np.array([not model.check(row) for row in cohort.covariates])


def gbsg2_subsets(model: CoxModel, cohort: Cohort) -> list[Subset]:
    """All of GBSG2, and the patients within the model's covariate ranges."""
    return [
        Subset("all", "all patients (node-positive)", cohort),
        Subset(
            "in_range",
            "covariates within the training ranges (still node-positive)",
            cohort.subset(_in_domain(model, cohort), "GBSG2 in range"),
        ),
    ]


def metabric_subsets(model: CoxModel, cohort: Cohort) -> list[Subset]:
    """Complete cases; node-negative; node-negative in range; and untreated among them."""
    complete = np.array([_complete(row) for row in cohort.covariates])
    node_negative = complete & (cohort.extra["nodes"] == 0)
    in_domain = node_negative & _in_domain(model, cohort)
    untreated = in_domain & ~cohort.extra["chemotherapy"] & ~cohort.extra["hormone_therapy"]
    return [
        Subset("complete", "complete covariates, any node status", cohort.subset(complete, "")),
        Subset("node_negative", "node-negative", cohort.subset(node_negative, "")),
        Subset(
            "in_domain",
            "node-negative, covariates within the training ranges",
            cohort.subset(in_domain, ""),
        ),
        Subset(
            "in_domain_untreated",
            "as in_domain, no chemotherapy or endocrine therapy recorded",
            cohort.subset(untreated, ""),
        ),
    ]


def _recalibrated(risk: np.ndarray, outcome: Outcome) -> tuple[np.ndarray, float]:
    """Risks after re-estimating the baseline hazard with the linear predictor fixed, and
    the ratio of the re-estimated to the original baseline cumulative hazard at 5 years."""
    lp = np.log(-np.log1p(-np.clip(risk, 1e-12, 1 - 1e-12)))  # = lp + log H0(5)
    event = (outcome.event == 1).astype(int)
    (sums,) = baseline_sums(lp[:, None] - lp.mean(), np.ones(1), outcome.time, event, (HORIZON,))
    cumhaz = sums.cumulative_hazard * np.exp(lp - lp.mean())
    return -np.expm1(-cumhaz), float(sums.cumulative_hazard * np.exp(-lp.mean()))


def _describe(cohort: Cohort) -> dict[str, Any]:
    ages = np.array([row["age"] for row in cohort.covariates], dtype=float)
    sizes = np.array([row["size_cm"] for row in cohort.covariates], dtype=float)
    grades = [row["grade"] for row in cohort.covariates]
    er = [row["er_positive"] for row in cohort.covariates]
    return {
        "age_range": [float(ages.min()), float(ages.max())],
        "age_median": float(np.median(ages)),
        "size_cm_median": float(np.median(sizes)),
        "size_cm_range": [float(sizes.min()), float(sizes.max())],
        "grade_counts": [grades.count(g) for g in (1, 2, 3)],
        "er_positive": int(sum(bool(e) for e in er)),
        "median_follow_up_years": float(np.median(cohort.time)),
    }


def validate(model: CoxModel, subsets: list[Subset], replicates: int, seed: int) -> dict[str, Any]:
    """Transported and baseline-recalibrated performance of ``model`` on each subset."""
    results: dict[str, Any] = {}
    for offset, subset in enumerate(subsets):
        cohort = subset.cohort
        outcome = Outcome(cohort.time, cohort.event)
        risk = transported_risk(model, cohort)
        recalibrated, ratio = _recalibrated(risk, outcome)
        point = metric_values(outcome, risk, HORIZON, HORIZON)

        def compute(
            index: np.ndarray, _b: int, risk: np.ndarray = risk, outcome: Outcome = outcome
        ) -> dict[str, float]:
            return metric_values(outcome.take(index), risk[index], HORIZON, HORIZON)

        ci = bootstrap(len(risk), replicates, seed + offset, compute)
        km = kaplan_meier(outcome.time, outcome.event, HORIZON)
        groups = 5 if len(risk) >= 250 else 3
        results[subset.key] = {
            "label": subset.label,
            "n": len(risk),
            "events": int(np.sum(outcome.event == 1)),
            "events_by_5y": int(np.sum((outcome.event == 1) & (outcome.time <= HORIZON))),
            "competing": int(np.sum(outcome.event == 2)),
            "describe": _describe(cohort),
            "point": point,
            "ci": {m: list(ci[m]) for m in METRICS},
            "bootstrap_used": ci["replicates"][0],
            "mean_predicted_5y": float(risk.mean()),
            "observed_5y_km": list(km),
            "observed_5y_cif": (
                aalen_johansen(outcome.time, outcome.event, HORIZON)
                if outcome.has_competing
                else None
            ),
            "baseline_ratio_5y": ratio,
            "mean_recalibrated_5y": float(recalibrated.mean()),
            "calibration_groups": calibration_groups(
                outcome, risk, HORIZON, groups, extra=recalibrated
            ),
        }
    return results
