"""``oncoboard mrd``: tumour-informed ctDNA detection from plasma BAM/CRAM or counts tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from oncoboard import __version__
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError

if TYPE_CHECKING:  # numpy/scipy/pysam load when the verb runs, not at start-up
    from oncoboard.mrd import ErrorModel, LocusCount, LocusKey, MrdResult, TumourLocus
    from oncoboard.mrd.bam import ReadFilters

__all__ = ["MRD_FORMAT_VERSION", "register"]

MRD_FORMAT_VERSION = "1"
_ALIGNMENT_SUFFIXES = (".bam", ".cram")


def _is_alignment(path: Path) -> bool:
    return path.name.lower().endswith(_ALIGNMENT_SUFFIXES)


def _read_samples(
    paths: Sequence[Path],
    loci: Sequence[TumourLocus],
    reference: Path | None,
    filters: ReadFilters,
    label: str,
) -> list[tuple[str, dict[LocusKey, LocusCount]]]:
    """Counts of every sample in ``paths`` (one per BAM/CRAM, one or more per table)."""
    from oncoboard.mrd import read_counts_table
    from oncoboard.mrd.bam import count_alignments

    samples: list[tuple[str, dict[LocusKey, LocusCount]]] = []
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=len(paths) < 2,
    ) as progress:
        task = progress.add_task(label, total=len(paths))
        for path in paths:
            if _is_alignment(path):
                counted = count_alignments(path, loci, reference=reference, filters=filters)
                if counted.missing_contigs:
                    err.print(
                        f"warning: {path}: no contig for chromosome(s) "
                        f"{', '.join(counted.missing_contigs)}; those loci are not covered",
                        markup=False,
                    )
                samples.append((counted.sample or path.name, counted.counts))
            else:
                samples.extend(read_counts_table(path, loci).items())
            progress.advance(task)
    return samples


def _print(results: Sequence[MrdResult], model: ErrorModel, loci: int) -> None:
    source = (
        f"{model.normals} normal sample(s); overdispersion {model.overdispersion:.3g}"
        if model.normals
        else "panel-default error rates (unverified assumption: give --normals)"
    )
    out.print(f"[bold]Tumour-informed MRD[/bold] — {loci} tumour loci; background: {source}")
    table = Table()
    for column in ("sample", "call", "p", "loci", "alt/molecules", "background", "TF", "LOD95 TF"):
        table.add_column(column, overflow="fold")
    for r in results:
        detected = r.call.value == "ctdna_detected"
        tf = f"{r.tumour_fraction:.1e}" if detected and r.tumour_fraction is not None else "—"
        lod = "—" if r.lod95_tumour_fraction is None else f"{r.lod95_tumour_fraction:.1e}"
        table.add_row(
            escape(r.sample or "?"),
            r.call.value,
            "—" if r.p_value is None else f"{r.p_value:.2g}",
            str(r.informative_loci),
            f"{r.alt_reads}/{r.molecules}",
            f"{r.expected_background:.2f}",
            tf,
            lod,
        )
    out.print(table)
    for r in results:
        out.print(f"{r.sample}: {r.detail}", markup=False)
        for locus in r.loci:
            if locus.detail and locus.status.value != "informative":
                out.print(
                    f"  {locus.locus.label}: {locus.status.value}: {locus.detail}", markup=False
                )
    if results:
        cited = "; ".join(
            f"{e.id}{'' if e.verified else ' (unverified)'}" for e in results[0].evidence
        )
        out.print(f"rule: {results[0].rule}", markup=False)
        out.print(f"evidence: {cited}", markup=False)
    out.print(f"[dim]{DISCLAIMER}[/dim]")


def _model(
    loci: Sequence[TumourLocus], normals: Sequence[Mapping[LocusKey, LocusCount]]
) -> ErrorModel:
    from oncoboard.mrd import error_model_from_normals, panel_default_model

    return error_model_from_normals(loci, normals) if normals else panel_default_model(loci)


def mrd(
    tumour_variants: Annotated[
        Path, typer.Argument(help="Tumour somatic variants: VCF/BCF or TSV (chrom pos ref alt).")
    ],
    plasma: Annotated[
        list[Path],
        typer.Argument(help="Plasma BAM/CRAM (indexed) or counts TSV(s); one call per sample."),
    ],
    normals: Annotated[
        list[Path] | None,
        typer.Option(
            "--normals",
            help="Normal plasma BAM/CRAM or counts TSV (repeatable) for the background model.",
        ),
    ] = None,
    reference: Annotated[
        Path | None, typer.Option("--reference", help="FASTA (needed for CRAM).")
    ] = None,
    alpha: Annotated[
        float, typer.Option(min=1e-6, max=0.2, help="False-positive rate per sample.")
    ] = 0.01,
    min_mapq: Annotated[int, typer.Option("--min-mapq", min=0)] = 30,
    min_baseq: Annotated[int, typer.Option("--min-baseq", min=0)] = 20,
    include_duplicates: Annotated[
        bool, typer.Option("--include-duplicates", help="Count reads flagged duplicate.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
) -> None:
    """Is the patient's ctDNA in this plasma? Combined test over the tumour's loci."""
    from oncoboard.mrd import detect_mrd, read_tumour_loci
    from oncoboard.mrd.bam import ReadFilters

    filters = ReadFilters(
        min_mapping_quality=min_mapq,
        min_base_quality=min_baseq,
        include_duplicates=include_duplicates,
    )
    try:
        loci = read_tumour_loci(tumour_variants)
        normal_counts = _read_samples(normals or [], loci, reference, filters, "normals")
        model = _model(loci, [counts for _, counts in normal_counts])
        samples = _read_samples(plasma, loci, reference, filters, "plasma")
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    results = [
        detect_mrd(loci, counts, model, sample=name, alpha=alpha) for name, counts in samples
    ]
    if as_json:
        document = {
            "format_version": MRD_FORMAT_VERSION,
            "oncoboard_version": __version__,
            "disclaimer": DISCLAIMER,
            "input": {
                "tumour_variants": str(tumour_variants),
                "plasma": [str(p) for p in plasma],
                "normals": [str(p) for p in normals or []],
                "filters": {
                    "min_mapping_quality": min_mapq,
                    "min_base_quality": min_baseq,
                    "include_duplicates": include_duplicates,
                },
            },
            "background": model.model_dump(mode="json"),
            "results": [r.model_dump(mode="json") for r in results],
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    _print(results, model, len(loci))


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(mrd)
