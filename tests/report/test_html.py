"""The HTML report of the demo cases: sections, gaps, tables, plots, self-containment."""

from __future__ import annotations

import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from oncoboard.cli._console import DISCLAIMER
from oncoboard.model import Case
from oncoboard.planning import plan_case
from oncoboard.report import REPORT_CSS, build_board, render_html, render_sections
from tests.conftest import CaseBuilder
from tests.report.conftest import CASES, demo_board, demo_case, demo_html

SECTIONS = (
    "ob-summary",
    "ob-biomarkers",
    "ob-alterations",
    "ob-options",
    "ob-immunotherapy",
    "ob-response",
    "ob-ctdna",
    "ob-timeline",
    "ob-alerts",
    "ob-testing",
    "ob-references",
    "ob-versions",
)


class _Resources(HTMLParser):
    """Collect every tag name and every URL-bearing attribute of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "srcset", "poster", "data", "action"}:
                self.urls.append(value or "")
            if name == "style" and value:
                self.styles.append(value)

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def _resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name[:7])
def test_every_demo_case_renders_all_sections(path: Path) -> None:
    prefix = path.name[:7]
    html = demo_html(prefix)
    assert html.startswith("<!DOCTYPE html>")
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    board = demo_board(prefix)
    assert board.patient_id in html  # the report is for the treating team
    # The disclaimer is at the top, before the first section.
    assert html.index(DISCLAIMER) < html.index('id="ob-summary"')
    assert "decision support for qualified clinicians" in html.lower()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name[:7])
def test_html_is_self_contained(path: Path) -> None:
    html = demo_html(path.name[:7])
    found = _resources(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & found.tags
    external = [u for u in found.urls if re.match(r"\s*(https?:)?//", u, re.I)]
    assert external == []
    for style in found.styles:
        assert "@import" not in style
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", style, re.I)
    # The only http(s) strings left are XML namespace names of the inline SVGs (never loaded).
    leftovers = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert leftovers <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_untested_biomarkers_say_not_tested_and_tested_ones_show_the_value() -> None:
    board = demo_board("mbc-016")  # no PD-L1, Ki-67, TMB or MSI in this case
    rows = {b.name: b for b in board.biomarkers}
    for name in ("PD-L1", "Ki-67", "TMB", "MSI"):
        assert rows[name].tested is False
        assert rows[name].value == "not tested"
        assert rows[name].date is None
    assert rows["ER"].tested and rows["ER"].date is not None
    html = demo_html("mbc-016")
    untested = re.findall(
        r'<tr class="ob-untested"><td>([^<]+)</td><td><span class="ob-not-tested">not tested',
        html,
    )
    assert {"PD-L1", "Ki-67", "TMB", "MSI"} <= set(untested)
    # A case with PD-L1 shows its value and date instead.
    pdl1 = [b for b in demo_board("mbc-010").biomarkers if b.name == "PD-L1"]
    assert pdl1 and all(b.tested and b.date is not None and "CPS" in b.value for b in pdl1)


def _table(html: str, css_class: str) -> str:
    match = re.search(rf'<table class="ob-alterations {css_class}">(.*?)</table>', html, re.S)
    assert match is not None, css_class
    return match.group(1)


def test_alterations_table_separates_tissue_and_plasma() -> None:
    case: Case = demo_case("mbc-016")
    board = demo_board("mbc-016")
    expected = {
        (r.specimen_type.value, v.gene, v.hgvs_p) for r in case.genomic_reports for v in r.variants
    }
    assert {("tissue", a.gene, a.alteration) for a in board.tissue_alterations} == {
        e for e in expected if e[0] == "tissue"
    }
    assert {("plasma", a.gene, a.alteration) for a in board.plasma_alterations} == {
        e for e in expected if e[0] == "plasma"
    }
    assert board.tissue_alterations and board.plasma_alterations
    html = demo_html("mbc-016")
    tissue, plasma = _table(html, "ob-tissue"), _table(html, "ob-plasma")
    for row in board.plasma_alterations:
        assert row.report_id in plasma and row.report_id not in tissue
        if row.vaf is not None:
            assert f"{row.vaf * 100:.1f}%" in plasma
    for row in board.tissue_alterations:
        assert row.report_id in tissue and row.report_id not in plasma


def test_alterations_carry_level_and_verified_evidence() -> None:
    board = demo_board("mbc-005")
    esr1 = [a for a in board.plasma_alterations if a.gene == "ESR1"]
    assert esr1 and all(a.levels and a.evidence for a in esr1)
    assert any(e.id.startswith("NCT") for a in esr1 for e in a.evidence)
    html = demo_html("mbc-005")
    assert "NCT03778931" in html and "verified" in html


def test_table_citations_point_to_one_reference_list_with_each_source_once() -> None:
    board = demo_board("mbc-005")
    html = demo_html("mbc-005")
    plasma = _table(html, "ob-plasma")
    references = html[html.index('<section id="ob-references">') :]
    references = references[: references.index("</section>")]
    entries = dict(re.findall(r'<li id="ob-ref-(\d+)">(.*?)</li>', references))
    marks = re.findall(r'href="#ob-ref-(\d+)"', plasma)
    assert marks and set(marks) <= set(entries)
    # every citation of the table is listed with its source, id and title, and only once
    cited = {(e.source.value, e.id, e.title) for a in board.plasma_alterations for e in a.evidence}
    listed = [unescape(re.sub(r"<[^>]+>", "", text)) for text in entries.values()]
    for source, id_, title in cited:
        assert sum(f"{source}: {id_} — {title} —" in text for text in listed) == 1
    # the table cell itself no longer repeats the full evidence list
    assert '<ul class="ob-evidence">' not in plasma


def test_case_without_tissue_report_says_so() -> None:
    html = demo_html("mbc-005")  # plasma reports only
    assert "No tissue alterations reported." in html


@pytest.mark.parametrize("prefix", ["mbc-005", "mbc-012", "mbc-002"])
def test_options_are_in_the_planner_ranking(prefix: str) -> None:
    plan = plan_case(demo_case(prefix))
    ranking = [o.regimen_id for o in plan.options]
    html = demo_html(prefix)
    shown = re.findall(r'<li class="ob-option" data-regimen="([^"]+)"', html)
    assert shown == ranking and ranking
    for option in plan.options:
        assert f"{option.rank}. {option.name}" in html.replace("&#39;", "'").replace("&amp;", "&")
    for excluded in plan.excluded:
        assert excluded.reasons[0].split(" (")[0].replace("&", "&amp;") in html


def test_plots_present_when_there_is_data() -> None:
    html = demo_html("mbc-005")  # serial ctDNA and CT imaging
    for slug in ("ob-spider", "ob-waterfall", "ob-ctdna", "ob-timeline"):
        assert f'aria-labelledby="{slug}-title {slug}-desc"' in html, slug
        assert f'<title id="{slug}-title">' in html
        assert f'<desc id="{slug}-desc">' in html
    assert "No spider plot" not in html and "No ctDNA plot" not in html
    # The ctDNA plot names the therapy lines it shades.
    desc = re.search(r'<desc id="ob-ctdna-desc">(.*?)</desc>', html, re.S)
    assert desc is not None and "Shaded therapy lines" in desc.group(1)


def test_no_imaging_and_no_ctdna_are_said_in_words() -> None:
    board = demo_board("mbc-015")  # no imaging, no liquid biopsies
    assert board.monitoring.recist is None
    html = demo_html("mbc-015")
    assert "No imaging since the start of the current line." in html
    assert "No spider plot" in html and "No waterfall plot" in html
    assert "No ctDNA draws recorded." in html and "No ctDNA plot" in html
    for slug in ("ob-spider", "ob-waterfall", "ob-ctdna"):
        assert f"{slug}-title" not in html
    assert "No PET-CT on the current line." in html or "PERCIST" in html


def test_as_of_hides_later_events_and_matches_the_planner() -> None:
    import datetime as dt

    case = demo_case("mbc-005")
    date = dt.date(2024, 1, 1)
    board = build_board(case, as_of=date)
    assert board.as_of == date
    assert all(e.date <= date for e in board.monitoring.timeline)
    plan = plan_case(case, as_of=date)
    assert board.plan is not None
    assert [o.regimen_id for o in board.plan.options] == [o.regimen_id for o in plan.options]
    assert "elacestrant" not in (board.summary.current_regimen or "").lower()


def test_sections_fragment_is_scoped_and_css_rules_are_scoped() -> None:
    fragment = str(render_sections(demo_board("mbc-001")))
    assert fragment.lstrip().startswith('<div class="ob-report">')
    assert fragment.rstrip().endswith("</div>")
    body = re.sub(r"@page\s*\{.*\}\s*$", "", REPORT_CSS, flags=re.S)
    body = re.sub(r"@media[^{]*\{", "", body)
    for selectors in re.findall(r"([^{}]+)\{[^{}]*\}", body):
        for selector in selectors.split(","):
            assert selector.strip().startswith(".ob-report"), selector
    assert "size: A4" in REPORT_CSS and "counter(page)" in REPORT_CSS
    assert DISCLAIMER in REPORT_CSS


def test_values_from_case_files_are_escaped(make_case: CaseBuilder) -> None:
    case = make_case(
        receptors=[{"receptor": "ER", "date": "2024-01-01", "percent": 80}],
        genomic_reports=[
            {
                "id": "R-1",
                "date": "2024-01-02",
                "specimen_type": "tissue",
                "origin": "somatic",
                "assay": "<script>alert(1)</script>",
                "variants": [{"gene": "PIK3CA", "hgvs_p": "p.H1047R", "vaf": 0.2}],
            }
        ],
    )
    html = render_html(build_board(case))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_is_fast_and_logs_no_patient_data(caplog: pytest.LogCaptureFixture) -> None:
    case = demo_case("mbc-005")
    render_html(build_board(case))  # warm the imports and caches
    caplog.set_level("DEBUG")
    started = time.perf_counter()
    html = render_html(build_board(case))
    assert time.perf_counter() - started < 2.0
    assert case.patient.id in html
    assert case.patient.id not in caplog.text


def test_percist_and_rano_bm_are_shown_when_present() -> None:
    brain = demo_board("mbc-008")  # brain MRI series
    assert brain.monitoring.rano_bm is not None
    html = demo_html("mbc-008")
    assert "<h3>RANO-BM</h3>" in html
    assert f"best response <strong>{brain.monitoring.rano_bm.best_response.value}</strong>" in html
    pet = demo_board("mbc-014")  # PET-CT series
    assert pet.monitoring.percist is not None
    assert f"<strong>{pet.monitoring.percist.response.value}</strong>" in demo_html("mbc-014")
    assert "<h3>RANO-BM</h3>" not in demo_html("mbc-005")  # no brain imaging: no section
