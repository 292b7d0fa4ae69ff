"""``oncoboard cohort``: annotate a whole cohort (local or Dask) and report on it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from oncoboard import __version__
from oncoboard.cli._cohort_report import CLINICAL_FORMATS, _fail, load_clinical, report
from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError
from oncoboard.model import SpecimenType

__all__ = ["register"]

ENGINES = ("local", "dask")


def _summary_table(counts: dict[str, Any], seconds: float) -> Table:
    table = Table(title="Oncoboard cohort annotation", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    samples = counts["samples"] or 1
    rows = [
        ("samples", f"{counts['samples']:,}"),
        ("variant rows", f"{counts['rows']:,}"),
        ("alterations interpreted", f"{counts['alterations']:,}"),
        ("rows not interpreted (filtered, unparsable, no gene)", f"{counts['not_interpreted']:,}"),
        ("findings", f"{counts['findings']:,}"),
        *(
            (f"  {kind.replace('_', ' ')}", f"{n:,}")
            for kind, n in counts["findings_by_kind"].items()
        ),
        (
            "samples with a level 1-2 actionable finding",
            f"{counts['samples_with_level_1_2']:,} "
            f"({100 * counts['samples_with_level_1_2'] / samples:.1f}%)",
        ),
        ("knowledge base", counts["knowledge_base"]),
        ("engine", counts["engine"]),
        ("seconds", f"{seconds:.1f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def annotate(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="MAF files (plain or .gz), Parquet files, or folders of them."),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the tables (replaced as a whole).")
    ],
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address; default: a local cluster."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Workers of the local Dask cluster.")
    ] = 2,
    clinical_path: Annotated[
        Path | None,
        typer.Option("--clinical", help="Clinical table: its subtype is checked as context."),
    ] = None,
    clinical_format: Annotated[
        str, typer.Option("--clinical-format", help="oncoboard, metabric (folder) or msk.")
    ] = "oncoboard",
    specimen: Annotated[
        SpecimenType | None,
        typer.Option("--specimen", help="Specimen of every sample (tissue, plasma, ...)."),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=0,
            help="Local engine: helper processes for many distinct variants "
            "(default: one per core beyond the first; 0: none).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run's summary as JSON on stdout.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Annotate every sample of a cohort MAF exactly as `oncoboard annotate` annotates one,
    in columns (local engine) or on a Dask cluster; writes findings, samples, notes and
    evidence as Parquet plus manifest.json into --out.

    Exit 1 if an input or the clinical table cannot be read (file, line and column named;
    nothing is written), 2 for an unknown --engine or --clinical-format.
    """
    if engine not in ENGINES:
        raise _fail(f"--engine must be one of {', '.join(ENGINES)}", 2)
    if clinical_format not in CLINICAL_FORMATS:
        raise _fail(f"--clinical-format must be one of {', '.join(CLINICAL_FORMATS)}", 2)
    from oncoboard.cohort._keys import helper_count
    from oncoboard.cohort.engine import annotate_cohort_to

    start = time.perf_counter()
    try:
        clinical = None if clinical_path is None else load_clinical(clinical_path, clinical_format)
        counts = annotate_cohort_to(
            inputs,
            out_dir,
            engine="dask" if engine == "dask" else "local",
            scheduler=scheduler,
            workers=workers,
            clinical=clinical,
            specimen=specimen,
            progress=progress and not as_json,
            processes=helper_count() if processes is None else processes,
        )
    except OncoboardError as exc:
        raise _fail(str(exc), 1) from exc
    except OSError as exc:
        raise _fail(f"cannot write {out_dir}: {exc}", 1) from exc
    seconds = time.perf_counter() - start
    if as_json:
        document = {
            "oncoboard_version": __version__,
            "out": str(out_dir),
            "seconds": round(seconds, 3),
            **counts,
            "disclaimer": DISCLAIMER,
        }
        out.file.write(json.dumps(document, indent=2) + "\n")
    else:
        out.print(_summary_table(counts, seconds))
        out.print(f"tables written to {out_dir}", markup=False)
    err.print(DISCLAIMER, style="dim")


def export_cbioportal(
    cases: Annotated[
        list[Path], typer.Argument(help="Case files (.yaml/.yml/.json) or folders of them.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Study folder (replaced as a whole).")
    ],
    study_id: Annotated[
        str, typer.Option("--study-id", help="cancer_study_identifier of the study.")
    ] = "oncoboard_mbc",
    name: Annotated[str | None, typer.Option("--name", help="Study name.")] = None,
    deidentify: Annotated[
        bool,
        typer.Option(
            "--deidentify",
            help="De-identify each case first (pseudonymous ids, shifted dates, free text "
            "removed; secret from ONCOBOARD_DEID_SECRET).",
        ),
    ] = False,
) -> None:
    """Export cases as a cBioPortal study: clinical patient and sample files, mutations (MAF),
    discrete copy number, structural variants, timelines (treatments, imaging with RECIST,
    ctDNA and tumour markers, specimens, status) and case lists; then check the folder
    against cBioPortal's file-format rules.

    With --deidentify, every case goes through `oncoboard.io.deidentify` (HIPAA Safe
    Harbor style) before the export; timelines are in days from diagnosis either way.

    Exit 1 if a case cannot be read, the secret is missing, or the study breaks a format
    rule (nothing is written for an unreadable case).
    """
    from oncoboard.io.case_file import find_case_files, load_case
    from oncoboard.io.cbioportal_study import build_study, check_study, write_study
    from oncoboard.io.deidentify import deidentify_case, secret_from_env

    paths = list(find_case_files(cases))
    if not paths:
        raise _fail("no case files given (.yaml, .yml or .json)", 1)
    try:
        loaded = [load_case(path) for path in paths]
        if deidentify:
            secret = secret_from_env()
            loaded = [deidentify_case(case, secret=secret).case for case in loaded]
        study = build_study(loaded, study_id=study_id, **({"name": name} if name else {}))
        files = write_study(study, out_dir)
    except OncoboardError as exc:
        raise _fail(str(exc), 1) from exc
    except OSError as exc:
        raise _fail(f"cannot write {out_dir}: {exc}", 1) from exc
    problems = check_study(out_dir)
    for problem in problems:
        err.print(f"format rule: {problem}", markup=False)
    out.print(
        f"{len(study.patients.rows)} patients, {len(study.samples.rows)} samples, "
        f"{len(study.mutations.rows)} mutations, {len(files)} files in {out_dir}",
        markup=False,
    )
    err.print(DISCLAIMER, style="dim")
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``cohort`` command group to ``app``."""
    group = typer.Typer(
        name="cohort",
        help=f"Cohort scale: annotate thousands of samples, then report. {DISCLAIMER}",
        no_args_is_help=True,
    )
    group.command("annotate")(annotate)
    group.command("report")(report)
    group.command("export-cbioportal")(export_cbioportal)
    app.add_typer(group)
