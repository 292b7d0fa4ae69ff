"""Shared Rich consoles: results to stdout, problems and progress to stderr."""

from __future__ import annotations

from rich.console import Console

__all__ = ["DISCLAIMER", "err", "out"]

DISCLAIMER = "Decision support for qualified clinicians; it does not replace clinical judgement."

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
