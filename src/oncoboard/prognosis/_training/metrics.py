"""Discrimination and calibration of predicted risks at a horizon, with bootstrap intervals.

All metrics take the predicted risk by the horizon (5 years) as the score:

- Harrell's C over all follow-up; Uno's C truncated at ``tau`` (IPCW, scikit-survival);
- time-dependent (cumulative/dynamic) AUC at the horizon (IPCW, scikit-survival);
- calibration slope: the Cox coefficient of log(-log(1 - risk)) with follow-up censored at the
  horizon (1 is ideal; < 1 means predictions too extreme); for a Cox model this is the
  classical slope of the linear predictor;
- observed/expected: observed risk at the horizon (Kaplan-Meier, or Aalen-Johansen when
  there are competing events) over the mean predicted risk.

Competing events (code 2) count as censored for the C-indices, the AUC and the slope
(cause-specific view); the Aalen-Johansen cumulative incidence is reported next to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from oncoboard.prognosis._training.survival import aalen_johansen, fit_cox, kaplan_meier

__all__ = [
    "METRICS",
    "Outcome",
    "bootstrap",
    "calibration_groups",
    "interval",
    "metric_values",
]

METRICS = ("harrell_c", "uno_c", "auc", "calibration_slope", "observed_expected")


@dataclass(frozen=True)
class Outcome:
    """Follow-up (years) and event codes (0 censored, 1 event of interest, 2 competing)."""

    time: np.ndarray
    event: np.ndarray

    def take(self, index: np.ndarray) -> Outcome:
        """The patients at ``index`` (with repeats, for the bootstrap)."""
        return Outcome(self.time[index], self.event[index])

    @property
    def has_competing(self) -> bool:
        """Whether any competing event is recorded."""
        return bool(np.any(self.event == 2))

    def structured(self) -> Any:
        """scikit-survival's structured array (competing events censored)."""
        from sksurv.util import Surv  # type: ignore[import-untyped]

        return Surv.from_arrays(self.event == 1, self.time)

    def observed(self, horizon: float) -> float:
        """Observed risk by the horizon: Aalen-Johansen with competing events, else 1 - KM."""
        if self.has_competing:
            return aalen_johansen(self.time, self.event, horizon)
        return kaplan_meier(self.time, self.event, horizon)[0]


def _cloglog(risk: np.ndarray) -> np.ndarray:
    clipped = np.clip(risk, 1e-12, 1 - 1e-12)
    result: np.ndarray = np.log(-np.log1p(-clipped))
    return result


def calibration_slope(outcome: Outcome, risk: np.ndarray, horizon: float) -> float:
    """Cox coefficient of cloglog(risk), follow-up censored at the horizon."""
    event = ((outcome.event == 1) & (outcome.time <= horizon)).astype(int)
    time = np.minimum(outcome.time, horizon)
    if event.sum() == 0:
        return math.nan
    x = _cloglog(risk)[:, None]
    return float(fit_cox(x - x.mean(), time, event, tol=1e-10).beta[0])


def metric_values(
    outcome: Outcome, risk: np.ndarray, horizon: float, tau: float
) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one set of predictions."""
    from sksurv.metrics import (  # type: ignore[import-untyped]
        concordance_index_censored,
        concordance_index_ipcw,
        cumulative_dynamic_auc,
    )

    structured = outcome.structured()
    harrell = concordance_index_censored(outcome.event == 1, outcome.time, risk)[0]
    uno = concordance_index_ipcw(structured, structured, risk, tau=tau)[0]
    auc = cumulative_dynamic_auc(structured, structured, risk, [horizon])[0][0]
    expected = float(np.mean(risk))
    return {
        "harrell_c": float(harrell),
        "uno_c": float(uno),
        "auc": float(auc),
        "calibration_slope": calibration_slope(outcome, risk, horizon),
        "observed_expected": outcome.observed(horizon) / expected if expected > 0 else math.nan,
    }


def interval(values: list[float]) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the finite bootstrap values."""
    finite = np.array([v for v in values if math.isfinite(v)])
    if finite.size == 0:
        return math.nan, math.nan
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def bootstrap(
    n: int,
    replicates: int,
    seed: int,
    compute: Callable[[np.ndarray, int], dict[str, float]],
) -> dict[str, tuple[float, float]]:
    """Percentile 95% intervals: ``compute(index, b)`` on ``replicates`` resamples of n.

    A replicate whose metrics cannot be computed (e.g. no event before the horizon in the
    resample) is skipped; the number of usable replicates is in the ``"replicates"`` entry.
    """
    rng = np.random.default_rng(seed)
    collected: dict[str, list[float]] = {}
    used = 0
    for b in range(replicates):
        index = rng.integers(0, n, size=n)
        try:
            values = compute(index, b)
        except ValueError:
            continue
        used += 1
        for name, value in values.items():
            collected.setdefault(name, []).append(value)
    result = {name: interval(values) for name, values in collected.items()}
    result["replicates"] = (float(used), float(replicates))
    return result


def calibration_groups(
    outcome: Outcome,
    risk: np.ndarray,
    horizon: float,
    groups: int,
    *,
    extra: np.ndarray | None = None,
) -> list[dict[str, float]]:
    """Predicted and observed risk by the horizon in ``groups`` quantile groups of risk.

    Observed is 1 - Kaplan-Meier (competing events censored) with its 95% interval and, when
    there are competing events, the Aalen-Johansen cumulative incidence. ``extra`` adds a
    second prediction per patient (e.g. after recalibration) as ``predicted_recalibrated``.
    """
    edges = np.quantile(risk, np.linspace(0, 1, groups + 1))
    labels = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, groups - 1)
    rows = []
    for g in range(groups):
        members = labels == g
        part = Outcome(outcome.time[members], outcome.event[members])
        km, low, high = kaplan_meier(part.time, part.event, horizon)
        row = {
            "group": float(g + 1),
            "n": float(members.sum()),
            "events": float(np.sum((part.event == 1) & (part.time <= horizon))),
            "predicted": float(risk[members].mean()),
            "observed_km": km,
            "observed_km_low": low,
            "observed_km_high": high,
        }
        if outcome.has_competing:
            row["observed_cif"] = aalen_johansen(part.time, part.event, horizon)
        if extra is not None:
            row["predicted_recalibrated"] = float(extra[members].mean())
        rows.append(row)
    return rows
