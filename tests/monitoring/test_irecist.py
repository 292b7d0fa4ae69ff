"""iRECIST engine: worked examples from the fact sheet section 4 rules
(Seymour Lancet Oncol 2017;18:e143)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncoboard.model import ImagingAssessment
from oncoboard.monitoring.irecist import (
    IRECIST_EVIDENCE,
    IRecistResponse,
    IRecistSeries,
    assess_irecist,
)
from oncoboard.monitoring.recist import Response

BASE = dt.date(2025, 1, 1)
R = IRecistResponse


def _les(lid: str, size: float | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lid, "site": kw.pop("site", "liver"), "role": "target"}
    if size is not None:
        out["size_mm"] = size
    out.update(kw)
    return out


def _new(lid: str, size: float | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("site", "lung")
    kw.setdefault("status", "present")
    return _les(lid, size, role="new", **kw)


def _scan(day: int, *lesions: dict[str, Any], baseline: bool = False) -> ImagingAssessment:
    return ImagingAssessment.model_validate(
        {
            "date": BASE + dt.timedelta(days=day),
            "modality": "CT",
            "baseline": baseline,
            "lesions": list(lesions),
        }
    )


def _run(*scans: ImagingAssessment, **kw: Any) -> IRecistSeries:
    return assess_irecist(scans, **kw)


def _calls(series: IRecistSeries) -> list[IRecistResponse]:
    return [tp.irecist_response for tp in series.timepoints]


BASELINE = _scan(0, _les("L1", 50), baseline=True)  # sum 50; RECIST PD at >= 60 mm


def test_first_recist_pd_is_iupd() -> None:
    series = _run(BASELINE, _scan(28, _les("L1", 45)), _scan(56, _les("L1", 62)))
    first, second = series.timepoints
    assert (first.recist_response, first.irecist_response) == (Response.SD, R.ISD)
    assert (second.recist_response, second.irecist_response) == (Response.PD, R.IUPD)
    assert any("iUPD" in r for r in second.reasons)
    assert second.evidence == (IRECIST_EVIDENCE,)
    assert IRECIST_EVIDENCE.id == "Seymour L et al. Lancet Oncol 2017;18:e143"
    assert IRECIST_EVIDENCE.verified is True
    assert IRECIST_EVIDENCE.source.value == "publication"
    assert "28-56 days" in second.rule


def test_confirmed_by_further_5_mm() -> None:
    series = _run(BASELINE, _scan(56, _les("L1", 62)), _scan(98, _les("L1", 67)))
    assert _calls(series) == [R.IUPD, R.ICPD]
    confirm = series.timepoints[1]
    assert confirm.days_from_iupd == 42
    assert any("+5 mm since iUPD" in r for r in confirm.reasons)
    assert series.best_overall_response.response is R.ICPD


def test_not_confirmed_by_4_mm() -> None:
    series = _run(BASELINE, _scan(56, _les("L1", 62)), _scan(98, _les("L1", 66)))
    assert _calls(series) == [R.IUPD, R.IUPD]
    assert series.timepoints[1].recist_response is Response.PD
    assert series.best_overall_response.response is R.IUPD


def test_increases_accumulate_4_then_2_mm() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 62)),
        _scan(98, _les("L1", 66)),
        _scan(140, _les("L1", 68)),
    )
    assert _calls(series) == [R.IUPD, R.IUPD, R.ICPD]
    assert any("+6 mm since iUPD" in r for r in series.timepoints[2].reasons)


def test_additional_new_lesion_confirms() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 50), _new("N1", 12)),
        _scan(98, _les("L1", 50), _new("N1", 12), _new("N2", 6, site="bone")),
    )
    assert _calls(series) == [R.IUPD, R.ICPD]
    assert any("N2" in r for r in series.timepoints[1].reasons)


def test_new_lesion_target_growth_confirms_at_5_mm_only() -> None:
    iupd = _scan(56, _les("L1", 50), _new("N1", 12))
    grew4 = _run(BASELINE, iupd, _scan(98, _les("L1", 50), _new("N1", 16)))
    grew5 = _run(BASELINE, iupd, _scan(98, _les("L1", 50), _new("N1", 17)))
    assert _calls(grew4) == [R.IUPD, R.IUPD]
    assert _calls(grew5) == [R.IUPD, R.ICPD]
    assert grew5.timepoints[1].new_lesion_target_sum_mm == 17


def test_new_non_target_growth_confirms() -> None:
    """A new lesion < 10 mm is a new-lesion non-target; any growth confirms."""
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 50), _new("N1", 6)),
        _scan(98, _les("L1", 50), _new("N1", 7)),
    )
    assert series.timepoints[0].new_lesion_non_target_ids == ("N1",)
    assert series.timepoints[0].new_lesion_target_ids == ()
    assert _calls(series) == [R.IUPD, R.ICPD]


def test_non_target_progression_after_target_iupd_confirms() -> None:
    base = _scan(0, _les("L1", 50), _les("B1", site="bone", role="non_target"), baseline=True)
    bone = {"site": "bone", "role": "non_target"}
    series = _run(
        base,
        _scan(56, _les("L1", 62), _les("B1", **bone, status="present")),
        _scan(98, _les("L1", 62), _les("B1", **bone, status="unequivocal_progression")),
    )
    assert _calls(series) == [R.IUPD, R.ICPD]
    assert any("non-target disease increased" in r for r in series.timepoints[1].reasons)


def test_response_after_iupd_resets_the_bar() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 62)),
        _scan(98, _les("L1", 40)),  # -20 % from baseline: iSD, bar resets
        _scan(140, _les("L1", 70)),  # +8 mm over the old iUPD sum, but a new iUPD
        _scan(182, _les("L1", 75)),  # +5 mm over the new iUPD sum
    )
    assert _calls(series) == [R.IUPD, R.ISD, R.IUPD, R.ICPD]
    assert any("resets" in r for r in series.timepoints[1].reasons)
    assert series.best_overall_response.response is R.ISD


def test_response_after_iupd_with_new_lesion_gone_resets() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 30), _new("N1", 12)),
        _scan(98, _les("L1", 30), _new("N1", status="absent")),
    )
    assert _calls(series) == [R.IUPD, R.IPR]
    assert series.best_overall_response.response is R.IPR


def test_new_lesion_persisting_without_growth_remains_iupd() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 30), _new("N1", 12)),
        _scan(98, _les("L1", 30), _new("N1", 12)),
    )
    assert _calls(series) == [R.IUPD, R.IUPD]


def test_not_evaluable_after_iupd_does_not_reset() -> None:
    base = _scan(0, _les("L1", 50), _les("L2", 30, site="lung"), baseline=True)
    series = _run(
        base,
        _scan(56, _les("L1", 62), _les("L2", 35, site="lung")),
        _scan(98, _les("L1", 40)),  # L2 not assessed: NE, still iUPD
        _scan(140, _les("L1", 63), _les("L2", 39, site="lung")),  # +5 mm since iUPD
    )
    assert series.timepoints[1].recist_response is Response.NE
    assert _calls(series) == [R.IUPD, R.IUPD, R.ICPD]


def test_scan_three_weeks_after_iupd_is_ignored() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 62)),
        _scan(77, _les("L1", 70)),  # 21 days: +8 mm does not count
        _scan(98, _les("L1", 66)),  # 42 days: +4 mm, not confirmed
    )
    assert _calls(series) == [R.IUPD, R.IUPD, R.IUPD]
    assert series.timepoints[1].days_from_iupd == 21
    assert any("does not count" in r for r in series.timepoints[1].reasons)


def test_scan_three_weeks_after_iupd_counts_with_new_lesion() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 62)),
        _scan(77, _les("L1", 62), _new("N1", 15)),
    )
    assert _calls(series) == [R.IUPD, R.ICPD]


def test_new_lesions_not_added_to_the_sum() -> None:
    series = _run(BASELINE, _scan(56, _les("L1", 50), _new("N1", 20), _new("N2", 11)))
    point = series.timepoints[0]
    assert point.target_sum_mm == 50
    assert point.recist_response is Response.PD
    assert point.irecist_response is R.IUPD
    assert point.new_lesion_target_ids == ("N1", "N2")
    assert point.new_lesion_target_sum_mm == 31


def test_new_lesion_targets_capped_two_per_organ() -> None:
    lesions = [_new(f"N{i}", 20 + i) for i in range(3)]
    point = _run(BASELINE, _scan(56, _les("L1", 50), *lesions)).timepoints[0]
    assert point.new_lesion_target_ids == ("N2", "N1")
    assert point.new_lesion_non_target_ids == ("N0",)


def test_icpd_is_final() -> None:
    series = _run(
        BASELINE,
        _scan(56, _les("L1", 62)),
        _scan(98, _les("L1", 70)),
        _scan(140, _les("L1", 30)),
    )
    assert _calls(series) == [R.IUPD, R.ICPD, R.ICPD]


def test_invalid_window() -> None:
    with pytest.raises(ValueError, match="confirm_window"):
        _run(BASELINE, _scan(56, _les("L1", 62)), confirm_window=(56, 28))
