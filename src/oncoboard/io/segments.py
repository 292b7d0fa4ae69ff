"""Copy-number segments: allele-specific (``nMajor``/``nMinor``) or log2-ratio segment files.

Two layouts are read, told apart by their columns:

* allele-specific, as PCGR takes them [1]_: ``Chromosome``, ``Start``, ``End``, ``nMajor``,
  ``nMinor`` (total copy number = nMajor + nMinor, minor = nMinor); ``total_cn``/``minor_cn``
  columns are accepted instead;
* log2 ratio, as in PCGR's earlier format and the SEG files of GDC/cBioPortal/IGV [2]_:
  ``Chromosome``/``chrom``, ``Start``/``loc.start``, ``End``/``loc.end``, optionally
  ``Sample``/``ID``, and ``Segment_Mean``/``seg.mean``.

Segments are read, not interpreted: mapping them to genes is done elsewhere.

References
----------
.. [1] PCGR documentation, "Copy number segments - allele-specific" (one-based coordinates,
   integer copy numbers), https://sigven.github.io/pcgr/articles/input.html
.. [2] cBioPortal File Formats, "Segmented Data" (``ID``, ``chrom``, ``loc.start``,
   ``loc.end``, ``num.mark``, ``seg.mean``), https://docs.cbioportal.org/file-formats/#segmented-data
"""

from __future__ import annotations

from pathlib import Path

from oncoboard.io._tabular import Header, Row, build, open_table, strip_chr
from oncoboard.io.genomic_records import SegmentCall

__all__ = ["read_segments"]

_CHROMOSOME = ("Chromosome", "chrom", "chr", "chromosome_name")
_START = ("Start", "loc.start", "Start_Position", "startpos", "start_position")
_END = ("End", "loc.end", "End_Position", "endpos", "end_position")
_SAMPLE = ("Sample", "ID", "sample_id", "Tumor_Sample_Barcode")
_MAJOR = ("nMajor",)
_MINOR = ("nMinor", "minor_cn")
_TOTAL = ("total_cn",)
_LOG2 = ("Segment_Mean", "seg.mean", "log2_ratio", "log2")


def read_segments(path: Path | str, *, sample: str | None = None) -> list[SegmentCall]:
    """Read an allele-specific or log2-ratio copy-number segment file.

    Parameters
    ----------
    path
        Segment TSV (plain or gzip). Chromosomes lose a ``chr`` prefix; coordinates must be
        non-negative integers with start <= end.
    sample
        If the file has a sample column, keep only that sample's segments (none: an empty
        list); otherwise label every segment with it.

    Returns
    -------
    list of SegmentCall
        In file order; ``total_copy_number`` and ``minor_copy_number`` for allele-specific
        files (``None`` where a copy number is ``NA``), ``log2_ratio`` for log2 files.

    Raises
    ------
    GenomicFileError
        If chromosome, start, end, or any copy-number column (nMajor and nMinor, total_cn, or
        Segment_Mean) is missing; a coordinate is not an integer; start > end; a copy number is
        negative or not a number; or the file is empty, binary or not UTF-8.

    References
    ----------
    PCGR allele-specific segments [1]_; SEG format [2]_.
    """
    table = open_table(path, has_header=_has_header)
    header = table.header
    cols = header.require(chromosome=_CHROMOSOME, start=_START, end=_END)
    major, minor = header.column(*_MAJOR), header.column(*_MINOR)
    total, log2 = header.column(*_TOTAL), header.column(*_LOG2)
    if not ((major and minor) or total or log2):
        raise header.error(
            "expected copy-number column(s) nMajor and nMinor, total_cn or Segment_Mean, "
            f"got {header.shown!r}"
        )
    sample_col = header.column(*_SAMPLE)
    segments = []
    for row in table:
        label = row.text(sample_col) if sample_col else sample
        if sample_col and sample is not None and label != sample:
            continue
        start, end = _interval(row, cols["start"], cols["end"])
        minor_cn = row.number(minor, minimum=0)
        total_cn = row.number(total, minimum=0)
        if total_cn is None and major:
            major_cn = row.number(major, minimum=0)
            total_cn = None if major_cn is None or minor_cn is None else major_cn + minor_cn
        segments.append(
            build(
                row,
                SegmentCall,
                source=row.source,
                sample=label,
                chromosome=_chromosome(row, cols["chromosome"]),
                start=start,
                end=end,
                total_copy_number=total_cn,
                minor_copy_number=minor_cn,
                log2_ratio=row.number(log2),
            )
        )
    return segments


def _has_header(header: Header) -> bool:
    return all(header.column(*names) for names in (_CHROMOSOME, _START, _END))


def _interval(row: Row, start_col: str, end_col: str) -> tuple[int, int]:
    start, end = row.integer(start_col), row.integer(end_col)
    if start is None:
        raise row.error(start_col, f"expected an integer, got {row.raw(start_col)!r}")
    if end is None:
        raise row.error(end_col, f"expected an integer, got {row.raw(end_col)!r}")
    if end < start:
        raise row.error(end_col, f"expected >= start {start}, got {end!r}")
    return start, end


def _chromosome(row: Row, column: str) -> str:
    value = row.text(column)
    chromosome = strip_chr(value) if value else None
    if not chromosome:
        raise row.error(column, f"expected a chromosome name, got {row.raw(column)!r}")
    return chromosome
