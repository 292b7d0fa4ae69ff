"""Small exact survival estimators in numpy: Cox (Breslow ties), Kaplan-Meier, Aalen-Johansen.

Written out so that the shipped coefficients, their covariance and the baseline sums of the
artefact come from one transparent computation (checked against scikit-survival during
training and against lifelines in the tests), and so that bootstrap replicates are cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BaselineSums",
    "CoxFit",
    "aalen_johansen",
    "baseline_sums",
    "fit_cox",
    "kaplan_meier",
]

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class CoxFit:
    """Coefficients, their covariance (inverse observed information) and the log-likelihood."""

    beta: np.ndarray
    covariance: np.ndarray
    loglik: float
    iterations: int


@dataclass(frozen=True)
class BaselineSums:
    """Breslow sums up to one horizon (see :class:`~.._artefact.BaselineAtHorizon`)."""

    horizon: float
    cumulative_hazard: float
    variance_sum: float
    mean_shift: np.ndarray


def _tie_groups(time: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order (time descending), first and last index of each run of equal times."""
    order = np.argsort(-time, kind="stable")
    t = time[order]
    breaks = np.flatnonzero(t[1:] != t[:-1])
    last = np.append(breaks, t.size - 1)
    first = np.insert(breaks + 1, 0, 0)
    return order, first, last


def _sums(
    beta: np.ndarray, x: np.ndarray, time: np.ndarray, event: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood (Breslow), its gradient and the observed information."""
    order, first, last = _tie_groups(time)
    xs, es = x[order], event[order].astype(float)
    eta = xs @ beta
    shift = eta.max()
    w = np.exp(eta - shift)
    s0 = np.cumsum(w)[last]
    s1 = np.cumsum(w[:, None] * xs, axis=0)[last]
    s2 = np.cumsum(w[:, None, None] * xs[:, :, None] * xs[:, None, :], axis=0)[last]
    d = np.add.reduceat(es, first)
    has = d > 0
    d, s0, s1, s2 = d[has], s0[has], s1[has], s2[has]
    mean = s1 / s0[:, None]
    loglik = float(es @ eta - np.sum(d * (np.log(s0) + shift)))
    gradient = es @ xs - d @ mean
    second = s2 / s0[:, None, None] - mean[:, :, None] * mean[:, None, :]
    information = np.einsum("k,kij->ij", d, second)
    return loglik, gradient, information


def fit_cox(x: np.ndarray, time: np.ndarray, event: np.ndarray, *, tol: float = 1e-12) -> CoxFit:
    """Maximum partial-likelihood Cox fit (Breslow ties) by Newton-Raphson with halving.

    ``event`` is 1 for the event of interest and 0 otherwise (censored or competing).
    """
    beta = np.zeros(x.shape[1])
    loglik, gradient, information = _sums(beta, x, time, event)
    for iteration in range(1, 101):
        step = np.linalg.solve(information, gradient)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            new = _sums(candidate, x, time, event)
            if new[0] >= loglik - 1e-12 or scale < 1e-6:
                break
            scale /= 2
        beta, (loglik, gradient, information) = candidate, new
        if float(np.max(np.abs(scale * step))) < tol**0.5 and float(np.max(np.abs(gradient))) < max(
            tol, 1e-9
        ):
            return CoxFit(beta, np.linalg.inv(information), loglik, iteration)
    raise RuntimeError(f"Cox fit did not converge (gradient {gradient!r})")


def baseline_sums(
    x_centred: np.ndarray,
    beta: np.ndarray,
    time: np.ndarray,
    event: np.ndarray,
    horizons: tuple[float, ...],
) -> list[BaselineSums]:
    """Breslow cumulative hazard at the centred mean, with the Tsiatis variance sums."""
    order, first, last = _tie_groups(time)
    xs, es, ts = x_centred[order], event[order].astype(float), time[order]
    w = np.exp(xs @ beta)
    s0 = np.cumsum(w)[last]
    s1 = np.cumsum(w[:, None] * xs, axis=0)[last]
    d = np.add.reduceat(es, first)
    t = ts[first]
    result = []
    for horizon in horizons:
        use = (d > 0) & (t <= horizon)
        result.append(
            BaselineSums(
                horizon=horizon,
                cumulative_hazard=float(np.sum(d[use] / s0[use])),
                variance_sum=float(np.sum(d[use] / s0[use] ** 2)),
                mean_shift=(d[use] / s0[use] ** 2) @ s1[use],
            )
        )
    return result


def _steps(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times (ascending), events of interest and number at risk at each."""
    times, inverse = np.unique(time, return_inverse=True)
    at_risk = np.cumsum(np.bincount(inverse, minlength=times.size)[::-1])[::-1]
    events = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    return times, events, at_risk.astype(float)


def kaplan_meier(time: np.ndarray, event: np.ndarray, at: float) -> tuple[float, float, float]:
    """Kaplan-Meier risk 1 - S(at) with a 95% log-log (Greenwood) interval.

    ``event`` is 1 for the event of interest; anything else is censored.
    """
    times, d, n = _steps(time, (event == 1).astype(float))
    use = (times <= at) & (d > 0)
    d, n = d[use], n[use]
    surv = float(np.prod(1 - d / n))
    if surv <= 0 or surv >= 1:
        return 1 - surv, 1 - surv, 1 - surv
    greenwood = float(np.sum(d / (n * (n - d)))) if np.all(n > d) else math.inf
    se = math.sqrt(greenwood) / abs(math.log(surv))
    low_s = surv ** math.exp(_Z95 * se)
    high_s = surv ** math.exp(-_Z95 * se)
    return 1 - surv, 1 - high_s, 1 - low_s


def aalen_johansen(time: np.ndarray, event: np.ndarray, at: float) -> float:
    """Cumulative incidence of event 1 by ``at`` with event 2 competing (Aalen-Johansen)."""
    times, d1, n = _steps(time, (event == 1).astype(float))
    _, d_all, _ = _steps(time, (event > 0).astype(float))
    use = times <= at
    surv_before = np.cumprod(np.concatenate(([1.0], 1 - d_all[use] / n[use])))[:-1]
    return float(np.sum(surv_before * d1[use] / n[use]))
