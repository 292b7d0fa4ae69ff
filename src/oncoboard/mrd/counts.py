"""Plasma read counts at the tumour's loci: one :class:`LocusCount` per locus and sample.

Counts come from a tab-separated table (this module) or straight from a BAM/CRAM
(:mod:`oncoboard.mrd.bam`). A count is of unique molecules (fragments) after duplicate
removal where the pipeline provides it: ``depth`` reads (or read families) cover the locus and
``alt_reads`` of them carry the tumour allele.

Table layout: ``chrom``, ``pos``, ``ref``, ``alt``, ``alt_reads`` (or ``alt_count``,
``t_alt_count``), ``depth`` (or ``dp``, ``t_depth``), and optionally ``sample``. A table of
several samples (e.g. a panel of normal plasmas) has the ``sample`` column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from oncoboard.errors import GenomicFileError
from oncoboard.io._tabular import Header, Row, open_table, strip_chr
from oncoboard.mrd.loci import LocusKey, TumourLocus

__all__ = ["LocusCount", "read_counts_table"]

_CHROM = ("chrom", "chromosome", "chr", "#chrom", "contig")
_POS = ("pos", "position")
_REF = ("ref", "reference")
_ALT = ("alt", "alternate")
_ALT_READS = ("alt_reads", "alt_count", "t_alt_count", "ad_alt", "alt_depth")
_DEPTH = ("depth", "dp", "t_depth", "total_reads", "coverage")
_SAMPLE = ("sample", "sample_id", "Tumor_Sample_Barcode")


@dataclass(frozen=True, slots=True)
class LocusCount:
    """Reads at one locus of one sample: how many cover it and how many carry the alt allele.

    Raises ``ValueError`` for a negative count or ``alt_reads`` above ``depth``.
    """

    alt_reads: int
    depth: int

    def __post_init__(self) -> None:
        if self.alt_reads < 0 or self.depth < 0:
            raise ValueError(f"counts must be >= 0, got {self.alt_reads}/{self.depth}")
        if self.alt_reads > self.depth:
            raise ValueError(f"alt_reads {self.alt_reads} exceed depth {self.depth}")

    @property
    def fraction(self) -> float | None:
        """alt_reads / depth, or ``None`` without coverage."""
        return self.alt_reads / self.depth if self.depth else None


def _has_header(header: Header) -> bool:
    groups = (_CHROM, _POS, _REF, _ALT, _ALT_READS, _DEPTH)
    return all(header.column(*group) for group in groups)


def read_counts_table(
    path: str | os.PathLike[str], loci: Sequence[TumourLocus]
) -> dict[str, dict[LocusKey, LocusCount]]:
    """Read plasma read counts for ``loci`` from a TSV table.

    Parameters
    ----------
    path
        Plain or gzip TSV with ``chrom``, ``pos``, ``ref``, ``alt``, ``alt_reads``, ``depth``
        and optionally ``sample``.
    loci
        The tumour loci; rows at other loci are ignored (a panel may cover more).

    Returns
    -------
    dict
        Sample name (the file's stem when there is no ``sample`` column) to counts by locus.
        A locus missing from a sample is absent from its mapping (not covered, never zero).

    Raises
    ------
    GenomicFileError
        Missing column, a count that is not a non-negative integer, alt_reads above depth,
        the same sample and locus twice (file, line and column named), or no row at any of
        the loci.
    """
    name = os.fspath(path)
    wanted = {locus.key for locus in loci}
    table = open_table(Path(name), has_header=_has_header)
    cols = table.header.require(
        chrom=_CHROM, pos=_POS, ref=_REF, alt=_ALT, alt_reads=_ALT_READS, depth=_DEPTH
    )
    sample_col = table.header.column(*_SAMPLE)
    default_sample = Path(name).name.split(".")[0]
    samples: dict[str, dict[LocusKey, LocusCount]] = {}
    for row in table:
        key = _key(row, cols)
        if key not in wanted:
            continue
        sample = row.text(sample_col) or default_sample
        counts = samples.setdefault(sample, {})
        if key in counts:
            raise row.error(sample_col, f"locus {_shown(key)} appears twice for sample {sample!r}")
        counts[key] = _count(row, cols)
    if not samples:
        raise GenomicFileError(
            name,
            f"expected counts at the {len(wanted)} tumour loci, found none of them "
            "(another patient, panel or genome build?)",
        )
    return samples


def _key(row: Row, cols: dict[str, str]) -> LocusKey:
    chrom = row.text(cols["chrom"])
    if chrom is None:
        raise row.error(cols["chrom"], "expected a chromosome, got nothing")
    position = row.integer(cols["pos"], minimum=1)
    if position is None:
        raise row.error(cols["pos"], "expected a 1-based position, got nothing")
    ref = (row.text(cols["ref"]) or "").upper()
    alt = (row.text(cols["alt"]) or "").upper()
    return (strip_chr(chrom), position, ref, alt)


def _count(row: Row, cols: dict[str, str]) -> LocusCount:
    alt_reads = row.integer(cols["alt_reads"])
    depth = row.integer(cols["depth"])
    if alt_reads is None or depth is None:
        column = cols["alt_reads"] if alt_reads is None else cols["depth"]
        raise row.error(column, "expected a read count, got nothing")
    if alt_reads > depth:
        raise row.error(cols["alt_reads"], f"alt_reads {alt_reads} exceed depth {depth}")
    return LocusCount(alt_reads=alt_reads, depth=depth)


def _shown(key: LocusKey) -> str:
    chrom, pos, ref, alt = key
    return f"{chrom}:{pos} {ref}>{alt}"
