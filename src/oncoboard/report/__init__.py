"""The tumor-board report: one view model, an HTML fragment and document, and a PDF.

:func:`build_board` gathers what the library already derives (summary, annotation, plan,
monitoring); :func:`render_sections` renders it as an embeddable fragment scoped by
``<div class="ob-report">`` (style it with :data:`REPORT_CSS`); :func:`render_html` and
:func:`render_pdf` give a self-contained document and its A4 PDF. Heavy libraries (matplotlib,
Jinja2, WeasyPrint) load when a report is rendered, not on import.
"""

from oncoboard.report._board import (
    AlterationRow,
    BiomarkerRow,
    TherapySpan,
    TumorBoard,
    build_board,
)
from oncoboard.report._css import REPORT_CSS
from oncoboard.report._render import (
    IndexRow,
    render_html,
    render_index,
    render_pdf,
    render_sections,
)

__all__ = [
    "REPORT_CSS",
    "AlterationRow",
    "BiomarkerRow",
    "IndexRow",
    "TherapySpan",
    "TumorBoard",
    "build_board",
    "render_html",
    "render_index",
    "render_pdf",
    "render_sections",
]
