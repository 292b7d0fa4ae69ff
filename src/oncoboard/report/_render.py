"""HTML and PDF rendering of a :class:`~oncoboard.report.TumorBoard` (Jinja2, WeasyPrint)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from oncoboard._resources import html_templates
from oncoboard.cli._console import DISCLAIMER
from oncoboard.report._board import TumorBoard
from oncoboard.report._css import REPORT_CSS
from oncoboard.report._plots import Plot, ctdna_plot, spider_plot, timeline_plot, waterfall_plot
from oncoboard.report._prognosis_plot import prognosis_plots

if TYPE_CHECKING:
    from jinja2 import Environment

    from oncoboard.model import Evidence

__all__ = ["IndexRow", "render_html", "render_index", "render_pdf", "render_sections"]


@cache
def _environment() -> Environment:
    env = html_templates("oncoboard.report")
    env.filters["sentence"] = _sentence
    return env


def _sentence(text: str) -> str:
    """First letter upper-cased, the rest kept (``capitalize`` would lower 'PET-CT')."""
    return text[:1].upper() + text[1:]


class References:
    """Citations numbered in order of first use, for compact ``[n]`` marks in crowded tables
    and one full list at the end of the report (each source listed once)."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str, str], int] = {}
        self.entries: list[Evidence] = []

    def number(self, evidence: Evidence) -> int:
        """The number of ``evidence`` (source, id and title; the level is shown where cited)."""
        key = (evidence.source.value, evidence.id, evidence.title)
        if key not in self._numbers:
            self.entries.append(evidence)
            self._numbers[key] = len(self.entries)
        return self._numbers[key]

    def cite(self, items: Sequence[Evidence]) -> list[tuple[int, Evidence]]:
        """``items`` numbered, each number once, in order."""
        cited: dict[int, Evidence] = {}
        for evidence in items:
            cited.setdefault(self.number(evidence), evidence)
        return list(cited.items())


@dataclass(frozen=True, slots=True)
class _Plots:
    spider: Plot | None
    waterfall: Plot | None
    ctdna: Plot | None
    timeline: Plot | None
    prognosis: dict[str, Plot]


def render_sections(board: TumorBoard) -> Markup:
    """The report body as an HTML fragment wrapped in ``<div class="ob-report">``.

    Parameters
    ----------
    board
        The view model from :func:`~oncoboard.report.build_board`.

    Returns
    -------
    markupsafe.Markup
        Every section, with plots inline as SVG; embeddable in another page with
        :data:`~oncoboard.report.REPORT_CSS`.
    """
    plots = _Plots(
        spider=spider_plot(board),
        waterfall=waterfall_plot(board),
        ctdna=ctdna_plot(board),
        timeline=timeline_plot(board),
        prognosis=prognosis_plots(board.plan.prognosis if board.plan else None),
    )
    template = _environment().get_template("sections.html.j2")
    html = template.render(board=board, plots=plots, refs=References())
    return Markup(html)  # rendered with autoescape


def render_html(board: TumorBoard) -> str:
    """A complete, self-contained HTML document (inline CSS and SVG, no external URL)."""
    return (
        _environment()
        .get_template("document.html.j2")
        .render(board=board, css=Markup(REPORT_CSS), sections=render_sections(board))
    )


def render_pdf(board: TumorBoard) -> bytes:
    """The report as an A4 PDF (WeasyPrint), page numbers and disclaimer in the footer."""
    return html_to_pdf(render_html(board))


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained report document to PDF bytes; nothing is fetched."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    raise ValueError(f"the report loads no external resource (asked for {url!r})")


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One line of a folder's ``index.html``."""

    patient_id: str
    subtype: str
    line: str
    href: str
    pdf: str | None = None


def render_index(rows: Sequence[IndexRow]) -> str:
    """A self-contained ``index.html`` linking the reports written for a folder."""
    return (
        _environment()
        .get_template("index.html.j2")
        .render(rows=rows, css=Markup(REPORT_CSS), disclaimer=DISCLAIMER)
    )
