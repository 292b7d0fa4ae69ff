"""Receptor results: ER and PR (percent of stained nuclei) and HER2 (IHC score, ISH).

A receptor that has no result in the case is *not tested*; it is never taken as negative.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Percent, mcode

__all__ = [
    "HER2IHCScore",
    "HER2Test",
    "HormoneReceptorTest",
    "ISHResult",
    "Interpretation",
    "ReceptorTest",
    "Specimen",
    "TestMethod",
]


class Specimen(StrEnum):
    """Which tumour the specimen came from."""

    PRIMARY = "primary"
    METASTASIS = "metastasis"
    RECURRENCE = "local_recurrence"


class TestMethod(StrEnum):
    """Laboratory method of a receptor test."""

    IHC = "IHC"
    FISH = "FISH"
    CISH = "CISH"
    DISH = "DISH"
    RNA = "RNA"  # e.g. RT-qPCR (not a substitute for IHC under ASCO/CAP; kept for history)


class Interpretation(StrEnum):
    """Laboratory interpretation when no percentage is given."""

    POSITIVE = "positive"
    NEGATIVE = "negative"


class HER2IHCScore(StrEnum):
    """HER2 IHC score, with ``0+membrane`` for IHC 0 with membrane staining (HER2-ultralow).

    References
    ----------
    Wolff AC et al. HER2 testing in breast cancer: ASCO-CAP guideline update 2023.
    J Clin Oncol 2023;41:3867. doi:10.1200/JCO.22.02864.
    FDA approval of T-DXd for HER2-low or -ultralow (27 Jan 2025; DESTINY-Breast06).
    """

    ZERO = "0"
    ZERO_MEMBRANE = "0+membrane"
    ONE = "1+"
    TWO = "2+"
    THREE = "3+"


class ISHResult(StrEnum):
    """Final HER2 in-situ hybridisation result as reported by the laboratory."""

    AMPLIFIED = "amplified"
    NOT_AMPLIFIED = "not_amplified"
    EQUIVOCAL = "equivocal"


class _ReceptorTestBase(CaseModel):
    date: dt.date = Field(description="Date the specimen was collected (or reported if unknown).")
    specimen: Specimen = Specimen.PRIMARY
    specimen_site: str | None = Field(
        default=None, description="Anatomical site of the specimen, e.g. 'liver'."
    )
    lab: str | None = Field(default=None, description="Reporting laboratory.")


class HormoneReceptorTest(_ReceptorTestBase):
    """ER or PR by IHC: percent of tumour nuclei stained (ASCO/CAP 2020: ≥1% is positive)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    receptor: Literal["ER", "PR"]
    method: Literal[TestMethod.IHC, TestMethod.RNA] = TestMethod.IHC
    percent: Percent | None = Field(
        default=None, description="Percent of tumour nuclei with staining, 0–100."
    )
    intensity: Literal["weak", "moderate", "strong"] | None = None
    allred_score: Annotated[int, Field(ge=0, le=8)] | None = None
    interpretation: Interpretation | None = Field(
        default=None, description="Laboratory interpretation, when no percent is reported."
    )

    @model_validator(mode="after")
    def _needs_result(self) -> HormoneReceptorTest:
        if self.percent is None and self.interpretation is None:
            raise FieldError("percent", f"{self.receptor} test needs percent or interpretation")
        if self.percent is not None and self.interpretation is not None:
            implied = Interpretation.POSITIVE if self.percent >= 1 else Interpretation.NEGATIVE
            if implied is not self.interpretation:
                raise FieldError(
                    "interpretation",
                    f"{self.receptor} percent {self.percent!r} contradicts interpretation "
                    f"{self.interpretation.value!r} (ASCO/CAP 2020: positive is ≥1%)",
                )
        return self


class HER2Test(_ReceptorTestBase):
    """HER2 by IHC (score) and/or ISH (result, HER2/CEP17 ratio, mean HER2 copies per cell)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    receptor: Literal["HER2"]
    method: TestMethod
    ihc_score: HER2IHCScore | None = Field(
        default=None, description="IHC score: 0, 0+membrane (ultralow), 1+, 2+, 3+."
    )
    ihc_antibody: str | None = Field(default=None, description="IHC clone, e.g. 4B5.")
    ish_result: ISHResult | None = None
    ish_ratio: Annotated[float, Field(gt=0, le=100)] | None = Field(
        default=None, description="HER2/CEP17 signal ratio."
    )
    her2_copies_per_cell: Annotated[float, Field(ge=0, le=200)] | None = Field(
        default=None, description="Mean HER2 signals per nucleus."
    )

    @field_validator("ihc_score", mode="before")
    @classmethod
    def _zero_as_text(cls, value: object) -> object:
        # YAML reads an unquoted `ihc_score: 0` as the integer 0; it can only mean IHC 0.
        return "0" if type(value) is int and value == 0 else value

    @model_validator(mode="after")
    def _consistent_method(self) -> HER2Test:
        if self.method is TestMethod.IHC:
            if self.ihc_score is None:
                raise FieldError("ihc_score", "HER2 IHC test needs ihc_score")
            if self.ish_result is not None or self.ish_ratio is not None:
                raise FieldError(
                    "ish_result", "an IHC test carries no ISH result; record ISH as its own test"
                )
        elif self.method in (TestMethod.FISH, TestMethod.CISH, TestMethod.DISH):
            if self.ihc_score is not None:
                raise FieldError(
                    "ihc_score", "an ISH test carries no IHC score; record IHC as its own test"
                )
            if self.ish_result is None and (
                self.ish_ratio is None or self.her2_copies_per_cell is None
            ):
                raise FieldError(
                    "ish_result",
                    "HER2 ISH test needs ish_result, or both ish_ratio and her2_copies_per_cell",
                )
        else:
            raise FieldError("method", f"method {self.method.value!r} is not a HER2 test method")
        return self


ReceptorTest = Annotated[HormoneReceptorTest | HER2Test, Field(discriminator="receptor")]
