"""Checks of the ``msk2018-mbc-os`` specification: collinearity, the form of the disease-free
interval, and sensitivity of the hazard ratios to how delayed entry is defined.

- Collinearity: ``de_novo`` implies ``dfi_years`` = 0; the correlation of the two columns
  and the variance inflation factor (VIF) of every term are reported.
- Form of the disease-free interval: the shipped linear ``dfi_years`` (with ``de_novo``)
  against a three-level category (de novo, recurrence < 2 years, >= 2 years), log(1 + DFI)
  and five groups; partial AIC of each, and the hazard ratios of the groups.
- Delayed entry: the hazard ratios when entry is ignored (biased: survivors of the time
  before sequencing), when entry is the last sequenced sample, and among patients whose
  first sequenced sample was a metastasis (collection after the metastatic diagnosis,
  closer to the time of sequencing than an archival primary).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from oncoboard.prognosis._training.mbc_data import MbcCohort
from oncoboard.prognosis._training.mbc_model import MBC_TERMS, design, fit_lifelines

__all__ = ["collinearity", "dfi_forms", "hazard_ratios", "sensitivity"]

_Z = 1.959964
_SUBTYPE_TERMS = [name for name, covariate, _ in MBC_TERMS if covariate == "subtype"]
_BASE = [*_SUBTYPE_TERMS, "age_at_metastasis"]


def hazard_ratios(
    x: np.ndarray, cohort: MbcCohort, names: list[str] | None = None
) -> tuple[list[dict[str, float | str]], dict[str, float]]:
    """Hazard ratios with 95% intervals of a delayed-entry fit of design ``x``."""
    columns = names or [name for name, _, _ in MBC_TERMS]
    beta, covariance, stats = fit_lifelines(x - x.mean(axis=0), cohort, columns)
    se = np.sqrt(np.diag(covariance))
    rows: list[dict[str, float | str]] = [
        {
            "term": name,
            "hr": math.exp(b),
            "hr_low": math.exp(b - _Z * s),
            "hr_high": math.exp(b + _Z * s),
        }
        for name, b, s in zip(columns, beta, se, strict=True)
    ]
    return rows, stats


def collinearity(cohort: MbcCohort) -> dict[str, Any]:
    """Correlation of ``de_novo`` and ``dfi_years``, and the VIF of each term."""
    x = design(cohort.covariates)
    names = [name for name, _, _ in MBC_TERMS]
    correlation = np.corrcoef(x, rowvar=False)
    vif = np.diag(np.linalg.inv(correlation))
    i, j = names.index("de_novo"), names.index("dfi_years")
    de_novo = x[:, i] == 1
    return {
        "corr_de_novo_dfi": float(correlation[i, j]),
        "vif": {name: float(v) for name, v in zip(names, vif, strict=True)},
        "dfi_years_de_novo_max": float(x[de_novo, j].max()),
        "dfi_over_15y": int(np.sum(x[:, j] > 15)),
        "dfi_years_recurrent_quartiles": [
            float(q) for q in np.quantile(x[~de_novo, j], [0.25, 0.5, 0.75])
        ],
    }


def _columns(cohort: MbcCohort, form: str) -> tuple[np.ndarray, list[str]]:
    x = design(cohort.covariates)
    base = x[:, : len(_BASE)]
    de_novo = x[:, len(_BASE)]
    dfi = x[:, len(_BASE) + 1]
    recurrent = 1 - de_novo
    if form == "linear":
        return x, [name for name, _, _ in MBC_TERMS]
    if form == "log1p":
        return np.column_stack([base, de_novo, np.log1p(dfi)]), [*_BASE, "de_novo", "log1p_dfi"]
    if form == "three_levels":
        under_2 = recurrent * (dfi < 2)
        return np.column_stack([base, de_novo, under_2]), [*_BASE, "dfi=de novo", "dfi=<2 y"]
    edges = ((2, 5), (5, 10), (10, math.inf))
    groups = [recurrent * ((dfi >= low) & (dfi < high)) for low, high in edges]
    names = [*_BASE, "dfi=de novo", "dfi=2-5 y", "dfi=5-10 y", "dfi=>=10 y"]
    return np.column_stack([base, de_novo, *groups]), names


def dfi_forms(cohort: MbcCohort) -> dict[str, Any]:
    """Partial AIC of each form of the disease-free interval; HRs of the grouped form.

    References of the categories: recurrence >= 2 years (three levels) and recurrence
    < 2 years (five groups).
    """
    result: dict[str, Any] = {}
    for form in ("linear", "three_levels", "log1p", "groups"):
        x, names = _columns(cohort, form)
        rows, stats = hazard_ratios(x, cohort, names)
        result[form] = {"aic_partial": stats["aic_partial"], "parameters": len(names)}
        if form in ("groups", "three_levels"):
            result[form]["hazard_ratios"] = [r for r in rows if str(r["term"]).startswith("dfi")]
    return result


def sensitivity(cohort: MbcCohort) -> dict[str, Any]:
    """Hazard ratios under other definitions of delayed entry (see module docstring)."""
    x = design(cohort.covariates)
    analyses: dict[str, tuple[str, MbcCohort, np.ndarray]] = {
        "main": ("entry at the first sequenced sample (shipped)", cohort, x),
        "ignoring_entry": (
            "entry ignored (no delayed entry; biased)",
            dataclasses.replace(cohort, entry=np.zeros_like(cohort.entry)),
            x,
        ),
    }
    later = cohort.time > cohort.entry_last
    last = dataclasses.replace(cohort.subset(later), entry=cohort.entry_last[later])
    analyses["entry_last_sample"] = ("entry at the last sequenced sample", last, x[later])
    metastasis = cohort.first_sample_type == "Metastasis"
    analyses["first_sample_metastasis"] = (
        "only patients whose first sequenced sample is a metastasis",
        cohort.subset(metastasis),
        x[metastasis],
    )
    result = {}
    for key, (label, part, columns) in analyses.items():
        rows, _ = hazard_ratios(columns, part)
        result[key] = {
            "label": label,
            "n": len(part.covariates),
            "events": int(part.event.sum()),
            "hazard_ratios": rows,
        }
    return result
