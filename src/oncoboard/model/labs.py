"""Laboratory values and organ-function measurements, each with its unit and date.

Units are checked against a fixed table per test and can be converted to the test's canonical
unit with :meth:`LabResult.in_canonical_unit`, so rules never compare numbers in mixed units.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field, model_validator

from oncoboard.model._base import CaseModel, FieldError, fhir

__all__ = ["LAB_UNITS", "LabResult", "LabTest"]


class LabTest(StrEnum):
    """Laboratory tests and organ-function measurements the planner and monitors use."""

    HBA1C = "hba1c"
    FASTING_GLUCOSE = "fasting_glucose"
    LVEF = "lvef"
    QTCF = "qtcf"
    ANC = "anc"
    PLATELETS = "platelets"
    HEMOGLOBIN = "hemoglobin"
    TOTAL_BILIRUBIN = "total_bilirubin"
    AST = "ast"
    ALT = "alt"
    ALKALINE_PHOSPHATASE = "alkaline_phosphatase"
    ALBUMIN = "albumin"
    CREATININE = "creatinine"
    CREATININE_CLEARANCE = "creatinine_clearance"
    EGFR = "egfr"
    POTASSIUM = "potassium"
    MAGNESIUM = "magnesium"
    CALCIUM = "calcium"
    LDH = "ldh"
    DIRECT_BILIRUBIN = "direct_bilirubin"
    TSH = "tsh"
    FREE_T4 = "free_t4"
    TOTAL_CHOLESTEROL = "total_cholesterol"
    TRIGLYCERIDES = "triglycerides"


# unit -> factor that converts a value in that unit to the canonical (first) unit.
LAB_UNITS: Final[dict[LabTest, dict[str, float]]] = {
    LabTest.HBA1C: {"%": 1.0, "mmol/mol": 0.0},  # IFCC mmol/mol converted by the NGSP equation
    LabTest.FASTING_GLUCOSE: {"mg/dL": 1.0, "mmol/L": 18.016},
    LabTest.LVEF: {"%": 1.0},
    LabTest.QTCF: {"ms": 1.0},
    LabTest.ANC: {"10^9/L": 1.0, "cells/uL": 0.001},
    LabTest.PLATELETS: {"10^9/L": 1.0, "cells/uL": 0.001},
    LabTest.HEMOGLOBIN: {"g/dL": 1.0, "g/L": 0.1},
    LabTest.TOTAL_BILIRUBIN: {"mg/dL": 1.0, "umol/L": 1 / 17.104},
    LabTest.AST: {"U/L": 1.0},
    LabTest.ALT: {"U/L": 1.0},
    LabTest.ALKALINE_PHOSPHATASE: {"U/L": 1.0},
    LabTest.ALBUMIN: {"g/dL": 1.0, "g/L": 0.1},
    LabTest.CREATININE: {"mg/dL": 1.0, "umol/L": 1 / 88.42},
    LabTest.CREATININE_CLEARANCE: {"mL/min": 1.0},
    LabTest.EGFR: {"mL/min/1.73m2": 1.0},
    LabTest.POTASSIUM: {"mmol/L": 1.0},
    LabTest.MAGNESIUM: {"mmol/L": 1.0, "mg/dL": 0.4114},
    LabTest.CALCIUM: {"mg/dL": 1.0, "mmol/L": 4.008},
    LabTest.LDH: {"U/L": 1.0},
    LabTest.DIRECT_BILIRUBIN: {"mg/dL": 1.0, "umol/L": 1 / 17.104},
    LabTest.TSH: {"mIU/L": 1.0, "uIU/mL": 1.0},
    LabTest.FREE_T4: {"ng/dL": 1.0, "pmol/L": 1 / 12.871},
    LabTest.TOTAL_CHOLESTEROL: {"mg/dL": 1.0, "mmol/L": 38.67},
    LabTest.TRIGLYCERIDES: {"mg/dL": 1.0, "mmol/L": 88.57},
}

# Plausibility bounds in the canonical unit; a value outside is a typing error, not a lab value.
_PLAUSIBLE: Final[dict[LabTest, tuple[float, float]]] = {
    LabTest.HBA1C: (2.0, 25.0),
    LabTest.FASTING_GLUCOSE: (10.0, 2000.0),
    LabTest.LVEF: (5.0, 90.0),
    LabTest.QTCF: (200.0, 800.0),
    LabTest.ANC: (0.0, 200.0),
    LabTest.PLATELETS: (0.0, 3000.0),
    LabTest.HEMOGLOBIN: (1.0, 25.0),
    LabTest.TOTAL_BILIRUBIN: (0.0, 60.0),
    LabTest.AST: (0.0, 20000.0),
    LabTest.ALT: (0.0, 20000.0),
    LabTest.ALKALINE_PHOSPHATASE: (0.0, 20000.0),
    LabTest.ALBUMIN: (0.5, 7.0),
    LabTest.CREATININE: (0.05, 30.0),
    LabTest.CREATININE_CLEARANCE: (0.0, 300.0),
    LabTest.EGFR: (0.0, 300.0),
    LabTest.POTASSIUM: (1.0, 10.0),
    LabTest.MAGNESIUM: (0.1, 5.0),
    LabTest.CALCIUM: (2.0, 25.0),
    LabTest.LDH: (0.0, 50000.0),
    LabTest.DIRECT_BILIRUBIN: (0.0, 40.0),
    LabTest.TSH: (0.0, 500.0),
    LabTest.FREE_T4: (0.0, 10.0),
    LabTest.TOTAL_CHOLESTEROL: (20.0, 1500.0),
    LabTest.TRIGLYCERIDES: (10.0, 10000.0),
}


def _hba1c_ifcc_to_ngsp(mmol_per_mol: float) -> float:
    """IFCC mmol/mol → NGSP % (IFCC-NGSP master equation: NGSP = 0.0915 × IFCC + 2.15).

    References
    ----------
    Hoelzel W et al. Clin Chem 2004;50:166-174 (IFCC reference system for HbA1c).
    """
    return 0.0915 * mmol_per_mol + 2.15


class LabResult(CaseModel):
    """One laboratory value or organ-function measurement (mCODE-style Observation)."""

    model_config = CaseModel.model_config | {"json_schema_extra": fhir("Observation")}

    test: LabTest
    value: Annotated[float, Field(ge=0)]
    unit: str = Field(description="Unit; allowed units per test are listed in docs/case-format.md.")
    date: dt.date
    upper_limit_normal: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="Laboratory upper limit of normal, in the same unit as value."
    )
    method: str | None = Field(
        default=None, description="e.g. 'echocardiogram' or 'MUGA' for LVEF, 'Cockcroft-Gault'."
    )

    @model_validator(mode="after")
    def _known_unit_and_plausible(self) -> LabResult:
        units = LAB_UNITS[self.test]
        if self.unit not in units:
            raise FieldError(
                "unit",
                f"unit {self.unit!r} is not valid for {self.test.value}; expected one of "
                f"{sorted(units)}",
            )
        low, high = _PLAUSIBLE[self.test]
        canonical = self.in_canonical_unit()
        if not low <= canonical <= high:
            raise FieldError(
                "value",
                f"{self.test.value} {self.value!r} {self.unit} is outside the plausible range "
                f"{low:g}–{high:g} {self.canonical_unit}",
            )
        return self

    @property
    def canonical_unit(self) -> str:
        """The unit rules use for this test (the first unit of its table)."""
        return next(iter(LAB_UNITS[self.test]))

    def in_canonical_unit(self) -> float:
        """The value converted to :attr:`canonical_unit`."""
        if self.test is LabTest.HBA1C and self.unit == "mmol/mol":
            return _hba1c_ifcc_to_ngsp(self.value)
        return self.value * LAB_UNITS[self.test][self.unit]

    def times_uln(self) -> float | None:
        """Value as a multiple of the upper limit of normal, when the ULN is recorded."""
        if self.upper_limit_normal is None:
            return None
        return self.value / self.upper_limit_normal
