"""HR and HER2 status per ASCO/CAP 2018/2020/2023 (reference values from the guideline text)."""

from __future__ import annotations

from typing import Any

import pytest

from oncoboard.derive import (
    HER2Category,
    ReceptorCall,
    her2_status,
    hormone_receptor_status,
    ish_group,
)


def _ihc(score: str, date: str = "2024-01-10", specimen: str = "metastasis") -> dict[str, Any]:
    return {
        "receptor": "HER2",
        "method": "IHC",
        "ihc_score": score,
        "date": date,
        "specimen": specimen,
    }


def _ish(date: str = "2024-01-12", specimen: str = "metastasis", **result: Any) -> dict[str, Any]:
    return {"receptor": "HER2", "method": "FISH", "date": date, "specimen": specimen, **result}


def _hr(receptor: str, percent: float, date: str = "2024-01-10") -> dict[str, Any]:
    return {"receptor": receptor, "percent": percent, "date": date}


@pytest.mark.parametrize(
    ("percent", "call"),
    [
        (0, ReceptorCall.NEGATIVE),
        (0.5, ReceptorCall.NEGATIVE),
        (1, ReceptorCall.LOW_POSITIVE),
        (10, ReceptorCall.LOW_POSITIVE),
        (11, ReceptorCall.POSITIVE),
        (95, ReceptorCall.POSITIVE),
    ],
)
def test_er_thresholds_follow_asco_cap_2020(make_case, percent, call):
    status = hormone_receptor_status(make_case(receptors=[_hr("ER", percent), _hr("PR", 0)]))
    assert status.er is call
    assert status.er_low is (call is ReceptorCall.LOW_POSITIVE)


def test_pr_has_no_low_category(make_case):
    status = hormone_receptor_status(make_case(receptors=[_hr("PR", 5)]))
    assert status.pr is ReceptorCall.POSITIVE


def test_untested_receptors_are_not_negative(make_case):
    status = hormone_receptor_status(make_case())
    assert status.er is ReceptorCall.NOT_TESTED
    assert status.pr is ReceptorCall.NOT_TESTED
    assert status.hr_positive is None


def test_hr_status_needs_both_receptors_to_be_negative(make_case):
    only_er = hormone_receptor_status(make_case(receptors=[_hr("ER", 0)]))
    both = hormone_receptor_status(make_case(receptors=[_hr("ER", 0), _hr("PR", 0)]))
    pr_only = hormone_receptor_status(make_case(receptors=[_hr("ER", 0), _hr("PR", 30)]))
    assert only_er.hr_positive is None
    assert both.hr_positive is False
    assert pr_only.hr_positive is True


def test_latest_er_result_is_current(make_case):
    case = make_case(receptors=[_hr("ER", 90, "2019-01-01"), _hr("ER", 0, "2024-05-01")])
    status = hormone_receptor_status(case)
    assert status.er is ReceptorCall.NEGATIVE
    assert status.er_percent == 0


def test_interpretation_without_percent(make_case):
    case = make_case(
        receptors=[{"receptor": "ER", "interpretation": "positive", "date": "2024-01-01"}]
    )
    assert hormone_receptor_status(case).er is ReceptorCall.POSITIVE


@pytest.mark.parametrize(
    ("tests", "category"),
    [
        ([_ihc("3+")], HER2Category.POSITIVE),
        ([_ihc("2+")], HER2Category.EQUIVOCAL),
        ([_ihc("2+"), _ish(ish_result="amplified")], HER2Category.POSITIVE),
        ([_ihc("2+"), _ish(ish_result="not_amplified")], HER2Category.LOW),
        ([_ihc("1+")], HER2Category.LOW),
        ([_ihc("0+membrane")], HER2Category.ULTRALOW),
        ([_ihc("0")], HER2Category.NULL),
        ([_ish(ish_result="amplified")], HER2Category.POSITIVE),
        ([_ish(ish_result="not_amplified")], HER2Category.NEGATIVE_IHC_UNKNOWN),
        ([], HER2Category.NOT_TESTED),
    ],
)
def test_her2_category(make_case, tests, category):
    assert her2_status(make_case(receptors=tests)).category is category


@pytest.mark.parametrize(
    ("ratio", "copies", "group"),
    [
        (2.0, 4.0, 1),
        (3.5, 9.0, 1),
        (2.2, 3.9, 2),
        (1.8, 6.0, 3),
        (1.5, 4.0, 4),
        (1.9, 5.9, 4),
        (1.2, 2.1, 5),
    ],
)
def test_ish_groups_follow_asco_cap_2018(ratio, copies, group):
    assert ish_group(ratio, copies) == group


# ASCO/CAP 2018 dual-probe ISH groups 2-4 resolved with the concurrent IHC score.
@pytest.mark.parametrize(
    ("ihc", "ratio", "copies", "category"),
    [
        ("2+", 2.5, 5.0, HER2Category.POSITIVE),  # group 1
        ("2+", 1.3, 2.5, HER2Category.LOW),  # group 5
        ("3+", 2.3, 3.5, HER2Category.POSITIVE),  # group 2 with IHC 3+
        ("2+", 2.3, 3.5, HER2Category.LOW),  # group 2 with IHC 2+: negative
        ("2+", 1.6, 6.5, HER2Category.POSITIVE),  # group 3 with IHC 2+: positive
        ("1+", 1.6, 6.5, HER2Category.LOW),  # group 3 with IHC 1+: negative
        ("2+", 1.7, 4.8, HER2Category.LOW),  # group 4 with IHC 2+: negative
        ("0", 1.7, 4.8, HER2Category.NULL),  # group 4 with IHC 0: negative
    ],
)
def test_ish_groups_with_concurrent_ihc(make_case, ihc, ratio, copies, category):
    tests = [_ihc(ihc), _ish(ish_ratio=ratio, her2_copies_per_cell=copies)]
    status = her2_status(make_case(receptors=tests))
    assert status.category is category
    assert status.ish_group == ish_group(ratio, copies)


def test_ish_group_3_without_ihc_stays_equivocal(make_case):
    status = her2_status(make_case(receptors=[_ish(ish_ratio=1.6, her2_copies_per_cell=6.5)]))
    assert status.category is HER2Category.EQUIVOCAL


def test_latest_specimen_wins_and_history_is_kept(make_case):
    tests = [_ihc("3+", "2018-03-01", "primary"), _ihc("1+", "2024-02-01", "metastasis")]
    status = her2_status(make_case(receptors=tests))
    assert status.category is HER2Category.LOW
    assert status.history == ((status.history[0][0], HER2Category.POSITIVE),)
    assert status.discordant_history


def test_ish_is_reflex_only_within_window_and_specimen(make_case):
    late_ish = [_ihc("2+", "2024-01-10"), _ish("2024-06-01", ish_result="not_amplified")]
    status = her2_status(make_case(receptors=late_ish))
    # the ISH 5 months later is its own, later specimen event: HER2-negative, IHC unknown
    assert status.category is HER2Category.NEGATIVE_IHC_UNKNOWN
    assert status.history[0][1] is HER2Category.EQUIVOCAL
    other_specimen = [_ihc("2+", specimen="primary"), _ish(ish_result="amplified")]
    assert her2_status(make_case(receptors=other_specimen)).ihc_score is None


def test_her2_status_cites_its_guidelines(make_case):
    status = her2_status(make_case(receptors=[_ihc("1+")]))
    ids = {e.id for e in status.evidence}
    assert "doi:10.1200/JCO.22.02864" in ids
    assert status.rule
