"""RECIST 1.1 engine: worked examples written from the fact sheet section 4 rules
(Eisenhauer EJC 2009;45:228; nodes Schwartz EJC 2009;45:261)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncoboard.errors import CaseFileError
from oncoboard.io import load_case
from oncoboard.model import ImagingAssessment
from oncoboard.model.imaging import Lesion, Modality
from oncoboard.monitoring.recist import (
    RECIST_EVIDENCE,
    MeasurabilityClass,
    Response,
    assess_recist,
    lesion_measurability,
    validate_target_selection,
)
from tests.conftest import EXAMPLES

BASE = dt.date(2025, 1, 1)


def _les(lid: str, size: float | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lid, "site": kw.pop("site", "liver"), "role": "target"}
    if size is not None:
        out["size_mm"] = size
    out.update(kw)
    return out


def _scan(day: int, *lesions: dict[str, Any], baseline: bool = False) -> ImagingAssessment:
    return ImagingAssessment.model_validate(
        {
            "date": BASE + dt.timedelta(days=day),
            "modality": "CT",
            "baseline": baseline,
            "lesions": list(lesions),
        }
    )


def _series(*scans: ImagingAssessment, **kw: Any) -> Any:
    return assess_recist(scans, **kw)


def _two_targets(a: float, b: float) -> tuple[dict[str, Any], dict[str, Any]]:
    return _les("L1", a), _les("L2", b, site="lung")


# --- measurability ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "node", "expected"),
    [
        (10, False, MeasurabilityClass.MEASURABLE),
        (9.9, False, MeasurabilityClass.NON_MEASURABLE),
        (15, True, MeasurabilityClass.MEASURABLE),
        (14.9, True, MeasurabilityClass.PATHOLOGICAL_NODE),
        (10, True, MeasurabilityClass.PATHOLOGICAL_NODE),
        (9, True, MeasurabilityClass.NORMAL_NODE),
    ],
)
def test_measurability_thresholds(size: float, node: bool, expected: MeasurabilityClass) -> None:
    site = "lymph_node" if node else "liver"
    lesion = Lesion.model_validate(
        {"id": "X", "site": site, "role": "non_target", "lymph_node": node, "size_mm": size}
    )
    result = lesion_measurability(lesion)
    assert result.category is expected
    assert result.measurable is (expected is MeasurabilityClass.MEASURABLE)
    assert RECIST_EVIDENCE in result.evidence
    assert "10 mm" in result.rule


def test_irradiated_lesion_not_measurable_and_xray_needs_20mm() -> None:
    lesion = Lesion.model_validate(_les("X", 30, site="lung", previously_irradiated=True))
    result = lesion_measurability(lesion)
    assert not result.measurable
    assert result.note is not None and "progress" in result.note
    lung = Lesion.model_validate(_les("Y", 15, site="lung"))
    assert not lesion_measurability(lung, Modality.XRAY).measurable
    assert lesion_measurability(lung, Modality.CT).measurable


# --- target selection ---------------------------------------------------------------------


def test_six_targets_and_three_in_one_organ_are_reported_not_dropped() -> None:
    sites = ["liver", "liver", "liver", "lung", "lung", "adrenal"]
    base = _scan(0, *(_les(f"T{i}", 20, site=s) for i, s in enumerate(sites)), baseline=True)
    problems = validate_target_selection(base)
    codes = {p.code: p for p in problems}
    assert set(codes) == {"too_many_targets", "too_many_targets_in_organ"}
    assert codes["too_many_targets_in_organ"].lesion_ids == ("T0", "T1", "T2")
    series = _series(base, _scan(56, *(_les(f"T{i}", 20, site=s) for i, s in enumerate(sites))))
    assert len(series.target_ids) == 6  # kept, only reported
    assert series.baseline_sum_mm == 120
    assert len(series.problems) == 2


def test_small_target_reported_as_non_measurable() -> None:
    base = _scan(0, _les("T1", 8), baseline=True)
    (problem,) = validate_target_selection(base)
    assert problem.code == "non_measurable_target"


# --- target response thresholds -----------------------------------------------------------


def test_pr_at_exactly_minus_30_percent() -> None:
    """Baseline 60 + 40 = 100 mm; 42 + 28 = 70 mm is -30.0 %: PR."""
    tp = _series(_scan(0, *_two_targets(60, 40), baseline=True), _scan(56, *_two_targets(42, 28)))
    (point,) = tp.timepoints
    assert point.sum_mm == 70
    assert point.change_from_baseline_pct == pytest.approx(-30.0)
    assert point.target_response is Response.PR
    assert point.overall_response is Response.PR


def test_minus_29_percent_is_sd() -> None:
    """100 mm -> 71 mm is -29 %: SD."""
    tp = _series(_scan(0, *_two_targets(60, 40), baseline=True), _scan(56, *_two_targets(43, 28)))
    assert tp.timepoints[0].target_response is Response.SD


def test_pd_needs_20_percent_and_5_mm() -> None:
    """Nadir 10 mm -> 12 mm: +20 % but only +2 mm, not PD; -> 15 mm: +50 %, +5 mm, PD."""
    series = _series(
        _scan(0, _les("T1", 10), baseline=True),
        _scan(42, _les("T1", 12)),
        _scan(84, _les("T1", 15)),
    )
    first, second = series.timepoints
    assert first.change_from_nadir_pct == pytest.approx(20.0)
    assert first.change_from_nadir_mm == pytest.approx(2.0)
    assert first.target_response is Response.SD
    assert any("< 5 mm" in r for r in first.reasons)
    assert second.nadir_mm == 10
    assert second.target_response is Response.PD


def test_pd_measured_from_nadir_not_baseline() -> None:
    """Baseline 100, nadir 50 (PR), then 61: -39 % vs baseline but +22 %/+11 mm vs nadir: PD."""
    series = _series(
        _scan(0, *_two_targets(60, 40), baseline=True),
        _scan(56, *_two_targets(30, 20)),
        _scan(112, *_two_targets(36, 25)),
    )
    pr, pd = series.timepoints
    assert pr.overall_response is Response.PR
    assert pd.nadir_mm == 50
    assert pd.change_from_baseline_pct == pytest.approx(-39.0)
    assert pd.change_from_nadir_mm == pytest.approx(11.0)
    assert pd.target_response is Response.PD
    assert series.best_overall_response.response is Response.PR


def test_node_cr_with_9_mm_node() -> None:
    """A target node at 9 mm short axis with the non-nodal target gone: CR, sum 9 mm not 0."""
    node = {"site": "lymph_node", "lymph_node": True}
    series = _series(
        _scan(0, _les("L1", 20), _les("N1", 18, **node), baseline=True),
        _scan(56, _les("L1", 0), _les("N1", 9, **node)),
    )
    (point,) = series.timepoints
    assert point.sum_mm == 9
    assert point.target_response is Response.CR
    assert point.overall_response is Response.CR  # no non-target disease
    ten = _series(
        _scan(0, _les("N1", 18, **node), baseline=True), _scan(56, _les("N1", 10, **node))
    )
    assert ten.timepoints[0].target_response is Response.PR


def test_disappeared_target_marked_absent_counts_as_zero() -> None:
    series = _series(
        _scan(0, _les("L1", 20), baseline=True),
        _scan(56, _les("L1", role="non_target", status="absent")),
    )
    assert series.timepoints[0].sum_mm == 0
    assert series.timepoints[0].target_response is Response.CR


def test_new_lesion_is_pd() -> None:
    series = _series(
        _scan(0, *_two_targets(60, 40), baseline=True),
        _scan(56, *_two_targets(30, 20), _les("NEW1", role="new", site="bone", status="present")),
    )
    (point,) = series.timepoints
    assert point.target_response is Response.PR
    assert point.new_lesions == ("NEW1",)
    assert point.overall_response is Response.PD


def test_missing_target_is_ne_unless_measured_ones_prove_pd() -> None:
    """L2 not read: 62 mm measured vs nadir 100 is not PD -> NE; 125 mm measured -> PD."""
    base = _scan(0, *_two_targets(60, 40), baseline=True)
    ne = _series(base, _scan(56, _les("L1", 62))).timepoints[0]
    assert ne.target_response is Response.NE
    assert ne.sum_mm is None
    assert ne.measured_sum_mm == 62
    assert ne.overall_response is Response.NE
    pd = _series(base, _scan(56, _les("L1", 125))).timepoints[0]
    assert pd.target_response is Response.PD
    assert pd.overall_response is Response.PD


# --- non-target and overall ---------------------------------------------------------------


def test_non_target_responses_and_overall_table() -> None:
    bone = {"site": "bone", "role": "non_target"}
    base = _scan(0, _les("L1", 50), _les("B1", status="present", **bone), baseline=True)

    def point(*lesions: dict[str, Any]) -> Any:
        return _series(base, _scan(56, *lesions)).timepoints[0]

    cr_nn = point(_les("L1", 0), _les("B1", status="present", **bone))
    assert (cr_nn.target_response, cr_nn.non_target_response) == (
        Response.CR,
        Response.NON_CR_NON_PD,
    )
    assert cr_nn.overall_response is Response.PR
    cr_cr = point(_les("L1", 0), _les("B1", status="absent", **bone))
    assert cr_cr.overall_response is Response.CR
    cr_ne = point(_les("L1", 0))
    assert cr_ne.non_target_response is Response.NE
    assert cr_ne.overall_response is Response.PR
    sd_pd = point(_les("L1", 45), _les("B1", status="unequivocal_progression", **bone))
    assert sd_pd.overall_response is Response.PD


def test_non_target_only_disease() -> None:
    bone = {"site": "bone", "role": "non_target"}
    series = _series(
        _scan(0, _les("B1", status="present", **bone), baseline=True),
        _scan(60, _les("B1", status="present", **bone)),
        _scan(120, _les("B1", status="absent", **bone)),
    )
    assert series.baseline_sum_mm is None
    assert [t.overall_response for t in series.timepoints] == [
        Response.NON_CR_NON_PD,
        Response.CR,
    ]
    assert series.timepoints[0].target_response is None
    assert series.best_overall_response.response is Response.CR


def test_no_baseline_disease_raises() -> None:
    with pytest.raises(CaseFileError, match="no target or non-target"):
        assess_recist([_scan(0, baseline=True)])
    with pytest.raises(CaseFileError, match="at least one"):
        assess_recist([])


def test_baseline_is_flagged_one_else_earliest() -> None:
    pre = _scan(-30, _les("L1", 80))
    flagged = _scan(0, _les("L1", 100), baseline=True)
    later = _scan(56, _les("L1", 70))
    series = assess_recist([later, pre, flagged])
    assert series.baseline_date == BASE
    assert len(series.timepoints) == 1
    unflagged = assess_recist([later, _scan(0, _les("L1", 100))])
    assert unflagged.baseline_date == BASE


# --- best overall response ----------------------------------------------------------------


def _pr_then(day2_size: float, day2: int) -> tuple[ImagingAssessment, ...]:
    return (
        _scan(0, _les("L1", 100), baseline=True),
        _scan(56, _les("L1", 60)),
        _scan(day2, _les("L1", day2_size)),
    )


def test_best_response_with_and_without_confirmation() -> None:
    """PR on day 56, PR again on day 112 (>= 28 days): confirmed PR."""
    scans = _pr_then(55, 112)
    assert assess_recist(scans).best_overall_response.response is Response.PR
    confirmed = assess_recist(scans, confirm=True).best_overall_response
    assert confirmed.response is Response.PR
    assert confirmed.confirmed is True


def test_unconfirmed_pr_falls_back_to_sd() -> None:
    """PR on day 56 then PD (nadir 60 -> 80) on day 112: unconfirmed -> SD (56 >= 42 days)."""
    scans = _pr_then(80, 112)
    assert assess_recist(scans).best_overall_response.response is Response.PR
    best = assess_recist(scans, confirm=True).best_overall_response
    assert best.response is Response.SD
    assert any("not confirmed" in r for r in best.reasons)


def test_confirmation_too_early_does_not_count() -> None:
    """Second PR only 20 days later: not a confirmation."""
    scans = (
        _scan(0, _les("L1", 100), baseline=True),
        _scan(56, _les("L1", 60)),
        _scan(76, _les("L1", 60)),
    )
    assert assess_recist(scans, confirm=True).best_overall_response.response is Response.SD


def test_cr_confirmed_by_pr_is_pr() -> None:
    node = {"site": "lymph_node", "lymph_node": True}
    scans = (
        _scan(0, _les("N1", 30, **node), baseline=True),
        _scan(56, _les("N1", 8, **node)),
        _scan(112, _les("N1", 12, **node)),
    )
    assert assess_recist(scans).best_overall_response.response is Response.CR
    assert assess_recist(scans, confirm=True).best_overall_response.response is Response.PR


def test_min_sd_duration() -> None:
    """SD on day 30 then PD: best PD with 42-day minimum, SD with a 28-day minimum."""
    scans = (
        _scan(0, _les("L1", 100), baseline=True),
        _scan(30, _les("L1", 95)),
        _scan(60, _les("L1", 130)),
    )
    assert assess_recist(scans).best_overall_response.response is Response.PD
    assert assess_recist(scans, min_sd_days=28).best_overall_response.response is Response.SD
    only_early = assess_recist(scans[:2]).best_overall_response
    assert only_early.response is Response.NE
    assert only_early.date is None


# --- example case -------------------------------------------------------------------------


def test_mbc_001_imaging_series() -> None:
    """mbc-001 (examples/cases/mbc-001-hr-pos-first-line.yaml), worked by hand.

    Baseline CT 2024-11-10: target LN1 (node, short axis 22 mm >= 15: measurable), non-target
    B1 (bone, present). Baseline sum = 22 mm, no selection problems.

    2025-03-04 (114 days): LN1 12 mm. Sum 12 mm = (12 - 22) / 22 = -45.5 % vs baseline
    (>= 30 % decrease: PR; node 12 >= 10 mm so not CR). Nadir before = 22 mm, 12 < 22: not PD.
    B1 present: non-CR/non-PD. No new lesion. Overall PR.

    2025-09-02 (296 days): LN1 9 mm. Every target node < 10 mm and no non-nodal targets:
    target CR (sum 9 mm, -59.1 % vs baseline; nadir 12 mm, -3 mm). B1 present: non-CR/non-PD.
    Target CR + non-target non-CR/non-PD: overall PR.

    Best overall response: PR (2025-03-04). With confirmation: the PR is confirmed by the PR
    on 2025-09-02, 182 days (>= 28) later: confirmed PR.
    """
    case = load_case(EXAMPLES / "mbc-001-hr-pos-first-line.yaml")
    series = assess_recist(case.imaging)
    assert series.baseline_date == dt.date(2024, 11, 10)
    assert series.baseline_sum_mm == 22
    assert series.target_ids == ("LN1",)
    assert series.non_target_ids == ("B1",)
    assert series.problems == ()
    first, second = series.timepoints
    assert first.days_from_baseline == 114
    assert first.change_from_baseline_pct == pytest.approx(-45.45, abs=0.01)
    assert (first.target_response, first.non_target_response, first.overall_response) == (
        Response.PR,
        Response.NON_CR_NON_PD,
        Response.PR,
    )
    assert second.days_from_baseline == 296
    assert second.sum_mm == 9
    assert second.nadir_mm == 12
    assert second.change_from_nadir_mm == pytest.approx(-3.0)
    assert (second.target_response, second.non_target_response, second.overall_response) == (
        Response.CR,
        Response.NON_CR_NON_PD,
        Response.PR,
    )
    best = series.best_overall_response
    assert (best.response, best.date) == (Response.PR, dt.date(2025, 3, 4))
    confirmed = assess_recist(case.imaging, confirm=True).best_overall_response
    assert (confirmed.response, confirmed.confirmed) == (Response.PR, True)
    assert RECIST_EVIDENCE in first.evidence
    assert first.rule


def test_other_modality_without_targets_is_left_out_and_listed():
    """RECIST uses the same modality throughout (fact sheet §4 'Timing'): MBC-008's brain MRIs
    (RANO-BM territory) do not enter the body-CT RECIST series but are listed as skipped."""

    series = assess_recist(load_case(next(EXAMPLES.glob("mbc-008*"))).imaging)
    assert {t.modality.value for t in series.timepoints} == {"CT"}
    assert len(series.skipped) == 3
    assert all("MRI" in s and "no baseline target lesion" in s for s in series.skipped)


# --- too small to measure (RECIST 1.1: present but too small -> 5 mm; disappeared -> 0 mm) ---


def test_too_small_target_counts_five_mm_in_the_sum() -> None:
    """Baseline 20 + 10 = 30 mm; L2 faintly seen: 10 + 5 = 15 mm, -50 % -> PR."""
    series = _series(
        _scan(0, *_two_targets(20, 10), baseline=True),
        _scan(56, _les("L1", 10), _les("L2", site="lung", too_small_to_measure=True)),
    )
    (tp,) = series.timepoints
    assert tp.sum_mm == 15
    assert tp.change_from_baseline_pct == pytest.approx(-50.0)
    assert tp.target_response is Response.PR
    assert "target(s) L2 too small to measure: default 5 mm each in the sum (RECIST 1.1)" in (
        tp.reasons
    )


def test_too_small_non_nodal_target_is_not_cr_but_a_small_node_can_be() -> None:
    """A non-nodal target at 5 mm is not gone (PR, not CR); a node at the 5 mm default is
    < 10 mm short axis and so normal (Eisenhauer 2009: the default applies to nodes too)."""
    small = _series(
        _scan(0, _les("L1", 20), baseline=True),
        _scan(56, _les("L1", too_small_to_measure=True)),
    )
    assert small.timepoints[0].sum_mm == 5
    assert small.timepoints[0].target_response is Response.PR
    gone = _series(_scan(0, _les("L1", 20), baseline=True), _scan(56, _les("L1", 0)))
    assert gone.timepoints[0].target_response is Response.CR
    node = {"site": "lymph_node", "lymph_node": True}
    nodal = _series(
        _scan(0, _les("N1", 20, **node), baseline=True),
        _scan(56, _les("N1", too_small_to_measure=True, **node)),
    )
    assert nodal.timepoints[0].sum_mm == 5
    assert nodal.timepoints[0].target_response is Response.CR


def test_pd_threshold_uses_the_five_mm_nadir() -> None:
    """Baseline 30 + 20 = 50 mm. Day 56: L1 too small (5 mm), L2 0 mm -> nadir 5 mm. Day 112:
    L1 9 mm is +4 mm (+80 %) -> not PD (a 0 mm nadir would have made it +9 mm, PD). Day 168:
    L1 10 mm is +5 mm and +100 % -> PD."""
    series = _series(
        _scan(0, *_two_targets(30, 20), baseline=True),
        _scan(56, _les("L1", too_small_to_measure=True), _les("L2", 0, site="lung")),
        _scan(112, _les("L1", 9), _les("L2", 0, site="lung")),
        _scan(168, _les("L1", 10), _les("L2", 0, site="lung")),
    )
    first, second, third = series.timepoints
    assert (first.sum_mm, first.target_response) == (5, Response.PR)
    assert (second.nadir_mm, second.change_from_nadir_mm) == (5, 4)
    assert second.target_response is Response.PR
    assert "+20 % from nadir but only +4 mm (< 5 mm): not PD" in second.reasons
    assert (third.nadir_mm, third.change_from_nadir_mm) == (5, 5)
    assert third.overall_response is Response.PD


def test_too_small_conflicts_are_errors_naming_the_field() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="too_small_to_measure is true but size_mm is 4"):
        Lesion.model_validate(_les("L1", 4, too_small_to_measure=True))
    with pytest.raises(ValidationError, match="too_small_to_measure is true but status is"):
        Lesion.model_validate(_les("L1", too_small_to_measure=True, status="absent"))
    with pytest.raises(ValidationError, match="a target lesion needs size_mm"):
        Lesion.model_validate(_les("L1"))
    baseline = lesion_measurability(Lesion.model_validate(_les("L1", too_small_to_measure=True)))
    assert (baseline.measurable, baseline.note) == (False, "too small to measure")


def test_irecist_sums_too_small_targets_at_five_mm() -> None:
    from oncoboard.monitoring.irecist import assess_irecist

    series = assess_irecist(
        [
            _scan(0, *_two_targets(20, 10), baseline=True),
            _scan(56, _les("L1", 10), _les("L2", site="lung", too_small_to_measure=True)),
        ]
    )
    assert series.timepoints[0].target_sum_mm == 15


def test_demo_mbc_007_too_small_target() -> None:
    """MBC-007 on 2026-05-11: H1 19 mm, H2 faintly seen (too small: 5 mm), LN1 9 mm ->
    33 mm vs baseline 94 mm (-64.9 %): PR, not CR (a non-nodal target remains)."""
    series = assess_recist(load_case(EXAMPLES / "mbc-007-her2-pos-first-line-tdxd.yaml").imaging)
    last = series.timepoints[-1]
    assert (last.date, last.sum_mm) == (dt.date(2026, 5, 11), 33)
    assert last.change_from_baseline_pct == pytest.approx(100 * (33 - 94) / 94)
    assert last.target_response is Response.PR
    assert any(r.startswith("target(s) H2 too small to measure") for r in last.reasons)
