"""ctDNA molecular response, from the fact sheet section 5 definitions (common in trials):
>= 50% fall in mean VAF of the tracked variants from baseline = molecular response; no tracked
variant detectable on treatment = clearance. A draw that did not assess a variant is not
evaluable (unknown is not zero)."""

from __future__ import annotations

import datetime as dt

from oncoboard.io import load_case
from oncoboard.monitoring.ctdna import MolecularCall, ctdna_series, molecular_response
from tests.conftest import EXAMPLES

LINE = {
    "setting": "metastatic",
    "line": 1,
    "agents": [{"name": "letrozole"}, {"name": "palbociclib"}],
    "start_date": "2024-02-01",
}


def _draw(date: str, *variants: tuple[str, str, int, int], genes=("PIK3CA", "ESR1", "TP53")):
    return {
        "date": date,
        "genes_tested": list(genes) if genes is not None else None,
        "variants": [
            {"gene": g, "hgvs_p": p, "alt_reads": alt, "depth": depth}
            for g, p, alt, depth in variants
        ],
    }


def _calls(make_case, *draws):
    case = make_case(treatments=[LINE], liquid_biopsies=list(draws))
    return [r.call for r in molecular_response(case)]


def test_fifty_percent_fall_is_response_and_forty_nine_is_not(make_case):
    baseline = _draw("2024-01-25", ("PIK3CA", "p.H1047R", 100, 1000), ("TP53", "p.R248Q", 60, 1000))
    # mean 8.0% -> 4.0% (-50%) and -> 4.1% (-49%)
    half = _draw("2024-03-01", ("PIK3CA", "p.H1047R", 50, 1000), ("TP53", "p.R248Q", 30, 1000))
    less = _draw("2024-04-01", ("PIK3CA", "p.H1047R", 52, 1000), ("TP53", "p.R248Q", 30, 1000))
    assert _calls(make_case, baseline, half, less) == [MolecularCall.RESPONSE, MolecularCall.STABLE]


def test_clearance_needs_every_variant_gone_at_adequate_depth(make_case):
    baseline = _draw("2024-01-25", ("PIK3CA", "p.H1047R", 100, 1000))
    gone = _draw("2024-03-01", ("PIK3CA", "p.H1047R", 0, 1500))
    shallow = _draw("2024-04-01", ("PIK3CA", "p.H1047R", 0, 40))
    unlisted = _draw("2024-05-01")  # gene on the panel, variant not reported: not detected
    assert _calls(make_case, baseline, gone, shallow, unlisted) == [
        MolecularCall.CLEARANCE,
        MolecularCall.RESPONSE,  # 0 reads at depth 40: clearance not confirmed
        MolecularCall.CLEARANCE,
    ]


def test_unassessed_variant_is_not_evaluable_not_zero(make_case):
    baseline = _draw("2024-01-25", ("ESR1", "p.D538G", 30, 1000))
    other_panel = _draw("2024-03-01", genes=("PIK3CA",))
    unknown_panel = _draw("2024-04-01", genes=None)
    assert _calls(make_case, baseline, other_panel, unknown_panel) == [
        MolecularCall.NOT_EVALUABLE,
        MolecularCall.NOT_EVALUABLE,
    ]


def test_rise_from_nadir_is_molecular_progression(make_case):
    baseline = _draw("2024-01-25", ("ESR1", "p.D538G", 40, 1000))
    nadir = _draw("2024-03-01", ("ESR1", "p.D538G", 10, 1000))  # 1% (-75%)
    rise = _draw("2024-05-01", ("ESR1", "p.D538G", 25, 1000))  # 2.5% = 2.5x nadir, >= 1%
    calls = _calls(make_case, baseline, nadir, rise)
    assert calls == [MolecularCall.RESPONSE, MolecularCall.PROGRESSION]


def test_no_baseline_draw_gives_no_call(make_case):
    later = _draw("2024-03-01", ("PIK3CA", "p.H1047R", 50, 1000))
    assert _calls(make_case, later) == []


def test_demo_mbc_001_clears_on_first_line():
    """MBC-001: GATA3 p.S408Rfs*99 98/1420 reads on 2024-11-25 (baseline, before letrozole +
    ribociclib from 2024-12-01), 7/1655 on 2025-03-03 (0.42% vs 6.90%: -94%, response), 0/1710
    on 2025-09-01 (clearance)."""
    case = load_case(next(EXAMPLES.glob("mbc-001*")))
    results = molecular_response(case)
    assert [r.call for r in results] == [MolecularCall.RESPONSE, MolecularCall.CLEARANCE]
    assert results[0].baseline_date == dt.date(2024, 11, 25)
    assert round(results[0].change_pct or 0) == -94
    assert all(r.evidence for r in results)
    (series,) = ctdna_series(case)
    assert [p.detected for p in series.points] == [True, True, False]


def _informed(date: str, detected: bool | None, mtm: float | None = None) -> dict:
    draw: dict = {"date": date, "assay": "Signatera", "tumor_informed": True}
    if detected is not None:
        draw["ctdna_detected"] = detected
    if mtm is not None:
        draw["mean_tumor_molecules_per_ml"] = mtm
    return draw


def _informed_results(make_case, *draws):
    case = make_case(treatments=[LINE], liquid_biopsies=list(draws))
    return molecular_response(case)


def test_tumour_informed_fall_rise_and_clearance(make_case):
    results = _informed_results(
        make_case,
        _informed("2024-01-20", True, 12.0),
        _informed("2024-03-01", True, 5.0),  # -58%: response
        _informed("2024-05-01", True, 8.0),  # 1.6x nadir 5: stable
        _informed("2024-07-01", True, 10.5),  # 2.1x nadir 5: progression, still below baseline
        _informed("2024-09-01", False, 0.0),  # not detected: clearance
        _informed("2024-11-01", True, 0.4),  # back after clearance (nadir 0): progression
    )
    assert [r.call for r in results] == [
        MolecularCall.RESPONSE,
        MolecularCall.STABLE,
        MolecularCall.PROGRESSION,
        MolecularCall.CLEARANCE,
        MolecularCall.PROGRESSION,
    ]
    assert all(r.tumor_informed and r.mean_vaf is None for r in results)
    assert results[0].change_pct == (5.0 - 12.0) / 12.0 * 100
    assert results[0].baseline_tumor_molecules_per_ml == 12.0


def test_tumour_informed_unknown_detection_is_not_evaluable(make_case):
    results = _informed_results(
        make_case,
        _informed("2024-01-20", True, 3.0),
        _informed("2024-03-01", None),
        _informed("2024-04-01", True),  # detected, quantity not reported
    )
    assert [r.call for r in results] == [MolecularCall.NOT_EVALUABLE, MolecularCall.STABLE]
    assert "quantity not reported" in results[1].detail


def test_tumour_informed_detection_after_a_negative_baseline_is_progression(make_case):
    results = _informed_results(
        make_case,
        _informed("2024-01-20", False, 0.0),
        _informed("2024-03-01", False, 0.0),
        _informed("2024-05-01", True, 0.6),
    )
    assert [r.call for r in results] == [MolecularCall.STABLE, MolecularCall.PROGRESSION]
    assert results[1].detail == (
        "Signatera: ctDNA detected, 0.6 MTM/mL; not detected at baseline (2024-01-20)"
    )
