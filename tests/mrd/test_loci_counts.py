"""Reading the tumour's loci (VCF or TSV) and plasma counts tables."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from oncoboard.errors import GenomicFileError
from oncoboard.mrd import LocusCount, TumourLocus, read_counts_table, read_tumour_loci
from oncoboard.mrd.loci import substitution_class

DATA = Path(__file__).resolve().parents[1] / "data" / "tcga-a2-a04w"


def test_real_tcga_vcf_gives_196_snv_loci_with_tumour_vaf() -> None:
    loci = read_tumour_loci(DATA / "T001-BRCA.grch37.vcf.gz")
    assert len(loci) == 196
    assert all(locus.is_snv for locus in loci)
    first = loci[0]
    assert (first.chrom, first.pos, first.ref, first.alt) == ("1", 1900265, "C", "T")
    assert first.tumor_vaf == pytest.approx(2 / 9)


def test_vep_annotated_vcf_keeps_genes_and_reads_deletions() -> None:
    loci = read_tumour_loci(DATA / "T001-BRCA.grch37.vep-annotated.vcf.gz")
    deletions = [locus for locus in loci if len(locus.ref) > len(locus.alt)]
    assert len(deletions) == 4
    assert all(substitution_class(d) == "indel" for d in deletions)
    assert any(locus.gene for locus in loci)


def test_tsv_loci_strip_chr_and_name_bad_allele_row(tmp_path: Path) -> None:
    good = tmp_path / "loci.tsv"
    good.write_text("chrom\tpos\tref\talt\tgene\ttumor_vaf\nchr3\t179234297\tA\tG\tPIK3CA\t0.31\n")
    (locus,) = read_tumour_loci(good)
    assert locus == TumourLocus(
        chrom="3", pos=179234297, ref="A", alt="G", gene="PIK3CA", tumor_vaf=0.31
    )
    assert locus.label == "PIK3CA 3:179234297 A>G"
    bad = tmp_path / "bad.tsv"
    bad.write_text("chrom\tpos\tref\talt\n3\t1\tA\tG\n3\t2\tA\tN\n")
    with pytest.raises(GenomicFileError, match=r"bad\.tsv:3: alt: "):
        read_tumour_loci(bad)


def test_loci_table_without_alt_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "loci.tsv"
    path.write_text("chrom\tpos\tref\n3\t1\tA\n")
    with pytest.raises(GenomicFileError, match="alt"):
        read_tumour_loci(path)


@pytest.mark.parametrize(
    ("ref", "alt", "expected"),
    [
        ("C", "T", "C>T"),
        ("G", "A", "C>T"),
        ("G", "T", "C>A"),
        ("A", "G", "T>C"),
        ("AT", "A", "indel"),
    ],
)
def test_substitution_class_is_pyrimidine_centred(ref: str, alt: str, expected: str) -> None:
    assert substitution_class(TumourLocus(chrom="1", pos=5, ref=ref, alt=alt)) == expected


def test_mnv_and_unanchored_indel_are_rejected() -> None:
    with pytest.raises(ValueError, match="SNV or an indel"):
        TumourLocus(chrom="1", pos=5, ref="AC", alt="GT")
    with pytest.raises(ValueError, match="sharing its first base"):
        TumourLocus(chrom="1", pos=5, ref="A", alt="CT")


LOCI = [
    TumourLocus(chrom="17", pos=7577120, ref="C", alt="T"),
    TumourLocus(chrom="3", pos=179234297, ref="A", alt="G"),
]


def test_counts_table_by_sample_ignores_other_loci(tmp_path: Path) -> None:
    path = tmp_path / "normals.tsv.gz"
    rows = (
        "sample\tchrom\tpos\tref\talt\talt_reads\tdepth\n"
        "N1\tchr17\t7577120\tC\tT\t1\t9000\n"
        "N1\t3\t179234297\tA\tG\t0\t8000\n"
        "N2\t17\t7577120\tC\tT\t0\t7000\n"
        "N2\t1\t100\tC\tT\t5\t10\n"
    )
    with gzip.open(path, "wt") as handle:
        handle.write(rows)
    samples = read_counts_table(path, LOCI)
    assert samples == {
        "N1": {LOCI[0].key: LocusCount(1, 9000), LOCI[1].key: LocusCount(0, 8000)},
        "N2": {LOCI[0].key: LocusCount(0, 7000)},
    }


def test_counts_table_without_sample_column_uses_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "plasma-C3.counts.tsv"
    path.write_text("chrom\tpos\tref\talt\tt_alt_count\tt_depth\n17\t7577120\tC\tT\t4\t8100\n")
    assert read_counts_table(path, LOCI) == {"plasma-C3": {LOCI[0].key: LocusCount(4, 8100)}}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("17\t7577120\tC\tT\t9\t8", r":2: alt_reads: alt_reads 9 exceed depth 8"),
        ("17\t7577120\tC\tT\t-1\t8", r":2: alt_reads: expected an integer >= 0"),
        ("17\t7577120\tC\tT\t1.5\t8", r":2: alt_reads: expected an integer"),
    ],
)
def test_bad_count_names_file_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "plasma.tsv"
    path.write_text(f"chrom\tpos\tref\talt\talt_reads\tdepth\n{row}\n")
    with pytest.raises(GenomicFileError, match=message):
        read_counts_table(path, LOCI)


def test_duplicate_locus_in_a_sample_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plasma.tsv"
    line = "17\t7577120\tC\tT\t1\t100\n"
    path.write_text("chrom\tpos\tref\talt\talt_reads\tdepth\n" + line + line)
    with pytest.raises(GenomicFileError, match="appears twice"):
        read_counts_table(path, LOCI)


def test_locus_count_rejects_alt_above_depth() -> None:
    with pytest.raises(ValueError, match="exceed depth"):
        LocusCount(alt_reads=3, depth=2)
    assert LocusCount(0, 0).fraction is None


def test_counts_table_at_none_of_the_loci_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "other-patient.tsv"
    path.write_text("chrom\tpos\tref\talt\talt_reads\tdepth\n1\t100\tC\tT\t3\t900\n")
    with pytest.raises(GenomicFileError, match="found none of them"):
        read_counts_table(path, LOCI)
