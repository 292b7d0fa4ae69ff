"""The patient (mCODE ``CancerPatient``) and the primary diagnosis (``PrimaryCancerCondition``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Identifier, mcode

__all__ = [
    "Grade",
    "Histology",
    "Laterality",
    "MenopausalStatus",
    "Patient",
    "PrimaryDiagnosis",
    "Sex",
    "Stage",
]


class Sex(StrEnum):
    """Administrative sex as recorded (mCODE ``CancerPatient.gender``)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class MenopausalStatus(StrEnum):
    """Menopausal status; drives ovarian function suppression with endocrine therapy."""

    PREMENOPAUSAL = "premenopausal"
    PERIMENOPAUSAL = "perimenopausal"
    POSTMENOPAUSAL = "postmenopausal"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class Patient(CaseModel):
    """Who the case is about. Give ``birth_date`` or ``age_years`` (age at ``as_of``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("CancerPatient")}

    id: Identifier
    sex: Sex
    birth_date: dt.date | None = Field(default=None, description="Date of birth (ISO 8601).")
    age_years: Annotated[int, Field(ge=0, le=120)] | None = Field(
        default=None, description="Age in whole years at the case's as_of date, when no birth date."
    )
    menopausal_status: MenopausalStatus = Field(
        default=MenopausalStatus.UNKNOWN,
        description="Current menopausal status (not_applicable for men).",
    )

    @model_validator(mode="after")
    def _needs_age(self) -> Patient:
        if self.birth_date is None and self.age_years is None:
            raise FieldError("birth_date", "give birth_date or age_years")
        return self


class Histology(StrEnum):
    """Histological type (WHO classification of breast tumours, 5th edition)."""

    DUCTAL = "invasive_ductal"  # invasive carcinoma of no special type
    LOBULAR = "invasive_lobular"
    MIXED = "mixed_ductal_lobular"
    MUCINOUS = "mucinous"
    METAPLASTIC = "metaplastic"
    SECRETORY = "secretory"
    MEDULLARY = "medullary"
    TUBULAR = "tubular"
    PAPILLARY = "papillary"
    INFLAMMATORY = "inflammatory"
    OTHER = "other"


class Laterality(StrEnum):
    """Which breast."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Grade(StrEnum):
    """Histological grade (Nottingham); ``GX`` when it cannot be assessed."""

    G1 = "G1"
    G2 = "G2"
    G3 = "G3"
    GX = "GX"


class Stage(CaseModel):
    """TNM stage at diagnosis (AJCC 8th edition unless ``system`` says otherwise)."""

    model_config = CaseModel.model_config | {
        "json_schema_extra": mcode("CancerStage", "TNMStageGroup")
    }

    system: str = Field(default="AJCC 8", description="Staging system and edition.")
    basis: Annotated[str, Field(pattern=r"^(clinical|pathological|post_neoadjuvant)$")] = Field(
        default="clinical",
        description="clinical (cTNM), pathological (pTNM) or post_neoadjuvant (ypTNM).",
    )
    t: Annotated[str, Field(pattern=r"^T(X|0|is|1mi|1a|1b|1c|1|2|3|4a|4b|4c|4d|4)$")] | None = None
    n: Annotated[str, Field(pattern=r"^N(X|0|1mi|1a|1b|1c|1|2a|2b|2|3a|3b|3c|3)$")] | None = None
    m: Annotated[str, Field(pattern=r"^M(0|1)$")] | None = None
    group: Annotated[str, Field(pattern=r"^(0|IA|IB|IIA|IIB|IIIA|IIIB|IIIC|IV)$")] | None = Field(
        default=None, description="Anatomic stage group, 0 to IV."
    )


class PrimaryDiagnosis(CaseModel):
    """The primary breast cancer (mCODE ``PrimaryCancerCondition``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("PrimaryCancerCondition")}

    date: dt.date = Field(description="Date of the first histological diagnosis.")
    histology: Histology
    icdo3_morphology: Annotated[str, Field(pattern=r"^\d{4}/[0-3]$")] | None = Field(
        default=None, description="ICD-O-3 morphology code, e.g. 8500/3."
    )
    grade: Grade | None = None
    laterality: Laterality | None = None
    stage: Stage | None = None
    de_novo_metastatic: bool = Field(
        default=False, description="Stage IV at first diagnosis (no prior early-stage disease)."
    )
    metastatic_recurrence_date: dt.date | None = Field(
        default=None, description="Date metastatic disease was diagnosed (None if de novo)."
    )

    @field_validator("metastatic_recurrence_date")
    @classmethod
    def _recurrence_after_diagnosis(
        cls, value: dt.date | None, info: ValidationInfo
    ) -> dt.date | None:
        diagnosed = info.data.get("date")
        if value is not None and diagnosed is not None and value < diagnosed:
            raise ValueError(
                f"metastatic recurrence {value.isoformat()} is before the primary diagnosis "
                f"{diagnosed.isoformat()}"
            )
        return value
