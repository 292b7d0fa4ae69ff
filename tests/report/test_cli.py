"""``oncoboard report``: file to HTML/PDF, folder to one report per case plus an index."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from oncoboard.cli._report import register
from tests.conftest import DATA
from tests.report.conftest import case_path, demo_case

BAD = DATA / "invalid" / "ecog-out-of-range.yaml"


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Keep ``report`` a sub-command, as in the real application."""

    return app


def _run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_case_file_to_html(app: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, stderr = _run(app, str(case_path("mbc-005")), "--out", str(target))
    assert code == 0, stderr
    html = target.read_text(encoding="utf-8")
    assert "MBC-005" in html and 'id="ob-response"' in html
    assert "Decision support for qualified clinicians" in stderr
    assert "MBC-005" not in stderr  # the patient id is in the report, not in messages


def test_case_file_to_pdf(app: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    code, _, stderr = _run(app, str(case_path("mbc-015")), "--out", str(target))
    assert code == 0, stderr
    assert target.read_bytes().startswith(b"%PDF")


def test_as_of_is_applied(app: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "early.html"
    code, _, stderr = _run(
        app, str(case_path("mbc-005")), "--out", str(target), "--as-of", "2024-01-01"
    )
    assert code == 0, stderr
    html = target.read_text(encoding="utf-8")
    assert "<strong>2024-01-01</strong>" in html
    assert "on line 1: letrozole + palbociclib" in html


@pytest.mark.slow
def test_folder_writes_one_report_per_case_and_an_index(app: typer.Typer, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for prefix in ("mbc-005", "mbc-015"):
        shutil.copy(case_path(prefix), cases)
    out_dir = tmp_path / "out"
    code, stdout, stderr = _run(app, str(cases), "--out", str(out_dir), "--pdf")
    assert code == 0, stderr
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["MBC-005.html", "MBC-005.pdf", "MBC-015.html", "MBC-015.pdf", "index.html"]
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="([^"]+\.html)">', index) == ["MBC-005.html", "MBC-015.html"]
    assert "Decision support for qualified clinicians" in index
    assert (out_dir / "MBC-015.pdf").read_bytes().startswith(b"%PDF")
    assert "2 report(s) written" in stdout


def test_folder_with_a_bad_case_reports_it_and_exits_1(app: typer.Typer, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(case_path("mbc-015"), cases)
    shutil.copy(BAD, cases)
    out_dir = tmp_path / "out"
    code, _, stderr = _run(app, str(cases), "--out", str(out_dir))
    assert code == 1
    assert BAD.name in stderr
    assert (out_dir / "MBC-015.html").is_file() and (out_dir / "index.html").is_file()


def test_unreadable_case_names_the_file_and_exits_1(app: typer.Typer, tmp_path: Path) -> None:
    code, _, stderr = _run(app, str(BAD), "--out", str(tmp_path / "r.html"))
    assert code == 1
    assert BAD.name in stderr
    missing = tmp_path / "nope.yaml"
    code, _, stderr = _run(app, str(missing), "--out", str(tmp_path / "r.html"))
    assert code == 1 and "nope.yaml" in stderr
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("name", ["report.docx", "report"])
def test_unknown_extension_exits_2(app: typer.Typer, tmp_path: Path, name: str) -> None:
    code, _, stderr = _run(app, str(case_path("mbc-015")), "--out", str(tmp_path / name))
    assert code == 2
    assert "use .html or .pdf" in stderr
    assert not any(tmp_path.iterdir())


def test_folder_needs_a_directory_out(app: typer.Typer, tmp_path: Path) -> None:
    code, _, stderr = _run(app, str(case_path("mbc-015").parent), "--out", str(tmp_path / "a.html"))
    assert code == 2 and "must be a directory" in stderr


def test_demo_case_is_the_one_reported() -> None:
    assert demo_case("mbc-015").patient.id == "MBC-015"
