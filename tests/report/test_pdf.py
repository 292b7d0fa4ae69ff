"""The PDF report (WeasyPrint): A4 pages, footer, and no box wider than the page content."""

from __future__ import annotations

from typing import Any

import pytest

from oncoboard.report import render_pdf
from tests.report.conftest import demo_board, demo_html

RICH = ("mbc-005", "mbc-014", "mbc-008")  # serial ctDNA + imaging, PET-CT, brain (RANO-BM)
TOLERANCE_PT = 1.0


def _render(html: str) -> Any:
    from weasyprint import HTML

    return HTML(string=html).render()


def _overflowing(document: Any) -> list[tuple[int, str, float, float]]:
    """Boxes whose right border edge passes the right edge of the page content area."""
    problems: list[tuple[int, str, float, float]] = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        limit = page_box.content_box_x() + page_box.width + TOLERANCE_PT
        for box in page_box.descendants():
            if box is page_box or type(box).__name__.endswith("MarginBox"):
                continue
            if getattr(box, "width", None) is None or box.position_x is None:
                continue
            right = box.border_box_x() + box.border_width()
            if right > limit:
                tag = getattr(box, "element_tag", "") or type(box).__name__
                problems.append((number, tag, right, limit))
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("prefix", RICH)
def test_rich_reports_fit_the_page_width(prefix: str) -> None:
    document = _render(demo_html(prefix))
    assert len(document.pages) >= 2
    assert _overflowing(document) == []


def test_overflow_check_catches_a_wide_table() -> None:
    html = (
        "<html><body><table style='width:260mm'><tr><td>wide</td></tr></table>"
        "<p>" + "x" * 400 + "</p></body></html>"
    )
    assert _overflowing(_render(html)) != []


@pytest.mark.slow
def test_pdf_bytes_have_pages_and_the_footer() -> None:
    pdf = render_pdf(demo_board("mbc-005"))
    assert pdf.startswith(b"%PDF")
    document = _render(demo_html("mbc-005"))
    assert len(document.pages) >= 2
    first = document.pages[0]._page_box
    margin_text = " ".join(
        _text(box) for box in first.descendants() if type(box).__name__.endswith("MarginBox")
    )
    assert "Decision support for qualified clinicians" in margin_text
    assert "Page 1 of" in margin_text
    # A4: 210 x 297 mm at 96 px/in.
    assert first.margin_width() == pytest.approx(210 / 25.4 * 96, abs=1)


def _text(box: Any) -> str:
    if hasattr(box, "text"):
        return str(box.text)
    return "".join(_text(child) for child in getattr(box, "children", ()))
