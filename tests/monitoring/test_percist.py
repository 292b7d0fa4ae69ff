"""PERCIST 1.0 engine: worked examples from the fact sheet section 4 rules
(Wahl J Nucl Med 2009;50:122S; O JH et al. Radiology 2016, PMC4976461)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncoboard.errors import CaseFileError
from oncoboard.io import load_case
from oncoboard.model import ImagingAssessment
from oncoboard.monitoring.percist import (
    PERCIST_UNCHECKED,
    MetabolicResponse,
    assess_percist,
    percist_threshold,
)
from tests.conftest import EXAMPLES

BASE = dt.date(2025, 1, 1)
# Low liver reference so that every baseline below is measurable: 1.5 x 1.0 + 2 x 0.1 = 1.7.
LOW = {"liver_mean_sul": 1.0, "liver_sd_sul": 0.1}


def _les(lid: str, sul: float | None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": lid, "site": kw.pop("site", "liver"), "role": "non_target"}
    out["status"] = kw.pop("status", "present")
    if sul is not None:
        out["sul_peak"] = sul
    out.update(kw)
    return out


def _pet(day: int, *lesions: dict[str, Any], modality: str = "PET-CT") -> ImagingAssessment:
    return ImagingAssessment.model_validate(
        {"date": BASE + dt.timedelta(days=day), "modality": modality, "lesions": list(lesions)}
    )


def test_threshold_liver_and_blood_pool() -> None:
    threshold, ref = percist_threshold(liver_mean_sul=2.0, liver_sd_sul=0.3)
    assert threshold == pytest.approx(3.6)
    assert ref == "liver"
    threshold, ref = percist_threshold(
        liver_mean_sul=None, liver_sd_sul=None, blood_pool_mean_sul=1.5, blood_pool_sd=0.2
    )
    assert threshold == pytest.approx(3.4)
    assert ref == "blood_pool"
    assert percist_threshold(liver_mean_sul=2.0, liver_sd_sul=None) == (None, None)


def test_measurable_at_exactly_threshold_and_not_below() -> None:
    fu = _pet(60, _les("A", 3.6))
    at = assess_percist(_pet(0, _les("A", 3.6)), fu, liver_mean_sul=2.0, liver_sd_sul=0.3)
    assert at.baseline_measurable is True
    below = assess_percist(_pet(0, _les("A", 3.5)), fu, liver_mean_sul=2.0, liver_sd_sul=0.3)
    assert below.baseline_measurable is False
    assert below.response is MetabolicResponse.NE


def test_missing_liver_reference_is_never_assumed_measurable() -> None:
    res = assess_percist(
        _pet(0, _les("A", 6.4)), _pet(60, _les("A", 2.9)), liver_mean_sul=None, liver_sd_sul=None
    )
    assert res.threshold_sul is None
    assert res.baseline_measurable is None
    assert res.response is MetabolicResponse.NE
    assert res.provisional_response is MetabolicResponse.PMR
    assert any("threshold unknown" in r for r in res.reasons)


def test_pmr_at_exactly_30_percent_and_0_8_units() -> None:
    base = 0.8 / 0.3  # 2.667 -> 1.867: -30% and -0.8 SUL
    res = assess_percist(_pet(0, _les("A", base)), _pet(60, _les("A", base - 0.8)), **LOW)
    assert res.change_pct == pytest.approx(-30.0)
    assert res.response is MetabolicResponse.PMR


def test_not_pmr_at_30_percent_with_0_7_units() -> None:
    base = 0.7 / 0.3  # 2.333 -> 1.633: -30% but only -0.7 SUL
    res = assess_percist(_pet(0, _les("A", base)), _pet(60, _les("A", base - 0.7)), **LOW)
    assert res.change_pct == pytest.approx(-30.0)
    assert res.response is MetabolicResponse.SMD


def test_not_pmr_at_29_percent_with_large_units() -> None:
    res = assess_percist(_pet(0, _les("A", 10.0)), _pet(60, _les("A", 7.1)), **LOW)
    assert res.response is MetabolicResponse.SMD


def test_pmd_by_sul_increase_boundary() -> None:
    base = 0.8 / 0.3
    res = assess_percist(_pet(0, _les("A", base)), _pet(60, _les("A", base + 0.8)), **LOW)
    assert res.response is MetabolicResponse.PMD
    res = assess_percist(_pet(0, _les("A", 0.7 / 0.3)), _pet(60, _les("A", 0.7 / 0.3 + 0.7)), **LOW)
    assert res.response is MetabolicResponse.SMD


def test_hottest_lesion_need_not_be_the_same() -> None:
    res = assess_percist(
        _pet(0, _les("A", 6.0), _les("B", 3.0)), _pet(60, _les("A", 2.0), _les("B", 4.0)), **LOW
    )
    assert res.baseline_hottest_lesion == "A"
    assert res.follow_up_hottest_lesion == "B"
    assert res.change_sul == pytest.approx(-2.0)
    assert res.response is MetabolicResponse.PMR


def test_pmd_by_new_lesion_even_with_sul_decrease_and_unknown_threshold() -> None:
    fu = _pet(60, _les("A", 2.0), _les("N1", 2.5, role="new"))
    res = assess_percist(_pet(0, _les("A", 6.0)), fu, liver_mean_sul=None, liver_sd_sul=None)
    assert res.new_lesions == ("N1",)
    assert res.response is MetabolicResponse.PMD


def test_absent_new_lesion_is_not_pmd() -> None:
    fu = _pet(60, _les("A", 5.8), _les("N1", None, role="new", status="absent"))
    res = assess_percist(_pet(0, _les("A", 6.0)), fu, **LOW)
    assert res.response is MetabolicResponse.SMD


def test_tlg_above_75_percent_is_pmd_but_not_at_75() -> None:
    base, fu = _pet(0, _les("A", 6.0)), _pet(60, _les("A", 6.2))
    assert assess_percist(base, fu, tlg_change_pct=76.0, **LOW).response is MetabolicResponse.PMD
    assert assess_percist(base, fu, tlg_change_pct=75.0, **LOW).response is MetabolicResponse.SMD


def test_cmr_needs_background_and_no_new_lesions() -> None:
    base = _pet(0, _les("A", 6.0), _les("B", 4.0))
    fu = _pet(60, _les("A", 1.4), _les("B", None, status="absent"))
    kw: dict[str, Any] = {
        "liver_mean_sul": 2.0,
        "liver_sd_sul": 0.3,
        "follow_up_liver_mean_sul": 2.1,
    }
    res = assess_percist(base, fu, blood_pool_mean_sul=1.5, blood_pool_sd=0.2, **kw)
    assert res.response is MetabolicResponse.CMR
    # Without the blood-pool level a residual uptake below liver cannot be called background.
    res = assess_percist(base, fu, **kw)
    assert res.response is MetabolicResponse.PMR
    assert any("CMR cannot be confirmed" in r for r in res.reasons)
    # Above blood pool: not CMR.
    res = assess_percist(base, fu, blood_pool_mean_sul=1.2, blood_pool_sd=0.2, **kw)
    assert res.response is MetabolicResponse.PMR


def test_liver_qc_note_at_20_percent_or_0_3_units() -> None:
    base, fu = _pet(0, _les("A", 6.0)), _pet(60, _les("A", 6.0))
    kw: dict[str, Any] = {"liver_mean_sul": 2.0, "liver_sd_sul": 0.3}
    ok = assess_percist(base, fu, follow_up_liver_mean_sul=2.25, **kw)
    assert ok.qc_notes == ()
    units = assess_percist(base, fu, follow_up_liver_mean_sul=2.3, **kw)
    assert any("liver mean SUL differs" in n for n in units.qc_notes)
    pct = assess_percist(
        base, fu, liver_mean_sul=1.0, liver_sd_sul=0.1, follow_up_liver_mean_sul=1.2
    )
    assert any("liver mean SUL differs" in n for n in pct.qc_notes)


def test_unverified_facts_are_cited_as_such() -> None:
    res = assess_percist(_pet(0, _les("A", 6.0)), _pet(60, _les("A", 6.0)), **LOW)
    assert PERCIST_UNCHECKED in res.evidence
    assert PERCIST_UNCHECKED.verified is False
    assert any(e.verified for e in res.evidence)


def test_errors() -> None:
    with pytest.raises(CaseFileError, match="PET-CT"):
        assess_percist(_pet(0, _les("A", 6.0), modality="CT"), _pet(60, _les("A", 6.0)), **LOW)
    with pytest.raises(CaseFileError, match="not after"):
        assess_percist(_pet(60, _les("A", 6.0)), _pet(0, _les("A", 6.0)), **LOW)
    with pytest.raises(CaseFileError, match="sul_peak"):
        assess_percist(_pet(0, _les("A", None)), _pet(60, _les("A", 6.0)), **LOW)


def test_demo_case_mbc_014() -> None:
    """mbc-014 (examples/cases/mbc-014-her2-ultralow-third-line.json), worked by hand.

    The file carries SULpeak but no liver or blood-pool reference. Hottest lesions:
    2024-06-10 H1 6.4; 2024-10-14 H1 2.9; 2025-01-13 H1 3.5; 2025-03-24 H1 7.2 plus new NL1, NL2.

    * Without a reference: threshold unknown, so 2024-10-14 is NE with provisional PMR
      (6.4 -> 2.9 = -3.5 SUL, -54.7%).
    * With an assumed liver 2.0 +/- 0.3: threshold 1.5 x 2.0 + 2 x 0.3 = 3.6 <= 6.4, measurable.
      2024-10-14: PMR (H1 2.9 is not below liver 2.0, so not CMR). 2025-01-13: 3.5 vs 6.4 =
      -2.9 SUL, -45.3% -> PMR. 2025-03-24: new NL1, NL2 -> PMD (even with the threshold unknown);
      vs the 2025-01-13 scan 3.5 -> 7.2 = +3.7 SUL, +105.7% -> PMD.
    """
    scans = sorted(load_case(EXAMPLES / "mbc-014-her2-ultralow-third-line.json").imaging,
                   key=lambda a: a.date)  # fmt: skip
    pets = [s for s in scans if s.modality.value == "PET-CT"]
    assert len(pets) == 4
    base = pets[0]
    unknown = assess_percist(base, pets[1], liver_mean_sul=None, liver_sd_sul=None)
    assert unknown.response is MetabolicResponse.NE
    assert unknown.provisional_response is MetabolicResponse.PMR
    assert unknown.change_sul == pytest.approx(-3.5)
    assert unknown.change_pct == pytest.approx(-54.6875)
    liver: dict[str, Any] = {"liver_mean_sul": 2.0, "liver_sd_sul": 0.3}
    r1 = assess_percist(base, pets[1], **liver)
    assert r1.threshold_sul == pytest.approx(3.6)
    assert r1.response is MetabolicResponse.PMR
    r2 = assess_percist(base, pets[2], **liver)
    assert r2.change_pct == pytest.approx(-45.3125)
    assert r2.response is MetabolicResponse.PMR
    r3 = assess_percist(base, pets[3], liver_mean_sul=None, liver_sd_sul=None)
    assert r3.new_lesions == ("NL1", "NL2")
    assert r3.response is MetabolicResponse.PMD
    r4 = assess_percist(pets[2], pets[3], **liver)
    assert r4.change_sul == pytest.approx(3.7)
    assert r4.response is MetabolicResponse.PMD
