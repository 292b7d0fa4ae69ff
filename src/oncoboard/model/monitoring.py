"""Serial monitoring inputs: liquid biopsies (ctDNA, tumour fraction, CTCs) and tumour markers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from oncoboard.model._base import CaseModel, FieldError, Fraction, mcode

__all__ = ["MARKER_UNITS", "CtDNAVariant", "LiquidBiopsy", "TumorMarkerName", "TumorMarkerResult"]

_VAF_TOLERANCE = 0.02  # absolute tolerance between a reported VAF and alt_reads / depth


class CtDNAVariant(CaseModel):
    """A variant tracked in plasma: gene, change, and the read counts behind its VAF."""

    gene: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$")]
    hgvs_p: Annotated[str, Field(pattern=r"^p\.\S+$")] | None = None
    hgvs_c: Annotated[str, Field(pattern=r"^c\.\S+$")] | None = None
    alt_reads: Annotated[int, Field(ge=0)]
    depth: Annotated[int, Field(ge=1)]
    vaf: Fraction | None = Field(default=None, description="Reported VAF; else alt_reads/depth.")

    @model_validator(mode="after")
    def _reads_consistent(self) -> CtDNAVariant:
        if self.hgvs_p is None and self.hgvs_c is None:
            raise FieldError("hgvs_p", "a ctDNA variant needs hgvs_p or hgvs_c")
        if self.alt_reads > self.depth:
            raise FieldError("alt_reads", f"alt_reads {self.alt_reads} exceed depth {self.depth}")
        if self.vaf is not None and abs(self.vaf - self.alt_reads / self.depth) > _VAF_TOLERANCE:
            raise FieldError(
                "vaf",
                f"vaf {self.vaf!r} disagrees with alt_reads/depth "
                f"{self.alt_reads}/{self.depth} = {self.alt_reads / self.depth:.4f}",
            )
        return self

    @property
    def allele_fraction(self) -> float:
        """Reported VAF, or alt_reads / depth."""
        return self.vaf if self.vaf is not None else self.alt_reads / self.depth


class LiquidBiopsy(CaseModel):
    """One blood draw for monitoring: ctDNA variants, tumour fraction and CTC count."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("GenomicsReport")}

    date: dt.date
    assay: str | None = Field(default=None, description="e.g. 'Guardant360 CDx', 'Signatera'.")
    tumor_informed: bool = Field(default=False, description="Personalised (tumour-informed) assay.")
    genes_tested: list[str] | None = None
    variants: list[CtDNAVariant] = Field(default_factory=list)
    tumor_fraction: Fraction | None = None
    ctc_count: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Circulating tumour cells per 7.5 mL (CellSearch)."
    )
    ctdna_detected: bool | None = Field(
        default=None, description="Overall call of a tumour-informed (MRD) assay."
    )
    mean_tumor_molecules_per_ml: Annotated[float, Field(ge=0)] | None = Field(
        default=None,
        description="Quantity of a tumour-informed assay, mean tumour molecules "
        "per mL of plasma (MTM/mL).",
    )


class TumorMarkerName(StrEnum):
    """Serum tumour markers used in breast cancer."""

    CA15_3 = "CA15-3"
    CA27_29 = "CA27.29"
    CEA = "CEA"


MARKER_UNITS: dict[TumorMarkerName, frozenset[str]] = {
    TumorMarkerName.CA15_3: frozenset({"U/mL", "kU/L"}),
    TumorMarkerName.CA27_29: frozenset({"U/mL", "kU/L"}),
    TumorMarkerName.CEA: frozenset({"ng/mL", "ug/L"}),
}


class TumorMarkerResult(CaseModel):
    """A serum tumour marker value."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("TumorMarkerTest")}

    marker: TumorMarkerName
    value: Annotated[float, Field(ge=0)]
    unit: str
    date: dt.date
    upper_limit_normal: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _unit(self) -> TumorMarkerResult:
        allowed = MARKER_UNITS[self.marker]
        if self.unit not in allowed:
            raise FieldError(
                "unit",
                f"unit {self.unit!r} is not valid for {self.marker.value}; expected one of "
                f"{sorted(allowed)}",
            )
        return self
