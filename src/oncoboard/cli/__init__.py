"""The ``oncoboard`` command line (Typer + Rich)."""

from oncoboard.cli._app import app, main

__all__ = ["app", "main"]
