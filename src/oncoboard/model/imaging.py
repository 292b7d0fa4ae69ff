"""Imaging assessments with lesion measurements (inputs to RECIST 1.1, PERCIST, RANO-BM)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Identifier, fhir, mcode
from oncoboard.model.metastasis import SiteName

__all__ = [
    "CorticosteroidStatus",
    "ImagingAssessment",
    "Lesion",
    "LesionRole",
    "Modality",
    "NeurologicalStatus",
    "NonTargetStatus",
]


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


class CorticosteroidStatus(StrEnum):
    """Corticosteroid use at a brain study, relative to the RANO-BM baseline."""

    NONE = "none"
    STABLE = "stable"
    INCREASED = "increased"
    DECREASED = "decreased"


class NeurologicalStatus(StrEnum):
    """Neurological (clinical) status at a brain study, relative to the RANO-BM baseline."""

    STABLE = "stable"
    IMPROVED = "improved"
    WORSE = "worse"


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
    too_small_to_measure: bool = Field(
        default=False,
        description="Present but too small to measure (faintly seen): RECIST 1.1 assigns a "
        "default 5 mm in the target sum (Eisenhauer EJC 2009;45:228; a disappeared lesion is "
        "0 mm and an actual measure, even < 5 mm, is recorded when possible). Leave size_mm "
        "empty; not for absent lesions.",
    )
    previously_irradiated: bool = Field(
        default=False,
        description="In a previously irradiated field (RECIST: not measurable "
        "unless it progressed there).",
    )
    description: str | None = None

    @model_validator(mode="after")
    def _measured_if_target(self) -> Lesion:
        if self.too_small_to_measure and self.size_mm is not None:
            raise FieldError(
                "too_small_to_measure",
                f"too_small_to_measure is true but size_mm is {self.size_mm:g}; give one or the "
                "other (RECIST 1.1: record an actual measure when one is possible)",
            )
        if self.too_small_to_measure and self.status is NonTargetStatus.ABSENT:
            raise FieldError(
                "too_small_to_measure",
                "too_small_to_measure is true but status is 'absent'; a disappeared lesion is "
                "recorded as absent (0 mm), a faintly seen one as too small to measure (5 mm)",
            )
        if (
            self.role is LesionRole.TARGET
            and self.size_mm is None
            and not self.too_small_to_measure
        ):
            raise FieldError(
                "size_mm", "a target lesion needs size_mm (or too_small_to_measure at follow-up)"
            )
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
    liver_mean_sul: Annotated[float, Field(gt=0, le=50)] | None = Field(
        default=None,
        description="PET-CT: mean SUL of a 3-cm sphere in the right liver lobe (PERCIST "
        "reference; Wahl J Nucl Med 2009;50:122S).",
    )
    liver_sd_sul: Annotated[float, Field(ge=0, le=50)] | None = Field(
        default=None, description="PET-CT: standard deviation of SUL in that liver sphere."
    )
    blood_pool_mean_sul: Annotated[float, Field(gt=0, le=50)] | None = Field(
        default=None,
        description="PET-CT: mean SUL in the descending aorta (PERCIST fallback reference and "
        "background level for complete metabolic response).",
    )
    blood_pool_sd_sul: Annotated[float, Field(ge=0, le=50)] | None = Field(
        default=None, description="PET-CT: standard deviation of SUL in the blood-pool ROI."
    )
    corticosteroids: CorticosteroidStatus | None = Field(
        default=None,
        description="Brain studies (RANO-BM): corticosteroid use at this study relative to the "
        "baseline: none, stable, increased or decreased. Unknown when empty.",
    )
    neurological_status: NeurologicalStatus | None = Field(
        default=None,
        description="Brain studies (RANO-BM): clinical status at this study relative to the "
        "baseline: stable, improved or worse. Unknown when empty.",
    )

    @field_validator("lesions")
    @classmethod
    def _unique_ids(cls, value: list[Lesion]) -> list[Lesion]:
        seen: set[str] = set()
        for lesion in value:
            if lesion.id in seen:
                raise ValueError(f"lesion id {lesion.id!r} appears twice in one assessment")
            seen.add(lesion.id)
        return value

    @model_validator(mode="after")
    def _pet_reference_on_pet(self) -> ImagingAssessment:
        for name in ("liver_mean_sul", "liver_sd_sul", "blood_pool_mean_sul", "blood_pool_sd_sul"):
            if getattr(self, name) is not None and self.modality is not Modality.PET_CT:
                raise FieldError(
                    name, f"{name} is a PET-CT reference but the study is {self.modality.value}"
                )
        return self
