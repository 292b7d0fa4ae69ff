"""RANO-BM engine: worked examples from the fact sheet section 4 rules
(Lin Lancet Oncol 2015;16:e270, PMID 26065612)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncoboard.errors import CaseFileError
from oncoboard.io import load_case
from oncoboard.model import ImagingAssessment
from oncoboard.monitoring.rano_bm import RANO_BM_EVIDENCE, RanoBmResponse, assess_rano_bm
from tests.conftest import EXAMPLES

BASE = dt.date(2025, 1, 1)


def _day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def _les(lid: str, size: float | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lid, "site": kw.pop("site", "brain"), "role": "target"}
    if size is not None:
        out["size_mm"] = size
    out.update(kw)
    return out


def _mri(day: int, *lesions: dict[str, Any], baseline: bool = False) -> ImagingAssessment:
    return ImagingAssessment.model_validate(
        {"date": _day(day), "modality": "MRI", "baseline": baseline, "lesions": list(lesions)}
    )


def _ok(*days: int, steroids: str = "stable") -> dict[str, Any]:
    return {
        "steroids": dict.fromkeys(map(_day, days), steroids),
        "clinical": dict.fromkeys(map(_day, days), "stable"),
    }


def test_9_mm_is_not_measurable() -> None:
    series = assess_rano_bm([_mri(0, _les("A", 20), _les("B", 9)), _mri(60, _les("A", 20))])
    assert series.target_ids == ("A",)
    assert series.non_target_ids == ("B",)
    assert series.baseline_sum_mm == 20
    assert any("B" in p and "not measurable" in p for p in series.problems)


def test_10_mm_is_measurable_and_leptomeningeal_is_not() -> None:
    lepto = _les("LM", 15, site="leptomeningeal")
    series = assess_rano_bm([_mri(0, _les("A", 10), lepto), _mri(60, _les("A", 10))])
    assert series.target_ids == ("A",)
    assert series.non_target_ids == ("LM",)


def test_at_most_five_targets() -> None:
    lesions = [_les(f"T{i}", 10 + i) for i in range(6)]
    series = assess_rano_bm([_mri(0, *lesions), _mri(60, *lesions)])
    assert len(series.target_ids) == 5
    assert "T0" not in series.target_ids
    assert series.non_target_ids == ("T0",)


def test_pr_at_minus_30_percent_with_stable_steroids() -> None:
    scans = [_mri(0, _les("A", 20), _les("B", 10)), _mri(60, _les("A", 14), _les("B", 7))]
    point = assess_rano_bm(scans, **_ok(60)).timepoints[0]
    assert point.change_from_baseline_pct == pytest.approx(-30.0)
    assert point.response is RanoBmResponse.PR


def test_not_pr_at_minus_29_percent() -> None:
    scans = [_mri(0, _les("A", 100)), _mri(60, _les("A", 71))]
    assert assess_rano_bm(scans, **_ok(60)).timepoints[0].response is RanoBmResponse.SD


def test_pr_downgraded_with_increased_steroids_which_alone_is_not_pd() -> None:
    scans = [_mri(0, _les("A", 20), _les("B", 10)), _mri(60, _les("A", 14), _les("B", 7))]
    point = assess_rano_bm(scans, **_ok(60, steroids="increased")).timepoints[0]
    assert point.radiological_response is RanoBmResponse.PR
    assert point.response is RanoBmResponse.SD
    assert any("increased" in r for r in point.reasons)


def test_unknown_steroids_or_clinical_status_cannot_confirm_pr() -> None:
    scans = [_mri(0, _les("A", 20)), _mri(60, _les("A", 10))]
    point = assess_rano_bm(scans).timepoints[0]
    assert point.response is RanoBmResponse.SD
    assert any("corticosteroid status unknown" in r for r in point.reasons)
    assert any("clinical status unknown" in r for r in point.reasons)


def test_pd_at_20_percent_from_nadir_not_baseline() -> None:
    scans = [
        _mri(0, _les("A", 30)),
        _mri(60, _les("A", 20)),
        _mri(120, _les("A", 24)),  # +20% vs nadir 20 mm, still -20% vs baseline
    ]
    series = assess_rano_bm(scans, **_ok(60, 120))
    last = series.timepoints[-1]
    assert last.nadir_mm == 20
    assert last.change_from_nadir_pct == pytest.approx(20.0)
    assert last.response is RanoBmResponse.PD


def test_19_percent_from_nadir_is_not_pd() -> None:
    scans = [_mri(0, _les("A", 100)), _mri(60, _les("A", 119))]
    assert assess_rano_bm(scans, **_ok(60)).timepoints[0].response is RanoBmResponse.SD


def test_cr_needs_no_steroids() -> None:
    scans = [
        _mri(0, _les("A", 20), _les("N", 5, role="non_target", status="present")),
        _mri(60, _les("A", 0), _les("N", role="non_target", status="absent")),
    ]
    cr = assess_rano_bm(scans, **_ok(60, steroids="none")).timepoints[0]
    assert cr.response is RanoBmResponse.CR
    on_steroids = assess_rano_bm(scans, **_ok(60, steroids="decreased")).timepoints[0]
    assert on_steroids.radiological_response is RanoBmResponse.CR
    assert on_steroids.response is RanoBmResponse.PR


def test_clinical_worsening_alone_is_pd() -> None:
    scans = [_mri(0, _les("A", 20)), _mri(60, _les("A", 10))]
    point = assess_rano_bm(
        scans, steroids={_day(60): "stable"}, clinical={_day(60): "worse"}
    ).timepoints[0]
    assert point.radiological_response is RanoBmResponse.PR
    assert point.response is RanoBmResponse.PD


def test_new_lesion_and_non_target_progression_are_pd() -> None:
    base = _mri(0, _les("A", 20), _les("N", 5, role="non_target", status="present"))
    new = _mri(60, _les("A", 20), _les("N", 5, role="non_target"), _les("X", 4, role="new"))
    assert assess_rano_bm([base, new], **_ok(60)).timepoints[0].response is RanoBmResponse.PD
    nt = _mri(60, _les("A", 20), _les("N", role="non_target", status="unequivocal_progression"))
    assert assess_rano_bm([base, nt], **_ok(60)).timepoints[0].response is RanoBmResponse.PD


def test_best_response_and_skipped_body_ct() -> None:
    ct = ImagingAssessment.model_validate(
        {"date": _day(61), "modality": "CT", "lesions": [_les("L1", 20, site="lung")]}
    )
    scans = [_mri(0, _les("A", 20)), _mri(60, _les("A", 12)), ct, _mri(120, _les("A", 16))]
    series = assess_rano_bm(scans, **_ok(60, 120))
    assert [p.response for p in series.timepoints] == [RanoBmResponse.PR, RanoBmResponse.PD]
    assert series.best_response is RanoBmResponse.PR
    assert series.best_response_date == _day(60)
    assert len(series.skipped) == 1
    assert RANO_BM_EVIDENCE in series.evidence


def test_errors() -> None:
    with pytest.raises(CaseFileError, match="brain"):
        assess_rano_bm([])
    with pytest.raises(CaseFileError, match="steroids"):
        assess_rano_bm([_mri(0, _les("A", 20))], steroids={_day(0): "high"})


def test_demo_case_mbc_008() -> None:
    """mbc-008 (examples/cases/mbc-008-her2-pos-brain-tucatinib.yaml), worked by hand.

    Brain MRI baseline 2025-02-10: BR1 18 mm and BR2 12 mm targets (sum 30 mm), BR3 7 mm
    non-target. CT studies have no brain lesions and are skipped.

    * 2025-05-12: 10 + 6 = 16 mm, -46.7% vs baseline, BR3 present -> radiological PR.
    * 2025-08-11: 8 + 4 = 12 mm, -60%, BR3 absent but targets remain -> radiological PR.
    * 2025-11-03: 12 mm (0% vs nadir 12 mm) but new BR4 -> PD.

    The file has no per-study steroid or neurological status, so without them each PR is
    reported as SD (best SD). Dexamethasone was stopped on 2025-03-31 (medications), so
    steroids are ``none`` at each follow-up; with clinical status ``stable`` the responses are
    PR, PR, PD and the best response is PR (CR is not reached: BR1/BR2 persist).
    """
    imaging = load_case(EXAMPLES / "mbc-008-her2-pos-brain-tucatinib.yaml").imaging
    unknown = assess_rano_bm(imaging)
    assert unknown.baseline_date == dt.date(2025, 2, 10)
    assert unknown.target_ids == ("BR1", "BR2")
    assert unknown.non_target_ids == ("BR3",)
    assert unknown.baseline_sum_mm == 30
    assert len(unknown.skipped) == 4
    assert [p.sum_mm for p in unknown.timepoints] == [16, 12, 12]
    assert [p.radiological_response for p in unknown.timepoints] == [
        RanoBmResponse.PR,
        RanoBmResponse.PR,
        RanoBmResponse.PD,
    ]
    assert [p.response for p in unknown.timepoints] == [
        RanoBmResponse.SD,
        RanoBmResponse.SD,
        RanoBmResponse.PD,
    ]
    assert unknown.best_response is RanoBmResponse.SD
    assert unknown.timepoints[-1].new_lesions == ("BR4",)

    days = [dt.date(2025, 5, 12), dt.date(2025, 8, 11), dt.date(2025, 11, 3)]
    known = assess_rano_bm(
        imaging,
        steroids=dict.fromkeys(days, "none"),
        clinical=dict.fromkeys(days, "stable"),
    )
    assert [p.response for p in known.timepoints] == [
        RanoBmResponse.PR,
        RanoBmResponse.PR,
        RanoBmResponse.PD,
    ]
    assert known.best_response is RanoBmResponse.PR
    assert known.best_response_date == dt.date(2025, 5, 12)
