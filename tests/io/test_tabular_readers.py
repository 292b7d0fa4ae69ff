"""Tabular genomic readers: MAF, cBioPortal CNA/SV, gene tables and segments.

Real files (examples/cohort/metabric, tests/data/tcga-a2-a04w) are checked against counts taken
from the files themselves. MAF and cBioPortal files are not available offline, so they are
written here in the documented layouts (GDC MAF v1.0.0 somatic column list; cBioPortal
"Mutation Data", "Discrete Copy Number Data" and "Structural Variant Data"); their rows are
synthetic (coordinates of PIK3CA H1047R and TP53 R175H are the real GRCh38/GRCh37 ones).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from oncoboard.errors import GenomicFileError
from oncoboard.io.cbioportal import read_cbioportal_cna, read_cbioportal_sv
from oncoboard.io.gene_tables import read_fusions, read_gene_cna, read_mutation_table
from oncoboard.io.maf import read_maf
from oncoboard.io.segments import read_segments
from oncoboard.model.genomics import CopyNumberType, GenomeBuild, SampleOrigin
from tests.conftest import COHORTS, DATA

METABRIC = COHORTS / "metabric" / "metabric_mutations.tsv"
TCGA = DATA / "tcga-a2-a04w"

# GDC MAF v1.0.0, somatic (open-access) MAF: columns 1-120 of the protected MAF, in order.
_GDC_SPEC = (
    "Hugo_Symbol Entrez_Gene_Id Center NCBI_Build Chromosome Start_Position End_Position Strand "
    "Variant_Classification Variant_Type Reference_Allele Tumor_Seq_Allele1 Tumor_Seq_Allele2 "
    "dbSNP_RS dbSNP_Val_Status Tumor_Sample_Barcode Matched_Norm_Sample_Barcode "
    "Match_Norm_Seq_Allele1 Match_Norm_Seq_Allele2 Tumor_Validation_Allele1 "
    "Tumor_Validation_Allele2 Match_Norm_Validation_Allele1 Match_Norm_Validation_Allele2 "
    "Verification_Status Validation_Status Mutation_Status Sequencing_Phase Sequence_Source "
    "Validation_Method Score BAM_File Sequencer Tumor_Sample_UUID Matched_Norm_Sample_UUID HGVSc "
    "HGVSp HGVSp_Short Transcript_ID Exon_Number t_depth t_ref_count t_alt_count n_depth "
    "n_ref_count n_alt_count all_effects Allele Gene Feature Feature_type One_Consequence "
    "Consequence cDNA_position CDS_position Protein_position Amino_acids Codons "
    "Existing_variation ALLELE_NUM DISTANCE TRANSCRIPT_STRAND SYMBOL SYMBOL_SOURCE HGNC_ID "
    "BIOTYPE CANONICAL CCDS ENSP SWISSPROT TREMBL UNIPARC RefSeq SIFT PolyPhen EXON INTRON "
    "DOMAINS GMAF AFR_MAF AMR_MAF ASN_MAF EAS_MAF EUR_MAF SAS_MAF AA_MAF EA_MAF CLIN_SIG SOMATIC "
    "PUBMED MOTIF_NAME MOTIF_POS HIGH_INF_POS MOTIF_SCORE_CHANGE IMPACT PICK VARIANT_CLASS TSL "
    "HGVS_OFFSET PHENO MINIMISED ExAC_AF ExAC_AF_Adj ExAC_AF_AFR ExAC_AF_AMR ExAC_AF_EAS "
    "ExAC_AF_FIN ExAC_AF_NFE ExAC_AF_OTH ExAC_AF_SAS GENE_PHENO FILTER CONTEXT src_vcf_id "
    "tumor_bam_uuid normal_bam_uuid case_id GDC_FILTER COSMIC MC3_Overlap GDC_Validation_Status"
)
GDC_COLUMNS = _GDC_SPEC.split()
TUMOR, OTHER = "TCGA-A2-A04W-01A-31D-A111-09", "TCGA-XX-0001-01A-11D-A111-09"


def gdc_row(cells: str) -> str:
    """A GDC MAF line from ``Column=value`` pairs (other columns empty)."""
    values = dict(pair.split("=", 1) for pair in cells.split())
    assert set(values) <= set(GDC_COLUMNS)
    return "\t".join(values.get(name, "") for name in GDC_COLUMNS)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


COMMON = f"NCBI_Build=GRCh38 Strand=+ Tumor_Sample_Barcode={TUMOR} Mutation_Status=Somatic"
GDC_ROWS = [
    f"{COMMON} Hugo_Symbol=PIK3CA Chromosome=chr3 Start_Position=179234297 "
    "End_Position=179234297 Variant_Classification=Missense_Mutation Variant_Type=SNP "
    "Reference_Allele=A Tumor_Seq_Allele1=A Tumor_Seq_Allele2=G HGVSc=c.3140A>G "
    "HGVSp=p.His1047Arg HGVSp_Short=p.H1047R Transcript_ID=ENST00000263967 Exon_Number=21/21 "
    "t_depth=100 t_ref_count=70 t_alt_count=30 Consequence=missense_variant FILTER=PASS",
    f"{COMMON} Hugo_Symbol=TP53 Chromosome=chr17 Start_Position=7670609 End_Position=7670609 "
    "Variant_Classification=Splice_Site Reference_Allele=C Tumor_Seq_Allele1=C "
    "Tumor_Seq_Allele2=T HGVSc=c.993+1G>A HGVSp_Short=p.X331_splice t_depth=40 t_ref_count=30 "
    "t_alt_count=10",
    f"NCBI_Build=GRCh38 Tumor_Sample_Barcode={OTHER} Mutation_Status=Germline Hugo_Symbol=BRCA2 "
    "Chromosome=chr13 Start_Position=32340300 End_Position=32340301 "
    "Variant_Classification=Frame_Shift_Del Reference_Allele=GT Tumor_Seq_Allele1=GT "
    "Tumor_Seq_Allele2=- HGVSp_Short=p.S1982Rfs*22 t_ref_count=12 t_alt_count=12",
]


@pytest.fixture
def gdc_maf(tmp_path: Path) -> Path:
    comments = ["#version gdc-1.0.0", "#annotation.spec gdc-1.0.1-public"]
    rows = [gdc_row(cells) for cells in GDC_ROWS]
    return write(tmp_path / "gdc.somatic.maf", [*comments, "\t".join(GDC_COLUMNS), *rows])


def test_gdc_maf_reads_every_documented_field(gdc_maf: Path) -> None:
    calls = read_maf(gdc_maf)
    assert [c.gene for c in calls] == ["PIK3CA", "TP53", "BRCA2"]
    pik3ca = calls[0]
    assert pik3ca.source == f"{gdc_maf}:4"
    assert (pik3ca.chromosome, pik3ca.position, pik3ca.ref, pik3ca.alt) == (
        "3",
        179234297,
        "A",
        "G",
    )
    assert pik3ca.genome_build is GenomeBuild.GRCH38
    assert (pik3ca.hgvs_c, pik3ca.hgvs_p, pik3ca.transcript) == (
        "c.3140A>G",
        "p.H1047R",
        "ENST00000263967",
    )
    assert (pik3ca.exon, pik3ca.depth, pik3ca.alt_reads, pik3ca.vaf) == ("21/21", 100, 30, 0.3)
    assert (pik3ca.consequence, pik3ca.origin, pik3ca.filter) == (
        "missense_variant",
        SampleOrigin.SOMATIC,
        "PASS",
    )
    assert calls[1].consequence == "splice_donor_variant"  # from c.993+1 (no Consequence value)
    brca2 = calls[2]
    assert (brca2.alt, brca2.origin, brca2.consequence) == (
        "-",
        SampleOrigin.GERMLINE,
        "frameshift_variant",
    )
    assert (brca2.depth, brca2.vaf) == (24, 0.5)  # no t_depth: ref + alt


def test_maf_sample_filter_keeps_one_barcode_and_tolerates_absent_samples(gdc_maf: Path) -> None:
    assert [c.gene for c in read_maf(gdc_maf, sample=OTHER)] == ["BRCA2"]
    assert read_maf(gdc_maf, sample="TCGA-NO-MUTATIONS") == []


def test_maf_reads_gzip(gdc_maf: Path, tmp_path: Path) -> None:
    packed = tmp_path / "gdc.somatic.maf.gz"
    packed.write_bytes(gzip.compress(gdc_maf.read_bytes()))
    assert [c.gene for c in read_maf(packed)] == ["PIK3CA", "TP53", "BRCA2"]


CBIO_MAF = [
    "Hugo_Symbol\tEntrez_Gene_Id\tCenter\tNCBI_Build\tChromosome\tStart_Position\tEnd_Position\t"
    "Strand\tVariant_Classification\tVariant_Type\tReference_Allele\tTumor_Seq_Allele1\t"
    "Tumor_Seq_Allele2\tTumor_Sample_Barcode\tMutation_Status\tHGVSp_Short\tt_alt_count\t"
    "t_ref_count\tn_alt_count\tn_ref_count\tProtein_position\tSWISSPROT",
    "TP53\t7157\tMSK\tGRCh37\t17\t7578406\t7578406\t+\tMissense_Mutation\tSNP\tC\t\tT\tS1\t"
    "Somatic\tp.R175H\t45\t55\t0\t80\t175\tP04637",
    "GATA3\t2625\tMSK\tGRCh37\t10\t8115874\t8115875\t+\tSplice_Site\tINS\t-\t\tA\tS2\t"
    "Somatic\tp.X308_splice\tNA\tNA\tNA\tNA\t308\tP23771",
    "AKT1\t207\tMSK\tGRCh37\t14\t105246551\t105246551\t+\tMissense_Mutation\tSNP\tC\t\tT\tS2\t"
    "Wildtype\tp.E17K\t0\t80\t0\t80\t17\tP31749",
]


def test_cbioportal_maf_without_depth_or_hgvsc(tmp_path: Path) -> None:
    calls = read_maf(write(tmp_path / "data_mutations.txt", CBIO_MAF))
    assert [c.gene for c in calls] == ["TP53", "GATA3"]  # the Wildtype row is no variant
    tp53, gata3 = calls
    assert (tp53.genome_build, tp53.position, tp53.vaf, tp53.depth) == (
        GenomeBuild.GRCH37,
        7578406,
        0.45,
        100,
    )
    assert (gata3.vaf, gata3.depth, gata3.consequence) == (None, None, "splice_site_variant")


def test_minimal_cbioportal_maf(tmp_path: Path) -> None:
    lines = [
        "Hugo_Symbol\tVariant_Classification\tTumor_Sample_Barcode\tHGVSp_Short",
        "PPOX\tMissense_Mutation\tABC-001-0001-AA\tp.R168H",
    ]
    (call,) = read_maf(write(tmp_path / "minimal.maf", lines))
    assert (call.gene, call.hgvs_p, call.sample, call.position) == (
        "PPOX",
        "p.R168H",
        "ABC-001-0001-AA",
        None,
    )


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Hugo_Symbol\tHGVSp_Short", "Tumor_Sample_Barcode"),
        ("Tumor_Sample_Barcode\tHGVSp_Short", "Hugo_Symbol"),
        ("Hugo_Symbol\tTumor_Sample_Barcode\tChromosome\tStart_Position", "Reference_Allele"),
    ],
)
def test_maf_missing_required_columns_are_named(tmp_path: Path, header: str, missing: str) -> None:
    path = write(tmp_path / "bad.maf", [header])
    with pytest.raises(GenomicFileError, match=missing) as info:
        read_maf(path)
    assert info.value.file == str(path) and info.value.record == 1


HEAD = "Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\tStart_Position\tt_depth\tt_alt_count"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("KRAS\tS1\tp.G12D\t25398284.5\t10\t5", "Start_Position", "expected an integer"),
        ("KRAS\tS1\tp.G12D\t0\t10\t5", "Start_Position", ">= 1"),
        ("KRAS\tS1\tp.G12D\t25398284\t-3\t0", "t_depth", ">= 0"),
        ("KRAS\tS1\tp.G12D\t25398284\t10\t12", "t_alt_count", "<= t_depth 10, got 12"),
        ("KRAS\tS1\tp.G12D\t25398284\t10", None, "expected 6 tab-separated fields"),
        ("KRAS\tNA\tp.G12D\t25398284\t10\t5", "Tumor_Sample_Barcode", "expected a value"),
    ],
)
def test_maf_bad_values_carry_file_line_and_field(
    tmp_path: Path, row: str, field: str | None, message: str
) -> None:
    path = write(tmp_path / "bad.maf", [HEAD, row])
    with pytest.raises(GenomicFileError, match=message) as info:
        read_maf(path)
    assert (info.value.file, info.value.record, info.value.field) == (str(path), 2, field)


def test_maf_unknown_build_is_an_error(tmp_path: Path) -> None:
    lines = [
        "Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\tNCBI_Build",
        "Kras\tS1\tp.G12D\tGRCm38",
    ]
    with pytest.raises(GenomicFileError, match=r"expected GRCh37 or GRCh38.*'GRCm38'"):
        read_maf(write(tmp_path / "mouse.maf", lines))


def test_metabric_mutation_table() -> None:
    calls = read_mutation_table(METABRIC)
    assert len(calls) == 10_613
    assert len({c.sample for c in calls}) == 1_859
    first = calls[0]
    assert (first.sample, first.gene, first.hgvs_p) == ("MB-0599", "BRAF", "p.V600E")
    assert first.source == f"{METABRIC}:2"
    mb0599 = {(c.gene, c.hgvs_p) for c in calls if c.sample == "MB-0599"}
    assert mb0599 == {("BRAF", "p.V600E"), ("MAP2K4", "p.S257F"), ("KMT2C", "p.X1597_splice")}


def test_mutation_table_synonyms_and_sample_label(tmp_path: Path) -> None:
    lines = ["Gene\tprotein_change", "ESR1\tp.D538G", "PIK3CA\tE545K"]
    calls = read_mutation_table(write(tmp_path / "lab.tsv", lines), sample="P1")
    assert [(c.sample, c.gene, c.hgvs_p) for c in calls] == [
        ("P1", "ESR1", "p.D538G"),
        ("P1", "PIK3CA", "p.E545K"),
    ]


def test_pcgr_fusions_with_half_empty_partners() -> None:
    path = TCGA / "T001-BRCA.grch37.fusions.tsv"
    calls = read_fusions(path, sample="T001")
    assert len(calls) == 13
    assert (calls[0].gene_5p, calls[0].gene_3p, calls[0].supporting_reads) == ("EML4", "ALK", 100)
    by_line = {int(c.source.rsplit(":", 1)[1]): c for c in calls}
    assert (by_line[14].gene_5p, by_line[14].gene_3p, by_line[14].supporting_reads) == (
        None,
        "NTRK3",
        90,
    )
    assert (by_line[13].gene_5p, by_line[13].gene_3p) == ("FGFR2", None)
    assert {c.sample for c in calls} == {"T001"}
    assert len(read_fusions(TCGA / "T001-BRCA.grch38.fusions.tsv")) == 9


def test_star_fusion_header_after_hash(tmp_path: Path) -> None:
    lines = [
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tPROT_FUSION_TYPE",
        "ESR1--CCDC170\t12\t4\tINFRAME",
    ]
    (call,) = read_fusions(write(tmp_path / "star-fusion.tsv", lines))
    assert (call.gene_5p, call.gene_3p, call.supporting_reads, call.in_frame) == (
        "ESR1",
        "CCDC170",
        12,
        True,
    )


@pytest.mark.parametrize("value", ["EML4-ALK", "--", "A--B--C"])
def test_bad_fusion_names(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "f.tsv", ["FusionGene\tSplitReads", f"{value}\t3"])
    with pytest.raises(GenomicFileError) as info:
        read_fusions(path)
    assert (info.value.record, info.value.field) == (2, "FusionGene")


def test_allele_specific_segments_grch37() -> None:
    path = TCGA / "T001-BRCA.grch37.cna.tsv"
    segments = read_segments(path)
    assert len(segments) == 252
    erbb2 = next(s for s in segments if s.chromosome == "17" and s.start == 37756263)
    assert (erbb2.end, erbb2.total_copy_number, erbb2.minor_copy_number) == (38156253, 9, 1)
    assert sum(s.total_copy_number == 0 for s in segments) == 6
    assert all(s.log2_ratio is None and s.sample is None for s in segments)
    assert len(read_segments(TCGA / "T001-BRCA.grch38.cna.tsv")) == 260


def test_log2_segments_strip_chr_and_filter_by_sample() -> None:
    path = TCGA / "T001-BRCA.grch37.v2017.cna.tsv"
    segments = read_segments(path)
    assert len(segments) == 547
    first = segments[0]
    assert (first.chromosome, first.start, first.end, first.log2_ratio) == (
        "1",
        3218329,
        3550598,
        0.0024,
    )
    assert first.sample == "TCGA-A2-A04W-01A-31D-A111-01"
    assert first.total_copy_number is None
    assert read_segments(path, sample="TCGA-A2-A04W-01A-31D-A111-01") == segments
    assert read_segments(path, sample="another") == []


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("1\t100\t50\t1\t1", "End", "expected >= start 100, got 50"),
        ("1\t1234.5\t2000\t1\t1", "Start", "expected an integer, got '1234.5'"),
        ("1\t100\t200\t-1\t1", "nMajor", ">= 0"),
        ("\t100\t200\t1\t1", "Chromosome", "expected a chromosome name"),
    ],
)
def test_segment_errors(tmp_path: Path, row: str, field: str, message: str) -> None:
    path = write(tmp_path / "seg.tsv", ["Chromosome\tStart\tEnd\tnMajor\tnMinor", row])
    with pytest.raises(GenomicFileError, match=message) as info:
        read_segments(path)
    assert (info.value.record, info.value.field) == (2, field)


CNA = [
    "Hugo_Symbol\tEntrez_Gene_Id\tSAMPLE_ID_1\tSAMPLE_ID_2",
    "ERBB2\t2064\t2\t0",
    "PTEN\t5728\t-2\tNA",
    "CDKN2A\t1029\t-1.5\t-1",
    "MYC\t4609\t1\t",
]


def test_cbioportal_discrete_cna(tmp_path: Path) -> None:
    path = write(tmp_path / "data_cna.txt", CNA)
    calls = read_cbioportal_cna(path)
    assert [(c.gene, c.sample, c.type) for c in calls] == [
        ("ERBB2", "SAMPLE_ID_1", CopyNumberType.AMPLIFICATION),
        ("PTEN", "SAMPLE_ID_1", CopyNumberType.DELETION),
        ("CDKN2A", "SAMPLE_ID_1", CopyNumberType.DELETION),
        ("CDKN2A", "SAMPLE_ID_2", CopyNumberType.LOSS),
        ("MYC", "SAMPLE_ID_1", CopyNumberType.GAIN),
    ]
    assert calls[0].source == f"{path}:2" and calls[0].copy_number is None
    assert [c.gene for c in read_cbioportal_cna(path, sample="SAMPLE_ID_2")] == ["CDKN2A"]


def test_cbioportal_cna_rejects_unknown_level_and_sample(tmp_path: Path) -> None:
    path = write(tmp_path / "data_CNA.txt", [*CNA, "AKT1\t207\t3\t0"])
    with pytest.raises(GenomicFileError, match=r"expected one of -2.*got '3'") as info:
        read_cbioportal_cna(path)
    assert (info.value.record, info.value.field) == (6, "SAMPLE_ID_1")
    with pytest.raises(GenomicFileError, match="expected a column for sample 'S9'"):
        read_cbioportal_cna(write(tmp_path / "ok.txt", CNA), sample="S9")


SV_HEADER = (
    "Sample_Id\tSV_Status\tSite1_Hugo_Symbol\tSite1_Entrez_Gene_Id\tSite1_Chromosome\t"
    "Site1_Position\tSite2_Hugo_Symbol\tSite2_Entrez_Gene_Id\tSite2_Chromosome\tSite2_Position\t"
    "Site2_Effect_On_Frame\tNCBI_Build\tClass\tTumor_Split_Read_Count\t"
    "Tumor_Paired_End_Read_Count\tEvent_Info\tConnection_Type\tBreakpoint_Type"
)


def test_cbioportal_structural_variants(tmp_path: Path) -> None:
    lines = [
        SV_HEADER,
        "S1\tSOMATIC\tTMPRSS2\t7113\t21\t42874110\tERG\t2078\t21\t39842043\tOut-of-frame\tGRCh37\t"
        "DELETION\t4\t55\tProtein fusion: out of frame (TMPRSS2-ERG)\t3to5\tPRECISE",
        "S2\tSOMATIC\tEML4\t27436\t2\t42522694\tALK\t238\t2\t29446394\tIn_frame\tGRCh37\t"
        "INVERSION\t10\t\tProtein fusion: in frame (EML4-ALK)\t3to5\tPRECISE",
        "S2\tSOMATIC\t\t\t\t\tNTRK3\t4916\t15\t88576000\t\tGRCh37\tTRANSLOCATION\t\t\t"
        "Protein fusion: in frame (ETV6-NTRK3)\t\tIMPRECISE",
    ]
    calls = read_cbioportal_sv(write(tmp_path / "data_sv.txt", lines))
    assert [(c.sample, c.gene_5p, c.gene_3p, c.in_frame, c.supporting_reads) for c in calls] == [
        ("S1", "TMPRSS2", "ERG", False, 59),
        ("S2", "EML4", "ALK", True, 10),
        ("S2", None, "NTRK3", True, None),
    ]
    assert len(read_cbioportal_sv(tmp_path / "data_sv.txt", sample="S1")) == 1


def test_gene_cna_calls_and_copy_number_thresholds(tmp_path: Path) -> None:
    calls_file = write(
        tmp_path / "calls.tsv",
        ["sample\tgene\tcall", "P1\tERBB2\tAMP", "P1\tPTEN\tHOMDEL", "P2\tCCND1\tgain"],
    )
    calls = read_gene_cna(calls_file, sample="P1")
    assert [(c.gene, c.type) for c in calls] == [
        ("ERBB2", CopyNumberType.AMPLIFICATION),
        ("PTEN", CopyNumberType.DELETION),
    ]
    copies = write(
        tmp_path / "copies.tsv",
        ["symbol\tcopy_number", "ERBB2\t9", "MYC\t6", "CCND1\t5.9", "PTEN\t0", "RB1\t1"],
    )
    calls = read_gene_cna(copies)
    assert [(c.gene, c.type, c.copy_number) for c in calls] == [
        ("ERBB2", CopyNumberType.AMPLIFICATION, 9),
        ("MYC", CopyNumberType.AMPLIFICATION, 6),
        ("PTEN", CopyNumberType.DELETION, 0),
    ]
    assert {c.gene for c in read_gene_cna(copies, amplification_min=5)} >= {"CCND1"}
    both = write(tmp_path / "both.tsv", ["gene\tcall\ttotal_cn", "MYC\t\t8", "TP53\tneutral\t8"])
    (myc,) = read_gene_cna(both)  # no call: threshold; an explicit call wins over copies
    assert (myc.gene, myc.type, myc.copy_number) == ("MYC", CopyNumberType.AMPLIFICATION, 8)


@pytest.mark.parametrize("value", ["3", "tripled"])
def test_gene_cna_unknown_call(tmp_path: Path, value: str) -> None:
    path = write(tmp_path / "calls.tsv", ["gene\tcall", f"ERBB2\t{value}"])
    with pytest.raises(GenomicFileError, match=f"got '{value}'") as info:
        read_gene_cna(path)
    assert (info.value.record, info.value.field) == (2, "call")


READERS = [read_maf, read_mutation_table, read_gene_cna, read_fusions, read_segments]
READERS += [read_cbioportal_cna, read_cbioportal_sv]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"# only a comment\n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"gene\xff\tcall\nERBB2\tamp\n", r"expected UTF-8 text, got byte b'\\xff'"),
        (gzip.compress(b"x" * 100_000)[:40], "complete gzip stream"),
    ],
    ids=["empty", "comments-only", "binary", "latin-1", "truncated-gz"],
)
def test_unreadable_files(
    tmp_path: Path, reader: Callable[[Path], object], content: bytes, message: str
) -> None:
    path = tmp_path / "input.tsv"
    path.write_bytes(content)
    with pytest.raises(GenomicFileError, match=message) as info:
        reader(path)
    assert info.value.file == str(path)


def test_truncated_gzip_reports_the_line_reached(tmp_path: Path) -> None:
    whole = gzip.compress((TCGA / "T001-BRCA.grch37.v2017.cna.tsv").read_bytes())
    path = tmp_path / "segments.tsv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(GenomicFileError, match="expected a complete gzip stream") as info:
        read_segments(path)
    assert info.value.record is not None and info.value.record > 2


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for path in (tmp_path / "absent.tsv", tmp_path):
        with pytest.raises(GenomicFileError, match="cannot open"):
            read_segments(path)


def test_bom_crlf_and_quoted_header(tmp_path: Path) -> None:
    path = tmp_path / "excel.tsv"
    path.write_bytes(b'\xef\xbb\xbf"gene"\t"call"\r\nERBB2\tamplification\r\n')
    (call,) = read_gene_cna(path)
    assert (call.gene, call.type, call.source) == (
        "ERBB2",
        CopyNumberType.AMPLIFICATION,
        f"{path}:2",
    )
