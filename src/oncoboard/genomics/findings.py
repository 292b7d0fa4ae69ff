"""Findings and testing suggestions: typed results with their evidence."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import Evidence

__all__ = [
    "ContextCheck",
    "ContextStatus",
    "Finding",
    "FindingKind",
    "Specificity",
    "TestingSuggestion",
]


class FindingKind(StrEnum):
    """What a finding tells the tumor board."""

    ACTIONABLE = "actionable"
    RESISTANCE = "resistance"
    PROGNOSTIC = "prognostic"
    NOT_ACTIONABLE = "not_actionable"  # oncogenic, no knowledge-base entry
    VUS = "vus"
    NEEDS_ANNOTATION = "needs_annotation"


class Specificity(StrEnum):
    """How precisely the biomarker matched the entry (most to least specific)."""

    EXACT_VARIANT = "exact_variant"
    CODON = "codon"
    EXON = "exon"
    GENE_ONCOGENIC = "gene_oncogenic"
    GENE_TRUNCATING = "gene_truncating"
    GENE_ANY = "gene_any"
    GENE_LEVEL = "gene_level"  # amplification, deletion, fusion, germline, loss of function
    TESTED_WILD_TYPE = "tested_wild_type"
    BIOMARKER = "biomarker"  # IHC category, PD-L1, TMB, MSI


class ContextStatus(StrEnum):
    """Whether a context requirement of the entry holds for this patient."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class ContextCheck(CaseModel):
    """One context requirement and how the patient stands against it."""

    requirement: str
    status: ContextStatus
    detail: str


class Finding(CaseModel):
    """A biomarker result interpreted against the knowledge base."""

    kind: FindingKind
    biomarker: str = Field(
        description="What matched, e.g. 'PIK3CA H1047R', 'HER2 low', 'ESR1 D538G, ESR1 Y537S'."
    )
    matched: tuple[str, ...] = Field(
        default=(), description="Each matching biomarker of the finding, most specific first."
    )
    gene: str | None = None
    entry_id: str | None = Field(default=None, description="Knowledge-base entry that fired.")
    rule: str = Field(description="Why this finding exists (entry id, oncogenicity rule).")
    specificity: Specificity | None = None
    therapy: tuple[str, ...] = ()
    regimen: str | None = None
    level: str | None = Field(default=None, description="OncoKB-style level (Oncoboard-assigned).")
    escat: str | None = None
    oncogenicity: str | None = None
    oncogenicity_reason: str | None = None
    benefit: str | None = None
    context: tuple[ContextCheck, ...] = ()
    context_met: bool | None = Field(
        default=None,
        description="True if all context checks are met, False if one is not met, "
        "None if some cannot be decided.",
    )
    note: str | None = None
    source: str | None = Field(default=None, description="Where the alteration came from.")
    evidence: tuple[Evidence, ...] = ()


class TestingSuggestion(CaseModel):
    """A test that is missing or should be repeated, and why."""

    test: str
    reason: str
    rule: str
    evidence: tuple[Evidence, ...] = Field(min_length=1)
