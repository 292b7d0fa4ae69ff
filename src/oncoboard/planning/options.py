"""The treatment plan: ranked options, excluded options and the facts they were built on."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from oncoboard.genomics.findings import TestingSuggestion
from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.planning.immunotherapy import ImmunotherapyEligibility
from oncoboard.prognosis.case import PrognosisResult

__all__ = [
    "DISCLAIMER",
    "PLAN_FORMAT_VERSION",
    "EndocrineSensitivity",
    "ExcludedOption",
    "Grade",
    "Intent",
    "Monitoring",
    "OptionWarning",
    "PlannedAgent",
    "TreatmentOption",
    "TreatmentPlan",
]

PLAN_FORMAT_VERSION = "1"
DISCLAIMER = (
    "Decision support for qualified clinicians. Options follow published guidelines, labels "
    "and trials as encoded in the Oncoboard knowledge base; they do not replace clinical "
    "judgement or the tumor board's decision."
)


class Intent(StrEnum):
    """What an option is for."""

    SYSTEMIC = "systemic"  # anticancer therapy for the next line; ranked
    SUPPORTIVE = "supportive"  # given alongside, e.g. bone-modifying agents
    LOCAL = "local"  # radiotherapy or surgery, e.g. for brain metastases


class Grade(StrEnum):
    """Strength of the evidence for the option in this setting (Oncoboard scale).

    A: FDA-approved in this setting on a randomised phase 3 trial.
    B: FDA-approved in this setting on single-arm or accelerated-approval data.
    C: positive randomised trial or guideline-endorsed, but not FDA-approved in this setting
       (pending, withdrawn in the US, or approved outside the US only).
    D: phase 2, negative or conflicting trials, or expert consensus only.
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class EndocrineSensitivity(StrEnum):
    """ABC5 classes of endocrine sensitivity for HR+ disease, as used by the pathways."""

    SENSITIVE = "sensitive"  # de novo, or relapse > 12 months after adjuvant ET ended
    RESISTANT = "resistant"  # relapse during or within 12 months after adjuvant ET
    PRETREATED = "pretreated"  # progressed on ET for metastatic disease
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"  # HR-negative


class PlannedAgent(CaseModel):
    """One agent of a proposed regimen."""

    agent: str
    role: str = Field(description="Role in the regimen, e.g. 'endocrine partner'.")
    classes: tuple[str, ...]
    route: str
    alternatives: tuple[str, ...] = Field(
        default=(), description="Other agents that can fill this role (in order of preference)."
    )
    set_aside: tuple[str, ...] = Field(
        default=(), description="Preferred agents for this role that were set aside, and why."
    )


class Monitoring(CaseModel):
    """Monitoring advice with its source."""

    advice: str
    source: str
    verified: bool = True


class OptionWarning(CaseModel):
    """A caution or an unknown that the clinician should resolve before starting."""

    check: str
    agent: str | None = None
    status: str = Field(description="'caution' or 'unknown' (the value was not recorded).")
    detail: str
    rule: str
    evidence: tuple[Evidence, ...] = ()


class TreatmentOption(CaseModel):
    """One option the planner proposes."""

    rank: int | None = Field(description="1 = first choice; None for supportive/local options.")
    regimen_id: str
    name: str
    intent: Intent
    agents: tuple[PlannedAgent, ...]
    procedure: str | None = Field(default=None, description="Local therapy, if any.")
    combination: str = Field(description="How the agents are combined, doses and schedule.")
    schedule: str = Field(description="Schedule class, e.g. 'oral continuous + IM q4w'.")
    classes: tuple[str, ...]
    pathway_steps: tuple[str, ...] = Field(description="Pathway steps (ids) that proposed it.")
    why: tuple[str, ...]
    matched_biomarkers: tuple[str, ...] = ()
    grade: Grade
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    expected_benefit: tuple[str, ...] = ()
    warnings: tuple[OptionWarning, ...] = ()
    monitoring: tuple[Monitoring, ...] = ()


class ExcludedOption(CaseModel):
    """An option the pathways would offer in this setting, set aside for this patient."""

    regimen_id: str
    name: str
    agents: tuple[str, ...] = Field(description="The agents that were considered.")
    pathway_steps: tuple[str, ...]
    reasons: tuple[str, ...] = Field(min_length=1)
    rules: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()


class TreatmentPlan(CaseModel):
    """Everything the tumor board needs to choose the next therapy."""

    format_version: str = PLAN_FORMAT_VERSION
    patient_id: str
    as_of: dt.date
    subtype: str | None
    her2: str
    line: int = Field(description="The metastatic line these options are for.")
    line_basis: str = Field(description="How the line was worked out.")
    current_regimen: str | None = None
    endocrine_sensitivity: EndocrineSensitivity
    visceral_crisis: str | None = Field(
        default=None, description="Why the planner treats the disease as a visceral crisis."
    )
    options: tuple[TreatmentOption, ...]
    supportive_and_local: tuple[TreatmentOption, ...] = ()
    excluded: tuple[ExcludedOption, ...] = ()
    immunotherapy: ImmunotherapyEligibility
    testing_suggestions: tuple[TestingSuggestion, ...] = ()
    prognosis: tuple[PrognosisResult, ...] = Field(
        default=(),
        description="Each shipped prognosis model: its estimates where the patient is in its "
        "domain, otherwise why not.",
    )
    notes: tuple[str, ...] = ()
    knowledge_versions: dict[str, str]
    disclaimer: str = DISCLAIMER
