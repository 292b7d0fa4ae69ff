"""Map allele-specific copy-number segments onto genes: one gene-level call per altered gene.

Rules (total copy number = major + minor allele copies of a segment):

* **deep deletion** -- the *lowest* total copy number of any segment overlapping the gene is
  below :data:`~oncoboard.io.gene_tables.DEEP_DELETION_MAX_COPIES` (0.5, i.e. 0 copies): a
  homozygous deletion of part of a tumour suppressor already disrupts it, so the minimum wins;
* **amplification** -- the segment covering the *largest part* of the gene has a total copy
  number >= ``amplification_min`` (default
  :data:`~oncoboard.io.gene_tables.AMPLIFICATION_MIN_COPIES` = 6, PCGR's ``--n_copy_gain``
  default [1]_);
* **gain** / **loss** -- that majority segment is above / below the baseline (``round(ploidy)``
  when a ploidy is given, else 2) without reaching the thresholds above;
* otherwise no call. Genes with no overlapping segment, or whose segments carry no total copy
  number (log2-ratio segments), are returned as *unassessed*, never as copy-neutral.

Segments and gene spans are 1-based and inclusive (PCGR segment convention [1]_; gene spans
from ``knowledge/data/genes.tsv``).

References
----------
.. [1] PCGR documentation, "Input files": allele-specific copy-number segments (1-based,
   ``nMajor``/``nMinor``; amplification ``--n_copy_gain`` default 6; homozygous deletion = total
   copy number 0), https://sigven.github.io/pcgr/articles/input.html. Nakken S et al.
   Bioinformatics 2018;34(10):1778-1780.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from oncoboard.io.gene_tables import AMPLIFICATION_MIN_COPIES, DEEP_DELETION_MAX_COPIES
from oncoboard.io.genomic_records import CopyNumberCall, SegmentCall
from oncoboard.knowledge.genes import Gene, gene_table
from oncoboard.model.genomics import CopyNumberType, GenomeBuild

__all__ = ["SegmentMapping", "map_segments"]


@dataclass(frozen=True, slots=True)
class SegmentMapping:
    """Gene-level calls from segments, and the genes that could not be assessed."""

    calls: list[CopyNumberCall] = field(default_factory=list)
    unassessed: list[str] = field(default_factory=list)


def _call(
    gene: Gene,
    segments: Sequence[SegmentCall],
    build: GenomeBuild,
    amplification_min: float,
    baseline: float,
) -> CopyNumberCall | str | None:
    interval = gene.interval(build)
    hits = [
        (interval.overlap(s.chromosome, s.start, s.end), s)
        for s in segments
        if s.total_copy_number is not None
    ]
    hits = [(bases, s) for bases, s in hits if bases > 0]
    if not hits:
        return "unassessed"
    lowest = min(hits, key=lambda pair: pair[1].total_copy_number or 0.0)[1]
    majority = max(hits, key=lambda pair: pair[0])[1]
    total = majority.total_copy_number
    assert total is not None and lowest.total_copy_number is not None
    if lowest.total_copy_number < DEEP_DELETION_MAX_COPIES:
        kind, chosen = CopyNumberType.DELETION, lowest
    elif total >= amplification_min:
        kind, chosen = CopyNumberType.AMPLIFICATION, majority
    elif total > baseline:
        kind, chosen = CopyNumberType.GAIN, majority
    elif total < baseline:
        kind, chosen = CopyNumberType.LOSS, majority
    else:
        return None
    return CopyNumberCall(
        source=chosen.source,
        sample=chosen.sample,
        gene=gene.symbol,
        type=kind,
        copy_number=chosen.total_copy_number,
    )


def map_segments(
    segments: Sequence[SegmentCall],
    build: GenomeBuild,
    *,
    genes: Iterable[str] | None = None,
    amplification_min: float = AMPLIFICATION_MIN_COPIES,
    ploidy: float | None = None,
) -> SegmentMapping:
    """Gene-level copy-number calls for the genes of ``genes.tsv`` (or the named subset).

    Parameters
    ----------
    segments
        Segments of one sample, in the coordinates of ``build``.
    build
        Genome build of the segment coordinates (gene spans are taken in the same build).
    genes
        Gene symbols or aliases to assess; default: every gene of the table. Unknown names are
        reported as unassessed.
    amplification_min
        Total copy number from which a gene is amplified (default 6, PCGR [1]_).
    ploidy
        Tumour ploidy; ``round(ploidy)`` is the baseline for gain/loss (default baseline 2).

    Returns
    -------
    SegmentMapping
        ``calls`` (non-neutral genes, each pointing at the segment it was called from) and
        ``unassessed`` gene names.
    """
    table = gene_table()
    baseline = float(round(ploidy)) if ploidy is not None else 2.0
    names = list(genes) if genes is not None else [g.symbol for g in table]
    result = SegmentMapping()
    for name in names:
        gene = table.gene(name)
        if gene is None:
            result.unassessed.append(name)
            continue
        outcome = _call(gene, segments, build, amplification_min, baseline)
        if outcome == "unassessed":
            result.unassessed.append(gene.symbol)
        elif isinstance(outcome, CopyNumberCall):
            result.calls.append(outcome)
    return result
