"""Other tumour biomarkers: PD-L1 (assay and score), Ki-67 and TROP2."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from oncoboard.model._base import CaseModel, FieldError, Percent, mcode

__all__ = ["BiomarkerResult", "Ki67Result", "PDL1Assay", "PDL1Result", "PDL1Scoring", "TROP2Result"]


class PDL1Assay(StrEnum):
    """PD-L1 IHC assay (clone)."""

    CLONE_22C3 = "22C3"
    SP142 = "SP142"
    SP263 = "SP263"
    CLONE_28_8 = "28-8"
    OTHER = "other"


class PDL1Scoring(StrEnum):
    """PD-L1 scoring algorithm.

    CPS: (PD-L1+ tumour cells + lymphocytes + macrophages) / viable tumour cells × 100, capped at
    100 (22C3 pharmDx, pembrolizumab). IC: % of tumour area occupied by PD-L1+ immune cells
    (SP142). TPS: % of viable tumour cells with membrane staining.
    """

    CPS = "CPS"
    IC = "IC"
    TPS = "TPS"


class _BiomarkerBase(CaseModel):
    date: dt.date
    specimen_site: str | None = None


class PDL1Result(_BiomarkerBase):
    """PD-L1 expression, with the assay and scoring that make the number meaningful."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    marker: Literal["PD-L1"]
    assay: PDL1Assay
    scoring: PDL1Scoring
    value: Annotated[float, Field(ge=0)] = Field(description="CPS (0–100) or percent (IC, TPS).")

    @model_validator(mode="after")
    def _scale(self) -> PDL1Result:
        if self.value > 100:
            raise FieldError("value", f"PD-L1 {self.scoring.value} {self.value!r} exceeds 100")
        return self


class Ki67Result(_BiomarkerBase):
    """Ki-67 proliferation index, percent of tumour nuclei."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    marker: Literal["Ki-67"]
    percent: Percent


class TROP2Result(_BiomarkerBase):
    """TROP2 expression (not required for TROP2 ADC eligibility; kept for research)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    marker: Literal["TROP2"]
    h_score: Annotated[float, Field(ge=0, le=300)] | None = None
    ihc_score: Literal["0", "1+", "2+", "3+"] | None = None

    @model_validator(mode="after")
    def _needs_result(self) -> TROP2Result:
        if self.h_score is None and self.ihc_score is None:
            raise FieldError("h_score", "TROP2 result needs h_score or ihc_score")
        return self


BiomarkerResult = Annotated[PDL1Result | Ki67Result | TROP2Result, Field(discriminator="marker")]
