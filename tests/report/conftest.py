"""Shared fixtures of the report tests: the demo cases, their boards and HTML, built once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from oncoboard.io import load_case
from oncoboard.model import Case
from oncoboard.report import TumorBoard, build_board, render_html
from tests.conftest import EXAMPLES

CASES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".json"})


def case_path(prefix: str) -> Path:
    """The demo case file whose name starts with ``prefix`` (e.g. ``mbc-005``)."""
    return next(p for p in CASES if p.name.startswith(prefix))


@cache
def demo_case(prefix: str) -> Case:
    """The parsed demo case ``prefix``."""
    return load_case(case_path(prefix))


@cache
def demo_board(prefix: str) -> TumorBoard:
    """The tumor board of demo case ``prefix`` (built once per test session)."""
    return build_board(demo_case(prefix))


@cache
def demo_html(prefix: str) -> str:
    """The self-contained HTML report of demo case ``prefix``."""
    return render_html(demo_board(prefix))
