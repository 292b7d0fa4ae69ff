"""cBioPortal study files: discrete copy number (``data_cna.txt``) and structural variants
(``data_sv.txt``). cBioPortal mutation files are MAFs: see :func:`oncoboard.io.maf.read_maf`.

References
----------
.. [1] cBioPortal File Formats, "Discrete Copy Number Data" (``Hugo_Symbol``,
   ``Entrez_Gene_Id``, one column per sample; -2 deep loss, -1 single-copy loss, 0 diploid,
   1 low-level gain, 2 high-level amplification),
   https://docs.cbioportal.org/file-formats/#discrete-copy-number-data
.. [2] cBioPortal validator ``CNADiscreteValidator`` (also allows ``-1.5``, ``NA`` and an
   optional ``Cytoband`` column) and pull request cBioPortal/cbioportal#2627: ``-1.5`` is a
   partial deletion, imported and shown as a deep deletion (-2).
.. [3] cBioPortal File Formats, "Structural Variant Data" (``Sample_Id``, ``SV_Status``,
   ``Site1_Hugo_Symbol``, ``Site2_Hugo_Symbol``, ``Site2_Effect_On_Frame``, ``Event_Info``,
   read counts), https://docs.cbioportal.org/file-formats/#structural-variant-data
"""

from __future__ import annotations

from pathlib import Path

from oncoboard.io._tabular import Row, build, open_table
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall
from oncoboard.model.genomics import CopyNumberType

__all__ = ["read_cbioportal_cna", "read_cbioportal_sv"]

_GENE_COLUMNS = frozenset({"hugo_symbol", "entrez_gene_id", "cytoband"})
_LEVELS: dict[float, CopyNumberType | None] = {
    2.0: CopyNumberType.AMPLIFICATION,
    1.0: CopyNumberType.GAIN,
    0.0: None,
    -1.0: CopyNumberType.LOSS,
    -1.5: CopyNumberType.DELETION,
    -2.0: CopyNumberType.DELETION,
}
_IN_FRAME = {"inframe": True, "outofframe": False, "frameshift": False}


def read_cbioportal_cna(path: Path | str, *, sample: str | None = None) -> list[CopyNumberCall]:
    """Read a cBioPortal discrete copy-number matrix (GISTIC-style levels).

    Parameters
    ----------
    path
        ``data_cna.txt`` / ``data_CNA.txt``: ``Hugo_Symbol`` (a ``|suffix`` is dropped), optional
        ``Entrez_Gene_Id`` and ``Cytoband``, then one column per sample.
    sample
        Read only this sample's column (it must exist).

    Returns
    -------
    list of CopyNumberCall
        2 -> amplification, 1 -> gain, -1 -> loss, -2 (and the partial-deletion code -1.5 [2]_)
        -> deep deletion; 0, ``NA`` and empty cells give no call. ``copy_number`` is ``None``
        (the levels are not copy numbers). Calls are ordered by gene row, then sample column.

    Raises
    ------
    GenomicFileError
        If ``Hugo_Symbol`` or every sample column is missing, ``sample`` is not a column, a
        sample column repeats, a gene symbol is empty, or a value is not a level (e.g. ``3``).

    References
    ----------
    cBioPortal discrete copy-number format [1]_.
    """
    table = open_table(path, has_header=lambda h: bool(h.column("Hugo_Symbol")))
    header = table.header
    gene_col = header.require(gene=["Hugo_Symbol"])["gene"]
    samples = [name for name in header.names if name.strip().lower() not in _GENE_COLUMNS]
    if not samples:
        raise header.error(f"expected sample columns after Hugo_Symbol, got {header.shown!r}")
    repeated = sorted({name for name in samples if samples.count(name) > 1})
    if repeated:
        raise header.error(f"expected each sample column once, got {repeated!r} repeated")
    if sample is not None:
        if sample not in samples:
            raise header.error(f"expected a column for sample {sample!r}, got {header.shown!r}")
        samples = [sample]
    calls = []
    for row in table:
        gene = row.text(gene_col)
        if gene is None:
            raise row.error(gene_col, "expected a gene symbol, got ''")
        gene = gene.split("|", 1)[0]
        for name in samples:
            kind = _level(row, name)
            if kind is not None:
                calls.append(
                    build(row, CopyNumberCall, source=row.source, sample=name, gene=gene, type=kind)
                )
    return calls


def _level(row: Row, column: str) -> CopyNumberType | None:
    value = row.text(column)
    if value is None:
        return None
    try:
        level = float(value)
    except ValueError:
        level = float("nan")
    if level not in _LEVELS:
        raise row.error(column, f"expected one of -2, -1.5, -1, 0, 1, 2 or NA, got {value!r}")
    return _LEVELS[level]


def read_cbioportal_sv(path: Path | str, *, sample: str | None = None) -> list[FusionCall]:
    """Read a cBioPortal structural-variant file as gene-pair calls.

    Parameters
    ----------
    path
        ``data_sv.txt`` with ``Sample_Id`` and ``Site1_Hugo_Symbol`` and/or
        ``Site2_Hugo_Symbol`` (files naming genes only by Entrez id are not supported).
    sample
        Keep only rows whose ``Sample_Id`` equals this (no rows: an empty list).

    Returns
    -------
    list of FusionCall
        Site 1 is taken as the 5' partner and site 2 as the 3' partner, as in the format's
        example (``TMPRSS2`` site 1, ``ERG`` site 2) and cBioPortal's ``SITE1-SITE2`` fusion
        names [3]_. ``in_frame`` comes from ``Site2_Effect_On_Frame`` (In_frame / Out-of-frame /
        Frameshift), else from "in frame"/"out of frame" in ``Event_Info``. ``supporting_reads``
        is ``Tumor_Split_Read_Count`` + ``Tumor_Paired_End_Read_Count`` (those given), else
        ``Tumor_Variant_Count``. Every ``SV_Status`` (somatic or germline) is returned.

    Raises
    ------
    GenomicFileError
        If ``Sample_Id`` or both site gene columns are missing, a row names no gene, or a read
        count is not a non-negative integer.

    References
    ----------
    cBioPortal structural variant format [3]_.
    """
    table = open_table(path, has_header=lambda h: bool(h.column("Sample_Id")))
    header = table.header
    sample_col = header.require(Sample_Id=["Sample_Id"])["Sample_Id"]
    site1, site2 = header.column("Site1_Hugo_Symbol"), header.column("Site2_Hugo_Symbol")
    if site1 is None and site2 is None:
        raise header.error(
            f"expected column(s) Site1_Hugo_Symbol or Site2_Hugo_Symbol, got {header.shown!r}"
        )
    calls = []
    for row in table:
        row_sample = row.text(sample_col)
        if sample is not None and row_sample != sample:
            continue
        if row_sample is None:
            raise row.error(sample_col, f"expected a sample id, got {row.raw(sample_col)!r}")
        gene_5p, gene_3p = row.text(site1), row.text(site2)
        if gene_5p is None and gene_3p is None:
            raise row.error(site1 or site2, "expected a gene in Site1 or Site2, got neither")
        calls.append(
            build(
                row,
                FusionCall,
                source=row.source,
                sample=row_sample,
                gene_5p=gene_5p,
                gene_3p=gene_3p,
                in_frame=_in_frame(row),
                supporting_reads=_supporting_reads(row),
            )
        )
    return calls


def _in_frame(row: Row) -> bool | None:
    effect = row.text(row.header.column("Site2_Effect_On_Frame"))
    if effect is not None:
        key = "".join(ch for ch in effect.lower() if ch.isalpha())
        return _IN_FRAME.get(key)
    info = (row.text(row.header.column("Event_Info")) or "").lower()
    if "out of frame" in info or "frameshift" in info:
        return False
    return True if "in frame" in info or "in-frame" in info else None


def _supporting_reads(row: Row) -> int | None:
    col = row.header.column
    counts = [
        row.integer(col(name)) for name in ("Tumor_Split_Read_Count", "Tumor_Paired_End_Read_Count")
    ]
    present = [count for count in counts if count is not None]
    return sum(present) if present else row.integer(col("Tumor_Variant_Count"))
