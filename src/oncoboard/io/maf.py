"""Mutation Annotation Format (MAF): GDC MAFs and cBioPortal ``data_mutations*.txt`` files.

Both flavours share the core TCGA/GDC columns; cBioPortal files often carry only
``HGVSp_Short`` (or the older ``Amino_Acid_Change``) and may lack read counts. Each data row
becomes one :class:`~oncoboard.io.genomic_records.VariantCall`, with the file's conventions
read and nothing interpreted: ``Variant_Classification`` is translated to its Sequence Ontology
term only where the file has no VEP ``Consequence`` column.

References
----------
.. [1] GDC MAF Format v1.0.0, "Protected MAF File Structure" (columns 1-126),
   https://docs.gdc.cancer.gov/Data/File_Formats/MAF_Format/
.. [2] cBioPortal File Formats, "Mutation Data" and the minimal MAF format,
   https://docs.cbioportal.org/file-formats/#mutation-data
.. [3] vcf2maf ``GetVariantClassification`` (SO term -> Variant_Classification), inverted
   below; https://github.com/mskcc/vcf2maf
"""

from __future__ import annotations

import re
from pathlib import Path

from oncoboard.io._tabular import Header, Row, build, open_table, strip_chr
from oncoboard.io.genomic_records import VariantCall
from oncoboard.model.genomics import GenomeBuild, SampleOrigin

__all__ = [
    "MAF_VARIANT_COLUMNS",
    "NOT_VARIANT_STATUSES",
    "check_maf_header",
    "maf_variant",
    "read_maf",
]

_PROTEIN = ("HGVSp_Short", "HGVSp", "Amino_Acid_Change")
_COORDINATES = ("Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2")

# Variant_Classification (lower case) -> SO term: the inverse of vcf2maf's mapping [3].
# Splice_Site is resolved from HGVSc (donor '+n' / acceptor '-n' intron offsets), else it is
# the parent term splice_site_variant (SO:0001629); unlisted values are kept as given.
_CLASSIFICATION_TO_SO: dict[str, str] = {
    "missense_mutation": "missense_variant",
    "nonsense_mutation": "stop_gained",
    "frame_shift_del": "frameshift_variant",
    "frame_shift_ins": "frameshift_variant",
    "in_frame_del": "inframe_deletion",
    "in_frame_ins": "inframe_insertion",
    "splice_region": "splice_region_variant",
    "translation_start_site": "start_lost",
    "nonstop_mutation": "stop_lost",
    "silent": "synonymous_variant",
    "intron": "intron_variant",
    "3'utr": "3_prime_UTR_variant",
    "5'utr": "5_prime_UTR_variant",
    "3'flank": "downstream_gene_variant",
    "5'flank": "upstream_gene_variant",
    "igr": "intergenic_variant",
    "rna": "non_coding_transcript_exon_variant",
    "de_novo_start_inframe": "5_prime_UTR_premature_start_codon_gain_variant",
    "de_novo_start_outofframe": "5_prime_UTR_premature_start_codon_gain_variant",
}

_BUILDS: dict[str, GenomeBuild] = {
    "grch37": GenomeBuild.GRCH37,
    "hg19": GenomeBuild.GRCH37,
    "37": GenomeBuild.GRCH37,
    "grch37-lite": GenomeBuild.GRCH37,
    "b37": GenomeBuild.GRCH37,
    "grch38": GenomeBuild.GRCH38,
    "hg38": GenomeBuild.GRCH38,
    "38": GenomeBuild.GRCH38,
}
# TCGA Mutation_Status: LOH is a germline variant that lost the other allele in the tumour;
# "None" and "Wildtype" rows describe no variant and are skipped, as cBioPortal does [2]_.
_ORIGINS = {
    "somatic": SampleOrigin.SOMATIC,
    "germline": SampleOrigin.GERMLINE,
    "loh": SampleOrigin.GERMLINE,
}
_NOT_VARIANTS = frozenset({"none", "wildtype"})
_INTRON_OFFSET = re.compile(r"\d([+-])\d")


def read_maf(path: Path | str, *, sample: str | None = None) -> list[VariantCall]:
    """Read a GDC or cBioPortal MAF.

    Parameters
    ----------
    path
        MAF file (plain or gzip); ``#`` lines such as ``#version gdc-1.0.0`` are skipped.
    sample
        Keep only rows whose ``Tumor_Sample_Barcode`` equals this. A cohort MAF lists only
        samples with mutations, so an absent sample gives an empty list, not an error.
        Rows whose ``Mutation_Status`` is ``None`` or ``Wildtype`` (no variant) are skipped.

    Returns
    -------
    list of VariantCall
        One call per data row, in file order, ``source`` = ``FILE:LINE``. ``vaf`` is
        ``t_alt_count / (t_ref_count + t_alt_count)``, else ``t_alt_count / t_depth``;
        ``depth`` is ``t_depth``, else ``t_ref_count + t_alt_count``. ``origin`` is somatic for
        ``Somatic``, germline for ``Germline`` and ``LOH``, else ``None``.

    Raises
    ------
    GenomicFileError
        If ``Hugo_Symbol``, ``Tumor_Sample_Barcode`` or both a protein change column and the
        coordinate columns are missing, or a value is malformed (non-integer position, negative
        counts, ``t_alt_count`` above the depth, unknown ``NCBI_Build``), or the file is
        empty, binary, not UTF-8 or a truncated gzip stream.

    References
    ----------
    GDC MAF Format v1.0.0 [1]_; cBioPortal mutation data [2]_.
    """
    table = open_table(
        path,
        has_header=lambda h: bool(h.column("Hugo_Symbol") and h.column("Tumor_Sample_Barcode")),
    )
    check_maf_header(table.header)
    calls = []
    barcode = table.header.column("Tumor_Sample_Barcode")
    status = table.header.column("Mutation_Status")
    for row in table:
        if status is not None and row.raw(status).lower() in _NOT_VARIANTS:
            continue
        if sample is None or row.text(barcode) == sample:
            calls.append(maf_variant(row))
    return calls


# Every column maf_variant() reads: a row's call depends on these cells only.
MAF_VARIANT_COLUMNS = (
    "Hugo_Symbol",
    "Tumor_Sample_Barcode",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "NCBI_Build",
    "HGVSc",
    "Transcript_ID",
    *_PROTEIN,
    "Consequence",
    "Variant_Classification",
    "Exon_Number",
    "EXON",
    "t_depth",
    "t_ref_count",
    "t_alt_count",
    "Mutation_Status",
    "FILTER",
)
NOT_VARIANT_STATUSES = _NOT_VARIANTS


def check_maf_header(header: Header) -> None:
    """Raise a located :class:`GenomicFileError` unless the header has the columns a MAF needs:
    ``Hugo_Symbol``, ``Tumor_Sample_Barcode``, and a protein change or the coordinates."""
    header.require(Hugo_Symbol=["Hugo_Symbol"], Tumor_Sample_Barcode=["Tumor_Sample_Barcode"])
    if any(header.column(name) for name in _PROTEIN):
        return
    absent = [name for name in _COORDINATES if header.column(name) is None]
    if absent:
        raise header.error(
            f"expected column(s) {' or '.join(_PROTEIN[:2])}, or else {', '.join(absent)} "
            f"(genomic coordinates), got {header.shown!r}"
        )


def maf_variant(row: Row) -> VariantCall:
    """The call of one MAF data row (see :func:`read_maf` for the conventions)."""
    col = row.header.column
    chromosome = row.text(col("Chromosome"))
    start = row.integer(col("Start_Position"), minimum=1)
    end = row.integer(col("End_Position"), minimum=1)
    if start is not None and end is not None and end < start:
        raise row.error(col("End_Position"), f"expected >= Start_Position {start}, got {end!r}")
    ref = row.text(col("Reference_Allele"))
    depth, alt_reads, vaf = _reads(row)
    hgvs_c, transcript = _hgvs_c(row)
    for required in ("Hugo_Symbol", "Tumor_Sample_Barcode"):  # not blank, as cBioPortal checks
        column = col(required)
        if column is not None and row.text(column) is None:
            raise row.error(column, f"expected a value, got {row.raw(column)!r}")
    gene = row.text(col("Hugo_Symbol"))
    return build(
        row,
        VariantCall,
        source=row.source,
        sample=row.text(col("Tumor_Sample_Barcode")),
        genome_build=_build(row),
        chromosome=strip_chr(chromosome) if chromosome else None,
        position=start,
        ref=ref,
        alt=_alt(row, ref),
        gene=None if gene is None or gene.lower() == "unknown" else gene,
        transcript=transcript,
        hgvs_c=hgvs_c,
        hgvs_p=_hgvs_p(row),
        consequence=_consequence(row, hgvs_c),
        exon=row.text(col("Exon_Number", "EXON")),
        vaf=vaf,
        depth=depth,
        alt_reads=alt_reads,
        origin=_ORIGINS.get((row.text(col("Mutation_Status")) or "").lower()),
        filter=row.text(col("FILTER")),
    )


def _alt(row: Row, ref: str | None) -> str | None:
    """Tumor_Seq_Allele2, or Allele1 where Allele2 is missing or equals the reference."""
    allele2 = row.text(row.header.column("Tumor_Seq_Allele2"))
    if allele2 is not None and allele2 != ref:
        return allele2
    allele1 = row.text(row.header.column("Tumor_Seq_Allele1"))
    return allele1 if allele1 is not None and allele1 != ref else allele2


def _reads(row: Row) -> tuple[int | None, int | None, float | None]:
    """(depth, alt reads, VAF) from t_depth, t_ref_count and t_alt_count."""
    col = row.header.column
    t_depth = row.integer(col("t_depth"))
    ref = row.integer(col("t_ref_count"))
    alt = row.integer(col("t_alt_count"))
    depth = (
        t_depth
        if t_depth is not None
        else (ref + alt if ref is not None and alt is not None else None)
    )
    if alt is not None and depth is not None and alt > depth:
        raise row.error(col("t_alt_count"), f"expected <= t_depth {depth}, got {alt!r}")
    vaf = None
    if alt is not None and ref is not None and ref + alt > 0:
        vaf = alt / (ref + alt)
    elif alt is not None and depth:
        vaf = alt / depth
    return depth, alt, vaf


def _hgvs_c(row: Row) -> tuple[str | None, str | None]:
    """(HGVSc, transcript); a ``TRANSCRIPT:c.`` prefix supplies the transcript if missing."""
    hgvs_c = row.text(row.header.column("HGVSc"))
    transcript = row.text(row.header.column("Transcript_ID"))
    if hgvs_c and ":" in hgvs_c:
        prefix, hgvs_c = hgvs_c.split(":", 1)
        transcript = transcript or prefix
    return hgvs_c, transcript


def _hgvs_p(row: Row) -> str | None:
    for name in _PROTEIN:
        value = row.text(row.header.column(name))
        if value is not None:
            return value if value.startswith("p.") else f"p.{value}"
    return None


def _consequence(row: Row, hgvs_c: str | None) -> str | None:
    """VEP ``Consequence`` ('&'-joined), else the SO term of ``Variant_Classification``."""
    vep = row.text(row.header.column("Consequence"))
    if vep is not None:
        return "&".join(t for t in re.split(r"[,;&]", vep) if t.strip())
    classification = row.text(row.header.column("Variant_Classification"))
    if classification is None:
        return None
    if classification.lower() == "splice_site":
        signs = set(_INTRON_OFFSET.findall(hgvs_c or ""))
        if signs == {"+"}:
            return "splice_donor_variant"
        if signs == {"-"}:
            return "splice_acceptor_variant"
        return "splice_site_variant"
    return _CLASSIFICATION_TO_SO.get(classification.lower(), classification)


def _build(row: Row) -> GenomeBuild | None:
    column = row.header.column("NCBI_Build")
    value = row.text(column)
    if value is None:
        return None
    build_ = _BUILDS.get(value.lower())
    if build_ is None:
        raise row.error(column, f"expected GRCh37 or GRCh38 (or hg19, hg38, 37, 38), got {value!r}")
    return build_
