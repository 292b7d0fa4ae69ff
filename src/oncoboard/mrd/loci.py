"""The patient's tumour variants that a tumour-informed MRD test looks for in plasma.

Loci come from the tumour's somatic VCF (read by :func:`oncoboard.io.read_vcf`) or from a
tab-separated table with columns ``chrom``, ``pos`` (1-based), ``ref``, ``alt`` and optionally
``gene`` and ``tumor_vaf``. Chromosome names lose a ``chr`` prefix; a BAM's own spelling is
found when it is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from oncoboard.errors import GenomicFileError
from oncoboard.io import read_vcf
from oncoboard.io._tabular import Header, Row, build, open_table, strip_chr
from oncoboard.model._base import CaseModel, FieldError, Fraction

__all__ = ["LocusKey", "TumourLocus", "read_tumour_loci", "substitution_class"]

LocusKey = tuple[str, int, str, str]
"""``(chrom, pos, ref, alt)``: chromosome without ``chr``, 1-based position, VCF alleles."""

_COMPLEMENT = str.maketrans("ACGT", "TGCA")
_VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")

_CHROM = ("chrom", "chromosome", "chr", "#chrom", "Chromosome", "contig")
_POS = ("pos", "position", "start", "Start_Position")
_REF = ("ref", "Reference_Allele", "reference")
_ALT = ("alt", "Tumor_Seq_Allele2", "alternate")
_GENE = ("gene", "Hugo_Symbol", "symbol")
_TUMOUR_VAF = ("tumor_vaf", "tumour_vaf", "vaf", "t_vaf")


class TumourLocus(CaseModel):
    """A somatic SNV or indel of the patient's tumour, in VCF allele convention.

    Indels are left-aligned VCF alleles sharing their first base (``ref='AT', alt='A'`` is a
    one-base deletion after ``pos``); multi-nucleotide substitutions are not supported.
    """

    chrom: Annotated[str, Field(min_length=1)]
    pos: Annotated[int, Field(ge=1)]
    ref: Annotated[str, Field(pattern=r"^[ACGT]+$")]
    alt: Annotated[str, Field(pattern=r"^[ACGT]+$")]
    gene: str | None = None
    tumor_vaf: Fraction | None = Field(default=None, description="VAF in the tumour sample.")

    @model_validator(mode="after")
    def _kind(self) -> TumourLocus:
        if self.ref == self.alt:
            raise FieldError("alt", f"alt {self.alt!r} equals ref")
        if len(self.ref) != 1 and len(self.alt) != 1:
            raise FieldError(
                "alt",
                f"expected an SNV or an indel anchored on one base, got {self.ref}>{self.alt}",
            )
        if len(self.ref) != len(self.alt) and self.ref[0] != self.alt[0]:
            raise FieldError(
                "alt", f"expected an indel sharing its first base, got {self.ref}>{self.alt}"
            )
        return self

    @property
    def key(self) -> LocusKey:
        """``(chrom, pos, ref, alt)``."""
        return (self.chrom, self.pos, self.ref, self.alt)

    @property
    def label(self) -> str:
        """``GENE chr:pos REF>ALT`` for reports."""
        where = f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"
        return f"{self.gene} {where}" if self.gene else where

    @property
    def is_snv(self) -> bool:
        """One base replaced by another."""
        return len(self.ref) == 1 and len(self.alt) == 1


def substitution_class(locus: TumourLocus) -> str:
    """Pyrimidine-centred substitution class (``C>T``, ``T>G``...), or ``indel``."""
    if not locus.is_snv:
        return "indel"
    ref, alt = locus.ref, locus.alt
    if ref in "AG":
        ref, alt = ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT)
    return f"{ref}>{alt}"


def read_tumour_loci(
    path: str | os.PathLike[str], *, sample: str | None = None
) -> list[TumourLocus]:
    """Read the tumour's somatic SNVs/indels from a VCF/BCF or a TSV table.

    Parameters
    ----------
    path
        A VCF/BCF (suffix ``.vcf``, ``.vcf.gz``, ``.vcf.bgz``, ``.bcf``; PASS records only)
        or a TSV with ``chrom``, ``pos``, ``ref``, ``alt`` and optional ``gene``, ``tumor_vaf``.
    sample
        VCF sample column to read (default: the tumour sample, see :func:`read_vcf`).

    Returns
    -------
    list of TumourLocus
        In file order, duplicates removed. Multi-nucleotide or complex alleles are an error.

    Raises
    ------
    GenomicFileError
        Unreadable file, missing column, bad allele or position (file, line and field named),
        or no locus at all.
    """
    name = os.fspath(path)
    is_vcf = name.lower().endswith(_VCF_SUFFIXES)
    loci = _from_vcf(name, sample) if is_vcf else _from_table(name)
    unique = list(dict.fromkeys(loci))
    if not unique:
        raise GenomicFileError(name, "expected at least one tumour variant, got none")
    return unique


def _from_vcf(name: str, sample: str | None) -> Iterable[TumourLocus]:
    result = read_vcf(name, sample=sample)
    for call in result.calls:
        line = int(call.source.rsplit(":", 1)[-1]) if ":" in call.source else None
        if call.chromosome is None or call.position is None or not call.ref or not call.alt:
            raise GenomicFileError(name, "expected CHROM, POS, REF and ALT", record=line)
        try:
            yield TumourLocus(
                chrom=call.chromosome,
                pos=call.position,
                ref=call.ref.upper(),
                alt=call.alt.upper(),
                gene=call.gene,
                tumor_vaf=call.vaf,
            )
        except ValueError as exc:
            raise GenomicFileError(name, _first_message(exc), record=line, field="ALT") from None


def _first_message(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first: dict[str, object] = errors()[0]
        return str(first.get("msg", exc))
    return str(exc)


def _has_header(header: Header) -> bool:
    return all(header.column(*group) for group in (_CHROM, _POS, _REF, _ALT))


def _from_table(name: str) -> Iterable[TumourLocus]:
    table = open_table(Path(name), has_header=_has_header)
    cols = table.header.require(chrom=_CHROM, pos=_POS, ref=_REF, alt=_ALT)
    gene, vaf = table.header.column(*_GENE), table.header.column(*_TUMOUR_VAF)
    for row in table:
        yield _locus(row, cols, gene, vaf)


def _locus(row: Row, cols: dict[str, str], gene: str | None, vaf: str | None) -> TumourLocus:
    chrom = row.text(cols["chrom"])
    if chrom is None:
        raise row.error(cols["chrom"], "expected a chromosome, got nothing")
    position = row.integer(cols["pos"], minimum=1)
    return build(
        row,
        TumourLocus,
        chrom=strip_chr(chrom),
        pos=position,
        ref=(row.text(cols["ref"]) or "").upper(),
        alt=(row.text(cols["alt"]) or "").upper(),
        gene=row.text(gene),
        tumor_vaf=row.number(vaf, minimum=0.0),
    )
