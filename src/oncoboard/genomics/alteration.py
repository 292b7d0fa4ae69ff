"""Normalised alterations: the one shape every genomic finding is matched on.

Readers give calls as the lab states them (:mod:`oncoboard.io.genomic_records`); the case file
gives reported variants (:mod:`oncoboard.model.genomics`). Both are normalised to
:class:`Alteration`: HGNC gene symbol, one-letter protein change, consequence class, codon and
exon, so the knowledge base can match exact variants, codons, exons or gene-level classes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from oncoboard.model._base import CaseModel, Fraction
from oncoboard.model.genomics import GermlineClassification, SampleOrigin, SpecimenType

__all__ = ["Alteration", "AlterationKind", "ConsequenceClass"]


class AlterationKind(StrEnum):
    """What kind of event the alteration is."""

    MUTATION = "mutation"  # SNV or small indel
    AMPLIFICATION = "amplification"
    GAIN = "gain"
    DEEP_DELETION = "deep_deletion"
    LOSS = "loss"  # heterozygous
    FUSION = "fusion"


class ConsequenceClass(StrEnum):
    """Protein consequence class of a mutation (Sequence Ontology terms grouped)."""

    MISSENSE = "missense"
    INFRAME_INDEL = "inframe_indel"
    NONSENSE = "nonsense"
    FRAMESHIFT = "frameshift"
    SPLICE = "splice"  # canonical splice donor/acceptor (±1/2)
    START_LOST = "start_lost"
    STOP_LOST = "stop_lost"
    SYNONYMOUS = "synonymous"
    NONCODING = "noncoding"  # intronic, UTR, intergenic, non-canonical splice region
    UNKNOWN = "unknown"

    @property
    def truncating(self) -> bool:
        """Nonsense, frameshift or canonical splice (loss of function in tumour suppressors)."""
        return self in {
            ConsequenceClass.NONSENSE,
            ConsequenceClass.FRAMESHIFT,
            ConsequenceClass.SPLICE,
        }


class Alteration(CaseModel):
    """One normalised alteration of one sample or report."""

    gene: str = Field(description="HGNC symbol (aliases resolved, e.g. HER2 -> ERBB2).")
    kind: AlterationKind
    protein_change: str | None = Field(
        default=None, description="One-letter HGVS p. without 'p.', e.g. 'H1047R', 'E545K'."
    )
    hgvs_c: str | None = None
    consequence: ConsequenceClass = ConsequenceClass.UNKNOWN
    codon: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Protein position of the first affected residue."
    )
    exon: Annotated[int, Field(ge=1)] | None = None
    partner: str | None = Field(default=None, description="Fusion partner gene.")
    copy_number: Annotated[float, Field(ge=0)] | None = None
    vaf: Fraction | None = None
    depth: Annotated[int, Field(ge=0)] | None = None
    origin: SampleOrigin | None = None
    germline_classification: GermlineClassification | None = Field(
        default=None, description="ACMG/AMP class of a germline variant, when reported."
    )
    specimen: SpecimenType | None = None
    source: str = Field(description="Where it came from: FILE:LINE, or a case-file path.")

    @property
    def label(self) -> str:
        """Short human label, e.g. ``PIK3CA H1047R``, ``ERBB2 amplification``."""
        if self.kind is AlterationKind.MUTATION:
            return f"{self.gene} {self.protein_change or self.hgvs_c or 'mutation'}"
        if self.kind is AlterationKind.FUSION:
            return f"{self.gene}::{self.partner or '?'} fusion"
        return f"{self.gene} {self.kind.value.replace('_', ' ')}"
