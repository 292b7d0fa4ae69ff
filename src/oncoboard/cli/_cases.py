"""Verbs on case files: ``schema`` and ``validate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from oncoboard.cli._console import err, out
from oncoboard.errors import CaseFileError
from oncoboard.io import find_case_files, load_case
from oncoboard.io.schema_doc import case_format_markdown
from oncoboard.model import Case

__all__ = ["register"]


def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the Markdown reference (docs/case-format.md).")
    ] = False,
) -> None:
    """Print the JSON Schema of case files (or its Markdown reference)."""
    if markdown:
        out.file.write(case_format_markdown())
        return
    out.file.write(json.dumps(Case.model_json_schema(), indent=2, ensure_ascii=False) + "\n")


def validate(
    files: Annotated[list[Path], typer.Argument(help="Case files (.yaml/.yml/.json) or folders.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Validate case files; print each problem as FILE:LINE: field.path: message.

    Exits 0 when every file is valid and 1 otherwise.
    """
    paths = list(find_case_files(files))
    if not paths:
        err.print("error: no case files given (.yaml, .yml or .json)")
        raise typer.Exit(1)
    invalid = 0
    for path in paths:
        try:
            load_case(path)
        except CaseFileError as exc:
            invalid += 1
            for problem in exc.problems:
                err.print(str(problem), markup=False)
    if not quiet:
        valid = len(paths) - invalid
        err.print(f"{valid} of {len(paths)} case file(s) valid")
    if invalid:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's verbs to ``app``."""
    app.command()(schema)
    app.command()(validate)
