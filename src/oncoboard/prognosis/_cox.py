"""A shipped Cox model: domain checks and the risk over a window with its 95% interval.

For a patient with centred design z (design minus the training means) the model gives the
cumulative hazard ``H(t|z) = H0(t) * exp(beta . z)``. The risk by ``h`` years from the time
origin is ``1 - exp(-H(h|z))``; the interval is computed on the log cumulative hazard
(log-log survival scale) from

``Var H(t|z) = exp(2 beta.z) * [A(t) + d' V d]``, ``d = z * H0(t) - B(t)``

(Tsiatis 1981, see :mod:`oncoboard.prognosis._artefact`): ``V d`` carries the uncertainty
of the coefficients and ``A(t)`` that of the baseline hazard, so both are included.

Conditional risk
----------------
For a patient who has survived ``g`` years from the time origin (``given_years``), the risk
of the event within the next ``h`` years is

``1 - S(g + h | z) / S(g | z) = 1 - exp(-exp(beta . z) * [H0(g + h) - H0(g)])``.

Its interval uses the same formula on the window (g, g + h]. The Breslow estimator and both
Tsiatis sums are sums over the event times t_i, ``H0(t) = sum d_i / S_i``,
``A(t) = sum d_i / S_i**2``, ``B(t) = sum d_i zbar_i / S_i``, so each is additive over
disjoint windows and over (g, g + h] equals its value at g + h minus its value at g. The
estimator of the window's cumulative hazard is ``exp(b.z) * sum_{g < t_i <= g+h} d_i / S_i``;
its martingale variance is the window's sum of ``d_i / S_i**2`` times ``exp(2 b.z)``
(increments of a counting-process martingale over disjoint windows are uncorrelated) and
its derivative in beta is ``exp(b.z) * sum_{g < t_i <= g+h} d_i (z - zbar_i) / S_i =
exp(b.z) * [z * dH0 - dB]``, asymptotically uncorrelated with the martingale term. Hence

``Var [H(g+h|z) - H(g|z)] = exp(2 beta.z) * [dA + d' V d]``, ``d = z * dH0 - dB``

with ``dH0 = H0(g+h) - H0(g)``, ``dA = A(g+h) - A(g)``, ``dB = B(g+h) - B(g)``. At
``g = 0`` (where every sum is 0) this is the unconditional formula. Left truncation
(delayed entry) changes only the risk sets S_i, which the training code already uses.

Times and the grid
------------------
A model of schema version 1 stores the baseline at whole-year horizons only: it predicts
from the time origin (``given_years`` 0) at those horizons. A model of schema version 2
stores the sums on a grid (monthly); ``given_years`` and ``given_years + horizon_years`` are
looked up as a step function, using the last grid time at or before the requested time
(within 1e-9 years), as the Breslow estimator is itself a right-continuous step function
between event times. Times beyond the grid (the last time with enough patients at risk)
are out of domain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from pydantic import Field

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.prognosis._artefact import (
    BooleanCovariate,
    CategoricalCovariate,
    CoxArtefact,
    NumericCovariate,
    Setting,
)
from oncoboard.prognosis._errors import OutOfDomain

__all__ = ["CoxModel", "RiskEstimate"]

_Z95 = 1.959963984540054  # standard-normal 97.5th percentile
_HORIZON_TOLERANCE = 1e-9


class RiskEstimate(CaseModel):
    """The probability of the model's endpoint within ``horizon_years``, with a 95% interval.

    With ``given_years`` 0 the window starts at the model's time origin (e.g. diagnosis);
    otherwise it is the probability of the endpoint within ``horizon_years`` *after* the
    patient has survived ``given_years`` from the time origin without it (conditional risk).
    The interval reflects the sampling uncertainty of the coefficients and of the baseline
    hazard (delta method on the log cumulative hazard); it does not reflect the model's
    transportability to another population, for which see the model card ``card``.
    """

    model_id: str
    version: str
    horizon_years: float = Field(gt=0)
    given_years: float = Field(default=0.0, ge=0)
    risk: float = Field(ge=0, le=1)
    ci_low: float = Field(ge=0, le=1)
    ci_high: float = Field(ge=0, le=1)
    endpoint: str
    card: str
    evidence: list[Evidence]


class CoxModel:
    """A shipped Cox proportional-hazards model (see :func:`~oncoboard.prognosis.load_model`).

    Parameters
    ----------
    artefact
        The validated artefact.
    """

    def __init__(self, artefact: CoxArtefact) -> None:
        self.artefact = artefact
        self._beta = np.array([t.coefficient for t in artefact.terms], dtype=float)
        self._means = np.array([t.mean for t in artefact.terms], dtype=float)
        self._cov = np.array(artefact.covariance, dtype=float)
        self._grid_times = np.array([g.time_years for g in artefact.grid], dtype=float)

    @property
    def model_id(self) -> str:
        """The model's id, e.g. ``desmedt2007-clinical``."""
        return self.artefact.model_id

    @property
    def version(self) -> str:
        """The artefact's semantic version."""
        return self.artefact.version

    @property
    def endpoint(self) -> str:
        """What the predicted risk is the probability of."""
        return self.artefact.endpoint

    @property
    def card(self) -> str:
        """Path of the model card, relative to the repository root."""
        return self.artefact.card

    @property
    def setting(self) -> Setting:
        """``"early"`` (non-metastatic at the time origin) or ``"metastatic"``."""
        return self.artefact.setting

    @property
    def time_origin(self) -> str:
        """What time 0 of ``given_years`` and ``horizon_years`` is, e.g. ``"diagnosis"``."""
        return self.artefact.time_origin

    @property
    def horizons(self) -> tuple[float, ...]:
        """The whole-year horizons (years) stored with the model.

        A model with a baseline grid also predicts between them (see :attr:`max_years`).
        """
        return tuple(b.horizon_years for b in self.artefact.baseline)

    @property
    def max_years(self) -> float:
        """The latest time from the origin the model has a baseline for (years)."""
        if self._grid_times.size:
            return float(self._grid_times[-1])
        return self.horizons[-1]

    @property
    def covariate_names(self) -> tuple[str, ...]:
        """The covariates :meth:`predict` expects, in order."""
        return tuple(c.name for c in self.artefact.covariates)

    @property
    def domain(self) -> str:
        """Human-readable description of the patients the model applies to."""
        parts = []
        for spec in self.artefact.covariates:
            if isinstance(spec, NumericCovariate):
                parts.append(f"{spec.name} {spec.minimum:g} to {spec.maximum:g} {spec.unit}")
            elif isinstance(spec, CategoricalCovariate):
                parts.append(f"{spec.name} one of {', '.join(str(v) for v in spec.levels)}")
            else:
                parts.append(f"{spec.name} True or False")
            if isinstance(spec, NumericCovariate) and spec.zero_when:
                parts[-1] += f" (0 when {spec.zero_when})"
        if self._grid_times.size:
            times = (
                f"Times: given_years + horizon_years up to {self.max_years:g} years from "
                f"{self.time_origin} (baseline grid in {self._grid_step() * 12:g}-month "
                "steps; a time between grid points is rounded down to the grid)."
            )
        else:
            horizons = ", ".join(f"{h:g}" for h in self.horizons)
            times = f"Horizons: {horizons} years."
        return (
            f"{self.artefact.population} Covariates (all required; unknown is out of "
            f"domain): {'; '.join(parts)}. {times}"
        )

    def check(self, covariates: Mapping[str, object]) -> list[str]:
        """Reasons the patient is out of the model's domain; empty when in domain."""
        reasons = []
        expected = self.covariate_names
        for spec in self.artefact.covariates:
            reason = _check_one(spec, covariates.get(spec.name))
            if reason:
                reasons.append(reason)
        for key in covariates:
            if key not in expected:
                reasons.append(
                    f"{key!r} is not a covariate of this model (expected {', '.join(expected)})"
                )
        if not reasons:
            reasons.extend(self._check_zero_when(covariates))
        return reasons

    def _check_zero_when(self, covariates: Mapping[str, object]) -> list[str]:
        reasons = []
        for spec in self.artefact.covariates:
            if isinstance(spec, NumericCovariate) and spec.zero_when:
                value = covariates[spec.name]
                if covariates[spec.zero_when] is True and value != 0:
                    reasons.append(
                        f"{spec.name} must be 0 when {spec.zero_when} is True, got {value!r}"
                    )
        return reasons

    def centred_design(self, covariates: Mapping[str, object]) -> np.ndarray:
        """The centred design row z of an in-domain patient; raises :class:`OutOfDomain`."""
        reasons = self.check(covariates)
        if reasons:
            raise OutOfDomain(reasons, model_id=self.model_id)
        row = []
        for term in self.artefact.terms:
            value = covariates[term.covariate]
            if term.level is not None:
                row.append(1.0 if value == term.level else 0.0)
            else:
                row.append(float(value))  # type: ignore[arg-type]  # checked numeric/bool
        centred: np.ndarray = np.array(row, dtype=float) - self._means
        return centred

    def linear_predictor(self, covariates: Mapping[str, object]) -> float:
        """beta . z for an in-domain patient (0 for a patient at the training means)."""
        return float(self._beta @ self.centred_design(covariates))

    def predict(
        self,
        covariates: Mapping[str, object],
        horizon_years: float = 5,
        given_years: float = 0.0,
    ) -> RiskEstimate:
        """The risk of the endpoint within ``horizon_years`` with its 95% interval.

        Parameters
        ----------
        covariates
            The patient's covariates by name (all required; see :attr:`domain`).
        horizon_years
            Length of the window, in years. A model without a baseline grid (schema
            version 1) accepts only its stored :attr:`horizons`.
        given_years
            Years the patient has already survived from the time origin without the
            endpoint; the window is (given_years, given_years + horizon_years]. 0 (the
            default) gives the risk from the time origin.

        Raises
        ------
        OutOfDomain
            Naming each covariate that is missing, unknown, of the wrong type, out of the
            training range or a category not seen in training, and a horizon or a
            ``given_years`` the model has no baseline for.
        """
        dh0, da, db, horizon = self._window(horizon_years, given_years)
        z = self.centred_design(covariates)
        eta = float(self._beta @ z)
        cumhaz = dh0 * math.exp(eta)
        shift = z * dh0 - db
        variance = math.exp(2 * eta) * (da + float(shift @ self._cov @ shift))
        risk = -math.expm1(-cumhaz)
        if cumhaz > 0:
            se_log = math.sqrt(variance) / cumhaz
            low = -math.expm1(-cumhaz * math.exp(-_Z95 * se_log))
            high = -math.expm1(-cumhaz * math.exp(_Z95 * se_log))
        else:
            low = high = 0.0
        return RiskEstimate(
            model_id=self.model_id,
            version=self.version,
            horizon_years=horizon,
            given_years=float(given_years),
            risk=risk,
            ci_low=low,
            ci_high=high,
            endpoint=self.endpoint,
            card=self.card,
            evidence=list(self.artefact.evidence),
        )

    def _window(
        self, horizon_years: float, given_years: float
    ) -> tuple[float, float, np.ndarray, float]:
        """Increments of H0, A and B over (given, given + horizon], and the horizon."""
        if not _is_number(given_years) or not math.isfinite(given_years) or given_years < 0:
            raise OutOfDomain(
                [f"given_years must be a number of years >= 0, got {given_years!r}"],
                model_id=self.model_id,
            )
        if not self._grid_times.size:
            return self._stored_horizon(horizon_years, given_years)
        end = self.max_years
        step = self._grid_step()
        reasons = []
        if given_years > end + _HORIZON_TOLERANCE:
            reasons.append(self._beyond(f"{given_years:g} years since {self.time_origin}"))
        if not _is_number(horizon_years) or not math.isfinite(horizon_years):
            reasons.append(f"horizon_years must be a number of years, got {horizon_years!r}")
        elif horizon_years < step - _HORIZON_TOLERANCE:
            reasons.append(
                f"horizon_years {horizon_years:g} is shorter than the baseline grid step "
                f"({step:.4g} years)"
            )
        elif not reasons and given_years + horizon_years > end + _HORIZON_TOLERANCE:
            reasons.append(
                self._beyond(
                    f"given_years {given_years:g} + horizon_years {horizon_years:g} = "
                    f"{given_years + horizon_years:g} years since {self.time_origin}"
                )
            )
        if reasons:
            raise OutOfDomain(reasons, model_id=self.model_id)
        start = self.artefact.grid[self._grid_index(given_years)]
        stop = self.artefact.grid[self._grid_index(given_years + horizon_years)]
        return (
            stop.cumulative_hazard - start.cumulative_hazard,
            stop.variance_sum - start.variance_sum,
            np.array(stop.mean_shift, dtype=float) - np.array(start.mean_shift, dtype=float),
            float(horizon_years),
        )

    def _stored_horizon(
        self, horizon_years: float, given_years: float
    ) -> tuple[float, float, np.ndarray, float]:
        if given_years != 0:
            raise OutOfDomain(
                [
                    f"given_years {given_years:g}: this model has no baseline grid and "
                    f"predicts only from {self.time_origin} (given_years 0)"
                ],
                model_id=self.model_id,
            )
        if _is_number(horizon_years):
            for base in self.artefact.baseline:
                if abs(base.horizon_years - horizon_years) <= _HORIZON_TOLERANCE:
                    shift = np.array(base.mean_shift, dtype=float)
                    return base.cumulative_hazard, base.variance_sum, shift, base.horizon_years
        stored = ", ".join(f"{h:g}" for h in self.horizons)
        raise OutOfDomain(
            [f"horizon_years {horizon_years!r} is not one of the stored horizons ({stored})"],
            model_id=self.model_id,
        )

    def _grid_step(self) -> float:
        return float(self._grid_times[1] - self._grid_times[0])

    def _grid_index(self, years: float) -> int:
        """Index of the last grid time at or before ``years`` (step-function lookup)."""
        found = np.searchsorted(self._grid_times, years + _HORIZON_TOLERANCE, side="right")
        return int(found) - 1

    def _beyond(self, what: str) -> str:
        last = self.artefact.grid[-1]
        return (
            f"{what} is beyond the follow-up the model has (baseline to {self.max_years:g} "
            f"years, when {last.at_risk} training patients were still at risk)"
        )

    def __repr__(self) -> str:
        return f"CoxModel({self.model_id!r}, version={self.version!r})"


def _check_one(
    spec: NumericCovariate | CategoricalCovariate | BooleanCovariate, value: object
) -> str | None:
    if value is None:
        return f"{spec.name} not recorded"
    if isinstance(spec, BooleanCovariate):
        if not isinstance(value, bool):
            return f"{spec.name} must be True or False, got {value!r}"
        return None
    if isinstance(spec, CategoricalCovariate):
        kind = str if isinstance(spec.reference, str) else int
        if isinstance(value, bool) or not isinstance(value, kind) or value not in spec.levels:
            seen = ", ".join(str(v) for v in spec.levels)
            return f"{spec.name} {value!r} is not a category seen in training ({seen})"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{spec.name} must be a number in {spec.unit}, got {value!r}"
    if not math.isfinite(value):
        return f"{spec.name} {value!r} is not a finite number"
    if not spec.minimum <= value <= spec.maximum:
        return (
            f"{spec.name} {value:g} is outside the training range "
            f"{spec.minimum:g} to {spec.maximum:g} {spec.unit}"
        )
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
