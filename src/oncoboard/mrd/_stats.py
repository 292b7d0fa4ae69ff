"""Statistical core of the tumour-informed MRD test, on numpy arrays (one entry per locus).

Under the null hypothesis (no ctDNA) the tumour-allele reads at locus *i* arise by error at
rate ``e_i`` among ``n_i`` molecules, so the total ``K = sum k_i`` has mean
``lambda = sum n_i e_i``: Poisson when samples vary no more than counting noise, negative
binomial with variance ``lambda + tau2 * lambda^2`` when the normals showed a per-sample
error multiplier of variance ``tau2 > 0`` (gamma-Poisson mixture). With
ctDNA at mutant allele fraction ``p``, ``K`` gains ``Poisson(p * N)`` reads, ``N = sum n_i``.
Integrating reads across many patient-specific loci is the idea of INVAR [1]_; each sample's
limit of detection follows from its own depths and background.

References
----------
.. [1] Wan JCM et al. ctDNA monitoring using patient-specific sequencing and integration of
   variant reads. Sci Transl Med 2020;12:eaaz8084. doi:10.1126/scitranslmed.aaz8084.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats

__all__ = [
    "CombinedTest",
    "allele_fraction_interval",
    "combined_test",
    "critical_count",
    "detection_probability",
    "limit_of_detection",
    "null_survival",
    "strongest_outlier",
]

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class CombinedTest:
    """Totals and the one-sided p-value of the combined test."""

    alt: int
    molecules: int
    expected_background: float
    p_value: float


def _nbinom_args(expected: float, overdispersion: float) -> tuple[float, float]:
    size = 1.0 / overdispersion
    return size, size / (size + expected)


def null_survival(k: int, expected: float, overdispersion: float) -> float:
    """P(K >= k) under the background model."""
    if k <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    if overdispersion <= _EPS:
        return float(stats.poisson.sf(k - 1, expected))
    return float(stats.nbinom.sf(k - 1, *_nbinom_args(expected, overdispersion)))


def _null_pmf(upto: int, expected: float, overdispersion: float) -> FloatArray:
    values = np.arange(upto)
    if expected <= 0:
        return np.asarray(values == 0, dtype=np.float64)
    if overdispersion <= _EPS:
        return np.asarray(stats.poisson.pmf(values, expected), dtype=np.float64)
    return np.asarray(
        stats.nbinom.pmf(values, *_nbinom_args(expected, overdispersion)), dtype=np.float64
    )


def combined_test(
    alt: FloatArray, depth: FloatArray, error: FloatArray, overdispersion: float
) -> CombinedTest:
    """One-sided test of ctDNA presence from the summed tumour-allele reads of all loci."""
    total = int(alt.sum())
    expected = float(depth @ error)
    return CombinedTest(
        alt=total,
        molecules=int(depth.sum()),
        expected_background=expected,
        p_value=null_survival(total, expected, overdispersion),
    )


def critical_count(expected: float, overdispersion: float, alpha: float) -> int:
    """Smallest total count whose null tail probability is <= ``alpha``."""
    if expected <= 0:
        return 1
    spread = np.sqrt(expected + overdispersion * expected**2)
    upper = int(expected + 12 * spread + 20)
    tail = 1.0 - np.cumsum(_null_pmf(upper, expected, overdispersion))  # tail[k] = P(K > k)
    below = np.nonzero(tail <= alpha)[0]
    return int(below[0]) + 1 if below.size else upper + 1


def detection_probability(
    fraction: float, molecules: float, expected: float, overdispersion: float, critical: int
) -> float:
    """P(K >= critical) with background plus Poisson(fraction * molecules) tumour reads."""
    return _detection(fraction * molecules, _null_pmf(critical, expected, overdispersion))


def _detection(signal: float, background: FloatArray) -> float:
    """P(B + S >= len(background)) for B with pmf ``background`` and S ~ Poisson(signal)."""
    critical = background.size
    remaining = critical - np.arange(critical)  # S <= critical - 1 - b  <=>  S < remaining
    signal_cdf = special.gammaincc(remaining, signal) if signal > 0 else np.ones(critical)
    return float(1.0 - np.sum(background * signal_cdf))


def limit_of_detection(
    molecules: float, expected: float, overdispersion: float, alpha: float, power: float = 0.95
) -> float | None:
    """Mutant allele fraction detected with probability ``power`` at level ``alpha``.

    ``None`` when there are no molecules.
    """
    if molecules <= 0:
        return None
    background = _null_pmf(
        critical_count(expected, overdispersion, alpha), expected, overdispersion
    )

    def gap(fraction: float) -> float:
        return _detection(fraction * molecules, background) - power

    if gap(1.0) < 0:
        return 1.0
    return float(optimize.brentq(gap, 0.0, 1.0, xtol=1e-12, rtol=1e-5))


def allele_fraction_interval(
    alt: int, molecules: int, expected: float, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Background-subtracted mutant allele fraction and its exact (Garwood) interval.

    Returns ``(estimate, low, high)``, each floored at 0.
    """
    if molecules <= 0:
        return (0.0, 0.0, 0.0)
    tail = (1 - confidence) / 2
    low_count = 0.0 if alt == 0 else stats.chi2.ppf(tail, 2 * alt) / 2
    high_count = stats.chi2.ppf(1 - tail, 2 * (alt + 1)) / 2
    estimate = max(0.0, (alt - expected) / molecules)
    low = max(0.0, (float(low_count) - expected) / molecules)
    high = max(0.0, (float(high_count) - expected) / molecules)
    return (estimate, low, high)


def strongest_outlier(
    alt: FloatArray,
    depth: FloatArray,
    error: FloatArray,
    overdispersion: float,
    threshold: float,
) -> tuple[int, float] | None:
    """The locus most inconsistent with the others, if its p-value is below ``threshold``.

    Each locus's count is tested against the rate the other loci support (background plus
    their background-subtracted mutant fraction); the smallest p-value below ``threshold``
    wins. Needs at least 3 loci. Returns ``(index, p_value)`` or ``None``.
    """
    loci = alt.size
    if loci < 3:
        return None
    total_alt, total_depth = alt.sum(), depth.sum()
    background = depth * error
    total_background = background.sum()
    best: tuple[int, float] | None = None
    for index in range(loci):
        if alt[index] < 3:
            continue
        rest_depth = total_depth - depth[index]
        rest_excess = total_alt - alt[index] - (total_background - background[index])
        fraction = max(0.0, rest_excess / rest_depth) if rest_depth > 0 else 0.0
        expected = background[index] + fraction * depth[index]
        p_value = null_survival(int(alt[index]), expected, overdispersion)
        if p_value < threshold and (best is None or p_value < best[1]):
            best = (index, p_value)
    return best
