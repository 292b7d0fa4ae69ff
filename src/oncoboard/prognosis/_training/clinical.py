"""The shipped clinical Cox model of Desmedt 2007: design, fit and JSON artefact."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.metadata import version as package_version
from typing import Any

import numpy as np

from oncoboard.model import Evidence, EvidenceSource
from oncoboard.prognosis._artefact import CoxArtefact
from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training.data import Cohort
from oncoboard.prognosis._training.survival import CoxFit, baseline_sums, fit_cox

__all__ = [
    "CLINICAL_ID",
    "DESMEDT_EVIDENCE",
    "HORIZONS",
    "TERMS",
    "artefact_json",
    "build_clinical",
    "design",
]

CLINICAL_ID = "desmedt2007-clinical"
CLINICAL_VERSION = "1.0.0"
CLINICAL_SCHEMA_VERSION = 1
"""Layout 1 (yearly horizons, no grid): the shipped artefact stays byte-identical."""
HORIZONS: tuple[float, ...] = tuple(float(h) for h in range(1, 11))

TERMS: tuple[tuple[str, str, int | None], ...] = (
    ("age", "age", None),
    ("size_cm", "size_cm", None),
    ("grade=2", "grade", 2),
    ("grade=3", "grade", 3),
    ("er_positive", "er_positive", None),
)
"""Design columns: (term name, covariate, level for a category indicator)."""

DESMEDT_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="doi:10.1158/1078-0432.CCR-06-2765",
    title="Desmedt C et al. Strong time dependence of the 76-gene prognostic signature for "
    "node-negative breast cancer patients in the TRANSBIG multicenter independent validation "
    "series. Clin Cancer Res 2007;13(11):3207-3214 (PMID 17545524): training data",
    verified=True,
)

_POPULATION = (
    "Early, operable breast cancer at diagnosis: lymph-node-negative (pN0), tumour <= 5 cm, "
    "age < 61, no adjuvant systemic therapy (TRANSBIG series of Desmedt 2007). Node status, "
    "the absence of metastasis and of systemic therapy are not model inputs: the caller "
    "must check them. Not for metastatic disease."
)


def design(
    covariates: list[dict[str, object]],
    terms: Sequence[tuple[str, str, int | str | None]] = TERMS,
) -> np.ndarray:
    """The (uncentred) design matrix of complete covariate rows, columns as ``terms``
    (default :data:`TERMS`): a level's indicator, else the value as a number."""
    rows = []
    for row in covariates:
        values = []
        for _, covariate, level in terms:
            value = row[covariate]
            if level is not None:
                values.append(1.0 if value == level else 0.0)
            else:
                values.append(float(value))  # type: ignore[arg-type]  # complete numeric row
        rows.append(values)
    return np.array(rows, dtype=float)


def _check_against_sksurv(x: np.ndarray, cohort: Cohort, fit: CoxFit) -> None:
    from sksurv.linear_model import CoxPHSurvivalAnalysis  # type: ignore[import-untyped]
    from sksurv.util import Surv  # type: ignore[import-untyped]

    outcome = Surv.from_arrays(cohort.event == 1, cohort.time)
    reference = CoxPHSurvivalAnalysis(ties="breslow", tol=1e-12, n_iter=200).fit(x, outcome)
    if not np.allclose(reference.coef_, fit.beta, atol=1e-7):
        raise RuntimeError(
            f"Cox fit {fit.beta!r} differs from scikit-survival's {reference.coef_!r}"
        )


def _covariate_specs(cohort: Cohort) -> list[dict[str, Any]]:
    ages = [float(r["age"]) for r in cohort.covariates]  # type: ignore[arg-type]
    sizes = [float(r["size_cm"]) for r in cohort.covariates]  # type: ignore[arg-type]
    grades = [r["grade"] for r in cohort.covariates]
    er = [r["er_positive"] for r in cohort.covariates]
    return [
        {
            "kind": "numeric",
            "name": "age",
            "description": "Age at diagnosis, whole years",
            "unit": "years",
            "minimum": min(ages),
            "maximum": max(ages),
        },
        {
            "kind": "numeric",
            "name": "size_cm",
            "description": "Pathological tumour size (largest diameter)",
            "unit": "cm",
            "minimum": min(sizes),
            "maximum": max(sizes),
        },
        {
            "kind": "categorical",
            "name": "grade",
            "description": "Histological grade: 1 well, 2 intermediate (moderately), "
            "3 poorly differentiated",
            "levels": [1, 2, 3],
            "reference": 1,
            "counts": [grades.count(level) for level in (1, 2, 3)],
        },
        {
            "kind": "boolean",
            "name": "er_positive",
            "description": "Oestrogen receptor positive, as recorded in the TRANSBIG series",
            "counts": [er.count(False), er.count(True)],
        },
    ]


def build_clinical(cohort: Cohort) -> dict[str, Any]:
    """The artefact (as JSON-ready dict) of the clinical Cox model fitted to ``cohort``."""
    x = design(cohort.covariates)
    means = x.mean(axis=0)
    centred = x - means
    event = (cohort.event == 1).astype(int)
    fit = fit_cox(centred, cohort.time, event)
    _check_against_sksurv(centred, cohort, fit)
    sums = baseline_sums(centred, fit.beta, cohort.time, event, HORIZONS)
    covariance = (fit.covariance + fit.covariance.T) / 2
    artefact: dict[str, Any] = {
        "schema_version": CLINICAL_SCHEMA_VERSION,
        "model_id": CLINICAL_ID,
        "version": CLINICAL_VERSION,
        "kind": "cox_ph",
        "title": "Distant-metastasis risk from age, tumour size, grade and ER (Cox model)",
        "endpoint": "distant metastasis (time to distant metastasis from diagnosis)",
        "population": _POPULATION,
        "time_unit": "years",
        "card": f"docs/models/{CLINICAL_ID}.md",
        "training": {
            "source": "Desmedt 2007 TRANSBIG series (GEO GSE7390) as bundled in "
            f"scikit-survival {package_version('scikit-survival')} (load_breast_cancer)",
            "n": len(cohort.covariates),
            "events": int(event.sum()),
            "exclusions": cohort.excluded,
            "sha256": cohort.sha256,
        },
        "evidence": [DESMEDT_EVIDENCE.model_dump(mode="json")],
        "covariates": _covariate_specs(cohort),
        "terms": [
            {
                "name": name,
                "covariate": covariate,
                "level": level,
                "mean": float(mean),
                "coefficient": float(beta),
            }
            for (name, covariate, level), mean, beta in zip(TERMS, means, fit.beta, strict=True)
        ],
        "covariance": covariance.tolist(),
        "baseline": [
            {
                "horizon_years": s.horizon,
                "cumulative_hazard": s.cumulative_hazard,
                "variance_sum": s.variance_sum,
                "mean_shift": s.mean_shift.tolist(),
            }
            for s in sums
        ],
        "software": {
            name: package_version(name) for name in ("numpy", "scikit-survival", "oncoboard")
        },
    }
    _check_model(artefact, cohort, centred @ fit.beta)
    return artefact


def _check_model(artefact: dict[str, Any], cohort: Cohort, lp: np.ndarray) -> None:
    """The shipped code must reproduce the training linear predictor exactly."""
    model = CoxModel(CoxArtefact.model_validate(artefact))
    shipped = np.array([model.linear_predictor(row) for row in cohort.covariates])
    if not np.allclose(shipped, lp, atol=1e-12):
        raise RuntimeError("the shipped model does not reproduce the training linear predictor")


def artefact_json(artefact: dict[str, Any]) -> str:
    """Canonical JSON text of an artefact (sorted keys, 2-space indent, newline)."""
    return json.dumps(artefact, indent=2, sort_keys=True) + "\n"
