"""Safety checks of a candidate regimen against the patient: labs, organ function,
comorbidities, interacting medications and supplements, performance status.

Each check names the agent, the rule, what was found and its label or trial source. A lab that
was never measured gives ``unknown`` with the test to order, never ``ok``.

References
----------
Product labels as summarised in the Oncoboard MBC fact sheet, section 7 (alpelisib,
inavolisib, capivasertib, trastuzumab deruxtecan, ribociclib, trastuzumab, elacestrant,
palbociclib, abemaciclib, everolimus, tamoxifen); ABC5 consensus for hepatic visceral crisis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum

from oncoboard.knowledge import drug_vocabulary
from oncoboard.knowledge.interactions import interactions
from oncoboard.model import (
    Case,
    ComorbidityCategory,
    Evidence,
    EvidenceSource,
    LabResult,
    LabTest,
    MenopausalStatus,
)
from oncoboard.model._base import CaseModel

__all__ = ["SafetyCheck", "SafetyStatus", "safety_checks"]


class SafetyStatus(StrEnum):
    """Outcome of one check."""

    OK = "ok"
    CAUTION = "caution"
    SET_ASIDE = "set_aside"  # contraindicated or outside the label/trial population now
    UNKNOWN = "unknown"  # the value needed was not recorded


class SafetyCheck(CaseModel):
    """One check of one agent."""

    agent: str
    check: str
    status: SafetyStatus
    detail: str
    rule: str
    evidence: tuple[Evidence, ...]


def _label(drug: str, what: str, verified: bool = True) -> Evidence:
    return Evidence(
        source=EvidenceSource.FDA_LABEL,
        id=f"{drug} prescribing information",
        title=what,
        verified=verified,
    )


def _latest(case: Case, test: LabTest) -> LabResult | None:
    return max(
        (lab for lab in case.labs if lab.test is test), key=lambda lab: lab.date, default=None
    )


def _active(case: Case, category: ComorbidityCategory) -> list[str]:
    return [
        c.condition for c in case.comorbidities if c.category is category and c.status == "active"
    ]


Check = Callable[[Case, str], Iterator[SafetyCheck]]


def _glycaemia(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """PI3K/AKT inhibitors: HbA1c and fasting glucose before starting."""
    evidence = (
        _label(
            agent,
            "Hyperglycaemia: check fasting glucose and HbA1c and optimise "
            "before starting; not studied in type 1 or uncontrolled type 2 diabetes; "
            "CAPItello-291 excluded HbA1c > 8.0%",
        ),
    )
    rule = "PI3K/AKT inhibitor: HbA1c > 8.0% set aside; > 6.4% or diabetes caution"
    hba1c = _latest(case, LabTest.HBA1C)
    diabetes = _active(case, ComorbidityCategory.DIABETES)
    if hba1c is None:
        yield SafetyCheck(
            agent=agent,
            check="glycaemia",
            status=SafetyStatus.UNKNOWN,
            detail="HbA1c not recorded: measure HbA1c and fasting glucose first",
            rule=rule,
            evidence=evidence,
        )
        return
    value = hba1c.in_canonical_unit()
    if value > 8.0:
        status, detail = SafetyStatus.SET_ASIDE, f"HbA1c {value:.1f}% ({hba1c.date}) > 8.0%"
    elif value > 6.4 or diabetes:
        status = SafetyStatus.CAUTION
        detail = f"HbA1c {value:.1f}% ({hba1c.date})" + (
            f"; {', '.join(diabetes)}" if diabetes else ""
        )
    else:
        status, detail = SafetyStatus.OK, f"HbA1c {value:.1f}% ({hba1c.date})"
    yield SafetyCheck(
        agent=agent, check="glycaemia", status=status, detail=detail, rule=rule, evidence=evidence
    )


def _lvef(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """HER2-directed antibodies and ADCs: LVEF before and during treatment."""
    evidence = (
        _label(
            "Herceptin (trastuzumab)",
            "Assess LVEF before starting and every 3 "
            "months; withhold for an absolute fall >= 16% or below the lower limit "
            "of normal with a fall >= 10%",
        ),
        _label(
            "Enhertu (T-DXd)",
            "Interrupt if LVEF < 40%, or 40-45% with a fall >= 10%",
            verified=False,
        ),
    )
    rule = "anti-HER2: LVEF < 40% set aside; 40-50% caution"
    lvef = _latest(case, LabTest.LVEF)
    if lvef is None:
        yield SafetyCheck(
            agent=agent,
            check="LVEF",
            status=SafetyStatus.UNKNOWN,
            detail="LVEF not recorded: echocardiogram or MUGA first",
            rule=rule,
            evidence=evidence,
        )
        return
    status = (
        SafetyStatus.SET_ASIDE
        if lvef.value < 40
        else SafetyStatus.CAUTION
        if lvef.value < 50
        else SafetyStatus.OK
    )
    yield SafetyCheck(
        agent=agent,
        check="LVEF",
        status=status,
        detail=f"LVEF {lvef.value:g}% ({lvef.date})",
        rule=rule,
        evidence=evidence,
    )


def _qtc(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Ribociclib: start only if QTcF < 450 ms; avoid QT-prolonging drugs."""
    evidence = (
        _label(
            "Kisqali (ribociclib)",
            "QT prolongation: start only if QTcF < 450 ms; "
            "ECG at baseline, about day 14 and cycle 2; avoid QT-prolonging drugs",
        ),
    )
    rule = "ribociclib: QTcF >= 450 ms or long QT set aside; QT-prolonging drug caution"
    qtcf = _latest(case, LabTest.QTCF)
    long_qt = _active(case, ComorbidityCategory.LONG_QT)
    qt_drugs = [
        m.name for m in case.medications if "qt_prolonging" in interactions().groups_of(m.name)
    ]
    if long_qt or (qtcf is not None and qtcf.value >= 450):
        found = ", ".join(long_qt)
        if qtcf is not None and qtcf.value >= 450:
            found = "; ".join(filter(None, (found, f"QTcF {qtcf.value:g} ms ({qtcf.date})")))
        yield SafetyCheck(
            agent=agent,
            check="QTc",
            status=SafetyStatus.SET_ASIDE,
            detail=found,
            rule=rule,
            evidence=evidence,
        )
    elif qtcf is None:
        yield SafetyCheck(
            agent=agent,
            check="QTc",
            status=SafetyStatus.UNKNOWN,
            detail="QTcF not recorded: baseline ECG first",
            rule=rule,
            evidence=evidence,
        )
    else:
        status = SafetyStatus.CAUTION if qt_drugs else SafetyStatus.OK
        detail = f"QTcF {qtcf.value:g} ms ({qtcf.date})" + (
            f"; QT-prolonging: {', '.join(qt_drugs)}" if qt_drugs else ""
        )
        yield SafetyCheck(
            agent=agent, check="QTc", status=status, detail=detail, rule=rule, evidence=evidence
        )


def _ild(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Deruxtecan ADCs: interstitial lung disease / pneumonitis."""
    evidence = (
        _label(
            agent,
            "ILD/pneumonitis (T-DXd pooled 12%, fatal 1%); grade >= 2: stop "
            "permanently; trials excluded ILD that needed steroids",
        ),
    )
    rule = "deruxtecan ADC: active ILD set aside; resolved ILD caution"
    ild = [
        c for c in case.comorbidities if c.category is ComorbidityCategory.INTERSTITIAL_LUNG_DISEASE
    ]
    active = [c.condition for c in ild if c.status == "active"]
    status = SafetyStatus.SET_ASIDE if active else SafetyStatus.CAUTION if ild else SafetyStatus.OK
    detail = ", ".join(f"{c.condition} ({c.status})" for c in ild) or "no ILD recorded"
    yield SafetyCheck(
        agent=agent, check="ILD", status=status, detail=detail, rule=rule, evidence=evidence
    )


_CYP3A_RULES = {
    "palbociclib": "avoid strong CYP3A inhibitors (if unavoidable reduce the dose) and strong "
    "inducers",
    "ribociclib": "avoid strong CYP3A inhibitors (if unavoidable reduce to 400 mg) and strong "
    "inducers",
    "abemaciclib": "avoid ketoconazole; other strong CYP3A inhibitors: reduce to 100 mg bid; "
    "avoid strong/moderate inducers",
    "capivasertib": "avoid strong CYP3A4 inhibitors; moderate inhibitors: reduce the dose; "
    "avoid strong inducers",
    "elacestrant": "avoid strong or moderate CYP3A4 inhibitors and inducers",
    "everolimus": "avoid strong CYP3A4/P-gp inhibitors; moderate: reduce; strong inducers: "
    "increase",
}


def _cyp3a(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """CYP3A substrates: strong/moderate inhibitors and inducers among medications, foods and
    supplements (grapefruit, St John's wort)."""
    table = interactions()
    names = [m.name for m in case.medications]
    if case.lifestyle is not None:
        names += case.lifestyle.diet_supplements
    hits = [(n, g) for n in names for g in table.groups_of(n) if "cyp3a" in g]
    strong = [n for n, g in hits if g.startswith("strong")]
    status = (
        SafetyStatus.SET_ASIDE
        if strong and agent == "elacestrant"
        else SafetyStatus.CAUTION
        if hits
        else SafetyStatus.OK
    )
    detail = (
        "; ".join(f"{n} ({g.replace('_', ' ')})" for n, g in hits)
        or "no CYP3A inhibitor or inducer recorded"
    )
    evidence = (
        _label(agent, _CYP3A_RULES[agent]),
        Evidence(
            source=EvidenceSource.GUIDELINE,
            id=table.source,
            title=f"interaction table {table.version}",
            verified=table.verified,
        ),
    )
    yield SafetyCheck(
        agent=agent,
        check="CYP3A interactions",
        status=status,
        detail=detail,
        rule=f"{agent}: {_CYP3A_RULES[agent]}",
        evidence=evidence,
    )


def _cyp2d6(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Tamoxifen: strong CYP2D6 inhibitors lower endoxifen."""
    hits = [
        m.name
        for m in case.medications
        if "strong_cyp2d6_inhibitors" in interactions().groups_of(m.name)
    ]
    yield SafetyCheck(
        agent=agent,
        check="CYP2D6 interactions",
        status=SafetyStatus.CAUTION if hits else SafetyStatus.OK,
        detail=", ".join(hits) or "no strong CYP2D6 inhibitor recorded",
        rule="tamoxifen: avoid strong CYP2D6 inhibitors (paroxetine, fluoxetine, bupropion)",
        evidence=(
            _label(
                "tamoxifen",
                "Strong CYP2D6 inhibitors lower endoxifen; CYP2D6 "
                "genotyping not recommended (NCCN)",
                verified=False,
            ),
        ),
    )


def _general(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Every systemic agent: performance status, hepatic crisis signal, pregnancy potential."""
    ps = max(case.performance_status, key=lambda p: p.date, default=None)
    if ps is None:
        yield SafetyCheck(
            agent=agent,
            check="performance status",
            status=SafetyStatus.UNKNOWN,
            detail="ECOG not recorded",
            rule="ECOG >= 3: caution",
            evidence=(_PIVOTAL_ECOG,),
        )
    elif ps.ecog >= 3:
        yield SafetyCheck(
            agent=agent,
            check="performance status",
            status=SafetyStatus.CAUTION,
            detail=f"ECOG {ps.ecog} ({ps.date})",
            rule="ECOG >= 3: caution",
            evidence=(_PIVOTAL_ECOG,),
        )
    bilirubin = _latest(case, LabTest.TOTAL_BILIRUBIN)
    gilbert = _active(case, ComorbidityCategory.GILBERT_SYNDROME)
    if bilirubin is not None and (ratio := bilirubin.times_uln()) is not None and ratio > 1.5:
        detail = f"bilirubin {ratio:.1f} x ULN ({bilirubin.date})" + (
            "; Gilbert syndrome recorded" if gilbert else "; possible hepatic visceral crisis"
        )
        yield SafetyCheck(
            agent=agent,
            check="hepatic function",
            status=SafetyStatus.CAUTION,
            detail=detail,
            rule="bilirubin > 1.5 x ULN without Gilbert syndrome: "
            "hepatic visceral crisis (favour rapidly effective therapy)",
            evidence=(_ABC5,),
        )
    if case.patient.menopausal_status in (
        MenopausalStatus.PREMENOPAUSAL,
        MenopausalStatus.PERIMENOPAUSAL,
    ):
        yield SafetyCheck(
            agent=agent,
            check="pregnancy potential",
            status=SafetyStatus.CAUTION,
            detail="pre/perimenopausal: pregnancy test and effective contraception",
            rule="embryo-fetal toxicity warnings",
            evidence=(_label(agent, "Embryo-fetal toxicity", verified=False),),
        )


_PIVOTAL_ECOG = Evidence(
    source=EvidenceSource.TRIAL,
    id="pivotal MBC trials (ECOG 0-1)",
    title="Pivotal trials enrolled ECOG 0-1; benefit at ECOG >= 3 is unproven",
    verified=False,
)
_ABC5 = Evidence(
    source=EvidenceSource.CONSENSUS,
    id="ESO-ESMO ABC5 (Ann Oncol 2020)",
    title="Visceral crisis; hepatic: bilirubin > 1.5 x ULN without Gilbert syndrome "
    "or biliary obstruction",
)

_BY_AGENT: dict[str, tuple[Check, ...]] = {
    "alpelisib": (_glycaemia,),
    "inavolisib": (_glycaemia,),
    "capivasertib": (_glycaemia, _cyp3a),
    "ribociclib": (_qtc, _cyp3a),
    "palbociclib": (_cyp3a,),
    "abemaciclib": (_cyp3a,),
    "elacestrant": (_cyp3a,),
    "everolimus": (_cyp3a,),
    "tamoxifen": (_cyp2d6,),
    "trastuzumab deruxtecan": (_lvef, _ild),
    "datopotamab deruxtecan": (_ild,),
}
_BY_CLASS: dict[str, tuple[Check, ...]] = {
    "anti_her2_antibody": (_lvef,),
    "anti_her2_adc": (_lvef,),
}


def safety_checks(case: Case, agents: Iterable[str]) -> list[SafetyCheck]:
    """All safety checks of ``agents`` (vocabulary names or aliases) for ``case``."""
    vocabulary = drug_vocabulary()
    results: list[SafetyCheck] = []
    for name in agents:
        drug = vocabulary.lookup(name)
        generic = drug.name if drug else name
        checks = list(_BY_AGENT.get(generic, ()))
        for drug_class in sorted(drug.classes) if drug else ():
            checks += [c for c in _BY_CLASS.get(drug_class, ()) if c not in checks]
        checks.append(_general)
        for check in checks:
            results.extend(check(case, generic))
    return results
