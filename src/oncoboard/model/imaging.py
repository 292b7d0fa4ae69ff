"""Imaging assessments with lesion measurements (inputs to RECIST 1.1, PERCIST, RANO-BM)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Identifier, fhir, mcode
from oncoboard.model.metastasis import SiteName

__all__ = ["ImagingAssessment", "Lesion", "LesionRole", "Modality", "NonTargetStatus"]


class Modality(StrEnum):
    """Imaging modality."""

    CT = "CT"
    MRI = "MRI"
    PET_CT = "PET-CT"
    BONE_SCAN = "bone_scan"
    XRAY = "X-ray"
    ULTRASOUND = "ultrasound"


class LesionRole(StrEnum):
    """RECIST 1.1 role of the lesion at baseline (``new`` for lesions first seen later)."""

    TARGET = "target"
    NON_TARGET = "non_target"
    NEW = "new"


class NonTargetStatus(StrEnum):
    """Assessment of a non-target lesion (RECIST 1.1)."""

    PRESENT = "present"
    ABSENT = "absent"
    UNEQUIVOCAL_PROGRESSION = "unequivocal_progression"


class Lesion(CaseModel):
    """One lesion at one time point; ``id`` links the same lesion across assessments.

    ``size_mm`` is the longest diameter, or the short axis for lymph nodes (RECIST 1.1).
    """

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorSize")}

    id: Identifier
    site: SiteName
    role: LesionRole
    lymph_node: bool = Field(default=False, description="True for nodal lesions (short axis).")
    size_mm: Annotated[float, Field(ge=0, le=500)] | None = Field(
        default=None, description="Longest diameter (short axis for nodes), millimetres."
    )
    status: NonTargetStatus | None = Field(
        default=None, description="Non-target and new lesions: present/absent/progression."
    )
    suv_max: Annotated[float, Field(ge=0, le=200)] | None = None
    suv_peak: Annotated[float, Field(ge=0, le=200)] | None = None
    sul_peak: Annotated[float, Field(ge=0, le=200)] | None = Field(
        default=None, description="SUV normalised to lean body mass, peak (PERCIST)."
    )
    previously_irradiated: bool = Field(
        default=False,
        description="In a previously irradiated field (RECIST: not measurable "
        "unless it progressed there).",
    )
    description: str | None = None

    @model_validator(mode="after")
    def _measured_if_target(self) -> Lesion:
        if self.role is LesionRole.TARGET and self.size_mm is None:
            raise FieldError("size_mm", "a target lesion needs size_mm")
        if self.lymph_node and self.site is not SiteName.LYMPH_NODE:
            raise FieldError("lymph_node", f"lymph_node is true but site is {self.site.value!r}")
        return self


class ImagingAssessment(CaseModel):
    """One imaging study and the lesions read on it."""

    model_config = CaseModel.model_config | {"json_schema_extra": fhir("ImagingStudy")}

    date: dt.date
    modality: Modality
    body_region: str | None = Field(default=None, description="e.g. 'chest/abdomen/pelvis'.")
    baseline: bool = Field(default=False, description="True for the baseline of the current line.")
    lesions: list[Lesion] = Field(default_factory=list)
    report: str | None = Field(default=None, description="Short free-text impression.")

    @field_validator("lesions")
    @classmethod
    def _unique_ids(cls, value: list[Lesion]) -> list[Lesion]:
        seen: set[str] = set()
        for lesion in value:
            if lesion.id in seen:
                raise ValueError(f"lesion id {lesion.id!r} appears twice in one assessment")
            seen.add(lesion.id)
        return value
