"""Safety checks, from the label facts of the fact sheet (section 7):
- PI3K/AKT inhibitors: check FPG/HbA1c first; CAPItello-291 excluded HbA1c > 8.0%.
- Ribociclib: start only if QTcF < 450 ms; avoid QT-prolonging drugs and strong CYP3A inhibitors.
- HER2 antibodies/ADCs: LVEF before starting.
- T-DXd: ILD.
- Elacestrant: avoid strong or moderate CYP3A4 inhibitors and inducers.
- Tamoxifen: strong CYP2D6 inhibitors.
- Hepatic visceral crisis: bilirubin > 1.5 x ULN without Gilbert syndrome (ABC5)."""

from __future__ import annotations

from typing import Any

import pytest

from oncoboard.planning.safety import SafetyStatus, safety_checks


def _lab(test: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"test": test, "value": value, "unit": unit, "date": "2025-01-10", **extra}


def _status(checks, check: str, agent: str | None = None) -> SafetyStatus:
    (found,) = [c for c in checks if c.check == check and (agent is None or c.agent == agent)]
    assert found.evidence, "every check carries its evidence"
    return found.status


@pytest.mark.parametrize(
    ("hba1c", "diabetes", "expected"),
    [
        (8.4, True, SafetyStatus.SET_ASIDE),
        (7.1, False, SafetyStatus.CAUTION),
        (5.8, True, SafetyStatus.CAUTION),
        (5.6, False, SafetyStatus.OK),
    ],
)
def test_alpelisib_glycaemia(make_case, hba1c, diabetes, expected):
    comorbidities = [{"condition": "type 2 diabetes", "category": "diabetes"}] if diabetes else []
    case = make_case(labs=[_lab("hba1c", hba1c, "%")], comorbidities=comorbidities)
    assert _status(safety_checks(case, ["alpelisib"]), "glycaemia") is expected


def test_hba1c_in_mmol_per_mol_is_converted(make_case):
    case = make_case(labs=[_lab("hba1c", 68, "mmol/mol")])  # = 8.4% NGSP
    assert _status(safety_checks(case, ["Piqray"]), "glycaemia") is SafetyStatus.SET_ASIDE


def test_missing_hba1c_is_unknown_not_ok(make_case):
    checks = safety_checks(make_case(), ["capivasertib"])
    assert _status(checks, "glycaemia") is SafetyStatus.UNKNOWN


@pytest.mark.parametrize(
    ("qtcf", "meds", "expected"),
    [
        (460, [], SafetyStatus.SET_ASIDE),
        (430, ["ondansetron 8 mg"], SafetyStatus.CAUTION),
        (430, [], SafetyStatus.OK),
    ],
)
def test_ribociclib_qtc(make_case, qtcf, meds, expected):
    case = make_case(labs=[_lab("qtcf", qtcf, "ms")], medications=[{"name": m} for m in meds])
    assert _status(safety_checks(case, ["ribociclib"]), "QTc") is expected


def test_long_qt_syndrome_sets_ribociclib_aside_even_without_ecg(make_case):
    case = make_case(comorbidities=[{"condition": "congenital long QT", "category": "long_qt"}])
    assert _status(safety_checks(case, ["ribociclib"]), "QTc") is SafetyStatus.SET_ASIDE


@pytest.mark.parametrize(
    ("lvef", "expected"),
    [(35, SafetyStatus.SET_ASIDE), (45, SafetyStatus.CAUTION), (60, SafetyStatus.OK)],
)
def test_lvef_for_her2_directed_therapy(make_case, lvef, expected):
    case = make_case(labs=[_lab("lvef", lvef, "%")])
    checks = safety_checks(case, ["trastuzumab", "pertuzumab", "T-DXd"])
    assert {c.status for c in checks if c.check == "LVEF"} == {expected}
    assert {c.agent for c in checks if c.check == "LVEF"} == {
        "trastuzumab",
        "pertuzumab",
        "trastuzumab deruxtecan",
    }


@pytest.mark.parametrize(
    ("status", "expected"), [("active", SafetyStatus.SET_ASIDE), ("resolved", SafetyStatus.CAUTION)]
)
def test_tdxd_and_interstitial_lung_disease(make_case, status, expected):
    case = make_case(
        comorbidities=[
            {
                "condition": "radiation pneumonitis",
                "status": status,
                "category": "interstitial_lung_disease",
            }
        ]
    )
    assert _status(safety_checks(case, ["Enhertu"]), "ILD") is expected


def test_cyp3a_perpetrators_in_medications_and_supplements(make_case):
    case = make_case(
        medications=[{"name": "clarithromycin 500 mg bid"}],
        lifestyle={"diet_supplements": ["St John's wort (Hypericum) 300 mg tid"]},
    )
    checks = safety_checks(case, ["elacestrant", "palbociclib"])
    assert _status(checks, "CYP3A interactions", "elacestrant") is SafetyStatus.SET_ASIDE
    assert _status(checks, "CYP3A interactions", "palbociclib") is SafetyStatus.CAUTION
    detail = next(
        c.detail for c in checks if c.agent == "palbociclib" and c.check == "CYP3A interactions"
    )
    assert "clarithromycin" in detail and "St John's wort" in detail


def test_grapefruit_is_an_interaction(make_case):
    case = make_case(lifestyle={"diet_supplements": ["grapefruit juice"]})
    assert _status(safety_checks(case, ["ribociclib"]), "CYP3A interactions") is (
        SafetyStatus.CAUTION
    )


def test_tamoxifen_and_paroxetine(make_case):
    case = make_case(medications=[{"name": "paroxetine"}])
    assert _status(safety_checks(case, ["tamoxifen"]), "CYP2D6 interactions") is (
        SafetyStatus.CAUTION
    )


def test_hepatic_crisis_signal_unless_gilbert(make_case):
    labs = [_lab("total_bilirubin", 2.0, "mg/dL", upper_limit_normal=1.2)]
    crisis = safety_checks(make_case(labs=labs), ["capecitabine"])
    gilbert = safety_checks(
        make_case(
            labs=labs,
            comorbidities=[{"condition": "Gilbert syndrome", "category": "gilbert_syndrome"}],
        ),
        ["capecitabine"],
    )
    assert "visceral crisis" in next(c.detail for c in crisis if c.check == "hepatic function")
    assert "Gilbert" in next(c.detail for c in gilbert if c.check == "hepatic function")


def test_ecog_3_and_pregnancy_potential(make_case):
    case = make_case(
        performance_status=[{"date": "2025-01-01", "ecog": 3}],
        patient={"id": "P", "sex": "female", "age_years": 38, "menopausal_status": "premenopausal"},
    )
    checks = safety_checks(case, ["paclitaxel"])
    assert _status(checks, "performance status") is SafetyStatus.CAUTION
    assert _status(checks, "pregnancy potential") is SafetyStatus.CAUTION
