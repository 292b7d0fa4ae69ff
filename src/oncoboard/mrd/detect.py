"""Tumour-informed MRD call: is ctDNA present in this plasma sample?

The patient's tumour variants are looked up in the plasma counts. Loci seen in normals are
excluded; the single locus most inconsistent with the others (a CHIP variant, an unrecognised
germline variant or a mapping artefact) is set aside when its count is implausible given the
rest; the tumour-allele reads of the remaining loci are summed and tested against the summed
background (see :mod:`oncoboard.mrd._stats`). A detected call also says whether it rests on
one locus (the other loci together show no excess). A not-detected call always carries the
sample's limit of detection: "not detected" is never "absent".

The tumour fraction is estimated as twice the mutant allele fraction, which assumes clonal
heterozygous variants in copy-neutral regions.

References
----------
Wan 2020 (INVAR, doi:10.1126/scitranslmed.aaz8084): integrating reads across patient-specific
loci, per-sample limit of detection. Newman 2016 (iDES, PMID 27018799): background model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
from pydantic import Field

from oncoboard.model import Evidence, EvidenceSource
from oncoboard.model._base import CaseModel
from oncoboard.mrd import _stats
from oncoboard.mrd.background import BackgroundSource, ErrorModel, panel_default_model
from oncoboard.mrd.counts import LocusCount
from oncoboard.mrd.loci import LocusKey, TumourLocus

__all__ = ["INVAR_EVIDENCE", "LocusResult", "LocusStatus", "MrdCall", "MrdResult", "detect_mrd"]

_NO_EXCESS = 0.5  # p-value of the other loci at or above which they show no excess at all

DISCLAIMER = "Decision support for qualified clinicians; not a diagnostic test result."

INVAR_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="doi:10.1126/scitranslmed.aaz8084",
    title="Wan 2020 (INVAR): integrating variant reads across patient-specific loci; "
    "per-sample limit of detection",
    verified=True,
)


class LocusStatus(StrEnum):
    """What the test did with a locus."""

    INFORMATIVE = "informative"
    OUTLIER = "outlier_excluded"
    IN_NORMALS = "excluded_in_normals"
    NOT_COVERED = "not_covered"


class LocusResult(CaseModel):
    """One tumour locus in this sample."""

    locus: TumourLocus
    alt_reads: int | None
    depth: int | None
    error_rate: float
    background_source: BackgroundSource
    expected_background: float | None
    status: LocusStatus
    detail: str | None = None


class MrdCall(StrEnum):
    """The call for the sample."""

    DETECTED = "ctdna_detected"
    NOT_DETECTED = "ctdna_not_detected"
    NOT_EVALUABLE = "not_evaluable"


class MrdResult(CaseModel):
    """The MRD call of one plasma sample, with the numbers behind it."""

    sample: str | None
    call: MrdCall
    p_value: float | None = Field(description="One-sided p-value of the combined test.")
    alpha: float
    informative_loci: int
    molecules: int = Field(description="Sum of depths over informative loci.")
    alt_reads: int
    expected_background: float
    overdispersion: float
    allele_fraction: float | None = Field(description="Background-subtracted mutant fraction.")
    allele_fraction_ci95: tuple[float, float] | None
    tumour_fraction: float | None = Field(description="2 x allele fraction (clonal, het).")
    lod95_allele_fraction: float | None
    lod95_tumour_fraction: float | None
    single_locus_signal: bool = Field(
        description="Detected, but the loci other than the strongest show no excess "
        "(their combined p-value >= 0.5)."
    )
    loci: tuple[LocusResult, ...]
    detail: str
    rule: str
    evidence: tuple[Evidence, ...]
    disclaimer: str = DISCLAIMER


def detect_mrd(
    loci: Sequence[TumourLocus],
    counts: Mapping[LocusKey, LocusCount],
    model: ErrorModel | None = None,
    *,
    sample: str | None = None,
    alpha: float = 0.01,
    outlier_alpha: float = 1e-3,
    max_outliers: int = 1,
    max_lod: float = 0.01,
) -> MrdResult:
    """Decide whether ctDNA is present from plasma read counts at the tumour's loci.

    Parameters
    ----------
    loci
        The patient's tumour variants.
    counts
        Plasma counts by locus key (unique molecules after deduplication where available).
    model
        Background error model; default :func:`panel_default_model` (unverified rates).
    sample
        Sample name for the report.
    alpha
        Significance level of the combined test (false-positive rate per sample).
    outlier_alpha
        Family-wise level (Bonferroni over loci) for setting aside an inconsistent locus.
    max_outliers
        How many inconsistent loci may be set aside, strongest first.
    max_lod
        A sample whose 95% limit of detection (mutant allele fraction) is above this cannot
        call ctDNA "not detected": it is not evaluable.

    Returns
    -------
    MrdResult
    """
    model = model or panel_default_model(loci)
    results = [_locus_result(locus, counts.get(locus.key), model) for locus in loci]
    results = _set_aside_outliers(results, model.overdispersion, outlier_alpha, max_outliers)
    used = [r for r in results if r.status is LocusStatus.INFORMATIVE]
    alt = np.array([r.alt_reads or 0 for r in used], dtype=np.float64)
    depth = np.array([r.depth or 0 for r in used], dtype=np.float64)
    error = np.array([r.error_rate for r in used], dtype=np.float64)
    test = _stats.combined_test(alt, depth, error, model.overdispersion)
    lod = _stats.limit_of_detection(
        test.molecules, test.expected_background, model.overdispersion, alpha
    )
    estimate, low, high = _stats.allele_fraction_interval(
        test.alt, test.molecules, test.expected_background
    )
    call = _call(test, lod, alpha, max_lod)
    single = call is MrdCall.DETECTED and _rests_on_one_locus(
        alt, depth, error, model.overdispersion
    )
    evidence = (INVAR_EVIDENCE, *model.evidence)
    return MrdResult(
        sample=sample,
        call=call,
        p_value=test.p_value if used else None,
        alpha=alpha,
        informative_loci=len(used),
        molecules=test.molecules,
        alt_reads=test.alt,
        expected_background=test.expected_background,
        overdispersion=model.overdispersion,
        allele_fraction=estimate if used else None,
        allele_fraction_ci95=(low, high) if used else None,
        tumour_fraction=min(1.0, 2 * estimate) if used else None,
        lod95_allele_fraction=lod,
        lod95_tumour_fraction=None if lod is None else min(1.0, 2 * lod),
        single_locus_signal=single,
        loci=tuple(results),
        detail=_detail(call, test, len(used), lod, estimate, single),
        rule=f"sum of tumour-allele reads over informative loci vs background "
        f"({_null_name(model.overdispersion)}); detected if "
        f"one-sided p < {alpha:g}; not evaluable if no informative locus or LOD95 > "
        f"{max_lod:g}",
        evidence=evidence,
    )


def _locus_result(locus: TumourLocus, count: LocusCount | None, model: ErrorModel) -> LocusResult:
    background = model.background(locus)
    status = LocusStatus.INFORMATIVE
    detail = None
    if background.excluded:
        status, detail = LocusStatus.IN_NORMALS, background.excluded
    elif count is None or count.depth == 0:
        status, detail = LocusStatus.NOT_COVERED, "no read covers the locus"
    return LocusResult(
        locus=locus,
        alt_reads=None if count is None else count.alt_reads,
        depth=None if count is None else count.depth,
        error_rate=background.error_rate,
        background_source=background.source,
        expected_background=None if count is None else count.depth * background.error_rate,
        status=status,
        detail=detail,
    )


def _set_aside_outliers(
    results: list[LocusResult], overdispersion: float, outlier_alpha: float, max_outliers: int
) -> list[LocusResult]:
    for _ in range(max_outliers):
        used = [i for i, r in enumerate(results) if r.status is LocusStatus.INFORMATIVE]
        alt = np.array([results[i].alt_reads or 0 for i in used], dtype=np.float64)
        depth = np.array([results[i].depth or 0 for i in used], dtype=np.float64)
        error = np.array([results[i].error_rate for i in used], dtype=np.float64)
        threshold = outlier_alpha / max(1, len(used))
        found = _stats.strongest_outlier(alt, depth, error, overdispersion, threshold)
        if found is None:
            break
        index, p_value = found
        chosen = results[used[index]]
        results[used[index]] = chosen.model_copy(
            update={
                "status": LocusStatus.OUTLIER,
                "detail": f"{chosen.alt_reads}/{chosen.depth} reads is implausible given the "
                f"other loci (p = {p_value:.1e} < {threshold:.1e}): CHIP, germline or "
                "artefact suspected; set aside",
            }
        )
    return results


def _null_name(overdispersion: float) -> str:
    if overdispersion > 0:
        return f"negative binomial, between-sample overdispersion {overdispersion:.3g}"
    return "Poisson"


def _call(test: _stats.CombinedTest, lod: float | None, alpha: float, max_lod: float) -> MrdCall:
    if test.molecules == 0:
        return MrdCall.NOT_EVALUABLE
    if test.p_value < alpha:
        return MrdCall.DETECTED
    if lod is None or lod > max_lod:
        return MrdCall.NOT_EVALUABLE
    return MrdCall.NOT_DETECTED


def _rests_on_one_locus(
    alt: np.ndarray, depth: np.ndarray, error: np.ndarray, overdispersion: float
) -> bool:
    if alt.size < 2:
        return True
    strongest = int(np.argmax(alt - depth * error))
    keep = np.arange(alt.size) != strongest
    rest = _stats.combined_test(alt[keep], depth[keep], error[keep], overdispersion)
    return rest.p_value >= _NO_EXCESS


def _detail(
    call: MrdCall,
    test: _stats.CombinedTest,
    loci: int,
    lod: float | None,
    estimate: float,
    single: bool,
) -> str:
    counts = (
        f"{test.alt} tumour-allele reads in {test.molecules} molecules over {loci} loci "
        f"(background {test.expected_background:.2f})"
    )
    lod_text = "—" if lod is None else f"{lod:.1e}"
    if call is MrdCall.DETECTED:
        caveat = (
            "; the signal rests on one locus (the others show no excess): confirm" if single else ""
        )
        return f"ctDNA detected: {counts}, mutant fraction {estimate:.1e}{caveat}"
    if call is MrdCall.NOT_DETECTED:
        return f"ctDNA not detected at LOD95 {lod_text} (mutant fraction): {counts}; not absent"
    if loci == 0:
        return "not evaluable: no informative locus (none covered, or all excluded)"
    return f"not evaluable: LOD95 {lod_text} is too high for a negative call: {counts}"
