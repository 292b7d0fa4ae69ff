"""The web UI end to end in real headless Chromium against the real app under uvicorn.

A clinician logs in through the form, uploads the mbc-005 demo case, reads its tumor-board
page (ranked options, plots, no horizontal overflow), sees the per-field errors of an
invalid upload and logs out; an analyst is refused the patient page and sees a cohort page
without any patient id. Full-page screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from oncoboard.io import canonical_document, find_case_files, load_case, parse_case, read_document
from oncoboard.planning import plan_case
from tests.conftest import EXAMPLES
from tests.service._browser import ARTIFACTS, USERS, LiveServer, browser, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

__all__ = ["browser", "live_server"]  # fixtures used below

CASE = EXAMPLES / "mbc-005-esr1-serial-ctdna.yaml"
INVALID = """\
schema_version: "1"
synthetic: true
patient:
  id: WEB-BAD
  sex: female
  age_years: -4
primary_diagnosis:
  date: 2020-01-01
  histology: invasive_ductal
"""


def _import(server: LiveServer, path: Path) -> str:
    document = read_document(path)
    case = parse_case(document)
    server.store.import_document(
        case.patient.id,
        canonical_document(case),
        source_name=path.name,
        source_format=document.format,
        source_text=document.text,
    )
    return case.patient.id


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at 1280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _login(page: Page, server: LiveServer, username: str, path: str = "/") -> None:
    page.goto(server.url + path)
    assert "/login" in page.url  # not logged in yet: sent to the form
    if username == "dr.lee" and path == "/upload":
        _shot(page, "web-login.png")
    page.fill("#username", username)
    page.fill("#password", USERS[username][1])
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state("load")


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


@pytest.mark.slow
def test_clinician_uploads_and_reads_the_tumor_board(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    external: list[str] = []
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    _login(page, live_server, "dr.lee", "/upload")
    assert page.url == live_server.url + "/upload"

    page.set_input_files("#case_file", str(CASE))
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.url == live_server.url + "/patients/MBC-005"
    assert page.inner_text("#flash") == "Case created (version 1)."
    assert (
        "decision support for qualified clinicians" in page.inner_text(".site-disclaimer").lower()
    )

    first = plan_case(load_case(CASE)).options[0].name
    options = page.locator("#ob-options li.ob-option")
    assert options.count() >= 1
    assert first in options.first.inner_text()

    plots = page.locator("svg.ob-plot-svg")
    assert plots.count() >= 1
    box = plots.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("svg.ob-plot-svg").first.is_visible()

    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width == 1280
    _shot(page, "web-patient-mbc-005.png")
    href = page.get_attribute("a:has-text('Download HTML')", "href")
    assert href == "/api/v1/patients/MBC-005/report.html?version=1"
    download = page.request.get(live_server.url + href)  # with the session cookie
    assert download.status == 200 and "ob-report" in download.text()
    assert page.get_attribute("a:has-text('Download PDF')", "href") == href.replace("html", "pdf")
    page.set_viewport_size({"width": 600, "height": 900})
    narrow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert narrow[0] <= narrow[1] == 600
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("nav.site-nav a[href='/']")
    page.wait_for_load_state("load")
    assert page.locator("#patients tbody tr", has_text="MBC-005").count() == 1

    bad = tmp_path / "web-bad.yaml"
    bad.write_text(INVALID, encoding="utf-8")
    page.goto(live_server.url + "/upload")
    page.set_input_files("#case_file", str(bad))
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_load_state("load")
    problems = page.locator("#upload-problems tbody tr")
    assert problems.count() == 1
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[0] == "6" and cells[1] == "patient.age_years"
    assert "greater than or equal to 0" in cells[2]
    _shot(page, "web-upload-errors.png")

    page.click("form[action='/logout'] button")
    page.wait_for_load_state("load")
    assert page.url.startswith(live_server.url + "/login")
    page.goto(live_server.url + "/patients/MBC-005")
    assert "/login?next=/patients/MBC-005" in page.url
    assert external == []
    # No CSP violation, no script error; only the invalid upload's 422 answer is logged.
    assert [m for m in console if "status of 422" not in m] == []
    stored = [p.patient_id for p in live_server.store.list_patients()]
    assert "MBC-005" in stored and "WEB-BAD" not in stored  # the invalid case was not stored


@pytest.mark.slow
def test_analyst_sees_only_the_de_identified_cohort(
    live_server: LiveServer, page: Page, browser: Browser
) -> None:
    ids = [_import(live_server, path) for path in find_case_files([EXAMPLES])]
    assert len(ids) == 16
    _login(page, live_server, "ana.lyst")
    assert page.url == live_server.url + "/cohort"
    assert page.locator("#cohort tbody tr").count() == len(ids)
    html = page.content()
    assert [pid for pid in ids if pid in html] == []
    assert page.locator("svg#chart-subtype rect").count() >= 4  # one bar per subtype
    box = page.locator("svg#chart-subtype").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20
    _shot(page, "web-cohort.png")

    response = page.goto(live_server.url + "/patients/MBC-005")
    assert response is not None and response.status == 403
    assert "MBC-005" not in page.inner_text("main")
    assert "Forbidden" in page.inner_text("h1")
    response = page.goto(live_server.url + "/upload")
    assert response is not None and response.status == 403


@pytest.mark.slow
def test_clinician_sees_the_whole_demo_cohort(live_server: LiveServer, page: Page) -> None:
    ids = sorted(_import(live_server, path) for path in find_case_files([EXAMPLES]))
    _login(page, live_server, "dr.lee")
    assert page.url == live_server.url + "/"
    rows = page.locator("#patients tbody tr")
    assert rows.count() == 16
    assert [
        t.split()[0] for t in page.locator("#patients tbody td:first-child").all_inner_texts()
    ] == ids
    assert page.locator("#patients .alert-count").count() >= 1
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width
    _shot(page, "web-patients.png")
    page.click("#patients a[href='/patients/MBC-016']")
    page.wait_for_load_state("load")
    assert page.locator("h1").first.inner_text() == "MBC-016"
    assert page.locator("#ob-alerts .ob-alert").count() >= 1
