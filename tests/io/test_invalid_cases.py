"""Every malformed case in tests/data/invalid/ is rejected at the expected field and line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from tests.conftest import DATA

INVALID = DATA / "invalid"
# JSON files cannot carry comments: their expected (path, line) is kept here.
JSON_EXPECTATIONS = {"vaf-disagrees-with-reads.json": ("liquid_biopsies.0.variants.0.vaf", 116)}


def _expectation(path: Path) -> tuple[str, int]:
    if path.suffix == ".json":
        return JSON_EXPECTATIONS[path.name]
    match = re.search(r"^# expect: (\S+) @ (\d+)$", path.read_text(), re.MULTILINE)
    assert match, f"{path.name} has no '# expect: PATH @ LINE' header"
    return match.group(1), int(match.group(2))


CASES = sorted(p for p in INVALID.iterdir() if p.suffix in (".yaml", ".json"))


def test_there_are_at_least_ten_malformed_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_validate_rejects_with_file_line_and_path(path):
    expected_path, expected_line = _expectation(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{expected_line}: {expected_path}: "), first


def test_valid_and_invalid_together_exit_one():
    result = CliRunner().invoke(app, ["validate", str(DATA / "valid"), str(CASES[0])])
    assert result.exit_code == 1
    assert "1 of 2 case file(s) valid" in result.stderr


def test_console_script_exit_codes():
    """The installed entry point itself (not only the Typer app) returns 0 and 1."""
    ok = subprocess.run(
        [sys.executable, "-m", "oncoboard", "validate", str(DATA / "valid")],
        capture_output=True,
        text=True,
        check=False,
    )
    bad = subprocess.run(
        [sys.executable, "-m", "oncoboard", "validate", str(CASES[0])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, bad.returncode) == (0, 1)
    assert bad.stdout == ""  # problems go to stderr
    assert str(CASES[0]) in bad.stderr
