"""What genomic readers return: calls as the lab file states them, before normalisation.

Readers (VCF/BCF, MAF, cBioPortal, CNA/fusion/segment tables) produce these records and do no
interpretation beyond reading the file's own conventions (which FORMAT/INFO tags hold depth
and allele counts, which annotation transcript is canonical). :mod:`oncoboard.genomics` turns
them into normalised alterations, recognises hotspots and calls oncogenicity.

Every record carries ``source``: ``FILE:LINE`` (or ``FILE:ROW``) of the record it came from,
so findings and errors can point back at the lab file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from oncoboard.model._base import CaseModel, Fraction
from oncoboard.model.genomics import CopyNumberType, GenomeBuild, SampleOrigin

__all__ = ["CopyNumberCall", "FusionCall", "SegmentCall", "VariantCall"]


class VariantCall(CaseModel):
    """One SNV/indel of one sample, with the annotation the file carries (if any).

    ``gene`` and the HGVS strings are ``None`` for unannotated VCF records; such calls are
    matched against the bundled hotspot table or reported as "needs annotation".
    """

    source: str = Field(description="FILE:LINE of the record.")
    sample: str | None = None
    genome_build: GenomeBuild | None = None
    chromosome: str | None = Field(default=None, description="As in the file, 'chr' stripped.")
    position: Annotated[int, Field(ge=1)] | None = None
    ref: str | None = None
    alt: str | None = None
    gene: str | None = Field(default=None, description="Gene symbol as the file gives it.")
    transcript: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = Field(default=None, description="As the file gives it (1- or 3-letter).")
    consequence: str | None = Field(default=None, description="SO term(s), '&'-joined.")
    exon: str | None = Field(default=None, description="e.g. '21/21' (VEP EXON).")
    vaf: Fraction | None = None
    depth: Annotated[int, Field(ge=0)] | None = None
    alt_reads: Annotated[int, Field(ge=0)] | None = None
    origin: SampleOrigin | None = None
    filter: str | None = Field(default=None, description="FILTER value; None or PASS = passed.")


class CopyNumberCall(CaseModel):
    """A gene-level copy-number call of one sample."""

    source: str
    sample: str | None = None
    gene: str
    type: CopyNumberType
    copy_number: Annotated[float, Field(ge=0)] | None = None


class FusionCall(CaseModel):
    """A fusion or structural rearrangement between two genes (either may be unknown)."""

    source: str
    sample: str | None = None
    gene_5p: str | None
    gene_3p: str | None
    in_frame: bool | None = None
    supporting_reads: Annotated[int, Field(ge=0)] | None = None


class SegmentCall(CaseModel):
    """An allele-specific (or log-ratio) copy-number segment."""

    source: str
    sample: str | None = None
    chromosome: str
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    total_copy_number: Annotated[float, Field(ge=0)] | None = None
    minor_copy_number: Annotated[float, Field(ge=0)] | None = None
    log2_ratio: float | None = None
