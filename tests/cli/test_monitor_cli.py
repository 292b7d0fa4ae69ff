"""``oncoboard monitor``: human output and JSON (format 2) on the demo cases: tumour-marker
trends, PERCIST and RANO-BM lines, and the planner's options under emergent-resistance alerts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from oncoboard import __version__
from oncoboard.cli import app
from oncoboard.cli._monitor import MONITOR_FORMAT_VERSION
from tests.conftest import EXAMPLES

runner = CliRunner()
MBC_005 = EXAMPLES / "mbc-005-esr1-serial-ctdna.yaml"
MBC_008 = EXAMPLES / "mbc-008-her2-pos-brain-tucatinib.yaml"
MBC_014 = EXAMPLES / "mbc-014-her2-ultralow-third-line.json"
MBC_016 = EXAMPLES / "mbc-016-esr1-emerging-on-first-line.yaml"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _text(path: object) -> str:
    result = runner.invoke(app, ["monitor", str(path)])
    assert result.exit_code == 0, result.stderr
    return _flat(result.stdout)


def _json(path: object) -> dict:
    result = runner.invoke(app, ["monitor", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_text_mbc_016_suggested_switch():
    text = _text(MBC_016)
    expected = (
        "options in the current plan: 6. Switch to camizestrant, continue the CDK4/6 inhibitor "
        "(ctDNA-guided) [grade C]; 1. Elacestrant [grade A]; 2. Imlunestrant [grade A]"
    )
    assert text.count(expected) == 1


def test_text_mbc_005_historical_alerts_and_marker_trend():
    text = _text(MBC_005)
    assert "options in the current plan" not in text
    assert text.count("emerged on an earlier line (letrozole + palbociclib") == 2
    assert (
        "CA15-3 (U/mL): 52 → 29 → 27 → 38 → 71 → 55; line baseline 71 (2025-03-03), nadir 55 "
        "(2025-06-23), latest 55 (2025-06-23, 1.83 x ULN): -22.5% vs baseline, +0.0% vs nadir"
    ) in text
    assert "trend only; never used alone to call progression" in text
    assert "qualified clinicians" in text


def test_text_mbc_008_rano_bm_line_and_alert():
    text = _text(MBC_008)
    assert (
        "RANO-BM (CNS; baseline 2025-02-10, sum 30 mm): 2025-05-12 PR (sum 16 mm), 2025-08-11 "
        "PR (sum 12 mm), 2025-11-03 PD (sum 12 mm); best PR"
    ) in text
    assert "2025-11-03 radiographic_progression (RANO-BM): RANO-BM CNS PD" in text


def test_text_mbc_014_percist_line():
    """MBC-014 baseline PET-CT liver 1.8 +/- 0.25 SUL: threshold 1.5 x 1.8 + 2 x 0.25 = 3.20,
    H1 SULpeak 6.4 measurable; 6.4 -> 7.2 is only +12.5 %, but the new FDG-avid lesions
    NL1/NL2 make it PMD (PERCIST: a new lesion is PMD)."""
    text = _text(MBC_014)
    assert (
        "PERCIST 1.0 2024-06-10 → 2025-03-24: PMD; hottest SULpeak 6.4 → 7.2 (+12.5%); "
        "threshold 3.20 (liver)"
    ) in text
    assert "radiographic_progression (PERCIST 1.0)" in text


def test_json_format_2_shape_on_demo_cases():
    document = _json(MBC_005)
    assert document["format_version"] == MONITOR_FORMAT_VERSION == "2"
    assert document["oncoboard_version"] == __version__
    assert "qualified clinicians" in document["disclaimer"]
    report = document["report"]
    assert list(report) == [
        "patient_id",
        "line_start",
        "line_agents",
        "recist",
        "recist_note",
        "irecist",
        "percist",
        "percist_note",
        "rano_bm",
        "rano_bm_note",
        "molecular",
        "emergent",
        "markers",
        "alerts",
        "plan_note",
        "timeline",
    ]
    (marker,) = report["markers"]
    assert marker["marker"] == "CA15-3"
    assert marker["line_baseline"] == {
        "date": "2025-03-03",
        "value": 71.0,
        "unit": "U/mL",
        "upper_limit_normal": 30.0,
        "uln_multiple": 71 / 30,
    }
    assert round(marker["change_from_baseline_pct"], 4) == -22.5352
    first = report["alerts"][0]
    assert first["kind"] == "emergent_resistance" and first["criterion"] is None
    assert first["suggested_options"] == []  # emerged on an earlier line
    live = _json(MBC_016)["report"]["alerts"][1]
    assert live["kind"] == "emergent_resistance"
    assert [o["regimen_id"] for o in live["suggested_options"]] == [
        "camizestrant-switch",
        "elacestrant",
        "imlunestrant",
    ]
    assert live["suggested_options"][0]["agents"] == ["camizestrant", "ribociclib"]
    assert report["percist"] is None and report["rano_bm"] is None

    brain = _json(MBC_008)["report"]
    assert brain["rano_bm"]["best_response"] == "PR"
    assert [t["steroids"] for t in brain["rano_bm"]["timepoints"]] == ["none"] * 3
    (alert,) = brain["alerts"]
    assert (alert["criterion"], alert["suggested_options"]) == ("RANO-BM", [])

    pet = _json(MBC_014)["report"]["percist"]
    assert (pet["response"], pet["baseline_measurable"], pet["new_lesions"]) == (
        "PMD",
        True,
        ["NL1", "NL2"],
    )
    assert pet["threshold_sul"] == 3.2


def test_docs_monitor_json_names_every_key():
    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "monitor-json.md").read_text(encoding="utf-8")
    assert "decision support for qualified clinicians" in doc
    assert f'"format_version": "{MONITOR_FORMAT_VERSION}"' in doc
    report = _json(MBC_005)["report"]
    keys = set(report) | set(report["markers"][0]) | set(report["alerts"][0])
    live = _json(MBC_016)["report"]
    keys |= set(live["alerts"][1]["suggested_options"][0]) | set(live["molecular"][0])
    keys |= set(_json(MBC_014)["report"]["percist"]) | set(_json(MBC_008)["report"]["rano_bm"])
    missing = sorted(k for k in keys if f"`{k}`" not in doc)
    assert missing == []
