"""A one-screen summary of a case for lists, the CLI and reports (derived, never re-derived)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from oncoboard.derive.subtype import ClinicalSubtype, clinical_subtype
from oncoboard.derive.therapy import LineOfTherapy, current_line, prior_exposures
from oncoboard.model import Case, Evidence

__all__ = ["CaseSummary", "summarize"]


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What a tumor board reads first about a patient."""

    patient_id: str
    synthetic: bool
    as_of: dt.date | None
    age_years: int | None
    subtype: ClinicalSubtype
    line: LineOfTherapy
    sites: tuple[str, ...]
    ecog: int | None
    exposures: dict[str, tuple[str, ...]]

    @property
    def current_regimen(self) -> str | None:
        """Agents of the ongoing metastatic line, joined with ' + '."""
        ongoing = self.line.ongoing
        return " + ".join(a.name for a in ongoing.agents) if ongoing else None

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form (documented in docs/case-format.md, section "Derived")."""
        hr, her2 = self.subtype.hr, self.subtype.her2
        evidence: tuple[Evidence, ...] = self.subtype.evidence
        return {
            "patient_id": self.patient_id,
            "synthetic": self.synthetic,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "age_years": self.age_years,
            "er": hr.er.value,
            "er_percent": hr.er_percent,
            "pr": hr.pr.value,
            "pr_percent": hr.pr_percent,
            "hr_positive": hr.hr_positive,
            "her2_category": her2.category.value,
            "her2_ihc_score": her2.ihc_score.value if her2.ihc_score else None,
            "her2_discordant_history": her2.discordant_history,
            "subtype": self.subtype.subtype.value,
            "subtype_label": self.subtype.label,
            "subtype_missing": list(self.subtype.missing),
            "rules": [hr.rule, her2.rule],
            "evidence": [e.model_dump(mode="json") for e in evidence],
            "current_line": self.line.number,
            "line_ongoing": self.line.ongoing is not None,
            "current_regimen": self.current_regimen,
            "completed_metastatic_lines": self.line.completed,
            "metastatic_sites": list(self.sites),
            "ecog": self.ecog,
            "prior_exposure_by_class": {k: list(v) for k, v in sorted(self.exposures.items())},
        }


def _age(case: Case) -> int | None:
    reference = case.as_of or dt.date.today()
    born = case.patient.birth_date
    if born is None:
        return case.patient.age_years
    before_birthday = (reference.month, reference.day) < (born.month, born.day)
    return reference.year - born.year - int(before_birthday)


def summarize(case: Case) -> CaseSummary:
    """Derive the :class:`CaseSummary` of ``case``."""
    latest_ps = max(case.performance_status, key=lambda p: p.date, default=None)
    sites = tuple(
        dict.fromkeys(s.site.value for s in sorted(case.metastatic_sites, key=lambda s: s.date))
    )
    exposures = {
        drug_class: tuple(dict.fromkeys(e.agent for e in items))
        for drug_class, items in prior_exposures(case).items()
    }
    return CaseSummary(
        patient_id=case.patient.id,
        synthetic=case.synthetic,
        as_of=case.as_of,
        age_years=_age(case),
        subtype=clinical_subtype(case),
        line=current_line(case),
        sites=sites,
        ecog=latest_ps.ecog if latest_ps else None,
        exposures=exposures,
    )
