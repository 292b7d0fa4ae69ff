"""Internal validation on Desmedt 2007: repeated stratified K-fold cross-validation.

Three models are refitted in every training fold and predict the 5-year risk of the held-out
patients (out-of-fold predictions, pooled over the folds of each repeat):

- ``clinical``: Cox model on age, size, grade and ER (the shipped model);
- ``clinical_genes``: elastic-net Cox (scikit-survival ``CoxnetSurvivalAnalysis``,
  l1_ratio 0.5) on the clinical terms, unpenalised, plus the 76 genes of the bundled data,
  penalised; the penalty is chosen in an inner 3-fold CV of each training fold (nested CV),
  maximising Harrell's C;
- ``rsf``: random survival forest on the same 81 columns, fixed hyper-parameters.

The point estimate of a metric is its mean over repeats; its 95% interval comes from a
bootstrap over patients in which replicate b uses the predictions of repeat b mod R, so the
interval reflects both the resampling of patients and the fold split.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oncoboard.prognosis._training.clinical import design
from oncoboard.prognosis._training.data import Cohort
from oncoboard.prognosis._training.metrics import (
    METRICS,
    Outcome,
    bootstrap,
    calibration_groups,
    metric_values,
)
from oncoboard.prognosis._training.survival import baseline_sums, fit_cox

__all__ = [
    "MODELS",
    "CvSettings",
    "cross_validate",
    "final_forest_size",
    "final_gene_model",
    "summarise",
]

MODELS = ("clinical", "clinical_genes", "rsf")
_HORIZON = 5.0
_CLINICAL_TERMS = 5


@dataclass(frozen=True)
class CvSettings:
    """Numbers of repeats, folds, inner folds and bootstrap replicates; seeds; RSF size."""

    repeats: int = 10
    folds: int = 5
    inner_folds: int = 3
    bootstrap: int = 300
    seed: int = 20070601
    trees: int = 300
    alphas: int = 30
    l1_ratio: float = 0.5
    tau: float = 5.0


@dataclass
class CvResult:
    """Out-of-fold 5-year risks (repeats x patients) per model, and per-fold details."""

    risk: dict[str, np.ndarray]
    details: dict[str, list[dict[str, float]]] = field(default_factory=dict)


def _features(cohort: Cohort) -> np.ndarray:
    if cohort.genes is None:
        raise ValueError(f"expected gene expression in {cohort.name!r}, got none")
    return np.hstack([design(cohort.covariates), cohort.genes])


def _structured(cohort: Cohort, index: np.ndarray) -> Any:
    from sksurv.util import Surv  # type: ignore[import-untyped]

    return Surv.from_arrays(cohort.event[index] == 1, cohort.time[index])


def _at(times: np.ndarray, survival: np.ndarray, horizon: float) -> np.ndarray:
    """Survival at the horizon from step functions evaluated at ``times`` (one row each)."""
    column = int(np.searchsorted(times, horizon, side="right")) - 1
    if column < 0:
        return np.ones(survival.shape[0])
    return np.asarray(survival[:, column], dtype=float)


def _clinical(cohort: Cohort, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    x = design(cohort.covariates)
    means = x[train].mean(axis=0)
    event = (cohort.event == 1).astype(int)
    fit = fit_cox(x[train] - means, cohort.time[train], event[train])
    (base,) = baseline_sums(
        x[train] - means, fit.beta, cohort.time[train], event[train], (_HORIZON,)
    )
    risk: np.ndarray = -np.expm1(-base.cumulative_hazard * np.exp((x[test] - means) @ fit.beta))
    return risk


def _coxnet(settings: CvSettings, alphas: np.ndarray | None = None) -> Any:
    from sksurv.linear_model import CoxnetSurvivalAnalysis  # type: ignore[import-untyped]

    penalty = np.r_[np.zeros(_CLINICAL_TERMS), np.ones(76)]
    return CoxnetSurvivalAnalysis(
        l1_ratio=settings.l1_ratio,
        penalty_factor=penalty,
        n_alphas=settings.alphas,
        alpha_min_ratio=0.01,
        alphas=alphas,
        fit_baseline_model=alphas is None,
        max_iter=100000,
    )


def _choose_alpha(
    x: np.ndarray, cohort: Cohort, train: np.ndarray, settings: CvSettings, seed: int
) -> tuple[Any, float]:
    """Fit the path on ``train`` and choose the penalty by inner CV (Harrell's C)."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
    from sksurv.metrics import concordance_index_censored  # type: ignore[import-untyped]

    path = _coxnet(settings).fit(x[train], _structured(cohort, train))
    alphas = np.asarray(path.alphas_)
    scores = np.zeros((settings.inner_folds, alphas.size))
    inner = StratifiedKFold(settings.inner_folds, shuffle=True, random_state=seed)
    for k, (fit_part, score_part) in enumerate(inner.split(train, cohort.event[train] == 1)):
        model = _coxnet(settings, alphas).fit(
            x[train[fit_part]], _structured(cohort, train[fit_part])
        )
        held = train[score_part]
        lp = x[held] @ np.asarray(model.coef_)
        event, time = cohort.event[held] == 1, cohort.time[held]
        for j in range(min(lp.shape[1], alphas.size)):
            scores[k, j] = concordance_index_censored(event, time, lp[:, j])[0]
    best = int(np.argmax(scores.mean(axis=0)))
    return path, float(alphas[best])


def _genes(
    cohort: Cohort, train: np.ndarray, test: np.ndarray, settings: CvSettings, seed: int
) -> tuple[np.ndarray, dict[str, float]]:
    raw = _features(cohort)
    centre, scale = raw[train].mean(axis=0), raw[train].std(axis=0)
    x = (raw - centre) / np.where(scale > 0, scale, 1.0)
    path, alpha = _choose_alpha(x, cohort, train, settings, seed)
    survival = path.predict_survival_function(x[test], alpha=alpha, return_array=True)
    coef = np.asarray(path.coef_)[:, int(np.argmin(np.abs(np.asarray(path.alphas_) - alpha)))]
    genes_kept = float(np.count_nonzero(coef[_CLINICAL_TERMS:]))
    risk = 1 - _at(np.asarray(path.unique_times_), np.asarray(survival), _HORIZON)
    return risk, {"alpha": alpha, "genes_selected": genes_kept}


def _fit_forest(cohort: Cohort, train: np.ndarray, settings: CvSettings, seed: int) -> Any:
    from sksurv.ensemble import RandomSurvivalForest  # type: ignore[import-untyped]

    return RandomSurvivalForest(
        n_estimators=settings.trees,
        min_samples_split=10,
        min_samples_leaf=15,
        max_features="sqrt",
        n_jobs=2,
        random_state=seed,
    ).fit(_features(cohort)[train], _structured(cohort, train))


def _forest(
    cohort: Cohort, train: np.ndarray, test: np.ndarray, settings: CvSettings, seed: int
) -> np.ndarray:
    forest = _fit_forest(cohort, train, settings, seed)
    survival = forest.predict_survival_function(_features(cohort)[test], return_array=True)
    return 1 - _at(np.asarray(forest.unique_times_), np.asarray(survival), _HORIZON)


def cross_validate(cohort: Cohort, settings: CvSettings) -> CvResult:
    """Out-of-fold 5-year risks of the three models over repeated stratified K-fold CV."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    n = len(cohort.covariates)
    risk = {name: np.full((settings.repeats, n), np.nan) for name in MODELS}
    details: dict[str, list[dict[str, float]]] = {"clinical_genes": []}
    splitter = RepeatedStratifiedKFold(
        n_splits=settings.folds, n_repeats=settings.repeats, random_state=settings.seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # coxnet convergence notes on the smallest penalties
        for split, (train, test) in enumerate(splitter.split(np.zeros(n), cohort.event == 1)):
            repeat = split // settings.folds
            seed = settings.seed + split
            risk["clinical"][repeat, test] = _clinical(cohort, train, test)
            gene_risk, detail = _genes(cohort, train, test, settings, seed)
            risk["clinical_genes"][repeat, test] = gene_risk
            details["clinical_genes"].append(detail)
            risk["rsf"][repeat, test] = _forest(cohort, train, test, settings, seed)
    return CvResult(risk=risk, details=details)


def summarise(cohort: Cohort, result: CvResult, settings: CvSettings) -> dict[str, Any]:
    """Point estimates (mean over repeats), bootstrap intervals and calibration tables."""
    outcome = Outcome(cohort.time, cohort.event)
    summary: dict[str, Any] = {}
    for offset, name in enumerate(MODELS):
        risk = result.risk[name]
        per_repeat = [metric_values(outcome, r, _HORIZON, settings.tau) for r in risk]
        point = {m: float(np.mean([v[m] for v in per_repeat])) for m in METRICS}
        spread = {m: float(np.std([v[m] for v in per_repeat])) for m in METRICS}

        def compute(index: np.ndarray, b: int, risk: np.ndarray = risk) -> dict[str, float]:
            repeat = risk[b % risk.shape[0]]
            return metric_values(outcome.take(index), repeat[index], _HORIZON, settings.tau)

        ci = bootstrap(len(outcome.time), settings.bootstrap, settings.seed + offset, compute)
        mean_risk = risk.mean(axis=0)
        summary[name] = {
            "point": point,
            "sd_over_repeats": spread,
            "ci": {m: list(ci[m]) for m in METRICS},
            "bootstrap_used": ci["replicates"][0],
            "mean_predicted_5y": float(mean_risk.mean()),
            "calibration_groups": calibration_groups(outcome, mean_risk, _HORIZON, 3),
        }
    genes = result.details["clinical_genes"]
    summary["clinical_genes"]["folds"] = {
        "genes_selected_median": float(np.median([d["genes_selected"] for d in genes])),
        "genes_selected_range": [
            float(min(d["genes_selected"] for d in genes)),
            float(max(d["genes_selected"] for d in genes)),
        ],
    }
    return summary


def final_gene_model(cohort: Cohort, settings: CvSettings) -> dict[str, Any]:
    """The elastic-net model on all of Desmedt (penalty by 3-fold CV): selected genes."""
    raw = _features(cohort)
    x = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    everyone = np.arange(len(cohort.covariates))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path, alpha = _choose_alpha(x, cohort, everyone, settings, settings.seed)
    column = int(np.argmin(np.abs(np.asarray(path.alphas_) - alpha)))
    coef = np.asarray(path.coef_)[:, column]
    names = ["age", "size_cm", "grade=2", "grade=3", "er_positive", *cohort.gene_names]
    selected = [
        {"term": names[i], "coefficient_per_sd": float(coef[i])}
        for i in np.argsort(-np.abs(coef))
        if coef[i] != 0
    ]
    return {
        "alpha": alpha,
        "genes_selected": int(np.count_nonzero(coef[_CLINICAL_TERMS:])),
        "terms": selected,
    }


def final_forest_size(cohort: Cohort, settings: CvSettings) -> dict[str, float]:
    """Size of the forest fitted to all of Desmedt: nodes and bytes of per-node curves."""
    forest = _fit_forest(cohort, np.arange(len(cohort.covariates)), settings, settings.seed)
    trees = [estimator.tree_ for estimator in forest.estimators_]
    return {
        "trees": float(len(trees)),
        "nodes": float(sum(tree.node_count for tree in trees)),
        "value_megabytes": float(sum(tree.value.nbytes for tree in trees)) / 1e6,
    }
