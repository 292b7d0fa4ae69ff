"""``oncoboard report``: the tumor-board report of a case (HTML or PDF), or of a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from oncoboard.cli._console import DISCLAIMER, err, out
from oncoboard.errors import OncoboardError

if TYPE_CHECKING:  # the report stack (matplotlib, Jinja2, WeasyPrint) loads when the verb runs
    from oncoboard.report import IndexRow

__all__ = ["register"]

_HTML = (".html", ".htm")
_PDF = (".pdf",)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def _render_one(
    case_path: Path, as_of: dt.date | None, html: Path | None, pdf: Path | None
) -> IndexRow:
    """Write the report(s) of one case file; raises OncoboardError on an unreadable case."""
    from oncoboard.io import load_case
    from oncoboard.report import IndexRow, build_board, render_html
    from oncoboard.report._render import html_to_pdf

    board = build_board(load_case(case_path), as_of=as_of)
    document = render_html(board)
    if html is not None:
        html.write_text(document, encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(html_to_pdf(document))
    return IndexRow(
        patient_id=board.patient_id,
        subtype=board.summary.subtype.label,
        line=str(board.summary.line.number),
        href=html.name if html is not None else "",
        pdf=pdf.name if pdf is not None else None,
    )


def _report_folder(folder: Path, out_dir: Path, as_of: dt.date | None, with_pdf: bool) -> int:
    from oncoboard.io import find_case_files
    from oncoboard.report import render_index

    if out_dir.suffix.lower() in _HTML + _PDF or out_dir.is_file():
        raise _fail(f"with a folder of cases, --out must be a directory, not {str(out_dir)!r}", 2)
    paths = list(find_case_files([folder]))
    if not paths:
        raise _fail(f"no case files (.yaml, .yml, .json) in {str(folder)!r}", 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[IndexRow] = []
    failed = 0
    with Progress(
        TextColumn("reporting"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=len(paths) < 2,
    ) as progress:
        task = progress.add_task("report", total=len(paths))
        for path in paths:
            try:
                from oncoboard.io import load_case

                patient_id = load_case(path).patient.id
                stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in patient_id)
                rows.append(
                    _render_one(
                        path,
                        as_of,
                        out_dir / f"{stem}.html",
                        out_dir / f"{stem}.pdf" if with_pdf else None,
                    )
                )
            except OncoboardError as exc:
                failed += 1
                message = str(exc)
                named = message if str(path) in message else f"{path}: {message}"
                err.print(f"error: {named}", markup=False)
            progress.advance(task)
    (out_dir / "index.html").write_text(render_index(rows), encoding="utf-8")
    out.print(f"{len(rows)} report(s) written to {out_dir} (index.html)", markup=False)
    return failed


def report(
    case_path: Annotated[Path, typer.Argument(help="Case file (YAML/JSON) or a folder of them.")],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="FILE.html or FILE.pdf; with a folder of cases, a directory."
        ),
    ],
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Report as on this date: later results, lines and events are not seen.",
        ),
    ] = None,
    with_pdf: Annotated[
        bool, typer.Option("--pdf", help="With a folder: also write a PDF per case.")
    ] = False,
) -> None:
    """Tumor-board report: summary, biomarkers, alterations, options, response, ctDNA, alerts.

    Writes a self-contained HTML document (inline CSS and plots) or an A4 PDF. With a folder of
    cases, writes one <patient_id>.html (and .pdf with --pdf) per case and an index.html.
    Exit 1 if a case cannot be read, 2 for an unknown output extension.
    """
    date = as_of.date() if as_of is not None else None
    if case_path.is_dir():
        failed = _report_folder(case_path, out_path, date, with_pdf)
        err.print(DISCLAIMER, style="dim")
        if failed:
            raise typer.Exit(1)
        return
    suffix = out_path.suffix.lower()
    if suffix not in _HTML + _PDF:
        raise _fail(
            f"--out {str(out_path)!r}: unknown extension {suffix or '(none)'!r}; use .html or .pdf",
            2,
        )
    if not case_path.is_file():
        raise _fail(f"{str(case_path)!r}: no such case file", 1)
    try:
        _render_one(
            case_path,
            date,
            out_path if suffix in _HTML else None,
            out_path if suffix in _PDF else None,
        )
    except OncoboardError as exc:
        message = str(exc)
        named = message if str(case_path) in message else f"{case_path}: {message}"
        raise _fail(named, 1) from exc
    except OSError as exc:
        raise _fail(f"cannot write {str(out_path)!r}: {exc.strerror}", 1) from exc
    out.print(f"report written to {out_path}", markup=False)
    err.print(DISCLAIMER, style="dim")


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(report)
