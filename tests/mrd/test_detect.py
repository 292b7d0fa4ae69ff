"""The MRD call: combined test, limit of detection, outlier locus, not-evaluable samples."""

from __future__ import annotations

import math

import pytest
from scipy import optimize, stats

from oncoboard.mrd import (
    ErrorModel,
    LocusCount,
    LocusStatus,
    MrdCall,
    TumourLocus,
    detect_mrd,
    error_model_from_normals,
    panel_default_model,
)

FLAT = {"C>T": 1e-4, "C>A": 1e-4, "C>G": 1e-4, "T>A": 1e-4, "T>C": 1e-4, "T>G": 1e-4,
        "indel": 1e-4}  # fmt: skip


def _loci(n: int) -> list[TumourLocus]:
    return [TumourLocus(chrom="1", pos=1000 + 10 * i, ref="C", alt="T") for i in range(n)]


def _model(loci: list[TumourLocus]) -> ErrorModel:
    return panel_default_model(loci, rates=FLAT)


def _counts(loci: list[TumourLocus], alts: list[int], depth: int = 10_000) -> dict:
    return {locus.key: LocusCount(a, depth) for locus, a in zip(loci, alts, strict=True)}


def _poisson_tail(k: int, mean: float) -> float:
    return 1 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k))


def test_combined_p_value_is_the_poisson_tail_of_summed_reads() -> None:
    loci = _loci(2)
    result = detect_mrd(loci, _counts(loci, [4, 3]), _model(loci))
    assert result.expected_background == pytest.approx(2.0)
    assert result.alt_reads == 7
    assert result.p_value == pytest.approx(_poisson_tail(7, 2.0))  # 0.00453
    assert result.call is MrdCall.DETECTED
    assert result.allele_fraction == pytest.approx(5 / 20_000)
    assert result.tumour_fraction == pytest.approx(2 * 5 / 20_000)
    low, high = result.allele_fraction_ci95 or (0, 0)
    assert low < 5 / 20_000 < high


def test_not_detected_carries_its_limit_of_detection() -> None:
    loci = _loci(2)
    result = detect_mrd(loci, _counts(loci, [2, 1]), _model(loci))
    assert result.call is MrdCall.NOT_DETECTED
    assert result.p_value == pytest.approx(_poisson_tail(3, 2.0))
    # critical count: P(K >= 7 | 2) = 0.0045 <= 0.01 < P(K >= 6 | 2) = 0.017. Background plus
    # signal is Poisson(2 + 20,000 f); LOD95 solves P(Poisson(2 + 20,000 f) >= 7) = 0.95.
    mean = optimize.brentq(lambda m: stats.poisson.sf(6, m) - 0.95, 2, 50)
    assert result.lod95_allele_fraction == pytest.approx((mean - 2) / 20_000, rel=1e-4)
    assert result.lod95_tumour_fraction == pytest.approx(2 * (mean - 2) / 20_000, rel=1e-4)
    assert "not absent" in result.detail


def test_one_artefactual_locus_is_set_aside() -> None:
    loci = _loci(10)
    alts = [80, 1, 0, 1, 2, 0, 1, 1, 0, 1]  # a CHIP-like 0.8% locus among background
    result = detect_mrd(loci, _counts(loci, alts), _model(loci))
    assert result.loci[0].status is LocusStatus.OUTLIER
    assert "set aside" in (result.loci[0].detail or "")
    assert result.informative_loci == 9
    assert result.call is MrdCall.NOT_DETECTED
    unguarded = detect_mrd(loci, _counts(loci, alts), _model(loci), max_outliers=0)
    assert unguarded.call is MrdCall.DETECTED


def test_signal_spread_over_loci_is_not_an_outlier() -> None:
    loci = _loci(10)
    result = detect_mrd(loci, _counts(loci, [5, 4, 6, 5, 3, 7, 5, 4, 6, 5]), _model(loci))
    assert all(r.status is LocusStatus.INFORMATIVE for r in result.loci)
    assert result.call is MrdCall.DETECTED
    assert not result.single_locus_signal
    assert result.allele_fraction == pytest.approx((50 - 10) / 100_000)


def test_signal_resting_on_one_locus_is_flagged() -> None:
    loci = _loci(2)  # too few loci to judge an outlier
    result = detect_mrd(loci, _counts(loci, [9, 0]), _model(loci))
    assert result.call is MrdCall.DETECTED
    assert result.single_locus_signal
    assert "rests on one locus" in result.detail


def test_loci_seen_in_normals_or_uncovered_are_not_used() -> None:
    loci = _loci(3)
    normals = [
        {loci[0].key: LocusCount(0, 9000), loci[1].key: LocusCount(40, 2000)} for _ in range(3)
    ]
    model = error_model_from_normals(loci, normals, rates=FLAT)
    counts = {loci[0].key: LocusCount(1, 9000), loci[1].key: LocusCount(50, 2000)}
    result = detect_mrd(loci, counts, model)
    statuses = [r.status for r in result.loci]
    assert statuses == [LocusStatus.INFORMATIVE, LocusStatus.IN_NORMALS, LocusStatus.NOT_COVERED]
    assert result.informative_loci == 1
    assert result.alt_reads == 1


def test_no_informative_locus_is_not_evaluable_never_negative() -> None:
    loci = _loci(2)
    result = detect_mrd(loci, {}, _model(loci))
    assert result.call is MrdCall.NOT_EVALUABLE
    assert result.p_value is None
    assert result.allele_fraction is None
    assert "no informative locus" in result.detail


def test_shallow_sample_cannot_call_negative() -> None:
    loci = _loci(2)
    result = detect_mrd(loci, _counts(loci, [0, 0], depth=100), _model(loci))
    assert result.call is MrdCall.NOT_EVALUABLE
    assert (result.lod95_allele_fraction or 0) > 0.01
    assert "too high for a negative call" in result.detail


def test_overdispersion_widens_the_null() -> None:
    loci = _loci(2)
    model = _model(loci).model_copy(update={"overdispersion": 0.5})
    result = detect_mrd(loci, _counts(loci, [4, 3]), model)
    # gamma-Poisson with mean 2 and variance 2 + 0.5 * 2^2: NB(size 2, p = 2 / (2 + 2))
    assert result.p_value == pytest.approx(stats.nbinom.sf(6, 2.0, 0.5))
    assert result.p_value > _poisson_tail(7, 2.0)
    assert result.call is MrdCall.NOT_DETECTED
    assert "negative binomial" in result.rule


def test_evidence_and_disclaimer() -> None:
    loci = _loci(2)
    result = detect_mrd(loci, _counts(loci, [0, 0]))
    ids = [e.id for e in result.evidence]
    assert ids[0] == "doi:10.1126/scitranslmed.aaz8084"
    assert "Oncoboard panel default error rates" in ids
    assert result.disclaimer.startswith("Decision support for qualified clinicians")
