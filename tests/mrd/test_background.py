"""Background error model: panel default and fit from normal plasmas."""

from __future__ import annotations

import pytest

from oncoboard.mrd import (
    BackgroundSource,
    LocusCount,
    TumourLocus,
    error_model_from_normals,
    panel_default_model,
)

CT = TumourLocus(chrom="17", pos=7577120, ref="C", alt="T")  # C>T class, default 2e-4
AG = TumourLocus(chrom="3", pos=179234297, ref="A", alt="G")  # T>C class, default 5e-5
GT = TumourLocus(chrom="1", pos=500, ref="G", alt="T")  # C>A class, default 1e-4


def test_panel_default_uses_class_rates_and_is_marked_unverified() -> None:
    model = panel_default_model([CT, AG, GT])
    rates = [model.background(locus).error_rate for locus in (CT, AG, GT)]
    assert rates == [2e-4, 5e-5, 1e-4]
    assert model.overdispersion == 0.0
    assert model.source is BackgroundSource.PANEL_DEFAULT
    assert [e.verified for e in model.evidence] == [False]


def test_rate_is_posterior_mean_with_one_read_prior() -> None:
    normals = [{CT.key: LocusCount(a, 10_000)} for a in (1, 0, 2)]
    model = error_model_from_normals([CT], normals)
    background = model.background(CT)
    # Beta(1, 1/2e-4 - 1) prior + 3 alt reads in 30,000 molecules
    assert background.error_rate == pytest.approx(4 / 35_000)
    assert (background.normal_alt_reads, background.normal_depth) == (3, 30_000)
    assert background.source is BackgroundSource.NORMALS
    assert background.excluded is None
    assert model.evidence[0].id == "PMID:27018799"


def test_locus_no_normal_covered_keeps_panel_default() -> None:
    model = error_model_from_normals([CT, AG], [{CT.key: LocusCount(0, 5000)}])
    assert model.background(AG).error_rate == pytest.approx(5e-5)
    assert model.background(AG).source is BackgroundSource.PANEL_DEFAULT


def test_allele_seen_at_one_percent_in_a_normal_excludes_the_locus() -> None:
    normals = [{CT.key: LocusCount(0, 8000), AG.key: LocusCount(30, 1000)}]
    model = error_model_from_normals([CT, AG], normals)
    reason = model.background(AG).excluded
    assert reason is not None
    assert "3.00%" in reason
    assert "CHIP" in reason
    assert model.background(CT).excluded is None


def test_a_single_read_at_low_depth_does_not_exclude() -> None:
    normals = [{CT.key: LocusCount(1, 50)}]  # 2%, but one read: not evidence of a variant
    assert error_model_from_normals([CT], normals).background(CT).excluded is None


def test_identical_normals_are_not_overdispersed() -> None:
    normals = [{CT.key: LocusCount(2, 10_000), GT.key: LocusCount(1, 10_000)} for _ in range(6)]
    assert error_model_from_normals([CT, GT], normals).overdispersion == 0.0


def test_batch_variation_between_normals_gives_overdispersion() -> None:
    totals = (0, 1, 0, 12, 0, 15, 1, 0)
    normals = [{CT.key: LocusCount(a, 10_000), GT.key: LocusCount(0, 10_000)} for a in totals]
    model = error_model_from_normals([CT, GT], normals)
    # leave-one-out expectations E_j and observed totals O_j: tau2 = sum((O-E)^2 - E) / sum(E^2)
    estimate = _moment_tau2(totals, 10_000)
    assert model.overdispersion_estimate == pytest.approx(estimate, rel=1e-9)
    assert estimate > 1
    # the test uses the upper 95% bound: 8 normals, 7 degrees of freedom, chi2(0.05, 7) = 2.167
    assert model.overdispersion == pytest.approx(estimate * 7 / 2.16735, rel=1e-4)


def test_fewer_than_three_normals_assume_poisson() -> None:
    normals = [{CT.key: LocusCount(a, 10_000)} for a in (0, 20)]
    assert error_model_from_normals([CT], normals).overdispersion == 0.0


def test_no_normals_is_the_panel_default() -> None:
    assert error_model_from_normals([CT], []).source is BackgroundSource.PANEL_DEFAULT


def _moment_tau2(totals: tuple[int, ...], depth: int) -> float:
    """Independent arithmetic: CT prior Beta(1, 4999), GT prior Beta(1, 9999), GT never seen."""
    excess = scale = 0.0
    for observed in totals:
        rest = sum(totals) - observed
        molecules = depth * (len(totals) - 1)
        expected = depth * ((1 + rest) / (5000 + molecules) + 1 / (10_000 + molecules))
        excess += (observed - expected) ** 2 - expected
        scale += expected**2
    return excess / scale
