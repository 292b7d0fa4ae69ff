"""Checkpoint-inhibitor eligibility, from the fact sheet:
- TNBC, PD-L1 CPS >= 10 by 22C3, first line: pembrolizumab + chemotherapy (KEYNOTE-355,
  FDA 13 Nov 2020) or SG + pembrolizumab (ASCENT-04, FDA 24 Jun 2026); CPS < 10 does not qualify.
- Tissue-agnostic: MSI-H/dMMR (pembrolizumab, dostarlimab), TMB >= 10 mut/Mb (pembrolizumab).
- Untested biomarkers make eligibility undetermined, never negative."""

from __future__ import annotations

from typing import Any

from oncoboard.io import load_case
from oncoboard.model import Case
from oncoboard.planning import ImmunotherapyStatus, immunotherapy_eligibility
from tests.conftest import EXAMPLES

TNBC = [
    {"receptor": "ER", "percent": 0, "date": "2024-01-01"},
    {"receptor": "PR", "percent": 0, "date": "2024-01-01"},
    {"receptor": "HER2", "method": "IHC", "ihc_score": "0", "date": "2024-01-01"},
]
HRPOS = [
    {"receptor": "ER", "percent": 90, "date": "2024-01-01"},
    {"receptor": "PR", "percent": 50, "date": "2024-01-01"},
    {"receptor": "HER2", "method": "IHC", "ihc_score": "1+", "date": "2024-01-01"},
]


def _report(**extra: Any) -> dict[str, Any]:
    return {
        "id": "R1",
        "date": "2024-02-01",
        "specimen_type": "tissue",
        "origin": "somatic",
        "assay": "FoundationOne CDx",
        **extra,
    }


def _cps(value: float) -> dict[str, Any]:
    return {
        "marker": "PD-L1",
        "assay": "22C3",
        "scoring": "CPS",
        "value": value,
        "date": "2024-01-15",
    }


def _case(make_case, receptors, **sections: Any) -> Case:
    return make_case(receptors=receptors, **sections)


def test_tnbc_cps_15_first_line_is_eligible(make_case):
    case = _case(
        make_case,
        TNBC,
        biomarkers=[_cps(15)],
        genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 3})],
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.ELIGIBLE
    assert {f.entry_id for f in result.findings} >= {
        "tnbc-pdl1-cps10-pembrolizumab-chemotherapy",
        "tnbc-pdl1-cps10-sacituzumab-pembrolizumab",
    }
    assert any(e.id == "NCT02819518" for e in result.evidence)


def test_tnbc_cps_5_with_mss_and_low_tmb_is_not_eligible(make_case):
    case = _case(
        make_case,
        TNBC,
        biomarkers=[_cps(5)],
        genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 3})],
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.NOT_ELIGIBLE
    assert result.evidence  # cites what defines eligibility


def test_tnbc_without_pdl1_is_undetermined_with_the_missing_test(make_case):
    case = _case(
        make_case, TNBC, genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 3})]
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.UNDETERMINED
    assert result.missing == ("PD-L1 22C3 CPS (TNBC, before first line)",)


def test_msi_high_is_eligible_in_any_subtype(make_case):
    case = _case(
        make_case, HRPOS, genomic_reports=[_report(msi={"status": "MSI-H"}, tmb={"value": 4})]
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.ELIGIBLE
    assert {"msi-h-pembrolizumab", "msi-h-dostarlimab"} <= {f.entry_id for f in result.findings}


def test_tmb_high_is_eligible_and_below_10_is_not(make_case):
    high = _case(
        make_case, HRPOS, genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 12.0})]
    )
    low = _case(
        make_case, HRPOS, genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 9.9})]
    )
    assert immunotherapy_eligibility(high).status is ImmunotherapyStatus.ELIGIBLE
    assert immunotherapy_eligibility(low).status is ImmunotherapyStatus.NOT_ELIGIBLE


def test_untested_msi_and_tmb_are_missing_not_negative(make_case):
    result = immunotherapy_eligibility(_case(make_case, HRPOS))
    assert result.status is ImmunotherapyStatus.UNDETERMINED
    assert set(result.missing) == {"MSI / MMR status", "TMB (with panel size)"}


def test_autoimmune_disease_is_a_cited_caution():
    (path,) = EXAMPLES.glob("mbc-012*")
    result = immunotherapy_eligibility(load_case(path))
    assert result.status is ImmunotherapyStatus.ELIGIBLE
    assert any("autoimmune" in c for c in result.cautions)
    assert any("pembrolizumab" in e.id.lower() and "5.1" in e.id for e in result.evidence)


def test_every_demo_case_gets_a_cited_answer():
    from oncoboard.io import find_case_files

    for path in find_case_files([EXAMPLES]):
        result = immunotherapy_eligibility(load_case(path))
        assert result.evidence, path.name
        assert result.reasons, path.name


def test_demo_mbc_010_on_pembrolizumab_is_not_eligible_to_start_one():
    """MBC-010 has CPS >= 10 but is on first-line pembrolizumab: the biomarker does not make a
    new checkpoint-inhibitor start eligible (regression: it was reported 'eligible')."""
    result = immunotherapy_eligibility(load_case(next(EXAMPLES.glob("mbc-010*"))))
    assert result.status is ImmunotherapyStatus.NOT_ELIGIBLE
    assert result.reasons[0].startswith("currently on pembrolizumab (metastatic, from 2025-07-28)")
    assert result.cautions == ()
    assert [e.id for e in result.evidence].count("NCT02819518") >= 1


def _ici_line(setting: str, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "setting": setting,
        "agents": [{"name": "pembrolizumab"}, {"name": "paclitaxel"}],
        "start_date": "2023-01-10",
        **extra,
    }
    if setting == "metastatic":
        line["line"] = 1
    return line


def test_progressed_on_a_checkpoint_inhibitor_is_not_eligible(make_case):
    case = _case(
        make_case,
        TNBC,
        biomarkers=[_cps(20)],
        treatments=[
            _ici_line(
                "metastatic",
                stop_date="2023-09-01",
                reason_stopped="progression",
                progression_date="2023-08-20",
            )
        ],
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.NOT_ELIGIBLE
    assert result.reasons[0].startswith("progressed on pembrolizumab (metastatic")


def test_neoadjuvant_checkpoint_inhibitor_is_a_caution_not_an_exclusion(make_case):
    case = _case(
        make_case,
        TNBC,
        biomarkers=[_cps(20)],
        genomic_reports=[_report(msi={"status": "MSS"}, tmb={"value": 3})],
        treatments=[_ici_line("neoadjuvant", stop_date="2023-06-01", reason_stopped="completed")],
    )
    result = immunotherapy_eligibility(case)
    assert result.status is ImmunotherapyStatus.ELIGIBLE
    assert result.cautions == (
        "prior pembrolizumab (neoadjuvant, from 2023-01-10), completed: evidence for "
        "re-treatment is limited",
    )
