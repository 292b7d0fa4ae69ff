"""The shipped MBC overall-survival model ``msk2018-mbc-os``: design, fit and JSON artefact.

Cox model of death from any cause after metastatic diagnosis, fitted with delayed entry
(lifelines ``CoxPHFitter(entry_col=...)``, Efron ties) to :func:`~.mbc_data.msk_mbc`. The
baseline and the Tsiatis sums are computed with delayed-entry risk sets
(:func:`~.truncated.baseline_grid`) on a monthly grid from 0 to the last month with at
least :data:`MIN_AT_RISK` patients at risk; the artefact has schema version 2.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from importlib.metadata import version as package_version
from typing import Any

import numpy as np

from oncoboard.model import Evidence, EvidenceSource
from oncoboard.prognosis._artefact import SCHEMA_VERSION, CoxArtefact
from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training.clinical import design as clinical_design
from oncoboard.prognosis._training.mbc_data import SUBTYPE_LEVELS, MbcCohort
from oncoboard.prognosis._training.truncated import at_risk_after, baseline_grid, fit_cox

__all__ = [
    "MBC_ID",
    "MBC_TERMS",
    "MIN_AT_RISK",
    "build_mbc",
    "design",
    "fit_lifelines",
    "grid_months",
]

MBC_ID = "msk2018-mbc-os"
MBC_VERSION = "1.0.0"
MIN_AT_RISK = 20
"""The baseline grid ends at the last month with at least this many patients at risk."""

MBC_TERMS: tuple[tuple[str, str, str | None], ...] = (
    ("subtype=HR+/HER2+", "subtype", "HR+/HER2+"),
    ("subtype=HR-/HER2+", "subtype", "HR-/HER2+"),
    ("subtype=TNBC", "subtype", "TNBC"),
    ("age_at_metastasis", "age_at_metastasis", None),
    ("de_novo", "de_novo", None),
    ("dfi_years", "dfi_years", None),
)
"""Design columns: (term name, covariate, level for a category indicator)."""

RAZAVI_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="PMID:30205045",
    title="Razavi P et al. The genomic landscape of endocrine-resistant advanced breast "
    "cancers. Cancer Cell 2018;34:427-438 (cBioPortal breast_msk_2018): training data",
    verified=True,
)

_POPULATION = (
    "Patients with metastatic breast cancer (de novo stage IV or distant recurrence), from "
    "the diagnosis of metastatic disease: MSK 2018 (Razavi et al.), patients treated at "
    "Memorial Sloan Kettering whose tumour was sequenced (MSK-IMPACT). "
    "Performance status, sites and number of metastases, lines and type of treatment are "
    "not model inputs. Not for early (non-metastatic) breast cancer."
)


def design(covariates: list[dict[str, object]]) -> np.ndarray:
    """The (uncentred) design matrix of complete covariate rows, columns as :data:`MBC_TERMS`."""
    return clinical_design(covariates, MBC_TERMS)


def fit_lifelines(
    x_centred: np.ndarray, cohort: MbcCohort, names: Sequence[str] | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Coefficients and covariance from lifelines with delayed entry, and fit statistics.

    ``names`` are the design's column names (default: :data:`MBC_TERMS`).
    """
    import pandas as pd  # type: ignore[import-untyped]
    from lifelines import CoxPHFitter  # type: ignore[import-untyped]

    columns = list(names) if names is not None else [name for name, _, _ in MBC_TERMS]
    frame = pd.DataFrame(x_centred, columns=columns).assign(
        time=cohort.time, event=cohort.event, entry=cohort.entry
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = CoxPHFitter().fit(
            frame,
            duration_col="time",
            event_col="event",
            entry_col="entry",
            fit_options={"precision": 1e-10},
        )
    beta = fit.params_[columns].to_numpy(dtype=float)
    covariance = fit.variance_matrix_.loc[columns, columns].to_numpy(dtype=float)
    stats = {"loglik": float(fit.log_likelihood_), "aic_partial": float(fit.AIC_partial_)}
    return beta, (covariance + covariance.T) / 2, stats


def grid_months(cohort: MbcCohort) -> int:
    """The last whole month (from metastatic diagnosis) with >= MIN_AT_RISK at risk."""
    months = np.arange(0, int(np.ceil(cohort.time.max() * 12)) + 1)

    at_risk = at_risk_after(cohort.time, cohort.entry, months / 12)
    return int(months[at_risk >= MIN_AT_RISK].max())


def _covariate_specs(cohort: MbcCohort) -> list[dict[str, Any]]:
    rows = cohort.covariates
    ages = [float(r["age_at_metastasis"]) for r in rows]  # type: ignore[arg-type]
    dfis = [float(r["dfi_years"]) for r in rows]  # type: ignore[arg-type]
    subtypes = [r["subtype"] for r in rows]
    de_novo = [r["de_novo"] for r in rows]
    return [
        {
            "kind": "categorical",
            "name": "subtype",
            "description": "Receptor subtype of the patient (MSK 'Overall Patient Receptor "
            "Status': HR and HER2 over the patient's samples); HR+/HER2- is the reference",
            "levels": list(SUBTYPE_LEVELS),
            "reference": SUBTYPE_LEVELS[0],
            "counts": [subtypes.count(level) for level in SUBTYPE_LEVELS],
        },
        {
            "kind": "numeric",
            "name": "age_at_metastasis",
            "description": "Age at diagnosis of metastatic disease (whole months in training)",
            "unit": "years",
            "minimum": min(ages),
            "maximum": max(ages),
        },
        {
            "kind": "boolean",
            "name": "de_novo",
            "description": "De novo metastatic: stage IV at the diagnosis of breast cancer",
            "counts": [de_novo.count(False), de_novo.count(True)],
        },
        {
            "kind": "numeric",
            "name": "dfi_years",
            "description": "Disease-free interval: years from the diagnosis of the primary "
            "to the diagnosis of metastatic disease; 0 for de novo metastatic disease",
            "unit": "years",
            "minimum": min(dfis),
            "maximum": max(dfis),
            "zero_when": "de_novo",
        },
    ]


def _check_against_numpy(x: np.ndarray, cohort: MbcCohort, beta: np.ndarray) -> float:
    """Largest coefficient difference to the numpy Breslow fit (ties: Efron in lifelines)."""
    reference = fit_cox(x, cohort.time, cohort.entry, cohort.event)
    gap = float(np.max(np.abs(reference.beta - beta)))
    if gap > 0.01:
        raise RuntimeError(f"lifelines fit {beta!r} differs from the numpy fit {reference.beta!r}")
    return gap


def build_mbc(cohort: MbcCohort, checks: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The artefact (as JSON-ready dict) fitted to ``cohort``, and fit details for metrics."""
    x = design(cohort.covariates)
    means = x.mean(axis=0)
    centred = x - means
    beta, covariance, stats = fit_lifelines(centred, cohort)
    gap = _check_against_numpy(centred, cohort, beta)
    last = grid_months(cohort)
    times = np.arange(0, last + 1) / 12
    grid = baseline_grid(centred, beta, cohort.time, cohort.entry, cohort.event, times)
    points = [
        {
            "time_years": float(t),
            "at_risk": int(n),
            "cumulative_hazard": float(h),
            "variance_sum": float(a),
            "mean_shift": [float(b) for b in shift],
        }
        for t, n, h, a, shift in zip(
            grid.times,
            grid.at_risk,
            grid.cumulative_hazard,
            grid.variance_sum,
            grid.mean_shift,
            strict=True,
        )
    ]
    counts = cohort.counts
    artefact: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "model_id": MBC_ID,
        "version": MBC_VERSION,
        "kind": "cox_ph",
        "title": "Overall survival from metastatic diagnosis by subtype, age, de novo "
        "presentation and disease-free interval (Cox model, delayed entry)",
        "endpoint": "death from any cause (overall survival from the diagnosis of "
        "metastatic disease)",
        "population": _POPULATION,
        "setting": "metastatic",
        "time_origin": "metastatic diagnosis",
        "time_unit": "years",
        "card": f"docs/models/{MBC_ID}.md",
        "training": {
            "source": "MSK 2018 (Razavi et al.) cBioPortal breast_msk_2018 clinical data "
            "(examples/cohort/msk-mbc-2018), one row per patient with metastatic disease",
            "n": counts["patients"],
            "events": counts["events"],
            "exclusions": f"{checks['patients'] - counts['metastatic']} of "
            f"{checks['patients']} patients never metastatic; "
            f"{counts['dropped_not_after_entry']} metastatic patients whose follow-up ends "
            "at or before their entry (sequencing); "
            f"{counts['dropped_negative_time']} with follow-up ending before the "
            "metastatic diagnosis",
            "sha256": cohort.sha256,
        },
        "evidence": [RAZAVI_EVIDENCE.model_dump(mode="json")],
        "covariates": _covariate_specs(cohort),
        "terms": [
            {
                "name": name,
                "covariate": covariate,
                "level": level,
                "mean": float(mean),
                "coefficient": float(b),
            }
            for (name, covariate, level), mean, b in zip(MBC_TERMS, means, beta, strict=True)
        ],
        "covariance": covariance.tolist(),
        "baseline": [
            {
                "horizon_years": p["time_years"],
                "cumulative_hazard": p["cumulative_hazard"],
                "variance_sum": p["variance_sum"],
                "mean_shift": p["mean_shift"],
            }
            for p in points[12::12]
        ],
        "grid": points,
        "software": {name: package_version(name) for name in ("numpy", "lifelines", "oncoboard")},
    }
    _check_model(artefact, cohort, centred @ beta)
    details = {"numpy_breslow_max_coefficient_gap": gap, **stats, "grid_last_month": last}
    return artefact, details


def _check_model(artefact: dict[str, Any], cohort: MbcCohort, lp: np.ndarray) -> None:
    """The shipped code must reproduce the training linear predictor exactly."""
    model = CoxModel(CoxArtefact.model_validate(artefact))
    shipped = np.array([model.linear_predictor(row) for row in cohort.covariates])
    if not np.allclose(shipped, lp, atol=1e-12):
        raise RuntimeError("the shipped model does not reproduce the training linear predictor")
