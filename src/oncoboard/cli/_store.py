"""Verbs on the case store: ``import``, ``list``, ``show``, ``export`` and ``audit``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.cli._render import audit_table, case_panel, cohort_table
from oncoboard.derive import summarize
from oncoboard.errors import CaseFileError, OncoboardError
from oncoboard.io import (
    CaseDocument,
    canonical_document,
    dump_case,
    find_case_files,
    parse_case,
    read_document,
)
from oncoboard.model import Case

if TYPE_CHECKING:
    from oncoboard.store import Store

__all__ = ["register"]

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="ONCOBOARD_DATABASE_URL",
        show_envvar=True,
        help="SQLAlchemy URL; default: SQLite file in the user data directory.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print stable JSON instead of tables.")]
AssumeDateOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--assume-date",
        formats=["%Y-%m-%d"],
        help="FHIR bundles: date given to resources that carry none (each use is reported).",
    ),
]
SkipInvalidOption = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="FHIR bundles: skip (and report) resources that are not valid FHIR R4.",
    ),
]
VersionOption = Annotated[
    int | None, typer.Option("--version", "-v", min=1, help="Version (default: latest).")
]


@contextmanager
def _store(url: str | None) -> Iterator[Store]:
    """Open the store; turn Oncoboard errors into a message on stderr and exit code 2."""
    from oncoboard.store import Store

    try:
        with Store.open(url) as store:
            yield store
    except OncoboardError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from exc


def _read(path: Path, assume: dt.datetime | None, skip_invalid: bool) -> tuple[Case, CaseDocument]:
    """A case file, or a FHIR R4 Bundle (JSON with resourceType Bundle; skipped resources and
    import notes go to stderr)."""
    document = read_document(path)
    if document.format != "json" or not _is_bundle(document.data):
        return parse_case(document), document
    from oncoboard.io.fhir import read_fhir_bundle

    result = read_fhir_bundle(
        document.data,
        assume_date=assume.date() if assume else None,
        skip_invalid=skip_invalid,
        name=str(path),
    )
    for skipped in result.skipped:
        err.print(f"{path}: skipped {skipped}", markup=False)
    for note in result.notes:
        err.print(f"{path}: note: {note}", markup=False)
    return result.case, document


def _is_bundle(data: object) -> bool:
    return isinstance(data, dict) and data.get("resourceType") == "Bundle"


def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Case files (.yaml/.yml/.json), FHIR R4 Bundles (.json) or folders."),
    ],
    database_url: DatabaseOption = None,
    assume_date: AssumeDateOption = None,
    skip_invalid: SkipInvalidOption = False,
) -> None:
    """Validate and import case files or FHIR R4 (mCODE) Bundles; each file is one transaction.

    Re-importing an unchanged document changes nothing; a changed document becomes a new
    version and earlier versions stay readable. Resources of a bundle that do not reach the
    case are listed on stderr with their id and the reason. Exits 1 if any file was rejected.
    """
    paths = list(find_case_files(files))
    if not paths:
        err.print("error: no case files given (.yaml, .yml or .json)")
        raise typer.Exit(1)
    outcomes: dict[str, int] = {"created": 0, "new_version": 0, "unchanged": 0, "rejected": 0}
    with (
        _store(database_url) as store,
        Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
            disable=len(paths) < 2,
        ) as progress,
    ):
        task = progress.add_task("import", total=len(paths))
        for path in paths:
            try:
                case, document = _read(path, assume_date, skip_invalid)
            except CaseFileError as exc:
                outcomes["rejected"] += 1
                for problem in exc.problems:
                    err.print(str(problem), markup=False)
                progress.advance(task)
                continue
            result = store.import_document(
                case.patient.id,
                canonical_document(case),
                source_name=str(path),
                source_format=document.format,
                source_text=document.text,
            )
            outcomes[result.outcome] += 1
            out.print(
                f"{path}: {result.outcome.replace('_', ' ')} (version {result.version})",
                markup=False,
            )
            progress.advance(task)
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in outcomes.items())
    err.print(f"{len(paths)} file(s): {summary}")
    if outcomes["rejected"]:
        raise typer.Exit(1)


def list_(database_url: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """List stored patients with subtype, HER2, line of therapy and metastatic sites."""
    with _store(database_url) as store:
        patients = store.list_patients()
    rows = [(p, summarize(Case.model_validate(p.document))) for p in patients]
    if as_json:
        payload = [
            {
                "version": p.latest_version,
                "n_versions": p.n_versions,
                "updated_at": p.updated_at.isoformat(),
                **s.to_json(),
            }
            for p, s in rows
        ]
        out.print_json(json.dumps({"disclaimer": DISCLAIMER, "patients": payload}))
        return
    out.print(cohort_table(rows))
    out.print(f"[dim]{DISCLAIMER}[/dim]")


def show(
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    version: VersionOption = None,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one patient's case (latest version unless --version) with derived status."""
    with _store(database_url) as store:
        stored = store.get(patient_id, version)
        versions = store.versions(patient_id)
    case = Case.model_validate(stored.document)
    summary = summarize(case)
    if as_json:
        payload: dict[str, Any] = {
            "disclaimer": DISCLAIMER,
            "patient_id": stored.patient_id,
            "version": stored.version,
            "n_versions": len(versions),
            "imported_at": stored.imported_at.isoformat(),
            "sha256": stored.sha256,
            "source_name": stored.source_name,
            "derived": summary.to_json(),
            "case": stored.document,
        }
        out.print_json(json.dumps(payload))
        return
    out.print(case_panel(case, summary, stored.version, len(versions)))
    out.print(f"[dim]{DISCLAIMER}[/dim]")


_EXPORT_FORMATS = ("yaml", "json", "fhir", "phenopacket", "original")


def export(
    patient_id: Annotated[str, typer.Argument(help="Patient id.")],
    version: VersionOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="yaml, json, fhir (FHIR R4 mCODE Bundle), phenopacket (GA4GH Phenopacket v2 "
            "JSON), or original (the imported bytes).",
        ),
    ] = "yaml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
    deidentify: Annotated[
        bool,
        typer.Option(
            "--deidentify",
            help="De-identify first (pseudonymous ids, shifted dates, free text removed, 90+; "
            "secret from ONCOBOARD_DEID_SECRET). Not with --format original.",
        ),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Export a stored case as a case file (round trip file → store → file is lossless), as a
    FHIR R4 mCODE Bundle (what mCODE cannot carry is left out: docs/interop.md) or as a GA4GH
    Phenopacket (docs/interop-research.md); --deidentify for research exports."""
    if fmt not in _EXPORT_FORMATS:
        err.print(f"error: --format must be one of {', '.join(_EXPORT_FORMATS)}, got {fmt!r}")
        raise typer.Exit(2)
    if deidentify and fmt == "original":
        err.print("error: --deidentify cannot apply to --format original (the imported bytes)")
        raise typer.Exit(2)
    with _store(database_url) as store:
        stored = store.get(patient_id, version, action="export")
    if fmt == "original":
        text = stored.source_text
    else:
        case = Case.model_validate(stored.document)
        if deidentify:
            from oncoboard.io.deidentify import deidentify_case, secret_from_env

            try:
                case = deidentify_case(case, secret=secret_from_env()).case
            except OncoboardError as exc:
                err.print(f"error: {exc}", markup=False)
                raise typer.Exit(1) from exc
        text = _export_text(case, fmt)
    if output is None:
        out.file.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


def _export_text(case: Case, fmt: str) -> str:
    if fmt == "fhir":
        from oncoboard.io.fhir import case_to_fhir

        return json.dumps(case_to_fhir(case), indent=2, ensure_ascii=False) + "\n"
    if fmt == "phenopacket":
        from oncoboard.io.phenopackets import phenopacket_json

        return phenopacket_json(case) + "\n"
    return dump_case(case, "json" if fmt == "json" else "yaml")


def audit(
    limit: Annotated[int, typer.Option(min=1, help="Most recent events to show.")] = 50,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the audit trail: who imported, listed, showed or exported which case, and when."""
    with _store(database_url) as store:
        events = store.audit_events(limit)
    if as_json:
        payload = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "patient_id": e.patient_id,
                "version": e.version,
                "outcome": e.outcome,
            }
            for e in events
        ]
        out.print_json(json.dumps(payload))
        return
    out.print(audit_table(events))


def register(app: typer.Typer) -> None:
    """Add this module's verbs to ``app``."""
    app.command("import")(import_)
    app.command("list")(list_)
    app.command()(show)
    app.command()(export)
    app.command()(audit)
