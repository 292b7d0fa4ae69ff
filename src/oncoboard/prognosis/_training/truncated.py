"""Survival estimators for left-truncated data (delayed entry), in numpy.

A patient who enters observation at ``entry`` (years after the time origin) and leaves at
``time`` (event or censoring, ``entry < time``) is in the risk set at t when
``entry < t <= time``: patients are counted only from the time they could have been seen to
die, which removes the survivor bias of entering a cohort late (here: when sequenced).
Without this, the patients who died before they could be sequenced are missing and survival
is overestimated.

- :func:`fit_cox` - Cox partial likelihood (Breslow ties) with delayed-entry risk sets;
- :func:`baseline_grid` - the Breslow baseline and the Tsiatis sums at given times;
- :func:`kaplan_meier` / :func:`km_curve` - product-limit estimate with delayed entry
  (the risk set of each event time as above) and Greenwood's variance;
- :func:`concordance` - Harrell's C on the pairs usable under delayed entry.

The shipped coefficients come from lifelines (``CoxPHFitter(entry_col=...)``, Efron ties);
:func:`fit_cox` is the cross-check and the fitter of the calibration slope. lifelines'
``baseline_cumulative_hazard_`` ignores ``entry_col`` (lifelines issue #1416), so the
baseline is always computed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BaselineGrid",
    "at_risk_after",
    "baseline_grid",
    "concordance",
    "fit_cox",
    "kaplan_meier",
    "km_curve",
]

_Z95 = 1.959963984540054


def _risk_set_sums(
    values: np.ndarray, time: np.ndarray, entry: np.ndarray, at: np.ndarray
) -> np.ndarray:
    """Sum of ``values`` over the risk set {entry < t <= time} at each t of ``at``.

    {entry < t <= time} = {time >= t} minus {entry >= t} (the second is inside the first as
    entry < time), so the sum is a difference of two prefix sums.
    """
    shape = (1, *values.shape[1:])
    by_time = np.argsort(time, kind="stable")
    by_entry = np.argsort(entry, kind="stable")
    cum_time = np.concatenate([np.zeros(shape), np.cumsum(values[by_time], axis=0)])
    cum_entry = np.concatenate([np.zeros(shape), np.cumsum(values[by_entry], axis=0)])
    before_time = np.searchsorted(time[by_time], at, side="left")  # time < t
    before_entry = np.searchsorted(entry[by_entry], at, side="left")  # entry < t
    result: np.ndarray = cum_entry[before_entry] - cum_time[before_time]
    return result


def at_risk_after(time: np.ndarray, entry: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Number under observation just after each t of ``at``: entry <= t < time."""
    entered = np.searchsorted(np.sort(entry), at, side="right")
    left = np.searchsorted(np.sort(time), at, side="right")
    counts: np.ndarray = entered - left
    return counts


def _event_times(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct event times (ascending) and the number of events at each."""
    times, counts = np.unique(time[event == 1], return_counts=True)
    return times, counts.astype(float)


@dataclass(frozen=True)
class CoxFit:
    """Coefficients, their covariance (inverse observed information) and the log-likelihood."""

    beta: np.ndarray
    covariance: np.ndarray
    loglik: float


def _partial(
    beta: np.ndarray, x: np.ndarray, time: np.ndarray, entry: np.ndarray, event: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Breslow log partial likelihood, gradient and information with delayed entry."""
    eta = x @ beta
    shift = float(eta.max())
    w = np.exp(eta - shift)
    times, d = _event_times(time, event)
    s0 = _risk_set_sums(w, time, entry, times)
    s1 = _risk_set_sums(w[:, None] * x, time, entry, times)
    s2 = _risk_set_sums(w[:, None, None] * x[:, :, None] * x[:, None, :], time, entry, times)
    mean = s1 / s0[:, None]
    is_event = event == 1
    loglik = float(eta[is_event].sum() - np.sum(d * (np.log(s0) + shift)))
    gradient = x[is_event].sum(axis=0) - d @ mean
    second = s2 / s0[:, None, None] - mean[:, :, None] * mean[:, None, :]
    return loglik, gradient, np.einsum("k,kij->ij", d, second)


def fit_cox(
    x: np.ndarray, time: np.ndarray, entry: np.ndarray, event: np.ndarray, *, tol: float = 1e-9
) -> CoxFit:
    """Maximum partial-likelihood Cox fit with delayed entry (Newton-Raphson with halving)."""
    beta = np.zeros(x.shape[1])
    loglik, gradient, information = _partial(beta, x, time, entry, event)
    for _ in range(100):
        step = np.linalg.solve(information, gradient)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            new = _partial(candidate, x, time, entry, event)
            if new[0] >= loglik - 1e-12 or scale < 1e-6:
                break
            scale /= 2
        beta, (loglik, gradient, information) = candidate, new
        if float(np.max(np.abs(scale * step))) < tol**0.5 and float(np.max(np.abs(gradient))) < tol:
            return CoxFit(beta, np.linalg.inv(information), loglik)
    raise RuntimeError(f"Cox fit did not converge (gradient {gradient!r})")


@dataclass(frozen=True)
class BaselineGrid:
    """Breslow baseline sums (see :class:`~.._artefact.BaselinePoint`) at ``times``."""

    times: np.ndarray
    at_risk: np.ndarray
    cumulative_hazard: np.ndarray
    variance_sum: np.ndarray
    mean_shift: np.ndarray  # len(times) x terms


def baseline_grid(
    x_centred: np.ndarray,
    beta: np.ndarray,
    time: np.ndarray,
    entry: np.ndarray,
    event: np.ndarray,
    times: np.ndarray,
) -> BaselineGrid:
    """H0(t) = sum d_i/S_i, A(t) = sum d_i/S_i**2, B(t) = sum d_i S1_i/S_i**2 over t_i <= t.

    S_i and S1_i are the sums of exp(lp) and exp(lp) * z over the delayed-entry risk set
    at event time t_i; the design is centred, so the baseline is at the training means.
    """
    w = np.exp(x_centred @ beta)
    event_times, d = _event_times(time, event)
    s0 = _risk_set_sums(w, time, entry, event_times)
    s1 = _risk_set_sums(w[:, None] * x_centred, time, entry, event_times)
    upto = np.searchsorted(event_times, times, side="right")

    def cumulative(values: np.ndarray) -> np.ndarray:
        shape = (1, *values.shape[1:])
        summed: np.ndarray = np.concatenate([np.zeros(shape), np.cumsum(values, axis=0)])[upto]
        return summed

    return BaselineGrid(
        times=times,
        at_risk=at_risk_after(time, entry, times),
        cumulative_hazard=cumulative(d / s0),
        variance_sum=cumulative(d / s0**2),
        mean_shift=cumulative((d / s0**2)[:, None] * s1),
    )


def km_curve(
    time: np.ndarray, entry: np.ndarray, event: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event times, survival just after each, and Greenwood's sum up to each."""
    times, d = _event_times(time, event)
    n = _risk_set_sums(np.ones(time.size), time, entry, times)
    survival = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(np.where(n > d, d / (n * (n - d)), np.inf))
    return times, survival, greenwood


def kaplan_meier(
    time: np.ndarray, entry: np.ndarray, event: np.ndarray, at: float
) -> tuple[float, float, float]:
    """1 - S(at) by the delayed-entry product-limit estimator, with a 95% log-log interval."""
    times, survival, greenwood = km_curve(time, entry, event)
    k = int(np.searchsorted(times, at, side="right")) - 1
    if k < 0:
        return 0.0, 0.0, 0.0
    surv, var = float(survival[k]), float(greenwood[k])
    if surv <= 0 or surv >= 1 or not math.isfinite(var):
        return 1 - surv, 1 - surv, 1 - surv
    se = math.sqrt(var) / abs(math.log(surv))
    return 1 - surv, 1 - surv ** math.exp(-_Z95 * se), 1 - surv ** math.exp(_Z95 * se)


def concordance(
    time: np.ndarray, entry: np.ndarray, event: np.ndarray, score: np.ndarray
) -> tuple[float, int]:
    """Harrell's C for left-truncated data, and the number of usable pairs.

    A pair (i, j) is usable when i has the event at t_i while j is in the risk set at t_i:
    ``entry_j < t_i`` and j is still under observation (``t_j > t_i``, or ``t_j = t_i``
    and j censored), the pairs the partial likelihood compares. It is concordant when
    i's score (predicted risk) is higher; equal scores count one half. With all entries
    0 (or any entry before every event) this is Harrell's C.
    """
    cases = np.flatnonzero(event == 1)
    t_i = time[cases][:, None]
    usable = (entry[None, :] < t_i) & (
        (time[None, :] > t_i) | ((time[None, :] == t_i) & (event[None, :] != 1))
    )
    s_i = score[cases][:, None]
    concordant = float(np.sum(usable & (s_i > score[None, :])))
    tied = float(np.sum(usable & (s_i == score[None, :])))
    pairs = int(usable.sum())
    if pairs == 0:
        raise ValueError("expected at least one usable pair, got none")
    return (concordant + 0.5 * tied) / pairs, pairs
