"""The JSON artefact of a shipped Cox model (schema versions 1 and 2) and its validation.

An artefact holds everything a prediction needs and nothing executable: the covariates with
their encodings and the domain seen in training, the model terms (coefficient and training
mean of each column of the design), the coefficient covariance, and per horizon the Breslow
baseline cumulative hazard with the two sums needed for the variance of a prediction
(Tsiatis 1981 [1]_). Artefacts are read with :meth:`CoxArtefact.model_validate_json`; no
pickle is ever loaded.

Schema version 2 (this code writes it; version 1 is still read, unchanged) adds:

- ``grid``: the same baseline sums on a fine grid of times from the time origin (monthly,
  from 0 to the last month with enough patients at risk), so that the risk over any
  window after a patient has survived some time can be computed (conditional risk, see
  :mod:`oncoboard.prognosis._cox`); each yearly ``baseline`` entry must equal the grid
  point at the same time;
- ``setting``: ``"early"`` (the population is non-metastatic at the time origin) or
  ``"metastatic"`` (patients with metastatic breast cancer); ``"early"`` for version 1;
- ``time_origin``: what time 0 is (``"diagnosis"`` for version 1);
- categorical covariates with text levels (e.g. the subtype ``"HR+/HER2-"``), and
  ``zero_when`` on a numeric covariate that must be 0 when a boolean covariate is True
  (e.g. the disease-free interval of a de novo metastatic patient).

References
----------
.. [1] Tsiatis AA. A large sample study of Cox's regression model. Ann Stat 1981;9:93-108.
   The same variance is given by Therneau TM, Grambsch PM. Modeling Survival Data (Springer,
   2000), section 10.2, and used by R ``survival::survfit.coxph``.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel, Identifier

__all__ = [
    "READABLE_SCHEMA_VERSIONS",
    "SCHEMA_VERSION",
    "BaselineAtHorizon",
    "BaselinePoint",
    "BooleanCovariate",
    "CategoricalCovariate",
    "CovariateSpec",
    "CoxArtefact",
    "NumericCovariate",
    "Term",
    "TrainingData",
]

SCHEMA_VERSION = 2
"""Version of the artefact layout this code writes for new models."""

READABLE_SCHEMA_VERSIONS = (1, 2)
"""Versions of the artefact layout this code reads."""

Setting = Literal["early", "metastatic"]

_SEMVER = r"^\d+\.\d+\.\d+$"
_SHA256 = r"^[0-9a-f]{64}$"


class NumericCovariate(CaseModel):
    """A continuous covariate; the domain is the closed range seen in training.

    ``zero_when`` names a boolean covariate; when that covariate is True this one must be 0
    (schema version 2), e.g. ``dfi_years`` is 0 for a de novo metastatic patient.
    """

    kind: Literal["numeric"] = "numeric"
    name: Identifier
    description: str
    unit: str
    minimum: float
    maximum: float
    zero_when: Identifier | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NumericCovariate:
        if not (math.isfinite(self.minimum) and math.isfinite(self.maximum)):
            raise ValueError(f"{self.name}: expected a finite range, got {self.minimum!r}..")
        if self.minimum > self.maximum:
            raise ValueError(f"{self.name}: minimum {self.minimum} > maximum {self.maximum}")
        return self


class CategoricalCovariate(CaseModel):
    """A category coded by integers (e.g. grade 1-3) or, from schema version 2, by text
    (e.g. subtype ``"HR+/HER2-"``); ``counts`` are the training counts per level."""

    kind: Literal["categorical"] = "categorical"
    name: Identifier
    description: str
    levels: list[int] | list[str] = Field(min_length=2)
    reference: int | str
    counts: list[int]

    @model_validator(mode="after")
    def _consistent(self) -> CategoricalCovariate:
        if self.reference not in self.levels or type(self.reference) is not type(self.levels[0]):
            raise ValueError(f"{self.name}: reference {self.reference!r} not in {self.levels}")
        if len(set(self.levels)) != len(self.levels):
            raise ValueError(f"{self.name}: expected distinct levels, got {self.levels!r}")
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
    level: int | str | None = None
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


class BaselinePoint(CaseModel):
    """The Breslow sums of :class:`BaselineAtHorizon` at one time of the grid (schema 2).

    ``at_risk`` is the number of training patients under observation just after
    ``time_years`` (entered at or before it, event or censoring after it).
    """

    time_years: float = Field(ge=0)
    at_risk: int = Field(ge=0)
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

    schema_version: Literal[1, 2]
    model_id: Identifier
    version: str = Field(pattern=_SEMVER)
    kind: Literal["cox_ph"]
    title: str
    endpoint: str
    population: str
    setting: Setting = "early"
    time_origin: str = "diagnosis"
    time_unit: Literal["years"]
    card: str
    training: TrainingData
    evidence: list[Evidence] = Field(min_length=1)
    covariates: list[CovariateSpec] = Field(min_length=1)
    terms: list[Term] = Field(min_length=1)
    covariance: list[list[float]]
    baseline: list[BaselineAtHorizon] = Field(min_length=1)
    grid: list[BaselinePoint] = Field(default_factory=list)
    software: dict[str, str]

    @model_validator(mode="after")
    def _shapes(self) -> CoxArtefact:
        p = len(self.terms)
        names = [c.name for c in self.covariates]
        if len(set(names)) != len(names):
            raise ValueError(f"expected each covariate once, got {names!r}")
        by_name = {c.name: c for c in self.covariates}
        for covariate in self.covariates:
            zero_when = getattr(covariate, "zero_when", None)
            if zero_when is not None and not isinstance(by_name.get(zero_when), BooleanCovariate):
                raise ValueError(
                    f"{covariate.name}: zero_when {zero_when!r} is not a boolean covariate"
                )
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
        self._check_version()
        return self

    def _check_version(self) -> None:
        """Version 1 has none of the version 2 additions; version 2 has a valid grid."""
        if self.schema_version == 1:
            v2_only = [
                name
                for name, used in (
                    ("grid", bool(self.grid)),
                    ("setting", "setting" in self.model_fields_set),
                    ("time_origin", "time_origin" in self.model_fields_set),
                    ("zero_when", any(getattr(c, "zero_when", None) for c in self.covariates)),
                    (
                        "text category levels",
                        any(
                            isinstance(c, CategoricalCovariate) and isinstance(c.reference, str)
                            for c in self.covariates
                        ),
                    ),
                )
                if used
            ]
            if v2_only:
                raise ValueError(f"schema_version 1 cannot have {', '.join(v2_only)}")
            return
        if not self.grid:
            raise ValueError("schema_version 2 needs a baseline grid, got none")
        _check_grid(self.grid, self.baseline, len(self.terms))


def _check_grid(grid: list[BaselinePoint], baseline: list[BaselineAtHorizon], p: int) -> None:
    times = [g.time_years for g in grid]
    if times[0] != 0 or any(b <= a for a, b in itertools.pairwise(times)):
        raise ValueError(f"expected grid times increasing from 0, got {times[:3]!r}..")
    if grid[0].cumulative_hazard != 0 or grid[0].variance_sum != 0:
        raise ValueError("expected a zero baseline at time 0 of the grid")
    for a, b in itertools.pairwise(grid):
        if b.cumulative_hazard < a.cumulative_hazard or b.variance_sum < a.variance_sum:
            raise ValueError(f"grid sums decrease between {a.time_years} and {b.time_years} y")
    if any(len(g.mean_shift) != p for g in grid):
        raise ValueError(f"expected {p} mean shifts at every grid time")
    by_time = {g.time_years: g for g in grid}
    for base in baseline:
        point = by_time.get(base.horizon_years)
        if point is None:
            raise ValueError(f"horizon {base.horizon_years} y is not a time of the grid")
        same = [
            math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)
            for x, y in zip(
                [base.cumulative_hazard, base.variance_sum, *base.mean_shift],
                [point.cumulative_hazard, point.variance_sum, *point.mean_shift],
                strict=True,
            )
        ]
        if not all(same):
            raise ValueError(f"baseline at {base.horizon_years} y differs from the grid")
