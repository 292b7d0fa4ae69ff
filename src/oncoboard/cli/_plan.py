"""``oncoboard plan``: ranked, cited treatment options for a case or a folder of cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oncoboard import __version__
from oncoboard.cli._console import err, out
from oncoboard.errors import OncoboardError

if TYPE_CHECKING:  # the planner is imported when the verb runs, not at start-up
    from oncoboard.planning import TreatmentPlan

__all__ = ["register"]


def _parse_as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print(f"error: --as-of must be a date YYYY-MM-DD, got {value!r}", markup=False)
        raise typer.Exit(2) from None


def _plan_all(input_path: Path, as_of: dt.date | None) -> list[TreatmentPlan]:
    """Plan every case; every unreadable case is reported before exiting 1."""
    from oncoboard.io import find_case_files, load_case
    from oncoboard.planning import plan_case

    paths = list(find_case_files([input_path]))
    if not paths:
        err.print(f"error: {input_path}: no case files (.yaml, .yml or .json)", markup=False)
        raise typer.Exit(1)
    plans: list[TreatmentPlan] = []
    failed = False
    for path in paths:
        try:
            plans.append(plan_case(load_case(path), as_of=as_of))
        except OncoboardError as exc:
            failed = True
            err.print(f"error: {exc}", markup=False)
    if failed:
        raise typer.Exit(1)
    return plans


def _document(input_path: Path, plans: list[TreatmentPlan]) -> dict[str, Any]:
    from oncoboard.planning import DISCLAIMER, PLAN_FORMAT_VERSION

    return {
        "format_version": PLAN_FORMAT_VERSION,
        "oncoboard_version": __version__,
        "disclaimer": DISCLAIMER,
        "knowledge_versions": dict(plans[0].knowledge_versions),
        "input": {"path": str(input_path)},
        "plans": [plan.model_dump(mode="json") for plan in plans],
    }


def plan(
    input_path: Annotated[
        Path, typer.Argument(help="Case file (.yaml/.yml/.json) or folder of case files.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print stable JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Plan as of this date."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Detail every option, not only the first three.")
    ] = False,
) -> None:
    """Rank cited treatment options for the next line, with the options set aside and why."""
    from oncoboard.cli._plan_render import print_cohort, print_plan

    date = _parse_as_of(as_of)
    plans = _plan_all(input_path, date)
    if as_json:
        document = _document(input_path, plans)
        out.file.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    if input_path.is_dir():
        print_cohort(plans)
        return
    for treatment_plan in plans:
        print_plan(treatment_plan, detail=None if show_all else 3)


def register(app: typer.Typer) -> None:
    """Add this module's verb to ``app``."""
    app.command()(plan)
