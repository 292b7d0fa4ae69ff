"""The small rule functions pathway steps refer to by name, and the patient facts they read.

A rule answers True, False or None (cannot be decided from the record) with a detail that
names the data it used. Pathway steps use rules in two ways (see ``regimens.yaml``): ``applies``
rules restrict a step to its situation (False: the step is silently not for this patient);
``requires`` rules are eligibility conditions (False: the option is listed as excluded with the
detail). None never counts as False: the option stays and carries a warning saying what to
check, because an unrecorded fact is not a negative one.

References
----------
ESO-ESMO ABC5 (Cardoso Ann Oncol 2020): endocrine resistance (relapse during or within 12
months after adjuvant endocrine therapy) and visceral crisis, including hepatic crisis
(bilirubin > 1.5 x ULN without Gilbert syndrome or obstruction). KEYNOTE-355 (NCT02819518):
disease-free interval >= 6 months. Fact sheet section 1F: ovarian function suppression with
AI, fulvestrant or CDK4/6 inhibitor regimens in premenopausal women (advised for men on AI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from oncoboard.derive import Exposure, Subtype, clinical_subtype, current_line, prior_exposures
from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import (
    Case,
    ComorbidityCategory,
    LabTest,
    MenopausalStatus,
    PDL1Result,
    Setting,
    SiteName,
    TreatmentLine,
)
from oncoboard.planning._checks_common import SafetyCheck, latest
from oncoboard.planning.options import EndocrineSensitivity

__all__ = ["RULES", "PlanFacts", "RuleResult", "plan_facts", "rule_name"]

_ENDOCRINE_BACKBONE = "endocrine_therapy"
_OFS = "ovarian_function_suppression"
_ONE_YEAR = dt.timedelta(days=365)
_SIX_MONTHS = dt.timedelta(days=183)


@dataclass(frozen=True, slots=True)
class RuleResult:
    """The answer of a rule and the data it was based on."""

    ok: bool | None
    detail: str


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What the pathways need to know about the patient, worked out once per plan."""

    case: Case
    as_of: dt.date
    subtype: str | None
    pathway_subtypes: frozenset[str]  # the subtype, plus TNBC for ER-low HER2-negative disease
    er_low: bool
    her2: str
    hr_positive: bool | None
    line: int
    line_basis: str
    ongoing: TreatmentLine | None
    exposures: dict[str, list[Exposure]]
    progressed_agents: dict[str, str]  # agent -> "progressed on X (line N, date)"
    endocrine: EndocrineSensitivity
    endocrine_detail: str
    visceral_crisis: str | None
    sites: frozenset[SiteName] = field(default_factory=frozenset)
    active_sites: frozenset[SiteName] = field(default_factory=frozenset)
    # safety checks by agent, filled once per plan (agents recur across regimens)
    safety: dict[str, tuple[SafetyCheck, ...]] = field(default_factory=dict)


def _line_label(line: TreatmentLine) -> str:
    agents = " + ".join(a.name for a in line.agents)
    where = f"metastatic line {line.line}" if line.line else line.setting.value
    return f"{agents} ({where}, from {line.start_date.isoformat()})"


def _planned_line(case: Case) -> tuple[int, str, TreatmentLine | None]:
    lot = current_line(case)
    if lot.ongoing is None:
        basis = (
            f"{lot.completed} metastatic line(s) completed; planning line {lot.number}"
            if lot.completed
            else "no metastatic therapy recorded; planning first line"
        )
        return lot.number, basis, None
    label = _line_label(lot.ongoing)
    if lot.ongoing.progressed:
        return lot.number + 1, f"progressed on current line {label}", lot.ongoing
    return (
        lot.number + 1,
        f"currently on line {lot.number}: {label}; options are for line {lot.number + 1} "
        "at progression",
        lot.ongoing,
    )


def _progressed_agents(case: Case, ongoing: TreatmentLine | None) -> dict[str, str]:
    vocabulary = drug_vocabulary()
    found: dict[str, str] = {}
    for line in sorted(case.treatments, key=lambda t: t.start_date):
        if line.setting is Setting.SUPPORTIVE:
            continue
        for agent in line.agents:
            drug = vocabulary.lookup(agent.name)
            name = drug.name if drug else agent.name
            if line is ongoing and not line.progressed:
                found[name] = f"currently given: {_line_label(line)}"
            elif agent.stop_date is not None and agent.reason_stopped is not None:
                if agent.reason_stopped.value == "progression":
                    found[name] = f"progressed on {name} ({_line_label(line)})"
            elif line.progressed:
                found[name] = f"progressed on {name} ({_line_label(line)})"
    return found


def _endocrine(
    case: Case, hr_positive: bool | None, ongoing: TreatmentLine | None
) -> tuple[EndocrineSensitivity, str]:
    """ABC5 endocrine sensitivity from the treatment history and the recurrence date.

    An ongoing metastatic endocrine line counts as progressed: the plan is for progression
    on it."""
    if hr_positive is False:
        return EndocrineSensitivity.NOT_APPLICABLE, "hormone-receptor negative"
    vocabulary = drug_vocabulary()

    def endocrine(line: TreatmentLine) -> list[str]:
        names = []
        for agent in line.agents:
            drug = vocabulary.lookup(agent.name)
            if drug and _ENDOCRINE_BACKBONE in drug.classes and _OFS not in drug.classes:
                names.append(drug.name)
        return names

    for line in case.treatments:
        if line.setting is Setting.METASTATIC and endocrine(line):
            if line.progressed:
                return (
                    EndocrineSensitivity.PRETREATED,
                    f"progressed on endocrine therapy for metastatic disease: {_line_label(line)}",
                )
            if line is ongoing:
                return (
                    EndocrineSensitivity.PRETREATED,
                    f"planning for progression on endocrine therapy: {_line_label(line)}",
                )
    diagnosis = case.primary_diagnosis
    if diagnosis.de_novo_metastatic:
        return EndocrineSensitivity.SENSITIVE, "de novo metastatic, endocrine-naive"
    adjuvant = [
        line
        for line in case.treatments
        if line.setting in (Setting.ADJUVANT, Setting.NEOADJUVANT) and endocrine(line)
    ]
    recurrence = diagnosis.metastatic_recurrence_date
    if not adjuvant:
        return EndocrineSensitivity.SENSITIVE, "no prior endocrine therapy recorded"
    if recurrence is None:
        return (
            EndocrineSensitivity.UNKNOWN,
            "adjuvant endocrine therapy recorded but no metastatic recurrence date",
        )
    for line in adjuvant:
        stop = line.stop_date
        if line.start_date <= recurrence and (stop is None or recurrence <= stop + _ONE_YEAR):
            when = "during" if stop is None or recurrence <= stop else "within 12 months after"
            return (
                EndocrineSensitivity.RESISTANT,
                f"relapse {recurrence.isoformat()} {when} adjuvant {', '.join(endocrine(line))}",
            )
    last = max(line.stop_date or recurrence for line in adjuvant)
    return (
        EndocrineSensitivity.SENSITIVE,
        f"relapse {recurrence.isoformat()} more than 12 months after adjuvant endocrine therapy "
        f"ended ({last.isoformat()})",
    )


def _visceral_crisis(case: Case) -> str | None:
    if case.visceral_crisis is not None:
        crisis = case.visceral_crisis
        organs = ", ".join(o.value for o in crisis.organs)
        return f"visceral crisis recorded {crisis.date.isoformat()} ({organs})" + (
            f": {crisis.detail}" if crisis.detail else ""
        )
    bilirubin = latest(case, LabTest.TOTAL_BILIRUBIN)
    gilbert = any(
        c.category is ComorbidityCategory.GILBERT_SYNDROME and c.status == "active"
        for c in case.comorbidities
    )
    ratio = bilirubin.times_uln() if bilirubin is not None else None
    if bilirubin is not None and ratio is not None and ratio > 1.5 and not gilbert:
        return (
            f"hepatic visceral crisis: bilirubin {ratio:.1f} x ULN ({bilirubin.date.isoformat()}) "
            "without Gilbert syndrome (ABC5)"
        )
    return None


def plan_facts(case: Case, as_of: dt.date | None = None) -> PlanFacts:
    """The facts of ``case`` the pathway rules read."""
    subtype = clinical_subtype(case)
    line, basis, ongoing = _planned_line(case)
    hr_positive = subtype.hr.hr_positive
    endocrine, endocrine_detail = _endocrine(case, hr_positive, ongoing)
    name = None if subtype.subtype is Subtype.UNDETERMINED else subtype.subtype.value
    pathway_subtypes = {name} if name else set()
    if subtype.er_low and subtype.subtype is Subtype.HR_POS_HER2_NEG:
        pathway_subtypes.add(Subtype.TRIPLE_NEGATIVE.value)
    return PlanFacts(
        case=case,
        as_of=as_of or case.as_of or dt.date.today(),
        subtype=name,
        pathway_subtypes=frozenset(pathway_subtypes),
        er_low=subtype.er_low,
        her2=subtype.her2.category.value,
        hr_positive=hr_positive,
        line=line,
        line_basis=basis,
        ongoing=ongoing,
        exposures=prior_exposures(case),
        progressed_agents=_progressed_agents(case, ongoing),
        endocrine=endocrine,
        endocrine_detail=endocrine_detail,
        visceral_crisis=_visceral_crisis(case),
        sites=frozenset(s.site for s in case.metastatic_sites),
        active_sites=frozenset(s.site for s in case.metastatic_sites if s.active),
    )


# ---------------------------------------------------------------------------------- rules

Rule = Callable[[PlanFacts, str], RuleResult]


def rule_name(rule: str) -> str:
    """The rule's name without its argument (``prior_class:taxane`` -> ``prior_class``)."""
    return rule.split(":", 1)[0]


def _sensitivity(facts: PlanFacts, wanted: set[EndocrineSensitivity]) -> RuleResult:
    if facts.endocrine is EndocrineSensitivity.UNKNOWN:
        return RuleResult(None, f"endocrine sensitivity unknown: {facts.endocrine_detail}")
    return RuleResult(facts.endocrine in wanted, facts.endocrine_detail)


def _endocrine_sensitive(facts: PlanFacts, _: str) -> RuleResult:
    return _sensitivity(facts, {EndocrineSensitivity.SENSITIVE})


def _not_endocrine_resistant(facts: PlanFacts, _: str) -> RuleResult:
    return _sensitivity(facts, {EndocrineSensitivity.SENSITIVE})


def _not_endocrine_sensitive(facts: PlanFacts, _: str) -> RuleResult:
    return _sensitivity(facts, {EndocrineSensitivity.RESISTANT, EndocrineSensitivity.PRETREATED})


def _visceral(facts: PlanFacts, _: str) -> RuleResult:
    return RuleResult(facts.visceral_crisis is not None, facts.visceral_crisis or "no crisis")


def _exposures(facts: PlanFacts, drug_class: str) -> list[Exposure]:
    return facts.exposures.get(drug_class, [])


def _prior_class(facts: PlanFacts, drug_class: str) -> RuleResult:
    given = sorted({e.agent for e in _exposures(facts, drug_class)})
    return RuleResult(
        bool(given),
        f"prior {drug_class}: {', '.join(given)}" if given else f"no prior {drug_class}",
    )


def _progressed_on_class(facts: PlanFacts, drug_class: str) -> RuleResult:
    progressed = sorted(
        {e.agent for e in _exposures(facts, drug_class) if e.agent in facts.progressed_agents}
    )
    detail = "; ".join(facts.progressed_agents[a] for a in progressed)
    return RuleResult(bool(progressed), detail or f"no progression on a {drug_class}")


def _no_progression_on_class(facts: PlanFacts, drug_class: str) -> RuleResult:
    result = _progressed_on_class(facts, drug_class)
    return RuleResult(not result.ok, result.detail)


def _no_progression_on_agent(facts: PlanFacts, agent: str) -> RuleResult:
    detail = facts.progressed_agents.get(agent)
    return RuleResult(detail is None, detail or f"no progression on {agent}")


def _no_prior_agent(facts: PlanFacts, agent: str) -> RuleResult:
    given = [e for exposures in facts.exposures.values() for e in exposures if e.agent == agent]
    return RuleResult(
        not given, f"{agent} given before ({given[0].start_date.isoformat()})" if given else ""
    )


def _min_metastatic_chemo_lines(facts: PlanFacts, count: str) -> RuleResult:
    lines = {
        (e.line, e.start_date)
        for e in _exposures(facts, "chemotherapy")
        if e.setting is Setting.METASTATIC
    }
    return RuleResult(
        len(lines) >= int(count),
        f"{len(lines)} chemotherapy line(s) for metastatic disease (needs >= {count})",
    )


def _on_first_line_ai_cdk46(facts: PlanFacts, _: str) -> RuleResult:
    line = facts.ongoing
    if line is None or line.progressed or line.setting is not Setting.METASTATIC:
        return RuleResult(False, "not on a first-line regimen")
    vocabulary = drug_vocabulary()
    classes = {c for a in line.agents if (d := vocabulary.lookup(a.name)) for c in d.classes}
    ok = (line.line in (None, 1)) and {"aromatase_inhibitor", "cdk46_inhibitor"} <= classes
    return RuleResult(ok, _line_label(line))


def _disease_free_interval(facts: PlanFacts, _: str) -> RuleResult:
    diagnosis = facts.case.primary_diagnosis
    if diagnosis.de_novo_metastatic:
        return RuleResult(True, "de novo metastatic")
    curative = [
        t
        for t in facts.case.treatments
        if t.setting in (Setting.ADJUVANT, Setting.NEOADJUVANT)
        and any(
            (d := drug_vocabulary().lookup(a.name)) and "chemotherapy" in d.classes
            for a in t.agents
        )
    ]
    recurrence = diagnosis.metastatic_recurrence_date
    if not curative:
        return RuleResult(True, "no curative-intent chemotherapy recorded")
    ends = [t.stop_date for t in curative]
    if recurrence is None or any(end is None for end in ends):
        return RuleResult(None, "disease-free interval unknown (recurrence or stop date missing)")
    last = max(end for end in ends if end is not None)
    months = (recurrence - last).days / 30.44
    return RuleResult(
        recurrence - last >= _SIX_MONTHS,
        f"disease-free interval {months:.1f} months after curative chemotherapy "
        f"(ended {last.isoformat()}, recurrence {recurrence.isoformat()}; needs >= 6)",
    )


def _not_pdl1_candidate(facts: PlanFacts, _: str) -> RuleResult:
    transplant = [
        c.condition
        for c in facts.case.comorbidities
        if c.category is ComorbidityCategory.ORGAN_TRANSPLANT and c.status == "active"
    ]
    if transplant:
        return RuleResult(True, f"not a PD-(L)1 candidate: {', '.join(transplant)}")
    cps = [
        b
        for b in facts.case.biomarkers
        if isinstance(b, PDL1Result) and b.assay.value == "22C3" and b.scoring.value == "CPS"
    ]
    if not cps:
        return RuleResult(None, "PD-L1 22C3 CPS not tested: test first (CPS >= 10 favours ICI)")
    latest = max(cps, key=lambda b: b.date)
    return RuleResult(
        latest.value < 10, f"PD-L1 22C3 CPS {latest.value:g} ({latest.date.isoformat()})"
    )


def _site(facts: PlanFacts, sites: set[SiteName], active: bool) -> RuleResult:
    found = sorted(s.value for s in (facts.active_sites if active else facts.sites) & sites)
    return RuleResult(bool(found), ", ".join(found) or "none recorded")


def _gonadal_suppression(facts: PlanFacts, _: str) -> RuleResult:
    patient = facts.case.patient
    if patient.sex.value == "male":
        return RuleResult(True, "male: GnRH agonist advised with an aromatase inhibitor")
    return _premenopausal(facts, _)


def _premenopausal(facts: PlanFacts, _: str) -> RuleResult:
    status = facts.case.patient.menopausal_status
    if status in (MenopausalStatus.PREMENOPAUSAL, MenopausalStatus.PERIMENOPAUSAL):
        return RuleResult(True, f"{status.value}: ovarian function suppression required")
    if status is MenopausalStatus.UNKNOWN and facts.case.patient.sex.value == "female":
        return RuleResult(None, "menopausal status unknown: confirm before endocrine therapy")
    return RuleResult(False, status.value)


def _hr_positive(facts: PlanFacts, _: str) -> RuleResult:
    return RuleResult(facts.hr_positive, "hormone receptors")


RULES: dict[str, Rule] = {
    "endocrine_sensitive": _endocrine_sensitive,
    "not_endocrine_resistant": _not_endocrine_resistant,
    "not_endocrine_sensitive": _not_endocrine_sensitive,
    "visceral_crisis": _visceral,
    "prior_class": _prior_class,
    "progressed_on_class": _progressed_on_class,
    "no_progression_on_class": _no_progression_on_class,
    "no_progression_on_agent": _no_progression_on_agent,
    "no_prior_agent": _no_prior_agent,
    "min_metastatic_chemo_lines": _min_metastatic_chemo_lines,
    "on_first_line_ai_cdk46": _on_first_line_ai_cdk46,
    "disease_free_interval_6_months": _disease_free_interval,
    "not_pdl1_candidate": _not_pdl1_candidate,
    "bone_metastases": lambda facts, _: _site(facts, {SiteName.BONE}, active=False),
    "active_brain_metastases": lambda facts, _: _site(facts, {SiteName.BRAIN}, active=True),
    "gonadal_suppression": _gonadal_suppression,
    "premenopausal": _premenopausal,
    "hormone_receptor_positive": _hr_positive,
}


def evaluate(rule: str, facts: PlanFacts) -> RuleResult:
    """Evaluate ``rule`` (``name`` or ``name:argument``) for ``facts``."""
    name, _, argument = rule.partition(":")
    return RULES[name](facts, argument)
