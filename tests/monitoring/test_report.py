"""Emergent resistance, alerts and the timeline (fact sheet sections 2 and 5): an alteration
absent (assessed) at the start of a line and detected later is emergent; ESR1 LBD mutations
under an aromatase inhibitor are resistance (PADA-1); a variant whose gene the baseline draw
did not assess is new with unknown baseline, never "emergent"; CTC >= 5/7.5 mL is prognostic;
markers are trends only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
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


# --- tumour-marker trends (ASCO 2015, Van Poznak: adjuncts, trends only, early flare) -------


def test_demo_mbc_005_marker_trend_exact_values():
    """CA 15-3 (ULN 30): 71 U/mL on 2025-03-03 is the value just before elacestrant
    (2025-03-24); 55 on 2025-06-23 is the nadir and latest: -22.54 % vs baseline, 0 % vs
    nadir, 2.37 and 1.83 x ULN. Markers never raise an alert."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-005*"))))
    (trend,) = report.markers
    assert trend.marker.value == "CA15-3"
    assert [(p.date.isoformat(), p.value) for p in trend.values] == [
        ("2022-06-27", 52),
        ("2022-12-12", 29),
        ("2023-09-18", 27),
        ("2024-09-16", 38),
        ("2025-03-03", 71),
        ("2025-06-23", 55),
    ]
    assert trend.line_baseline is not None and trend.nadir is not None
    assert (trend.line_baseline.date.isoformat(), trend.line_baseline.value) == ("2025-03-03", 71)
    assert (trend.nadir.date.isoformat(), trend.nadir.value) == ("2025-06-23", 55)
    assert trend.latest.value == 55
    assert trend.change_from_baseline_pct == pytest.approx(100 * (55 - 71) / 71)
    assert trend.change_from_baseline_pct == pytest.approx(-22.5352, abs=1e-4)
    assert trend.change_from_nadir_pct == 0
    assert trend.line_baseline.uln_multiple == pytest.approx(71 / 30)
    assert trend.latest.uln_multiple == pytest.approx(55 / 30)
    assert trend.early_values == ()
    assert "never used alone to call progression" in trend.note
    assert [e.id for e in trend.evidence] == ["ASCO tumour-marker guideline 2015 (Van Poznak)"]
    assert AlertKind.RADIOGRAPHIC_PROGRESSION not in {a.kind for a in report.alerts}


def _marker(date, value, uln=30):
    return {
        "marker": "CA15-3",
        "value": value,
        "unit": "U/mL",
        "date": date,
        "upper_limit_normal": uln,
    }


def test_marker_rise_in_first_six_weeks_is_flagged_and_never_alerts(make_case):
    """Line from 2024-02-01. Baseline 40 (2024-01-20); 60 on 2024-02-20 (day 19, inside the
    4-6 week flare window); nadir 30 (2024-04-01); latest 36: -10 % vs baseline, +20 % vs
    nadir, 1.2 x ULN."""
    case = make_case(
        treatments=[LINE],
        tumor_markers=[
            _marker("2024-06-01", 36),
            _marker("2024-01-20", 40),
            _marker("2024-02-20", 60),
            _marker("2024-04-01", 30),
        ],
    )
    report = monitor_case(case)
    (trend,) = report.markers
    assert trend.line_baseline is not None and trend.line_baseline.value == 40
    assert trend.nadir is not None and trend.nadir.value == 30
    assert trend.change_from_baseline_pct == pytest.approx(-10.0)
    assert trend.change_from_nadir_pct == pytest.approx(20.0)
    assert trend.latest.uln_multiple == pytest.approx(1.2)
    assert [d.isoformat() for d in trend.early_values] == ["2024-02-20"]
    assert "may be spurious (flare)" in trend.note
    assert report.alerts == ()


def test_marker_without_a_recent_baseline_has_unknown_change(make_case):
    """A value 4 months before the line start is not its baseline: change unknown, not 0."""
    case = make_case(
        treatments=[LINE],
        tumor_markers=[_marker("2023-10-01", 50, uln=None), _marker("2024-05-01", 45, uln=None)],
    )
    (trend,) = monitor_case(case).markers
    assert trend.line_baseline is None
    assert trend.change_from_baseline_pct is None
    assert trend.nadir is not None and trend.nadir.value == 45
    assert trend.latest.uln_multiple is None
    assert "change from baseline unknown" in trend.note


# --- PERCIST and RANO-BM in the report --------------------------------------------------


def _pet(date, sul, *, liver=True, new=False):
    lesions = [{"id": "H1", "site": "liver", "role": "target", "size_mm": 20, "sul_peak": sul}]
    if new:
        lesions.append({"id": "N1", "site": "bone", "role": "new", "status": "present"})
    study = {"date": date, "modality": "PET-CT", "lesions": lesions}
    if liver:
        study |= {"liver_mean_sul": 2.0, "liver_sd_sul": 0.3}
    return study


def test_percist_pmd_alerts_with_its_criterion(make_case):
    """Liver 2.0 +/- 0.3 -> threshold 1.5 x 2.0 + 2 x 0.3 = 3.6; baseline SULpeak 5.0 is
    measurable; 7.0 is +2.0 SUL (+40 %) -> PMD (>= 30 % and >= 0.8 SUL)."""
    case = make_case(treatments=[LINE], imaging=[_pet("2024-01-25", 5.0), _pet("2024-04-25", 7.0)])
    report = monitor_case(case)
    assert report.percist is not None
    assert report.percist.threshold_sul == pytest.approx(3.6)
    assert report.percist.response.value == "PMD"
    (alert,) = report.alerts
    assert (alert.kind, alert.criterion, alert.date.isoformat()) == (
        AlertKind.RADIOGRAPHIC_PROGRESSION,
        "PERCIST 1.0",
        "2024-04-25",
    )
    assert alert.detail.startswith("PERCIST 1.0 progressive metabolic disease (PMD)")
    assert "Wahl RL et al. J Nucl Med 2009;50:122S" in {e.id for e in alert.evidence}
    assert any("PERCIST PMD" in e.summary for e in report.timeline)


def test_percist_without_liver_reference_is_not_evaluable_and_does_not_alert(make_case):
    case = make_case(
        treatments=[LINE],
        imaging=[_pet("2024-01-25", 5.0, liver=False), _pet("2024-04-25", 7.0, liver=False)],
    )
    report = monitor_case(case)
    assert report.percist is not None
    assert report.percist.response.value == "NE"
    assert report.percist.provisional_response is not None
    assert report.percist.provisional_response.value == "PMD"
    assert report.alerts == ()


def test_percist_needs_a_follow_up_pet(make_case):
    case = make_case(treatments=[LINE], imaging=[_pet("2024-01-25", 5.0)])
    report = monitor_case(case)
    assert report.percist is None
    assert report.percist_note == ("PET-CT baseline 2024-01-25 only: PERCIST needs a later PET-CT")


def test_pet_reference_on_a_ct_is_an_error_naming_the_field():
    from pydantic import ValidationError

    from oncoboard.model import ImagingAssessment

    with pytest.raises(ValidationError, match="liver_mean_sul is a PET-CT reference"):
        ImagingAssessment.model_validate(
            {"date": "2024-01-01", "modality": "CT", "liver_mean_sul": 2.0}
        )


def test_demo_mbc_008_rano_bm_with_steroid_and_clinical_status():
    """MBC-008 brain MRIs: steroids none (dexamethasone stopped 2025-03-31), neurologically
    stable -> PR (30 -> 16 mm), PR (12 mm), PD (new BR4 on 2025-11-03); best PR."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-008*"))))
    assert report.rano_bm is not None
    assert [t.response.value for t in report.rano_bm.timepoints] == ["PR", "PR", "PD"]
    assert report.rano_bm.best_response.value == "PR"
    (alert,) = [a for a in report.alerts if a.kind is AlertKind.RADIOGRAPHIC_PROGRESSION]
    assert (alert.criterion, alert.date.isoformat()) == ("RANO-BM", "2025-11-03")
    assert "new CNS lesion(s) BR4" in alert.detail
    assert [e.id for e in alert.evidence] == ["PMID:26065612"]
    summaries = [e.summary for e in report.timeline if e.kind == "imaging"]
    assert "MRI; RANO-BM PD" in summaries


def test_rano_bm_clinical_worsening_alone_is_pd(make_case):
    brain = {"id": "B1", "site": "brain", "role": "target"}
    case = make_case(
        treatments=[LINE],
        imaging=[
            {"date": "2024-01-25", "modality": "MRI", "lesions": [brain | {"size_mm": 20}]},
            {
                "date": "2024-04-25",
                "modality": "MRI",
                "corticosteroids": "stable",
                "neurological_status": "worse",
                "lesions": [brain | {"size_mm": 20}],
            },
        ],
    )
    report = monitor_case(case)
    assert report.rano_bm is not None
    assert report.rano_bm.timepoints[0].radiological_response.value == "SD"
    alerts = [a for a in report.alerts if a.criterion == "RANO-BM"]
    assert len(alerts) == 1 and "clinical worsening" in alerts[0].detail


# --- the planner's options on emergent-resistance alerts ---------------------------------


def test_demo_mbc_016_emergent_esr1_on_the_current_line_carries_the_switch(monkeypatch):
    """MBC-016: ESR1 Y537S appears on ongoing 1L anastrozole + ribociclib with imaging still in
    PR. The plan ranks elacestrant (1), imlunestrant (2), vepdegestrant (3) for the next line
    and the SERENA-6 camizestrant switch (6, grade C); before progression the switch comes
    first, then the next-line options in plan order."""
    import oncoboard.monitoring._suggest as suggest

    calls = []
    real = suggest.plan_case

    def counting(case, **kw):
        calls.append(case.patient.id)
        return real(case, **kw)

    monkeypatch.setattr(suggest, "plan_case", counting)
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-016*"))))
    assert calls == ["MBC-016"]
    (alert,) = [a for a in report.alerts if a.kind is AlertKind.EMERGENT_RESISTANCE]
    assert [(o.rank, o.regimen_id, o.grade) for o in alert.suggested_options] == [
        (6, "camizestrant-switch", "C"),
        (1, "elacestrant", "A"),
        (2, "imlunestrant", "A"),
    ]
    assert alert.suggested_options[0].matched_biomarkers == ("ESR1 Y537S",)
    assert "NCT04964934" in {e.id for e in alert.suggested_options[0].evidence}
    assert alert.action.startswith("discuss a switch (options below, from today's plan")
    assert report.plan_note is None


def test_demo_mbc_016_rise_from_nadir_is_molecular_progression_before_imaging():
    """TP53 R273H 3.14% at baseline, nadir 0.27%, then 1.21%: 4.5x the nadir and >= 1%, so
    molecular progression although still -62% from baseline; CT is still PR."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-016*"))))
    assert [m.call.value for m in report.molecular] == [
        "molecular_response",
        "molecular_response",
        "molecular_progression",
    ]
    assert report.molecular[-1].change_pct == pytest.approx(
        100 * (41 / 3400 - 104 / 3310) / (104 / 3310)
    )
    kinds = [(a.date.isoformat(), a.kind) for a in report.alerts]
    assert kinds == [
        ("2026-02-09", AlertKind.MOLECULAR_PROGRESSION_FIRST),
        ("2026-02-09", AlertKind.EMERGENT_RESISTANCE),
    ]


def test_demo_mbc_005_alerts_from_an_earlier_line_suggest_nothing(monkeypatch):
    """MBC-005's ESR1 mutations emerged on 1L letrozole + palbociclib (2023, 2024); the
    patient is now on 2L elacestrant, so today's plan is not a switch for those alerts."""
    import oncoboard.monitoring._suggest as suggest

    monkeypatch.setattr(suggest, "plan_case", lambda case, **kw: pytest.fail("planned"))
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-005*"))))
    emergent = [a for a in report.alerts if a.kind is AlertKind.EMERGENT_RESISTANCE]
    assert [a.date.isoformat() for a in emergent] == ["2023-06-19", "2024-09-16"]
    for alert in emergent:
        assert alert.suggested_options == ()
        assert alert.action.startswith(
            "emerged on an earlier line (letrozole + palbociclib, started 2022-07-01)"
        )


def test_demo_mbc_007_tumour_informed_clearance():
    """Signatera detected (3.41 MTM/mL) before 1L T-DXd + pertuzumab, not detected 2026-04-07."""
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-007*"))))
    (call,) = report.molecular
    assert call.tumor_informed
    assert call.call.value == "clearance"
    assert (call.baseline_tumor_molecules_per_ml, call.mean_tumor_molecules_per_ml) == (3.41, 0.0)
    assert call.change_pct == -100.0
    assert [a.kind for a in report.alerts] == [AlertKind.CLEARANCE]
    summaries = [e.summary for e in report.timeline if e.kind == "ctdna"]
    assert summaries == [
        "Signatera: ctDNA detected, 3.41 MTM/mL",
        "Signatera: ctDNA not detected, 0 MTM/mL; clearance",
    ]


def test_planner_not_run_without_emergent_resistance(monkeypatch):
    import oncoboard.monitoring._suggest as suggest

    calls = []
    monkeypatch.setattr(suggest, "plan_case", lambda case, **kw: calls.append(1))
    report = monitor_case(load_case(next(EXAMPLES.glob("mbc-001*"))))
    assert calls == []
    assert all(a.suggested_options == () for a in report.alerts)


def test_wild_type_match_is_not_an_alteration_of_the_gene():
    from oncoboard.monitoring._suggest import involves_gene

    assert involves_gene("ESR1 D538G", "ESR1")
    assert involves_gene("PIK3CA H1047R", "pik3ca")
    assert not involves_gene("PIK3CA wild-type (tested)", "PIK3CA")
    assert not involves_gene("ESR1 D538G", "ESR")
    assert involves_gene("ETV6::NTRK3 fusion", "NTRK3")


def test_planning_does_not_import_monitoring():
    import subprocess
    import sys

    code = "import sys, oncoboard.planning; print('oncoboard.monitoring' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _with_tp53_draw(date: str, alt_reads: int):
    from oncoboard.model import CtDNAVariant, LiquidBiopsy

    case = load_case(next(EXAMPLES.glob("mbc-008*")))
    draw = LiquidBiopsy(
        date=dt.date.fromisoformat(date),
        assay="Guardant360 CDx",
        variants=[CtDNAVariant(gene="TP53", hgvs_p="p.R273H", alt_reads=alt_reads, depth=3000)],
    )
    return case.model_copy(update={"liquid_biopsies": [*case.liquid_biopsies, draw]})


def test_molecular_progression_after_rano_bm_pd_is_not_called_first():
    """MBC-008: RANO-BM PD on 2025-11-03; TP53 at 4% on 2025-12-01 (10x the 0.39% nadir) is
    molecular progression but came after the radiographic progression by RANO-BM."""
    report = monitor_case(_with_tp53_draw("2025-12-01", 120))
    assert report.molecular[-1].call.value == "molecular_progression"
    kinds = [a.kind for a in report.alerts]
    assert AlertKind.MOLECULAR_PROGRESSION_FIRST not in kinds
    assert kinds.count(AlertKind.RADIOGRAPHIC_PROGRESSION) == 1


def test_molecular_progression_before_rano_bm_pd_is_called_first():
    report = monitor_case(_with_tp53_draw("2025-10-01", 120))
    first = [a for a in report.alerts if a.kind is AlertKind.MOLECULAR_PROGRESSION_FIRST]
    assert [a.date.isoformat() for a in first] == ["2025-10-01"]
