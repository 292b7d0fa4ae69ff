"""A GDC-style MAF of >= 1,000,000 variants built by replicating the METABRIC mutations.

The cohort benchmark (``bench/cohort.py``, issue #8) needs a MAF the size of a large cohort.
METABRIC gives 10,613 real somatic mutations of 1,859 patients (gene and one-letter protein
change only; ``examples/cohort/metabric``, ODbL). :func:`write_gdc_maf` copies whole patients
until the file has at least ``rows`` variant rows and ``min_patients`` patients:

- copy 0 keeps the METABRIC patient id (``MB-0001``), copy k > 0 is ``MB-0001-R0042``
  (k zero-padded to 4 digits, more if needed); every copy repeats that patient's mutations in
  the source order. Rows are grouped by sample (copy-major, patients sorted by id), as in a GDC
  MAF aggregated from per-sample VCFs; the last copy is cut at a patient boundary.
- the first line is ``#version gdc-1.0.0``, then the header: the 120 columns of the GDC somatic
  (open-access) MAF, in GDC order [1]_ (:data:`GDC_COLUMNS`); the protected MAF's six extra
  columns (121-126: GDC_Valid_Somatic, vcf_*) are not written.

Columns derived from METABRIC (real data):

- ``Hugo_Symbol`` and ``SYMBOL`` = ``hugoGeneSymbol``; ``Tumor_Sample_Barcode`` = the patient
  id (with its copy suffix); ``HGVSp_Short`` = ``p.`` + ``proteinChange``.
- ``HGVSp``: the same change with three-letter residues (``p.V600E`` -> ``p.Val600Glu``,
  ``*`` -> ``Ter``) for substitutions, frameshifts, deletions, duplications, insertions,
  delins and extensions; blank for splice sites (as VEP leaves it) and unparsable changes.
- ``Variant_Classification`` / ``Variant_Type`` / ``Consequence`` (= ``One_Consequence``) /
  ``IMPACT`` / ``VARIANT_CLASS`` from the protein change, tested in this order:

  ============================ ============================== ========= ======================
  protein change               Variant_Classification         Type      Consequence (SO)
  ============================ ============================== ========= ======================
  ends in ``=`` (``V600=``)    Silent                         SNP       synonymous_variant
  ``X123_splice``              Splice_Site                    SNP       splice_site_variant
  ``M1?``                      Translation_Start_Site         SNP       start_lost
  contains ``fs``              Frame_Shift_Del or _Ins [*]_   DEL/INS   frameshift_variant
  ``*123Yext*5``               Nonstop_Mutation               SNP       stop_lost
  del/ins/dup/delins with a    Nonsense_Mutation              DEL/INS   stop_gained
  ``*`` among inserted residues
  ``del``                      In_Frame_Del                   DEL       inframe_deletion
  ``ins``, ``dup``             In_Frame_Ins                   INS       inframe_insertion
  ``delins``                   In_Frame_Ins if more residues  INS/DEL   inframe_insertion /
                               are inserted than deleted,               inframe_deletion
                               else In_Frame_Del
  ``M1X``                      Translation_Start_Site         SNP       start_lost
  ``*123Y``                    Nonstop_Mutation               SNP       stop_lost
  ``Q123*``                    Nonsense_Mutation              SNP       stop_gained
  other ``A123B``              Missense_Mutation              SNP       missense_variant
  anything else                Missense_Mutation [2]_         (blank)   coding_sequence_variant
  ============================ ============================== ========= ======================

  .. [*] a protein change does not tell a frameshift deletion from an insertion: each source
     row draws one from the seeded generator (p = 0.5), the same for all its copies.

  The splice side (donor/acceptor) is unknown, so the parent SO term ``splice_site_variant``
  is written. The classes agree with ``oncoboard.genomics.consequence_from_protein`` on every
  METABRIC row (checked by :func:`check_sample`), so the MAF and the protein-only paths
  classify the same mutation alike.
- constants: ``NCBI_Build`` GRCh37 (METABRIC's build), ``Mutation_Status`` Somatic,
  ``FILTER`` PASS, ``BIOTYPE`` protein_coding, ``Feature_type`` Transcript.

Synthetic placeholders (METABRIC does not provide them; deterministic from ``seed``):

- read counts: ``t_depth`` uniform 50-800, VAF uniform 0.05-0.60, ``t_alt_count`` =
  round(depth x VAF) (at least 1), ``t_ref_count`` = depth - alt; ``n_depth`` uniform 30-400.
  ``n_ref_count`` / ``n_alt_count`` are blank, as the GDC clears them in somatic MAFs [1]_.
- everything else is blank (missing): coordinates (``Chromosome``, ``Start_Position``,
  ``End_Position``, ``Strand``), alleles, ``HGVSc``, transcript and exon, identifiers
  (``Entrez_Gene_Id``, UUIDs, barcodes of normals) and the VEP/ExAC annotation columns. With
  ``HGVSp_Short`` present, ``oncoboard.io.read_maf`` needs no coordinates; a blank cell reads as
  missing. No variant in the file is a real genomic coordinate or read count.

With ``exons`` N > 0 (``--exons N``), ``Exon_Number`` cycles through ``1/N`` ... ``N/N`` row
by row (synthetic): each METABRIC mutation then comes with up to N different exon numbers,
so the file has about N times as many distinct variants (keys) -- a cohort of mostly distinct
variants, as a real one is, for the per-variant cost that replication hides.

Usage: ``python bench/cohort_maf.py OUT.maf [--rows 1000000] [--min-patients 100000]
[--seed 0] [--exons 0] [--check 2000]`` (a ``.gz`` suffix writes gzip).

References
----------
.. [1] GDC MAF Format v1.0.0, "Protected MAF File Structure" (columns 1-126; the somatic MAF
   drops the last six) and "Somatic MAF File Generation",
   https://docs.gdc.cancer.gov/Data/File_Formats/MAF_Format/
.. [2] vcf2maf ``GetVariantClassification``: coding_sequence_variant -> Missense_Mutation;
   https://github.com/mskcc/vcf2maf
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
METABRIC = ROOT / "examples" / "cohort" / "metabric" / "metabric_mutations.tsv"
VERSION_LINE = "#version gdc-1.0.0"

GDC_COLUMNS: tuple[str, ...] = (
    # 1-34: the TCGA MAF columns
    "Hugo_Symbol",
    "Entrez_Gene_Id",
    "Center",
    "NCBI_Build",
    "Chromosome",
    "Start_Position",
    "End_Position",
    "Strand",
    "Variant_Classification",
    "Variant_Type",
    "Reference_Allele",
    "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2",
    "dbSNP_RS",
    "dbSNP_Val_Status",
    "Tumor_Sample_Barcode",
    "Matched_Norm_Sample_Barcode",
    "Match_Norm_Seq_Allele1",
    "Match_Norm_Seq_Allele2",
    "Tumor_Validation_Allele1",
    "Tumor_Validation_Allele2",
    "Match_Norm_Validation_Allele1",
    "Match_Norm_Validation_Allele2",
    "Verification_Status",
    "Validation_Status",
    "Mutation_Status",
    "Sequencing_Phase",
    "Sequence_Source",
    "Validation_Method",
    "Score",
    "BAM_File",
    "Sequencer",
    "Tumor_Sample_UUID",
    "Matched_Norm_Sample_UUID",
    # 35-45: GDC additions
    "HGVSc",
    "HGVSp",
    "HGVSp_Short",
    "Transcript_ID",
    "Exon_Number",
    "t_depth",
    "t_ref_count",
    "t_alt_count",
    "n_depth",
    "n_ref_count",
    "n_alt_count",
    # 46-110: VEP annotation
    "all_effects",
    "Allele",
    "Gene",
    "Feature",
    "Feature_type",
    "One_Consequence",
    "Consequence",
    "cDNA_position",
    "CDS_position",
    "Protein_position",
    "Amino_acids",
    "Codons",
    "Existing_variation",
    "ALLELE_NUM",
    "DISTANCE",
    "TRANSCRIPT_STRAND",
    "SYMBOL",
    "SYMBOL_SOURCE",
    "HGNC_ID",
    "BIOTYPE",
    "CANONICAL",
    "CCDS",
    "ENSP",
    "SWISSPROT",
    "TREMBL",
    "UNIPARC",
    "RefSeq",
    "SIFT",
    "PolyPhen",
    "EXON",
    "INTRON",
    "DOMAINS",
    "GMAF",
    "AFR_MAF",
    "AMR_MAF",
    "ASN_MAF",
    "EAS_MAF",
    "EUR_MAF",
    "SAS_MAF",
    "AA_MAF",
    "EA_MAF",
    "CLIN_SIG",
    "SOMATIC",
    "PUBMED",
    "MOTIF_NAME",
    "MOTIF_POS",
    "HIGH_INF_POS",
    "MOTIF_SCORE_CHANGE",
    "IMPACT",
    "PICK",
    "VARIANT_CLASS",
    "TSL",
    "HGVS_OFFSET",
    "PHENO",
    "MINIMISED",
    "ExAC_AF",
    "ExAC_AF_Adj",
    "ExAC_AF_AFR",
    "ExAC_AF_AMR",
    "ExAC_AF_EAS",
    "ExAC_AF_FIN",
    "ExAC_AF_NFE",
    "ExAC_AF_OTH",
    "ExAC_AF_SAS",
    "GENE_PHENO",
    # 111-120: filters and GDC provenance
    "FILTER",
    "CONTEXT",
    "src_vcf_id",
    "tumor_bam_uuid",
    "normal_bam_uuid",
    "case_id",
    "GDC_FILTER",
    "COSMIC",
    "MC3_Overlap",
    "GDC_Validation_Status",
)
"""The 120 columns of a GDC somatic MAF, in GDC order [1]_."""

_CONSTANTS = {
    "NCBI_Build": "GRCh37",
    "Mutation_Status": "Somatic",
    "Feature_type": "Transcript",
    "BIOTYPE": "protein_coding",
    "FILTER": "PASS",
}

_THREE = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter",
    "U": "Sec", "O": "Pyl", "X": "Xaa",
}  # fmt: skip

_SUB = re.compile(r"^([A-Z*])(\d+)([A-Z*=?])$")
_FS = re.compile(r"^([A-Z*])(\d+)([A-Z])?fs(?:\*(\d+|\?))?$")
_INDEL = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?(delins|del|dup|ins)([A-Z*]*)$")
_EXT = re.compile(r"^\*(\d+)([A-Z])ext\*(\d+|\?)$")
_START = re.compile(r"^[A-Z]1\?$")

# (Variant_Classification, Variant_Type, Consequence, IMPACT, VARIANT_CLASS)
Effect = tuple[str, str, str, str, str]
_SILENT: Effect = ("Silent", "SNP", "synonymous_variant", "LOW", "SNV")
_SPLICE: Effect = ("Splice_Site", "SNP", "splice_site_variant", "HIGH", "SNV")
_START_LOST: Effect = ("Translation_Start_Site", "SNP", "start_lost", "HIGH", "SNV")
_STOP_LOST: Effect = ("Nonstop_Mutation", "SNP", "stop_lost", "HIGH", "SNV")
_NONSENSE: Effect = ("Nonsense_Mutation", "SNP", "stop_gained", "HIGH", "SNV")
_MISSENSE: Effect = ("Missense_Mutation", "SNP", "missense_variant", "MODERATE", "SNV")
_FS_DEL: Effect = ("Frame_Shift_Del", "DEL", "frameshift_variant", "HIGH", "deletion")
_FS_INS: Effect = ("Frame_Shift_Ins", "INS", "frameshift_variant", "HIGH", "insertion")
_IF_DEL: Effect = ("In_Frame_Del", "DEL", "inframe_deletion", "MODERATE", "deletion")
_IF_INS: Effect = ("In_Frame_Ins", "INS", "inframe_insertion", "MODERATE", "insertion")
_OTHER: Effect = ("Missense_Mutation", "", "coding_sequence_variant", "MODIFIER", "")


def effect(change: str, *, frameshift_insertion: bool = False) -> Effect:
    """MAF/VEP classification implied by a one-letter protein change (table in the docstring).

    ``frameshift_insertion`` picks Frame_Shift_Ins over Frame_Shift_Del (the protein change
    cannot tell them apart).
    """
    if change.endswith("="):
        return _SILENT
    if change.endswith("_splice"):
        return _SPLICE
    if _START.match(change):
        return _START_LOST
    if "fs" in change:
        return _FS_INS if frameshift_insertion else _FS_DEL
    if "ext" in change:
        return _STOP_LOST if change.startswith("*") else _START_LOST
    if match := _INDEL.match(change):
        kind, inserted = match[5], match[6]
        if kind in ("ins", "delins") and "*" in inserted:
            return ("Nonsense_Mutation", "DEL" if kind == "delins" else "INS", *_NONSENSE[2:])
        if kind == "del":
            return _IF_DEL
        if kind in ("ins", "dup"):
            return _IF_INS
        deleted = int(match[4]) - int(match[2]) + 1 if match[4] else 1
        return _IF_INS if len(inserted) > deleted else _IF_DEL
    if match := _SUB.match(change):
        ref, pos, alt = match[1], int(match[2]), match[3]
        if ref == "M" and pos == 1:
            return _START_LOST
        if ref == "*":
            return _STOP_LOST
        return _NONSENSE if alt == "*" else _MISSENSE
    return _OTHER


def _aa(residues: str) -> str:
    return "".join(_THREE[r] for r in residues)


def hgvsp_long(change: str) -> str | None:
    """``p.`` + the change with three-letter residues, where the form is simple; else None."""
    try:
        if match := _SUB.match(change):
            alt = match[3] if match[3] in "=?" else _aa(match[3])
            return f"p.{_aa(match[1])}{match[2]}{alt}"
        if match := _FS.match(change):
            alt = _aa(match[3]) if match[3] else ""
            tail = f"Ter{match[4]}" if match[4] else ""
            return f"p.{_aa(match[1])}{match[2]}{alt}fs{tail}"
        if match := _INDEL.match(change):
            end = f"_{_aa(match[3])}{match[4]}" if match[3] else ""
            return f"p.{_aa(match[1])}{match[2]}{end}{match[5]}{_aa(match[6])}"
        if match := _EXT.match(change):
            return f"p.Ter{match[1]}{_aa(match[2])}extTer{match[3]}"
    except KeyError:  # a residue letter outside the table
        return None
    return None


def _source_frame(source: Path, seed: int) -> pl.DataFrame:
    """METABRIC rows with their derived MAF fields, grouped by patient (source order kept)."""
    table = pl.read_csv(source, separator="\t", infer_schema=False, quote_char=None)
    table = table.with_row_index("order")
    changes = table["proteinChange"].to_list()
    # one draw per source row, before anything else: the same for all copies of the row
    insertion = np.random.default_rng(seed).random(len(changes)) < 0.5
    effects = [
        effect(c, frameshift_insertion=bool(i)) for c, i in zip(changes, insertion, strict=True)
    ]
    fields = ("Variant_Classification", "Variant_Type", "Consequence", "IMPACT", "VARIANT_CLASS")
    derived = pl.DataFrame(
        {name: [e[i] or None for e in effects] for i, name in enumerate(fields)}
        | {"HGVSp": [hgvsp_long(c) for c in changes]},
        schema=dict.fromkeys([*fields, "HGVSp"], pl.String),
    )
    return (
        pl.concat([table, derived], how="horizontal")
        .sort("patientId", "order")
        .with_columns(pl.col("patientId").rank("dense").cast(pl.Int64).sub(1).alias("patient"))
    )


def _replicate(base: pl.DataFrame, rows: int, min_patients: int) -> tuple[pl.DataFrame, int]:
    """Copies of whole patients (copy-major) up to >= ``rows`` rows and >= ``min_patients``."""
    n, patients = base.height, int(base["patient"].max()) + 1  # type: ignore[arg-type]
    copies = max(1, math.ceil(rows / n), math.ceil(min_patients / patients))
    index = np.tile(np.arange(n), copies)
    copy = np.repeat(np.arange(copies), n)
    ordinal = copy * patients + base["patient"].to_numpy()[index]  # patient-copy, in file order
    # rows through the end of each patient-copy; keep the shortest prefix meeting both targets
    ends = np.flatnonzero(np.diff(ordinal, append=ordinal[-1] + 1)) + 1
    enough = np.flatnonzero((ends >= rows) & (np.arange(1, len(ends) + 1) >= min_patients))
    keep = int(ends[enough[0]]) if len(enough) else len(ordinal)
    digits = max(4, len(str(copies - 1)))
    frame = base.drop("patient", "order")[index[:keep]].with_columns(
        pl.Series("copy", copy[:keep], dtype=pl.Int64)
    )
    barcode = (
        pl.when(pl.col("copy") == 0)
        .then(pl.col("patientId"))
        .otherwise(pl.col("patientId") + "-R" + pl.col("copy").cast(pl.String).str.zfill(digits))
    )
    return frame.with_columns(barcode.alias("Tumor_Sample_Barcode")), int(ordinal[keep - 1] + 1)


def _maf_frame(frame: pl.DataFrame, seed: int, exons: int = 0) -> pl.DataFrame:
    """The GDC columns, in order: derived, constant, synthetic read counts (and exon numbers
    if ``exons``), else blank."""
    rng = np.random.default_rng([seed, 1])  # independent of the per-source-row stream
    size = frame.height
    t_depth = rng.integers(50, 801, size)
    t_alt = np.clip(np.rint(t_depth * rng.uniform(0.05, 0.60, size)), 1, t_depth).astype(np.int64)
    values: dict[str, pl.Series | pl.Expr] = {
        "Hugo_Symbol": frame["hugoGeneSymbol"],
        "SYMBOL": frame["hugoGeneSymbol"],
        "Tumor_Sample_Barcode": frame["Tumor_Sample_Barcode"],
        "HGVSp_Short": "p." + frame["proteinChange"],
        "One_Consequence": frame["Consequence"],
        "t_depth": pl.Series(t_depth),
        "t_ref_count": pl.Series(t_depth - t_alt),
        "t_alt_count": pl.Series(t_alt),
        "n_depth": pl.Series(rng.integers(30, 401, size)),
    }
    for name in ("Variant_Classification", "Variant_Type", "Consequence", "HGVSp"):
        values[name] = frame[name]
    if exons > 0:
        number = pl.int_range(size, dtype=pl.Int64, eager=True) % exons + 1
        values["Exon_Number"] = number.cast(pl.String) + f"/{exons}"
    values["IMPACT"], values["VARIANT_CLASS"] = frame["IMPACT"], frame["VARIANT_CLASS"]
    columns = []
    for name in GDC_COLUMNS:
        if name in values:
            column = values[name]
            columns.append(column.alias(name) if isinstance(column, pl.Series) else column)
        elif name in _CONSTANTS:
            columns.append(pl.repeat(_CONSTANTS[name], size, dtype=pl.String).alias(name))
        else:
            columns.append(pl.repeat(None, size, dtype=pl.String).alias(name))
    return pl.select(columns)


def write_gdc_maf(
    source: Path,
    out: Path,
    *,
    rows: int = 1_000_000,
    min_patients: int = 100_000,
    seed: int = 0,
    exons: int = 0,
) -> dict[str, Any]:
    """Write a GDC-style MAF replicating the METABRIC mutations of ``source`` (module docstring).

    Returns
    -------
    dict
        ``rows`` (variant rows written), ``patients``, ``bytes`` (file size), ``seconds``
        (wall time to build and write), ``columns``, ``source_rows``, ``path``.
    """
    if rows < 1 or min_patients < 0:
        raise ValueError(
            f"expected rows >= 1 and min_patients >= 0, got {rows!r}, {min_patients!r}"
        )
    started = time.perf_counter()
    base = _source_frame(source, seed)
    frame, patients = _replicate(base, rows, min_patients)
    maf = _maf_frame(frame, seed, exons)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wb", compresslevel=1) if out.suffix == ".gz" else out.open("wb") as stream:
        stream.write(f"{VERSION_LINE}\n".encode())
        maf.write_csv(stream, separator="\t", null_value="", quote_style="necessary")
    return {
        "path": str(out),
        "rows": maf.height,
        "patients": patients,
        "columns": len(GDC_COLUMNS),
        "source_rows": base.height,
        "bytes": out.stat().st_size,
        "seconds": time.perf_counter() - started,
    }


def _copy_of(barcode: str) -> str:
    return re.sub(r"-R\d+$", "", barcode)


def check_sample(maf: Path, source: Path = METABRIC, *, rows: int = 2000) -> dict[str, Any]:
    """Read the first ``rows`` data rows of ``maf`` with ``oncoboard.io.read_maf`` and compare
    each call with its METABRIC row (gene, protein change, in per-patient order) and its
    consequence class with the one ``consequence_from_protein`` gives the protein change.

    Raises ``AssertionError`` on any mismatch; returns counts.
    """
    import tempfile

    from oncoboard.errors import NormalizationError
    from oncoboard.genomics import consequence_class
    from oncoboard.genomics.normalize import consequence_from_protein, protein_change
    from oncoboard.io import read_maf

    with gzip.open(maf, "rb") if maf.suffix == ".gz" else maf.open("rb") as handle:
        head = b"".join(handle.readline() for _ in range(rows + 2))
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.maf"
        sample.write_bytes(head)
        calls = read_maf(sample)
    expected: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in source.read_text(encoding="utf-8").splitlines()[1:]:
        patient, gene, change = line.split("\t")
        expected[patient].append((gene, f"p.{change}"))
    seen: Counter[str] = Counter()
    unparsable = 0
    for call in calls:
        assert call.sample is not None and call.hgvs_p is not None, call
        want = expected[_copy_of(call.sample)][seen[call.sample]]
        seen[call.sample] += 1
        assert (call.gene, call.hgvs_p) == want, (call.source, call.gene, call.hgvs_p, want)
        try:
            change = protein_change(call.hgvs_p)[0]
        except NormalizationError:
            unparsable += 1
            continue
        got, implied = consequence_class(call.consequence), consequence_from_protein(change)
        assert got == implied, (call.source, call.hgvs_p, call.consequence, got, implied)
    assert len(calls) == rows, (len(calls), rows)
    return {"calls": len(calls), "samples": len(seen), "unparsable": unparsable}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="MAF to write (.gz: gzip-compressed)")
    parser.add_argument("--source", type=Path, default=METABRIC)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--min-patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exons", type=int, default=0, help="vary Exon_Number over N values")
    parser.add_argument(
        "--check", type=int, default=0, metavar="N", help="read back N rows with read_maf"
    )
    args = parser.parse_args()
    summary = write_gdc_maf(
        args.source,
        args.out,
        rows=args.rows,
        min_patients=args.min_patients,
        seed=args.seed,
        exons=args.exons,
    )
    if args.check:
        summary["check"] = check_sample(args.out, args.source, rows=args.check)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
