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
    Setting,
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


_PRIOR_ICI = Evidence(
    source=EvidenceSource.TRIAL,
    id="NCT02819518",
    title="KEYNOTE-355: pembrolizumab + chemotherapy in previously untreated metastatic TNBC; "
    "no evidence for a checkpoint inhibitor after progression on one",
    verified=False,
)


def _ici_history(case: Case) -> tuple[list[str], list[str]]:
    """Metastatic lines with a checkpoint inhibitor that are ongoing or progressed (blocking a
    new ICI start) and other prior ICI exposure (a caution)."""
    vocabulary = drug_vocabulary()
    blocking: list[str] = []
    prior: list[str] = []
    for line in sorted(case.treatments, key=lambda t: t.start_date):
        names = [
            a.name
            for a in line.agents
            if (d := vocabulary.lookup(a.name)) is not None and _ICI_CLASS in d.classes
        ]
        if not names:
            continue
        where = f"{' + '.join(names)} ({line.setting.value}, from {line.start_date.isoformat()})"
        if line.setting is Setting.METASTATIC and line.ongoing:
            blocking.append(f"currently on {where}")
        elif line.setting is Setting.METASTATIC and line.progressed:
            blocking.append(f"progressed on {where}")
        elif line.setting is not Setting.SUPPORTIVE:
            reason = line.reason_stopped.value if line.reason_stopped else "stopped"
            prior.append(f"prior {where}, {reason}")
    return blocking, prior


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

    A patient on, or progressed on, a checkpoint inhibitor for metastatic disease is not
    eligible to start one (KEYNOTE-355 treated untreated mTNBC; no evidence for re-treatment
    after progression); earlier exposure stopped for another reason (toxicity, completed, or
    (neo)adjuvant) is a caution.

    ``annotation`` is the case's :func:`~oncoboard.genomics.annotate_case` result, computed
    when not given.
    """
    subtype = clinical_subtype(case).subtype
    annotation = annotation or annotate_case(case)
    findings = tuple(f for f in annotation.of_kind(FindingKind.ACTIONABLE) if _has_ici(f.therapy))
    eligible = [f for f in findings if f.context_met]
    possible = [f for f in findings if f.context_met is None]
    missing = _missing(case, subtype)
    blocking, prior = _ici_history(case)
    if blocking:
        status = ImmunotherapyStatus.NOT_ELIGIBLE
        reasons = [
            f"{b}: a checkpoint inhibitor is already part of the metastatic treatment; none "
            "is supported after progression on one"
            for b in blocking
        ]
    elif eligible:
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
    immune = tuple(
        f"{c.condition} ({c.category.value}): weigh the risk of immune-mediated adverse reactions"
        for c in case.comorbidities
        if c.status == "active"
        and c.category
        in (ComorbidityCategory.AUTOIMMUNE_DISEASE, ComorbidityCategory.ORGAN_TRANSPLANT)
    )
    earlier = () if blocking else tuple(f"{p}: evidence for re-treatment is limited" for p in prior)
    cautions = immune + earlier
    evidence = tuple(dict.fromkeys(e for f in findings for e in f.evidence))
    evidence = evidence or _defining_evidence()
    if immune:
        evidence += (_IMMUNE_CAUTION,)
    if (blocking or earlier) and _PRIOR_ICI.id not in {e.id for e in evidence}:
        evidence += (_PRIOR_ICI,)
    return ImmunotherapyEligibility(
        status=status,
        reasons=tuple(reasons),
        findings=findings,
        missing=tuple(missing),
        cautions=cautions,
        evidence=evidence,
    )
