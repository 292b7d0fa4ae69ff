"""Figures of the ``msk2018-mbc-os`` card: delayed-entry Kaplan-Meier curves by risk group
and by subtype, and calibration at 2 and 5 years after metastatic diagnosis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from oncoboard.prognosis._training.mbc_data import SUBTYPE_LEVELS, MbcCohort
from oncoboard.prognosis._training.truncated import km_curve

__all__ = ["calibration_figure", "survival_figure", "validation_summary"]

_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")
_YEARS = 10.0


def _curve(axis: Any, cohort: MbcCohort, label: str, colour: str) -> None:
    times, survival, _ = km_curve(cohort.time, cohort.entry, cohort.event)
    x = np.concatenate(([0.0], times))
    y = np.concatenate(([0.0], 1 - survival))
    axis.step(x, y, where="post", color=colour, label=label)


def survival_figure(
    cohort: MbcCohort, risk_5y: np.ndarray, cutpoints: list[float], path: Path
) -> None:
    """Cumulative incidence of death (1 - delayed-entry KM) by tertile of the
    cross-validated 5-year risk, and by subtype."""
    figure, axes = plt.subplots(1, 2, figsize=(9.6, 4.0))
    group = np.searchsorted(np.array(cutpoints), risk_5y, side="right")
    low, high = cutpoints
    for g, name in enumerate(("low", "intermediate", "high")):
        part = cohort.subset(group == g)
        label = f"{name} (n={len(part.covariates)}, deaths={int(part.event.sum())})"
        _curve(axes[0], part, label, _COLOURS[g])
    axes[0].set_title(
        "MSK 2018 MBC: cross-validated 5-y risk tertiles\n"
        f"(< {low:.0%}, {low:.0%}–{high:.0%}, > {high:.0%})",
        fontsize=9,
    )
    subtype = cohort.subtype
    for k, level in enumerate(SUBTYPE_LEVELS):
        part = cohort.subset(subtype == level)
        label = f"{level} (n={len(part.covariates)}, deaths={int(part.event.sum())})"
        _curve(axes[1], part, label, _COLOURS[k])
    axes[1].set_title("MSK 2018 MBC: by subtype", fontsize=9)
    for axis in axes:
        axis.set_xlim(0, _YEARS)
        axis.set_ylim(0, 1)
        axis.set_xlabel("years from metastatic diagnosis")
        axis.set_ylabel("cumulative incidence of death (1 - KM, delayed entry)")
        axis.legend(fontsize=7, loc="upper left")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def calibration_figure(groups: dict[str, list[dict[str, float]]], path: Path) -> None:
    """Mean predicted (cross-validated) vs observed risk of death by quintile of risk."""
    figure, axes = plt.subplots(1, len(groups), figsize=(3.9 * len(groups), 3.9), squeeze=False)
    for axis, (key, rows) in zip(axes[0], groups.items(), strict=True):
        horizon = f"{key.removesuffix('y')} years"
        predicted = np.array([r["predicted"] for r in rows])
        observed = np.array([r["observed_km"] for r in rows])
        low = np.array([r["observed_km_low"] for r in rows])
        high = np.array([r["observed_km_high"] for r in rows])
        top = min(1.0, float(max(high.max(), predicted.max())) * 1.1)
        axis.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1)
        axis.errorbar(
            predicted,
            observed,
            yerr=[observed - low, high - observed],
            fmt="o",
            color=_COLOURS[0],
            label="1 - KM with delayed entry (95% CI)",
        )
        axis.set_xlim(0, top)
        axis.set_ylim(0, top)
        axis.set_xlabel(f"predicted risk of death by {horizon} (CV)")
        axis.set_ylabel(f"observed risk of death by {horizon}")
        axis.set_title(f"MSK 2018 MBC, {horizon} after metastatic diagnosis", fontsize=9)
        axis.legend(fontsize=7, loc="lower right")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _monthly(cohort: MbcCohort, years: float = _YEARS) -> list[float]:
    """1 - delayed-entry KM at each month from 0 to ``years`` (step function)."""
    times, survival, _ = km_curve(cohort.time, cohort.entry, cohort.event)
    grid = np.arange(0, round(years * 12) + 1) / 12
    index = np.searchsorted(times, grid + 1e-9, side="right") - 1
    values = np.where(index >= 0, 1 - survival[np.maximum(index, 0)], 0.0)
    return [round(float(v), 5) for v in values]


def validation_summary(
    cohort: MbcCohort,
    risk_5y: np.ndarray,
    cutpoints: list[float],
    calibration: dict[str, list[dict[str, float]]],
) -> dict[str, Any]:
    """What the tumour-board report draws next to a patient's estimate: the training cohort's
    delayed-entry KM curves (monthly) by tertile of the cross-validated 5-year risk, and the
    calibration by quintile (aggregates only, no patient-level data)."""
    group = np.searchsorted(np.array(cutpoints), risk_5y, side="right")
    groups = []
    for g, name in enumerate(("low", "intermediate", "high")):
        part = cohort.subset(group == g)
        groups.append(
            {
                "name": name,
                "n": len(part.covariates),
                "events": int(part.event.sum()),
                "cumulative_incidence": _monthly(part),
            }
        )
    return {
        "source": "cross-validated (10x5) risks of the MSK 2018 training cohort; "
        "delayed-entry Kaplan-Meier; docs/models/msk2018-mbc-os.md",
        "time_unit": "years",
        "grid_years": [round(m / 12, 6) for m in range(round(_YEARS * 12) + 1)],
        "risk_group_cutpoints_5y": [round(c, 6) for c in cutpoints],
        "risk_groups": groups,
        "calibration": {
            key: [{k: round(v, 6) for k, v in row.items()} for row in rows]
            for key, rows in calibration.items()
        },
    }
