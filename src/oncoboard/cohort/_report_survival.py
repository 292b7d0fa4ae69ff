"""Overall survival of cohort groups: Kaplan-Meier summaries and log-rank tests (lifelines).

Survival is per patient, never per sample: each patient is counted once, through an index
sample (the earliest to enter the cohort, then the first by id), whose subtype or alteration
status defines the patient's group. Where the clinical table gives ``os_entry_months`` (time
from the survival origin to entry into the cohort, e.g. sequencing after diagnosis), the
estimates allow for delayed entry: a patient is at risk only from entry, as a naive estimate
from diagnosis would count the time before sequencing, during which no death could be
observed, and overstate survival [1]_. The adjustment assumes entry is independent of
survival, which sequencing ordered at progression can break [4]_.

References
----------
.. [1] Brown S et al. Implications of selection bias due to delayed study entry in clinical
   genomic studies. JAMA Oncol 2022;8:287-291 (doi:10.1001/jamaoncol.2021.5153).
.. [2] Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457; Greenwood (exponential) confidence
   intervals as computed by lifelines ``KaplanMeierFitter``.
.. [3] Mantel N. Cancer Chemother Rep 1966;50:163 (log-rank test); the k-group statistic
   with the hypergeometric covariance, as lifelines ``multivariate_logrank_test``.
.. [4] Kehl KL et al. Elucidating analytic bias due to informative cohort entry in cancer
   clinico-genomic datasets. Cancer Epidemiol Biomarkers Prev 2023;32:344-352.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "SURVIVAL_SCHEMA",
    "Group",
    "at_risk",
    "fit",
    "logrank",
    "patient_groups",
    "summarise",
]

SURVIVAL_SCHEMA: dict[str, pl.DataType] = {
    "analysis": pl.String(),  # "subtype" or a gene symbol (altered vs not altered)
    "group": pl.String(),
    "patients": pl.UInt32(),
    "events": pl.UInt32(),  # deaths (any cause)
    "median_months": pl.Float64(),  # null: not reached
    "median_ci_lower": pl.Float64(),
    "median_ci_upper": pl.Float64(),  # null: not reached
    "logrank_p": pl.Float64(),  # same for every group of the analysis; null: not tested
    "test": pl.String(),  # which test, over which groups, or why none
}
"""Columns of the ``survival`` table."""


@dataclass(frozen=True, slots=True)
class Group:
    """One group's overall survival, one entry per patient."""

    analysis: str
    name: str
    months: NDArray[np.float64]
    events: NDArray[np.int8]
    entry: NDArray[np.float64]
    tested: bool  # included in the analysis' log-rank test


def patient_groups(
    clinical: pl.DataFrame, samples: pl.DataFrame, analysis: str, order: list[str], untested: str
) -> list[Group]:
    """The groups of ``analysis`` (``samples``: ``sample``, ``group``; one row per sample).

    Patients are taken through their index sample among ``samples`` that have overall
    survival; ``order`` lists the groups to report in order; ``untested`` names a group that
    is shown but left out of the log-rank test (e.g. subtype not given).
    """
    cols = ["sample", "patient", "os_months", "os_event"]
    entry = (
        pl.col("os_entry_months").fill_null(0.0)
        if "os_entry_months" in clinical.columns
        else pl.lit(0.0)
    )
    rows = (
        clinical.select(*cols, entry.alias("entry"))
        .drop_nulls(["os_months", "os_event"])
        .join(samples, on="sample", how="inner")
        .sort("entry", "sample")
        .unique("patient", keep="first", maintain_order=True)
    )
    groups = []
    for name in order:
        part = rows.filter(pl.col("group") == name)
        if part.height:
            groups.append(
                Group(
                    analysis=analysis,
                    name=name,
                    months=part["os_months"].to_numpy().astype(np.float64),
                    events=part["os_event"].to_numpy().astype(np.int8),
                    entry=part["entry"].to_numpy().astype(np.float64),
                    tested=name != untested,
                )
            )
    return groups


def _delayed(groups: list[Group]) -> bool:
    return any(bool(np.any(g.entry > 0)) for g in groups)


def fit(group: Group) -> Any:
    """The lifelines ``KaplanMeierFitter`` of ``group`` (``None`` if it cannot be estimated)."""
    from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]
    from lifelines.exceptions import StatError  # type: ignore[import-untyped]

    entry = group.entry if bool(np.any(group.entry > 0)) else None
    try:
        return KaplanMeierFitter().fit(group.months, group.events, entry=entry, label=group.name)
    except StatError:  # too few early entries for the events: S(t) collapses to 0
        return None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _median(fitter: Any) -> tuple[float | None, float | None, float | None]:
    if fitter is None:
        return None, None, None
    from lifelines.utils import median_survival_times  # type: ignore[import-untyped]

    median = float(fitter.median_survival_time_)
    interval = median_survival_times(fitter.confidence_interval_)
    lower, upper = (float(v) for v in interval.iloc[0, :2])
    return _finite(median), _finite(lower), _finite(upper)


def at_risk(group: Group, times: NDArray[np.float64]) -> NDArray[np.int64]:
    """Patients at risk at each of ``times``: entered (entry <= t) and not yet out (T >= t)."""
    entered = np.searchsorted(np.sort(group.entry), times, side="right")
    left = np.searchsorted(np.sort(group.months), times, side="left")
    return (entered - left).astype(np.int64)


def logrank(groups: list[Group]) -> tuple[float | None, str]:
    """Log-rank p-value over the tested groups and a description of the test.

    Without delayed entry this is lifelines' ``multivariate_logrank_test``; with it, the same
    statistic [3]_ with risk sets that count a patient only from entry (lifelines' test has
    no entry times).
    """
    tested = [g for g in groups if g.tested and g.months.size]
    names = ", ".join(g.name for g in tested)
    if len(tested) < 2:
        return None, "no test: fewer than two groups with patients"
    if sum(int(g.events.sum()) for g in tested) == 0:
        return None, "no test: no deaths"
    if not _delayed(tested):
        from lifelines.statistics import multivariate_logrank_test  # type: ignore[import-untyped]

        result = multivariate_logrank_test(
            np.concatenate([g.months for g in tested]),
            np.concatenate([np.full(g.months.size, i) for i, g in enumerate(tested)]),
            np.concatenate([g.events for g in tested]),
        )
        return float(result.p_value), f"log-rank (lifelines), {len(tested)} groups: {names}"
    return _logrank_delayed(tested), f"log-rank with delayed entry, {len(tested)} groups: {names}"


def _logrank_delayed(groups: list[Group]) -> float:
    from scipy.stats import chi2

    times = np.unique(np.concatenate([g.months[g.events == 1] for g in groups]))
    risk = np.stack([at_risk(g, times) for g in groups]).astype(np.float64)  # k x m
    deaths = np.stack(
        [
            np.searchsorted(np.sort(g.months[g.events == 1]), times, side="right")
            - np.searchsorted(np.sort(g.months[g.events == 1]), times, side="left")
            for g in groups
        ]
    ).astype(np.float64)
    n, d = risk.sum(axis=0), deaths.sum(axis=0)
    keep = n > 0
    risk, deaths, n, d = risk[:, keep], deaths[:, keep], n[keep], d[keep]
    observed_minus_expected = (deaths - risk * d / n).sum(axis=1)
    scale = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0)
    share = risk / n
    # hypergeometric covariance: V_ij = sum_t s_t p_it (delta_ij - p_jt)
    covariance = np.diag((scale * share).sum(axis=1)) - (scale * share) @ share.T
    z = observed_minus_expected[:-1]
    statistic = float(z @ np.linalg.pinv(covariance[:-1, :-1]) @ z)
    return float(chi2.sf(statistic, len(groups) - 1))


def summarise(groups: list[Group]) -> pl.DataFrame:
    """One ``survival`` row per group (:data:`SURVIVAL_SCHEMA`), the test on every row."""
    p_value, test = logrank(groups)
    rows = []
    for group in groups:
        median, lower, upper = _median(fit(group))
        rows.append(
            {
                "analysis": group.analysis,
                "group": group.name,
                "patients": group.months.size,
                "events": int(group.events.sum()),
                "median_months": median,
                "median_ci_lower": lower,
                "median_ci_upper": upper,
                "logrank_p": p_value if group.tested else None,
                "test": test if group.tested else "shown, not tested",
            }
        )
    return pl.DataFrame(rows, schema=SURVIVAL_SCHEMA)
