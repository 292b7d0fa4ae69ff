"""MRD sensitivity and specificity on simulated plasma (1,000 simulated patients per point).

Each draw is a new patient with its own loci, a panel of 20 normal plasmas and one plasma
sample, run through the public API. The asserted bounds are what the test must deliver on
this simulated assay (24 loci, ~8,000 molecules per locus, panel-default error rates with
locus and batch variation); the measured numbers are written by ``make bench``
(``bench/results/mrd_accuracy.json``).
"""

from __future__ import annotations

import pytest

from oncoboard.mrd.simulate import AssaySettings, DetectionRate, simulate_detection

pytestmark = pytest.mark.slow

FRACTIONS = (0.0, 1e-5, 1e-4, 1e-3)


@pytest.fixture(scope="module")
def umi() -> list[DetectionRate]:
    return simulate_detection(FRACTIONS, draws=1000)


def test_false_positive_rate_at_tumour_fraction_zero_is_within_alpha(
    umi: list[DetectionRate],
) -> None:
    zero = umi[0]
    assert zero.tumour_fraction == 0.0
    assert zero.draws == 1000
    # alpha = 0.01; the Clopper-Pearson interval of the observed rate must include or lie
    # below it (a miscalibrated test would sit at 2-3%, as the Poisson-only null did)
    assert zero.ci95[0] <= 0.01
    assert zero.rate <= 0.02


def test_sensitivity_rises_with_tumour_fraction_and_reaches_99_percent_at_1e3(
    umi: list[DetectionRate],
) -> None:
    rates = [r.rate for r in umi]
    assert rates[3] >= 0.99
    assert rates[2] > rates[0]
    assert rates[3] > rates[2]
    # 1e-5 is far below this assay's limit of detection (median LOD95 ~5e-4 tumour fraction)
    assert rates[1] <= 0.03
    assert all(4e-4 < r.median_lod95_tumour_fraction < 7e-4 for r in umi)


def test_error_suppressed_assay_detects_half_at_1e4() -> None:
    rates = simulate_detection((0.0, 1e-4), draws=500, settings=AssaySettings(error_scale=0.1))
    assert rates[0].rate <= 0.015
    assert 0.4 <= rates[1].rate <= 0.7


def test_one_artefactual_locus_does_not_make_false_positives() -> None:
    # a CHIP-like or mapping artefact at 0.5% allele fraction in one locus, absent in normals
    guarded = simulate_detection(
        (0.0,), draws=500, settings=AssaySettings(artefact_fraction=0.005)
    )[0]
    unguarded = simulate_detection(
        (0.0,), draws=200, settings=AssaySettings(artefact_fraction=0.005, max_outliers=0)
    )[0]
    assert guarded.rate <= 0.025
    assert unguarded.rate >= 0.5
