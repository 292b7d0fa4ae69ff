"""``oncoboard annotate``: cited findings for a case or a lab file (VCF/BCF, MAF, tables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from oncoboard import __version__
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError
from oncoboard.model import GenomeBuild, SpecimenType

if TYPE_CHECKING:  # the genomics stack is imported when the verb runs, not at start-up
    from oncoboard.genomics.report import SampleAnnotation
    from oncoboard.io.genomic_records import CopyNumberCall, FusionCall

__all__ = ["register"]

_FORMATS = (
    "auto",
    "case",
    "vcf",
    "maf",
    "table",
    "cbioportal-cna",
    "cbioportal-sv",
    "gene-cna",
    "fusions",
)


def _detect(path: Path) -> str:
    if path.is_dir():
        return "case"
    name = path.name.lower()
    if name.endswith((".yaml", ".yml", ".json")):
        return "case"
    if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        return "vcf"
    if name.endswith((".maf", ".maf.gz", ".maf.txt")) or name.startswith("data_mutations"):
        return "maf"
    if name.startswith("data_cna"):
        return "cbioportal-cna"
    if name.startswith("data_sv"):
        return "cbioportal-sv"
    raise OncoboardError(
        f"{path}: cannot tell the format from the name; use --format ({', '.join(_FORMATS[1:])})"
    )


def _extras(
    extras: dict[str, Path | None], build: GenomeBuild | None, sample: str | None
) -> tuple[list[CopyNumberCall], list[FusionCall]]:
    """Copy-number and fusion calls from the extra files given with a VCF, labelled with the
    VCF's sample when the file names none."""
    from oncoboard import io
    from oncoboard.genomics.segments import map_segments

    copy_numbers: list[CopyNumberCall] = []
    fusions: list[FusionCall] = []
    if extras["segments"] is not None:
        if build is None:
            raise OncoboardError(
                f"{extras['segments']}: segments need a genome build; give --build"
            )
        copy_numbers += map_segments(io.read_segments(extras["segments"]), build).calls
    if extras["cna"] is not None:
        copy_numbers += io.read_gene_cna(extras["cna"])
    if extras["fusions"] is not None:
        fusions += io.read_fusions(extras["fusions"])
    copy_numbers = [
        c if c.sample else c.model_copy(update={"sample": sample}) for c in copy_numbers
    ]
    fusions = [f if f.sample else f.model_copy(update={"sample": sample}) for f in fusions]
    return copy_numbers, fusions


def _annotate(
    path: Path,
    fmt: str,
    *,
    sample: str | None,
    build: GenomeBuild | None,
    specimen: SpecimenType | None,
    panel_size: float | None,
    case_path: Path | None,
    extras: dict[str, Path | None],
) -> tuple[list[SampleAnnotation], dict[str, Any]]:
    from oncoboard import io
    from oncoboard.genomics.pipeline import annotate_calls, annotate_case

    if fmt == "case":
        paths = list(io.find_case_files([path]))
        return [annotate_case(io.load_case(p), name=str(p)) for p in paths], {"format": "case"}
    case = io.load_case(case_path) if case_path else None
    info: dict[str, Any] = {"format": fmt}
    kwargs: dict[str, Any] = {"specimen": specimen, "panel_size_mb": panel_size, "case": case}
    if fmt == "vcf":
        result = io.read_vcf(path, sample=sample, genome_build=build)
        info |= {
            "genome_build": result.genome_build,
            "tumor_sample": result.tumor_sample,
            "normal_sample": result.normal_sample,
            "annotation": result.annotation,
            "filtered_out": result.filtered_out,
        }
        copy_numbers, fusions = _extras(
            extras, result.genome_build or build, result.calls[0].sample if result.calls else sample
        )
        return annotate_calls(result.calls, copy_numbers, fusions, **kwargs), info
    readers = {"maf": io.read_maf, "table": io.read_mutation_table}
    if fmt in readers:
        return annotate_calls(readers[fmt](path, sample=sample), **kwargs), info
    if fmt in ("cbioportal-cna", "gene-cna"):
        reader = io.read_cbioportal_cna if fmt == "cbioportal-cna" else io.read_gene_cna
        return annotate_calls(copy_numbers=reader(path, sample=sample), **kwargs), info
    reader_sv = io.read_cbioportal_sv if fmt == "cbioportal-sv" else io.read_fusions
    return annotate_calls(fusions=reader_sv(path, sample=sample), **kwargs), info


def _sample_table(annotation: SampleAnnotation) -> Table:
    from oncoboard.genomics.findings import FindingKind

    table = Table(title=f"Sample {annotation.sample or '(single sample)'}", title_justify="left")
    for column in (
        "finding",
        "biomarker",
        "therapy / effect",
        "level",
        "ESCAT",
        "context",
        "evidence",
    ):
        table.add_column(column, overflow="fold")
    shown = (
        FindingKind.ACTIONABLE,
        FindingKind.RESISTANCE,
        FindingKind.PROGNOSTIC,
        FindingKind.NOT_ACTIONABLE,
    )
    for finding in annotation.of_kind(*shown):
        if finding.kind is FindingKind.PROGNOSTIC and finding.context_met is False:
            continue  # e.g. a HER2-positive prognostic note for a HER2-negative tumour
        context = {True: "met", False: "NOT met", None: "unknown"}[finding.context_met]
        evidence = ", ".join(
            e.id for e in finding.evidence if e.source.value in ("trial", "fda_label")
        )
        table.add_row(
            finding.kind.value.replace("_", " "),
            finding.biomarker,
            finding.regimen or finding.note or finding.oncogenicity_reason or "",
            finding.level or "",
            finding.escat or "",
            context if finding.entry_id else "",
            evidence,
        )
    return table


def _cohort_table(annotations: list[SampleAnnotation]) -> Table:
    from oncoboard.genomics.findings import FindingKind

    table = Table(title=f"Actionable findings: {len(annotations)} patients", title_justify="left")
    for column in (
        "patient",
        "level 1 (context met)",
        "other levels",
        "resistance",
        "suggested tests",
    ):
        table.add_column(column, overflow="fold")
    for annotation in annotations:
        actionable = annotation.of_kind(FindingKind.ACTIONABLE)
        level1 = sorted(
            {
                f"{f.biomarker} → {' + '.join(f.therapy)}"
                for f in actionable
                if f.level == "1" and f.context_met
            }
        )
        other = sorted(
            {
                f"{f.biomarker} ({f.level})"
                for f in actionable
                if f.level != "1" and f.context_met is not False
            }
        )
        resistance = sorted({f.biomarker for f in annotation.of_kind(FindingKind.RESISTANCE)})
        table.add_row(
            annotation.sample or "",
            "\n".join(level1) or "—",
            ", ".join(other) or "—",
            ", ".join(resistance) or "—",
            "; ".join(s.test for s in annotation.testing_suggestions) or "—",
        )
    return table


def _print_tables(annotations: list[SampleAnnotation], kb_label: str) -> None:
    from oncoboard.genomics.findings import FindingKind

    if len(annotations) > 1:
        out.print(_cohort_table(annotations))
        out.print(
            f"[dim]{kb_label}. Per-patient detail: oncoboard annotate FILE. {DISCLAIMER}[/dim]"
        )
        return
    for annotation in annotations:
        out.print(_sample_table(annotation))
        vus = annotation.of_kind(FindingKind.VUS)
        if vus:
            out.print(
                f"VUS ({len(vus)}): "
                + ", ".join(f.biomarker for f in vus[:20])
                + (" …" if len(vus) > 20 else "")
            )
        if annotation.needs_annotation:
            first = escape("; ".join(annotation.needs_annotation[:3]))
            out.print(
                f"[bold]needs annotation[/bold]: {len(annotation.needs_annotation)} "
                "unannotated calls are not bundled hotspots; annotate the VCF (VEP or "
                f"SnpEff) to interpret them (--json lists all). First: {first}",
                markup=True,
                highlight=False,
            )
        for suggestion in annotation.testing_suggestions:
            out.print(
                f"[bold]suggested test[/bold]: {escape(suggestion.test)} — "
                f"{escape(suggestion.reason)}"
            )
        for note in annotation.notes[:20]:
            out.print(f"note: {note}", markup=False)
        if len(annotation.notes) > 20:
            out.print(f"… {len(annotation.notes) - 20} more notes (--json lists all)")
        if annotation.tmb is not None:
            out.print(f"TMB {annotation.tmb.value:.1f} mut/Mb ({annotation.tmb.rule})")
    out.print(f"[dim]{kb_label}. {DISCLAIMER}[/dim]")


def annotate(
    input_path: Annotated[
        Path, typer.Argument(help="Case file or folder of case files, VCF/BCF, MAF or table.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(_FORMATS)}.")
    ] = "auto",
    sample: Annotated[str | None, typer.Option(help="Sample to annotate.")] = None,
    build: Annotated[GenomeBuild | None, typer.Option(help="Genome build of a VCF.")] = None,
    specimen: Annotated[SpecimenType | None, typer.Option(help="tissue or plasma.")] = None,
    panel_size: Annotated[
        float | None,
        typer.Option("--panel-size", min=0.001, help="Panel size in Mb, to compute TMB."),
    ] = None,
    case_path: Annotated[
        Path | None,
        typer.Option("--case", help="Case file giving clinical context for a lab file."),
    ] = None,
    segments: Annotated[
        Path | None,
        typer.Option(help="With a VCF: copy-number segments of the tumour, mapped to genes."),
    ] = None,
    cna: Annotated[
        Path | None, typer.Option(help="With a VCF: gene-level copy-number table of the tumour.")
    ] = None,
    fusions: Annotated[
        Path | None, typer.Option(help="With a VCF: fusion table of the tumour.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
) -> None:
    """Annotate a case or a lab file with cited findings, levels and testing gaps."""
    from oncoboard.genomics.report import JSON_FORMAT_VERSION
    from oncoboard.knowledge.therapies import knowledge_base

    if fmt not in _FORMATS:
        err.print(f"error: --format must be one of {', '.join(_FORMATS)}, got {fmt!r}")
        raise typer.Exit(2)
    try:
        kind = _detect(input_path) if fmt == "auto" else fmt
        annotations, info = _annotate(
            input_path,
            kind,
            sample=sample,
            build=build,
            specimen=specimen,
            panel_size=panel_size,
            case_path=case_path,
            extras={"segments": segments, "cna": cna, "fusions": fusions},
        )
        kb = knowledge_base()
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if as_json:
        document = {
            "format_version": JSON_FORMAT_VERSION,
            "oncoboard_version": __version__,
            "knowledge_base": {"version": kb.version, "date": kb.date},
            "disclaimer": DISCLAIMER,
            "input": {"path": str(input_path), **info},
            "samples": [a.to_json() for a in annotations],
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    _print_tables(annotations, kb.label)


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(annotate)
