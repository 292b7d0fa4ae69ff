"""The JSON artefact of a shipped Cox model (schema version 1) and its validation.

An artefact holds everything a prediction needs and nothing executable: the covariates with
their encodings and the domain seen in training, the model terms (coefficient and training
mean of each column of the design), the coefficient covariance, and per horizon the Breslow
baseline cumulative hazard with the two sums needed for the variance of a prediction
(Tsiatis 1981 [1]_). Artefacts are read with :meth:`CoxArtefact.model_validate_json`; no
pickle is ever loaded.

References
----------
.. [1] Tsiatis AA. A large sample study of Cox's regression model. Ann Stat 1981;9:93-108.
   The same variance is given by Therneau TM, Grambsch PM. Modeling Survival Data (Springer,
   2000), section 10.2, and used by R ``survival::survfit.coxph``.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel, Identifier

__all__ = [
    "SCHEMA_VERSION",
    "BaselineAtHorizon",
    "BooleanCovariate",
    "CategoricalCovariate",
    "CovariateSpec",
    "CoxArtefact",
    "NumericCovariate",
    "Term",
    "TrainingData",
]

SCHEMA_VERSION = 1
"""Version of the artefact layout this code reads."""

_SEMVER = r"^\d+\.\d+\.\d+$"
_SHA256 = r"^[0-9a-f]{64}$"


class NumericCovariate(CaseModel):
    """A continuous covariate; the domain is the closed range seen in training."""

    kind: Literal["numeric"] = "numeric"
    name: Identifier
    description: str
    unit: str
    minimum: float
    maximum: float

    @model_validator(mode="after")
    def _ordered(self) -> NumericCovariate:
        if not (math.isfinite(self.minimum) and math.isfinite(self.maximum)):
            raise ValueError(f"{self.name}: expected a finite range, got {self.minimum!r}..")
        if self.minimum > self.maximum:
            raise ValueError(f"{self.name}: minimum {self.minimum} > maximum {self.maximum}")
        return self


class CategoricalCovariate(CaseModel):
    """An integer-coded category (e.g. grade 1-3); ``counts`` are the training counts."""

    kind: Literal["categorical"] = "categorical"
    name: Identifier
    description: str
    levels: list[int] = Field(min_length=2)
    reference: int
    counts: list[int]

    @model_validator(mode="after")
    def _consistent(self) -> CategoricalCovariate:
        if self.reference not in self.levels:
            raise ValueError(f"{self.name}: reference {self.reference} not in {self.levels}")
        if len(self.counts) != len(self.levels) or min(self.counts) < 1:
            raise ValueError(f"{self.name}: expected a positive count per level")
        return self


class BooleanCovariate(CaseModel):
    """A yes/no covariate; ``counts`` are the training counts of False and True."""

    kind: Literal["boolean"] = "boolean"
    name: Identifier
    description: str
    counts: list[int] = Field(min_length=2, max_length=2)


CovariateSpec = Annotated[
    NumericCovariate | CategoricalCovariate | BooleanCovariate, Field(discriminator="kind")
]


class Term(CaseModel):
    """One column of the design: a numeric covariate, a boolean, or one non-reference level."""

    name: str
    covariate: Identifier
    level: int | None = None
    mean: float
    coefficient: float


class BaselineAtHorizon(CaseModel):
    """Breslow baseline at one horizon, for covariates at the training means (centred).

    ``cumulative_hazard`` is H0(t) = sum d_i / S_i, ``variance_sum`` is sum d_i / S_i**2 and
    ``mean_shift`` is sum d_i * zbar_i / S_i (one entry per term), over event times t_i <= t,
    where S_i is the sum of exp(linear predictor) over the risk set and zbar_i the risk-set
    weighted mean of the centred design.
    """

    horizon_years: float = Field(gt=0)
    cumulative_hazard: float = Field(ge=0)
    variance_sum: float = Field(ge=0)
    mean_shift: list[float]


class TrainingData(CaseModel):
    """Provenance of the training table."""

    source: str
    n: int = Field(gt=0)
    events: int = Field(ge=0)
    exclusions: str
    sha256: str = Field(pattern=_SHA256)


class CoxArtefact(CaseModel):
    """A Cox proportional-hazards model as shipped (``models/<model_id>.json``)."""

    schema_version: Literal[1]
    model_id: Identifier
    version: str = Field(pattern=_SEMVER)
    kind: Literal["cox_ph"]
    title: str
    endpoint: str
    population: str
    time_unit: Literal["years"]
    card: str
    training: TrainingData
    evidence: list[Evidence] = Field(min_length=1)
    covariates: list[CovariateSpec] = Field(min_length=1)
    terms: list[Term] = Field(min_length=1)
    covariance: list[list[float]]
    baseline: list[BaselineAtHorizon] = Field(min_length=1)
    software: dict[str, str]

    @model_validator(mode="after")
    def _shapes(self) -> CoxArtefact:
        p = len(self.terms)
        names = [c.name for c in self.covariates]
        if len(set(names)) != len(names):
            raise ValueError(f"expected each covariate once, got {names!r}")
        by_name = {c.name: c for c in self.covariates}
        for term in self.terms:
            spec = by_name.get(term.covariate)
            if spec is None:
                raise ValueError(f"term {term.name!r} names unknown covariate {term.covariate!r}")
            if isinstance(spec, CategoricalCovariate) and term.level not in spec.levels:
                raise ValueError(f"term {term.name!r}: level {term.level!r} not in {spec.levels}")
        if len(self.covariance) != p or any(len(row) != p for row in self.covariance):
            raise ValueError(f"expected a {p}x{p} covariance matrix")
        for i in range(p):
            for j in range(i):
                a, b = self.covariance[i][j], self.covariance[j][i]
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15):
                    raise ValueError(f"covariance is not symmetric at ({i}, {j}): {a} != {b}")
        for base in self.baseline:
            if len(base.mean_shift) != p:
                raise ValueError(f"baseline at {base.horizon_years} y: expected {p} mean shifts")
        horizons = [b.horizon_years for b in self.baseline]
        if horizons != sorted(set(horizons)):
            raise ValueError(f"expected increasing, distinct horizons, got {horizons!r}")
        return self
