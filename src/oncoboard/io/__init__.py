"""Readers and writers: outside formats in and out of the case model (nothing else parses).

Case files (YAML/JSON) read into :class:`~oncoboard.model.Case`; genomic lab files (VCF/BCF,
MAF, cBioPortal CNA/SV, gene CNA and fusion tables, segments) read into the records of
:mod:`oncoboard.io.genomic_records`, which :mod:`oncoboard.genomics` normalises.
"""

from oncoboard.io.case_file import (
    CASE_SUFFIXES,
    CaseDocument,
    Format,
    canonical_document,
    dump_case,
    find_case_files,
    load_case,
    parse_case,
    parse_text,
    read_document,
)
from oncoboard.io.cbioportal import read_cbioportal_cna, read_cbioportal_sv
from oncoboard.io.gene_tables import read_fusions, read_gene_cna, read_mutation_table
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall, SegmentCall, VariantCall
from oncoboard.io.maf import read_maf
from oncoboard.io.segments import read_segments
from oncoboard.io.vcf import VcfResult, read_vcf

__all__ = [
    "CASE_SUFFIXES",
    "CaseDocument",
    "CopyNumberCall",
    "Format",
    "FusionCall",
    "SegmentCall",
    "VariantCall",
    "VcfResult",
    "canonical_document",
    "dump_case",
    "find_case_files",
    "load_case",
    "parse_case",
    "parse_text",
    "read_cbioportal_cna",
    "read_cbioportal_sv",
    "read_document",
    "read_fusions",
    "read_gene_cna",
    "read_maf",
    "read_mutation_table",
    "read_segments",
    "read_vcf",
]
