"""Warnings that personalise an option: safety cautions and unknowns, prior exposure, visceral
crisis, brain and leptomeningeal disease, and the patient's stated preferences.

References
----------
ESO-ESMO ABC5 (visceral crisis); ASCO-SNO-ASTRO 2022 and ASCO HER2+ brain-metastasis
guideline (local therapy, CNS data of tucatinib and T-DXd, DESTINY-Breast12, HER2CLIMB);
product labels (safety checks, section 7 of the fact sheet).
"""

from __future__ import annotations

from oncoboard.knowledge.drugs import Drug
from oncoboard.model import Evidence, RoutePreference, SiteName
from oncoboard.planning.options import Intent, OptionWarning, PlannedAgent
from oncoboard.planning.pathways import Regimen, pathways
from oncoboard.planning.rules import PlanFacts
from oncoboard.planning.safety import SafetyCheck, SafetyStatus, safety_checks

__all__ = ["agent_checks", "causes_alopecia", "option_warnings"]

# Classes that act fast enough for a visceral crisis (ABC5: chemotherapy, or an ADC / anti-HER2
# combination with high response rates).
_RAPID = frozenset({"chemotherapy", "anti_her2", "trop2_adc", "topoisomerase1_adc"})
# Agents with CNS activity shown in breast cancer trials that enrolled brain metastases.
_CNS_ACTIVE = frozenset({"tucatinib", "trastuzumab deruxtecan", "entrectinib", "repotrectinib"})
_ALOPECIA = frozenset({"taxane", "anthracycline"})
_ALOPECIA_AGENTS = frozenset({"sacituzumab govitecan", "eribulin", "datopotamab deruxtecan"})
# Umbrella classes too broad to signal cross-resistance.
_UMBRELLA = frozenset(
    {
        "endocrine_therapy",
        "chemotherapy",
        "anti_her2",
        "anti_her2_antibody",
        "aromatase_inhibitor",
        "serd",
        "ovarian_function_suppression",
    }
)


def causes_alopecia(drug: Drug) -> bool:
    """Taxanes, anthracyclines, sacituzumab govitecan, eribulin, datopotamab deruxtecan."""
    return bool(drug.classes & _ALOPECIA) or drug.name in _ALOPECIA_AGENTS


def _ref(key: str) -> Evidence:
    return pathways().references[key]


def agent_checks(facts: PlanFacts, agent: str) -> tuple[SafetyCheck, ...]:
    """The safety checks of ``agent`` for the patient, computed once per plan."""
    if agent not in facts.safety:
        facts.safety[agent] = tuple(safety_checks(facts.case, [agent]))
    return facts.safety[agent]


def _safety(facts: PlanFacts, agents: list[PlannedAgent]) -> list[OptionWarning]:
    warnings: dict[tuple[str, str], OptionWarning] = {}
    for check in (c for a in agents for c in agent_checks(facts, a.agent)):
        if check.status not in (SafetyStatus.CAUTION, SafetyStatus.UNKNOWN):
            continue
        key = (check.check, check.detail)
        if key not in warnings:
            warnings[key] = OptionWarning(
                check=check.check,
                agent=check.agent,
                status=check.status.value,
                detail=check.detail,
                rule=check.rule,
                evidence=check.evidence,
            )
    return list(warnings.values())


def _prior_exposure(facts: PlanFacts, agents: list[PlannedAgent]) -> list[OptionWarning]:
    warnings = []
    for agent in agents:
        notes = []
        if "ovarian_function_suppression" in agent.classes:
            continue  # ovarian suppression continues across lines by design
        if agent.agent in facts.progressed_agents:
            notes.append(facts.progressed_agents[agent.agent] + " (re-used as a partner)")
        for drug_class in set(agent.classes) - _UMBRELLA:
            for exposure in facts.exposures.get(drug_class, []):
                if exposure.agent == agent.agent:
                    if exposure.stopped_for_toxicity:
                        notes.append(f"{agent.agent} stopped for toxicity before")
                    continue
                if exposure.agent in facts.progressed_agents:
                    notes.append(
                        f"{facts.progressed_agents[exposure.agent]}: same class "
                        f"({drug_class}); cross-resistance possible"
                    )
        for note in dict.fromkeys(notes):
            warnings.append(
                OptionWarning(
                    check="prior exposure",
                    agent=agent.agent,
                    status="caution",
                    detail=note,
                    rule="prior progression on the same agent or class",
                    evidence=(_ref("esmo-2021"),),
                )
            )
    return warnings


def _situation(
    facts: PlanFacts, agents: list[PlannedAgent], regimen: Regimen
) -> list[OptionWarning]:
    if regimen.intent is not Intent.SYSTEMIC:
        return []
    warnings = []
    classes = {c for a in agents for c in a.classes}
    names = {a.agent for a in agents}
    if facts.visceral_crisis and not classes & _RAPID:
        warnings.append(
            OptionWarning(
                check="visceral crisis",
                status="caution",
                detail=f"{facts.visceral_crisis}: endocrine-based therapy acts slowly; "
                "chemotherapy (or an ADC) is favoured",
                rule="ABC5: visceral crisis needs the most rapidly effective therapy",
                evidence=(_ref("abc5"),),
            )
        )
    if facts.er_low and "endocrine_therapy" in classes:
        warnings.append(
            OptionWarning(
                check="ER-low",
                status="caution",
                detail="ER-low (1-10%): benefit from endocrine therapy is uncertain; "
                "ER-low disease behaves like TNBC",
                rule="ASCO/CAP 2020: ER 1-10% reported as ER-low positive",
                evidence=(_ref("esmo-2021"),),
            )
        )
    if SiteName.BRAIN in facts.active_sites and not names & _CNS_ACTIVE:
        warnings.append(
            OptionWarning(
                check="brain metastases",
                status="caution",
                detail="active brain metastases: this regimen has limited CNS data; "
                "plan local therapy (SRS/surgery) first",
                rule="active brain metastases: local therapy and CNS-active systemic therapy",
                evidence=(_ref("asco-sno-astro-2022"), _ref("asco-her2-brain")),
            )
        )
    if SiteName.LEPTOMENINGEAL in facts.active_sites:
        warnings.append(
            OptionWarning(
                check="leptomeningeal disease",
                status="caution",
                detail="leptomeningeal disease: excluded from the pivotal trials; "
                "neuro-oncology review (intrathecal therapy, radiotherapy)",
                rule="leptomeningeal disease: trial populations excluded it",
                evidence=(_ref("asco-sno-astro-2022"),),
            )
        )
    preferences = facts.case.preferences
    if preferences is not None and regimen.components:
        if preferences.route is RoutePreference.ORAL:
            parenteral = sorted({f"{a.agent} ({a.route})" for a in agents if a.route != "oral"})
            if parenteral:
                warnings.append(
                    OptionWarning(
                        check="route preference",
                        status="caution",
                        detail=f"patient prefers oral therapy; {', '.join(parenteral)}",
                        rule="patient preference (ABC5: shared decision-making)",
                        evidence=(_ref("abc5"),),
                    )
                )
        if preferences.avoid_alopecia:
            causes = sorted(
                a.agent for a in agents if set(a.classes) & _ALOPECIA or a.agent in _ALOPECIA_AGENTS
            )
            if causes:
                warnings.append(
                    OptionWarning(
                        check="alopecia",
                        status="caution",
                        detail=f"patient wishes to avoid hair loss; {', '.join(causes)} "
                        "commonly cause alopecia",
                        rule="patient preference (ABC5: shared decision-making)",
                        evidence=(_ref("abc5"),),
                    )
                )
    return warnings


def option_warnings(
    facts: PlanFacts, agents: list[PlannedAgent], regimen: Regimen
) -> list[OptionWarning]:
    """All warnings of an option whose agents have been chosen."""
    return (
        _safety(facts, agents) + _prior_exposure(facts, agents) + _situation(facts, agents, regimen)
    )
