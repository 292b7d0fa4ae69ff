"""``oncoboard cohort report``: the HTML report (and tables) of an annotated cohort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncoboard import __version__
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError

if TYPE_CHECKING:  # polars, lifelines, matplotlib and Jinja2 load when the verb runs
    import polars as pl

__all__ = ["CLINICAL_FORMATS", "TABLE_FORMATS", "load_clinical", "report"]

CLINICAL_FORMATS = ("oncoboard", "metabric", "msk")
TABLE_FORMATS = ("csv", "parquet")


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def load_clinical(path: Path, fmt: str) -> pl.DataFrame:
    """The clinical table of ``path`` in format ``fmt`` (one of :data:`CLINICAL_FORMATS`).

    ``metabric`` takes the folder holding ``metabric_clinical.tsv`` and
    ``metabric_survival.tsv`` (or either file); ``msk`` takes cBioPortal's
    ``breast_msk_2018`` clinical download; ``oncoboard`` takes Oncoboard's clinical TSV.

    Raises
    ------
    OncoboardError
        If the format is unknown or the file cannot be read (file, line and column named).
    """
    from oncoboard.cohort import clinical

    if fmt == "oncoboard":
        return clinical.read_cohort_clinical(path)
    if fmt == "metabric":
        return clinical.metabric_clinical(path if path.is_dir() else path.parent)
    if fmt == "msk":
        return clinical.msk_clinical(path)
    raise OncoboardError(f"--clinical-format: expected one of {CLINICAL_FORMATS}, got {fmt!r}")


def report(
    annotation_dir: Annotated[
        Path, typer.Argument(help="Folder written by `oncoboard cohort annotate`.")
    ],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    clinical_path: Annotated[
        Path | None,
        typer.Option("--clinical", help="Clinical table: subtypes and overall survival."),
    ] = None,
    clinical_format: Annotated[
        str,
        typer.Option(
            "--clinical-format",
            help="oncoboard (Oncoboard's clinical TSV), metabric (folder) or msk.",
        ),
    ] = "oncoboard",
    tables_dir: Annotated[
        Path | None, typer.Option("--tables", help="Also write the report's tables to DIR.")
    ] = None,
    table_format: Annotated[
        str, typer.Option("--table-format", help="csv or parquet (with --tables).")
    ] = "csv",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the tables as JSON on stdout.")
    ] = False,
    title: Annotated[str, typer.Option("--title", help="Title of the page.")] = "Cohort report",
) -> None:
    """Cohort report: evidence-level landscape, altered genes, actionability by subtype,
    oncoprint, therapy eligibility and overall survival, as one self-contained HTML page.

    Exit 1 if the annotation or the clinical table cannot be read or the output cannot be
    written, 2 for an unknown --clinical-format or --table-format.
    """
    if clinical_format not in CLINICAL_FORMATS:
        raise _fail(f"--clinical-format must be one of {', '.join(CLINICAL_FORMATS)}", 2)
    if table_format not in TABLE_FORMATS:
        raise _fail(f"--table-format must be one of {', '.join(TABLE_FORMATS)}", 2)
    if not annotation_dir.is_dir():
        raise _fail(f"{str(annotation_dir)!r}: no such annotation folder", 1)
    from oncoboard.cohort.clinical import METABRIC_NOTES, MSK_NOTES
    from oncoboard.cohort.engine import read_annotation
    from oncoboard.cohort.report import cohort_html, cohort_tables, tables_json, write_tables

    try:
        annotation = read_annotation(annotation_dir)
        clinical = None if clinical_path is None else load_clinical(clinical_path, clinical_format)
    except OncoboardError as exc:
        raise _fail(str(exc), 1) from exc
    inputs = (annotation.findings, annotation.evidence)
    notes = {"metabric": METABRIC_NOTES, "msk": MSK_NOTES}.get(clinical_format, ())
    try:
        html = cohort_html(
            *inputs,
            samples=annotation.samples,
            clinical=clinical,
            title=title,
            kb_version=annotation.kb_version,
            notes=notes if clinical is not None else (),
        )
        out_path.write_text(html, encoding="utf-8")
        tables = None
        if tables_dir is not None or as_json:
            tables = cohort_tables(*inputs, annotation.samples, clinical)
        if tables is not None and tables_dir is not None:
            write_tables(tables, tables_dir, "csv" if table_format == "csv" else "parquet")
    except OSError as exc:
        raise _fail(f"cannot write: {exc}", 1) from exc
    if as_json and tables is not None:
        document = {
            "oncoboard_version": __version__,
            "knowledge_base": annotation.kb_version,
            "disclaimer": DISCLAIMER,
            "tables": tables_json(tables),
        }
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(f"cohort report written to {out_path}", markup=False)
    err.print(DISCLAIMER, style="dim")
