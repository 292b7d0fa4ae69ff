"""Clinical status: performance status, comorbidities, current medications, lifestyle and
environmental factors, and the patient's preferences."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from oncoboard.model._base import CaseModel, NonNegative, fhir, mcode, not_before

__all__ = [
    "AlcoholUse",
    "CareGoal",
    "Comorbidity",
    "ComorbidityCategory",
    "Lifestyle",
    "Medication",
    "PerformanceStatus",
    "Preferences",
    "RoutePreference",
    "SmokingStatus",
]


class PerformanceStatus(CaseModel):
    """ECOG performance status on a date (mCODE ``ECOGPerformanceStatus``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("ECOGPerformanceStatus")}

    date: dt.date
    ecog: Annotated[int, Field(ge=0, le=5, description="ECOG 0 (fully active) to 5 (dead).")]


class ComorbidityCategory(StrEnum):
    """Categories the safety checks look for (label contraindications and cautions)."""

    DIABETES = "diabetes"
    INTERSTITIAL_LUNG_DISEASE = "interstitial_lung_disease"
    HEART_FAILURE = "heart_failure"
    CORONARY_DISEASE = "coronary_artery_disease"
    ARRHYTHMIA = "arrhythmia"
    LONG_QT = "long_qt"
    HEPATIC_IMPAIRMENT = "hepatic_impairment"
    RENAL_IMPAIRMENT = "renal_impairment"
    AUTOIMMUNE_DISEASE = "autoimmune_disease"
    ORGAN_TRANSPLANT = "organ_transplant"
    PERIPHERAL_NEUROPATHY = "peripheral_neuropathy"
    VENOUS_THROMBOEMBOLISM = "venous_thromboembolism"
    OSTEOPOROSIS = "osteoporosis"
    INFECTION = "chronic_infection"
    GILBERT_SYNDROME = "gilbert_syndrome"
    PSYCHIATRIC = "psychiatric"
    OTHER = "other"


class Comorbidity(CaseModel):
    """A comorbid condition (mCODE ``ComorbiditiesParent``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("Comorbidities")}

    condition: str = Field(
        min_length=1, description="Condition as recorded, e.g. 'type 2 diabetes'."
    )
    category: ComorbidityCategory
    code: str | None = Field(default=None, description="ICD-10-CM or SNOMED CT code, if coded.")
    status: Annotated[str, Field(pattern=r"^(active|resolved)$")] = "active"
    onset_date: dt.date | None = None


class Medication(CaseModel):
    """A current non-cancer medication, checked for interactions (e.g. CYP3A4, QT)."""

    model_config = CaseModel.model_config | {"json_schema_extra": fhir("MedicationStatement")}

    name: str = Field(min_length=1, description="Generic name, e.g. 'clarithromycin'.")
    rxnorm: Annotated[str, Field(pattern=r"^\d+$")] | None = None
    dose: str | None = Field(default=None, description="Free-text dose, e.g. '500 mg bid'.")
    start_date: dt.date | None = None
    stop_date: dt.date | None = None

    @field_validator("stop_date")
    @classmethod
    def _stop_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return not_before(value, info, "start_date")


class SmokingStatus(StrEnum):
    """Tobacco smoking status."""

    NEVER = "never"
    FORMER = "former"
    CURRENT = "current"
    UNKNOWN = "unknown"


class AlcoholUse(CaseModel):
    """Alcohol intake."""

    units_per_week: NonNegative | None = Field(
        default=None, description="Standard drinks (10 g ethanol) per week."
    )


class Lifestyle(CaseModel):
    """Lifestyle and environmental factors that modify risk, toxicity or interactions."""

    smoking: SmokingStatus = SmokingStatus.UNKNOWN
    pack_years: NonNegative | None = None
    alcohol: AlcoholUse | None = None
    height_cm: Annotated[float, Field(gt=50, lt=250)] | None = None
    weight_kg: Annotated[float, Field(gt=20, lt=350)] | None = None
    bmi: Annotated[float, Field(gt=10, lt=80)] | None = Field(
        default=None,
        description="Body-mass index in kg/m²; derived from height and weight if absent.",
    )
    diet_supplements: list[str] = Field(
        default_factory=list,
        description="Foods and supplements with interaction potential, e.g. 'grapefruit', "
        "'St John's wort', 'turmeric'.",
    )
    environmental_exposures: list[str] = Field(
        default_factory=list, description="e.g. 'chest radiotherapy for Hodgkin lymphoma'."
    )
    physical_activity_min_per_week: NonNegative | None = None

    def body_mass_index(self) -> float | None:
        """BMI as recorded, else computed from height and weight (kg/m²)."""
        if self.bmi is not None:
            return self.bmi
        if self.height_cm is not None and self.weight_kg is not None:
            return self.weight_kg / (self.height_cm / 100) ** 2
        return None


class RoutePreference(StrEnum):
    """Preferred route of administration."""

    ORAL = "oral"
    INTRAVENOUS = "intravenous"
    NO_PREFERENCE = "no_preference"


class CareGoal(StrEnum):
    """Goals of care as discussed with the patient."""

    LIFE_PROLONGING = "life_prolonging"
    QUALITY_OF_LIFE = "quality_of_life"
    COMFORT = "comfort"
    UNDECIDED = "undecided"


class Preferences(CaseModel):
    """What the patient wants; the planner ranks by it and never hides options because of it."""

    route: RoutePreference = RoutePreference.NO_PREFERENCE
    goals_of_care: CareGoal = CareGoal.UNDECIDED
    avoid_alopecia: bool = False
    open_to_clinical_trials: bool | None = None
    max_visits_per_month: Annotated[int, Field(ge=0, le=31)] | None = None
    notes: str | None = None
