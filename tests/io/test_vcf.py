"""read_vcf on the real PCGR/TCGA example files and on small caller-convention VCF texts."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import cyvcf2  # type: ignore[import-untyped]
import pytest

from oncoboard.errors import GenomicFileError
from oncoboard.io.genomic_records import VariantCall
from oncoboard.io.vcf import VcfResult, read_vcf
from oncoboard.model.genomics import GenomeBuild, SampleOrigin

DATA = Path(__file__).resolve().parents[1] / "data" / "tcga-a2-a04w"
GRCH37 = DATA / "T001-BRCA.grch37.vcf.gz"
GRCH38 = DATA / "T001-BRCA.grch38.vcf.gz"
VEP = DATA / "T001-BRCA.grch37.vep-annotated.vcf.gz"
V2017 = DATA / "T001-BRCA.grch37.v2017.vcf.gz"
TCGA_SAMPLE = "TCGA-A2-A04W-01A-31D-A10Y-09_TCGA-A2-A04W-10A-01D-A110-09"
PIK3CA_H1047R_GRCH37 = "3\t178952085\t"
HEADER = "##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO"


def vcf_text(header: str, *rows: str) -> str:
    """A VCF: ``##`` lines as given; the ``#CHROM`` line and records split on whitespace."""
    lines = [line.strip() for line in header.strip().splitlines()]
    meta = [line for line in lines if line.startswith("##")]
    columns = [line for line in lines if not line.startswith("##")]
    body = ["\t".join(line.split()) for line in [*columns, *rows]]
    return "\n".join([*meta, *body]) + "\n"


def write(tmp_path: Path, text: str | bytes, name: str = "calls.vcf") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def at(result: VcfResult, position: int, alt: str | None = None) -> VariantCall:
    found = [c for c in result.calls if c.position == position and alt in (None, c.alt)]
    assert len(found) == 1, found
    return found[0]


def line_of(path: Path, prefix: str) -> int:
    with gzip.open(path, "rt") as text:
        return next(n for n, line in enumerate(text, 1) if line.startswith(prefix))


# --- the real TCGA-A2-A04W files (GitHub sigven/pcgr examples) -------------------------------


def test_grch37_raw_vcf_has_196_pass_calls_of_the_tcga_tumour_column():
    result = read_vcf(GRCH37)
    assert len(result.calls) == 196
    assert result.filtered_out == 0
    assert result.samples == [TCGA_SAMPLE]
    assert (result.tumor_sample, result.normal_sample) == (TCGA_SAMPLE, None)
    assert result.annotation is None
    assert {c.sample for c in result.calls} == {TCGA_SAMPLE}
    assert {c.origin for c in result.calls} == {SampleOrigin.SOMATIC}  # DPC/ADC: control seen
    assert all(c.vaf is not None and c.depth for c in result.calls)


def test_grch37_build_is_inferred_from_the_liftover_target():
    assert read_vcf(GRCH37).genome_build is GenomeBuild.GRCH37
    assert all(c.genome_build is GenomeBuild.GRCH37 for c in read_vcf(GRCH37).calls)


def test_pik3ca_h1047r_vaf_and_depth_come_from_adt_and_dpt():
    call = at(read_vcf(GRCH37), 178952085)
    assert (call.chromosome, call.ref, call.alt) == ("3", "A", "G")
    assert call.vaf == pytest.approx(31 / 74)  # ADT 43,31
    assert call.vaf == pytest.approx(0.4189, abs=1e-4)
    assert (call.depth, call.alt_reads) == (74, 31)  # DPT 74
    assert call.filter == "PASS"


def test_source_is_path_and_line_of_the_record_in_the_decompressed_text():
    result = read_vcf(GRCH37)
    assert result.calls[0].source == f"{GRCH37}:18"  # 17 header lines
    assert at(result, 178952085).source == f"{GRCH37}:{line_of(GRCH37, PIK3CA_H1047R_GRCH37)}"
    assert at(result, 178952085).source.endswith(":54")


def test_info_tvaf_and_tdp_agree_with_format_adt_and_dpt(tmp_path):
    """Strip FORMAT and the sample: the sites-only file falls back to INFO TVAF/TDP."""
    with gzip.open(GRCH37, "rt") as text:
        lines = [
            line if line.startswith("##") else "\t".join(line.rstrip("\n").split("\t")[:8]) + "\n"
            for line in text
        ]
    sites_only = read_vcf(write(tmp_path, "".join(lines)))
    assert sites_only.samples == []
    assert at(sites_only, 178952085).vaf == pytest.approx(0.4189, abs=1e-4)
    assert at(sites_only, 178952085).depth == 74
    from_format = read_vcf(GRCH37).calls
    assert len(sites_only.calls) == len(from_format) == 196
    for info, fmt in zip(sites_only.calls, from_format, strict=True):
        assert (info.position, info.depth) == (fmt.position, fmt.depth)
        assert info.vaf == pytest.approx(fmt.vaf, abs=1e-5)
        assert info.sample is None and info.origin is None and info.alt_reads is None


def test_grch38_file_gives_the_same_calls_on_grch38():
    grch37, grch38 = read_vcf(GRCH37), read_vcf(GRCH38)
    assert len(grch38.calls) == len(grch37.calls) == 196
    assert grch38.genome_build is GenomeBuild.GRCH38  # ##liftOverChainFile=...hg19Tohg38...
    pik3ca = at(grch38, 179234297)
    assert (pik3ca.vaf, pik3ca.depth) == (at(grch37, 178952085).vaf, 74)
    assert [c.vaf for c in grch38.calls] == [c.vaf for c in grch37.calls]


def test_vep_annotated_sites_only_file_gives_pik3ca_h1047r():
    result = read_vcf(VEP)
    assert result.annotation == "VEP"
    assert result.samples == [] and result.tumor_sample is None
    assert result.genome_build is GenomeBuild.GRCH37  # ##reference=GRCh37
    assert len(result.calls) == 199
    call = at(result, 178952085)
    assert call.gene == "PIK3CA"
    assert call.transcript == "ENST00000263967"
    assert call.hgvs_c == "c.3140A>G"
    assert call.hgvs_p == "p.His1047Arg"
    assert call.consequence == "missense_variant"
    assert call.exon == "21/21"
    assert (call.sample, call.vaf, call.depth, call.origin) == (None, None, None, None)
    assert call.source == f"{VEP}:{line_of(VEP, PIK3CA_H1047R_GRCH37)}"


def test_vep_deletion_is_matched_to_its_allele():
    call = at(read_vcf(VEP), 19501757)  # 16:19501757 CCT>C, VEP allele "-"
    assert (call.ref, call.alt, call.gene) == ("CCT", "C", "TMC5")
    assert call.consequence == "frameshift_variant"
    assert call.transcript == "ENST00000396229"  # PICK=1 (and CANONICAL=YES) of 8 entries
    assert (call.hgvs_c, call.hgvs_p) == ("c.2619_2620delCT", "p.Phe874HisfsTer64")
    assert call.exon == "18/22"


def test_vep_picked_transcript_matches_the_files_own_pick_columns():
    """PCGR copied VEP's picked block into INFO (SYMBOL=, Feature=...); compare all 199."""
    with gzip.open(VEP, "rt") as text:
        records = [line.split("\t") for line in text if not line.startswith("#")]
    flattened = {}
    for columns in records:
        info = dict(item.partition("=")[::2] for item in columns[7].split(";"))
        flattened[int(columns[1])] = (info.get("SYMBOL"), info.get("Feature"))
    picked = {c.position: (c.gene, c.transcript) for c in read_vcf(VEP).calls}
    assert picked == flattened


def test_vep_v85_synonymous_hgvsp_repeating_hgvsc_is_not_a_protein_change():
    call = at(read_vcf(VEP), 9305353)  # CSQ HGVSp is 'ENST00000377403.2:c.360G>A'
    assert call.consequence == "synonymous_variant"
    assert (call.hgvs_c, call.hgvs_p) == ("c.360G>A", None)


def test_v2017_file_states_depth_zero_and_no_allele_counts():
    result = read_vcf(V2017)
    assert len(result.calls) == 199
    assert result.genome_build is None  # no reference, contig or liftover lines
    assert all(c.vaf is None and c.alt_reads is None for c in result.calls)
    assert {c.depth for c in result.calls} == {0}  # DPT=0 as written, ADT '.,.'


def test_genome_build_argument_overrides_the_header():
    assert read_vcf(GRCH37, genome_build=GenomeBuild.GRCH38).genome_build is GenomeBuild.GRCH38
    assert read_vcf(V2017, genome_build=GenomeBuild.GRCH37).calls[0].genome_build == "GRCh37"


def test_htslib_warnings_do_not_reach_the_terminal(capfd):
    read_vcf(GRCH37)  # htslib warns "Contig '1' is not defined in the header" per contig
    assert capfd.readouterr().err == ""
    os.write(2, b"still ours\n")  # fd 2 is restored afterwards
    assert capfd.readouterr().err == "still ours\n"


@pytest.mark.parametrize(
    ("meta", "build"),
    [
        (["##reference=file:///refs/hs37d5.fa"], GenomeBuild.GRCH37),
        (["##reference=file:///refs/human_g1k_v37.fasta"], GenomeBuild.GRCH37),
        (["##reference=GRCh38"], GenomeBuild.GRCH38),
        (["##contig=<ID=chr1,length=248956422>"], GenomeBuild.GRCH38),
        (["##contig=<ID=1,length=249250621>"], GenomeBuild.GRCH37),
        (["##contig=<ID=1,length=1000,assembly=b37>"], GenomeBuild.GRCH37),
        (
            ["##reference=hg19.fa", "##liftOverChainFile=hg19ToHg38.over.chain.gz"],
            GenomeBuild.GRCH38,
        ),
        (["##reference=GRCh37", "##contig=<ID=chr1,length=248956422>"], GenomeBuild.GRCH37),
        (["##reference=GRCh37.fa", "##reference=GRCh38.fa"], None),  # contradiction: no guess
        (["##source=Mutect2"], None),
    ],
)
def test_genome_build_from_the_header(tmp_path, meta, build):
    text = "\n".join(["##fileformat=VCFv4.2", *meta, HEADER.splitlines()[-1].replace(" ", "\t")])
    result = read_vcf(str(write(tmp_path, text + "\n1\t10\t.\tA\tG\t.\tPASS\t.\n")))
    assert result.genome_build == build
    assert result.calls[0].genome_build == build


def test_gdc_sample_lines_name_tumour_and_normal_columns(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
        ##SAMPLE=<ID=NORMAL,SampleName=P1-blood,Description="Normal">
        ##SAMPLE=<ID=TUMOR,SampleName=P1-liver-met,Description="Tumour">
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT P1-blood P1-liver-met
        """,
        "chr3 179234297 . A G . PASS . AD 40,0 30,10",
    )
    result = read_vcf(write(tmp_path, text))
    assert (result.tumor_sample, result.normal_sample) == ("P1-liver-met", "P1-blood")
    assert (result.calls[0].vaf, result.calls[0].origin) == (0.25, SampleOrigin.SOMATIC)


# --- caller conventions: Mutect2, Strelka2, SnpEff, VEP ----------------------------------------

MUTECT2 = vcf_text(
    """
    ##fileformat=VCFv4.2
    ##FILTER=<ID=PASS,Description="All filters passed">
    ##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
    ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
    ##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
    ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">
    ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
    ##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 --output somatic.vcf.gz",Version="4.5.0.0">
    ##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may have been filtered">
    ##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">
    ##contig=<ID=chr3,length=198295559>
    ##contig=<ID=chr17,length=83257441>
    ##normal_sample=PATIENT1_NORMAL
    ##reference=file:///refs/Homo_sapiens_assembly38.fasta
    ##source=Mutect2
    ##tumor_sample=PATIENT1_TUMOR
    #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT PATIENT1_NORMAL PATIENT1_TUMOR
    """,  # noqa: E501 (header lines quoted verbatim)
    "chr3 179234297 . A G,T . PASS DP=120;TLOD=95.2,3.1 GT:AD:AF:DP "
    "0/0:60,0,0:0.016,0.016:60 0/1/2:30,25,5:0.42,0.08:60",
    "chr17 7675088 . C T . weak_evidence DP=40;TLOD=2.1 GT:AD:AF:DP 0/0:.:.:. 0/1:.:0.3:.",
    "chr17 7675994 . CTT C . . DP=80;TLOD=30.0 GT:AD:AF:DP 0/0:40,0:0.02:40 0/1:.:0.25:40",
)


def test_mutect2_tumour_and_normal_come_from_the_header(tmp_path):
    result = read_vcf(write(tmp_path, MUTECT2))
    assert (result.tumor_sample, result.normal_sample) == ("PATIENT1_TUMOR", "PATIENT1_NORMAL")
    assert result.genome_build is GenomeBuild.GRCH38  # ##reference=...assembly38.fasta
    assert {c.sample for c in result.calls} == {"PATIENT1_TUMOR"}
    assert {c.origin for c in result.calls} == {SampleOrigin.SOMATIC}
    assert result.calls[0].chromosome == "3"


def test_mutect2_multiallelic_record_gives_one_call_per_alt_from_ad(tmp_path):
    result = read_vcf(write(tmp_path, MUTECT2))
    g, t = at(result, 179234297, "G"), at(result, 179234297, "T")
    assert (g.vaf, g.depth, g.alt_reads) == (pytest.approx(25 / 60), 60, 25)
    assert (t.vaf, t.depth, t.alt_reads) == (pytest.approx(5 / 60), 60, 5)
    assert g.source == t.source == f"{tmp_path / 'calls.vcf'}:18"


def test_mutect2_format_af_is_used_when_ad_is_missing(tmp_path):
    call = at(read_vcf(write(tmp_path, MUTECT2)), 7675994)
    assert (call.vaf, call.depth, call.alt_reads) == (0.25, 40, None)
    assert call.filter is None  # FILTER '.': no filters applied, not filtered out


def test_filtered_records_are_counted_and_skipped_unless_asked_for(tmp_path):
    path = write(tmp_path, MUTECT2)
    default = read_vcf(path)
    assert default.filtered_out == 1
    assert 7675088 not in {c.position for c in default.calls}
    everything = read_vcf(path, include_filtered=True)
    assert everything.filtered_out == 1
    call = at(everything, 7675088)
    assert (call.filter, call.vaf, call.depth) == ("weak_evidence", 0.3, None)  # DP '.'


def test_explicit_sample_reads_the_normal_column(tmp_path):
    result = read_vcf(write(tmp_path, MUTECT2), sample="PATIENT1_NORMAL")
    call = at(result, 179234297, "G")
    assert (call.sample, call.vaf, call.depth, call.origin) == ("PATIENT1_NORMAL", 0.0, 60, None)
    assert at(result, 7675994).vaf == 0.0  # AD 40,0


def test_mutect2_tumour_only_calls_have_no_origin(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
        ##tumor_sample=S1
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1
        """,
        "chr3 179234297 . A G . PASS . AD:DP 50,10:61",
    )
    result = read_vcf(write(tmp_path, text))
    call = result.calls[0]
    assert (result.tumor_sample, result.normal_sample, call.origin) == ("S1", None, None)
    assert (call.vaf, call.depth, call.alt_reads) == (pytest.approx(10 / 60), 61, 10)


STRELKA2_HEADER = """
    ##fileformat=VCFv4.1
    ##FILTER=<ID=PASS,Description="All filters passed">
    ##source=strelka
    ##source_version=2.9.10
    ##cmdline=configureStrelkaSomaticWorkflow.py --normalBam=n.bam --tumorBam=t.bam
    ##reference=file:///refs/GRCh38.fa
    ##contig=<ID=chr3,length=198295559>
    ##contig=<ID=chr17,length=83257441>
    ##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic mutation">
    ##INFO=<ID=QSS,Number=1,Type=Integer,Description="Quality score for any somatic snv">
    ##INFO=<ID=QSI,Number=1,Type=Integer,Description="Quality score for any somatic variant">
    ##INFO=<ID=NT,Number=1,Type=String,Description="Genotype of the normal in all data tiers">
    ##INFO=<ID=SGT,Number=1,Type=String,Description="Most likely somatic genotype excluding normal noise states">
    ##INFO=<ID=DP,Number=1,Type=Integer,Description="Combined depth across samples">
    ##INFO=<ID=SomaticEVS,Number=1,Type=Float,Description="Somatic Empirical Variant Score">
    ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1 (used+filtered)">
    ##FORMAT=<ID=FDP,Number=1,Type=Integer,Description="Number of basecalls filtered from original read depth for tier1">
    ##FORMAT=<ID=SDP,Number=1,Type=Integer,Description="Number of reads with deletions spanning this site at tier1">
    ##FORMAT=<ID=SUBDP,Number=1,Type=Integer,Description="Number of reads below tier1 mapping quality threshold aligned across this site">
    ##FORMAT=<ID=AU,Number=2,Type=Integer,Description="Number of 'A' alleles used in tiers 1,2">
    ##FORMAT=<ID=CU,Number=2,Type=Integer,Description="Number of 'C' alleles used in tiers 1,2">
    ##FORMAT=<ID=GU,Number=2,Type=Integer,Description="Number of 'G' alleles used in tiers 1,2">
    ##FORMAT=<ID=TU,Number=2,Type=Integer,Description="Number of 'T' alleles used in tiers 1,2">
    ##FORMAT=<ID=DP2,Number=1,Type=Integer,Description="Read depth for tier2">
    ##FORMAT=<ID=TAR,Number=2,Type=Integer,Description="Reads strongly supporting alternate allele for tiers 1,2">
    ##FORMAT=<ID=TIR,Number=2,Type=Integer,Description="Reads strongly supporting indel allele for tiers 1,2">
    ##FORMAT=<ID=TOR,Number=2,Type=Integer,Description="Other reads (weak support or insufficient indel breakpoint overlap) for tiers 1,2">
    ##FORMAT=<ID=DP50,Number=1,Type=Float,Description="Average tier1 read depth within 50 bases">
    ##FORMAT=<ID=BCN50,Number=1,Type=Float,Description="Fraction of filtered reads within 50 bases of the indel.">
    ##FILTER=<ID=LowEVS,Description="Somatic Empirical Variant Score (SomaticEVS) is below threshold">
    #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT NORMAL TUMOR
"""  # noqa: E501 (header lines quoted verbatim)


def test_strelka2_snv_uses_tier1_base_counts(tmp_path):
    text = vcf_text(
        STRELKA2_HEADER,
        "chr3 179234297 . A G . PASS SOMATIC;QSS=120;NT=ref;SGT=AA->AG;DP=152;SomaticEVS=18.5 "
        "DP:FDP:SDP:SUBDP:AU:CU:GU:TU 70:0:0:0:70,71:0,0:0,0:0,0 82:1:0:0:48,50:0,0:33,34:0,1",
    )
    result = read_vcf(write(tmp_path, text))
    assert (result.tumor_sample, result.normal_sample) == ("TUMOR", "NORMAL")
    call = result.calls[0]
    assert (call.sample, call.origin) == ("TUMOR", SampleOrigin.SOMATIC)
    assert (call.vaf, call.depth, call.alt_reads) == (pytest.approx(33 / 81), 81, 33)


def test_strelka2_indel_uses_tier1_tir_and_tar(tmp_path):
    text = vcf_text(
        STRELKA2_HEADER,
        "chr17 7675994 . CTT C . PASS SOMATIC;QSI=60;NT=ref;SGT=ref->het;SomaticEVS=15.2 "
        "DP:DP2:TAR:TIR:TOR:DP50:BCN50 45:45:44,45:0,0:1,1:44.5:0.00 "
        "60:60:36,38:21,22:3,3:58.1:0.01",
    )
    call = read_vcf(write(tmp_path, text)).calls[0]
    assert (call.vaf, call.depth, call.alt_reads) == (pytest.approx(21 / 57), 57, 21)


def test_varscan2_ad_is_the_alt_count_and_rd_the_ref_count(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.1
        ##source=VarScan2
        ##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Indicates if record is a somatic mutation">
        ##INFO=<ID=SS,Number=1,Type=String,Description="Somatic status of variant">
        ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">
        ##FORMAT=<ID=RD,Number=1,Type=Integer,Description="Depth of reference-supporting bases (reads1)">
        ##FORMAT=<ID=AD,Number=1,Type=Integer,Description="Depth of variant-supporting bases (reads2)">
        ##FORMAT=<ID=FREQ,Number=1,Type=String,Description="Variant allele frequency">
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT NORMAL TUMOR
        """,  # noqa: E501 (header lines quoted verbatim)
        "chr3 179234297 . A G . PASS SOMATIC;SS=2 GT:DP:RD:AD:FREQ "
        "0/0:70:70:0:0% 0/1:81:50:30:37.5%",
    )
    call = read_vcf(write(tmp_path, text)).calls[0]
    assert (call.sample, call.origin) == ("TUMOR", SampleOrigin.SOMATIC)
    assert (call.vaf, call.depth, call.alt_reads) == (pytest.approx(30 / 80), 81, 30)


def ann(allele: str, effect: str, gene: str, transcript: str, **fields: str) -> str:
    """One SnpEff ANN entry (16 fields) in the field order of the SnpEff ANN header."""
    values = [allele, effect, fields.get("impact", "MODERATE"), gene, f"ENSG_{gene}"]
    values += ["transcript", transcript, fields.get("biotype", "protein_coding")]
    values += [fields.get("rank", ""), fields.get("c", ""), fields.get("p", "")]
    return "|".join([*values, "", "", "", fields.get("distance", ""), ""])


SNPEFF = vcf_text(
    """
    ##fileformat=VCFv4.2
    ##SnpEffVersion="5.1d (build 2022-04-19 15:49), by Pablo Cingolani"
    ##SnpEffCmd="SnpEff GRCh38.99 tumour.vcf"
    ##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
    ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
    ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
    ##contig=<ID=3,length=198295559,assembly=GRCh38>
    #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT SAMPLE1
    """,  # noqa: E501 (header lines quoted verbatim)
    "3 179218303 . G A,C . PASS ANN="
    + ",".join(
        [
            ann(
                "A",
                "missense_variant",
                "PIK3CA",
                "ENST00000263967.4",
                rank="10/21",
                c="c.1633G>A",
                p="p.Glu545Lys",
            ),
            ann(
                "A",
                "upstream_gene_variant",
                "GENE2",
                "ENST00000000002.1",
                impact="MODIFIER",
                biotype="lncRNA",
                c="n.-123G>A",
                distance="123",
            ),
            ann(
                "C",
                "missense_variant",
                "PIK3CA",
                "ENST00000263967.4",
                rank="10/21",
                c="c.1633G>C",
                p="p.Glu545Gln",
            ),
        ]
    )
    + " AD:DP 40,30,2:72",
    "3 179219000 . T C . PASS ANN="
    + ann(
        "C",
        "intron_variant",
        "PIK3CA",
        "ENST00000263967.4",
        impact="MODIFIER",
        rank="10/20",
        c="c.1700+20T>C",
    )
    + " AD:DP 20,20:40",
)


def test_snpeff_ann_first_annotation_of_each_allele(tmp_path):
    result = read_vcf(write(tmp_path, SNPEFF))
    assert result.annotation == "SnpEff"
    assert result.genome_build is GenomeBuild.GRCH38  # ##contig assembly=GRCh38
    a, c = at(result, 179218303, "A"), at(result, 179218303, "C")
    assert (a.gene, a.transcript, a.exon) == ("PIK3CA", "ENST00000263967.4", "10/21")
    assert (a.hgvs_c, a.hgvs_p, a.consequence) == ("c.1633G>A", "p.Glu545Lys", "missense_variant")
    assert (c.hgvs_c, c.hgvs_p) == ("c.1633G>C", "p.Glu545Gln")
    assert (a.vaf, c.vaf, a.depth) == (pytest.approx(30 / 72), pytest.approx(2 / 72), 72)
    assert (a.sample, a.origin) == ("SAMPLE1", None)  # single sample, no matched normal


def test_snpeff_rank_of_an_intron_is_not_an_exon(tmp_path):
    call = at(read_vcf(write(tmp_path, SNPEFF)), 179219000)
    assert (call.consequence, call.exon, call.hgvs_c) == ("intron_variant", None, "c.1700+20T>C")


VEP_HEADER = """
    ##fileformat=VCFv4.2
    ##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|HGVSc|HGVSp|CANONICAL|MANE_SELECT|PICK">
    ##VEP="v110" time="2024-01-01" cache="homo_sapiens/110_GRCh38" assembly="GRCh38.p13"
    #CHROM POS ID REF ALT QUAL FILTER INFO
"""  # noqa: E501 (header lines quoted verbatim)


def csq(*entries: str) -> str:
    return "CSQ=" + ",".join(entries)


def vep(allele: str, consequence: str, symbol: str, feature: str, **fields: str) -> str:
    """One CSQ entry in the field order of VEP_HEADER (14 fields)."""
    feature_type = fields.get("feature_type", "Transcript")
    values = [allele, consequence, "", symbol, f"ENSG_{symbol}", feature_type, feature]
    values += [fields.get("biotype", "protein_coding"), fields.get("exon", "")]
    values += [fields.get("hgvsc", ""), fields.get("hgvsp", ""), fields.get("canonical", "")]
    return "|".join([*values, fields.get("mane", ""), fields.get("pick", "")])


def test_vep_prefers_mane_select_then_pick_then_canonical_then_protein_coding(tmp_path):
    text = vcf_text(
        VEP_HEADER,
        "1 100 . C T . PASS "
        + csq(
            vep("T", "stop_gained", "G1", "ENST1.1", hgvsp="ENSP1.1:p.Gln2Ter"),
            vep("T", "missense_variant", "G1", "ENST2.1", canonical="YES", pick="1"),
            vep("T", "missense_variant", "G1", "ENST3.1", canonical="YES", mane="NM_3.1"),
        ),
        "1 200 . C T . PASS "
        + csq(
            vep("T", "missense_variant", "G2", "ENST4.1", canonical="YES"),
            vep("T", "stop_gained", "G2", "ENST5.1", pick="1"),
        ),
        "1 300 . C T . PASS "
        + csq(
            vep("T", "downstream_gene_variant", "G3", "ENST6.1", biotype="lncRNA", canonical="YES"),
            vep("T", "missense_variant", "G4", "ENST7.1", exon="4/9", canonical="YES"),
        ),
        "1 400 . C T . PASS "
        + csq(
            vep("T", "non_coding_transcript_exon_variant", "G5", "ENST8.1", biotype="lncRNA"),
            vep("T", "synonymous_variant", "G6", "ENST9.1", hgvsp="ENSP9.1:p.Leu10%3D"),
            vep("T", "regulatory_region_variant", "", "ENSR1", feature_type="RegulatoryFeature"),
        ),
    )
    result = read_vcf(write(tmp_path, text))
    assert result.genome_build is GenomeBuild.GRCH38  # ##VEP ... assembly="GRCh38.p13"
    assert at(result, 100).transcript == "ENST3.1"  # MANE Select beats PICK and severity
    assert at(result, 200).transcript == "ENST5.1"  # PICK beats CANONICAL
    assert (at(result, 300).gene, at(result, 300).exon) == ("G4", "4/9")  # canonical, coding
    synonymous = at(result, 400)  # no flags: protein-coding first, then severity
    assert (synonymous.gene, synonymous.hgvs_p) == ("G6", "p.Leu10=")  # VEP's %3D unescaped


def test_vep_alleles_of_multiallelic_indels_drop_the_shared_first_base(tmp_path):
    """REF CA, ALT C,CAA: VEP writes the alleles as '-' and 'AA' (first base C dropped)."""
    text = vcf_text(
        VEP_HEADER,
        "2 500 . CA C,CAA . PASS "
        + csq(
            vep("AA", "inframe_insertion", "G7", "ENST10.1", hgvsc="ENST10.1:c.10dup"),
            vep("-", "frameshift_variant", "G7", "ENST10.1", hgvsc="ENST10.1:c.10del"),
        ),
    )
    result = read_vcf(write(tmp_path, text))
    assert at(result, 500, "C").consequence == "frameshift_variant"
    assert at(result, 500, "CAA").consequence == "inframe_insertion"
    assert at(result, 500, "C").hgvs_c == "c.10del"


# --- compressed and binary forms ----------------------------------------------------------------


def _tuples(result: VcfResult) -> list[tuple[object, ...]]:
    return [(c.position, c.alt, c.vaf, c.depth, c.alt_reads, c.filter) for c in result.calls]


def test_gzip_bgzf_and_bcf_give_the_same_calls(tmp_path):
    plain = write(tmp_path, MUTECT2)
    expected = read_vcf(plain, include_filtered=True)
    gzipped = write(tmp_path, gzip.compress(MUTECT2.encode()), "calls.vcf.gz")
    template = cyvcf2.VCF(os.fspath(plain))
    for mode, name in (("wz", "calls.bgz.vcf.gz"), ("wb", "calls.bcf")):
        writer = cyvcf2.Writer(os.fspath(tmp_path / name), template, mode=mode)
        for variant in cyvcf2.VCF(os.fspath(plain)):
            writer.write_record(variant)
        writer.close()
    for path in (gzipped, tmp_path / "calls.bgz.vcf.gz"):
        result = read_vcf(path, include_filtered=True)
        assert _tuples(result) == _tuples(expected)
        assert [c.source.rsplit(":", 1)[1] for c in result.calls] == ["18", "18", "19", "20"]
    bcf = read_vcf(tmp_path / "calls.bcf", include_filtered=True)
    assert _tuples(bcf) == _tuples(expected)
    assert [c.source for c in bcf.calls][-1] == f"{tmp_path / 'calls.bcf'}:3"  # record number
    assert bcf.tumor_sample == "PATIENT1_TUMOR"


def test_blank_trailing_line_is_skipped_and_symbolic_alleles_are_not_calls(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##ALT=<ID=DEL,Description="Deletion">
        #CHROM POS ID REF ALT QUAL FILTER INFO
        """,
        "1 100 . A <DEL>,T,* . PASS .",
    )
    result = read_vcf(write(tmp_path, text + "\n"))
    assert [(c.alt, c.vaf, c.depth) for c in result.calls] == [("T", None, None)]


# --- bad input: always GenomicFileError naming the file (and the line where there is one) ------


def _bgzf_block_ends(data: bytes) -> list[int]:
    ends, offset = [], 0
    while offset < len(data):
        offset += int.from_bytes(data[offset + 16 : offset + 18], "little") + 1
        ends.append(offset)
    return ends


def _error(path: Path, **kwargs: object) -> GenomicFileError:
    with pytest.raises(GenomicFileError) as caught:
        read_vcf(path, **kwargs)  # type: ignore[arg-type]
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(str(path))
    return caught.value


def test_missing_file(tmp_path):
    assert "no such file" in str(_error(tmp_path / "absent.vcf"))


def test_directory(tmp_path):
    assert "got a directory" in str(_error(tmp_path))


def test_text_file_that_is_not_a_vcf(tmp_path):
    error = _error(write(tmp_path, "Gene\tVAF\nPIK3CA\t0.42\n", "calls.tsv"))
    assert "expected a VCF ('##fileformat=VCFv4.x' on line 1) or a BCF file" in str(error)
    assert "'Gene\\tVAF'" in str(error) and error.record == 1


def test_empty_file(tmp_path):
    assert "expected a VCF" in str(_error(write(tmp_path, b"")))


def test_gzip_cut_in_half(tmp_path):
    data = GRCH37.read_bytes()
    error = _error(write(tmp_path, data[: len(data) // 2], "half.vcf.gz"))
    assert "truncated" in str(error)


def test_bgzf_cut_at_a_block_boundary(tmp_path):
    """htslib itself only warns here and returns the records read so far, the last one cut."""
    data = VEP.read_bytes()
    cut = _bgzf_block_ends(data)[3]
    error = _error(write(tmp_path, data[:cut], "cut.vcf.gz"))
    assert "truncated BGZF file" in str(error)


def test_corrupt_bgzf_block_in_the_body_names_the_record_line(tmp_path):
    data = VEP.read_bytes()
    ends = _bgzf_block_ends(data)
    damaged = data[: ends[3]] + data[ends[4] : ends[4] + 200] + data[-28:]  # keep the EOF block
    error = _error(write(tmp_path, damaged, "damaged.vcf.gz"))
    assert "gzip/BGZF" in str(error) or "htslib" in str(error)
    assert error.record is not None and error.record > 140  # past the 139 header lines


def test_format_column_without_sample_columns(tmp_path):
    text = vcf_text(
        "##fileformat=VCFv4.2\n#CHROM POS ID REF ALT QUAL FILTER INFO FORMAT",
        "1 100 . A T . PASS . GT",
    )
    error = _error(write(tmp_path, text))
    assert "expected sample columns after FORMAT, got none" in str(error)
    assert error.record == 2


def test_header_with_wrong_columns(tmp_path):
    error = _error(write(tmp_path, "##fileformat=VCFv4.2\n#CHROM\tPOS\tREF\tALT\n"))
    assert "expected the tab-separated columns #CHROM POS ID REF ALT" in str(error)


def test_csq_with_fewer_fields_than_its_header(tmp_path):
    text = vcf_text(
        VEP_HEADER,
        "1 100 . C T . PASS " + csq(vep("T", "missense_variant", "G1", "ENST1.1")),
        "1 200 . C T . PASS " + csq("T|missense_variant|MODERATE|G1"),
    )
    error = _error(write(tmp_path, text))
    assert (error.record, error.field) == (6, "CSQ")
    assert "expected 14 '|'-separated fields in each entry as the header declares, got 4" in str(
        error
    )


def test_csq_header_without_a_field_list(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations">
        #CHROM POS ID REF ALT QUAL FILTER INFO
        """,
        "1 100 . C T . PASS CSQ=T|missense_variant",
    )
    error = _error(write(tmp_path, text))
    assert error.field == "CSQ" and "expected the CSQ description to list its fields" in str(error)


def test_unknown_sample_lists_the_samples(tmp_path):
    error = _error(write(tmp_path, MUTECT2), sample="PATIENT2_TUMOR")
    assert "unknown sample 'PATIENT2_TUMOR': expected one of" in str(error)
    assert "['PATIENT1_NORMAL', 'PATIENT1_TUMOR']" in str(error)


def test_sample_asked_of_a_sites_only_vcf(tmp_path):
    error = _error(VEP, sample=TCGA_SAMPLE)
    assert "it has no samples" in str(error)


def test_several_samples_and_no_tumour(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT MOTHER CHILD
        """,
        "1 100 . A T . PASS . AD 10,10 20,0",
    )
    path = write(tmp_path, text)
    assert "pass sample= one of ['MOTHER', 'CHILD']" in str(_error(path))
    assert read_vcf(path, sample="CHILD").calls[0].vaf == 0.0


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("1\t100\t.\tA\tT", "could not parse the record"),
        ("#comment\t1", "expected a record, got a '#' line after the header"),
        ("1\t100\t.\tA\tT\t.\tPASS\tTVAF=1.5", "expected allele fractions between 0 and 1"),
        ("1\t100\t.\tA\tT\t.\tPASS\tAF=0.2;DP=-3", "expected comma-separated non-negative"),
    ],
)
def test_malformed_record_names_its_line(tmp_path, record, message):
    text = HEADER.replace(" ", "\t") + "\n1\t50\t.\tA\tC\t.\tPASS\t.\n" + record + "\n"
    error = _error(write(tmp_path, text))
    assert message in str(error)
    assert error.record == 4 and f"{tmp_path / 'calls.vcf'}:4:" in str(error)


def test_allelic_depths_of_the_wrong_length(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##FORMAT=<ID=AD,Number=.,Type=Integer,Description="Allelic depths">
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT S1
        """,
        "1 100 . A T,G . PASS . AD 10,10",
    )
    error = _error(write(tmp_path, text))
    assert (error.record, error.field) == (4, "AD")
    assert "expected 3 counts (REF and 2 ALT), got '10,10'" in str(error)


def test_string_adt_that_is_not_counts(tmp_path):
    text = vcf_text(
        """
        ##fileformat=VCFv4.2
        ##FORMAT=<ID=ADT,Number=.,Type=String,Description="Allelic depths (tumor)">
        #CHROM POS ID REF ALT QUAL FILTER INFO FORMAT TUMOR_NORMAL
        """,
        "1 100 . A T . PASS . ADT ten,3",
    )
    error = _error(write(tmp_path, text))
    assert error.field == "ADT" and "got 'ten,3'" in str(error)


def test_record_that_is_not_utf8(tmp_path):
    text = HEADER.replace(" ", "\t").encode() + b"\n1\t100\t.\tA\tT\t.\tPASS\tX=caf\xe9\n"
    error = _error(write(tmp_path, text))
    assert error.record == 3 and "UTF-8" in str(error)


def test_stderr_is_restored_after_an_error(tmp_path, capfd):
    _error(write(tmp_path, HEADER.replace(" ", "\t") + "\n1\t100\n"))
    assert capfd.readouterr().err == ""
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
