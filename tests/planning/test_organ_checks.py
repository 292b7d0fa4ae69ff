"""Organ-function, blood-count and immune-history safety checks (planning/_organ_checks.py):
- neutrophils / platelets for myelosuppressive classes (ANC < 1.0 set aside, < 1.5 caution;
  platelets < 50 set aside, < 100 caution, x 10^9/L);
- renal function by the label's creatinine-clearance bands, eGFR as a stated fallback;
- hepatic transaminases as multiples of the ULN (> 5 set aside, > 3 caution);
- immune history for checkpoint inhibitors (transplant set aside, autoimmune caution).
A value never measured is ``unknown``, never ``ok``."""

from __future__ import annotations

from typing import Any

import pytest

from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import EvidenceSource
from oncoboard.planning._organ_checks import (
    MYELOSUPPRESSIVE_CLASSES,
    RENAL_AGENTS,
    TRANSAMINASE_AGENTS,
)
from oncoboard.planning.safety import SafetyCheck, SafetyStatus, safety_checks

OK, CAUTION, SET_ASIDE, UNKNOWN = (
    SafetyStatus.OK,
    SafetyStatus.CAUTION,
    SafetyStatus.SET_ASIDE,
    SafetyStatus.UNKNOWN,
)
NEW_CHECKS = {"neutrophils", "platelets", "renal function", "hepatic transaminases"}
NEW_CHECKS |= {"immune history"}


def _lab(test: str, value: float, unit: str, date: str = "2025-01-10", **extra: Any) -> dict:
    return {"test": test, "value": value, "unit": unit, "date": date, **extra}


def _find(checks: list[SafetyCheck], check: str, agent: str | None = None) -> SafetyCheck:
    (found,) = [c for c in checks if c.check == check and (agent is None or c.agent == agent)]
    assert found.evidence, "every check carries its evidence"
    assert found.rule
    return found


def _check(make_case, agent: str, check: str, **sections: Any) -> SafetyCheck:
    return _find(safety_checks(make_case(**sections), [agent]), check, agent=None)


def _names(make_case, agent: str, **sections: Any) -> list[str]:
    return [c.check for c in safety_checks(make_case(**sections), [agent])]


# --- neutrophils -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anc", "expected"),
    [
        (0.4, SET_ASIDE),
        (0.99, SET_ASIDE),
        (1.0, CAUTION),
        (1.01, CAUTION),
        (1.49, CAUTION),
        (1.5, OK),
        (1.51, OK),
        (6.0, OK),
    ],
)
def test_neutrophil_thresholds(make_case, anc, expected):
    found = _check(make_case, "docetaxel", "neutrophils", labs=[_lab("anc", anc, "10^9/L")])
    assert found.status is expected


def test_neutrophil_details(make_case):
    low = _check(make_case, "paclitaxel", "neutrophils", labs=[_lab("anc", 0.8, "10^9/L")])
    assert "grade 3 neutropenia" in low.detail and "do not start" in low.detail
    borderline = _check(make_case, "paclitaxel", "neutrophils", labs=[_lab("anc", 1.2, "10^9/L")])
    assert "withhold until ANC >= 1.5 x 10^9/L" in borderline.detail
    assert "2025-01-10" in borderline.detail


@pytest.mark.parametrize(
    ("cells_per_ul", "expected"),
    [(800, SET_ASIDE), (999, SET_ASIDE), (1000, CAUTION), (1499, CAUTION), (1500, OK)],
)
def test_anc_in_cells_per_microlitre_is_converted(make_case, cells_per_ul, expected):
    found = _check(
        make_case, "Trodelvy", "neutrophils", labs=[_lab("anc", cells_per_ul, "cells/uL")]
    )
    assert found.status is expected
    assert f"recorded {cells_per_ul:g} cells/uL" in found.detail


def test_missing_anc_is_unknown_not_ok(make_case):
    found = _check(make_case, "palbociclib", "neutrophils")
    assert found.status is UNKNOWN
    assert found.detail == "ANC not recorded: full blood count first"


def test_latest_anc_counts(make_case):
    labs = [_lab("anc", 0.7, "10^9/L", "2025-01-01"), _lab("anc", 2.4, "10^9/L", "2025-01-20")]
    assert _check(make_case, "olaparib", "neutrophils", labs=labs).status is OK
    labs = [_lab("anc", 2.4, "10^9/L", "2025-01-01"), _lab("anc", 0.7, "10^9/L", "2025-01-20")]
    assert _check(make_case, "olaparib", "neutrophils", labs=labs).status is SET_ASIDE


@pytest.mark.parametrize(
    "agent",
    [
        "paclitaxel",
        "capecitabine",
        "carboplatin",
        "eribulin",
        "ribociclib",
        "abemaciclib",
        "talazoparib",
        "sacituzumab govitecan",
        "datopotamab deruxtecan",
        "T-DM1",
        "Enhertu",
    ],
)
def test_myelosuppressive_agents_get_one_count_check_each(make_case, agent):
    names = _names(make_case, agent)
    assert names.count("neutrophils") == 1
    assert names.count("platelets") == 1


@pytest.mark.parametrize(
    "agent",
    ["letrozole", "fulvestrant", "trastuzumab", "pertuzumab", "pembrolizumab", "alpelisib"],
)
def test_other_agents_get_no_count_checks(make_case, agent):
    names = _names(make_case, agent, labs=[_lab("anc", 0.5, "10^9/L")])
    assert "neutrophils" not in names and "platelets" not in names


def test_every_myelosuppressive_vocabulary_drug_is_checked(make_case):
    vocabulary = drug_vocabulary()
    drugs = {d.name for d in vocabulary._by_key.values() if d.classes & {*MYELOSUPPRESSIVE_CLASSES}}
    assert {"docetaxel", "palbociclib", "olaparib", "trastuzumab emtansine"} <= drugs
    checks = safety_checks(make_case(), sorted(drugs))
    for check in ("neutrophils", "platelets"):
        assert {c.agent for c in checks if c.check == check} == drugs


def test_count_evidence_is_class_label_reference_not_verified(make_case):
    checks = safety_checks(make_case(), ["docetaxel", "sacituzumab govitecan", "palbociclib"])
    ids = {
        agent: {e.id for e in _find(checks, "neutrophils", agent).evidence}
        for agent in ("docetaxel", "sacituzumab govitecan", "palbociclib")
    }
    assert ids["docetaxel"] == {"Taxotere (docetaxel) prescribing information"}
    assert ids["sacituzumab govitecan"] == {
        "Trodelvy (sacituzumab govitecan) prescribing information"
    }
    assert ids["palbociclib"] == {"Ibrance (palbociclib) prescribing information"}
    for check in checks:
        if check.check in {"neutrophils", "platelets"}:
            assert all(e.source is EvidenceSource.FDA_LABEL for e in check.evidence)
            assert not any(e.verified for e in check.evidence)


# --- platelets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (20, SET_ASIDE),
        (49, SET_ASIDE),
        (49.9, SET_ASIDE),
        (50, CAUTION),
        (51, CAUTION),
        (99, CAUTION),
        (100, OK),
        (101, OK),
        (250, OK),
    ],
)
def test_platelet_thresholds(make_case, count, expected):
    found = _check(make_case, "T-DM1", "platelets", labs=[_lab("platelets", count, "10^9/L")])
    assert found.status is expected


@pytest.mark.parametrize(
    ("cells_per_ul", "expected"), [(45_000, SET_ASIDE), (75_000, CAUTION), (100_000, OK)]
)
def test_platelets_in_cells_per_microlitre_are_converted(make_case, cells_per_ul, expected):
    labs = [_lab("platelets", cells_per_ul, "cells/uL")]
    assert _check(make_case, "talazoparib", "platelets", labs=labs).status is expected


def test_platelet_details_and_evidence(make_case):
    found = _check(make_case, "T-DM1", "platelets", labs=[_lab("platelets", 40, "10^9/L")])
    assert "thrombocytopenia" in found.detail
    assert "Kadcyla (trastuzumab emtansine) prescribing information" in {
        e.id for e in found.evidence
    }
    talazoparib = _check(make_case, "Talzenna", "platelets")
    assert "Talzenna (talazoparib) prescribing information" in {e.id for e in talazoparib.evidence}


def test_missing_platelets_is_unknown_not_ok(make_case):
    found = _check(make_case, "gemcitabine", "platelets", labs=[_lab("anc", 3.0, "10^9/L")])
    assert found.status is UNKNOWN
    assert "not recorded" in found.detail


# --- renal function --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "crcl", "expected", "advice"),
    [
        ("zoledronic acid", 29, SET_ASIDE, "not recommended"),
        ("zoledronic acid", 30, CAUTION, "reduce dose per label table"),
        ("zoledronic acid", 31, CAUTION, "reduce dose per label table"),
        ("zoledronic acid", 60, CAUTION, "reduce dose per label table"),
        ("zoledronic acid", 61, OK, None),
        ("capecitabine", 29, SET_ASIDE, "contraindicated"),
        ("capecitabine", 30, CAUTION, "reduce to 75% of the starting dose"),
        ("capecitabine", 50, CAUTION, "reduce to 75% of the starting dose"),
        ("capecitabine", 51, OK, None),
        ("olaparib", 29, CAUTION, "not studied"),
        ("olaparib", 30, CAUTION, "not studied"),
        ("olaparib", 31, CAUTION, "200 mg twice daily"),
        ("olaparib", 50, CAUTION, "200 mg twice daily"),
        ("olaparib", 51, OK, None),
        ("talazoparib", 14, SET_ASIDE, "not studied"),
        ("talazoparib", 15, CAUTION, "0.5 mg"),
        ("talazoparib", 29, CAUTION, "0.5 mg"),
        ("talazoparib", 30, CAUTION, "0.75 mg"),
        ("talazoparib", 59, CAUTION, "0.75 mg"),
        ("talazoparib", 60, OK, None),
        ("carboplatin", 59, CAUTION, "Calvert formula"),
        ("carboplatin", 60, OK, None),
        ("carboplatin", 61, OK, None),
        ("cisplatin", 59, SET_ASIDE, "cisplatin-ineligible"),
        ("cisplatin", 60, OK, None),
        ("cisplatin", 61, OK, None),
        ("trastuzumab deruxtecan", 29, CAUTION, "not established"),
        ("trastuzumab deruxtecan", 30, CAUTION, "higher ILD incidence"),
        ("trastuzumab deruxtecan", 59, CAUTION, "higher ILD incidence"),
        ("trastuzumab deruxtecan", 60, OK, None),
    ],
)
def test_renal_bands(make_case, agent, crcl, expected, advice):
    labs = [_lab("creatinine_clearance", crcl, "mL/min")]
    found = _check(make_case, agent, "renal function", labs=labs)
    assert found.status is expected, found.detail
    assert f"CrCl {crcl:g} mL/min" in found.detail
    if advice is not None:
        assert advice in found.detail


@pytest.mark.parametrize(
    ("agent", "egfr", "expected"),
    [("capecitabine", 25, SET_ASIDE), ("cisplatin", 55, SET_ASIDE), ("carboplatin", 90, OK)],
)
def test_egfr_stands_in_for_missing_creatinine_clearance(make_case, agent, egfr, expected):
    found = _check(make_case, agent, "renal function", labs=[_lab("egfr", egfr, "mL/min/1.73m2")])
    assert found.status is expected
    assert "eGFR" in found.detail and "creatinine clearance was not recorded" in found.detail


def test_creatinine_clearance_takes_precedence_over_egfr(make_case):
    labs = [
        _lab("egfr", 25, "mL/min/1.73m2", "2025-01-20"),
        _lab("creatinine_clearance", 70, "mL/min", "2025-01-10"),
    ]
    found = _check(make_case, "capecitabine", "renal function", labs=labs)
    assert found.status is OK and "eGFR" not in found.detail


def test_latest_creatinine_clearance_counts(make_case):
    labs = [
        _lab("creatinine_clearance", 25, "mL/min", "2025-01-01"),
        _lab("creatinine_clearance", 70, "mL/min", "2025-02-01"),
    ]
    assert _check(make_case, "zoledronic acid", "renal function", labs=labs).status is OK


@pytest.mark.parametrize("agent", RENAL_AGENTS)
def test_missing_renal_function_is_unknown_not_ok(make_case, agent):
    labs = [_lab("creatinine", 1.0, "mg/dL")]  # a creatinine alone is not a clearance
    found = _check(make_case, agent, "renal function", labs=labs)
    assert found.status is UNKNOWN
    assert "creatinine clearance not recorded" in found.detail
    assert not any(e.verified for e in found.evidence)


@pytest.mark.parametrize(
    ("agent", "label_id"),
    [
        ("Zometa", "Zometa (zoledronic acid) prescribing information"),
        ("Xeloda", "Xeloda (capecitabine) prescribing information"),
        ("Lynparza", "Lynparza (olaparib) prescribing information"),
        ("Talzenna", "Talzenna (talazoparib) prescribing information"),
        ("carboplatin", "Paraplatin (carboplatin) prescribing information"),
        ("cisplatin", "cisplatin prescribing information"),
        ("T-DXd", "Enhertu (trastuzumab deruxtecan) prescribing information"),
    ],
)
def test_renal_evidence_names_the_label(make_case, agent, label_id):
    found = _check(make_case, agent, "renal function")
    assert label_id in {e.id for e in found.evidence}


@pytest.mark.parametrize(
    "agent", ["paclitaxel", "letrozole", "datopotamab deruxtecan", "denosumab"]
)
def test_agents_without_a_renal_table_get_no_renal_check(make_case, agent):
    labs = [_lab("creatinine_clearance", 10, "mL/min")]
    assert "renal function" not in _names(make_case, agent, labs=labs)


# --- hepatic transaminases -------------------------------------------------------------------

_ULN = 40.0


@pytest.mark.parametrize(
    ("alt", "expected"),
    [
        (40, OK),
        (119, OK),
        (120, OK),  # exactly 3 x ULN
        (121, CAUTION),
        (199, CAUTION),
        (200, CAUTION),  # exactly 5 x ULN
        (201, SET_ASIDE),
        (800, SET_ASIDE),
    ],
)
@pytest.mark.parametrize("agent", TRANSAMINASE_AGENTS)
def test_transaminase_thresholds(make_case, agent, alt, expected):
    labs = [
        _lab("ast", 30, "U/L", upper_limit_normal=_ULN),
        _lab("alt", alt, "U/L", upper_limit_normal=_ULN),
    ]
    found = _check(make_case, agent, "hepatic transaminases", labs=labs)
    assert found.status is expected, found.detail


def test_worse_of_ast_and_alt_counts(make_case):
    labs = [
        _lab("ast", 250, "U/L", upper_limit_normal=_ULN),
        _lab("alt", 35, "U/L", upper_limit_normal=_ULN),
    ]
    found = _check(make_case, "Kisqali", "hepatic transaminases", labs=labs)
    assert found.status is SET_ASIDE
    assert "AST 250 U/L = 6.2 x ULN" in found.detail


def test_missing_uln_is_unknown(make_case):
    labs = [_lab("ast", 30, "U/L"), _lab("alt", 32, "U/L")]
    found = _check(make_case, "tucatinib", "hepatic transaminases", labs=labs)
    assert found.status is UNKNOWN
    assert "ULN not given" in found.detail


def test_missing_uln_on_one_test_with_other_normal_is_unknown(make_case):
    labs = [_lab("ast", 30, "U/L", upper_limit_normal=_ULN), _lab("alt", 32, "U/L")]
    found = _check(make_case, "neratinib", "hepatic transaminases", labs=labs)
    assert found.status is UNKNOWN


def test_missing_uln_does_not_hide_a_graded_elevation(make_case):
    labs = [_lab("ast", 300, "U/L", upper_limit_normal=_ULN), _lab("alt", 32, "U/L")]
    found = _check(make_case, "lapatinib", "hepatic transaminases", labs=labs)
    assert found.status is SET_ASIDE


def test_missing_transaminases_are_unknown_not_ok(make_case):
    found = _check(make_case, "abemaciclib", "hepatic transaminases")
    assert found.status is UNKNOWN
    assert "AST and ALT not recorded" in found.detail


def test_one_transaminase_is_enough_and_the_other_is_named_missing(make_case):
    labs = [_lab("alt", 30, "U/L", upper_limit_normal=_ULN)]
    found = _check(make_case, "T-DM1", "hepatic transaminases", labs=labs)
    assert found.status is OK
    assert "AST not recorded" in found.detail


def test_latest_transaminase_counts(make_case):
    labs = [
        _lab("alt", 300, "U/L", "2025-01-01", upper_limit_normal=_ULN),
        _lab("alt", 30, "U/L", "2025-01-20", upper_limit_normal=_ULN),
    ]
    found = _check(make_case, "ribociclib", "hepatic transaminases", labs=labs)
    assert found.status is OK


@pytest.mark.parametrize(
    ("agent", "label_id"),
    [
        ("ribociclib", "Kisqali (ribociclib) prescribing information"),
        ("abemaciclib", "Verzenio (abemaciclib) prescribing information"),
        ("tucatinib", "Tukysa (tucatinib) prescribing information"),
        ("trastuzumab emtansine", "Kadcyla (trastuzumab emtansine) prescribing information"),
    ],
)
def test_transaminase_evidence_names_the_label(make_case, agent, label_id):
    found = _check(make_case, agent, "hepatic transaminases")
    assert [e.id for e in found.evidence] == [label_id]
    assert not found.evidence[0].verified


@pytest.mark.parametrize(
    "agent", ["palbociclib", "letrozole", "paclitaxel", "trastuzumab deruxtecan", "alpelisib"]
)
def test_other_agents_get_no_transaminase_check(make_case, agent):
    labs = [_lab("alt", 800, "U/L", upper_limit_normal=_ULN)]
    assert "hepatic transaminases" not in _names(make_case, agent, labs=labs)


# --- immune history --------------------------------------------------------------------------

_AUTOIMMUNE = {
    "condition": "rheumatoid arthritis on methotrexate",
    "category": "autoimmune_disease",
}
_TRANSPLANT = {"condition": "renal transplant 2015", "category": "organ_transplant"}


@pytest.mark.parametrize(
    ("comorbidities", "expected"),
    [
        ([], OK),
        ([_AUTOIMMUNE], CAUTION),
        ([{**_AUTOIMMUNE, "status": "resolved"}], OK),
        ([_TRANSPLANT], SET_ASIDE),
        ([_AUTOIMMUNE, _TRANSPLANT], SET_ASIDE),
        ([{"condition": "type 2 diabetes", "category": "diabetes"}], OK),
    ],
)
@pytest.mark.parametrize("agent", ["pembrolizumab", "atezolizumab", "Jemperli"])
def test_immune_history(make_case, agent, comorbidities, expected):
    found = _check(make_case, agent, "immune history", comorbidities=comorbidities)
    assert found.status is expected


def test_immune_history_details_and_evidence(make_case):
    transplant = _check(make_case, "Keytruda", "immune history", comorbidities=[_TRANSPLANT])
    assert "renal transplant 2015" in transplant.detail
    assert "risk of rejection" in transplant.detail
    none = _check(make_case, "Keytruda", "immune history")
    assert none.detail == "no autoimmune disease or transplant recorded"
    sources = {(e.source, e.id) for e in none.evidence}
    assert (EvidenceSource.TRIAL, "NCT02819518") in sources
    assert (EvidenceSource.FDA_LABEL, "Keytruda (pembrolizumab) prescribing information") in sources
    assert not any(e.verified for e in none.evidence)


@pytest.mark.parametrize("agent", ["letrozole", "paclitaxel", "trastuzumab", "olaparib"])
def test_other_agents_get_no_immune_history_check(make_case, agent):
    names = _names(make_case, agent, comorbidities=[_TRANSPLANT])
    assert "immune history" not in names


# --- all new checks --------------------------------------------------------------------------


def test_every_new_check_carries_rule_and_unverified_label_evidence(make_case):
    agents = sorted({*RENAL_AGENTS, *TRANSAMINASE_AGENTS, "paclitaxel", "pembrolizumab"})
    checks = [c for c in safety_checks(make_case(), agents) if c.check in NEW_CHECKS]
    assert {c.check for c in checks} == NEW_CHECKS
    for check in checks:
        assert check.rule and check.evidence
        assert not any(e.verified for e in check.evidence)
        if check.check != "immune history":
            assert check.status is UNKNOWN, "an empty case has no labs: unknown, never ok"
