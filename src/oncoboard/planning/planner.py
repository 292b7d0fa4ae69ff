"""The planner: from a case to ranked, cited treatment options and the options set aside.

For each pathway step that fits the patient's subtype, line and situation (and, for
biomarker-selected steps, a knowledge-base finding with its context), the planner fills the
regimen's roles with the first acceptable agent: not one the patient progressed on, not one a
safety check sets aside. Options that cannot be filled, or whose eligibility rules fail, are
listed as excluded with the reasons, so the tumor board sees what was considered. The options
are ranked by the step's place in its pathway (adjusted for visceral crisis and brain
metastases), then by evidence grade.

References
----------
Oncoboard MBC fact sheet sections 1 and 3; ESO-ESMO ABC5 (visceral crisis favours the most
rapidly effective therapy); product labels for the safety checks (section 7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from oncoboard.derive import case_as_of
from oncoboard.genomics import Finding, FindingKind
from oncoboard.genomics.findings import ContextStatus
from oncoboard.genomics.matching import entry_evidence
from oncoboard.genomics.pipeline import annotate_case
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.knowledge import drug_vocabulary, knowledge_base
from oncoboard.knowledge.drugs import Drug
from oncoboard.model import Case, Evidence, RoutePreference, SiteName
from oncoboard.planning._personalise import agent_checks, causes_alopecia, option_warnings
from oncoboard.planning.immunotherapy import immunotherapy_eligibility
from oncoboard.planning.options import (
    ExcludedOption,
    Grade,
    Intent,
    Monitoring,
    OptionWarning,
    PlannedAgent,
    TreatmentOption,
    TreatmentPlan,
)
from oncoboard.planning.pathways import Component, Pathways, Regimen, Step, pathways
from oncoboard.planning.rules import PlanFacts, evaluate, plan_facts
from oncoboard.planning.safety import SafetyStatus
from oncoboard.prognosis.case import case_prognosis

__all__ = ["plan_case"]

_GRADE_ORDER = {Grade.A: 0, Grade.B: 1, Grade.C: 2, Grade.D: 3}


@dataclass(slots=True)
class _Candidate:
    """A regimen proposed by one or more steps, before agents are chosen."""

    regimen: Regimen
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[OptionWarning] = field(default_factory=list)
    excluded: list[tuple[Step, list[str]]] = field(default_factory=list)


def _best_finding(findings: Sequence[Finding]) -> Finding:
    order = {True: 0, None: 1, False: 2}
    return min(findings, key=lambda f: order[f.context_met])


def _rule_warning(step: Step, rule: str, detail: str) -> OptionWarning:
    return OptionWarning(
        check="eligibility",
        status="unknown",
        detail=detail,
        rule=f"{step.id}: {rule}",
        evidence=step.evidence,
    )


def _consider(
    step: Step, facts: PlanFacts, findings: dict[str, list[Finding]], candidate: _Candidate
) -> None:
    """Evaluate one step that fits subtype and line; record it on ``candidate``."""
    warnings: list[OptionWarning] = []
    for rule in step.applies:
        result = evaluate(rule, facts)
        if result.ok is False:
            return
        if result.ok is None:
            warnings.append(_rule_warning(step, rule, result.detail))
    reasons: list[str] = []
    finding = None
    if step.kb_entry is not None:
        matches = findings.get(step.kb_entry)
        if not matches:
            return
        finding = _best_finding(matches)
        if step.kb_context:
            for check in finding.context:
                if check.status is ContextStatus.NOT_MET:
                    reasons.append(f"{check.requirement}: {check.detail}")
                elif check.status is ContextStatus.UNKNOWN:
                    warnings.append(
                        OptionWarning(
                            check="eligibility",
                            status="unknown",
                            detail=f"{check.requirement}: {check.detail}",
                            rule=f"{step.kb_entry} context",
                            evidence=finding.evidence,
                        )
                    )
    for rule in step.requires:
        result = evaluate(rule, facts)
        if result.ok is False:
            reasons.append(result.detail)
        elif result.ok is None:
            warnings.append(_rule_warning(step, rule, result.detail))
    if reasons:
        candidate.excluded.append((step, reasons))
        if finding is not None:
            candidate.findings.append(finding)
        return
    candidate.steps.append(step)
    candidate.warnings.extend(warnings)
    if finding is not None:
        candidate.findings.append(finding)


def _candidates(facts: PlanFacts, annotation: SampleAnnotation, data: Pathways) -> list[_Candidate]:
    findings: dict[str, list[Finding]] = {}
    for finding in annotation.of_kind(FindingKind.ACTIONABLE):
        if finding.entry_id is not None:
            findings.setdefault(finding.entry_id, []).append(finding)
    candidates: dict[str, _Candidate] = {}
    for step in data.steps:
        if step.subtypes is not None and not step.subtypes & facts.pathway_subtypes:
            continue
        regimen = data.regimens[step.regimen]
        if regimen.intent is Intent.SYSTEMIC and not step.covers_line(facts.line):
            continue
        candidate = candidates.setdefault(regimen.id, _Candidate(regimen))
        _consider(step, facts, findings, candidate)
    return [c for c in candidates.values() if c.steps or c.excluded]


def _ordered(component: Component, facts: PlanFacts) -> list[tuple[str, ...]]:
    """Alternatives in the order to try them: the data's order of preference, moved by the
    current regimen (``prefer_current``) and the patient's stated preferences (oral route,
    avoiding alopecia)."""
    alternatives = list(component.alternatives)
    preferences = facts.case.preferences
    if preferences is not None:
        vocabulary = drug_vocabulary()

        def drugs(group: tuple[str, ...]) -> list[Drug]:
            return [d for a in group if (d := vocabulary.lookup(a)) is not None]

        if preferences.avoid_alopecia:
            alternatives.sort(key=lambda g: any(causes_alopecia(d) for d in drugs(g)))
        if preferences.route is RoutePreference.ORAL:
            alternatives.sort(key=lambda g: any(d.route != "oral" for d in drugs(g)))
    if component.prefer_current and facts.ongoing is not None:
        current = {a.name for a in facts.ongoing.agents}
        alternatives.sort(key=lambda group: not (set(group) & current))
    return alternatives


def _agent_problem(agent: str, component: Component, facts: PlanFacts) -> str | None:
    progressed = facts.progressed_agents.get(agent)
    if progressed and not component.reuse_after_progression and not component.prefer_current:
        return progressed
    set_aside = [c for c in agent_checks(facts, agent) if c.status is SafetyStatus.SET_ASIDE]
    if set_aside:
        return "; ".join(f"{c.check}: {c.detail}" for c in set_aside)
    return None


def _fill(regimen: Regimen, facts: PlanFacts) -> tuple[list[PlannedAgent], list[str]]:
    """Choose an agent (group) for each role; return the agents and, if a role cannot be
    filled, the reasons."""
    vocabulary = drug_vocabulary()
    chosen: list[PlannedAgent] = []
    problems: list[str] = []
    for component in regimen.components:
        if component.when is not None and evaluate(component.when, facts).ok is False:
            continue
        alternatives = _ordered(component, facts)
        set_aside: list[str] = []
        acceptable: list[tuple[str, ...]] = []
        for group in alternatives:  # every alternative is checked, so none is offered unsafely
            issues = [
                f"{agent}: {issue}"
                for agent in group
                if (issue := _agent_problem(agent, component, facts)) is not None
            ]
            if issues:
                set_aside += issues
            else:
                acceptable.append(group)
        if not acceptable:
            problems += set_aside
            continue
        picked = acceptable[0]
        others = tuple(dict.fromkeys(a for g in acceptable[1:] for a in g if a not in picked))
        for agent in picked:
            drug = vocabulary.lookup(agent)
            chosen.append(
                PlannedAgent(
                    agent=agent,
                    role=component.role,
                    classes=tuple(sorted(drug.classes)) if drug else (),
                    route=drug.route if drug else "unknown",
                    alternatives=others,
                    set_aside=tuple(set_aside),
                )
            )
    return chosen, problems


def _effective_rank(step: Step, facts: PlanFacts) -> int:
    if facts.visceral_crisis is not None and step.crisis_rank is not None:
        return step.crisis_rank
    if SiteName.BRAIN in facts.active_sites and step.brain_rank is not None:
        return step.brain_rank
    return step.rank


def _evidence(candidate: _Candidate, steps: Iterable[Step]) -> tuple[Evidence, ...]:
    kb = knowledge_base()
    entries = {e.id: e for e in kb.entries}
    evidence: list[Evidence] = []
    for step in steps:  # knowledge-base citations (label, pivotal trial) first
        if step.kb_entry is not None:
            evidence += entry_evidence(entries[step.kb_entry], kb)
    evidence += candidate.regimen.evidence  # then the regimen's trials, then guidelines
    for step in steps:
        evidence += step.evidence
    return tuple(dict.fromkeys(evidence))


def _benefit(
    regimen: Regimen, agents: list[PlannedAgent], steps: list[Step], findings: list[Finding]
) -> tuple[str, ...]:
    names = {a.agent for a in agents}
    step_ids = {s.id for s in steps}
    texts = [f.benefit for f in findings if f.benefit]
    texts += [
        b.text + ("" if b.verified else " (not re-checked)")
        for b in regimen.benefit
        if (b.agent is None or b.agent in names) and (b.step is None or b.step in step_ids)
    ]
    return tuple(dict.fromkeys(texts))


def _monitoring(data: Pathways, agents: list[PlannedAgent]) -> tuple[Monitoring, ...]:
    keys = [a.agent for a in agents] + [c for a in agents for c in a.classes]
    return tuple(dict.fromkeys(m for key in keys for m in data.monitoring.get(key, ())))


def _option(
    candidate: _Candidate, facts: PlanFacts, data: Pathways
) -> TreatmentOption | ExcludedOption:
    regimen = candidate.regimen
    agents, problems = _fill(regimen, facts)
    conflicts = data.conflicts(a.agent for a in agents)
    steps = sorted(candidate.steps, key=lambda s: (_effective_rank(s, facts), s.order))
    if problems or conflicts:
        return ExcludedOption(
            regimen_id=regimen.id,
            name=regimen.name,
            agents=tuple(a.agent for a in agents) + tuple(p.split(":")[0] for p in problems),
            pathway_steps=tuple(s.id for s in steps),
            reasons=tuple(dict.fromkeys(problems + conflicts)),
            rules=("agent set aside by a safety check or prior progression",),
            evidence=_evidence(candidate, steps),
        )
    findings = candidate.findings
    why = [s.why for s in steps]
    why += [
        f"matched {f.biomarker}" + (f" ({f.source})" if f.source else "")
        for f in dict.fromkeys(findings)
    ]
    why += [
        f"{a.agent}: {c.note}"
        for c in regimen.components
        for a in agents
        if c.note and a.role == c.role and a.agent == c.alternatives[0][0]
    ]
    warnings = option_warnings(facts, agents, regimen) + candidate.warnings
    return TreatmentOption(
        rank=None,
        regimen_id=regimen.id,
        name=regimen.name,
        intent=regimen.intent,
        agents=tuple(agents),
        procedure=regimen.procedure,
        combination=regimen.combination,
        schedule=regimen.schedule,
        classes=tuple(sorted({c for a in agents for c in a.classes})),
        pathway_steps=tuple(s.id for s in steps),
        why=tuple(dict.fromkeys(why)),
        matched_biomarkers=tuple(
            dict.fromkeys(m for f in findings for m in (f.matched or (f.biomarker,)))
        ),
        grade=regimen.grade,
        evidence=_evidence(candidate, steps),
        expected_benefit=_benefit(regimen, agents, steps, findings),
        warnings=tuple(dict.fromkeys(warnings)),
        monitoring=_monitoring(data, agents),
    )


def plan_case(
    case: Case, *, as_of: dt.date | None = None, annotation: SampleAnnotation | None = None
) -> TreatmentPlan:
    """Ranked, cited treatment options for ``case`` now, with the options set aside.

    With ``as_of``, the case is first restricted to what was known on that date
    (:func:`oncoboard.derive.case_as_of`): later results, lines and events are not seen.
    ``annotation`` (from :func:`oncoboard.genomics.annotate_case`) is computed when not given.
    """
    if as_of is not None:
        case = case_as_of(case, as_of)
        annotation = None
    data = pathways()
    facts = plan_facts(case, as_of)
    annotation = annotation or annotate_case(case)
    systemic: list[tuple[tuple[int, int, int], TreatmentOption]] = []
    supportive: list[TreatmentOption] = []
    excluded: list[ExcludedOption] = []
    for candidate in _candidates(facts, annotation, data):
        if not candidate.steps:
            steps = [s for s, _ in candidate.excluded]
            excluded.append(
                ExcludedOption(
                    regimen_id=candidate.regimen.id,
                    name=candidate.regimen.name,
                    agents=_preferred_agents(candidate.regimen, facts),
                    pathway_steps=tuple(s.id for s in steps),
                    reasons=tuple(dict.fromkeys(r for _, rs in candidate.excluded for r in rs)),
                    rules=tuple(f"{s.id}: {', '.join(s.requires) or s.kb_entry}" for s in steps),
                    evidence=_evidence(candidate, steps),
                )
            )
            continue
        option = _option(candidate, facts, data)
        if isinstance(option, ExcludedOption):
            excluded.append(option)
        elif option.intent is not Intent.SYSTEMIC:
            supportive.append(option)
        else:
            best = min(candidate.steps, key=lambda s: (_effective_rank(s, facts), s.order))
            key = (
                _effective_rank(best, facts) + _penalty(option),
                _GRADE_ORDER[option.grade],
                best.order,
            )
            systemic.append((key, option))
    systemic.sort(key=lambda pair: pair[0])
    options = tuple(
        option.model_copy(update={"rank": rank}) for rank, (_, option) in enumerate(systemic, 1)
    )
    kb = knowledge_base()
    return TreatmentPlan(
        patient_id=case.patient.id,
        as_of=facts.as_of,
        subtype=facts.subtype,
        her2=facts.her2,
        line=facts.line,
        line_basis=facts.line_basis,
        current_regimen=" + ".join(a.name for a in facts.ongoing.agents) if facts.ongoing else None,
        endocrine_sensitivity=facts.endocrine,
        visceral_crisis=facts.visceral_crisis,
        options=options,
        supportive_and_local=tuple(supportive),
        excluded=tuple(excluded),
        immunotherapy=immunotherapy_eligibility(case, annotation),
        testing_suggestions=annotation.testing_suggestions,
        prognosis=case_prognosis(case, as_of=facts.as_of),
        notes=_notes(facts),
        knowledge_versions={
            "pathways": data.label,
            "biomarker_therapy": kb.label,
            "drugs": f"Oncoboard drug vocabulary {drug_vocabulary().version}",
        },
    )


def _preferred_agents(regimen: Regimen, facts: PlanFacts) -> tuple[str, ...]:
    """The first-choice agents of a regimen's roles that apply to this patient."""
    return tuple(
        agent
        for c in regimen.components
        if c.when is None or evaluate(c.when, facts).ok is not False
        for agent in _ordered(c, facts)[0]
    )


_PENALTIES = {"route preference": 1, "ER-low": 3}


def _penalty(option: TreatmentOption) -> int:
    """Rank penalty: 1 for a route the patient does not want; 3 for endocrine therapy in
    ER-low disease."""
    return sum(_PENALTIES.get(check, 0) for check in {w.check for w in option.warnings})


def _notes(facts: PlanFacts) -> tuple[str, ...]:
    notes = [f"line: {facts.line_basis}", f"endocrine sensitivity: {facts.endocrine_detail}"]
    if facts.visceral_crisis:
        notes.append(f"{facts.visceral_crisis}: the most rapidly effective therapy is favoured")
    return tuple(notes)
