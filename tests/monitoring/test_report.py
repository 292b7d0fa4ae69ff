"""Emergent resistance, alerts and the timeline (fact sheet sections 2 and 5): an alteration
absent (assessed) at the start of a line and detected later is emergent; ESR1 LBD mutations
under an aromatase inhibitor are resistance (PADA-1); a variant whose gene the baseline draw
did not assess is new with unknown baseline, never "emergent"; CTC >= 5/7.5 mL is prognostic;
markers are trends only."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io import load_case
from oncoboard.monitoring.report import AlertKind, monitor_case
from oncoboard.monitoring.resistance import EmergenceStatus, emergent_alterations
from tests.conftest import EXAMPLES

LINE = {
    "setting": "metastatic",
    "line": 1,
    "agents": [{"name": "letrozole"}, {"name": "palbociclib"}],
    "start_date": "2024-02-01",
}


def _draw(date, variants, genes=("ESR1", "PIK3CA", "RB1"), **extra):
    return {
        "date": date,
        "genes_tested": list(genes) if genes is not None else None,
        "variants": [
            {"gene": g, "hgvs_p": p, "alt_reads": alt, "depth": 2000} for g, p, alt in variants
        ],
        **extra,
    }


def test_esr1_lbd_mutation_on_ai_is_emergent_resistance(make_case):
    case = make_case(
        treatments=[LINE],
        liquid_biopsies=[
            _draw("2024-01-20", [("PIK3CA", "p.H1047R", 80)]),
            _draw("2024-06-01", [("PIK3CA", "p.H1047R", 40), ("ESR1", "p.D538G", 12)]),
        ],
    )
    (item,) = emergent_alterations(case)
    assert (item.gene, item.change, item.status) == ("ESR1", "p.D538G", EmergenceStatus.EMERGENT)
    assert "aromatase inhibitor" in (item.resistance_to or "")
    assert any(e.id == "NCT03079011" for e in item.evidence)
    alerts = monitor_case(case).alerts
    assert [a.kind for a in alerts] == [AlertKind.EMERGENT_RESISTANCE]


def test_esr1_outside_the_ligand_binding_domain_is_not_called_resistance(make_case):
    case = make_case(
        treatments=[LINE],
        liquid_biopsies=[
            _draw("2024-01-20", []),
            _draw("2024-06-01", [("ESR1", "p.A65V", 20)]),
        ],
    )
    (item,) = emergent_alterations(case)
    assert item.resistance_to is None
    assert monitor_case(case).alerts == ()


def test_gene_not_assessed_at_baseline_is_not_emergent(make_case):
    case = make_case(
        treatments=[LINE],
        liquid_biopsies=[
            _draw("2024-01-20", [], genes=("PIK3CA",)),
            _draw("2024-06-01", [("RB1", "p.R320*", 30)]),
        ],
    )
    (item,) = emergent_alterations(case)
    assert item.status is EmergenceStatus.NEW_BASELINE_UNKNOWN
    assert "did not report whether it assessed" in item.detail


def test_ctc_alert_is_prognostic_only(make_case):
    case = make_case(treatments=[LINE], liquid_biopsies=[_draw("2024-01-20", [], ctc_count=7)])
    (alert,) = monitor_case(case).alerts
    assert alert.kind is AlertKind.CTC_HIGH
    assert "prognostic only" in alert.action
    assert {e.id for e in alert.evidence} >= {"NCT00382018"}


def test_demo_mbc_005_timeline_and_alerts():
    """MBC-005: ESR1 D538G first seen 2023-06-19 (0/3120 reads at the 2022-06-28 baseline that
    assessed ESR1) and Y537S 2024-09-16, both on letrozole + palbociclib; the elacestrant line
    (from 2025-03-24) shows a -62% fall in mean ESR1 VAF by 2025-06-23."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-005*"))))
    emergent = [(a.date.isoformat(), a.kind) for a in report.alerts]
    assert emergent == [
        ("2023-06-19", AlertKind.EMERGENT_RESISTANCE),
        ("2024-09-16", AlertKind.EMERGENT_RESISTANCE),
    ]
    assert [m.call.value for m in report.molecular] == ["molecular_response"]
    dates = [e.date for e in report.timeline]
    assert dates == sorted(dates)
    assert {e.kind for e in report.timeline} >= {"therapy_start", "imaging", "ctdna", "alert"}


def test_monitor_cli_text_and_json():
    runner = CliRunner()
    path = str(next(EXAMPLES.glob("mbc-001*")))
    text = runner.invoke(app, ["monitor", path])
    assert text.exit_code == 0, text.stderr
    assert "ctdna_clearance" in text.stdout and "qualified clinicians" in text.stdout
    result = runner.invoke(app, ["monitor", path, "--json"])
    document = json.loads(result.stdout)
    assert document["report"]["recist"]["best_overall_response"]["response"] == "PR"
    bad = runner.invoke(app, ["monitor", "does-not-exist.yaml"])
    assert bad.exit_code == 1 and "error:" in bad.stderr


def test_progression_on_a_checkpoint_inhibitor_is_iupd_until_confirmed():
    """MBC-010 on pembrolizumab: a new lesion (L3) on 2025-10-06 is RECIST PD, iRECIST iUPD
    (Seymour 2017: confirm 4-8 weeks later before calling iCPD)."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-010*"))))
    assert report.irecist is not None
    assert [t.irecist_response.value for t in report.irecist.timepoints] == ["iUPD"]
    (progression,) = [a for a in report.alerts if a.kind is AlertKind.RADIOGRAPHIC_PROGRESSION]
    assert "iUPD" in progression.action and "4-8 weeks" in progression.action
