"""Genomic reports: tissue or plasma, somatic or germline, with variants, copy-number and fusion
events, TMB, MSI and HRD (mCODE ``GenomicsReport``, ``GenomicVariant``,
``GenomicRegionStudied``).

A gene that is not in a report's ``genes_tested`` was *not tested* by that report; absence of a
variant only means "no alteration detected" for genes the report lists as covered.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from oncoboard.model._base import CaseModel, FieldError, Fraction, Identifier, mcode

__all__ = [
    "CopyNumberEvent",
    "CopyNumberType",
    "Fusion",
    "GenomeBuild",
    "GenomicReport",
    "GermlineClassification",
    "HRDResult",
    "MSIResult",
    "MSIStatus",
    "SampleOrigin",
    "SpecimenType",
    "TMBResult",
    "Variant",
]

GeneSymbol = Annotated[
    str,
    Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$", description="HGNC symbol, e.g. PIK3CA."),
]


class SpecimenType(StrEnum):
    """What was sequenced."""

    TISSUE = "tissue"
    PLASMA = "plasma"
    BLOOD = "blood"  # germline, leukocytes
    SALIVA = "saliva"


class SampleOrigin(StrEnum):
    """Somatic (tumour) or germline (inherited) findings."""

    SOMATIC = "somatic"
    GERMLINE = "germline"


class GenomeBuild(StrEnum):
    """Reference genome of genomic coordinates."""

    GRCH37 = "GRCh37"
    GRCH38 = "GRCh38"


_CHROMOSOME = r"^(chr)?([1-9]|1[0-9]|2[0-2]|X|Y|M|MT)$"


class GermlineClassification(StrEnum):
    """ACMG/AMP germline variant classification (Richards et al., Genet Med 2015)."""

    PATHOGENIC = "pathogenic"
    LIKELY_PATHOGENIC = "likely_pathogenic"
    VUS = "uncertain_significance"
    LIKELY_BENIGN = "likely_benign"
    BENIGN = "benign"


class Variant(CaseModel):
    """A sequence variant (SNV/indel) as reported (mCODE ``GenomicVariant``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("GenomicVariant")}

    gene: GeneSymbol
    hgvs_c: Annotated[str, Field(pattern=r"^c\.\S+$")] | None = Field(
        default=None, description="HGVS coding change, e.g. c.1633G>A."
    )
    hgvs_p: Annotated[str, Field(pattern=r"^p\.\S+$")] | None = Field(
        default=None, description="HGVS protein change, one- or three-letter, e.g. p.E545K."
    )
    transcript: str | None = Field(default=None, description="e.g. NM_006218.4 or ENST...")
    genome_build: GenomeBuild | None = None
    chromosome: Annotated[str, Field(pattern=r"^(chr)?([1-9]|1[0-9]|2[0-2]|X|Y|M|MT)$")] | None = (
        None
    )
    position: Annotated[int, Field(ge=1)] | None = None
    ref: Annotated[str, Field(pattern=r"^[ACGTN-]+$")] | None = None
    alt: Annotated[str, Field(pattern=r"^[ACGTN-]+$")] | None = None
    consequence: str | None = Field(
        default=None, description="Sequence Ontology term, e.g. missense_variant."
    )
    vaf: Fraction | None = Field(default=None, description="Variant allele fraction, 0–1.")
    depth: Annotated[int, Field(ge=0)] | None = Field(default=None, description="Total reads.")
    alt_reads: Annotated[int, Field(ge=0)] | None = None
    zygosity: Annotated[str, Field(pattern=r"^(heterozygous|homozygous|hemizygous)$")] | None = None
    classification: GermlineClassification | None = Field(
        default=None, description="ACMG/AMP class (germline reports)."
    )

    @model_validator(mode="after")
    def _describes_something(self) -> Variant:
        if self.hgvs_c is None and self.hgvs_p is None and self.position is None:
            raise FieldError("hgvs_p", "a variant needs hgvs_c, hgvs_p or genomic coordinates")
        if self.alt_reads is not None and self.depth is not None and self.alt_reads > self.depth:
            raise FieldError("alt_reads", f"alt_reads {self.alt_reads} exceed depth {self.depth}")
        return self


class CopyNumberType(StrEnum):
    """Gene-level copy-number call."""

    AMPLIFICATION = "amplification"
    GAIN = "gain"
    LOSS = "loss"  # heterozygous loss
    DELETION = "deep_deletion"  # homozygous deletion


class CopyNumberEvent(CaseModel):
    """A gene-level copy-number alteration."""

    gene: GeneSymbol
    type: CopyNumberType
    copy_number: Annotated[float, Field(ge=0, le=500)] | None = Field(
        default=None, description="Estimated absolute copy number."
    )


class Fusion(CaseModel):
    """A gene fusion or rearrangement (5' partner :: 3' partner)."""

    gene_5p: GeneSymbol
    gene_3p: GeneSymbol
    in_frame: bool | None = None
    supporting_reads: Annotated[int, Field(ge=0)] | None = None


class TMBResult(CaseModel):
    """Tumour mutational burden with the panel it was measured on."""

    value: Annotated[float, Field(ge=0, le=2000)] = Field(description="Mutations per megabase.")
    panel_size_mb: Annotated[float, Field(gt=0, le=3500)] | None = Field(
        default=None, description="Size of the region counted, in megabases."
    )


class MSIStatus(StrEnum):
    """Microsatellite status."""

    MSI_H = "MSI-H"
    MSI_L = "MSI-L"
    MSS = "MSS"
    EQUIVOCAL = "equivocal"


class MSIResult(CaseModel):
    """Microsatellite instability / mismatch-repair result."""

    status: MSIStatus
    method: str | None = Field(default=None, description="e.g. 'NGS', 'PCR', 'MMR IHC'.")
    score: float | None = None


class HRDResult(CaseModel):
    """Homologous-recombination deficiency result."""

    status: Annotated[str, Field(pattern=r"^(positive|negative|equivocal)$")]
    score: Annotated[float, Field(ge=0)] | None = None
    method: str | None = Field(default=None, description="e.g. 'Myriad myChoice GIS'.")


class GenomicReport(CaseModel):
    """One sequencing report (mCODE ``GenomicsReport``)."""

    model_config = CaseModel.model_config | {"json_schema_extra": mcode("GenomicsReport")}

    id: Identifier
    date: dt.date = Field(description="Specimen collection date.")
    specimen_type: SpecimenType
    origin: SampleOrigin
    assay: str = Field(min_length=1, description="Assay name, e.g. 'FoundationOne CDx'.")
    specimen_site: str | None = None
    genes_tested: list[GeneSymbol] | None = Field(
        default=None,
        description="Genes covered (mCODE GenomicRegionStudied). Absent: coverage unknown, so "
        "no gene counts as tested negative from this report.",
    )
    variants: list[Variant] = Field(default_factory=list)
    copy_number: list[CopyNumberEvent] = Field(default_factory=list)
    fusions: list[Fusion] = Field(default_factory=list)
    tmb: TMBResult | None = None
    msi: MSIResult | None = None
    hrd: HRDResult | None = None
    tumor_fraction: Fraction | None = Field(
        default=None, description="Tumour fraction (plasma ctDNA fraction or tissue purity)."
    )

    @field_validator("genes_tested")
    @classmethod
    def _unique_genes(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            dupes = sorted({g for g in value if value.count(g) > 1})
            raise ValueError(f"genes_tested lists {dupes!r} more than once")
        return value

    @model_validator(mode="after")
    def _origin_matches_specimen(self) -> GenomicReport:
        if self.origin is SampleOrigin.GERMLINE and self.specimen_type is SpecimenType.PLASMA:
            raise FieldError(
                "origin", "plasma reports are somatic (ctDNA); germline needs blood or saliva"
            )
        if self.genes_tested is not None:
            covered = set(self.genes_tested)
            reported = [v.gene for v in self.variants] + [c.gene for c in self.copy_number]
            missing = sorted({g for g in reported if g not in covered})
            if missing:
                raise FieldError(
                    "genes_tested", f"genes {missing!r} have results but are not in genes_tested"
                )
        return self
