"""Clinical scenario tests for the treatment planner, written from the MBC fact sheet
(/work/shared/reference/mbc-facts.md, sections 1A-1F, 3 and 7), not from the planner's output.

Each scenario is a small synthetic patient. The tests check that the options the fact sheet names
for that setting are among the top three ranked options, and that the safety rules of section 7
set options aside with a stated reason or attach a warning. "Set aside" is accepted either as an
entry of ``plan.excluded`` or as a ``PlannedAgent.set_aside`` note on an offered option, but
never as silence: a set-aside agent must come with a reason that names the measured value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from oncoboard.knowledge import drug_vocabulary
from oncoboard.planning import TreatmentOption, TreatmentPlan, plan_case

AS_OF = "2026-07-01"  # after every approval the fact sheet lists (compiled up to 25 Jun 2026)
LAB_DATE = "2026-06-22"
BIOPSY_DATE = "2026-06-05"
PROGRESSION = "2026-05-20"

# Chemotherapy agents of the drug vocabulary (class `chemotherapy`).
CHEMOTHERAPY = {
    "paclitaxel",
    "nab-paclitaxel",
    "docetaxel",
    "doxorubicin",
    "pegylated liposomal doxorubicin",
    "epirubicin",
    "cyclophosphamide",
    "capecitabine",
    "fluorouracil",
    "methotrexate",
    "gemcitabine",
    "carboplatin",
    "cisplatin",
    "vinorelbine",
    "eribulin",
    "ixabepilone",
}
OFS = {"goserelin", "leuprolide", "triptorelin"}
ORAL_SERD_OR_PROTAC = {"elacestrant", "imlunestrant", "vepdegestrant"}
PARP = {"olaparib", "talazoparib"}
NTRK = {"larotrectinib", "entrectinib", "repotrectinib"}
PLATINUM = {"carboplatin", "cisplatin"}
TDXD = "trastuzumab deruxtecan"
SG = "sacituzumab govitecan"
DATO = "datopotamab deruxtecan"
TDM1 = "trastuzumab emtansine"


# --------------------------------------------------------------------------------------------
# Case building blocks
# --------------------------------------------------------------------------------------------


def _patient(
    age: int = 64, menopausal_status: str = "postmenopausal", sex: str = "female"
) -> dict[str, Any]:
    return {"id": "T-1", "sex": sex, "age_years": age, "menopausal_status": menopausal_status}


def _primary(
    date: str = "2016-03-01", *, de_novo: bool = False, recurrence: str | None = None
) -> dict[str, Any]:
    diagnosis: dict[str, Any] = {"date": date, "histology": "invasive_ductal"}
    if de_novo:
        diagnosis["de_novo_metastatic"] = True
    if recurrence is not None:
        diagnosis["metastatic_recurrence_date"] = recurrence
    return diagnosis


def _receptors(er: float, pr: float, her2: str, *, ish: str | None = None) -> list[dict[str, Any]]:
    """ER/PR percent and HER2 IHC score on a biopsy of a metastasis (plus ISH if given)."""
    where = {"date": BIOPSY_DATE, "specimen": "metastasis", "specimen_site": "liver"}
    tests: list[dict[str, Any]] = [
        {"receptor": "ER", "percent": er, **where},
        {"receptor": "PR", "percent": pr, **where},
        {"receptor": "HER2", "method": "IHC", "ihc_score": her2, "ihc_antibody": "4B5", **where},
    ]
    if ish is not None:
        tests.append({"receptor": "HER2", "method": "FISH", "ish_result": ish, **where})
    return tests


HR_POS_HER2_ZERO = _receptors(95, 80, "0")
HR_POS_HER2_LOW = _receptors(90, 40, "1+")
HR_POS_HER2_ULTRALOW = _receptors(90, 30, "0+membrane")
HR_NEG_HER2_POS = _receptors(0, 0, "3+")
TNBC_HER2_ZERO = _receptors(0, 0, "0")
TNBC_HER2_LOW = _receptors(0, 0, "1+")

_NORMAL_LABS: dict[str, tuple[float, str, float | None]] = {
    "anc": (3.8, "10^9/L", None),
    "platelets": (245, "10^9/L", None),
    "hemoglobin": (12.9, "g/dL", None),
    "total_bilirubin": (0.6, "mg/dL", 1.2),
    "ast": (24, "U/L", 40),
    "alt": (21, "U/L", 40),
    "creatinine": (0.8, "mg/dL", 1.1),
    "creatinine_clearance": (88, "mL/min", None),
    "hba1c": (5.4, "%", None),
    "fasting_glucose": (92, "mg/dL", None),
    "lvef": (62, "%", None),
    "qtcf": (418, "ms", None),
}


def _labs(*extra: dict[str, Any], **overrides: float) -> list[dict[str, Any]]:
    """A full set of normal baseline labs on LAB_DATE, with values overridden by test name."""
    labs = []
    for test, (value, unit, uln) in _NORMAL_LABS.items():
        lab: dict[str, Any] = {
            "test": test,
            "value": overrides.get(test, value),
            "unit": unit,
            "date": LAB_DATE,
        }
        if uln is not None:
            lab["upper_limit_normal"] = uln
        labs.append(lab)
    return [*labs, *extra]


def _site(site: str, date: str = "2026-05-15", **flags: Any) -> dict[str, Any]:
    return {"site": site, "date": date, **flags}


def _ecog(score: int) -> list[dict[str, Any]]:
    return [{"date": LAB_DATE, "ecog": score}]


def _agents(agents: Iterable[str | dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": a} if isinstance(a, str) else a for a in agents]


def _adjuvant(*agents: str | dict[str, Any], start: str, stop: str, **extra: Any) -> dict:
    return {
        "setting": "adjuvant",
        "agents": _agents(agents),
        "start_date": start,
        "stop_date": stop,
        "reason_stopped": "completed",
        **extra,
    }


def _line(
    line: int, *agents: str | dict[str, Any], start: str, stop: str = PROGRESSION
) -> dict[str, Any]:
    """A metastatic line that ended with progression."""
    return {
        "id": f"L{line}",
        "setting": "metastatic",
        "line": line,
        "agents": _agents(agents),
        "start_date": start,
        "stop_date": stop,
        "reason_stopped": "progression",
        "progression_date": stop,
        "best_response": "PR",
    }


def _variant(gene: str, protein: str, coding: str | None = None, **extra: Any) -> dict:
    variant: dict[str, Any] = {"gene": gene, "hgvs_p": protein, **extra}
    if coding is not None:
        variant["hgvs_c"] = coding
    return variant


HR_GENES = ["PIK3CA", "AKT1", "PTEN", "ESR1", "ERBB2", "TP53"]
BROAD_GENES = [
    *HR_GENES,
    "BRCA1",
    "BRCA2",
    "PALB2",
    "BRAF",
    "NTRK1",
    "NTRK2",
    "NTRK3",
    "RET",
    "MLH1",
    "MSH2",
    "MSH6",
    "PMS2",
]


def _tissue_ngs(
    *,
    variants: Iterable[dict[str, Any]] = (),
    copy_number: Iterable[dict[str, Any]] = (),
    fusions: Iterable[dict[str, Any]] = (),
    tmb: float | None = 3.0,
    msi: str | None = "MSS",
    genes: list[str] | None = None,
    report_id: str = "NGS-TISSUE",
) -> dict[str, Any]:
    """FoundationOne CDx on a metastasis biopsy; genes not listed were not tested."""
    report: dict[str, Any] = {
        "id": report_id,
        "date": BIOPSY_DATE,
        "specimen_type": "tissue",
        "specimen_site": "metastasis core biopsy",
        "origin": "somatic",
        "assay": "FoundationOne CDx",
        "genes_tested": genes if genes is not None else BROAD_GENES,
        "variants": list(variants),
        "copy_number": list(copy_number),
        "fusions": list(fusions),
    }
    if tmb is not None:
        report["tmb"] = {"value": tmb, "panel_size_mb": 0.8}
    if msi is not None:
        report["msi"] = {"status": msi, "method": "NGS"}
    return report


def _plasma_ngs(
    *, variants: Iterable[dict[str, Any]] = (), assay: str = "Guardant360 CDx"
) -> dict[str, Any]:
    return {
        "id": "NGS-PLASMA",
        "date": "2026-05-28",
        "specimen_type": "plasma",
        "origin": "somatic",
        "assay": assay,
        "genes_tested": HR_GENES,
        "variants": list(variants),
        "tumor_fraction": 0.06,
    }


def _germline(*variants: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "GERMLINE",
        "date": "2026-05-28",
        "specimen_type": "blood",
        "origin": "germline",
        "assay": "BRACAnalysis CDx",
        "genes_tested": ["BRCA1", "BRCA2"],
        "variants": list(variants),
    }


PIK3CA_H1047R = _variant("PIK3CA", "p.H1047R", "c.3140A>G", vaf=0.31)
AKT1_E17K = _variant("AKT1", "p.E17K", "c.49G>A", vaf=0.22)
ESR1_D538G = _variant("ESR1", "p.D538G", "c.1613A>G", vaf=0.07)
BRAF_V600E = _variant("BRAF", "p.V600E", "c.1799T>A", vaf=0.28)
PTEN_DELETION = {"gene": "PTEN", "type": "deep_deletion", "copy_number": 0}
GBRCA1 = _variant("BRCA1", "p.E23Vfs*17", "c.68_69delAG", classification="pathogenic")
GBRCA2 = _variant("BRCA2", "p.S1982Rfs*22", "c.5946delT", classification="pathogenic")
WILD_TYPE_TISSUE = _tissue_ngs()
GERMLINE_NEGATIVE = _germline()


def _pdl1(cps: float) -> dict[str, Any]:
    return {"marker": "PD-L1", "date": BIOPSY_DATE, "assay": "22C3", "scoring": "CPS", "value": cps}


# Treatment histories.
ADJ_TC = _adjuvant("docetaxel", "cyclophosphamide", start="2016-04-01", stop="2016-06-10")
ADJ_ANASTROZOLE = _adjuvant("anastrozole", start="2016-07-01", stop="2021-07-01")
L1_LETROZOLE_PALBOCICLIB = _line(1, "letrozole", "palbociclib", start="2023-02-01")
ADJ_TNBC = _adjuvant(
    "doxorubicin", "cyclophosphamide", "paclitaxel", start="2021-02-01", stop="2021-07-30"
)
L1_THP = _line(
    1,
    {"name": "docetaxel", "stop_date": "2023-06-01", "reason_stopped": "completed"},
    "trastuzumab",
    "pertuzumab",
    start="2023-01-16",
)

# --------------------------------------------------------------------------------------------
# Scenarios: name -> case sections (merged into the minimal base case by `make_case`)
# --------------------------------------------------------------------------------------------

SCENARIOS: dict[str, dict[str, Any]] = {}


def _scenario(name: str, **sections: Any) -> str:
    sections.setdefault("patient", _patient())
    sections.setdefault("labs", _labs())
    sections.setdefault("performance_status", _ecog(1))
    SCENARIOS[name] = {"as_of": AS_OF, **sections}
    return name


def _hr_pos_1l(name: str, *, sites: list[dict[str, Any]] | None = None, **sections: Any) -> str:
    """Postmenopausal, de novo HR+/HER2- (IHC 0), bone and nodal disease, no prior therapy."""
    sections.setdefault("primary_diagnosis", _primary("2026-05-10", de_novo=True))
    sections.setdefault("receptors", HR_POS_HER2_ZERO)
    sections.setdefault("genomic_reports", [WILD_TYPE_TISSUE])
    return _scenario(
        name,
        metastatic_sites=sites if sites is not None else [_site("bone"), _site("lymph_node")],
        **sections,
    )


def _hr_pos_2l(name: str, *, reports: list[dict[str, Any]], **sections: Any) -> str:
    """Progressed on 1L letrozole + palbociclib after adjuvant TC and anastrozole."""
    sections.setdefault("receptors", HR_POS_HER2_ZERO)
    sections.setdefault("treatments", [ADJ_TC, ADJ_ANASTROZOLE, L1_LETROZOLE_PALBOCICLIB])
    return _scenario(
        name,
        primary_diagnosis=_primary("2016-03-01", recurrence="2023-01-10"),
        metastatic_sites=[
            _site("bone", "2023-01-10"),
            _site("lymph_node", "2023-01-10"),
            _site("liver", PROGRESSION),
        ],
        genomic_reports=reports,
        **sections,
    )


def _her2_pos(name: str, *, treatments: list[dict[str, Any]], **sections: Any) -> str:
    """HR-/HER2+ (IHC 3+), de novo metastatic in January 2023."""
    sections.setdefault("metastatic_sites", [_site("lung", "2023-01-05"), _site("lymph_node")])
    sections.setdefault("genomic_reports", [WILD_TYPE_TISSUE])
    return _scenario(
        name,
        primary_diagnosis=_primary("2023-01-05", de_novo=True),
        receptors=HR_NEG_HER2_POS,
        treatments=treatments,
        **sections,
    )


def _tnbc(
    name: str,
    *,
    treatments: list[dict[str, Any]] | None = None,
    recurrence: str = "2026-05-15",
    receptors: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> str:
    """TNBC relapsing after adjuvant AC-paclitaxel (disease-free interval well over 6 months)."""
    sections.setdefault("genomic_reports", [WILD_TYPE_TISSUE, GERMLINE_NEGATIVE])
    sections.setdefault("metastatic_sites", [_site("lung", recurrence), _site("lymph_node")])
    return _scenario(
        name,
        primary_diagnosis=_primary("2021-01-15", recurrence=recurrence),
        receptors=receptors if receptors is not None else TNBC_HER2_ZERO,
        treatments=treatments if treatments is not None else [ADJ_TNBC],
        **sections,
    )


# HR+/HER2- ---------------------------------------------------------------------------------
HR_1L_SENSITIVE = _hr_pos_1l("hr_pos_1l_endocrine_sensitive")
HR_1L_PREMENOPAUSAL = _hr_pos_1l("hr_pos_1l_premenopausal", patient=_patient(41, "premenopausal"))
HR_1L_VISCERAL_CRISIS = _hr_pos_1l(
    "hr_pos_1l_visceral_crisis",
    sites=[_site("liver"), _site("lung"), _site("bone")],
    visceral_crisis={
        "date": "2026-06-20",
        "organs": ["liver"],
        "detail": "diffuse liver metastases with rapidly rising liver tests and ascites",
    },
)
_BILIRUBIN_RISING = {
    "test": "total_bilirubin",
    "value": 1.0,
    "unit": "mg/dL",
    "date": "2026-05-25",
    "upper_limit_normal": 1.2,
}
HR_1L_HEPATIC_BILIRUBIN = _hr_pos_1l(
    "hr_pos_1l_bilirubin_2x_uln",
    sites=[_site("liver"), _site("bone")],
    labs=_labs(_BILIRUBIN_RISING, total_bilirubin=2.4),
)
HR_1L_BILIRUBIN_GILBERT = _hr_pos_1l(
    "hr_pos_1l_bilirubin_2x_uln_gilbert",
    sites=[_site("liver"), _site("bone")],
    labs=_labs(_BILIRUBIN_RISING, total_bilirubin=2.4),
    comorbidities=[{"condition": "Gilbert syndrome", "category": "gilbert_syndrome"}],
)
HR_1L_QTCF = _hr_pos_1l("hr_pos_1l_qtcf_472", labs=_labs(qtcf=472))
HR_1L_CLARITHROMYCIN = _hr_pos_1l(
    "hr_pos_1l_clarithromycin",
    medications=[{"name": "clarithromycin", "dose": "500 mg bid", "start_date": "2026-06-18"}],
)
HR_1L_ITRACONAZOLE = _hr_pos_1l(
    "hr_pos_1l_itraconazole",
    medications=[{"name": "itraconazole", "dose": "200 mg daily", "start_date": "2026-06-01"}],
)
HR_1L_ST_JOHNS_WORT = _hr_pos_1l(
    "hr_pos_1l_st_johns_wort", lifestyle={"diet_supplements": ["St John's wort"]}
)
HR_1L_GRAPEFRUIT = _hr_pos_1l(
    "hr_pos_1l_grapefruit", lifestyle={"diet_supplements": ["grapefruit"]}
)
HR_1L_BRAIN = _hr_pos_1l(
    "hr_pos_1l_active_brain_metastases",
    sites=[
        _site("bone"),
        _site("brain", detail="two lesions, 8 and 14 mm", symptomatic=True, active=True),
    ],
)
HR_1L_LEPTOMENINGEAL = _hr_pos_1l(
    "hr_pos_1l_leptomeningeal",
    sites=[_site("bone"), _site("leptomeningeal", detail="CSF cytology positive")],
)
HR_1L_CRCL_25 = _hr_pos_1l(
    "hr_pos_1l_bone_crcl_25", labs=_labs(creatinine=2.1, creatinine_clearance=25)
)
HR_1L_RESISTANT = _hr_pos_1l(
    "hr_pos_1l_endocrine_resistant",
    primary_diagnosis=_primary("2021-03-01", recurrence="2026-05-15"),
    treatments=[
        {
            "setting": "adjuvant",
            "agents": [{"name": "anastrozole"}],
            "start_date": "2021-05-01",
            "stop_date": "2026-05-15",
            "reason_stopped": "progression",
            "progression_date": "2026-05-15",
        }
    ],
)
HR_1L_RESISTANT_PIK3CA = _hr_pos_1l(
    "hr_pos_1l_endocrine_resistant_pik3ca",
    primary_diagnosis=_primary("2021-03-01", recurrence="2026-05-15"),
    treatments=[
        {
            "setting": "adjuvant",
            "agents": [{"name": "anastrozole"}],
            "start_date": "2021-05-01",
            "stop_date": "2026-05-15",
            "reason_stopped": "progression",
            "progression_date": "2026-05-15",
        }
    ],
    genomic_reports=[
        WILD_TYPE_TISSUE,
        _plasma_ngs(variants=[PIK3CA_H1047R], assay="FoundationOne Liquid CDx"),
    ],
)

HR_2L_ESR1 = _hr_pos_2l(
    "hr_pos_2l_esr1_plasma",
    reports=[WILD_TYPE_TISSUE, _plasma_ngs(variants=[ESR1_D538G]), GERMLINE_NEGATIVE],
)
HR_2L_PIK3CA = _hr_pos_2l(
    "hr_pos_2l_pik3ca",
    reports=[_tissue_ngs(variants=[PIK3CA_H1047R]), _plasma_ngs(), GERMLINE_NEGATIVE],
)
HR_2L_AKT1 = _hr_pos_2l(
    "hr_pos_2l_akt1", reports=[_tissue_ngs(variants=[AKT1_E17K]), _plasma_ngs(), GERMLINE_NEGATIVE]
)
HR_2L_PTEN = _hr_pos_2l(
    "hr_pos_2l_pten_loss",
    reports=[_tissue_ngs(copy_number=[PTEN_DELETION]), _plasma_ngs(), GERMLINE_NEGATIVE],
)
HR_2L_NO_BIOMARKER = _hr_pos_2l(
    "hr_pos_2l_no_biomarker", reports=[WILD_TYPE_TISSUE, _plasma_ngs(), GERMLINE_NEGATIVE]
)
HR_2L_GBRCA = _hr_pos_2l(
    "hr_pos_2l_gbrca2", reports=[WILD_TYPE_TISSUE, _plasma_ngs(), _germline(GBRCA2)]
)
HR_2L_PIK3CA_UNTESTED = _hr_pos_2l("hr_pos_2l_pik3ca_never_tested", reports=[])
HR_2L_HBA1C = _hr_pos_2l(
    "hr_pos_2l_pik3ca_hba1c_8_4",
    reports=[_tissue_ngs(variants=[PIK3CA_H1047R]), _plasma_ngs(), GERMLINE_NEGATIVE],
    labs=_labs(hba1c=8.4, fasting_glucose=168),
    comorbidities=[{"condition": "type 2 diabetes mellitus", "category": "diabetes"}],
    medications=[{"name": "metformin", "dose": "1000 mg bid", "start_date": "2015-01-01"}],
)

_ET_EXHAUSTED = [
    ADJ_ANASTROZOLE,
    _line(1, "letrozole", "palbociclib", start="2023-02-01", stop="2024-09-01"),
    _line(2, "exemestane", "everolimus", start="2024-09-15"),
]
_ET_REPORTS = [WILD_TYPE_TISSUE, _plasma_ngs(), GERMLINE_NEGATIVE]
HR_HER2_LOW_ET_EXHAUSTED = _hr_pos_2l(
    "hr_pos_her2_low_et_exhausted",
    reports=_ET_REPORTS,
    receptors=HR_POS_HER2_LOW,
    treatments=_ET_EXHAUSTED,
)
HR_HER2_ULTRALOW_ET_EXHAUSTED = _hr_pos_2l(
    "hr_pos_her2_ultralow_et_exhausted",
    reports=_ET_REPORTS,
    receptors=HR_POS_HER2_ULTRALOW,
    treatments=_ET_EXHAUSTED,
)
HR_AFTER_CHEMO = _hr_pos_2l(
    "hr_pos_her2_zero_after_chemotherapy",
    reports=_ET_REPORTS,
    treatments=[
        ADJ_TC,
        ADJ_ANASTROZOLE,
        _line(1, "letrozole", "palbociclib", start="2023-02-01", stop="2024-06-01"),
        _line(2, "fulvestrant", "everolimus", start="2024-06-15", stop="2025-04-01"),
        _line(3, "capecitabine", start="2025-04-15"),
    ],
)

# HER2+ -------------------------------------------------------------------------------------
HER2_1L = _scenario(
    "her2_pos_1l",
    primary_diagnosis=_primary("2026-05-10", de_novo=True),
    receptors=HR_NEG_HER2_POS,
    metastatic_sites=[_site("liver"), _site("lung"), _site("lymph_node")],
    genomic_reports=[WILD_TYPE_TISSUE],
)
HER2_2L = _her2_pos("her2_pos_2l", treatments=[L1_THP])
_L2_TDXD = _line(2, TDXD, start="2024-10-01")
_L1_THP_EARLY = _line(
    1,
    {"name": "docetaxel", "stop_date": "2023-06-01", "reason_stopped": "completed"},
    "trastuzumab",
    "pertuzumab",
    start="2023-01-16",
    stop="2024-09-10",
)
HER2_3L = _her2_pos("her2_pos_3l", treatments=[_L1_THP_EARLY, _L2_TDXD])
HER2_BRAIN = _her2_pos(
    "her2_pos_2l_active_brain_metastases",
    treatments=[L1_THP],
    metastatic_sites=[
        _site("lung", "2023-01-05"),
        _site("brain", PROGRESSION, detail="three lesions up to 12 mm", active=True),
    ],
)
HER2_LVEF_35 = _her2_pos("her2_pos_2l_lvef_35", treatments=[L1_THP], labs=_labs(lvef=35))
HER2_ILD = _her2_pos(
    "her2_pos_2l_active_ild",
    treatments=[L1_THP],
    comorbidities=[
        {
            "condition": "interstitial lung disease (idiopathic pulmonary fibrosis)",
            "category": "interstitial_lung_disease",
            "status": "active",
        }
    ],
)

# TNBC --------------------------------------------------------------------------------------
TNBC_1L_CPS_HIGH = _tnbc("tnbc_1l_pdl1_cps_20", biomarkers=[_pdl1(20)])
TNBC_1L_CPS_LOW = _tnbc("tnbc_1l_pdl1_cps_3", biomarkers=[_pdl1(3)])
TNBC_1L_PDL1_UNTESTED = _tnbc("tnbc_1l_pdl1_not_tested")
TNBC_1L_GBRCA = _tnbc(
    "tnbc_1l_gbrca1",
    biomarkers=[_pdl1(2)],
    genomic_reports=[WILD_TYPE_TISSUE, _germline(GBRCA1)],
)
TNBC_1L_ECOG3 = _tnbc("tnbc_1l_ecog_3", biomarkers=[_pdl1(3)], performance_status=_ecog(3))
_TNBC_L1 = _line(1, "paclitaxel", "pembrolizumab", start="2025-02-01")
TNBC_2L_HER2_LOW = _tnbc(
    "tnbc_2l_her2_low",
    recurrence="2025-01-10",
    receptors=TNBC_HER2_LOW,
    treatments=[ADJ_TNBC, _TNBC_L1],
    biomarkers=[_pdl1(15)],
)
TNBC_2L_ORAL = _tnbc(
    "tnbc_2l_prefers_oral",
    recurrence="2025-01-10",
    receptors=TNBC_HER2_LOW,
    treatments=[ADJ_TNBC, _TNBC_L1],
    biomarkers=[_pdl1(15)],
    preferences={"route": "oral"},
)
TNBC_2L_ANC = _tnbc(
    "tnbc_2l_anc_0_8",
    recurrence="2025-01-10",
    receptors=TNBC_HER2_LOW,
    treatments=[ADJ_TNBC, _TNBC_L1],
    biomarkers=[_pdl1(15)],
    labs=_labs(anc=0.8),
)


def _tnbc_3l(name: str, report: dict[str, Any]) -> str:
    """TNBC (HER2 0) after 1L paclitaxel and 2L sacituzumab govitecan: a pretreated patient."""
    return _tnbc(
        name,
        recurrence="2024-06-10",
        treatments=[
            ADJ_TNBC,
            _line(1, "paclitaxel", start="2024-07-01", stop="2025-03-01"),
            _line(2, SG, start="2025-03-20"),
        ],
        biomarkers=[_pdl1(2)],
        genomic_reports=[report, GERMLINE_NEGATIVE],
    )


AGNOSTIC_MSI = _tnbc_3l("agnostic_msi_high", _tissue_ngs(msi="MSI-H", tmb=None))
AGNOSTIC_TMB = _tnbc_3l("agnostic_tmb_14", _tissue_ngs(tmb=14.0))
AGNOSTIC_NTRK = _tnbc_3l(
    "agnostic_ntrk_fusion",
    _tissue_ngs(fusions=[{"gene_5p": "ETV6", "gene_3p": "NTRK3", "in_frame": True}]),
)
AGNOSTIC_RET = _tnbc_3l(
    "agnostic_ret_fusion",
    _tissue_ngs(fusions=[{"gene_5p": "CCDC6", "gene_3p": "RET", "in_frame": True}]),
)
AGNOSTIC_BRAF = _tnbc_3l("agnostic_braf_v600e", _tissue_ngs(variants=[BRAF_V600E]))


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

_PLANS: dict[str, TreatmentPlan] = {}


def _plan(make_case: Any, name: str) -> TreatmentPlan:
    """Plan a scenario once per test session."""
    if name not in _PLANS:
        _PLANS[name] = plan_case(make_case(**SCENARIOS[name]))
    return _PLANS[name]


@pytest.fixture
def plan_for(make_case: Any):
    return lambda name: _plan(make_case, name)


def _chosen(opt: TreatmentOption) -> set[str]:
    """The agents the option actually proposes."""
    return {a.agent for a in opt.agents}


def _names(opt: TreatmentOption) -> set[str]:
    """Chosen agents plus the alternatives that can fill their roles."""
    return _chosen(opt) | {alt for a in opt.agents for alt in a.alternatives}


def _top(plan: TreatmentPlan, n: int = 3) -> tuple[TreatmentOption, ...]:
    return plan.options[:n]


def _has(plan: TreatmentPlan, agents: set[str], n: int = 3) -> bool:
    """An option among the top ``n`` offers all ``agents`` (chosen or as an alternative)."""
    return any(agents <= _names(opt) for opt in _top(plan, n))


def _has_any(plan: TreatmentPlan, agents: set[str], n: int = 3) -> bool:
    return any(_names(opt) & agents for opt in _top(plan, n))


def _offered(plan: TreatmentPlan, agent: str) -> list[TreatmentOption]:
    """Systemic options that propose ``agent`` (chosen or as an alternative)."""
    return [opt for opt in plan.options if agent in _names(opt)]


def _excluded(plan: TreatmentPlan, agent: str) -> list[Any]:
    return [ex for ex in plan.excluded if agent in ex.agents]


def _set_aside_reasons(plan: TreatmentPlan, agent: str) -> list[str]:
    """Reasons ``agent`` was set aside: excluded entries naming it, or set_aside notes."""
    reasons = [reason for ex in _excluded(plan, agent) for reason in ex.reasons]
    for opt in (*plan.options, *plan.supportive_and_local):
        for planned in opt.agents:
            reasons += [
                note for note in planned.set_aside if note.split(":", 1)[0].strip().lower() == agent
            ]
    return reasons


def _assert_set_aside(plan: TreatmentPlan, agent: str, *keys: str) -> None:
    """``agent`` is not proposed by any option, and a stated reason mentions one of ``keys``.

    (Whether a set-aside agent may still be listed as an *alternative* is checked once, across
    all scenarios, by ``test_set_aside_agents_are_not_also_offered``.)"""
    proposing = [opt.regimen_id for opt in plan.options if agent in _chosen(opt)]
    assert not proposing, f"{agent} still proposed by {proposing}: {_summary(plan)}"
    reasons = _set_aside_reasons(plan, agent)
    assert reasons, f"{agent} silently absent; expected a set-aside reason ({keys})"
    assert any(key.lower() in reason.lower() for reason in reasons for key in keys), (
        f"{agent} set aside without mentioning {keys}: {reasons}"
    )


def _warnings(opt: TreatmentOption, check: str) -> list[Any]:
    return [w for w in opt.warnings if w.check == check]


def _is_endocrine(opt: TreatmentOption) -> bool:
    return "endocrine_therapy" in opt.classes or bool(
        {"aromatase_inhibitor", "serd", "cdk46_inhibitor"} & set(opt.classes)
    )


def _summary(plan: TreatmentPlan, n: int = 6) -> str:
    """Readable ranked options and exclusions, for assertion messages."""
    ranked = "; ".join(
        f"{opt.rank}:{opt.regimen_id}[{', '.join(sorted(_chosen(opt)))}]"
        for opt in plan.options[:n]
    )
    excluded = "; ".join(f"{ex.regimen_id}: {' | '.join(ex.reasons)}" for ex in plan.excluded)
    return f"options: {ranked} || excluded: {excluded}"


# --------------------------------------------------------------------------------------------
# HR+/HER2-
# --------------------------------------------------------------------------------------------


def test_hr_pos_1l_endocrine_sensitive(plan_for):
    """fact sheet §3 HR+/HER2- 1L endocrine-sensitive: AI + CDK4/6i (+OFS if premenopausal);
    §1F PALOMA-2, MONALEESA-2, MONARCH-3."""
    plan = plan_for(HR_1L_SENSITIVE)
    assert plan.subtype == "HR+/HER2-"
    assert plan.line == 1
    assert plan.endocrine_sensitivity == "sensitive"
    assert any(
        {"aromatase_inhibitor", "cdk46_inhibitor"} <= set(opt.classes) for opt in _top(plan)
    ), _summary(plan)


def test_hr_pos_1l_ribociclib_preferred_cdk46i(plan_for):
    """fact sheet §3 HR+/HER2- 1L: 'ribociclib has significant OS gains in all 3 MONALEESA
    trials, palbociclib none' -> with a normal QTcF, the AI + CDK4/6i option should choose
    ribociclib (the others stay as alternatives)."""
    plan = plan_for(HR_1L_SENSITIVE)
    ai_cdk = [o for o in _top(plan) if {"aromatase_inhibitor", "cdk46_inhibitor"} <= set(o.classes)]
    assert ai_cdk, _summary(plan)
    assert "ribociclib" in _chosen(ai_cdk[0]), _summary(plan)


def test_hr_pos_1l_endocrine_resistant(plan_for):
    """fact sheet §3 HR+/HER2- 1L endocrine-resistant (relapse during or <=12 mo after adjuvant
    AI): F + CDK4/6i."""
    plan = plan_for(HR_1L_RESISTANT)
    assert plan.line == 1
    assert plan.endocrine_sensitivity == "resistant"
    assert any(
        "fulvestrant" in _names(opt) and "cdk46_inhibitor" in opt.classes for opt in _top(plan)
    ), _summary(plan)


def test_hr_pos_1l_endocrine_resistant_pik3ca(plan_for):
    """fact sheet §3 HR+/HER2- 1L endocrine-resistant: PIK3CA-mut -> inavolisib + palbociclib
    + F (§1A INAVO120: relapse during or <=12 mo after adjuvant ET; plasma F1 Liquid CDx)."""
    plan = plan_for(HR_1L_RESISTANT_PIK3CA)
    assert plan.endocrine_sensitivity == "resistant"
    assert _has(plan, {"inavolisib", "palbociclib", "fulvestrant"}), _summary(plan)


def test_hr_pos_1l_premenopausal_needs_ofs(plan_for):
    """fact sheet §3 HR+/HER2- 1L: AI + CDK4/6i (+ OFS if premenopausal); §1F OFS 'required
    for premenopausal women on AI, F or CDK4/6i regimens' (MONALEESA-7)."""
    plan = plan_for(HR_1L_PREMENOPAUSAL)
    ai_cdk = [o for o in _top(plan) if {"aromatase_inhibitor", "cdk46_inhibitor"} <= set(o.classes)]
    assert ai_cdk, _summary(plan)
    assert _names(ai_cdk[0]) & OFS, _summary(plan)
    needs_ofs = [
        o
        for o in plan.options
        if {"aromatase_inhibitor", "serd", "cdk46_inhibitor"} & set(o.classes)
    ]
    for opt in needs_ofs:
        assert "ovarian_function_suppression" in opt.classes, f"{opt.regimen_id} lacks OFS"


def test_hr_pos_1l_visceral_crisis_chemotherapy_first(plan_for):
    """fact sheet §3 HR+/HER2- 1L aggressive / visceral crisis: chemotherapy (combination if
    crisis); §3 Visceral crisis: needs the most rapidly effective therapy (ABC5)."""
    plan = plan_for(HR_1L_VISCERAL_CRISIS)
    assert plan.visceral_crisis
    first = plan.options[0]
    assert "chemotherapy" in first.classes, _summary(plan)
    assert len(_chosen(first) & CHEMOTHERAPY) >= 2, "combination chemotherapy in a crisis"
    for opt in plan.options:
        if _is_endocrine(opt) and "chemotherapy" not in opt.classes:
            assert opt.rank > first.rank or _warnings(opt, "visceral crisis"), opt.regimen_id


@pytest.mark.parametrize(
    ("scenario", "crisis"),
    [
        pytest.param(HR_1L_HEPATIC_BILIRUBIN, True, id="bilirubin_2x_uln"),
        pytest.param(HR_1L_BILIRUBIN_GILBERT, False, id="bilirubin_2x_uln_gilbert"),
    ],
)
def test_hepatic_visceral_crisis_from_bilirubin(plan_for, scenario, crisis):
    """fact sheet §0 and §3 Visceral crisis: hepatic crisis = rapidly rising bilirubin >1.5x
    ULN without Gilbert syndrome or biliary obstruction (ABC) -> chemotherapy first. With
    Gilbert syndrome the same bilirubin is not a hepatic crisis."""
    plan = plan_for(scenario)
    if crisis:
        assert plan.visceral_crisis, "bilirubin 2.4 mg/dL (2x ULN), rising, liver metastases"
        assert "bilirubin" in plan.visceral_crisis.lower()
        assert "chemotherapy" in plan.options[0].classes, _summary(plan)
    else:
        assert plan.visceral_crisis is None


def test_hr_pos_2l_esr1_plasma(plan_for):
    """fact sheet §3 HR+/HER2- 2L (after CDK4/6i): ESR1m -> elacestrant / imlunestrant /
    vepdegestrant; §1A ESR1 mutation in plasma ctDNA (Guardant360 CDx), after >=1 line of ET."""
    plan = plan_for(HR_2L_ESR1)
    assert plan.line == 2
    assert _has_any(plan, ORAL_SERD_OR_PROTAC), _summary(plan)


def test_hr_pos_2l_pik3ca(plan_for):
    """fact sheet §3 HR+/HER2- 2L: PIK3CA/AKT1/PTEN -> capivasertib + F; PIK3CA -> alpelisib + F
    (no head-to-head data; choose by toxicity). §1A SOLAR-1, CAPItello-291 (tissue)."""
    plan = plan_for(HR_2L_PIK3CA)
    assert _has(plan, {"capivasertib", "fulvestrant"}), _summary(plan)
    assert _has(plan, {"alpelisib", "fulvestrant"}), _summary(plan)


@pytest.mark.parametrize("scenario", [HR_2L_AKT1, HR_2L_PTEN])
def test_hr_pos_2l_akt1_or_pten(plan_for, scenario):
    """fact sheet §1A CAPItello-291: PIK3CA / AKT1 / PTEN alteration -> capivasertib + F;
    alpelisib is for PIK3CA mutations only (SOLAR-1), and PTEN loss confers resistance to
    alpelisib (§2)."""
    plan = plan_for(scenario)
    assert _has(plan, {"capivasertib", "fulvestrant"}), _summary(plan)
    assert not any("alpelisib" in _chosen(opt) for opt in plan.options), _summary(plan)


def test_hr_pos_2l_no_biomarker(plan_for):
    """fact sheet §3 HR+/HER2- 2L: everolimus + exemestane/F in any genotype (BOLERO-2);
    fulvestrant-based endocrine therapy (§1F PALOMA-3, MONARCH-2)."""
    plan = plan_for(HR_2L_NO_BIOMARKER)
    assert any(
        {"everolimus", "exemestane"} <= _names(opt) or "fulvestrant" in _names(opt)
        for opt in _top(plan)
    ), _summary(plan)


def test_hr_pos_2l_prior_progression_not_reused(plan_for):
    """Progressed on palbociclib + letrozole in line 1 -> that regimen (AI + CDK4/6i) is not
    offered again at line 2 (fact sheet §3 HR+/HER2- 2L 'after CDK4/6i'; re-challenge data is
    for switching the endocrine partner: MAINTAIN, postMONARCH)."""
    plan = plan_for(HR_2L_NO_BIOMARKER)
    for opt in plan.options:
        assert not {"palbociclib", "letrozole"} <= _chosen(opt), _summary(plan)
        assert not {"aromatase_inhibitor", "cdk46_inhibitor"} <= set(opt.classes), _summary(plan)
    for ex in plan.excluded:
        if {"palbociclib", "letrozole"} <= set(ex.agents):
            assert any("progress" in r.lower() for r in ex.reasons), ex.reasons


def test_hr_pos_2l_gbrca(plan_for):
    """fact sheet §3 HR+/HER2- 2L: gBRCA -> PARPi; §1B olaparib (prior chemotherapy incl.
    (neo)adjuvant; HR+ must have had ET) / talazoparib."""
    plan = plan_for(HR_2L_GBRCA)
    assert _has_any(plan, PARP), _summary(plan)


@pytest.mark.parametrize(
    "scenario", [HR_HER2_LOW_ET_EXHAUSTED, HR_HER2_ULTRALOW_ET_EXHAUSTED], ids=["low", "ultralow"]
)
def test_hr_pos_et_exhausted_her2_low_or_ultralow_tdxd(plan_for, scenario):
    """fact sheet §3 HR+/HER2- ET exhausted: HER2-low/ultralow -> T-DXd (DB-06/DB-04); §1D
    DESTINY-Breast06: HR+ HER2-low or ultralow after >=1 ET in the metastatic setting,
    chemotherapy-naive (FDA 27 Jan 2025)."""
    plan = plan_for(scenario)
    assert _has(plan, {TDXD}), _summary(plan)


def test_hr_pos_after_chemotherapy(plan_for):
    """fact sheet §3 HR+/HER2- ET exhausted: Dato-DXd; SG; single-agent chemotherapy; §1D
    TROPION-Breast01 (after ET and 1-2 chemotherapy lines), TROPiCS-02. HER2 IHC 0 without
    membrane staining is HER2-null: not eligible for T-DXd (§0; DB-06/DB-04 need HER2-low or
    ultralow)."""
    plan = plan_for(HR_AFTER_CHEMO)
    assert plan.line == 4
    assert any({DATO, SG} & _names(opt) or _chosen(opt) <= CHEMOTHERAPY for opt in _top(plan)), (
        _summary(plan)
    )
    assert not any(TDXD in _chosen(opt) for opt in plan.options), _summary(plan)


# --------------------------------------------------------------------------------------------
# HER2+
# --------------------------------------------------------------------------------------------


def test_her2_pos_1l(plan_for):
    """fact sheet §3 HER2+ 1L: T-DXd + pertuzumab (DB-09) or THP (CLEOPATRA); §1C."""
    plan = plan_for(HER2_1L)
    assert plan.subtype == "HR-/HER2+"
    assert plan.line == 1
    assert any(
        {TDXD, "pertuzumab"} <= _names(opt)
        or ({"pertuzumab", "trastuzumab"} <= _names(opt) and "taxane" in opt.classes)
        for opt in _top(plan)
    ), _summary(plan)


def test_her2_pos_2l_tdxd_first(plan_for):
    """fact sheet §3 HER2+ 2L: T-DXd (DB-03: HR 0.28 vs T-DM1) - the only 2L option listed."""
    plan = plan_for(HER2_2L)
    assert plan.line == 2
    assert TDXD in _chosen(plan.options[0]), _summary(plan)


def test_her2_pos_3l(plan_for):
    """fact sheet §3 HER2+ >=3L: tucatinib triplet (NCCN cat. 1 preferred 3L); T-DM1; §1C
    HER2CLIMB, EMILIA. T-DXd, on which the disease progressed, is not offered again."""
    plan = plan_for(HER2_3L)
    assert plan.line == 3
    assert _has(plan, {"tucatinib", "trastuzumab", "capecitabine"}), _summary(plan)
    assert _offered(plan, TDM1), _summary(plan)
    assert not any(TDXD in _chosen(opt) for opt in plan.options), _summary(plan)


def test_her2_pos_brain_metastases(plan_for):
    """fact sheet §3 Brain metastases: HER2+ -> tucatinib triplet (HER2CLIMB, active and stable
    brain metastases) or T-DXd (DB-12); local therapy: surgery or SRS for limited metastases
    (ASCO-SNO-ASTRO 2022)."""
    plan = plan_for(HER2_BRAIN)
    assert _has(plan, {"tucatinib", "trastuzumab", "capecitabine"}), _summary(plan)
    local = [o for o in plan.supportive_and_local if o.intent == "local"]
    assert local, "no local therapy option for active brain metastases"
    assert any(
        re.search(r"SRS|stereotactic|surgery|resection|radio", o.procedure or "", re.I)
        for o in local
    )


# --------------------------------------------------------------------------------------------
# TNBC
# --------------------------------------------------------------------------------------------


def test_tnbc_1l_pdl1_cps_high(plan_for):
    """fact sheet §3 TNBC 1L PD-L1 CPS >=10 (22C3), DFI >=6 mo: pembrolizumab + chemotherapy
    (KEYNOTE-355) or SG + pembrolizumab (ASCENT-04)."""
    plan = plan_for(TNBC_1L_CPS_HIGH)
    assert plan.subtype == "TNBC"
    assert plan.line == 1
    assert any(
        "pembrolizumab" in _chosen(opt) and ("chemotherapy" in opt.classes or SG in _chosen(opt))
        for opt in _top(plan)
    ), _summary(plan)
    assert plan.immunotherapy.status == "eligible"


def test_tnbc_1l_pdl1_cps_low(plan_for):
    """fact sheet §3 TNBC 1L PD-L1-negative / not a PD-(L)1 candidate: SG (ASCENT-03) or Dato-DXd
    (TROPION-Breast02); KEYNOTE-355 benefit is in CPS >=10 only (no significant benefit in
    CPS >=1), so pembrolizumab is not offered; MSS and TMB 3 -> no tissue-agnostic ICI route."""
    plan = plan_for(TNBC_1L_CPS_LOW)
    assert _has_any(plan, {SG, DATO}), _summary(plan)
    assert not any("pembrolizumab" in _chosen(opt) for opt in plan.options), _summary(plan)
    assert plan.immunotherapy.status == "not_eligible"


def test_tnbc_1l_pdl1_not_tested_undetermined(plan_for):
    """fact sheet §0: pembrolizumab in TNBC needs PD-L1 CPS >=10 with 22C3; not tested is not
    negative -> checkpoint-inhibitor eligibility is undetermined and PD-L1 is missing."""
    plan = plan_for(TNBC_1L_PDL1_UNTESTED)
    assert plan.immunotherapy.status == "undetermined"
    assert any("PD-L1" in item for item in plan.immunotherapy.missing), plan.immunotherapy


def test_tnbc_2l_her2_low(plan_for):
    """fact sheet §3 TNBC 2L+: SG (ASCENT) if not used; T-DXd if HER2-low (DB-04: >=1 prior
    chemotherapy in the metastatic setting)."""
    plan = plan_for(TNBC_2L_HER2_LOW)
    assert plan.line == 2
    assert _has(plan, {SG}), _summary(plan)
    assert _has(plan, {TDXD}), _summary(plan)


def test_tnbc_gbrca(plan_for):
    """fact sheet §3 TNBC gBRCA: olaparib/talazoparib; platinum (TNT: carboplatin ORR 68% vs
    33% in gBRCA); §1B OlympiAD (prior (neo)adjuvant chemotherapy), EMBRACA."""
    plan = plan_for(TNBC_1L_GBRCA)
    assert _has_any(plan, PARP) or any(_chosen(opt) & PLATINUM for opt in _top(plan)), _summary(
        plan
    )


# --------------------------------------------------------------------------------------------
# Tissue-agnostic options (pretreated patients)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "expected", "all_needed"),
    [
        pytest.param(AGNOSTIC_MSI, {"pembrolizumab", "dostarlimab"}, False, id="msi_h"),
        pytest.param(AGNOSTIC_TMB, {"pembrolizumab"}, False, id="tmb_h"),
        pytest.param(AGNOSTIC_NTRK, NTRK, False, id="ntrk_fusion"),
        pytest.param(AGNOSTIC_RET, {"selpercatinib"}, False, id="ret_fusion"),
        pytest.param(AGNOSTIC_BRAF, {"dabrafenib", "trametinib"}, True, id="braf_v600e"),
    ],
)
def test_tissue_agnostic(plan_for, scenario, expected, all_needed):
    """fact sheet §1E tissue-agnostic approvals: MSI-H/dMMR -> pembrolizumab, dMMR ->
    dostarlimab; TMB-H >=10 mut/Mb -> pembrolizumab (KEYNOTE-158); NTRK fusion -> larotrectinib
    / entrectinib / repotrectinib; RET fusion -> selpercatinib; BRAF V600E -> dabrafenib +
    trametinib. Patient: TNBC after 1L paclitaxel and 2L SG (line 3)."""
    plan = plan_for(scenario)
    assert plan.line >= 2
    found = _has(plan, expected) if all_needed else _has_any(plan, expected)
    assert found, _summary(plan)


@pytest.mark.parametrize("scenario", [AGNOSTIC_MSI, AGNOSTIC_TMB], ids=["msi_h", "tmb_h"])
def test_tissue_agnostic_immunotherapy_eligible(plan_for, scenario):
    """fact sheet §1E: MSI-H/dMMR and TMB-H >=10 mut/Mb are tissue-agnostic pembrolizumab
    indications in a pretreated patient -> checkpoint inhibitor eligible."""
    assert plan_for(scenario).immunotherapy.status == "eligible"


# --------------------------------------------------------------------------------------------
# Safety (fact sheet §7) and planner checks
# --------------------------------------------------------------------------------------------


def test_alpelisib_set_aside_hba1c(plan_for):
    """fact sheet §7 alpelisib: hyperglycaemia 65%; not established in uncontrolled T2DM; SOLAR-1
    entry HbA1c <=6.4%. Capivasertib: CAPItello-291 excluded HbA1c >8.0% -> with HbA1c 8.4%
    capivasertib is either set aside for HbA1c or offered with a glycaemia caution."""
    plan = plan_for(HR_2L_HBA1C)
    _assert_set_aside(plan, "alpelisib", "HbA1c")
    assert any("8.4" in r for r in _set_aside_reasons(plan, "alpelisib"))
    capivasertib = [o for o in plan.options if "capivasertib" in _chosen(o)]
    if capivasertib:
        for opt in capivasertib:
            assert _warnings(opt, "glycaemia"), opt.regimen_id
    else:
        _assert_set_aside(plan, "capivasertib", "HbA1c")


def test_lvef_35_sets_aside_her2_antibodies_and_adcs(plan_for):
    """fact sheet §7 trastuzumab (HER2 antibodies): withhold when LVEF falls below the lower
    limit; T-DXd: interrupt if LVEF <40%. LVEF 35% -> anti-HER2 antibodies/ADCs set aside."""
    plan = plan_for(HER2_LVEF_35)
    for opt in plan.options:
        for planned in opt.agents:
            assert not {"anti_her2_antibody", "anti_her2_adc"} & set(planned.classes), (
                f"{planned.agent} offered in {opt.regimen_id} with LVEF 35%"
            )
    for agent in (TDXD, "trastuzumab"):
        _assert_set_aside(plan, agent, "LVEF")


def test_lvef_35_still_offers_systemic_therapy(plan_for):
    """With HER2 antibodies/ADCs set aside for LVEF 35%, the plan is not empty: fact sheet §3
    HER2+ >=3L lists neratinib + capecitabine and lapatinib combinations (HER2 TKIs, no
    antibody), and chemotherapy is always available (§3 single-agent chemotherapy)."""
    plan = plan_for(HER2_LVEF_35)
    assert plan.options, f"no systemic option left: {_summary(plan)}"


def test_qtcf_472_sets_aside_ribociclib(plan_for):
    """fact sheet §7 ribociclib: start only if QTcF <450 ms -> another CDK4/6 inhibitor
    (palbociclib or abemaciclib) is proposed with the AI (§3 HR+/HER2- 1L: AI + CDK4/6i)."""
    plan = plan_for(HR_1L_QTCF)
    ai_cdk = [o for o in _top(plan) if {"aromatase_inhibitor", "cdk46_inhibitor"} <= set(o.classes)]
    assert ai_cdk, _summary(plan)
    assert _chosen(ai_cdk[0]) & {"palbociclib", "abemaciclib"}, _summary(plan)
    _assert_set_aside(plan, "ribociclib", "QT")


def test_active_ild_sets_aside_tdxd(plan_for):
    """fact sheet §7 T-DXd: ILD/pneumonitis 12%, fatal 1%; G>=2 stop permanently -> active ILD
    sets T-DXd aside; §3 HER2+ 2L alternatives (tucatinib triplet, T-DM1) remain."""
    plan = plan_for(HER2_ILD)
    _assert_set_aside(plan, TDXD, "ILD", "interstitial", "pneumonitis")
    assert _has(plan, {"tucatinib", "trastuzumab", "capecitabine"}) or _has(plan, {TDM1}), _summary(
        plan
    )


@pytest.mark.parametrize(
    "scenario",
    [HR_1L_CLARITHROMYCIN, HR_1L_ITRACONAZOLE, HR_1L_GRAPEFRUIT, HR_1L_ST_JOHNS_WORT],
    ids=["clarithromycin", "itraconazole", "grapefruit", "st_johns_wort"],
)
def test_cyp3a_interaction_warns_on_cdk46_options(plan_for, scenario):
    """fact sheet §7 DDIs: palbociclib - avoid strong CYP3A inhibitors (itraconazole +87%) and
    strong inducers (rifampin -85%); ribociclib and abemaciclib likewise. Clarithromycin,
    itraconazole and grapefruit inhibit CYP3A; St John's wort induces it."""
    plan = plan_for(scenario)
    cdk = [o for o in plan.options if "cdk46_inhibitor" in o.classes]
    assert cdk, _summary(plan)
    for opt in cdk:
        assert _warnings(opt, "CYP3A interactions"), f"{opt.regimen_id}: {opt.warnings}"


def test_ecog_3_performance_status_warning(plan_for):
    """ECOG 3 -> a 'performance status' warning on the proposed options. (Not a fact-sheet row:
    requirement from the issue; the pivotal trials cited in fact sheet §1 enrolled fit
    patients.)"""
    plan = plan_for(TNBC_1L_ECOG3)
    assert any(_warnings(opt, "performance status") for opt in _top(plan)), _summary(plan)


def test_premenopausal_pregnancy_potential_warning(plan_for):
    """fact sheet §7 imlunestrant 'embryo-fetal toxicity'; premenopausal patients on systemic
    therapy need contraception -> a 'pregnancy potential' warning."""
    plan = plan_for(HR_1L_PREMENOPAUSAL)
    assert any(_warnings(opt, "pregnancy potential") for opt in plan.options), _summary(plan)


def test_oral_preference_warns_on_intravenous_options(plan_for):
    """Patient prefers oral therapy: the planner ranks by preference and never hides options
    (model Preferences), so intravenous options carry a 'route preference' warning."""
    plan = plan_for(TNBC_2L_ORAL)
    intravenous = [o for o in plan.options if any(a.route == "intravenous" for a in o.agents)]
    assert intravenous, _summary(plan)
    for opt in intravenous:
        assert _warnings(opt, "route preference"), opt.regimen_id


def test_active_brain_metastases_local_therapy(plan_for):
    """fact sheet §3 Brain metastases: local therapy - surgery or SRS for limited metastases,
    WBRT with memantine and hippocampal avoidance when SRS is not feasible."""
    plan = plan_for(HR_1L_BRAIN)
    local = [o for o in plan.supportive_and_local if o.intent == "local"]
    assert local, "no local therapy option for active brain metastases"
    assert any(
        re.search(r"SRS|stereotactic|surgery|resection|radio", o.procedure or "", re.I)
        for o in local
    )


def test_leptomeningeal_disease_warning(plan_for):
    """Leptomeningeal disease (non-measurable, RANO-BM §4) was outside the pivotal trials' CNS
    data (§1C, §3 Brain metastases) -> a 'leptomeningeal disease' warning."""
    plan = plan_for(HR_1L_LEPTOMENINGEAL)
    assert any(
        _warnings(opt, "leptomeningeal disease")
        for opt in (*plan.options, *plan.supportive_and_local)
    ), _summary(plan)


def test_bone_metastases_bone_modifying_agent(plan_for):
    """fact sheet §1F: denosumab 120 mg SC q4w or zoledronic acid 4 mg IV q3-4w for bone
    metastases (SRE prevention)."""
    plan = plan_for(HR_1L_SENSITIVE)
    supportive = [o for o in plan.supportive_and_local if o.intent == "supportive"]
    assert any(_chosen(o) & {"denosumab", "zoledronic acid"} for o in supportive), (
        plan.supportive_and_local
    )


def test_crcl_25_sets_aside_zoledronic_acid(plan_for):
    """fact sheet §7 bone agents: zoledronic acid dose by CrCl (label: not recommended below
    30 mL/min) -> denosumab offered instead; the reason names renal function / CrCl."""
    plan = plan_for(HR_1L_CRCL_25)
    supportive = [o for o in plan.supportive_and_local if o.intent == "supportive"]
    assert any("denosumab" in _chosen(o) for o in supportive), plan.supportive_and_local
    assert not any("zoledronic acid" in _chosen(o) for o in supportive)
    reasons = _set_aside_reasons(plan, "zoledronic acid")
    assert any(re.search(r"CrCl|creatinine|renal", r, re.I) for r in reasons), reasons


def test_anc_0_8_sets_aside_chemotherapy(plan_for):
    """ANC 0.8 x10^9/L (< 1.0): cytotoxic chemotherapy is not started (fact sheet §7 CDK4/6i
    and SG neutropenia rules: hold for G3 neutropenia, ANC < 1.0) -> chemotherapy options set
    aside with a 'neutrophils' reason."""
    plan = plan_for(TNBC_2L_ANC)
    for opt in plan.options:
        assert not _chosen(opt) & CHEMOTHERAPY, f"{opt.regimen_id} offered with ANC 0.8"
    reasons = [reason for agent in CHEMOTHERAPY for reason in _set_aside_reasons(plan, agent)]
    assert any(re.search(r"neutrophil|ANC", r, re.I) for r in reasons), reasons


def test_unknown_pik3ca_is_not_negative(plan_for):
    """fact sheet §3 HR+/HER2- 2L: test first (ESR1 ctDNA, PIK3CA/AKT1/PTEN, gBRCA); §3 When to
    biopsy: PIK3CA/AKT1/PTEN before 2L. PIK3CA never tested -> no PI3K/AKT option, a testing
    suggestion, and no wild-type claim."""
    plan = plan_for(HR_2L_PIK3CA_UNTESTED)
    for opt in plan.options:
        assert not _chosen(opt) & {"alpelisib", "capivasertib", "inavolisib"}, opt.regimen_id
        claims = [*opt.why, *opt.matched_biomarkers]
        assert not any(re.search(r"PIK3CA[- ]?(wild|WT|negative)", c, re.I) for c in claims), claims
    assert any("PIK3CA" in f"{s.test} {s.reason}" for s in plan.testing_suggestions), (
        plan.testing_suggestions
    )


# --------------------------------------------------------------------------------------------
# Across all scenarios
# --------------------------------------------------------------------------------------------

_EXCLUSIVE_CLASSES = (
    "cdk46_inhibitor",
    "aromatase_inhibitor",
    "serd",
    "ovarian_function_suppression",
    "parp_inhibitor",
    "immune_checkpoint_inhibitor",
)


def test_no_option_combines_agents_of_an_exclusive_class(make_case):
    """No regimen in §1/§3 combines two CDK4/6 inhibitors, two AIs, two SERDs, two GnRH
    agonists, two PARP inhibitors, two checkpoint inhibitors, or a PI3K with an AKT inhibitor
    (CAPItello-291, SOLAR-1 and INAVO120 each use one pathway inhibitor with fulvestrant)."""
    problems = []
    for name in SCENARIOS:
        plan = _plan(make_case, name)
        for opt in (*plan.options, *plan.supportive_and_local):
            for cls in _EXCLUSIVE_CLASSES:
                members = [a.agent for a in opt.agents if cls in a.classes]
                if len(members) > 1:
                    problems.append(f"{name}/{opt.regimen_id}: {cls} x{len(members)} {members}")
            classes = {c for a in opt.agents for c in a.classes}
            if {"pi3k_inhibitor", "akt_inhibitor"} <= classes:
                problems.append(f"{name}/{opt.regimen_id}: PI3K + AKT inhibitor")
    assert not problems, problems


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_option_has_evidence(plan_for, scenario):
    """Every option is cited (fact sheet: 'every row carries a source')."""
    plan = plan_for(scenario)
    for opt in (*plan.options, *plan.supportive_and_local):
        assert opt.evidence, opt.regimen_id
        assert all(e.id and e.id.strip() for e in opt.evidence), opt.regimen_id


def test_set_aside_agents_are_not_also_offered(make_case):
    """An agent listed in ``set_aside`` (e.g. "ribociclib: QTcF 472 ms", fact sheet §7: start
    only if QTcF <450 ms; "paclitaxel: progressed on paclitaxel") is not also proposed by the
    same plan, as the chosen agent or as an alternative that "can fill the role"."""
    problems = []
    for name in SCENARIOS:
        plan = _plan(make_case, name)
        for opt in (*plan.options, *plan.supportive_and_local):
            for planned in opt.agents:
                for note in planned.set_aside:
                    agent = note.split(":", 1)[0].strip()
                    if agent in _names(opt):
                        problems.append(f"{name}/{opt.regimen_id}: {agent} offered and '{note}'")
    assert not problems, problems


def test_agents_and_alternatives_are_vocabulary_generic_names(make_case):
    """API contract: PlannedAgent.agent and .alternatives are agents named by their generic name
    in knowledge/data/drugs.yaml (so class checks and prior-exposure checks can apply)."""
    vocabulary = drug_vocabulary()
    problems = set()
    for name in SCENARIOS:
        plan = _plan(make_case, name)
        for opt in (*plan.options, *plan.supportive_and_local):
            for planned in opt.agents:
                for agent in (planned.agent, *planned.alternatives):
                    drug = vocabulary.lookup(agent)
                    if drug is None or drug.name != agent:
                        problems.add(f"{opt.regimen_id}: {agent!r}")
    assert not problems, sorted(problems)


# Not FDA-approved in the setting as of mid-2026 (fact sheet "Approval/status snapshot", §1A,
# §1C, §1D): regimens containing these agents (or this combination) are never graded A or B.
_NOT_US_APPROVED_AGENTS = {
    "bevacizumab",  # revoked for BC in the US (18 Nov 2011)
    "tucidinostat",  # China only
    "atezolizumab",  # TNBC indication withdrawn in the US (27 Aug 2021)
    "camizestrant",  # ODAC 6-3 against; PDUFA extended
    "gedatolisib",  # PDUFA 17 Jul 2026
    "giredestrant",  # PDUFA 18 Dec 2026
    "entinostat",  # not approved (E2112 negative)
}


def test_unapproved_regimens_not_graded_as_approved(make_case):
    """fact sheet status snapshot (mid-2026): camizestrant, gedatolisib, giredestrant +
    everolimus, tucatinib + T-DM1, tucidinostat, atezolizumab (TNBC, US), bevacizumab (BC, US)
    are pending, non-US or withdrawn: grade C or D, never A/B (FDA-approved)."""
    problems = set()
    for name in SCENARIOS:
        plan = _plan(make_case, name)
        for opt in plan.options:
            chosen = _chosen(opt)
            unapproved = chosen & _NOT_US_APPROVED_AGENTS or {"tucatinib", TDM1} <= chosen
            if unapproved and opt.grade in ("A", "B"):
                problems.add(f"{opt.regimen_id}: grade {opt.grade}")
    assert not problems, sorted(problems)
