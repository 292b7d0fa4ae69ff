"""A shipped Cox model: domain checks and the risk at a horizon with its 95% interval.

For a patient with centred design z (design minus the training means) the model gives the
cumulative hazard ``H(t|z) = H0(t) * exp(beta . z)`` and the risk ``1 - exp(-H(t|z))``. The
interval is computed on the log cumulative hazard (log-log survival scale) from

``Var H(t|z) = exp(2 beta.z) * [A(t) + d' V d]``, ``d = z * H0(t) - B(t)``

(Tsiatis 1981, see :mod:`oncoboard.prognosis._artefact`): ``V d`` carries the uncertainty
of the coefficients and ``A(t)`` that of the baseline hazard, so both are included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from pydantic import Field

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.prognosis._artefact import (
    BaselineAtHorizon,
    BooleanCovariate,
    CategoricalCovariate,
    CoxArtefact,
    NumericCovariate,
)
from oncoboard.prognosis._errors import OutOfDomain

__all__ = ["CoxModel", "RiskEstimate"]

_Z95 = 1.959963984540054  # standard-normal 97.5th percentile
_HORIZON_TOLERANCE = 1e-9


class RiskEstimate(CaseModel):
    """The probability of the model's endpoint by ``horizon_years``, with a 95% interval.

    The interval reflects the sampling uncertainty of the coefficients and of the baseline
    hazard (delta method on the log cumulative hazard); it does not reflect the model's
    transportability to another population, for which see the model card ``card``.
    """

    model_id: str
    version: str
    horizon_years: float = Field(gt=0)
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
    def horizons(self) -> tuple[float, ...]:
        """The horizons (years) the model can predict at."""
        return tuple(b.horizon_years for b in self.artefact.baseline)

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
        horizons = ", ".join(f"{h:g}" for h in self.horizons)
        return (
            f"{self.artefact.population} Covariates (all required; unknown is out of "
            f"domain): {'; '.join(parts)}. Horizons: {horizons} years."
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

    def predict(self, covariates: Mapping[str, object], horizon_years: float = 5) -> RiskEstimate:
        """The risk of the endpoint by ``horizon_years`` with its 95% interval.

        Raises
        ------
        OutOfDomain
            Naming each covariate that is missing, unknown, of the wrong type, out of the
            training range or a category not seen in training, and a horizon the model has
            no baseline for.
        """
        base = self._baseline(horizon_years)
        z = self.centred_design(covariates)
        eta = float(self._beta @ z)
        cumhaz = base.cumulative_hazard * math.exp(eta)
        shift = z * base.cumulative_hazard - np.array(base.mean_shift, dtype=float)
        variance = math.exp(2 * eta) * (base.variance_sum + float(shift @ self._cov @ shift))
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
            horizon_years=base.horizon_years,
            risk=risk,
            ci_low=low,
            ci_high=high,
            endpoint=self.endpoint,
            card=self.card,
            evidence=list(self.artefact.evidence),
        )

    def _baseline(self, horizon_years: float) -> BaselineAtHorizon:
        is_number = isinstance(horizon_years, int | float) and not isinstance(horizon_years, bool)
        if is_number:
            for base in self.artefact.baseline:
                if abs(base.horizon_years - horizon_years) <= _HORIZON_TOLERANCE:
                    return base
        stored = ", ".join(f"{h:g}" for h in self.horizons)
        raise OutOfDomain(
            [f"horizon_years {horizon_years!r} is not one of the stored horizons ({stored})"],
            model_id=self.model_id,
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
        if isinstance(value, bool) or not isinstance(value, int) or value not in spec.levels:
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
