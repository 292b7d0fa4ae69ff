"""Alert types of the monitoring report (see :mod:`oncoboard.monitoring.report`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel

__all__ = ["Alert", "AlertKind", "SuggestedOption"]


class AlertKind(StrEnum):
    """What the alert is about."""

    RADIOGRAPHIC_PROGRESSION = "radiographic_progression"
    MOLECULAR_PROGRESSION_FIRST = "molecular_progression_before_radiographic"
    EMERGENT_RESISTANCE = "emergent_resistance"
    CLEARANCE = "ctdna_clearance"
    CTC_HIGH = "ctc_high"


class SuggestedOption(CaseModel):
    """A planner option that targets the alteration an alert is about."""

    rank: int | None = Field(description="Rank of the option in the plan (1 = first choice).")
    regimen_id: str
    name: str
    grade: str = Field(description="Oncoboard evidence grade A-D of the option.")
    agents: tuple[str, ...]
    matched_biomarkers: tuple[str, ...] = Field(
        description="The plan's matched biomarkers that involve the alert's gene."
    )
    evidence: tuple[Evidence, ...]


class Alert(CaseModel):
    """An alert with its date, detail, rule and evidence."""

    kind: AlertKind
    date: dt.date
    criterion: str | None = Field(
        default=None,
        description="Response criterion behind a radiographic alert: 'RECIST 1.1', "
        "'iRECIST', 'PERCIST 1.0' or 'RANO-BM'.",
    )
    detail: str
    action: str
    rule: str
    evidence: tuple[Evidence, ...]
    suggested_options: tuple[SuggestedOption, ...] = Field(
        default=(),
        description="Emergent-resistance alerts: up to 3 options of the current plan "
        "(oncoboard plan) whose biomarker match involves the emergent gene, in plan order.",
    )
