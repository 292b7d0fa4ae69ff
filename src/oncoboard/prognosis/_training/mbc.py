"""Train, validate and document ``msk2018-mbc-os`` (called by :mod:`.run`)."""

from __future__ import annotations

import json
import math
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import numpy as np

from oncoboard.prognosis._artefact import CoxArtefact
from oncoboard.prognosis._cox import CoxModel
from oncoboard.prognosis._training import mbc_checks, mbc_plots, mbc_validation
from oncoboard.prognosis._training.clinical import artefact_json
from oncoboard.prognosis._training.data import file_sha256
from oncoboard.prognosis._training.internal import CvSettings
from oncoboard.prognosis._training.mbc_data import MbcCohort, msk_mbc
from oncoboard.prognosis._training.mbc_model import MBC_ID, MIN_AT_RISK, build_mbc
from oncoboard.prognosis._training.published import MBC_COMPARATORS

__all__ = ["MBC_REFERENCE_PATIENTS", "MSK_PATH", "train_and_evaluate"]

MSK_PATH = Path("examples/cohort/msk-mbc-2018/breast_msk_2018_clinical_data.tsv")

MBC_REFERENCE_PATIENTS: tuple[
    tuple[str, dict[str, object], tuple[tuple[float, float], ...]], ...
] = (
    (
        "HR+/HER2-, 55 y, recurrence 5 y after diagnosis",
        {"subtype": "HR+/HER2-", "age_at_metastasis": 55, "de_novo": False, "dfi_years": 5.0},
        ((2.0, 0.0), (5.0, 0.0), (2.0, 2.0)),
    ),
    (
        "TNBC, 48 y, recurrence 1.5 y after diagnosis",
        {"subtype": "TNBC", "age_at_metastasis": 48, "de_novo": False, "dfi_years": 1.5},
        ((2.0, 0.0), (5.0, 0.0), (1.0, 1.0)),
    ),
    (
        "HR+/HER2+, 62 y, de novo",
        {"subtype": "HR+/HER2+", "age_at_metastasis": 62, "de_novo": True, "dfi_years": 0.0},
        ((2.0, 0.0), (5.0, 0.0), (3.0, 2.0)),
    ),
)
"""Patients whose predictions are reported in the card and pinned in the tests:
(label, covariates, (horizon_years, given_years) pairs)."""


def _coefficients(model: CoxModel) -> list[dict[str, float | str]]:
    se = np.sqrt(np.diag(np.array(model.artefact.covariance)))
    return [
        {
            "term": t.name,
            "coefficient": t.coefficient,
            "se": float(s),
            "hr": math.exp(t.coefficient),
            "hr_low": math.exp(t.coefficient - 1.959964 * s),
            "hr_high": math.exp(t.coefficient + 1.959964 * s),
            "mean": t.mean,
        }
        for t, s in zip(model.artefact.terms, se, strict=True)
    ]


def _reference(model: CoxModel) -> list[dict[str, Any]]:
    rows = []
    for label, covariates, windows in MBC_REFERENCE_PATIENTS:
        estimates = [model.predict(covariates, h, given_years=g) for h, g in windows]
        rows.append(
            {
                "label": label,
                "covariates": covariates,
                "estimates": [
                    {
                        "horizon_years": e.horizon_years,
                        "given_years": e.given_years,
                        "risk": e.risk,
                        "ci": [e.ci_low, e.ci_high],
                    }
                    for e in estimates
                ],
            }
        )
    return rows


def _describe(cohort: MbcCohort) -> dict[str, Any]:
    follow_up = cohort.time[cohort.event == 0]
    ages = np.array([r["age_at_metastasis"] for r in cohort.covariates], dtype=float)
    return {
        "entry_positive": int(np.sum(cohort.entry > 0)),
        "entry_median_positive_years": float(np.median(cohort.entry[cohort.entry > 0])),
        "entry_max_years": float(cohort.entry.max()),
        "first_sample_metastasis": int(np.sum(cohort.first_sample_type == "Metastasis")),
        "first_sample_primary_entry_0": int(
            np.sum((cohort.first_sample_type == "Primary") & (cohort.entry == 0))
        ),
        "median_follow_up_censored_years": float(np.median(follow_up)),
        "age_median": float(np.median(ages)),
        "de_novo": int(sum(bool(r["de_novo"]) for r in cohort.covariates)),
        "deaths_by_2y": int(np.sum((cohort.event == 1) & (cohort.time <= 2))),
        "deaths_by_5y": int(np.sum((cohort.event == 1) & (cohort.time <= 5))),
    }


def train_and_evaluate(root: Path, settings: CvSettings) -> dict[str, Any]:
    """Write the artefact and the figures of ``msk2018-mbc-os``; return its metrics."""
    cohort, checks = msk_mbc(root / MSK_PATH)
    artefact, details = build_mbc(cohort, checks)
    target = root / "src/oncoboard/prognosis/models" / f"{MBC_ID}.json"
    target.write_text(artefact_json(artefact), encoding="utf-8")
    print(f"wrote {target.relative_to(root)}")
    model = CoxModel(CoxArtefact.model_validate(artefact))
    apparent = mbc_validation.metric_values(cohort, mbc_validation.model_risks(model, cohort))
    cv = mbc_validation.cross_validate(cohort, settings)
    internal = mbc_validation.summarise(cohort, cv, settings)
    grid = artefact["grid"]
    metrics: dict[str, Any] = {
        "model_id": MBC_ID,
        "version": model.version,
        "software": {name: package_version(name) for name in ("lifelines", "numpy")},
        "data": {
            "path": str(MSK_PATH),
            "sha256": file_sha256(root / MSK_PATH),
            "table_sha256": cohort.sha256,
            "checks": checks,
            "counts": cohort.counts,
            "describe": _describe(cohort),
        },
        "fit": details,
        "coefficients": _coefficients(model),
        "domain": {
            c.name: c.model_dump(mode="json", exclude={"description"})
            for c in model.artefact.covariates
        },
        "grid": {
            "months": len(grid) - 1,
            "max_years": model.max_years,
            "at_risk_at_end": grid[-1]["at_risk"],
            "min_at_risk": MIN_AT_RISK,
            "at_risk_yearly": [p["at_risk"] for p in grid[::12]],
        },
        "reference_patients": _reference(model),
        "apparent": apparent,
        "internal": internal,
        "km_medians": mbc_validation.km_medians(cohort),
        "collinearity": mbc_checks.collinearity(cohort),
        "dfi_forms": mbc_checks.dfi_forms(cohort),
        "sensitivity": mbc_checks.sensitivity(cohort),
        "published": MBC_COMPARATORS,
    }
    img = root / "docs/models/img"
    img.mkdir(parents=True, exist_ok=True)
    mbc_plots.survival_figure(
        cohort,
        cv.risk[5.0].mean(axis=0),
        internal["risk_group_cutpoints_5y"],
        img / "mbc_risk_groups.png",
    )
    mbc_plots.calibration_figure(internal["calibration_groups"], img / "mbc_calibration.png")
    summary = mbc_plots.validation_summary(
        cohort,
        cv.risk[5.0].mean(axis=0),
        internal["risk_group_cutpoints_5y"],
        internal["calibration_groups"],
    )
    folder = root / "src/oncoboard/prognosis/validation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{MBC_ID}.json").write_text(
        json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return metrics
