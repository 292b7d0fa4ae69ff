"""Clinical subtype: never guessed when a receptor is missing or HER2 is equivocal."""

from __future__ import annotations

import pytest

from oncoboard.derive import Subtype, clinical_subtype


def _rec(er=None, pr=None, her2=None):
    tests = []
    if er is not None:
        tests.append({"receptor": "ER", "percent": er, "date": "2024-01-01"})
    if pr is not None:
        tests.append({"receptor": "PR", "percent": pr, "date": "2024-01-01"})
    if her2 is not None:
        tests.append({"receptor": "HER2", "method": "IHC", "ihc_score": her2, "date": "2024-01-01"})
    return tests


@pytest.mark.parametrize(
    ("er", "pr", "her2", "subtype", "label"),
    [
        (90, 50, "1+", Subtype.HR_POS_HER2_NEG, "HR+/HER2- (HER2-low)"),
        (90, 50, "0", Subtype.HR_POS_HER2_NEG, "HR+/HER2-"),
        (90, 0, "0+membrane", Subtype.HR_POS_HER2_NEG, "HR+/HER2- (HER2-ultralow)"),
        (60, 10, "3+", Subtype.HR_POS_HER2_POS, "HR+/HER2+"),
        (0, 0, "3+", Subtype.HR_NEG_HER2_POS, "HR-/HER2+"),
        (0, 0, "0", Subtype.TRIPLE_NEGATIVE, "TNBC"),
        (5, 0, "0", Subtype.HR_POS_HER2_NEG, "HR+/HER2- (ER-low)"),
    ],
)
def test_subtypes(make_case, er, pr, her2, subtype, label):
    result = clinical_subtype(make_case(receptors=_rec(er, pr, her2)))
    assert result.subtype is subtype
    assert result.label == label


@pytest.mark.parametrize(
    ("er", "pr", "her2", "missing"),
    [
        (None, None, "1+", ("ER/PR not tested",)),
        (0, None, "0", ("PR not tested",)),
        (90, 50, None, ("HER2 not tested",)),
        (90, 50, "2+", ("HER2 equivocal: ISH (or concurrent IHC) needed",)),
    ],
)
def test_undetermined_says_what_is_missing(make_case, er, pr, her2, missing):
    result = clinical_subtype(make_case(receptors=_rec(er, pr, her2)))
    assert result.subtype is Subtype.UNDETERMINED
    assert result.missing == missing


def test_er_negative_pr_untested_is_not_called_tnbc(make_case):
    # Unknown is not negative: PR was never tested, so this is not triple-negative.
    assert clinical_subtype(make_case(receptors=_rec(0, None, "0"))).subtype is not (
        Subtype.TRIPLE_NEGATIVE
    )
