"""Typer application: verbs are registered from the modules of this package."""

from __future__ import annotations

import typer

from oncoboard.cli import (
    _annotate,
    _cases,
    _cohort,
    _imaging,
    _monitor,
    _mrd,
    _plan,
    _report,
    _serve,
    _store,
    _users,
)
from oncoboard.cli._console import DISCLAIMER

__all__ = ["app", "main"]


app = typer.Typer(
    name="oncoboard",
    help=f"Oncoboard: metastatic breast cancer tumor-board support. {DISCLAIMER}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
_cases.register(app)
_store.register(app)
_annotate.register(app)
_plan.register(app)
_monitor.register(app)
_mrd.register(app)
_imaging.register(app)
_report.register(app)
_users.register(app)
_serve.register(app)
_cohort.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
