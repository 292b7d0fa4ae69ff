"""Build small indexed BAM/CRAM files and their reference FASTA for the BAM-counting tests."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from pathlib import Path

import pysam

CONTIG_LENGTH = 10_000
READ_LENGTH = 60


def reference_sequences(names: tuple[str, ...] = ("chr1", "chr17")) -> dict[str, str]:
    """Random but seeded sequence for each contig (same names give the same bases)."""
    rng = random.Random(20240611)
    return {name: "".join(rng.choice("ACGT") for _ in range(CONTIG_LENGTH)) for name in names}


def write_reference(directory: Path, sequences: dict[str, str]) -> Path:
    """Write ``ref.fa`` (60 bases a line) and its ``.fai``."""
    path = directory / "ref.fa"
    with path.open("w") as handle:
        for name, seq in sequences.items():
            handle.write(f">{name}\n")
            for start in range(0, len(seq), 60):
                handle.write(seq[start : start + 60] + "\n")
    pysam.faidx(str(path))
    return path


@dataclass
class Read:
    """One alignment record; ``start`` is 0-based, ``qual`` one value or one per base."""

    name: str
    contig: str
    start: int
    seq: str
    cigar: str
    mapq: int = 60
    qual: int | list[int] = 35
    flag: int = 0
    mate_start: int | None = None


def aligned(
    ref: str,
    anchor: int,
    *,
    base: str | None = None,
    delete: int = 0,
    insert: str = "",
    before: int = 30,
    length: int = READ_LENGTH,
) -> tuple[int, str, str]:
    """``(start, sequence, cigar)`` of a read over 0-based ``anchor`` with ``before`` bases
    aligned up to and including the anchor: the anchor replaced by ``base``, or ``delete``
    reference bases removed / ``insert`` inserted right after the anchor."""
    start = anchor - before + 1
    left = ref[start : anchor + 1]
    if base is not None:
        left = left[:-1] + base
    right_start = anchor + 1 + delete
    right = ref[right_start : right_start + length - len(left)]
    if delete:
        cigar = f"{len(left)}M{delete}D{len(right)}M"
    elif insert:
        cigar = f"{len(left)}M{len(insert)}I{len(right)}M"
    else:
        cigar = f"{len(left) + len(right)}M"
    return start, left + insert + right, cigar


def write_bam(
    path: Path,
    reads: list[Read],
    *,
    contigs: dict[str, int] | None = None,
    sample: str | None = "PLASMA-1",
    index: bool = True,
) -> Path:
    """Write ``reads`` coordinate-sorted to ``path`` and index it (unless ``index=False``)."""
    contigs = contigs or {"chr1": CONTIG_LENGTH, "chr17": CONTIG_LENGTH}
    header: dict[str, object] = {
        "HD": {"VN": "1.6", "SO": "unsorted"},
        "SQ": [{"SN": name, "LN": length} for name, length in contigs.items()],
    }
    if sample is not None:
        header["RG"] = [{"ID": "rg1", "SM": sample}]
    unsorted = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        for read in reads:
            out.write(_segment(out.header, read, with_rg=sample is not None))
    pysam.sort("-o", str(path), str(unsorted))
    unsorted.unlink()
    if index:
        pysam.index(str(path))
    return path


def _segment(header: pysam.AlignmentHeader, read: Read, *, with_rg: bool) -> pysam.AlignedSegment:
    segment = pysam.AlignedSegment(header)
    segment.query_name = read.name
    segment.flag = read.flag
    segment.reference_id = header.get_tid(read.contig)
    segment.reference_start = read.start
    segment.mapping_quality = read.mapq
    if not read.flag & 0x4:
        segment.cigarstring = read.cigar
    segment.query_sequence = read.seq
    quals = read.qual if isinstance(read.qual, list) else [read.qual] * len(read.seq)
    segment.query_qualities = array("B", quals)
    if read.mate_start is not None:
        segment.next_reference_id = segment.reference_id
        segment.next_reference_start = read.mate_start
    if with_rg:
        segment.set_tag("RG", "rg1")
    return segment


def to_cram(bam: Path, reference: Path, cram: Path) -> Path:
    """Convert ``bam`` to an indexed CRAM against ``reference``."""
    pysam.view("-C", "-T", str(reference), "-o", str(cram), str(bam), catch_stdout=False)
    pysam.index(str(cram))
    return cram
