"""Counting tumour alleles straight from BAM/CRAM files generated here with pysam."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pysam
import pytest

from oncoboard.errors import GenomicFileError
from oncoboard.mrd.bam import AlignmentCounts, LocusTally, ReadFilters, count_alignments
from oncoboard.mrd.counts import LocusCount
from oncoboard.mrd.loci import TumourLocus
from tests.mrd._bamgen import (
    CONTIG_LENGTH,
    Read,
    aligned,
    reference_sequences,
    to_cram,
    write_bam,
    write_reference,
)

SEQS = reference_sequences()
SNV_ANCHOR = 1000  # 0-based; VCF pos 1001
DEL_ANCHOR = 3000
INS_ANCHOR = 5000
REF_BASE = SEQS["chr17"][SNV_ANCHOR]
ALT_BASE, OTHER_BASE = [b for b in "ACGT" if b != REF_BASE][:2]

SNV = TumourLocus(chrom="17", pos=SNV_ANCHOR + 1, ref=REF_BASE, alt=ALT_BASE, gene="TP53")
DELETION = TumourLocus(
    chrom="17",
    pos=DEL_ANCHOR + 1,
    ref=SEQS["chr17"][DEL_ANCHOR : DEL_ANCHOR + 3],
    alt=SEQS["chr17"][DEL_ANCHOR],
)
INSERTION = TumourLocus(
    chrom="1", pos=INS_ANCHOR + 1, ref=SEQS["chr1"][INS_ANCHOR], alt=SEQS["chr1"][INS_ANCHOR] + "TT"
)


def snv_read(name: str, base: str, contig: str = "chr17", before: int = 30, **fields: Any) -> Read:
    start, seq, cigar = aligned(SEQS["chr17"], SNV_ANCHOR, base=base, before=before)
    return Read(name, contig, start, seq, cigar, **fields)


def reads_of(prefix: str, count: int, base: str, **fields: Any) -> list[Read]:
    return [snv_read(f"{prefix}{i}", base, **fields) for i in range(count)]


def count(tmp_path: Path, reads: list[Read], loci: list[TumourLocus] | None = None, **kw: Any):
    bam = write_bam(tmp_path / "plasma.bam", reads)
    return count_alignments(bam, loci or [SNV], **kw)


def tally(result: AlignmentCounts, locus: TumourLocus = SNV) -> LocusTally:
    return result.tallies[locus.key]


def test_snv_counts_alt_ref_and_other_bases(tmp_path: Path) -> None:
    reads = reads_of("a", 3, ALT_BASE) + reads_of("r", 4, REF_BASE) + reads_of("o", 1, OTHER_BASE)
    result = count(tmp_path, reads)
    assert result.counts == {SNV.key: LocusCount(alt_reads=3, depth=8)}
    assert tally(result) == LocusTally(
        fragments=8,
        alt=3,
        ref=4,
        other_allele=1,
        duplicate=0,
        low_mapping_quality=0,
        low_base_quality=0,
        secondary_supplementary_qcfail_unmapped=0,
        deletion_or_refskip=0,
        mates_overlapping=0,
        mates_discordant=0,
    )
    assert result.sample == "PLASMA-1"
    assert result.missing_contigs == ()
    assert result.file == str(tmp_path / "plasma.bam")


def test_mapping_quality_filter(tmp_path: Path) -> None:
    reads = reads_of("low", 2, ALT_BASE, mapq=10) + reads_of("a", 1, ALT_BASE, mapq=30)
    reads += reads_of("r", 1, REF_BASE, mapq=60)
    result = count(tmp_path, reads)
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=2)
    assert tally(result).low_mapping_quality == 2
    relaxed = count_alignments(
        tmp_path / "plasma.bam", [SNV], filters=ReadFilters(min_mapping_quality=0)
    )
    assert relaxed.counts[SNV.key] == LocusCount(alt_reads=3, depth=4)


def test_base_quality_filter_looks_at_the_locus_base(tmp_path: Path) -> None:
    low_at_locus = [35] * 60
    low_at_locus[29] = 10  # the anchor is the 30th aligned base
    low_elsewhere = [10] * 60
    low_elsewhere[29] = 35
    reads = reads_of("a", 2, ALT_BASE, qual=low_at_locus) + reads_of("r", 1, REF_BASE)
    reads += reads_of("x", 1, ALT_BASE, qual=low_elsewhere)
    result = count(tmp_path, reads)
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=2)
    assert tally(result).low_base_quality == 2
    relaxed = count_alignments(result.file, [SNV], filters=ReadFilters(min_base_quality=10))
    assert relaxed.counts[SNV.key] == LocusCount(alt_reads=3, depth=4)


def test_duplicates_excluded_unless_asked(tmp_path: Path) -> None:
    reads = reads_of("d", 2, ALT_BASE, flag=0x400) + reads_of("a", 1, ALT_BASE)
    reads += reads_of("r", 1, REF_BASE)
    result = count(tmp_path, reads)
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=2)
    assert tally(result).duplicate == 2
    with_dups = count_alignments(result.file, [SNV], filters=ReadFilters(include_duplicates=True))
    assert with_dups.counts[SNV.key] == LocusCount(alt_reads=3, depth=4)
    assert tally(with_dups).duplicate == 0


def test_secondary_supplementary_qcfail_and_unmapped_never_count(tmp_path: Path) -> None:
    reads = [
        snv_read("sec", ALT_BASE, flag=0x100),
        snv_read("sup", ALT_BASE, flag=0x800),
        snv_read("qc", ALT_BASE, flag=0x200),
        snv_read("unm", ALT_BASE, flag=0x4),
        snv_read("ok", REF_BASE),
    ]
    reads[3].start = SNV_ANCHOR  # an unmapped read placed (by its mate) on the locus
    result = count(tmp_path, reads, filters=ReadFilters(include_duplicates=True))
    assert result.counts[SNV.key] == LocusCount(alt_reads=0, depth=1)
    assert tally(result).secondary_supplementary_qcfail_unmapped == 4


def test_overlapping_concordant_mates_count_once(tmp_path: Path) -> None:
    first = snv_read("pair", ALT_BASE, flag=0x1 | 0x2 | 0x20 | 0x40)
    second = snv_read("pair", ALT_BASE, flag=0x1 | 0x2 | 0x10 | 0x80, before=10)
    result = count(tmp_path, [first, second, snv_read("r", REF_BASE)])
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=2)
    assert tally(result).mates_overlapping == 1
    assert tally(result).mates_discordant == 0
    assert (tally(result).alt, tally(result).ref) == (1, 1)


def test_discordant_mates_count_in_depth_not_as_alt(tmp_path: Path) -> None:
    low = [35] * 60
    low[29] = 5
    reads = [
        snv_read("disc", ALT_BASE, flag=0x41),
        snv_read("disc", REF_BASE, flag=0x81),
        # one mate fails base quality: the other decides
        snv_read("rescued", ALT_BASE, flag=0x41, qual=low),
        snv_read("rescued", ALT_BASE, flag=0x81),
        snv_read("lowalt", ALT_BASE, flag=0x41, qual=low),
        snv_read("lowalt", REF_BASE, flag=0x81),
        # ref and another base: not about the alt, counted as another allele
        snv_read("mixed", REF_BASE, flag=0x41),
        snv_read("mixed", OTHER_BASE, flag=0x81),
    ]
    result = count(tmp_path, reads)
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=4)
    t = tally(result)
    assert (t.fragments, t.alt, t.ref, t.other_allele) == (4, 1, 1, 1)
    assert (t.mates_overlapping, t.mates_discordant, t.low_base_quality) == (2, 1, 2)
    assert t.fragments == t.alt + t.ref + t.other_allele + t.mates_discordant


def test_deletion_or_skip_over_an_snv_is_not_depth(tmp_path: Path) -> None:
    start, seq, cigar = aligned(SEQS["chr17"], SNV_ANCHOR - 2, delete=4)
    skip_seq = SEQS["chr17"][start : start + 29] + SEQS["chr17"][start + 129 : start + 160]
    reads = [
        Read("del", "chr17", start, seq, cigar),
        Read("skip", "chr17", start, skip_seq, "29M100N31M"),
        snv_read("a", ALT_BASE),
    ]
    result = count(tmp_path, reads)
    assert result.counts[SNV.key] == LocusCount(alt_reads=1, depth=1)
    assert tally(result).deletion_or_refskip == 2


def test_deletion_locus(tmp_path: Path) -> None:
    ref = SEQS["chr17"]
    alt_reads = [Read(f"a{i}", "chr17", *aligned(ref, DEL_ANCHOR, delete=2)) for i in range(2)]
    ref_reads = [Read(f"r{i}", "chr17", *aligned(ref, DEL_ANCHOR)) for i in range(3)]
    other = Read("o", "chr17", *aligned(ref, DEL_ANCHOR, delete=1))
    elsewhere = Read("e", "chr17", *aligned(ref, DEL_ANCHOR + 10, delete=2, before=40))
    result = count(tmp_path, [*alt_reads, *ref_reads, other, elsewhere], [DELETION])
    assert result.counts == {DELETION.key: LocusCount(alt_reads=2, depth=7)}
    t = tally(result, DELETION)
    assert (t.alt, t.ref, t.other_allele) == (2, 4, 1)


def test_insertion_locus_checks_length_and_bases(tmp_path: Path) -> None:
    ref = SEQS["chr1"]
    reads = [Read(f"a{i}", "chr1", *aligned(ref, INS_ANCHOR, insert="TT")) for i in range(2)]
    reads += [Read(f"r{i}", "chr1", *aligned(ref, INS_ANCHOR)) for i in range(2)]
    reads.append(Read("wrong", "chr1", *aligned(ref, INS_ANCHOR, insert="GA")))
    reads.append(Read("longer", "chr1", *aligned(ref, INS_ANCHOR, insert="TTT")))
    result = count(tmp_path, reads, [INSERTION])
    assert result.counts == {INSERTION.key: LocusCount(alt_reads=2, depth=6)}
    t = tally(result, INSERTION)
    assert (t.alt, t.ref, t.other_allele) == (2, 2, 2)


def test_locus_without_reads_has_depth_zero(tmp_path: Path) -> None:
    result = count(tmp_path, reads_of("a", 2, ALT_BASE), [SNV, INSERTION])
    assert result.counts == {
        SNV.key: LocusCount(alt_reads=2, depth=2),
        INSERTION.key: LocusCount(alt_reads=0, depth=0),
    }


@pytest.mark.parametrize(
    ("bam_contigs", "locus_chrom", "read_contig"),
    [
        (("chr1", "chr17"), "17", "chr17"),
        (("1", "17"), "chr17", "17"),
        (("1", "chrM"), "MT", "chrM"),
        (("1", "MT"), "chrM", "MT"),
    ],
)
def test_contig_names_match_with_or_without_chr(
    tmp_path: Path, bam_contigs: tuple[str, str], locus_chrom: str, read_contig: str
) -> None:
    contigs = dict.fromkeys(bam_contigs, CONTIG_LENGTH)
    bam = write_bam(
        tmp_path / "x.bam", reads_of("a", 3, ALT_BASE, contig=read_contig), contigs=contigs
    )
    locus = SNV.model_copy(update={"chrom": locus_chrom})
    result = count_alignments(bam, [locus])
    assert result.counts == {locus.key: LocusCount(alt_reads=3, depth=3)}


def test_missing_contig_is_listed(tmp_path: Path) -> None:
    on_5 = TumourLocus(chrom="5", pos=100, ref="A", alt="C")
    result = count(tmp_path, reads_of("a", 1, ALT_BASE), [SNV, on_5])
    assert result.missing_contigs == ("5",)
    assert list(result.counts) == [SNV.key]
    assert list(result.tallies) == [SNV.key]


def test_no_locus_contig_in_header_is_an_error(tmp_path: Path) -> None:
    bam = write_bam(tmp_path / "x.bam", reads_of("a", 1, ALT_BASE))
    loci = [TumourLocus(chrom="NC_000017.11", pos=100, ref="A", alt="C")]
    with pytest.raises(GenomicFileError, match="chr1") as caught:
        count_alignments(bam, loci)
    assert caught.value.file == str(bam)
    assert "NC_000017.11" in str(caught.value)


def test_locus_beyond_contig_end_is_an_error(tmp_path: Path) -> None:
    beyond = TumourLocus(chrom="17", pos=CONTIG_LENGTH + 1, ref="A", alt="C")
    with pytest.raises(GenomicFileError, match="beyond the end"):
        count(tmp_path, reads_of("a", 1, ALT_BASE), [beyond])


def test_missing_index_is_an_error(tmp_path: Path) -> None:
    bam = write_bam(tmp_path / "x.bam", reads_of("a", 1, ALT_BASE), index=False)
    verbosity = pysam.get_verbosity()
    with pytest.raises(GenomicFileError, match="index") as caught:
        count_alignments(bam, [SNV])
    assert str(bam) in str(caught.value)
    assert pysam.get_verbosity() == verbosity  # htslib's verbosity is restored


def test_not_a_bam_missing_or_truncated_file_are_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.bam"
    text.write_text("chrom\tpos\n17\t1001\n")
    with pytest.raises(GenomicFileError, match=r"notes\.bam"):
        count_alignments(text, [SNV])
    gzip_not_bam = tmp_path / "table.bam"
    gzip_not_bam.write_bytes(b"\x1f\x8b\x08\x00" + bytes(40))
    with pytest.raises(GenomicFileError, match=r"table\.bam"):
        count_alignments(gzip_not_bam, [SNV])
    with pytest.raises(GenomicFileError, match=r"absent\.bam"):
        count_alignments(tmp_path / "absent.bam", [SNV])
    bam = write_bam(tmp_path / "full.bam", reads_of("a", 300, ALT_BASE))
    cut = tmp_path / "cut.bam"
    cut.write_bytes(bam.read_bytes()[: bam.stat().st_size // 2])
    Path(f"{cut}.bai").write_bytes(Path(f"{bam}.bai").read_bytes())
    with pytest.raises(GenomicFileError, match=r"cut\.bam"):
        count_alignments(cut, [SNV])


def test_cram_with_reference_matches_bam(tmp_path: Path) -> None:
    ref17, ref1 = SEQS["chr17"], SEQS["chr1"]
    low = [35] * 60
    low[29] = 5
    reads = (
        reads_of("a", 3, ALT_BASE)
        + reads_of("r", 2, REF_BASE)
        + [
            snv_read("dup", ALT_BASE, flag=0x400),
            snv_read("lowq", ALT_BASE, qual=low),
            snv_read("disc", ALT_BASE, flag=0x41),
            snv_read("disc", REF_BASE, flag=0x81),
            Read("d", "chr17", *aligned(ref17, DEL_ANCHOR, delete=2)),
            Read("i", "chr1", *aligned(ref1, INS_ANCHOR, insert="TT")),
            Read("w", "chr1", *aligned(ref1, INS_ANCHOR, insert="GA")),
        ]
    )
    bam = write_bam(tmp_path / "plasma.bam", reads)
    fasta = write_reference(tmp_path, SEQS)
    cram = to_cram(bam, fasta, tmp_path / "plasma.cram")
    loci = [SNV, DELETION, INSERTION]
    from_bam = count_alignments(bam, loci)
    from_cram = count_alignments(cram, loci, reference=fasta)
    assert from_cram.counts == from_bam.counts
    assert from_cram.tallies == from_bam.tallies
    assert from_cram.counts[SNV.key] == LocusCount(alt_reads=3, depth=6)
    assert from_cram.sample == "PLASMA-1"
    with pytest.raises(GenomicFileError, match=r"plasma\.cram.*reference"):
        count_alignments(cram, loci)
    with pytest.raises(GenomicFileError, match=r"nowhere\.fa"):
        count_alignments(cram, loci, reference=tmp_path / "nowhere.fa")


def test_sample_is_none_without_read_group(tmp_path: Path) -> None:
    bam = write_bam(tmp_path / "x.bam", reads_of("a", 1, ALT_BASE), sample=None)
    assert count_alignments(bam, [SNV]).sample is None
