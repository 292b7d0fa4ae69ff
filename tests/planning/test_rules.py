"""Pathway rules, from ABC5 and the trial eligibility criteria in the fact sheet:
- endocrine resistance: relapse during or within 12 months after adjuvant endocrine therapy;
- visceral crisis: clinician-assessed, or hepatic (bilirubin > 1.5 x ULN without Gilbert);
- KEYNOTE-355: disease-free interval >= 6 months after curative-intent treatment;
- ASCENT-03/TROPION-Breast02: "not a PD-(L)1 candidate" (CPS < 10, or ICI contraindicated).
Unknown facts give None, never False."""

from __future__ import annotations

import datetime as dt

import pytest

from oncoboard.planning import EndocrineSensitivity
from oncoboard.planning.rules import evaluate, plan_facts

HR_POS = [
    {"receptor": "ER", "date": "2020-01-01", "percent": 90},
    {"receptor": "PR", "date": "2020-01-01", "percent": 50},
    {"receptor": "HER2", "method": "IHC", "date": "2020-01-01", "ihc_score": "0"},
]
TNBC = [
    {"receptor": "ER", "date": "2020-01-01", "percent": 0},
    {"receptor": "PR", "date": "2020-01-01", "percent": 0},
    {"receptor": "HER2", "method": "IHC", "date": "2020-01-01", "ihc_score": "0"},
]


def _adjuvant(agent: str, start: str, stop: str | None, **extra):
    line = {"setting": "adjuvant", "agents": [{"name": agent}], "start_date": start, **extra}
    if stop is not None:
        line["stop_date"] = stop
    return line


def _diagnosis(recurrence: str | None = None, de_novo: bool = False):
    diagnosis = {"date": "2020-01-01", "histology": "invasive_ductal"}
    if recurrence:
        diagnosis["metastatic_recurrence_date"] = recurrence
    if de_novo:
        diagnosis["de_novo_metastatic"] = True
    return diagnosis


@pytest.mark.parametrize(
    ("treatments", "recurrence", "expected"),
    [
        ([_adjuvant("anastrozole", "2020-03-01", None)], "2023-05-01", "resistant"),
        ([_adjuvant("anastrozole", "2020-03-01", "2023-01-01")], "2023-11-01", "resistant"),
        ([_adjuvant("anastrozole", "2020-03-01", "2023-01-01")], "2024-02-01", "sensitive"),
        ([_adjuvant("tamoxifen", "2020-03-01", "2022-01-01")], None, "unknown"),
        ([], "2023-05-01", "sensitive"),
    ],
    ids=["during", "within-12-months", "after-12-months", "no-date", "endocrine-naive"],
)
def test_endocrine_sensitivity_abc5(make_case, treatments, recurrence, expected):
    case = make_case(
        receptors=HR_POS, primary_diagnosis=_diagnosis(recurrence), treatments=treatments
    )
    facts = plan_facts(case)
    assert facts.endocrine is EndocrineSensitivity(expected), facts.endocrine_detail


def test_progression_on_metastatic_endocrine_therapy_is_pretreated(make_case):
    case = make_case(
        receptors=HR_POS,
        primary_diagnosis=_diagnosis(de_novo=True),
        treatments=[
            {
                "setting": "metastatic",
                "line": 1,
                "agents": [{"name": "letrozole"}, {"name": "palbociclib"}],
                "start_date": "2021-01-01",
                "stop_date": "2023-01-01",
                "reason_stopped": "progression",
            }
        ],
    )
    facts = plan_facts(case)
    assert facts.endocrine is EndocrineSensitivity.PRETREATED
    assert facts.line == 2
    assert evaluate("progressed_on_class:cdk46_inhibitor", facts).ok is True
    assert "palbociclib" in facts.progressed_agents


def test_ongoing_line_plans_the_next_line_at_progression(make_case):
    case = make_case(
        receptors=HR_POS,
        primary_diagnosis=_diagnosis(de_novo=True),
        treatments=[
            {
                "setting": "metastatic",
                "line": 1,
                "agents": [{"name": "letrozole"}, {"name": "ribociclib"}],
                "start_date": "2024-01-01",
            }
        ],
    )
    facts = plan_facts(case)
    assert facts.line == 2
    assert "currently on line 1" in facts.line_basis
    assert evaluate("on_first_line_ai_cdk46", facts).ok is True
    assert facts.progressed_agents["ribociclib"].startswith("currently given")


def test_hepatic_crisis_from_bilirubin_but_not_with_gilbert(make_case):
    lab = {
        "test": "total_bilirubin",
        "value": 2.0,
        "unit": "mg/dL",
        "date": "2025-01-01",
        "upper_limit_normal": 1.2,
    }
    assert "hepatic visceral crisis" in (plan_facts(make_case(labs=[lab])).visceral_crisis or "")
    gilbert = [{"condition": "Gilbert syndrome", "category": "gilbert_syndrome"}]
    assert plan_facts(make_case(labs=[lab], comorbidities=gilbert)).visceral_crisis is None
    normal = {**lab, "value": 1.5}  # 1.25 x ULN
    assert plan_facts(make_case(labs=[normal])).visceral_crisis is None


def test_recorded_visceral_crisis(make_case):
    case = make_case(
        visceral_crisis={"date": "2025-01-01", "organs": ["lung"], "detail": "lymphangitis"}
    )
    facts = plan_facts(case)
    assert facts.visceral_crisis and "lung" in facts.visceral_crisis
    assert evaluate("visceral_crisis", facts).ok is True


@pytest.mark.parametrize(
    ("stop", "recurrence", "expected"),
    [("2023-01-01", "2023-05-01", False), ("2023-01-01", "2023-09-01", True)],
)
def test_disease_free_interval(make_case, stop, recurrence, expected):
    case = make_case(
        receptors=TNBC,
        primary_diagnosis=_diagnosis(recurrence),
        treatments=[_adjuvant("paclitaxel", "2022-09-01", stop)],
    )
    assert evaluate("disease_free_interval_6_months", plan_facts(case)).ok is expected


def test_disease_free_interval_unknown_without_dates(make_case):
    case = make_case(
        receptors=TNBC,
        primary_diagnosis=_diagnosis(),
        treatments=[_adjuvant("paclitaxel", "2022-09-01", "2023-01-01")],
    )
    assert evaluate("disease_free_interval_6_months", plan_facts(case)).ok is None


def _pdl1(cps: float):
    return {
        "marker": "PD-L1",
        "assay": "22C3",
        "scoring": "CPS",
        "value": cps,
        "date": "2025-01-01",
    }


@pytest.mark.parametrize(
    ("biomarkers", "expected"), [([], None), ([_pdl1(5)], True), ([_pdl1(12)], False)]
)
def test_pd_l1_candidacy_untested_is_unknown(make_case, biomarkers, expected):
    case = make_case(receptors=TNBC, biomarkers=biomarkers)
    assert evaluate("not_pdl1_candidate", plan_facts(case)).ok is expected


def test_menopausal_status_drives_ovarian_suppression(make_case):
    pre = make_case(
        patient={"id": "P", "sex": "female", "age_years": 40, "menopausal_status": "premenopausal"}
    )
    post = make_case(
        patient={"id": "P", "sex": "female", "age_years": 66, "menopausal_status": "postmenopausal"}
    )
    male = make_case(patient={"id": "P", "sex": "male", "age_years": 66})
    assert evaluate("premenopausal", plan_facts(pre)).ok is True
    assert evaluate("premenopausal", plan_facts(post)).ok is False
    assert evaluate("gonadal_suppression", plan_facts(male)).ok is True


def test_as_of_defaults_to_the_case_date(make_case):
    assert plan_facts(make_case(as_of="2025-03-01")).as_of == dt.date(2025, 3, 1)
