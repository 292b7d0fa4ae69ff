"""Simulated plasma for measuring the MRD test's sensitivity and specificity.

Each draw is a new patient: tumour loci with their own true error rates, a panel of normal
plasmas sequenced with the same assay, and one plasma sample at a given tumour fraction. The
normals and the plasma go through the public API (:func:`error_model_from_normals`,
:func:`detect_mrd`), so the measured rates are those of the real test, including the error of
estimating the background from a finite panel.

Generative model (all documented in :class:`AssaySettings`):

* unique molecules per locus: gamma-Poisson around ``molecules`` with coefficient of
  variation ``depth_cv`` (capture efficiency varies by locus);
* true per-locus error: the substitution class's rate times a log-normal locus factor
  (``locus_error_sigma``), times a per-sample log-normal factor (``sample_error_sigma``:
  batch-to-batch variation, which makes the data overdispersed);
* tumour reads: Binomial(molecules, tumour_fraction / 2 x clonality), heterozygous variants
  with 80% clonal loci and 20% subclonal (cancer cell fraction uniform 0.2-1);
* optionally one artefactual locus: an extra allele fraction (e.g. a CHIP variant at 0.5%)
  present in the patient's plasma but in no normal.

Numbers from this module describe the test under these assumptions, not any assay's
validated performance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from oncoboard.mrd.background import PANEL_DEFAULT_RATES, error_model_from_normals
from oncoboard.mrd.counts import LocusCount
from oncoboard.mrd.detect import MrdCall, detect_mrd
from oncoboard.mrd.loci import LocusKey, TumourLocus, substitution_class

__all__ = [
    "AssaySettings",
    "DetectionRate",
    "SimulatedPatient",
    "simulate_detection",
    "simulated_patient",
]

_SNV_CLASSES = ("C>T", "C>A", "C>G", "T>A", "T>C", "T>G")
_CLASS_WEIGHTS = (0.35, 0.15, 0.15, 0.1, 0.15, 0.1)
_PYRIMIDINE_ALLELES = {"C>T": ("C", "T"), "C>A": ("C", "A"), "C>G": ("C", "G"),
                       "T>A": ("T", "A"), "T>C": ("T", "C"), "T>G": ("T", "G")}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AssaySettings:
    """The simulated assay and patients.

    Attributes
    ----------
    loci
        Tumour variants tracked per patient (personalised panels use about 16-50).
    molecules
        Mean unique molecules per locus (about 8,000 haploid genomes is ~27 ng cfDNA).
    depth_cv
        Coefficient of variation of molecules across loci.
    error_scale
        Multiplies the panel-default class rates to give the assay's true mean error
        (1: plain UMI deduplication at the defaults; 0.1: duplex-like error suppression).
    locus_error_sigma, sample_error_sigma
        Log-normal sigma of the locus-specific and sample-specific error factors.
    normals
        Normal plasmas in the background panel.
    clonal_share
        Share of clonal loci; the others have cancer cell fraction uniform(0.2, 1).
    artefact_fraction
        Allele fraction of one artefactual locus in the patient's plasma (0: none).
    alpha, max_outliers
        Passed to :func:`detect_mrd`.
    rates
        Panel-default rates by substitution class (the prior of the background fit).
    """

    loci: int = 24
    molecules: float = 8000.0
    depth_cv: float = 0.3
    error_scale: float = 1.0
    locus_error_sigma: float = 0.7
    sample_error_sigma: float = 0.25
    normals: int = 20
    clonal_share: float = 0.8
    artefact_fraction: float = 0.0
    alpha: float = 0.01
    max_outliers: int = 1
    rates: dict[str, float] = field(default_factory=lambda: dict(PANEL_DEFAULT_RATES))


@dataclass(frozen=True, slots=True)
class DetectionRate:
    """How often ctDNA was called at one tumour fraction."""

    tumour_fraction: float
    draws: int
    detected: int
    not_evaluable: int
    rate: float
    ci95: tuple[float, float]
    median_lod95_tumour_fraction: float


def simulate_detection(
    tumour_fractions: Sequence[float],
    *,
    draws: int = 1000,
    settings: AssaySettings | None = None,
    seed: int = 20261128,
) -> list[DetectionRate]:
    """Call ctDNA on ``draws`` simulated patients at each tumour fraction.

    At tumour fraction 0 the rate is the false-positive rate (1 - specificity); above 0 it is
    the sensitivity. Each rate comes with a Clopper-Pearson 95% interval.
    """
    settings = settings or AssaySettings()
    rng = np.random.default_rng(seed)
    results = []
    for fraction in tumour_fractions:
        calls, lods = [], []
        for _ in range(draws):
            call, lod = _one_draw(rng, fraction, settings)
            calls.append(call)
            lods.append(lod)
        detected = sum(call is MrdCall.DETECTED for call in calls)
        interval = stats.binomtest(detected, draws).proportion_ci(method="exact")
        results.append(
            DetectionRate(
                tumour_fraction=fraction,
                draws=draws,
                detected=detected,
                not_evaluable=sum(call is MrdCall.NOT_EVALUABLE for call in calls),
                rate=detected / draws,
                ci95=(float(interval.low), float(interval.high)),
                median_lod95_tumour_fraction=float(np.median(lods)),
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class SimulatedPatient:
    """A simulated patient: tumour loci, their true error rates and clonality."""

    loci: list[TumourLocus]
    error_rates: np.ndarray
    clonality: np.ndarray
    settings: AssaySettings

    def normal(self, rng: np.random.Generator) -> dict[LocusKey, LocusCount]:
        """Counts of one normal plasma (no ctDNA, no artefact) at the patient's loci."""
        return _counts(self.loci, _sample(rng, self.error_rates, 0.0, None, self.settings))

    def plasma(
        self, rng: np.random.Generator, tumour_fraction: float
    ) -> dict[LocusKey, LocusCount]:
        """Counts of one plasma of this patient at ``tumour_fraction``.

        Heterozygous variants: mutant allele fraction = tumour fraction / 2 x clonality. With
        ``settings.artefact_fraction`` one random locus also gets that allele fraction.
        """
        artefact = None
        if self.settings.artefact_fraction > 0:
            artefact = int(rng.integers(len(self.loci)))
        mutant = tumour_fraction / 2 * self.clonality
        return _counts(self.loci, _sample(rng, self.error_rates, mutant, artefact, self.settings))


def simulated_patient(
    rng: np.random.Generator,
    settings: AssaySettings | None = None,
    loci: Sequence[TumourLocus] | None = None,
) -> SimulatedPatient:
    """Draw a patient: ``loci`` (random SNVs if not given), true error rates, clonality."""
    settings = settings or AssaySettings()
    chosen = list(loci) if loci is not None else _patient_loci(rng, settings.loci)
    classes = [substitution_class(locus) for locus in chosen]
    base = np.array([settings.rates[c] for c in classes]) * settings.error_scale
    error = base * rng.lognormal(0.0, settings.locus_error_sigma, size=len(chosen))
    clonal = rng.random(len(chosen)) < settings.clonal_share
    clonality = np.where(clonal, 1.0, rng.uniform(0.2, 1.0, len(chosen)))
    return SimulatedPatient(chosen, error, clonality, settings)


def _one_draw(
    rng: np.random.Generator, fraction: float, settings: AssaySettings
) -> tuple[MrdCall, float]:
    patient = simulated_patient(rng, settings)
    normals = [patient.normal(rng) for _ in range(settings.normals)]
    model = error_model_from_normals(patient.loci, normals, rates=settings.rates)
    result = detect_mrd(
        patient.loci,
        patient.plasma(rng, fraction),
        model,
        alpha=settings.alpha,
        max_outliers=settings.max_outliers,
    )
    lod = result.lod95_tumour_fraction
    return result.call, 1.0 if lod is None else lod


def _patient_loci(rng: np.random.Generator, count: int) -> list[TumourLocus]:
    chosen = rng.choice(len(_SNV_CLASSES), size=count, p=_CLASS_WEIGHTS)
    positions = rng.choice(10_000_000, size=count, replace=False) + 1
    loci = []
    for index, position in zip(chosen, positions, strict=True):
        ref, alt = _PYRIMIDINE_ALLELES[_SNV_CLASSES[index]]
        loci.append(TumourLocus(chrom="1", pos=int(position), ref=ref, alt=alt))
    return loci


def _sample(
    rng: np.random.Generator,
    locus_error: np.ndarray,
    mutant_fraction: np.ndarray | float,
    artefact: int | None,
    settings: AssaySettings,
) -> tuple[np.ndarray, np.ndarray]:
    loci = locus_error.size
    shape = 1.0 / settings.depth_cv**2
    depth = rng.poisson(rng.gamma(shape, settings.molecules / shape, size=loci))
    tumour = rng.binomial(depth, np.broadcast_to(mutant_fraction, (loci,)))
    error = np.minimum(locus_error * rng.lognormal(0.0, settings.sample_error_sigma), 0.5)
    alt = tumour + rng.binomial(depth - tumour, error)
    if artefact is not None:
        alt[artefact] += rng.binomial(depth[artefact] - alt[artefact], settings.artefact_fraction)
    return alt, depth


def _counts(
    loci: Sequence[TumourLocus], sample: tuple[np.ndarray, np.ndarray]
) -> dict[LocusKey, LocusCount]:
    alt, depth = sample
    return {
        locus.key: LocusCount(alt_reads=int(a), depth=int(d))
        for locus, a, d in zip(loci, alt, depth, strict=True)
    }
