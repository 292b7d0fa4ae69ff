"""Planner mechanics on the demo cohort and small cases: ranking, alternatives, exclusions,
preferences, evidence on every option, and no incompatible combination ever proposed."""

from __future__ import annotations

import pytest

from oncoboard.io import find_case_files, load_case
from oncoboard.planning import Intent, pathways, plan_case
from tests.conftest import EXAMPLES

DEMO = sorted(find_case_files([EXAMPLES]))

HR_POS_POST = {
    "patient": {"id": "P", "sex": "female", "age_years": 64, "menopausal_status": "postmenopausal"},
    "primary_diagnosis": {
        "date": "2024-01-10",
        "histology": "invasive_ductal",
        "de_novo_metastatic": True,
    },
    "receptors": [
        {"receptor": "ER", "date": "2024-01-10", "percent": 95},
        {"receptor": "PR", "date": "2024-01-10", "percent": 40},
        {"receptor": "HER2", "method": "IHC", "date": "2024-01-10", "ihc_score": "0"},
    ],
    "as_of": "2024-02-01",
}


def _agents(option) -> set[str]:
    return {a.agent for a in option.agents}


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_demo_plans_are_cited_ranked_and_compatible(path):
    plan = plan_case(load_case(path))
    assert [o.rank for o in plan.options] == list(range(1, len(plan.options) + 1))
    for option in (*plan.options, *plan.supportive_and_local):
        assert option.evidence and all(e.id for e in option.evidence), option.regimen_id
        assert option.why
        assert pathways().conflicts(a.agent for a in option.agents) == []
    for excluded in plan.excluded:
        assert excluded.reasons and excluded.agents
    assert "qualified clinicians" in plan.disclaimer


def test_preferred_agent_set_aside_falls_back_to_the_next(make_case):
    """Ribociclib needs QTcF < 450 ms (label); abemaciclib takes its place, and the option says
    why ribociclib was set aside."""
    case = make_case(
        **HR_POS_POST,
        labs=[{"test": "qtcf", "value": 471, "unit": "ms", "date": "2024-01-20"}],
    )
    first = plan_case(case).options[0]
    assert first.regimen_id == "ai-cdk46"
    cdk = next(a for a in first.agents if a.role == "CDK4/6 inhibitor")
    assert cdk.agent == "abemaciclib"
    assert any(s.startswith("ribociclib: QTc: ") and "471" in s for s in cdk.set_aside)


def test_visceral_crisis_reranks_towards_chemotherapy(make_case):
    calm = plan_case(make_case(**HR_POS_POST))
    crisis = plan_case(
        make_case(
            **HR_POS_POST,
            visceral_crisis={"date": "2024-01-25", "organs": ["liver"]},
        )
    )
    assert calm.options[0].regimen_id == "ai-cdk46"
    assert "chemotherapy" in crisis.options[0].classes
    endocrine = next(o for o in crisis.options if o.regimen_id == "ai-cdk46")
    assert any(w.check == "visceral crisis" for w in endocrine.warnings)


def test_oral_preference_orders_alternatives_and_warns(make_case):
    case = make_case(
        **{**HR_POS_POST, "as_of": "2025-06-01"},
        preferences={"route": "oral", "avoid_alopecia": True},
        treatments=[
            {
                "setting": "metastatic",
                "line": 1,
                "agents": [{"name": "letrozole"}, {"name": "palbociclib"}],
                "start_date": "2024-02-01",
                "stop_date": "2025-05-01",
                "reason_stopped": "progression",
            }
        ],
    )
    plan = plan_case(case)
    chemo = next(o for o in plan.options if o.regimen_id == "chemotherapy-single")
    assert _agents(chemo) == {"capecitabine"}
    fulvestrant = next(o for o in plan.options if o.regimen_id == "fulvestrant")
    assert any(w.check == "route preference" for w in fulvestrant.warnings)


def test_progressed_agent_is_not_proposed_again(make_case):
    case = make_case(
        **{**HR_POS_POST, "as_of": "2025-06-01"},
        treatments=[
            {
                "setting": "metastatic",
                "line": 1,
                "agents": [{"name": "letrozole"}, {"name": "palbociclib"}],
                "start_date": "2024-02-01",
                "stop_date": "2025-05-01",
                "reason_stopped": "progression",
            }
        ],
    )
    plan = plan_case(case)
    assert plan.line == 2
    assert all("palbociclib" not in _agents(o) or o.regimen_id != "ai-cdk46" for o in plan.options)
    excluded = {e.regimen_id: e for e in plan.excluded}
    assert "progressed on palbociclib" in " ".join(excluded["fulvestrant-cdk46"].reasons)


def test_bone_metastases_get_a_bone_modifying_agent_not_ranked(make_case):
    case = make_case(
        **HR_POS_POST,
        metastatic_sites=[{"site": "bone", "date": "2024-01-10"}],
        labs=[
            {"test": "creatinine_clearance", "value": 80, "unit": "mL/min", "date": "2024-01-20"}
        ],
    )
    (bone,) = plan_case(case).supportive_and_local
    assert bone.intent is Intent.SUPPORTIVE and bone.rank is None
    assert _agents(bone) == {"denosumab"}
    assert any("Dental" in m.advice for m in bone.monitoring)


def test_knowledge_versions_are_reported(make_case):
    versions = plan_case(make_case(**HR_POS_POST)).knowledge_versions
    assert set(versions) == {"pathways", "biomarker_therapy", "drugs"}
    assert versions["pathways"].startswith("Oncoboard MBC pathways")
