"""Variant allele fraction, depth and alt-read count of one ALT allele, by the callers' own tags.

Sources are tried in this order; the first whose values are present (not ``.``) wins, and its
depth and alt-read count come with it:

1. ``FORMAT/AD`` (Number=R: REF, ALT... counts): ``vaf = alt / sum(AD)``,
   ``depth = FORMAT/DP`` or ``sum(AD)`` (GATK, Mutect2, VarDict, FreeBayes...). With
   ``FORMAT/RD`` present it is VarScan2's layout instead: ``AD`` is the ALT count and ``RD``
   the REF count, ``vaf = AD / (RD + AD)``.
2. ``FORMAT/AF`` (Number=A) with ``FORMAT/DP`` (Mutect2's model-based fraction).
3. Strelka2 somatic SNVs: tier-1 counts in ``FORMAT/AU, CU, GU, TU``:
   ``alt = {ALT}U``, ``depth = AU + CU + GU + TU`` (Strelka2 user guide, "Somatic variant
   allele frequencies").
4. Strelka2 somatic indels: tier-1 ``FORMAT/TIR`` and ``TAR``: ``vaf = TIR / (TIR + TAR)``,
   ``depth = TIR + TAR``.
5. TCGA/GDC tumour tags in one column: ``FORMAT/ADT`` ("ref,alt", often Type=String) with
   ``FORMAT/DPT`` as depth (``ADC``/``DPC`` hold the control).
6. ``INFO/TVAF`` with ``INFO/TDP`` (TCGA/PCGR), only for the tumour sample or a sites-only file.
7. ``INFO/AF`` with ``INFO/DP``, only for a single-sample or sites-only file and only when
   both are on the record (LoFreq, VarDict tumour-only). In a multi-sample file ``INFO/AF`` is
   a cohort frequency, not a VAF.

When no source gives a fraction, ``depth`` falls back to ``FORMAT/DP``, ``FORMAT/DPT``, or (as
in 6 and 7) ``INFO/TDP`` or ``INFO/DP``, exactly as stated in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oncoboard.io._vcf_record import RawRecord, RecordError, counts, fractions, item

__all__ = ["ReadSupport", "SupportScope", "read_support"]


@dataclass(frozen=True, slots=True)
class ReadSupport:
    """What the file says about the reads behind one ALT allele (``None`` = not stated)."""

    vaf: float | None = None
    depth: int | None = None
    alt_reads: int | None = None


@dataclass(frozen=True, slots=True)
class SupportScope:
    """Which INFO-level tags describe the sample being read.

    Attributes
    ----------
    tumour_info
        ``INFO/TVAF`` and ``TDP`` apply: the sample is the tumour, or the file is sites-only.
    single_sample_info
        ``INFO/AF`` and ``DP`` apply: the file has at most one sample column.
    """

    tumour_info: bool
    single_sample_info: bool


_Source = Callable[[RawRecord, int, SupportScope], ReadSupport | None]


def read_support(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport:
    """Read support of ``record.alts[alt_index]`` from the first source that states it.

    Raises
    ------
    RecordError
        A source tag holds something other than counts or fractions, or the wrong number of them.
    """
    for source in _SOURCES:
        found = source(record, alt_index, scope)
        if found is not None:
            return found
    return ReadSupport(depth=_depth_only(record, scope))


def _allele_counts(
    record: RawRecord, alt_index: int, counts_tag: str, depth_tag: str
) -> ReadSupport | None:
    values = counts(record.sample.get(counts_tag), counts_tag)
    if values is None or None in values:
        return None
    expected = len(record.alts) + 1
    if len(values) != expected:
        raise RecordError(
            f"expected {expected} counts (REF and {expected - 1} ALT), got "
            f"{record.sample[counts_tag]!r}",
            field=counts_tag,
        )
    known = [value for value in values if value is not None]
    alt, total = known[alt_index + 1], sum(known)
    depth = item(counts(record.sample.get(depth_tag), depth_tag), 0)
    return ReadSupport(
        vaf=alt / total if total else None,
        depth=total if depth is None else depth,
        alt_reads=alt,
    )


def _ad(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    if "RD" in record.sample:  # VarScan2: AD is the ALT count only, RD the REF count
        ref = item(counts(record.sample["RD"], "RD"), 0)
        alt = item(counts(record.sample.get("AD"), "AD"), alt_index)
        if ref is None or alt is None:
            return None
        depth = item(counts(record.sample.get("DP"), "DP"), 0)
        total = ref + alt
        return ReadSupport(
            vaf=alt / total if total else None,
            depth=total if depth is None else depth,
            alt_reads=alt,
        )
    return _allele_counts(record, alt_index, "AD", "DP")


def _format_af(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    vaf = item(fractions(record.sample.get("AF"), "AF"), alt_index)
    if vaf is None:
        return None
    return ReadSupport(vaf=vaf, depth=item(counts(record.sample.get("DP"), "DP"), 0))


def _strelka_snv(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    alt = record.alts[alt_index].upper()
    tier1 = {base: item(counts(record.sample.get(f"{base}U"), f"{base}U"), 0) for base in "ACGT"}
    if alt not in tier1 or None in tier1.values():
        return None
    known = {base: count for base, count in tier1.items() if count is not None}
    depth = sum(known.values())
    return ReadSupport(vaf=known[alt] / depth if depth else None, depth=depth, alt_reads=known[alt])


def _strelka_indel(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    tir = item(counts(record.sample.get("TIR"), "TIR"), 0)
    tar = item(counts(record.sample.get("TAR"), "TAR"), 0)
    if tir is None or tar is None:
        return None
    depth = tir + tar
    return ReadSupport(vaf=tir / depth if depth else None, depth=depth, alt_reads=tir)


def _tcga_tumour(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    return _allele_counts(record, alt_index, "ADT", "DPT")


def _info_tvaf(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    if not scope.tumour_info:
        return None
    vaf = item(fractions(record.info.get("TVAF"), "TVAF"), alt_index)
    if vaf is None:
        return None
    return ReadSupport(vaf=vaf, depth=item(counts(record.info.get("TDP"), "TDP"), 0))


def _info_af(record: RawRecord, alt_index: int, scope: SupportScope) -> ReadSupport | None:
    if not scope.single_sample_info or "DP" not in record.info:
        return None
    vaf = item(fractions(record.info.get("AF"), "AF"), alt_index)
    if vaf is None:
        return None
    return ReadSupport(vaf=vaf, depth=item(counts(record.info["DP"], "DP"), 0))


def _depth_only(record: RawRecord, scope: SupportScope) -> int | None:
    candidates = [("DP", record.sample), ("DPT", record.sample)]
    if scope.tumour_info:
        candidates.append(("TDP", record.info))
    if scope.single_sample_info:
        candidates.append(("DP", record.info))
    for tag, values in candidates:
        depth = item(counts(values.get(tag), tag), 0)
        if depth is not None:
            return depth
    return None


_SOURCES: tuple[_Source, ...] = (
    _ad,
    _format_af,
    _strelka_snv,
    _strelka_indel,
    _tcga_tumour,
    _info_tvaf,
    _info_af,
)
