"""Simple gene-level tables: protein changes, copy-number calls and fusions, one row each.

These are the small tables labs and public cohorts hand out instead of a MAF or VCF: the
METABRIC mutation table (``patientId``, ``hugoGeneSymbol``, ``proteinChange``), a gene
copy-number table (gene plus a call and/or an absolute copy number) and the PCGR fusion table
(``FusionGene`` ``GENE1--GENE2``, breakpoints, ``SplitReads``). Column names are matched
case-insensitively and common synonyms are accepted (see each reader).

Sample handling is the same in every reader here: if the file has a sample column, ``sample``
keeps only the rows of that sample; if it has none, every record is labelled ``sample``.

References
----------
.. [1] PCGR documentation, "Input files": allele-specific copy-number segments
   (``--n_copy_gain``, default 6) and RNA fusions (``FusionGene``, ``LeftBreakpoint``,
   ``RightBreakpoint``, ``SplitReads``), https://sigven.github.io/pcgr/articles/input.html
.. [2] Nakken S et al. Personal Cancer Genome Reporter: variant interpretation report for
   precision oncology. Bioinformatics 2018;34(10):1778-1780.
"""

from __future__ import annotations

from pathlib import Path

from oncoboard.io._tabular import Row, Table, build, open_table
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall, VariantCall
from oncoboard.model.genomics import CopyNumberType

__all__ = [
    "AMPLIFICATION_MIN_COPIES",
    "DEEP_DELETION_MAX_COPIES",
    "read_fusions",
    "read_gene_cna",
    "read_mutation_table",
]

AMPLIFICATION_MIN_COPIES = 6.0
"""Total copy number from which a gene is amplified: PCGR's ``--n_copy_gain`` default [1]_."""
DEEP_DELETION_MAX_COPIES = 0.5
"""Total copy number below which a gene counts as deleted on both alleles (rounds to 0) [1]_."""

_SAMPLE = ("sample", "sample_id", "Tumor_Sample_Barcode", "patientId", "patient", "patient_id")
_GENE = ("gene", "hugoGeneSymbol", "Hugo_Symbol", "symbol", "gene_symbol")
_PROTEIN = ("proteinChange", "protein_change", "HGVSp_Short", "HGVSp", "hgvs_p", "aa_change")
_CODING = ("hgvs_c", "HGVSc", "cdna_change", "cDNA_change")
_CALL = ("call", "cna", "cna_call", "cnv_call", "alteration", "type", "variant_class", "status")
_COPIES = ("copy_number", "copies", "total_cn", "tcn", "absolute_copy_number", "cn")
_FUSION = ("FusionGene", "FusionName", "fusion", "fusion_name")
_READS = ("SplitReads", "JunctionReadCount", "split_reads", "supporting_reads")
_FRAME = ("in_frame", "frame", "PROT_FUSION_TYPE", "reading_frame")

_CALLS: dict[str, CopyNumberType | None] = {
    **dict.fromkeys(
        ("amplification", "amp", "amplified", "high_level_gain"), CopyNumberType.AMPLIFICATION
    ),
    **dict.fromkeys(("gain", "low_level_gain"), CopyNumberType.GAIN),
    **dict.fromkeys(
        ("loss", "hetloss", "shallow_deletion", "heterozygous_deletion"), CopyNumberType.LOSS
    ),
    **dict.fromkeys(
        ("deletion", "deep_deletion", "del", "homdel", "homozygous_deletion"),
        CopyNumberType.DELETION,
    ),
    **dict.fromkeys(("neutral", "diploid", "normal"), None),
}
_FRAMES = {
    **dict.fromkeys(("inframe", "yes", "true"), True),
    **dict.fromkeys(("frameshift", "outofframe", "no", "false"), False),
}
_GISTIC = {
    2.0: CopyNumberType.AMPLIFICATION,
    1.0: CopyNumberType.GAIN,
    0.0: None,
    -1.0: CopyNumberType.LOSS,
    -1.5: CopyNumberType.DELETION,
    -2.0: CopyNumberType.DELETION,
}


def read_mutation_table(path: Path | str, *, sample: str | None = None) -> list[VariantCall]:
    """Read a simple table of protein changes, such as METABRIC's mutation table.

    Parameters
    ----------
    path
        TSV with a gene column (``hugoGeneSymbol``, ``gene``, ``Hugo_Symbol``, ``symbol``), a
        protein change (``proteinChange``, ``protein_change``, ``HGVSp_Short``, ``HGVSp``) and/or
        a coding change (``hgvs_c``, ``HGVSc``), and optionally a sample (``patientId``,
        ``sample``, ``patient``, ``Tumor_Sample_Barcode``).
    sample
        Keep only this sample's rows (or label every call, if the file has no sample column).

    Returns
    -------
    list of VariantCall
        ``hgvs_p`` is the protein change with ``p.`` added when absent (``V600E`` ->
        ``p.V600E``); cBioPortal forms such as ``X1597_splice`` are kept as given.

    Raises
    ------
    GenomicFileError
        If the gene or change columns are missing, or a row has neither change.
    """
    table = open_table(path, has_header=lambda h: bool(h.column(*_GENE)))
    cols = table.header.require(gene=_GENE)
    protein, coding = table.header.column(*_PROTEIN), table.header.column(*_CODING)
    if protein is None and coding is None:
        expected = " or ".join(_PROTEIN + _CODING)
        raise table.header.error(f"expected column(s) {expected}, got {table.header.shown!r}")
    calls = []
    for row, label in _sample_rows(table, sample):
        change, hgvs_c = row.text(protein), row.text(coding)
        if change is None and hgvs_c is None:
            raise row.error(protein or coding, "expected a protein or coding change, got ''")
        hgvs_p = None if change is None else change if change.startswith("p.") else f"p.{change}"
        gene = row.text(cols["gene"])
        if gene is None:
            raise row.error(cols["gene"], "expected a gene symbol, got ''")
        calls.append(
            build(
                row,
                VariantCall,
                source=row.source,
                sample=label,
                gene=gene,
                hgvs_p=hgvs_p,
                hgvs_c=hgvs_c,
            )
        )
    return calls


def read_gene_cna(
    path: Path | str,
    *,
    sample: str | None = None,
    amplification_min: float = AMPLIFICATION_MIN_COPIES,
) -> list[CopyNumberCall]:
    """Read a gene-level copy-number table: a call per gene, or an absolute copy number.

    Parameters
    ----------
    path
        TSV with a gene column (``gene``, ``symbol``, ``Hugo_Symbol``) and a call column
        (``call``, ``cna``, ``type``: amplification/AMP, gain, loss/HETLOSS,
        deletion/DEL/HOMDEL/deep_deletion, neutral; or GISTIC -2..2) and/or an absolute copy
        number (``copy_number``, ``total_cn``, ``cn``).
    sample
        Keep only this sample's rows (or label every call, if the file has no sample column).
    amplification_min
        Where a row has no call: total copy number from which a gene is amplified (PCGR default 6
        [1]_). A copy number below :data:`DEEP_DELETION_MAX_COPIES` is a deep deletion; values in
        between give no call, as gains and single-copy losses depend on tumour ploidy.

    Returns
    -------
    list of CopyNumberCall
        One call per altered gene; neutral rows give none.

    Raises
    ------
    GenomicFileError
        If the gene column, or both the call and copy-number columns, are missing, or a call or
        copy number is not understood (e.g. ``'3'`` in a call column, a negative copy number).
    """
    table = open_table(path, has_header=lambda h: bool(h.column(*_GENE)))
    cols = table.header.require(gene=_GENE)
    call_col, copies_col = table.header.column(*_CALL), table.header.column(*_COPIES)
    if call_col is None and copies_col is None:
        expected = " or ".join(_CALL + _COPIES)
        raise table.header.error(f"expected column(s) {expected}, got {table.header.shown!r}")
    calls = []
    for row, label in _sample_rows(table, sample):
        copies = row.number(copies_col, minimum=0)
        value = row.text(call_col)
        kind = (
            _threshold(copies, amplification_min) if value is None else _call(row, call_col, value)
        )
        if kind is not None:
            gene = row.text(cols["gene"])
            if gene is None:
                raise row.error(cols["gene"], "expected a gene symbol, got ''")
            calls.append(
                build(
                    row,
                    CopyNumberCall,
                    source=row.source,
                    sample=label,
                    gene=gene,
                    type=kind,
                    copy_number=copies,
                )
            )
    return calls


def read_fusions(path: Path | str, *, sample: str | None = None) -> list[FusionCall]:
    """Read a fusion table: PCGR's ``FusionGene`` format (STAR-Fusion ``#FusionName`` too).

    Parameters
    ----------
    path
        TSV with ``FusionGene`` (``GENE1--GENE2`` or ``GENE1::GENE2``, 5' partner first; one
        side may be empty) and optionally ``SplitReads`` (or ``JunctionReadCount``) and a frame
        column (``PROT_FUSION_TYPE``: INFRAME/FRAMESHIFT). Breakpoint columns are not read.
    sample
        Keep only this sample's rows (or label every call, if the file has no sample column).

    Returns
    -------
    list of FusionCall
        An empty side gives ``None`` for that partner (``--NTRK3``: 3' NTRK3, 5' unknown).

    Raises
    ------
    GenomicFileError
        If ``FusionGene`` is missing or not two partners, both partners are empty, or the read
        count is not a non-negative integer.

    References
    ----------
    PCGR RNA fusion input [1]_.
    """
    table = open_table(path, has_header=lambda h: bool(h.column(*_FUSION)))
    cols = table.header.require(fusion=_FUSION)
    reads, frame = table.header.column(*_READS), table.header.column(*_FRAME)
    calls = []
    for row, label in _sample_rows(table, sample):
        gene_5p, gene_3p = _partners(row, cols["fusion"])
        in_frame = _FRAMES.get((row.text(frame) or "").lower().replace("_", "").replace("-", ""))
        calls.append(
            build(
                row,
                FusionCall,
                source=row.source,
                sample=label,
                gene_5p=gene_5p,
                gene_3p=gene_3p,
                in_frame=in_frame,
                supporting_reads=row.integer(reads),
            )
        )
    return calls


def _sample_rows(table: Table, sample: str | None) -> list[tuple[Row, str | None]]:
    """Rows with their sample label: the sample column's value, else ``sample``."""
    column = table.header.column(*_SAMPLE)
    if column is None:
        return [(row, sample) for row in table]
    rows = ((row, row.text(column)) for row in table)
    return [(row, label) for row, label in rows if sample is None or label == sample]


def _call(row: Row, column: str | None, value: str) -> CopyNumberType | None:
    try:
        level: float | str = float(value)
    except ValueError:
        level = value.lower().replace(" ", "_").replace("-", "_")
    if isinstance(level, float) and level in _GISTIC:
        return _GISTIC[level]
    if isinstance(level, str) and level in _CALLS:
        return _CALLS[level]
    raise row.error(
        column, f"expected amplification, gain, loss, deletion, neutral or -2..2, got {value!r}"
    )


def _threshold(copies: float | None, amplification_min: float) -> CopyNumberType | None:
    if copies is None:
        return None
    if copies >= amplification_min:
        return CopyNumberType.AMPLIFICATION
    return CopyNumberType.DELETION if copies < DEEP_DELETION_MAX_COPIES else None


def _partners(row: Row, column: str) -> tuple[str | None, str | None]:
    value = row.raw(column)
    parts = value.split("::") if "::" in value else value.split("--")
    if len(parts) != 2:
        raise row.error(column, f"expected 'GENE1--GENE2' (one side may be empty), got {value!r}")
    gene_5p, gene_3p = (part.strip() or None for part in parts)
    if gene_5p is None and gene_3p is None:
        raise row.error(column, f"expected at least one partner gene, got {value!r}")
    return gene_5p, gene_3p
