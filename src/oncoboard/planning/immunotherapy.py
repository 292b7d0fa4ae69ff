"""Immune checkpoint inhibitor eligibility as its own finding.

Eligibility is read from the knowledge-base findings of the case (PD-L1 22C3 CPS >= 10 in
first-line TNBC; MSI-H/dMMR; TMB >= 10 mut/Mb), so the rules and their evidence live in one
place (``knowledge/data/biomarker_therapy.yaml``). What has not been tested is listed as
missing: an untested biomarker never makes a patient ineligible.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from oncoboard.derive import Subtype, clinical_subtype
from oncoboard.genomics import Finding, FindingKind, annotate_case
from oncoboard.genomics.matching import entry_evidence
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.knowledge import drug_vocabulary, knowledge_base
from oncoboard.knowledge.therapies import EntryKind
from oncoboard.model import (
    Case,
    ComorbidityCategory,
    Evidence,
    EvidenceSource,
    PDL1Result,
)
from oncoboard.model._base import CaseModel

__all__ = ["ImmunotherapyEligibility", "ImmunotherapyStatus", "immunotherapy_eligibility"]

_ICI_CLASS = "immune_checkpoint_inhibitor"
_IMMUNE_CAUTION = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="Keytruda (pembrolizumab) PI §5.1",
    title="Severe and fatal immune-mediated adverse reactions; patients with autoimmune disease "
    "or organ transplant were excluded from trials",
    verified=False,
)


class ImmunotherapyStatus(StrEnum):
    """Whether a checkpoint inhibitor is supported for this patient now."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


class ImmunotherapyEligibility(CaseModel):
    """Checkpoint-inhibitor eligibility, the findings behind it, what is missing, cautions."""

    status: ImmunotherapyStatus
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...] = Field(description="Knowledge-base findings of ICI entries.")
    missing: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...]


def _has_ici(agents: tuple[str, ...]) -> bool:
    vocabulary = drug_vocabulary()
    return any(
        (drug := vocabulary.lookup(agent)) is not None and _ICI_CLASS in drug.classes
        for agent in agents
    )


def _defining_evidence() -> tuple[Evidence, ...]:
    """FDA and trial evidence of the predictive ICI entries (cited when none matched)."""
    kb = knowledge_base()
    return tuple(
        evidence
        for entry in kb.entries
        if entry.kind is EntryKind.PREDICTIVE and entry.therapy and _has_ici(entry.therapy.agents)
        for evidence in entry_evidence(entry, kb)
        if evidence.source in (EvidenceSource.FDA_LABEL, EvidenceSource.TRIAL)
    )


def _missing(case: Case, subtype: Subtype) -> list[str]:
    missing = []
    has_cps = any(
        isinstance(b, PDL1Result) and b.assay.value == "22C3" and b.scoring.value == "CPS"
        for b in case.biomarkers
    )
    if subtype is Subtype.TRIPLE_NEGATIVE and not has_cps:
        missing.append("PD-L1 22C3 CPS (TNBC, before first line)")
    if subtype is Subtype.UNDETERMINED:
        missing.append("receptor status (subtype undetermined)")
    if not any(r.msi is not None for r in case.genomic_reports):
        missing.append("MSI / MMR status")
    if not any(r.tmb is not None for r in case.genomic_reports):
        missing.append("TMB (with panel size)")
    return missing


def immunotherapy_eligibility(
    case: Case, annotation: SampleAnnotation | None = None
) -> ImmunotherapyEligibility:
    """Checkpoint-inhibitor eligibility of ``case`` with reasons, missing tests and cautions.

    ``annotation`` is the case's :func:`~oncoboard.genomics.annotate_case` result, computed
    when not given.
    """
    subtype = clinical_subtype(case).subtype
    annotation = annotation or annotate_case(case)
    findings = tuple(f for f in annotation.of_kind(FindingKind.ACTIONABLE) if _has_ici(f.therapy))
    eligible = [f for f in findings if f.context_met]
    possible = [f for f in findings if f.context_met is None]
    missing = _missing(case, subtype)
    if eligible:
        status = ImmunotherapyStatus.ELIGIBLE
        reasons = [f"{f.biomarker} → {f.regimen} (level {f.level})" for f in eligible]
    elif possible or missing:
        status = ImmunotherapyStatus.UNDETERMINED
        reasons = [f"{f.biomarker} → {f.regimen}: context not confirmed" for f in possible]
        reasons += [f"not tested: {m}" for m in missing]
    else:
        status = ImmunotherapyStatus.NOT_ELIGIBLE
        reasons = [
            f"{f.biomarker} → {f.regimen}: context not met ("
            + "; ".join(c.detail for c in f.context if c.status.value == "not_met")
            + ")"
            for f in findings
        ] or [
            "no checkpoint-inhibitor biomarker (PD-L1 22C3 CPS "
            ">= 10 in TNBC, MSI-H, TMB >= 10) is present"
        ]
    cautions = tuple(
        f"{c.condition} ({c.category.value}): weigh the risk of immune-mediated adverse reactions"
        for c in case.comorbidities
        if c.status == "active"
        and c.category
        in (ComorbidityCategory.AUTOIMMUNE_DISEASE, ComorbidityCategory.ORGAN_TRANSPLANT)
    )
    evidence = tuple(dict.fromkeys(e for f in findings for e in f.evidence))
    evidence = evidence or _defining_evidence()
    if cautions:
        evidence += (_IMMUNE_CAUTION,)
    return ImmunotherapyEligibility(
        status=status,
        reasons=tuple(reasons),
        findings=findings,
        missing=tuple(missing),
        cautions=cautions,
        evidence=evidence,
    )
