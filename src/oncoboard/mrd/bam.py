"""Count plasma reads at the tumour's loci straight from an indexed BAM or CRAM.

For each tumour locus the reads overlapping it are fetched from the index
(``pysam.AlignmentFile.fetch``) and judged one by one, so that every read that is not counted
is tallied with its reason (:class:`LocusTally`). The rules:

* **Alignment filters.** Unmapped, secondary (0x100), QC-fail (0x200) and supplementary
  (0x800) records are never counted; duplicates (0x400) only with ``include_duplicates``;
  mapping quality below ``min_mapping_quality`` is dropped. Filter tallies count alignment
  records, not fragments.
* **The allele a read shows** follows htslib's pileup (``bam_plp``, used by
  ``samtools mpileup`` and ``pysam.AlignmentFile.pileup``): at the 0-based anchor position
  (``pos - 1``) a read either aligns a base (``M``/``=``/``X``), or has a deletion or
  reference skip (``D``/``N``) there. A read whose aligned base is the *last* of its block
  and is followed by an ``I`` or ``D`` operation carries an indel of ``+len`` or ``-len``
  after the anchor, exactly like ``PileupRead.indel``.

  - SNV: the read's base is alt, ref or another base (all in depth). A deletion or skip over
    the position is not in depth (``deletion_or_refskip``).
  - Deletion ``ref='ACG', alt='A'``: indel ``-2`` after the anchor is alt, no indel is ref,
    any other indel is ``other_allele``.
  - Insertion ``ref='A', alt='ATT'``: indel ``+2`` inserting ``TT`` is alt, no indel is ref,
    any other insertion (length or bases) is ``other_allele``.

  As in pileup, a read ending on the anchor base counts as reference for an indel; loci are
  expected left-aligned (VCF normalised), as aligners place indels.
* **Base quality** of the SNV base, or of the anchor base for an indel, below
  ``min_base_quality`` drops the read; a read without qualities (``*``) passes.
* **Fragments, not reads.** Reads are grouped by query name. Overlapping mates count once,
  so the count is of molecules, not of sequencing passes. This is done here rather than by
  htslib's overlap detection (``ignore_overlaps=True`` in pileup), which zeroes the base
  quality of one mate and keeps the other regardless of the alleles. If one mate fails the
  base-quality filter the other one alone decides. If mates disagree about carrying the alt
  allele the fragment is in depth but is not alt (``mates_discordant``: a sequencing or PCR
  error in one mate cannot make a tumour read); mates agreeing on anything but the alt and
  still differing (ref vs another base) count as ``other_allele``. Hence
  ``fragments == alt + ref + other_allele + mates_discordant``.

Chromosome names are matched with or without ``chr`` (and ``M`` with ``MT``). htslib
warnings are silenced during the call (``pysam.set_verbosity(0)``, restored afterwards;
htslib's verbosity is process-global). No read names or sequences are logged.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pysam

from oncoboard.errors import GenomicFileError
from oncoboard.mrd.counts import LocusCount
from oncoboard.mrd.loci import LocusKey, TumourLocus

__all__ = ["AlignmentCounts", "LocusTally", "ReadFilters", "count_alignments"]

_MATCH: Final = frozenset({0, 7, 8})  # M, =, X
_INSERTION: Final = 1
_GAP: Final = frozenset({2, 3})  # D, N
_QUERY_ONLY: Final = frozenset({1, 4})  # I, S
_PAD: Final = 6
_DELETION: Final = 2
_UNUSABLE_FLAGS: Final = 0x4 | 0x100 | 0x200 | 0x800
_DUPLICATE_FLAG: Final = 0x400
_SHOWN_CONTIGS: Final = 5

_ALT: Final = "alt"
_REF: Final = "ref"
_OTHER: Final = "other_allele"
_UNUSABLE: Final = "secondary_supplementary_qcfail_unmapped"
_DELETED: Final = "deletion_or_refskip"
_NOT_COVERED: Final = "not_covered"


@dataclass(frozen=True, slots=True)
class ReadFilters:
    """Which reads count.

    Attributes
    ----------
    min_mapping_quality
        Reads with a lower MAPQ are dropped (default 30).
    min_base_quality
        Reads whose base at the locus (the anchor base for an indel) has a lower Phred quality
        are dropped (default 20).
    include_duplicates
        Count reads flagged as duplicates (0x400); off by default.
    """

    min_mapping_quality: int = 30
    min_base_quality: int = 20
    include_duplicates: bool = False


@dataclass(frozen=True, slots=True)
class LocusTally:
    """Reads seen at one locus and why those not counted were dropped.

    ``fragments``, ``alt``, ``ref``, ``other_allele``, ``mates_overlapping`` and
    ``mates_discordant`` count fragments; the filter tallies count alignment records.
    ``fragments == alt + ref + other_allele + mates_discordant``.
    """

    fragments: int
    alt: int
    ref: int
    other_allele: int
    duplicate: int
    low_mapping_quality: int
    low_base_quality: int
    secondary_supplementary_qcfail_unmapped: int
    deletion_or_refskip: int
    mates_overlapping: int
    mates_discordant: int


@dataclass(frozen=True, slots=True)
class AlignmentCounts:
    """Counts at the tumour loci from one BAM/CRAM.

    Attributes
    ----------
    file
        The alignment file as given.
    sample
        ``SM`` of the first ``@RG`` header line, else ``None``.
    counts
        ``LocusCount(alt_reads, depth)`` for every locus on a contig of the file (depth 0
        included), in locus order.
    tallies
        Per-read and per-fragment detail for the same loci.
    missing_contigs
        Locus chromosomes absent from the file's header (those loci are not in ``counts``).
    """

    file: str
    sample: str | None
    counts: dict[LocusKey, LocusCount]
    tallies: dict[LocusKey, LocusTally]
    missing_contigs: tuple[str, ...]


def count_alignments(
    path: str | os.PathLike[str],
    loci: Sequence[TumourLocus],
    *,
    reference: str | os.PathLike[str] | None = None,
    filters: ReadFilters = ReadFilters(),
) -> AlignmentCounts:
    """Count fragments carrying each tumour allele in an indexed BAM or CRAM.

    Parameters
    ----------
    path
        Coordinate-sorted, indexed BAM or CRAM (``.bai``, ``.csi`` or ``.crai`` beside it).
    loci
        The tumour's SNVs and indels (VCF alleles, 1-based positions).
    reference
        The FASTA the CRAM was written against (with its ``.fai``); required for CRAM,
        ignored for BAM.
    filters
        Mapping/base quality thresholds and duplicate handling.

    Returns
    -------
    AlignmentCounts
        Counts and tallies for each locus on a contig of the file, and the missing contigs.

    Raises
    ------
    GenomicFileError
        Missing, unreadable, truncated or non-BAM/CRAM file; CRAM without (or with a missing)
        reference; no index; none of the loci's chromosomes in the header (wrong build or
        naming); a locus beyond the end of its contig.
    """
    name = os.fspath(path)
    is_cram = _sniff(name)
    ref_name = os.fspath(reference) if reference is not None else None
    if is_cram and ref_name is None:
        raise GenomicFileError(name, "CRAM needs the reference FASTA it was written against")
    if is_cram and ref_name is not None and not Path(ref_name).is_file():
        raise GenomicFileError(ref_name, "reference FASTA not found")
    with _quiet_htslib(), _open(name, ref_name if is_cram else None) as alignments:
        if not alignments.has_index():
            raise GenomicFileError(
                name, "expected an index (.bai/.csi/.crai) beside the file; run `samtools index`"
            )
        lengths = dict(zip(alignments.references, alignments.lengths, strict=True))
        contigs = _match_contigs(name, loci, lengths)
        counts: dict[LocusKey, LocusCount] = {}
        tallies: dict[LocusKey, LocusTally] = {}
        for locus in loci:
            contig = contigs.get(locus.chrom)
            if contig is None:
                continue
            if locus.pos > lengths[contig]:
                raise GenomicFileError(
                    name,
                    f"locus {locus.label} lies beyond the end of {contig!r} "
                    f"(length {lengths[contig]}): wrong genome build?",
                )
            tally = _tally(name, alignments, contig, locus, filters)
            tallies[locus.key] = tally
            counts[locus.key] = LocusCount(alt_reads=tally.alt, depth=tally.fragments)
        missing = tuple(dict.fromkeys(lc.chrom for lc in loci if lc.chrom not in contigs))
        return AlignmentCounts(
            file=name,
            sample=_sample(alignments),
            counts=counts,
            tallies=tallies,
            missing_contigs=missing,
        )


@contextmanager
def _quiet_htslib() -> Iterator[None]:
    previous = pysam.set_verbosity(0)
    try:
        yield
    finally:
        pysam.set_verbosity(previous)


def _sniff(name: str) -> bool:
    """Whether ``name`` is a CRAM; fail unless it looks like a BAM or CRAM."""
    try:
        with Path(name).open("rb") as handle:
            magic = handle.read(4)
    except FileNotFoundError:
        raise GenomicFileError(name, "file not found") from None
    except OSError as exc:
        raise GenomicFileError(name, f"cannot read the file: {exc.strerror or exc}") from None
    if magic == b"CRAM":
        return True
    if magic[:2] != b"\x1f\x8b":
        raise GenomicFileError(name, f"expected a BAM or CRAM file, got leading bytes {magic!r}")
    return False


@contextmanager
def _open(name: str, reference: str | None) -> Iterator[Any]:
    try:
        mode = "rc" if reference else "rb"
        handle = pysam.AlignmentFile(name, mode, reference_filename=reference)
    except (OSError, ValueError) as exc:
        raise GenomicFileError(name, f"cannot read it as a BAM or CRAM: {exc}") from None
    try:
        yield handle
    finally:
        handle.close()


def _canonical(chrom: str) -> str:
    base = chrom[3:] if chrom[:3].lower() == "chr" and len(chrom) > 3 else chrom
    return "MT" if base.upper() in {"M", "MT"} else base


def _match_contigs(
    name: str, loci: Sequence[TumourLocus], lengths: dict[str, int]
) -> dict[str, str]:
    """Locus chromosome -> header contig, for the chromosomes present."""
    by_canonical: dict[str, str] = {}
    for header_contig in lengths:
        by_canonical.setdefault(_canonical(header_contig), header_contig)
    found: dict[str, str] = {}
    for chrom in dict.fromkeys(locus.chrom for locus in loci):
        contig = chrom if chrom in lengths else by_canonical.get(_canonical(chrom))
        if contig is not None:
            found[chrom] = contig
    if loci and not found:
        shown = ", ".join(repr(c) for c in list(lengths)[:_SHOWN_CONTIGS]) or "none"
        wanted = ", ".join(repr(c) for c in dict.fromkeys(lc.chrom for lc in loci))
        raise GenomicFileError(
            name,
            f"none of the loci's chromosomes ({wanted}) is in the header (contigs: {shown}"
            f"{', ...' if len(lengths) > _SHOWN_CONTIGS else ''}): wrong genome build or naming?",
        )
    return found


def _sample(alignments: Any) -> str | None:
    groups = alignments.header.to_dict().get("RG") or []
    sample = groups[0].get("SM") if groups else None
    return str(sample) if sample else None


def _tally(
    name: str, alignments: Any, contig: str, locus: TumourLocus, filters: ReadFilters
) -> LocusTally:
    anchor = locus.pos - 1
    reasons: Counter[str] = Counter()
    seen: defaultdict[str, list[str]] = defaultdict(list)
    try:
        for read in alignments.fetch(contig, anchor, anchor + 1):
            outcome = _judge(read, anchor, locus, filters)
            if outcome in (_ALT, _REF, _OTHER):
                seen[read.query_name].append(outcome)
            elif outcome != _NOT_COVERED:
                reasons[outcome] += 1
    except (OSError, ValueError) as exc:
        raise GenomicFileError(name, f"cannot read alignments at {locus.label}: {exc}") from None
    alleles: Counter[str] = Counter()
    overlapping = discordant = 0
    for outcomes in seen.values():
        if len(outcomes) > 1:
            overlapping += 1
        if len(set(outcomes)) == 1:
            alleles[outcomes[0]] += 1
        elif _ALT in outcomes:
            discordant += 1
        else:
            alleles[_OTHER] += 1
    return LocusTally(
        fragments=len(seen),
        alt=alleles[_ALT],
        ref=alleles[_REF],
        other_allele=alleles[_OTHER],
        duplicate=reasons["duplicate"],
        low_mapping_quality=reasons["low_mapping_quality"],
        low_base_quality=reasons["low_base_quality"],
        secondary_supplementary_qcfail_unmapped=reasons[_UNUSABLE],
        deletion_or_refskip=reasons[_DELETED],
        mates_overlapping=overlapping,
        mates_discordant=discordant,
    )


def _judge(read: Any, anchor: int, locus: TumourLocus, filters: ReadFilters) -> str:
    """The allele ``read`` shows at the locus, or why it does not count."""
    flag: int = read.flag
    if flag & _UNUSABLE_FLAGS:
        return _UNUSABLE
    if flag & _DUPLICATE_FLAG and not filters.include_duplicates:
        return "duplicate"
    if read.mapping_quality < filters.min_mapping_quality:
        return "low_mapping_quality"
    site = _locate(read.cigartuples or [], read.reference_start, anchor)
    if site is None:
        return _NOT_COVERED
    query_pos, indel = site
    if query_pos < 0:
        return _DELETED
    qualities = read.query_qualities
    if qualities is not None and qualities[query_pos] < filters.min_base_quality:
        return "low_base_quality"
    sequence: str = read.query_sequence or ""
    if locus.is_snv:
        base = sequence[query_pos : query_pos + 1].upper()
        return _ALT if base == locus.alt else _REF if base == locus.ref else _OTHER
    if indel == 0:
        return _REF
    if len(locus.ref) > 1:
        return _ALT if indel == -(len(locus.ref) - 1) else _OTHER
    inserted = sequence[query_pos + 1 : query_pos + 1 + indel].upper()
    return _ALT if indel == len(locus.alt) - 1 and inserted == locus.alt[1:] else _OTHER


def _locate(cigar: Sequence[tuple[int, int]], start: int, anchor: int) -> tuple[int, int] | None:
    """``(query position, indel after it)`` at reference ``anchor``; None if not covered.

    A deletion or reference skip over ``anchor`` gives ``(-1, 0)``.

    ``indel`` is ``+len`` for an insertion and ``-len`` for a deletion that directly follows
    the aligned base (padding skipped), as htslib's pileup reports it.
    """
    ref, query = start, 0
    for index, (op, length) in enumerate(cigar):
        if ref > anchor:
            break
        if op in _MATCH:
            if anchor < ref + length:
                offset = anchor - ref
                last = offset == length - 1
                return query + offset, _indel_after(cigar, index + 1) if last else 0
            ref += length
            query += length
        elif op in _GAP:
            if anchor < ref + length:
                return -1, 0
            ref += length
        elif op in _QUERY_ONLY:
            query += length
    return None


def _indel_after(cigar: Sequence[tuple[int, int]], index: int) -> int:
    for op, length in cigar[index:]:
        if op == _PAD:
            continue
        if op == _INSERTION:
            return length
        if op == _DELETION:
            return -length
        return 0
    return 0
