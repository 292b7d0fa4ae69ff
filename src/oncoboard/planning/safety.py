"""Safety checks of a candidate regimen against the patient: labs, organ function,
comorbidities, interacting medications and supplements, performance status.

Each check names the agent, the rule, what was found and its label or trial source. A lab that
was never measured gives ``unknown`` with the test to order, never ``ok``.

References
----------
Product labels as summarised in the Oncoboard MBC fact sheet, section 7 (alpelisib,
inavolisib, capivasertib, trastuzumab deruxtecan, ribociclib, trastuzumab, elacestrant,
palbociclib, abemaciclib, everolimus, tamoxifen); ABC5 consensus for hepatic visceral crisis.
Blood counts, renal function, hepatic transaminases and immune history: the labels and trial
listed in :mod:`oncoboard.planning._organ_checks`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from oncoboard.knowledge import drug_vocabulary
from oncoboard.knowledge.interactions import interactions
from oncoboard.model import (
    Case,
    ComorbidityCategory,
    Evidence,
    EvidenceSource,
    LabTest,
    MenopausalStatus,
)
from oncoboard.planning._checks_common import Check, SafetyCheck, SafetyStatus
from oncoboard.planning._checks_common import active as _active
from oncoboard.planning._checks_common import label as _label
from oncoboard.planning._checks_common import latest as _latest
from oncoboard.planning._organ_checks import (
    hepatic_transaminases,
    immune_history,
    neutrophils,
    platelets,
    renal_function,
)

__all__ = ["SafetyCheck", "SafetyStatus", "safety_checks"]


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


def _everolimus_glycaemia(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Everolimus: hyperglycaemia (fact sheet section 7); a caution, not a contraindication."""
    evidence = (
        _label(
            "Afinitor (everolimus)",
            "Hyperglycaemia: fasting glucose before "
            "starting and periodically; optimise glycaemic control first",
            verified=False,
        ),
    )
    rule = "everolimus: HbA1c > 6.4% or diabetes caution"
    hba1c = _latest(case, LabTest.HBA1C)
    diabetes = _active(case, ComorbidityCategory.DIABETES)
    if hba1c is None:
        status, detail = SafetyStatus.UNKNOWN, "HbA1c not recorded: measure fasting glucose first"
    else:
        value = hba1c.in_canonical_unit()
        status = SafetyStatus.CAUTION if value > 6.4 or diabetes else SafetyStatus.OK
        detail = f"HbA1c {value:.1f}% ({hba1c.date})" + (
            f"; {', '.join(diabetes)}" if diabetes else ""
        )
    yield SafetyCheck(
        agent=agent, check="glycaemia", status=status, detail=detail, rule=rule, evidence=evidence
    )


def _docetaxel_liver(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Docetaxel: not to be given with bilirubin above the upper limit of normal."""
    evidence = (
        _label(
            "Taxotere (docetaxel)",
            "Boxed warning: do not give if bilirubin > ULN, or AST/ALT > 1.5 x ULN with "
            "alkaline phosphatase > 2.5 x ULN (higher risk of severe toxicity and death)",
            verified=False,
        ),
    )
    rule = "docetaxel: bilirubin > ULN set aside"
    bilirubin = _latest(case, LabTest.TOTAL_BILIRUBIN)
    ratio = bilirubin.times_uln() if bilirubin is not None else None
    if bilirubin is None or ratio is None:
        status = SafetyStatus.UNKNOWN
        detail = "bilirubin (with its ULN) not recorded: liver function tests first"
    else:
        status = SafetyStatus.SET_ASIDE if ratio > 1.0 else SafetyStatus.OK
        detail = f"bilirubin {ratio:.1f} x ULN ({bilirubin.date})"
    yield SafetyCheck(
        agent=agent,
        check="docetaxel liver",
        status=status,
        detail=detail,
        rule=rule,
        evidence=evidence,
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
    "ribociclib": (_qtc, _cyp3a, hepatic_transaminases),
    "palbociclib": (_cyp3a,),
    "abemaciclib": (_cyp3a, hepatic_transaminases),
    "elacestrant": (_cyp3a,),
    "everolimus": (_cyp3a, _everolimus_glycaemia),
    "docetaxel": (_docetaxel_liver,),
    "tamoxifen": (_cyp2d6,),
    "trastuzumab deruxtecan": (_lvef, _ild, renal_function),
    "datopotamab deruxtecan": (_ild,),
    "tucatinib": (hepatic_transaminases,),
    "neratinib": (hepatic_transaminases,),
    "lapatinib": (hepatic_transaminases,),
    "trastuzumab emtansine": (hepatic_transaminases,),
    "zoledronic acid": (renal_function,),
    "capecitabine": (renal_function,),
    "olaparib": (renal_function,),
    "talazoparib": (renal_function,),
    "carboplatin": (renal_function,),
    "cisplatin": (renal_function,),
}
_BY_CLASS: dict[str, tuple[Check, ...]] = {
    "anti_her2_antibody": (_lvef,),
    "anti_her2_adc": (_lvef, neutrophils, platelets),
    "chemotherapy": (neutrophils, platelets),
    "cdk46_inhibitor": (neutrophils, platelets),
    "parp_inhibitor": (neutrophils, platelets),
    "topoisomerase1_adc": (neutrophils, platelets),
    "immune_checkpoint_inhibitor": (immune_history,),
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
