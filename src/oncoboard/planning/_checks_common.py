"""Types and helpers shared by the safety checks (:mod:`oncoboard.planning.safety` and
:mod:`oncoboard.planning._organ_checks`).

:class:`SafetyStatus` and :class:`SafetyCheck` are public through
:mod:`oncoboard.planning.safety` and :mod:`oncoboard.planning`; they live here so that the
check modules can share them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum

from oncoboard.model import (
    Case,
    ComorbidityCategory,
    Evidence,
    EvidenceSource,
    LabResult,
    LabTest,
)
from oncoboard.model._base import CaseModel

__all__ = ["Check", "SafetyCheck", "SafetyStatus", "active", "label", "latest"]


class SafetyStatus(StrEnum):
    """Outcome of one check."""

    OK = "ok"
    CAUTION = "caution"
    SET_ASIDE = "set_aside"  # contraindicated or outside the label/trial population now
    UNKNOWN = "unknown"  # the value needed was not recorded


class SafetyCheck(CaseModel):
    """One check of one agent."""

    agent: str
    check: str
    status: SafetyStatus
    detail: str
    rule: str
    evidence: tuple[Evidence, ...]


Check = Callable[[Case, str], Iterator[SafetyCheck]]


def label(drug: str, what: str, verified: bool = True) -> Evidence:
    """A prescribing-information citation of ``drug`` saying ``what``."""
    return Evidence(
        source=EvidenceSource.FDA_LABEL,
        id=f"{drug} prescribing information",
        title=what,
        verified=verified,
    )


def latest(case: Case, test: LabTest) -> LabResult | None:
    """The most recent result of ``test``, or ``None`` if it was never measured."""
    return max(
        (lab for lab in case.labs if lab.test is test), key=lambda lab: lab.date, default=None
    )


def active(case: Case, category: ComorbidityCategory) -> list[str]:
    """The active comorbidities of ``category``, as recorded."""
    return [
        c.condition for c in case.comorbidities if c.category is category and c.status == "active"
    ]
