"""``oncoboard plan``: ranked, cited options for one case or a folder, as text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from oncoboard import __version__
from oncoboard.cli import app
from oncoboard.io import find_case_files
from oncoboard.planning import DISCLAIMER, PLAN_FORMAT_VERSION
from tests.conftest import DATA, EXAMPLES

runner = CliRunner()
MBC_002 = EXAMPLES / "mbc-002-pik3ca-diabetes.yaml"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.suffix in (".yaml", ".json"))


def _flat(text: str) -> str:
    """Output with line wrapping undone (Rich wraps long lines at the console width)."""
    return " ".join(text.split())


def _plan_json(*args: str) -> dict:
    result = runner.invoke(app, ["plan", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_text_shows_alpelisib_set_aside_for_hba1c():
    result = runner.invoke(app, ["plan", str(MBC_002)])
    assert result.exit_code == 0, result.stderr
    text = _flat(result.stdout)
    assert "Treatment options: MBC-002" in text
    ranked, _, rest = text.partition("Considered and set aside")
    set_aside = rest.partition("Checkpoint-inhibitor eligibility")[0]
    assert "Alpelisib + fulvestrant" in set_aside
    assert "alpelisib: glycaemia: HbA1c 8.4%" in set_aside
    assert "Alpelisib" not in ranked  # not among the ranked options
    assert "Everolimus + exemestane" in ranked
    assert "Checkpoint-inhibitor eligibility: not eligible" in text
    assert "germline BRCA1, BRCA2, PALB2" in text  # testing suggestion
    assert _flat(DISCLAIMER) in text
    assert "qualified clinicians" in text


def test_text_details_three_options_unless_all():
    default = _flat(runner.invoke(app, ["plan", str(MBC_002)]).stdout)
    every = _flat(runner.invoke(app, ["plan", str(MBC_002), "--all"]).stdout)
    fifth = "5. Bevacizumab + paclitaxel (anti-angiogenic) (grade C"
    assert "--all shows 2 more" in default
    assert fifth not in default
    assert fifth in every
    assert "[unverified]" in every  # an escaped label, not swallowed as Rich markup


def test_json_one_case_is_stable_and_cited():
    document = _plan_json(str(MBC_002))
    assert list(document) == [
        "format_version",
        "oncoboard_version",
        "disclaimer",
        "knowledge_versions",
        "input",
        "plans",
    ]
    assert document["format_version"] == PLAN_FORMAT_VERSION
    assert document["oncoboard_version"] == __version__
    assert document["disclaimer"] == DISCLAIMER
    assert document["input"] == {"path": str(MBC_002)}
    (plan,) = document["plans"]
    assert plan["patient_id"] == "MBC-002"
    assert plan["disclaimer"] == DISCLAIMER
    assert plan["knowledge_versions"] == document["knowledge_versions"]
    assert plan["options"]
    for option in plan["options"]:
        assert option["evidence"], option["name"]
        assert all(e["id"] for e in option["evidence"])
    alpelisib = next(e for e in plan["excluded"] if "alpelisib" in e["agents"])
    assert any("HbA1c 8.4" in reason for reason in alpelisib["reasons"])
    assert all(
        agent["agent"] != "alpelisib" for option in plan["options"] for agent in option["agents"]
    )


def test_json_folder_every_option_of_every_demo_case_is_cited():
    """Acceptance: every option in the JSON output for every demo case has >= 1 evidence."""
    document = _plan_json(str(EXAMPLES))
    plans = document["plans"]
    assert len(plans) == len(list(find_case_files([EXAMPLES]))) == 16
    assert len({p["patient_id"] for p in plans}) == 16
    for plan in plans:
        assert plan["options"], plan["patient_id"]
        for option in plan["options"] + plan["supportive_and_local"]:
            assert len(option["evidence"]) >= 1, (plan["patient_id"], option["name"])
            assert all(e["id"] for e in option["evidence"])
        for excluded in plan["excluded"]:
            assert excluded["reasons"], (plan["patient_id"], excluded["name"])


def test_folder_text_is_a_cohort_table():
    result = runner.invoke(app, ["plan", str(EXAMPLES)])
    assert result.exit_code == 0, result.stderr
    assert "Treatment options: 16 patients" in result.stdout
    for n in range(1, 16):
        assert f"MBC-{n:03d}" in result.stdout
    assert "qualified clinicians" in _flat(result.stdout)


def test_as_of_is_honoured():
    default = _plan_json(str(MBC_002))["plans"][0]
    later = _plan_json(str(MBC_002), "--as-of", "2025-06-30")["plans"][0]
    assert default["as_of"] != "2025-06-30"
    assert later["as_of"] == "2025-06-30"


def test_bad_as_of_is_a_usage_error():
    result = runner.invoke(app, ["plan", str(MBC_002), "--as-of", "30/06/2025"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --as-of must be a date YYYY-MM-DD")
    assert result.stdout == ""


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_case_file_is_an_error_not_a_traceback(path):
    for args in (["plan", str(path)], ["plan", str(path), "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(f"error: {path}")
        assert "Traceback" not in result.stderr
        assert result.stdout == ""


def test_missing_file_and_empty_folder_are_errors(tmp_path):
    missing = runner.invoke(app, ["plan", str(tmp_path / "nope.yaml")])
    empty = runner.invoke(app, ["plan", str(tmp_path)])
    assert (missing.exit_code, empty.exit_code) == (1, 1)
    assert missing.stderr.startswith("error: ") and "nope.yaml" in missing.stderr
    assert empty.stderr.startswith("error: ") and "no case files" in empty.stderr


def test_a_folder_with_a_bad_file_prints_nothing_but_the_errors(tmp_path):
    (tmp_path / "good.yaml").write_text(MBC_002.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text((DATA / "invalid" / "missing-sex.yaml").read_text())
    result = runner.invoke(app, ["plan", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {tmp_path / 'bad.yaml'}:")


def test_start_up_does_not_import_the_planner():
    code = (
        "import sys, oncoboard.cli; "
        "print(any(m.split('.')[:2] in (['oncoboard', 'planning'], ['oncoboard', 'genomics']) "
        "for m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
