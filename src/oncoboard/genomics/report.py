"""The annotation result of one sample (or case): findings, gaps, TMB, as stable JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oncoboard.genomics.findings import Finding, FindingKind, TestingSuggestion
from oncoboard.genomics.tmb import TMBEstimate

__all__ = ["JSON_FORMAT_VERSION", "SampleAnnotation"]

JSON_FORMAT_VERSION = "1"


@dataclass(frozen=True, slots=True)
class SampleAnnotation:
    """Everything ``oncoboard annotate`` says about one sample or case."""

    sample: str | None
    findings: tuple[Finding, ...]
    needs_annotation: tuple[str, ...] = ()
    testing_suggestions: tuple[TestingSuggestion, ...] = ()
    tmb: TMBEstimate | None = None
    notes: tuple[str, ...] = field(default=())

    def of_kind(self, *kinds: FindingKind) -> list[Finding]:
        """Findings of the given kinds, in report order."""
        return [f for f in self.findings if f.kind in kinds]

    def to_json(self) -> dict[str, Any]:
        """Stable JSON (documented in docs/annotate-json.md)."""
        tmb = None
        if self.tmb is not None:
            tmb = {
                "value": round(self.tmb.value, 3),
                "counted": self.tmb.counted,
                "panel_size_mb": self.tmb.panel_size_mb,
                "high": self.tmb.high,
                "unannotated": self.tmb.unannotated,
                "rule": self.tmb.rule,
                "evidence": [e.model_dump(mode="json") for e in self.tmb.evidence],
            }
        return {
            "sample": self.sample,
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "needs_annotation": list(self.needs_annotation),
            "testing_suggestions": [s.model_dump(mode="json") for s in self.testing_suggestions],
            "tmb": tmb,
            "notes": list(self.notes),
        }
