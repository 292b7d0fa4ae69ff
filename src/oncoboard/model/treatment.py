"""Treatment history as lines of therapy, and adverse events (CTCAE)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Identifier, fhir, mcode, not_before

__all__ = [
    "AdverseEvent",
    "Agent",
    "BestResponse",
    "LocalTherapy",
    "LocalTherapyKind",
    "Setting",
    "StopReason",
    "TreatmentLine",
]


class Setting(StrEnum):
    """Treatment setting."""

    NEOADJUVANT = "neoadjuvant"
    ADJUVANT = "adjuvant"
    METASTATIC = "metastatic"
    SUPPORTIVE = "supportive"  # e.g. bone-modifying agents; never counted as a line


class BestResponse(StrEnum):
    """Best overall response on the line (RECIST 1.1 categories; NE not evaluable)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"
    PCR = "pCR"  # pathological complete response, neoadjuvant only


class StopReason(StrEnum):
    """Why the line stopped."""

    PROGRESSION = "progression"
    TOXICITY = "toxicity"
    COMPLETED = "completed"
    PATIENT_CHOICE = "patient_choice"
    DEATH = "death"
    OTHER = "other"


class Agent(CaseModel):
    """One drug of a regimen; ``name`` is a generic name or an alias from the drug vocabulary.

    ``stop_date`` is for a drug stopped while the rest of the line goes on (e.g. the taxane of
    THP before HP maintenance); otherwise the line's dates apply.
    """

    name: str = Field(min_length=1, description="Generic name, e.g. 'palbociclib'.")
    dose: str | None = Field(default=None, description="Free text, e.g. '125 mg d1-21 q28d'.")
    stop_date: dt.date | None = Field(
        default=None, description="When this drug alone stopped, within the line."
    )
    reason_stopped: StopReason | None = None
    investigational: bool = Field(
        default=False,
        description="True for a trial agent not in the drug vocabulary (then any name is kept).",
    )


class TreatmentLine(CaseModel):
    """A line of systemic therapy (mCODE ``CancerRelatedMedicationRequest`` grouped by line)."""

    model_config = CaseModel.model_config | {
        "json_schema_extra": mcode("CancerRelatedMedicationRequest")
    }

    id: Identifier | None = None
    setting: Setting
    line: Annotated[int, Field(ge=1, le=30)] | None = Field(
        default=None, description="Line number in the metastatic setting (1 = first line)."
    )
    agents: list[Agent] = Field(min_length=1)
    start_date: dt.date
    stop_date: dt.date | None = Field(default=None, description="Absent while ongoing.")
    best_response: BestResponse | None = None
    reason_stopped: StopReason | None = None
    progression_date: dt.date | None = None

    @field_validator("stop_date")
    @classmethod
    def _stop_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "start_date")

    @field_validator("progression_date")
    @classmethod
    def _progression_after_start(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        return not_before(value, info, "start_date")

    @model_validator(mode="after")
    def _consistent(self) -> TreatmentLine:
        for index, agent in enumerate(self.agents):
            if agent.stop_date is None:
                continue
            if agent.stop_date < self.start_date or (
                self.stop_date is not None and agent.stop_date > self.stop_date
            ):
                raise FieldError(
                    f"agents.{index}.stop_date",
                    f"{agent.name} stop_date {agent.stop_date.isoformat()} is outside the line "
                    f"({self.start_date.isoformat()} to "
                    f"{self.stop_date.isoformat() if self.stop_date else 'ongoing'})",
                )
        if self.line is not None and self.setting is not Setting.METASTATIC:
            raise FieldError("line", "line numbers apply to the metastatic setting only")
        if self.reason_stopped is not None and self.stop_date is None:
            raise FieldError("stop_date", "reason_stopped is given but stop_date is missing")
        if self.best_response is BestResponse.PCR and self.setting is not Setting.NEOADJUVANT:
            raise FieldError("best_response", "pCR is a neoadjuvant response")
        return self

    @property
    def ongoing(self) -> bool:
        """True while the line has no stop date."""
        return self.stop_date is None

    @property
    def progressed(self) -> bool:
        """True when the line ended with (or recorded) progression."""
        return (
            self.reason_stopped is StopReason.PROGRESSION
            or self.progression_date is not None
            or self.best_response is BestResponse.PD
        )


class AdverseEvent(CaseModel):
    """An adverse event graded with CTCAE (mCODE-style ``AdverseEvent``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": fhir("AdverseEvent")}

    term: str = Field(min_length=1, description="CTCAE term, e.g. 'Hyperglycemia'.")
    grade: Annotated[int, Field(ge=1, le=5, description="CTCAE grade 1–5.")]
    ctcae_version: str = Field(default="5.0")
    onset_date: dt.date
    resolved_date: dt.date | None = None
    attributed_to: list[str] = Field(
        default_factory=list, description="Agents suspected, e.g. ['alpelisib']."
    )
    serious: bool = False
    treatment_line: Identifier | None = Field(
        default=None, description="id of the treatment line during which it occurred."
    )

    @field_validator("resolved_date")
    @classmethod
    def _resolved_after_onset(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "onset_date")


class LocalTherapyKind(StrEnum):
    """Local treatment modality."""

    SURGERY = "surgery"
    STEREOTACTIC_RADIOSURGERY = "stereotactic_radiosurgery"
    STEREOTACTIC_BODY_RADIOTHERAPY = "stereotactic_body_radiotherapy"
    WHOLE_BRAIN_RADIOTHERAPY = "whole_brain_radiotherapy"
    EXTERNAL_BEAM_RADIOTHERAPY = "external_beam_radiotherapy"
    ABLATION = "ablation"
    OTHER = "other"


class LocalTherapy(CaseModel):
    """Surgery, radiotherapy or ablation (mCODE ``CancerRelatedSurgicalProcedure`` and
    ``CancerRelatedRadiationProcedure``)."""

    model_config = CaseModel.model_config | {
        "json_schema_extra": mcode("CancerRelatedSurgicalProcedure", "RadiotherapyCourseSummary")
    }

    kind: LocalTherapyKind
    site: str = Field(min_length=1, description="Target, e.g. 'right frontal lobe', 'T8'.")
    start_date: dt.date
    stop_date: dt.date | None = None
    setting: Setting = Setting.METASTATIC
    total_dose_gy: Annotated[float, Field(gt=0, le=200)] | None = Field(
        default=None, description="Total radiation dose, Gy."
    )
    fractions: Annotated[int, Field(ge=1, le=60)] | None = None
    intent: Annotated[str, Field(pattern=r"^(curative|palliative|ablative)$")] | None = None
    notes: str | None = None

    @field_validator("stop_date")
    @classmethod
    def _stop_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "start_date")
