"""Per-locus background error model of plasma sequencing, for tumour-informed MRD.

At each tumour locus, reads carrying the tumour allele also arise from sequencing and PCR
errors, damage, CHIP and mapping artefacts. The model gives each locus an error rate (the
chance that one unique molecule shows the tumour allele with no ctDNA present):

* **from normals**: plasma (or buffy coat) of people without this tumour, sequenced with the
  same panel and pipeline, counted at the patient's loci. The rate is the posterior mean of a
  beta prior centred on the panel default (worth one background read) updated with the pooled
  normal counts, a position-specific model as in iDES background polishing [1]_. A locus at
  which any normal shows the allele at >= 1% (a germline polymorphism, CHIP hotspot or
  systematic artefact) is excluded, not modelled. Extra-Poisson variation between samples
  (a batch shifts every locus's error rate together) is measured on the normals' per-sample
  totals as the variance ``tau2`` of a gamma-distributed per-sample multiplier, which makes
  the combined test negative binomial.
* **panel default**: a rate per substitution class, used when no normals are given. It is an
  Oncoboard assumption, not a measured property of any assay (``verified=False``): replace it
  with a panel of normals of the assay in use.

References
----------
.. [1] Newman AM et al. Integrated digital error suppression for improved detection of
   circulating tumor DNA. Nat Biotechnol 2016;34:547-555. PMID 27018799.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from pydantic import Field
from scipy import stats

from oncoboard.model import Evidence, EvidenceSource
from oncoboard.model._base import CaseModel
from oncoboard.mrd.counts import LocusCount
from oncoboard.mrd.loci import LocusKey, TumourLocus, substitution_class

__all__ = [
    "IDES_EVIDENCE",
    "PANEL_DEFAULT_EVIDENCE",
    "PANEL_DEFAULT_RATES",
    "BackgroundSource",
    "ErrorModel",
    "LocusBackground",
    "error_model_from_normals",
    "panel_default_model",
]

FloatArray = npt.NDArray[np.float64]

PANEL_DEFAULT_RATES: Mapping[str, float] = {
    "C>T": 2e-4,  # deamination: the commonest plasma artefact class
    "C>A": 1e-4,  # oxidative damage (8-oxoG, seen as G>T / C>A)
    "C>G": 5e-5,
    "T>A": 5e-5,
    "T>C": 5e-5,
    "T>G": 5e-5,
    "indel": 2e-5,
}
"""Per-molecule error rates by pyrimidine-centred class, used without normals (assumption)."""

EXCLUDE_FRACTION = 0.01
"""A normal with the tumour allele at >= this fraction excludes the locus."""

IDES_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="PMID:27018799",
    title="Newman 2016 (iDES): position-specific background error model from normal plasma",
    verified=True,
)
PANEL_DEFAULT_EVIDENCE = Evidence(
    source=EvidenceSource.CONSENSUS,
    id="Oncoboard panel default error rates",
    title="Assumed per-molecule error by substitution class (C>T 2e-4, C>A 1e-4, other SNV "
    "5e-5, indel 2e-5); replace with a panel of normals of the assay in use",
    verified=False,
)


class BackgroundSource(StrEnum):
    """Where a locus's error rate comes from."""

    NORMALS = "normals"
    PANEL_DEFAULT = "panel_default"


class LocusBackground(CaseModel):
    """The background of one locus."""

    error_rate: float = Field(description="Per-molecule chance of the tumour allele by error.")
    source: BackgroundSource
    normal_alt_reads: int | None = None
    normal_depth: int | None = None
    excluded: str | None = Field(
        default=None, description="Why the locus is not usable (seen in normals), else None."
    )


class ErrorModel(CaseModel):
    """Background of every tumour locus, and the between-sample overdispersion."""

    loci: dict[str, LocusBackground] = Field(description="By locus label chrom:pos REF>ALT.")
    overdispersion: float = Field(
        ge=0.0,
        description="tau2 used by the test: variance of a per-sample error multiplier "
        "(0 = Poisson); from normals, the upper 95% bound of the estimate.",
    )
    overdispersion_estimate: float | None = Field(
        default=None, description="Moment estimate of tau2 from the normals."
    )
    normals: int
    source: BackgroundSource
    evidence: tuple[Evidence, ...]

    def background(self, locus: TumourLocus) -> LocusBackground:
        """The background of ``locus`` (panel default if the model does not know it)."""
        found = self.loci.get(locus_id(locus.key))
        if found is not None:
            return found
        return LocusBackground(
            error_rate=default_rate(locus), source=BackgroundSource.PANEL_DEFAULT
        )


def locus_id(key: LocusKey) -> str:
    """``chrom:pos REF>ALT``."""
    chrom, pos, ref, alt = key
    return f"{chrom}:{pos} {ref}>{alt}"


def default_rate(locus: TumourLocus, rates: Mapping[str, float] | None = None) -> float:
    """The panel-default error rate of ``locus``'s substitution class."""
    table = PANEL_DEFAULT_RATES if rates is None else rates
    return table[substitution_class(locus)]


def panel_default_model(
    loci: Sequence[TumourLocus], *, rates: Mapping[str, float] | None = None
) -> ErrorModel:
    """An error model with the panel-default rate at every locus and no overdispersion."""
    return ErrorModel(
        loci={
            locus_id(locus.key): LocusBackground(
                error_rate=default_rate(locus, rates), source=BackgroundSource.PANEL_DEFAULT
            )
            for locus in loci
        },
        overdispersion=0.0,
        normals=0,
        source=BackgroundSource.PANEL_DEFAULT,
        evidence=(PANEL_DEFAULT_EVIDENCE,),
    )


def error_model_from_normals(
    loci: Sequence[TumourLocus],
    normals: Sequence[Mapping[LocusKey, LocusCount]],
    *,
    rates: Mapping[str, float] | None = None,
    exclude_fraction: float = EXCLUDE_FRACTION,
) -> ErrorModel:
    """Fit per-locus error rates (and overdispersion) from normal samples' counts.

    Parameters
    ----------
    loci
        The patient's tumour loci.
    normals
        Counts of each normal sample by locus key; a locus a normal did not cover is absent.
    rates
        Prior centre by substitution class (default :data:`PANEL_DEFAULT_RATES`).
    exclude_fraction
        A normal with the allele at >= this fraction (and >= 2 reads) excludes the locus.

    Returns
    -------
    ErrorModel
        Rates from the normals (a locus no normal covered keeps the panel default). The
        overdispersion needs >= 3 normals; with fewer it is 0 (pure Poisson). The test uses
        its upper 95% bound (:func:`upper_bound`), so a small panel of normals errs towards
        fewer false positives.

    References
    ----------
    Newman 2016, iDES background polishing (PMID 27018799).
    """
    if not normals:
        return panel_default_model(loci, rates=rates)
    alt, depth = _matrix(loci, normals)
    prior = np.array([default_rate(locus, rates) for locus in loci])
    excluded = _excluded(alt, depth, exclude_fraction)
    error = fit_error_rates(alt, depth, prior)
    estimate = fit_overdispersion(alt[:, ~excluded], depth[:, ~excluded], prior[~excluded])
    models: dict[str, LocusBackground] = {}
    for index, locus in enumerate(loci):
        covered = int(depth[:, index].sum())
        reason = None
        if excluded[index]:
            worst = float(np.max(_fractions(alt[:, index], depth[:, index])))
            reason = (
                f"tumour allele at {100 * worst:.2f}% in a normal sample (>= "
                f"{100 * exclude_fraction:g}%: germline, CHIP or systematic artefact)"
            )
        models[locus_id(locus.key)] = LocusBackground(
            error_rate=float(error[index]),
            source=BackgroundSource.NORMALS if covered else BackgroundSource.PANEL_DEFAULT,
            normal_alt_reads=int(alt[:, index].sum()),
            normal_depth=covered,
            excluded=reason,
        )
    return ErrorModel(
        loci=models,
        overdispersion=upper_bound(estimate, len(normals)),
        overdispersion_estimate=estimate,
        normals=len(normals),
        source=BackgroundSource.NORMALS,
        evidence=(IDES_EVIDENCE, PANEL_DEFAULT_EVIDENCE),
    )


def _matrix(
    loci: Sequence[TumourLocus], normals: Sequence[Mapping[LocusKey, LocusCount]]
) -> tuple[FloatArray, FloatArray]:
    shape = (len(normals), len(loci))
    alt, depth = np.zeros(shape), np.zeros(shape)
    for row, sample in enumerate(normals):
        for column, locus in enumerate(loci):
            count = sample.get(locus.key)
            if count is not None:
                alt[row, column], depth[row, column] = count.alt_reads, count.depth
    return alt, depth


def _fractions(alt: FloatArray, depth: FloatArray) -> FloatArray:
    return np.divide(alt, depth, out=np.zeros_like(alt), where=depth > 0)


def _excluded(alt: FloatArray, depth: FloatArray, threshold: float) -> npt.NDArray[np.bool_]:
    flagged = (_fractions(alt, depth) >= threshold) & (alt >= 2)
    return np.asarray(flagged.any(axis=0), dtype=np.bool_)


def fit_error_rates(alt: FloatArray, depth: FloatArray, prior: FloatArray) -> FloatArray:
    """Posterior-mean error rate per locus (columns) from normals (rows).

    The prior is Beta(1, 1/prior - 1): centred on ``prior``, worth one background read.
    """
    a0 = np.ones_like(prior)
    b0 = 1.0 / prior - 1.0
    total_alt, total_depth = alt.sum(axis=0), depth.sum(axis=0)
    rates: FloatArray = (a0 + total_alt) / (a0 + b0 + total_depth)
    return rates


def fit_overdispersion(alt: FloatArray, depth: FloatArray, prior: FloatArray) -> float:
    """Between-sample overdispersion of the normals' per-sample totals, at least 0.

    Each normal's total alt count ``O`` is compared with its expectation ``E`` from the model
    fitted on the other normals. If every sample's error rates share a gamma-distributed
    multiplier of variance ``tau2`` (batch-to-batch variation), ``Var(O) = E + tau2 * E^2``;
    the moment estimate is ``tau2 = sum((O - E)^2 - E) / sum(E^2)``. Fewer than 3 normals, or
    no expected background, give 0 (pure Poisson).
    """
    samples = alt.shape[0]
    if samples < 3 or alt.shape[1] == 0:
        return 0.0
    excess = scale = 0.0
    for held_out in range(samples):
        others = np.arange(samples) != held_out
        rates = fit_error_rates(alt[others], depth[others], prior)
        expected = float(depth[held_out] @ rates)
        observed = float(alt[held_out].sum())
        excess += (observed - expected) ** 2 - expected
        scale += expected**2
    return max(0.0, excess / scale) if scale > 0 else 0.0


def upper_bound(estimate: float, normals: int, confidence: float = 0.95) -> float:
    """Upper ``confidence`` bound of a moment estimate of tau2 from ``normals`` samples.

    The estimate is treated as a variance with ``normals - 1`` degrees of freedom (scaled
    chi-square): ``estimate * (n - 1) / chi2.ppf(1 - confidence, n - 1)``.
    """
    if estimate <= 0 or normals < 3:
        return max(0.0, estimate)
    freedom = normals - 1
    return float(estimate * freedom / stats.chi2.ppf(1 - confidence, freedom))
