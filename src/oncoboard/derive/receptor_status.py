"""Receptor status: ER/PR calls, HR status and the HER2 category per ASCO/CAP.

Rules
-----
- ER/PR (ASCO/CAP 2020): ≥1% of nuclei stained is positive; ER 1–10% is "ER low positive";
  <1% is negative. The most recent result of each receptor is current.
- HER2 (ASCO/CAP 2018 and 2023; FDA 2025 for ultralow): IHC 3+ or ISH-amplified is positive;
  IHC 2+ is equivocal until ISH; IHC 2+/ISH-negative and IHC 1+ are HER2-low; IHC 0 with
  membrane staining is HER2-ultralow; IHC 0 without staining is HER2-null. Dual-probe ISH groups
  2–4 are resolved with the concurrent IHC score. The most recent specimen is current; ISH done
  within 31 days of an IHC test on the same kind of specimen counts as its reflex test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from oncoboard.derive._citations import (
    ASCO_CAP_ER_2020,
    ASCO_CAP_HER2_2018,
    ASCO_CAP_HER2_2023,
    FDA_TDXD_ULTRALOW,
)
from oncoboard.model import (
    Case,
    Evidence,
    HER2IHCScore,
    HER2Test,
    HormoneReceptorTest,
    Interpretation,
    ISHResult,
    TestMethod,
)

__all__ = [
    "HER2Category",
    "HER2Status",
    "HormoneReceptorStatus",
    "ReceptorCall",
    "her2_status",
    "hormone_receptor_status",
    "ish_group",
]

_REFLEX_WINDOW = dt.timedelta(days=31)
_ER_LOW_MAX = 10.0


class ReceptorCall(StrEnum):
    """Call for one hormone receptor; ``not_tested`` is never the same as ``negative``."""

    POSITIVE = "positive"
    LOW_POSITIVE = "low_positive"  # ER 1–10%
    NEGATIVE = "negative"
    NOT_TESTED = "not_tested"


@dataclass(frozen=True, slots=True)
class HormoneReceptorStatus:
    """ER, PR and the combined HR status with the tests they came from."""

    er: ReceptorCall
    pr: ReceptorCall
    er_percent: float | None
    pr_percent: float | None
    er_date: dt.date | None
    pr_date: dt.date | None
    rule: str
    evidence: tuple[Evidence, ...]

    @property
    def hr_positive(self) -> bool | None:
        """True if ER or PR is positive (incl. ER-low); False if both were tested negative;
        None when it cannot be decided (a receptor not tested and none positive)."""
        calls = (self.er, self.pr)
        if any(c in (ReceptorCall.POSITIVE, ReceptorCall.LOW_POSITIVE) for c in calls):
            return True
        if all(c is ReceptorCall.NEGATIVE for c in calls):
            return False
        return None

    @property
    def er_low(self) -> bool:
        """ER low positive (1–10%): limited endocrine benefit, often managed like TNBC."""
        return self.er is ReceptorCall.LOW_POSITIVE


def _call(test: HormoneReceptorTest | None) -> ReceptorCall:
    if test is None:
        return ReceptorCall.NOT_TESTED
    if test.percent is not None:
        if test.percent < 1:
            return ReceptorCall.NEGATIVE
        if test.receptor == "ER" and test.percent <= _ER_LOW_MAX:
            return ReceptorCall.LOW_POSITIVE
        return ReceptorCall.POSITIVE
    if test.interpretation is Interpretation.POSITIVE:
        return ReceptorCall.POSITIVE
    return ReceptorCall.NEGATIVE


def _latest(tests: list[HormoneReceptorTest], receptor: str) -> HormoneReceptorTest | None:
    chosen = [t for t in tests if t.receptor == receptor and t.method is TestMethod.IHC]
    return max(chosen, key=lambda t: t.date, default=None)


def hormone_receptor_status(case: Case) -> HormoneReceptorStatus:
    """ER/PR calls from the most recent IHC result of each receptor (ASCO/CAP 2020)."""
    tests = [t for t in case.receptors if isinstance(t, HormoneReceptorTest)]
    er, pr = _latest(tests, "ER"), _latest(tests, "PR")
    return HormoneReceptorStatus(
        er=_call(er),
        pr=_call(pr),
        er_percent=er.percent if er else None,
        pr_percent=pr.percent if pr else None,
        er_date=er.date if er else None,
        pr_date=pr.date if pr else None,
        rule="ER/PR ≥1% positive; ER 1-10% low positive; <1% negative; latest IHC result",
        evidence=(ASCO_CAP_ER_2020,),
    )


class HER2Category(StrEnum):
    """HER2 category for treatment decisions."""

    POSITIVE = "positive"
    EQUIVOCAL = "equivocal"  # IHC 2+ (or ISH group 2-4) awaiting the complementary test
    LOW = "low"
    ULTRALOW = "ultralow"
    NULL = "null"
    NEGATIVE_IHC_UNKNOWN = "negative_ihc_unknown"  # ISH-negative, no IHC score: 0 vs low unknown
    NOT_TESTED = "not_tested"

    @property
    def her2_negative(self) -> bool:
        """Negative for anti-HER2 therapy purposes (low, ultralow, null, ISH-negative)."""
        return self in {
            HER2Category.LOW,
            HER2Category.ULTRALOW,
            HER2Category.NULL,
            HER2Category.NEGATIVE_IHC_UNKNOWN,
        }


@dataclass(frozen=True, slots=True)
class HER2Status:
    """The current HER2 category, the tests behind it and earlier differing results."""

    category: HER2Category
    ihc_score: HER2IHCScore | None
    ish_result: ISHResult | None
    ish_group: int | None
    date: dt.date | None
    history: tuple[tuple[dt.date, HER2Category], ...]
    rule: str
    evidence: tuple[Evidence, ...]

    @property
    def discordant_history(self) -> bool:
        """True when an earlier specimen gave a different category (e.g. positive → low)."""
        return any(category is not self.category for _, category in self.history)


def ish_group(ratio: float, copies: float) -> int:
    """ASCO/CAP 2018 dual-probe ISH group (1–5) from HER2/CEP17 ratio and HER2 copies/cell."""
    if ratio >= 2.0:
        return 1 if copies >= 4.0 else 2
    if copies >= 6.0:
        return 3
    return 4 if copies >= 4.0 else 5


def _ish_amplified(test: HER2Test, ihc: HER2IHCScore | None) -> tuple[ISHResult, int | None]:
    """The ISH result, resolving groups 2–4 with the concurrent IHC score (ASCO/CAP 2018)."""
    group = None
    if test.ish_ratio is not None and test.her2_copies_per_cell is not None:
        group = ish_group(test.ish_ratio, test.her2_copies_per_cell)
    if test.ish_result is not None:
        return test.ish_result, group
    assert group is not None  # guaranteed by HER2Test validation
    if group == 1:
        return ISHResult.AMPLIFIED, group
    if group == 5:
        return ISHResult.NOT_AMPLIFIED, group
    if ihc is None:
        return ISHResult.EQUIVOCAL, group  # groups 2–4 need concomitant IHC review
    positive = ihc is HER2IHCScore.THREE or (group == 3 and ihc is HER2IHCScore.TWO)
    return (ISHResult.AMPLIFIED if positive else ISHResult.NOT_AMPLIFIED), group


def _from_ihc(score: HER2IHCScore) -> HER2Category:
    return {
        HER2IHCScore.THREE: HER2Category.POSITIVE,
        HER2IHCScore.TWO: HER2Category.EQUIVOCAL,
        HER2IHCScore.ONE: HER2Category.LOW,
        HER2IHCScore.ZERO_MEMBRANE: HER2Category.ULTRALOW,
        HER2IHCScore.ZERO: HER2Category.NULL,
    }[score]


def _combine(ihc: HER2IHCScore | None, ish: ISHResult | None) -> HER2Category:
    if ish is ISHResult.AMPLIFIED or ihc is HER2IHCScore.THREE:
        return HER2Category.POSITIVE
    if ihc is None:
        return (
            HER2Category.NEGATIVE_IHC_UNKNOWN
            if ish is ISHResult.NOT_AMPLIFIED
            else HER2Category.EQUIVOCAL
        )
    if ihc is HER2IHCScore.TWO and ish is ISHResult.NOT_AMPLIFIED:
        return HER2Category.LOW
    return _from_ihc(ihc)


@dataclass(frozen=True, slots=True)
class _Event:
    date: dt.date
    ihc: HER2Test | None
    ish: HER2Test | None


def _events(tests: list[HER2Test]) -> list[_Event]:
    """Group HER2 tests into specimen events: an IHC test plus its reflex ISH, or ISH alone."""
    ihc_tests = sorted((t for t in tests if t.method is TestMethod.IHC), key=lambda t: t.date)
    ish_tests = [t for t in tests if t.method is not TestMethod.IHC]
    used: set[int] = set()
    events = []
    for ihc in ihc_tests:
        partners = [
            t
            for t in ish_tests
            if id(t) not in used
            and t.specimen is ihc.specimen
            and abs(t.date - ihc.date) <= _REFLEX_WINDOW
        ]
        ish = max(partners, key=lambda t: t.date, default=None)
        if ish is not None:
            used.add(id(ish))
        events.append(_Event(ihc.date, ihc, ish))
    events += [_Event(t.date, None, t) for t in ish_tests if id(t) not in used]
    return sorted(events, key=lambda e: e.date)


def _classify(event: _Event) -> tuple[HER2Category, ISHResult | None, int | None]:
    ihc = event.ihc.ihc_score if event.ihc else None
    ish_result, group = _ish_amplified(event.ish, ihc) if event.ish else (None, None)
    return _combine(ihc, ish_result), ish_result, group


def her2_status(case: Case) -> HER2Status:
    """HER2 category of the most recent specimen, with earlier categories as history."""
    tests = [t for t in case.receptors if isinstance(t, HER2Test)]
    evidence = (ASCO_CAP_HER2_2023, ASCO_CAP_HER2_2018, FDA_TDXD_ULTRALOW)
    events = _events(tests)
    if not events:
        return HER2Status(
            HER2Category.NOT_TESTED, None, None, None, None, (), "no HER2 test", evidence
        )
    *earlier, latest = events
    category, ish_result, group = _classify(latest)
    return HER2Status(
        category=category,
        ihc_score=latest.ihc.ihc_score if latest.ihc else None,
        ish_result=ish_result,
        ish_group=group,
        date=latest.date,
        history=tuple((e.date, _classify(e)[0]) for e in earlier),
        rule="IHC 3+ or ISH+ positive; IHC 2+ equivocal pending ISH; IHC 1+ or 2+/ISH- low; "
        "IHC 0 with membrane staining ultralow; IHC 0 null; latest specimen",
        evidence=evidence,
    )
