"""Cached derivations of stored cases: summary, annotation, plan, monitoring and board.

Deriving a plan takes tens of milliseconds; a stored version never changes, so results are
kept in a bounded LRU keyed by the version's document SHA-256, the ``as_of`` date and the
versions of the packaged knowledge (a new knowledge release never reuses an old result).
Each entry computes its parts lazily, once, and keeps the JSON of the plan, the monitoring
report and the findings pre-serialised (bytes), so a cached API response is a byte copy.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncoboard.derive.summary import CaseSummary
    from oncoboard.genomics.report import SampleAnnotation
    from oncoboard.model import Case
    from oncoboard.monitoring.report import MonitoringReport
    from oncoboard.planning.options import TreatmentPlan
    from oncoboard.report import TumorBoard

__all__ = [
    "CACHE_SIZE",
    "CaseFindings",
    "cache_clear",
    "case_findings",
    "knowledge_key",
    "peek",
]

CACHE_SIZE = 256
"""Most case versions (× ``as_of`` dates) whose derivations are kept in memory."""

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, dt.date | None, str], CaseFindings] = OrderedDict()


@cache
def knowledge_key() -> str:
    """The versions of the packaged knowledge (pathways, biomarker-therapy KB, drugs)."""
    from oncoboard.knowledge import drug_vocabulary, knowledge_base
    from oncoboard.planning.pathways import pathways

    return f"{pathways().label}|{knowledge_base().label}|{drug_vocabulary().version}"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class CaseFindings:
    """The derivations of one stored case version (at an optional ``as_of`` date).

    Attributes are computed on first use and then kept; the object is shared between
    requests, so nothing in it may be mutated.
    """

    def __init__(self, document: dict[str, Any], sha256: str, as_of: dt.date | None) -> None:
        self.sha256 = sha256
        self.as_of = as_of
        self._document = document

    @cached_property
    def full_case(self) -> Case:
        """The stored case, validated."""
        from oncoboard.model import Case

        return Case.model_validate(self._document)

    @cached_property
    def case(self) -> Case:
        """The case restricted to what was known on ``as_of`` (the stored case without it)."""
        from oncoboard.derive.as_of import case_as_of

        return self.full_case if self.as_of is None else case_as_of(self.full_case, self.as_of)

    @cached_property
    def summary(self) -> CaseSummary:
        """Subtype, line of therapy, sites, ECOG and exposures."""
        from oncoboard.derive.summary import summarize

        return summarize(self.case)

    @cached_property
    def annotation(self) -> SampleAnnotation:
        """Genomic findings with level/tier/evidence and testing suggestions."""
        from oncoboard.genomics.pipeline import annotate_case

        return annotate_case(self.case, name=self.case.patient.id)

    @cached_property
    def plan(self) -> TreatmentPlan:
        """The ranked, cited treatment options."""
        from oncoboard.planning import plan_case

        return plan_case(self.full_case, as_of=self.as_of)

    @cached_property
    def monitoring(self) -> MonitoringReport:
        """Response, ctDNA, emergent alterations, markers and alerts of the current line."""
        from oncoboard.monitoring.report import monitor_case

        return monitor_case(self.case)

    @cached_property
    def board(self) -> TumorBoard:
        """The tumor-board view model of the report (Part R)."""
        from oncoboard.report import build_board

        return build_board(self.full_case, as_of=self.as_of)

    @cached_property
    def plan_json(self) -> bytes:
        """``plan`` as JSON bytes."""
        return self.plan.model_dump_json().encode("utf-8")

    @cached_property
    def monitoring_json(self) -> bytes:
        """``monitoring`` as JSON bytes."""
        return self.monitoring.model_dump_json().encode("utf-8")

    @cached_property
    def findings_json(self) -> bytes:
        """``{"summary": ..., "annotation": ...}`` as JSON bytes."""
        return _dumps({"summary": self.summary.to_json(), "annotation": self.annotation.to_json()})

    @property
    def n_alerts(self) -> int:
        """How many monitoring alerts the current line raises."""
        return len(self.monitoring.alerts)


def case_findings(
    document: dict[str, Any], sha256: str, as_of: dt.date | None = None
) -> CaseFindings:
    """The (cached) derivations of a stored case version.

    Parameters
    ----------
    document
        The stored, validated case document (used only on a cache miss).
    sha256
        The stored version's document hash (:attr:`oncoboard.store.StoredCase.sha256`).
    as_of
        Restrict the case to what was known on that date.
    """
    key = (sha256, as_of, knowledge_key())
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
            return entry
        entry = CaseFindings(document, sha256, as_of)
        _entries[key] = entry
        while len(_entries) > CACHE_SIZE:
            _entries.popitem(last=False)
    return entry


def peek(sha256: str, as_of: dt.date | None = None) -> CaseFindings | None:
    """The cached derivations of a version, if they are cached (refreshes their recency)."""
    key = (sha256, as_of, knowledge_key())
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        return entry


def cache_clear() -> None:
    """Forget every cached derivation."""
    with _lock:
        _entries.clear()
