"""Organ-function, blood-count and immune-history safety checks.

Registered by :mod:`oncoboard.planning.safety` (``_BY_AGENT`` / ``_BY_CLASS``):

- ``neutrophils`` and ``platelets``: myelosuppressive classes (cytotoxic chemotherapy, CDK4/6
  inhibitors, PARP inhibitors, topoisomerase-I and anti-HER2 antibody-drug conjugates);
- ``renal function``: agents whose label sets creatinine-clearance bands (zoledronic acid,
  capecitabine, olaparib, talazoparib, carboplatin, cisplatin, trastuzumab deruxtecan);
- ``hepatic transaminases``: agents with a label hepatotoxicity warning (ribociclib,
  abemaciclib, tucatinib, neratinib, lapatinib, trastuzumab emtansine);
- ``immune history``: immune checkpoint inhibitors (autoimmune disease, organ transplant).

The latest result by date is used. A value that was never measured gives ``unknown`` with the
test to order, never ``ok`` (unknown is not negative). Thresholds are those of the labels as
known to the author; every citation is marked ``verified=False`` until re-checked against the
retrieved label text.

References
----------
- Taxotere (docetaxel) prescribing information: neutropenia (do not give if neutrophils
  < 1500 cells/mm3).
- Trodelvy (sacituzumab govitecan) prescribing information: neutropenia (withhold if
  ANC < 1500/mm3 on day 1).
- Ibrance (palbociclib) prescribing information: dose modification for haematologic toxicity.
- Talzenna (talazoparib) prescribing information: myelosuppression; renal impairment.
- Enhertu (trastuzumab deruxtecan) prescribing information: neutropenia, thrombocytopenia;
  ILD in moderate renal impairment.
- Kadcyla (trastuzumab emtansine) prescribing information: thrombocytopenia; boxed warning
  hepatotoxicity.
- Paraplatin (carboplatin) prescribing information: bone-marrow suppression; renal impairment.
- Cisplatin prescribing information: nephrotoxicity.
- Zometa (zoledronic acid) prescribing information: dosing by creatinine clearance.
- Xeloda (capecitabine) prescribing information: renal impairment.
- Lynparza (olaparib) prescribing information: renal impairment.
- Kisqali (ribociclib), Verzenio (abemaciclib), Tukysa (tucatinib), Nerlynx (neratinib),
  Tykerb (lapatinib) prescribing information: hepatotoxicity.
- Keytruda (pembrolizumab) prescribing information, section 5.1: immune-mediated adverse
  reactions.
- KEYNOTE-355 (NCT02819518): eligibility criteria.
- Galsky MD et al. Lancet Oncol 2011;12:211-214: consensus definition of cisplatin-unfit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import Case, ComorbidityCategory, Evidence, EvidenceSource, LabResult, LabTest
from oncoboard.planning._checks_common import SafetyCheck, SafetyStatus, active, label, latest

__all__ = [
    "MYELOSUPPRESSIVE_CLASSES",
    "RENAL_AGENTS",
    "TRANSAMINASE_AGENTS",
    "hepatic_transaminases",
    "immune_history",
    "neutrophils",
    "platelets",
    "renal_function",
]

MYELOSUPPRESSIVE_CLASSES: tuple[str, ...] = (
    "chemotherapy",
    "cdk46_inhibitor",
    "parp_inhibitor",
    "topoisomerase1_adc",
    "anti_her2_adc",
)


def _agent_classes(agent: str) -> frozenset[str]:
    drug = drug_vocabulary().lookup(agent)
    return drug.classes if drug else frozenset()


def _class_evidence(agent: str, table: Mapping[str, Evidence]) -> tuple[Evidence, ...]:
    """The class references of ``agent``'s classes, in table order, without duplicates."""
    classes = _agent_classes(agent)
    found: list[Evidence] = []
    for drug_class, evidence in table.items():
        if drug_class in classes and evidence not in found:
            found.append(evidence)
    # An agent outside the vocabulary still gets a citation: the chemotherapy reference.
    return tuple(found) or (table["chemotherapy"],)


def _value(lab: LabResult, unit_label: str) -> str:
    """``0.8 x 10^9/L (2025-01-10)``, with the value as recorded when it was converted."""
    text = f"{lab.in_canonical_unit():g} {unit_label} ({lab.date})"
    if lab.unit != lab.canonical_unit:
        text += f" [recorded {lab.value:g} {lab.unit}]"
    return text


# --- blood counts ----------------------------------------------------------------------------

_NEUTROPHIL_EVIDENCE: dict[str, Evidence] = {
    "chemotherapy": label(
        "Taxotere (docetaxel)",
        "Class reference for cytotoxic chemotherapy: do not administer if neutrophils "
        "< 1500 cells/mm3; blood counts before each cycle",
        verified=False,
    ),
    "topoisomerase1_adc": label(
        "Trodelvy (sacituzumab govitecan)",
        "Neutropenia: withhold if ANC < 1500/mm3 on day 1 of any cycle (or < 1000/mm3 on day 8)",
        verified=False,
    ),
    "cdk46_inhibitor": label(
        "Ibrance (palbociclib)",
        "Dose modification for haematologic toxicity: grade 3 neutropenia "
        "(ANC 500-<1000/mm3) on day 1 of a cycle: withhold, repeat the blood count within "
        "1 week and resume when grade <= 2",
        verified=False,
    ),
    "parp_inhibitor": label(
        "Talzenna (talazoparib)",
        "Myelosuppression: do not start until recovered from haematological toxicity of "
        "prior therapy; neutrophils < 1000/uL: withhold until >= 1500/uL",
        verified=False,
    ),
    "anti_her2_adc": label(
        "Enhertu (trastuzumab deruxtecan)",
        "Neutropenia: grade 3 (ANC 0.5-<1.0 x 10^9/L): interrupt until grade <= 2",
        verified=False,
    ),
}

_PLATELET_EVIDENCE: dict[str, Evidence] = {
    "chemotherapy": label(
        "Paraplatin (carboplatin)",
        "Class reference for cytotoxic chemotherapy: do not repeat a course until platelets "
        ">= 100,000/mm3",
        verified=False,
    ),
    "anti_her2_adc": label(
        "Kadcyla (trastuzumab emtansine)",
        "Thrombocytopenia: platelet count before each dose; grade 3 (25,000-<50,000/mm3): "
        "do not give until recovered to grade <= 1 (>= 75,000/mm3)",
        verified=False,
    ),
    "parp_inhibitor": label(
        "Talzenna (talazoparib)",
        "Myelosuppression: platelets < 50,000/uL: withhold until >= 75,000/uL, then resume "
        "at a reduced dose",
        verified=False,
    ),
    "cdk46_inhibitor": label(
        "Ibrance (palbociclib)",
        "Dose modification for haematologic toxicity: grade 3 thrombocytopenia "
        "(25,000-<50,000/mm3) on day 1 of a cycle: withhold until grade <= 2",
        verified=False,
    ),
    "topoisomerase1_adc": label(
        "Enhertu (trastuzumab deruxtecan)",
        "Thrombocytopenia: grade 3 (platelets 25-<50 x 10^9/L): interrupt until grade <= 1",
        verified=False,
    ),
}

_COUNT_UNIT = "x 10^9/L"


def neutrophils(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Myelosuppressive agents: absolute neutrophil count before starting."""
    evidence = _class_evidence(agent, _NEUTROPHIL_EVIDENCE)
    rule = "myelosuppressive agent: ANC < 1.0 x 10^9/L set aside; < 1.5 x 10^9/L caution"
    anc = latest(case, LabTest.ANC)
    if anc is None:
        status, detail = SafetyStatus.UNKNOWN, "ANC not recorded: full blood count first"
    else:
        value = anc.in_canonical_unit()
        found = f"ANC {_value(anc, _COUNT_UNIT)}"
        if value < 1.0:
            status = SafetyStatus.SET_ASIDE
            detail = f"{found}: do not start; grade 3 neutropenia or worse"
        elif value < 1.5:
            status = SafetyStatus.CAUTION
            detail = f"{found}: withhold until ANC >= 1.5 x 10^9/L"
        else:
            status, detail = SafetyStatus.OK, found
    yield SafetyCheck(
        agent=agent, check="neutrophils", status=status, detail=detail, rule=rule, evidence=evidence
    )


def platelets(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Myelosuppressive agents: platelet count before starting."""
    evidence = _class_evidence(agent, _PLATELET_EVIDENCE)
    rule = "myelosuppressive agent: platelets < 50 x 10^9/L set aside; < 100 x 10^9/L caution"
    count = latest(case, LabTest.PLATELETS)
    if count is None:
        status, detail = SafetyStatus.UNKNOWN, "platelet count not recorded: full blood count first"
    else:
        value = count.in_canonical_unit()
        found = f"platelets {_value(count, _COUNT_UNIT)}"
        if value < 50:
            status = SafetyStatus.SET_ASIDE
            detail = f"{found}: do not start; grade 3 thrombocytopenia or worse"
        elif value < 100:
            status = SafetyStatus.CAUTION
            detail = f"{found}: withhold until platelets >= 100 x 10^9/L"
        else:
            status, detail = SafetyStatus.OK, found
    yield SafetyCheck(
        agent=agent, check="platelets", status=status, detail=detail, rule=rule, evidence=evidence
    )


# --- renal function --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Band:
    """A creatinine-clearance band: ``value < below`` or ``value <= at_most`` (mL/min)."""

    status: SafetyStatus
    advice: str
    below: float | None = None
    at_most: float | None = None

    def matches(self, value: float) -> bool:
        if self.below is not None:
            return value < self.below
        return self.at_most is not None and value <= self.at_most


@dataclass(frozen=True, slots=True)
class _RenalRule:
    """An agent's renal bands, most severe first, with its rule text and citations."""

    rule: str
    bands: tuple[_Band, ...]
    evidence: tuple[Evidence, ...]


_RENAL: dict[str, _RenalRule] = {
    "zoledronic acid": _RenalRule(
        rule="zoledronic acid: CrCl < 30 mL/min set aside; 30-60 mL/min caution (reduced dose)",
        bands=(
            _Band(
                SafetyStatus.SET_ASIDE,
                "not recommended in severe renal impairment (CrCl < 30 mL/min)",
                below=30,
            ),
            _Band(
                SafetyStatus.CAUTION,
                "reduce dose per label table (3.5 mg at 50-60, 3.3 mg at 40-49, 3.0 mg at "
                "30-39 mL/min); creatinine before each dose",
                at_most=60,
            ),
        ),
        evidence=(
            label(
                "Zometa (zoledronic acid)",
                "Bone metastases: dose by baseline CrCl (> 60 mL/min 4 mg; 50-60 3.5 mg; "
                "40-49 3.3 mg; 30-39 3.0 mg); not recommended if CrCl < 30 mL/min",
                verified=False,
            ),
        ),
    ),
    "capecitabine": _RenalRule(
        rule="capecitabine: CrCl < 30 mL/min set aside; 30-50 mL/min caution (75% dose)",
        bands=(
            _Band(
                SafetyStatus.SET_ASIDE,
                "contraindicated in severe renal impairment (CrCl < 30 mL/min)",
                below=30,
            ),
            _Band(
                SafetyStatus.CAUTION,
                "reduce to 75% of the starting dose (1250 to 950 mg/m2 twice daily)",
                at_most=50,
            ),
        ),
        evidence=(
            label(
                "Xeloda (capecitabine)",
                "Renal impairment: contraindicated if CrCl < 30 mL/min (Cockcroft-Gault); "
                "CrCl 30-50 mL/min: reduce to 75% of the starting dose",
                verified=False,
            ),
        ),
    ),
    "olaparib": _RenalRule(
        rule="olaparib: CrCl <= 30 mL/min caution (not studied); 31-50 mL/min caution "
        "(200 mg twice daily)",
        bands=(
            _Band(
                SafetyStatus.CAUTION,
                "severe renal impairment or ESRD (CrCl <= 30 mL/min): not studied",
                at_most=30,
            ),
            _Band(SafetyStatus.CAUTION, "reduce to 200 mg twice daily", at_most=50),
        ),
        evidence=(
            label(
                "Lynparza (olaparib)",
                "Renal impairment: CrCl 31-50 mL/min: 200 mg twice daily; CrCl <= 30 mL/min "
                "or ESRD: not studied",
                verified=False,
            ),
        ),
    ),
    "talazoparib": _RenalRule(
        rule="talazoparib: CrCl < 15 mL/min set aside; 15-29 mL/min caution (0.5 mg daily); "
        "30-59 mL/min caution (0.75 mg daily)",
        bands=(
            _Band(
                SafetyStatus.SET_ASIDE,
                "CrCl < 15 mL/min or dialysis: not studied",
                below=15,
            ),
            _Band(SafetyStatus.CAUTION, "reduce to 0.5 mg once daily", below=30),
            _Band(SafetyStatus.CAUTION, "reduce to 0.75 mg once daily", below=60),
        ),
        evidence=(
            label(
                "Talzenna (talazoparib)",
                "Renal impairment: CrCl 30-59 mL/min: 0.75 mg once daily; 15-29 mL/min: "
                "0.5 mg once daily; < 15 mL/min or haemodialysis: not studied",
                verified=False,
            ),
        ),
    ),
    "carboplatin": _RenalRule(
        rule="carboplatin: CrCl < 60 mL/min caution (dose by Calvert formula)",
        bands=(
            _Band(
                SafetyStatus.CAUTION,
                "dose by Calvert formula on measured/estimated GFR",
                below=60,
            ),
        ),
        evidence=(
            label(
                "Paraplatin (carboplatin)",
                "Renal impairment: CrCl < 60 mL/min increases the risk of severe "
                "myelosuppression; dose reduction or AUC dosing (Calvert formula: "
                "dose = target AUC x (GFR + 25))",
                verified=False,
            ),
        ),
    ),
    "cisplatin": _RenalRule(
        rule="cisplatin: CrCl < 60 mL/min set aside (cisplatin-ineligible)",
        bands=(
            _Band(
                SafetyStatus.SET_ASIDE,
                "cisplatin-ineligible by usual criteria; consider carboplatin",
                below=60,
            ),
        ),
        evidence=(
            label(
                "cisplatin",
                "Nephrotoxicity: cumulative and dose-related; measure creatinine clearance "
                "before each course; reduce or avoid in renal impairment",
                verified=False,
            ),
            Evidence(
                source=EvidenceSource.CONSENSUS,
                id="Galsky MD et al. Lancet Oncol 2011;12:211-214",
                title="Consensus definition of cisplatin-unfit: creatinine clearance < 60 mL/min "
                "among the criteria",
                verified=False,
            ),
        ),
    ),
    "trastuzumab deruxtecan": _RenalRule(
        rule="trastuzumab deruxtecan: CrCl < 30 mL/min caution (dosage not established); "
        "30-<60 mL/min caution (higher ILD incidence)",
        bands=(
            _Band(
                SafetyStatus.CAUTION,
                "severe renal impairment: recommended dosage not established; monitor "
                "closely for ILD",
                below=30,
            ),
            _Band(
                SafetyStatus.CAUTION,
                "moderate renal impairment: higher ILD incidence, monitor closely",
                below=60,
            ),
        ),
        evidence=(
            label(
                "Enhertu (trastuzumab deruxtecan)",
                "Renal impairment: higher incidence of grade 1-2 ILD/pneumonitis in moderate "
                "renal impairment (CrCl 30-<60 mL/min), monitor more frequently; dosage in "
                "severe renal impairment (CrCl < 30 mL/min) not established",
                verified=False,
            ),
        ),
    ),
}

RENAL_AGENTS: tuple[str, ...] = tuple(_RENAL)


def renal_function(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Agents dosed by creatinine clearance; eGFR stands in when CrCl was not recorded."""
    table = _RENAL[agent]
    crcl = latest(case, LabTest.CREATININE_CLEARANCE)
    egfr = latest(case, LabTest.EGFR)
    if crcl is not None:
        measured, found = crcl, f"CrCl {_value(crcl, 'mL/min')}"
    elif egfr is not None:
        measured = egfr
        found = (
            f"eGFR {_value(egfr, 'mL/min/1.73m2')} used because creatinine clearance was not "
            "recorded (label bands are by Cockcroft-Gault CrCl)"
        )
    else:
        yield SafetyCheck(
            agent=agent,
            check="renal function",
            status=SafetyStatus.UNKNOWN,
            detail="creatinine clearance not recorded: creatinine and Cockcroft-Gault CrCl first",
            rule=table.rule,
            evidence=table.evidence,
        )
        return
    value = measured.in_canonical_unit()
    band = next((b for b in table.bands if b.matches(value)), None)
    status = band.status if band else SafetyStatus.OK
    detail = f"{found}: {band.advice}" if band else found
    yield SafetyCheck(
        agent=agent,
        check="renal function",
        status=status,
        detail=detail,
        rule=table.rule,
        evidence=table.evidence,
    )


# --- hepatic transaminases -------------------------------------------------------------------

_TRANSAMINASE_EVIDENCE: dict[str, Evidence] = {
    "ribociclib": label(
        "Kisqali (ribociclib)",
        "Hepatobiliary toxicity: liver function tests before starting, every 2 weeks for the "
        "first 2 cycles, at the start of each of the next 4 cycles; interrupt for grade 3 "
        "AST/ALT (> 5-20 x ULN)",
        verified=False,
    ),
    "abemaciclib": label(
        "Verzenio (abemaciclib)",
        "Hepatotoxicity: liver function tests before starting, every 2 weeks for 2 months, "
        "monthly for the next 2 months; suspend for grade 3 AST/ALT (> 5-20 x ULN)",
        verified=False,
    ),
    "tucatinib": label(
        "Tukysa (tucatinib)",
        "Hepatotoxicity: ALT, AST and bilirubin before starting and every 3 weeks; hold for "
        "grade 3 AST/ALT (> 5-20 x ULN)",
        verified=False,
    ),
    "neratinib": label(
        "Nerlynx (neratinib)",
        "Hepatotoxicity: liver tests before starting, monthly for 3 months, then every "
        "3 months; hold for grade 3 AST/ALT (> 5-20 x ULN)",
        verified=False,
    ),
    "lapatinib": label(
        "Tykerb (lapatinib)",
        "Boxed warning, hepatotoxicity: liver function tests before starting and every "
        "4-6 weeks; discontinue for severe changes",
        verified=False,
    ),
    "trastuzumab emtansine": label(
        "Kadcyla (trastuzumab emtansine)",
        "Boxed warning, hepatotoxicity: transaminases and bilirubin before each dose; "
        "grade 3 AST/ALT (> 5-20 x ULN): do not give until grade <= 2",
        verified=False,
    ),
}

TRANSAMINASE_AGENTS: tuple[str, ...] = tuple(_TRANSAMINASE_EVIDENCE)


def hepatic_transaminases(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Agents with a hepatotoxicity warning: AST and ALT as multiples of the ULN."""
    evidence = (_TRANSAMINASE_EVIDENCE[agent],)
    rule = f"{agent}: AST or ALT > 5 x ULN set aside; > 3 x ULN caution"
    found: list[str] = []
    ratios: list[float] = []
    missing_uln = False
    for name, test in (("AST", LabTest.AST), ("ALT", LabTest.ALT)):
        lab = latest(case, test)
        if lab is None:
            found.append(f"{name} not recorded")
        elif (ratio := lab.times_uln()) is None:
            missing_uln = True
            found.append(f"{name} {lab.value:g} {lab.unit} ({lab.date}): ULN not given")
        else:
            ratios.append(ratio)
            found.append(f"{name} {lab.value:g} {lab.unit} = {ratio:.1f} x ULN ({lab.date})")
    if not ratios and not missing_uln:
        status = SafetyStatus.UNKNOWN
        detail = "AST and ALT not recorded: liver function tests first"
    else:
        worst = max(ratios, default=0.0)
        status = (
            SafetyStatus.SET_ASIDE
            if worst > 5
            else SafetyStatus.CAUTION
            if worst > 3
            else SafetyStatus.UNKNOWN
            if missing_uln
            else SafetyStatus.OK
        )
        detail = "; ".join(found)
        if status is SafetyStatus.UNKNOWN:
            detail += ": cannot grade without the laboratory upper limit of normal"
    yield SafetyCheck(
        agent=agent,
        check="hepatic transaminases",
        status=status,
        detail=detail,
        rule=rule,
        evidence=evidence,
    )


# --- immune history --------------------------------------------------------------------------

_IMMUNE_EVIDENCE = (
    label(
        "Keytruda (pembrolizumab)",
        "Class reference for PD-1/PD-L1 inhibitors, section 5.1: severe and fatal "
        "immune-mediated adverse reactions in any organ; solid organ transplant rejection "
        "reported after marketing",
        verified=False,
    ),
    Evidence(
        source=EvidenceSource.TRIAL,
        id="NCT02819518",
        title="KEYNOTE-355: excluded active autoimmune disease that needed systemic treatment "
        "in the past 2 years, and prior allogeneic tissue or solid organ transplant",
        verified=False,
    ),
)


def immune_history(case: Case, agent: str) -> Iterator[SafetyCheck]:
    """Immune checkpoint inhibitors: active autoimmune disease or organ transplant."""
    rule = "checkpoint inhibitor: organ transplant set aside; active autoimmune disease caution"
    transplant = active(case, ComorbidityCategory.ORGAN_TRANSPLANT)
    autoimmune = active(case, ComorbidityCategory.AUTOIMMUNE_DISEASE)
    recorded = ", ".join([*transplant, *autoimmune])
    if transplant:
        status = SafetyStatus.SET_ASIDE
        detail = f"{recorded}: risk of rejection; trials excluded transplant recipients"
    elif autoimmune:
        status = SafetyStatus.CAUTION
        detail = (
            f"{recorded}: risk of flare; trials excluded active autoimmune disease needing "
            "systemic treatment in the past 2 years"
        )
    else:
        status, detail = SafetyStatus.OK, "no autoimmune disease or transplant recorded"
    yield SafetyCheck(
        agent=agent,
        check="immune history",
        status=status,
        detail=detail,
        rule=rule,
        evidence=_IMMUNE_EVIDENCE,
    )
