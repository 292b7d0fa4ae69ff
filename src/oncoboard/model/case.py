"""The case: one validated record per patient, the root of a case file."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from oncoboard.model._base import CaseModel, FieldError, mcode
from oncoboard.model.biomarkers import BiomarkerResult
from oncoboard.model.clinical import (
    Comorbidity,
    Lifestyle,
    Medication,
    PerformanceStatus,
    Preferences,
)
from oncoboard.model.genomics import GenomicReport
from oncoboard.model.imaging import ImagingAssessment
from oncoboard.model.labs import LabResult
from oncoboard.model.metastasis import MetastaticSite, VisceralCrisis
from oncoboard.model.monitoring import LiquidBiopsy, TumorMarkerResult
from oncoboard.model.patient import Patient, PrimaryDiagnosis
from oncoboard.model.receptors import ReceptorTest
from oncoboard.model.treatment import AdverseEvent, LocalTherapy, TreatmentLine

__all__ = ["SCHEMA_VERSION", "Case"]

SCHEMA_VERSION = "1"


class Case(CaseModel):
    """Everything the tumor board needs about one patient with metastatic breast cancer.

    Sections that were never assessed are empty or absent: *not tested* is never *negative*.
    """

    model_config = CaseModel.model_config | {
        "json_schema_extra": mcode("PatientBundle"),
        "title": "Oncoboard case",
    }

    schema_version: Literal["1"] = Field(description="Case-file format version.")
    synthetic: bool = Field(
        default=False, description="True for synthetic (made-up) patients such as the demo cohort."
    )
    as_of: dt.date | None = Field(
        default=None, description="Date the record was last brought up to date (tumor board date)."
    )
    patient: Patient
    primary_diagnosis: PrimaryDiagnosis
    metastatic_sites: list[MetastaticSite] = Field(default_factory=list)
    visceral_crisis: VisceralCrisis | None = Field(
        default=None,
        description="Clinician-assessed visceral crisis (ABC5 definition); absent = not assessed.",
    )
    receptors: list[ReceptorTest] = Field(
        default_factory=list, description="ER, PR and HER2 results over time (any specimen)."
    )
    performance_status: list[PerformanceStatus] = Field(default_factory=list)
    comorbidities: list[Comorbidity] = Field(default_factory=list)
    labs: list[LabResult] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    lifestyle: Lifestyle | None = None
    preferences: Preferences | None = None
    genomic_reports: list[GenomicReport] = Field(default_factory=list)
    biomarkers: list[BiomarkerResult] = Field(default_factory=list)
    treatments: list[TreatmentLine] = Field(default_factory=list)
    local_therapies: list[LocalTherapy] = Field(
        default_factory=list, description="Surgery, radiotherapy (incl. SRS/WBRT), ablation."
    )
    imaging: list[ImagingAssessment] = Field(default_factory=list)
    liquid_biopsies: list[LiquidBiopsy] = Field(default_factory=list)
    tumor_markers: list[TumorMarkerResult] = Field(default_factory=list)
    adverse_events: list[AdverseEvent] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _cross_section_checks(self) -> Case:
        self._check_birth_date()
        self._check_unique_ids()
        self._check_adverse_event_lines()
        return self

    def _check_birth_date(self) -> None:
        born = self.patient.birth_date
        if born is not None and self.primary_diagnosis.date < born:
            raise FieldError(
                "primary_diagnosis.date",
                f"diagnosis {self.primary_diagnosis.date.isoformat()} is before the birth date "
                f"{born.isoformat()}",
            )

    def _check_unique_ids(self) -> None:
        sections: dict[str, list[str | None]] = {
            "genomic_reports": [report.id for report in self.genomic_reports],
            "treatments": [line.id for line in self.treatments],
        }
        for section, ids in sections.items():
            seen: set[str] = set()
            for index, item_id in enumerate(ids):
                if item_id is None:
                    continue
                if item_id in seen:
                    raise FieldError(f"{section}.{index}.id", f"id {item_id!r} is used twice")
                seen.add(item_id)

    def _check_adverse_event_lines(self) -> None:
        line_ids = {line.id for line in self.treatments if line.id is not None}
        for index, event in enumerate(self.adverse_events):
            if event.treatment_line is not None and event.treatment_line not in line_ids:
                raise FieldError(
                    f"adverse_events.{index}.treatment_line",
                    f"no treatment line has id {event.treatment_line!r}",
                )
