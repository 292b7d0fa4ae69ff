"""The mbc-005 report in real headless Chromium: no horizontal overflow, plots drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.report.conftest import demo_html

ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.slow
def test_mbc_005_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report-mbc-005.html"
    page_file.write_text(demo_html("mbc-005"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri())
            page.screenshot(path=str(ARTIFACTS / "report-mbc-005.png"), full_page=True)
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            sizes = page.evaluate(
                "Array.from(document.querySelectorAll('svg.ob-plot-svg')).map(s => {"
                " const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
            )
            narrow = browser.new_page(viewport={"width": 600, "height": 900})
            narrow.goto(page_file.as_uri())
            narrow_widths = narrow.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
        finally:
            browser.close()
    assert scroll_width <= inner_width
    assert narrow_widths[0] <= narrow_widths[1]
    assert len(sizes) == 5  # prognosis, spider, waterfall, ctDNA, timeline
    assert all(width > 100 and height > 50 for width, height in sizes)
    assert [u for u in requests if not u.startswith("file://")] == []
    assert (ARTIFACTS / "report-mbc-005.png").stat().st_size > 10_000
