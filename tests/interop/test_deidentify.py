"""De-identification for research export (HIPAA Safe Harbor style, 45 CFR 164.514(b)(2))."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from oncoboard.io.case_file import load_case
from oncoboard.io.deidentify import (
    FIELD_RULES,
    Action,
    DeidentificationError,
    DeidentifiedCase,
    DeidentifyPolicy,
    Rule,
    deidentify_case,
    secret_from_env,
)
from oncoboard.model import Case
from oncoboard.monitoring.report import monitor_case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cases"
DEMO = sorted(p for p in EXAMPLES.iterdir() if p.suffix in {".yaml", ".json"})
SECRET = b"test-site-secret-0123456789"
OTHER_SECRET = b"another-site-secret-9876543210"

# Distinctive identifier strings injected into every free-text and id field.
MRN = "MRN-93812"
NAME = "Jane Roe"
PHONE = "555-0199"
EMAIL = "jane@example.org"
STREET = "12 Elm Street"
INJECTED = (MRN, NAME, PHONE, EMAIL, STREET, "Roe", "Elm", "93812", "0199")
TEXT = f"{NAME}, {STREET}, tel {PHONE}, {EMAIL}, {MRN}"

# Dates of the injected case, each more than a year from the others, so that no shifted date
# (1 to 365 days back) can coincide with another original date.
BORN, DX, RECUR, Y2021, Y2023, Y2024 = (
    "1961-04-12",
    "2015-03-02",
    "2019-06-14",
    "2021-09-20",
    "2023-05-17",
    "2024-07-01",
)


def _identified_document() -> dict[str, Any]:
    """A valid case with identifier strings in every free-text and id field."""
    lesion = {"site": "liver", "role": "target", "size_mm": 24, "description": TEXT}
    return {
        "schema_version": "1",
        "synthetic": True,
        "as_of": Y2024,
        "notes": TEXT,
        "patient": {"id": MRN, "sex": "female", "birth_date": BORN},
        "primary_diagnosis": {
            "date": DX,
            "histology": "invasive_ductal",
            "stage": {"t": "T2", "n": "N1", "m": "M0", "group": "IIB"},
            "metastatic_recurrence_date": RECUR,
        },
        "metastatic_sites": [{"site": "liver", "date": RECUR, "detail": TEXT}],
        "visceral_crisis": {"date": Y2023, "organs": ["liver"], "detail": TEXT},
        "receptors": [
            {"receptor": "ER", "date": DX, "percent": 90, "lab": TEXT, "specimen_site": TEXT},
            {
                "receptor": "HER2",
                "method": "IHC",
                "date": RECUR,
                "ihc_score": "1+",
                "specimen": "metastasis",
                "specimen_site": f"liver core biopsy, {TEXT}",
                "lab": TEXT,
            },
        ],
        "comorbidities": [
            {"condition": f"type 2 diabetes, {TEXT}", "category": "diabetes", "onset_date": DX}
        ],
        "labs": [{"test": "anc", "value": 3.1, "unit": "10^9/L", "date": Y2023}],
        "medications": [{"name": "metformin", "dose": f"1000 mg bid {TEXT}", "start_date": DX}],
        "lifestyle": {
            "diet_supplements": [f"grapefruit juice from {TEXT}", TEXT],
            "environmental_exposures": [TEXT],
        },
        "preferences": {"notes": TEXT},
        "genomic_reports": [
            {
                "id": f"{MRN}-F1CDX",
                "date": Y2021,
                "specimen_type": "tissue",
                "origin": "somatic",
                "assay": "FoundationOne CDx",
                "specimen_site": TEXT,
                "variants": [{"gene": "PIK3CA", "hgvs_p": "p.H1047R", "vaf": 0.3}],
            }
        ],
        "biomarkers": [
            {"marker": "Ki-67", "date": DX, "percent": 20, "specimen_site": TEXT},
            {
                "marker": "PD-L1",
                "date": Y2021,
                "assay": "22C3",
                "scoring": "CPS",
                "value": 5,
                "specimen_site": TEXT,
            },
            {"marker": "TROP2", "date": Y2021, "h_score": 150, "specimen_site": TEXT},
        ],
        "treatments": [
            {
                "id": f"{MRN}-L1",
                "setting": "metastatic",
                "line": 1,
                "agents": [
                    {"name": "letrozole", "dose": f"2.5 mg daily ({TEXT})"},
                    {"name": f"{MRN} trial drug {NAME}", "investigational": True},
                ],
                "start_date": Y2021,
                "stop_date": Y2023,
                "reason_stopped": "progression",
            }
        ],
        "local_therapies": [
            {"kind": "external_beam_radiotherapy", "site": TEXT, "start_date": Y2023, "notes": TEXT}
        ],
        "imaging": [
            {
                "date": Y2021,
                "modality": "CT",
                "body_region": TEXT,
                "report": TEXT,
                "lesions": [{**lesion, "id": f"{MRN}-H1"}],
            },
            {
                "date": Y2023,
                "modality": "CT",
                "body_region": "chest/abdomen/pelvis",
                "report": TEXT,
                "lesions": [{**lesion, "id": f"{MRN}-H1", "size_mm": 30}],
            },
        ],
        "liquid_biopsies": [{"date": Y2023, "assay": "Guardant360 CDx"}],
        "tumor_markers": [{"marker": "CA15-3", "value": 40, "unit": "U/mL", "date": Y2023}],
        "adverse_events": [
            {
                "term": "Diarrhea",
                "grade": 2,
                "onset_date": Y2021,
                "attributed_to": ["letrozole", TEXT, f"{MRN} trial drug {NAME}"],
                "treatment_line": f"{MRN}-L1",
            }
        ],
    }


@pytest.fixture
def identified() -> Case:
    return Case.model_validate(_identified_document())


def _demo(path: Path) -> Case:
    return load_case(path)


# --- the classification table --------------------------------------------------------------


def _string_fields(model: type[BaseModel]) -> tuple[set[tuple[str, str]], set[type[BaseModel]]]:
    """The string-valued fields of ``model`` and the models its fields refer to."""
    found: set[tuple[str, str]] = set()
    nested: set[type[BaseModel]] = set()
    for name, info in model.model_fields.items():
        leaves = list(_leaf_types(info.annotation))
        if any(_is_string(leaf) for leaf in leaves):
            found.add((model.__name__, name))
        nested.update(
            leaf for leaf in leaves if isinstance(leaf, type) and issubclass(leaf, BaseModel)
        )
    return found, nested


def _leaf_types(annotation: object) -> typing.Iterator[object]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _leaf_types(typing.get_args(annotation)[0])
    elif origin is typing.Literal:
        yield from (type(arg) for arg in typing.get_args(annotation))
    elif origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            yield from _leaf_types(arg)
    elif origin is dict:
        raise AssertionError(f"dict fields are not classified: {annotation!r}")
    else:
        yield annotation


def _is_string(leaf: object) -> bool:
    return isinstance(leaf, type) and (issubclass(leaf, str) or issubclass(leaf, Enum))


def _all_string_fields() -> set[tuple[str, str]]:
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Case]
    fields: set[tuple[str, str]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        found, nested = _string_fields(model)
        fields |= found
        todo.extend(nested - seen)
    return fields


def test_every_string_field_of_the_model_is_classified() -> None:
    fields = _all_string_fields()
    assert sorted(fields - FIELD_RULES.keys()) == [], "unclassified string fields"
    assert sorted(FIELD_RULES.keys() - fields) == [], "table names fields that do not exist"


def test_classification_counts_are_documented() -> None:
    counts = dict.fromkeys(Rule, 0)
    for rule in FIELD_RULES.values():
        counts[rule.rule] += 1
    assert counts[Rule.PSEUDONYMISE] == 5
    assert counts[Rule.REMOVE] >= 10
    assert all(rule.reason for rule in FIELD_RULES.values())


def _injected_fields(value: object, owner: str = "", name: str = "") -> set[tuple[str, str]]:
    if isinstance(value, BaseModel):
        out: set[tuple[str, str]] = set()
        for field in type(value).model_fields:
            out |= _injected_fields(getattr(value, field), type(value).__name__, field)
        return out
    if isinstance(value, list):
        return set().union(*(_injected_fields(item, owner, name) for item in value))
    if isinstance(value, str) and any(marker in value for marker in (MRN, NAME)):
        return {(owner, name)}
    return set()


def test_the_injected_case_covers_every_field_that_is_not_kept(identified: Case) -> None:
    not_kept = {key for key, rule in FIELD_RULES.items() if rule.rule is not Rule.KEEP}
    assert sorted(not_kept - _injected_fields(identified)) == []


# --- identifiers and dates -----------------------------------------------------------------


def _iso_dates(value: object) -> set[str]:
    return set(re.findall(r"\d{4}-\d{2}-\d{2}", json.dumps(value)))


def test_no_injected_string_original_id_or_original_date_survives(identified: Case) -> None:
    result = deidentify_case(identified, secret=SECRET)
    text = result.case.model_dump_json()
    for marker in INJECTED:
        assert marker not in text
    assert identified.patient.id not in text
    assert _iso_dates(identified.model_dump(mode="json")).isdisjoint(_iso_dates(json.loads(text)))
    assert SECRET.decode() not in text
    report = json.dumps([(step.path, step.action.value, step.note) for step in result.report])
    for marker in INJECTED:
        assert marker not in report


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_demo_cases_deidentify_to_valid_cases(path: Path) -> None:
    case = _demo(path)
    result = deidentify_case(case, secret=SECRET)
    assert re.fullmatch(r"P-[0-9a-f]{16}", result.pseudonym)
    assert result.case.patient.id == result.pseudonym
    assert result.case.synthetic is case.synthetic
    again = Case.model_validate(json.loads(result.case.model_dump_json()))
    assert again == result.case
    text = result.case.model_dump_json()
    assert case.patient.id not in text
    for report in case.genomic_reports:
        assert report.id not in text
    # An original date may only appear as the shifted image of another date.
    original = _dates_by_path(case.model_dump(mode="python"))
    shifted = {(d + dt.timedelta(days=result.shift_days)).isoformat() for d in original.values()}
    leaked = _iso_dates(json.loads(text)) & {d.isoformat() for d in original.values()}
    assert leaked <= shifted


def _dates_by_path(value: object, path: str = "") -> dict[str, dt.date]:
    if isinstance(value, dt.date):
        return {path: value}
    if isinstance(value, dict):
        items: typing.Iterable[tuple[object, object]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {}
    out: dict[str, dt.date] = {}
    for key, item in items:
        out |= _dates_by_path(item, f"{path}.{key}" if path else str(key))
    return out


@pytest.mark.parametrize("path", DEMO, ids=lambda p: p.stem)
def test_every_date_moves_by_exactly_shift_days(path: Path) -> None:
    case = _demo(path)
    result = deidentify_case(case, secret=SECRET)
    assert -365 <= result.shift_days <= -1
    before = _dates_by_path(case.model_dump(mode="python"))
    after = _dates_by_path(result.case.model_dump(mode="python"))
    assert before.keys() == after.keys()
    shift = dt.timedelta(days=result.shift_days)
    assert {p: d + shift for p, d in before.items()} == after
    shifted = {step.path for step in result.report if step.action is Action.SHIFTED}
    assert shifted == set(before)


def _timeline(case: Case) -> list[tuple[str, int]]:
    report = monitor_case(case)
    start = report.timeline[0].date if report.timeline else dt.date(2000, 1, 1)
    return [(event.kind, (event.date - start).days) for event in report.timeline]


@pytest.mark.parametrize(
    "name", ["mbc-005-esr1-serial-ctdna", "mbc-002-pik3ca-diabetes", "mbc-008-her2-pos-brain"]
)
def test_intervals_and_monitoring_timelines_are_preserved(name: str) -> None:
    case = _demo(next(p for p in DEMO if p.stem.startswith(name)))
    result = deidentify_case(case, secret=SECRET)
    assert _timeline(result.case) == _timeline(case)
    before, after = monitor_case(case), monitor_case(result.case)
    assert [m.call for m in after.molecular] == [m.call for m in before.molecular]
    if before.recist is not None:
        assert after.recist is not None
        best_after, best_before = (
            after.recist.best_overall_response,
            before.recist.best_overall_response,
        )
        assert (best_after.response, best_after.confirmed) == (
            best_before.response,
            best_before.confirmed,
        )
        assert [(t.overall_response, t.days_from_baseline) for t in after.recist.timepoints] == [
            (t.overall_response, t.days_from_baseline) for t in before.recist.timepoints
        ]
        assert len(after.recist.target_ids) == len(before.recist.target_ids)


def test_links_between_records_stay_consistent(identified: Case) -> None:
    result = deidentify_case(identified, secret=SECRET).case
    line_id = result.treatments[0].id
    assert line_id is not None and re.fullmatch(r"L-[0-9a-f]{12}", line_id)
    assert result.adverse_events[0].treatment_line == line_id
    first, second = (study.lesions[0].id for study in result.imaging)
    assert first == second and first.startswith("LES-")
    assert result.genomic_reports[0].id.startswith("R-")


def test_free_text_is_removed_or_rebuilt_from_vocabularies(identified: Case) -> None:
    case = deidentify_case(identified, secret=SECRET).case
    assert case.notes is None
    assert case.metastatic_sites[0].detail is None
    assert case.receptors[1].specimen_site == "liver"
    assert case.receptors[1].lab is None
    assert case.comorbidities[0].condition == "diabetes"
    assert case.medications[0].dose is None
    assert case.lifestyle is not None
    assert case.lifestyle.diet_supplements == ["grapefruit juice"]
    assert case.lifestyle.environmental_exposures == []
    assert [a.name for a in case.treatments[0].agents] == ["letrozole", "investigational agent"]
    assert case.adverse_events[0].attributed_to == ["letrozole", "investigational agent"]
    assert case.local_therapies[0].site == "unspecified site"
    assert [study.body_region for study in case.imaging] == [None, "chest/abdomen/pelvis"]
    assert all(study.report is None for study in case.imaging)


def test_clinical_content_is_unchanged() -> None:
    case = _demo(next(p for p in DEMO if p.stem.startswith("mbc-002")))
    result = deidentify_case(case, secret=SECRET).case
    assert result.genomic_reports[0].variants == case.genomic_reports[0].variants
    unchanged = {"date", "specimen_site", "lab"}
    assert [r.model_dump(exclude=unchanged) for r in result.receptors] == [
        r.model_dump(exclude=unchanged) for r in case.receptors
    ]
    assert [[a.name for a in t.agents] for t in result.treatments] == [
        [a.name for a in t.agents] for t in case.treatments
    ]
    # structured doses are kept; a dose text that holds a date is removed
    assert result.treatments[0].agents[0].dose == "75 mg/m2 q21d x4"
    assert result.treatments[2].agents[1].dose is None


def test_the_same_secret_gives_the_same_result(identified: Case) -> None:
    first = deidentify_case(identified, secret=SECRET)
    second = deidentify_case(identified, secret=SECRET)
    assert first == second


def test_another_secret_gives_another_pseudonym_and_shift(identified: Case) -> None:
    first = deidentify_case(identified, secret=SECRET)
    other = deidentify_case(identified, secret=OTHER_SECRET)
    assert other.pseudonym != first.pseudonym
    assert other.shift_days != first.shift_days
    assert other.case.treatments[0].id != first.case.treatments[0].id


def test_another_patient_gets_another_pseudonym(identified: Case) -> None:
    document = _identified_document()
    document["patient"]["id"] = "MRN-93813"
    other = deidentify_case(Case.model_validate(document), secret=SECRET)
    assert other.pseudonym != deidentify_case(identified, secret=SECRET).pseudonym


def test_age_over_89_becomes_the_90_or_older_group() -> None:
    document = _identified_document()
    document["patient"]["birth_date"] = "1929-03-01"  # 95 at as_of 2024-07-01
    result = deidentify_case(Case.model_validate(document), secret=SECRET)
    assert result.case.patient.birth_date is None
    assert result.case.patient.age_years == 90
    steps = {step.path: step for step in result.report}
    assert steps["patient.birth_date"].action is Action.REMOVED
    assert steps["patient.age_years"].action is Action.GENERALISED
    assert "90 or older" in steps["patient.age_years"].note
    assert "1929" not in result.case.model_dump_json()


def test_age_years_over_89_is_capped_too() -> None:
    document = _identified_document()
    document["patient"] = {"id": MRN, "sex": "female", "age_years": 97}
    result = deidentify_case(Case.model_validate(document), secret=SECRET)
    assert result.case.patient.age_years == 90


def test_age_89_keeps_a_shifted_birth_date() -> None:
    document = _identified_document()
    document["patient"]["birth_date"] = "1935-03-01"  # 89 at as_of 2024-07-01
    result = deidentify_case(Case.model_validate(document), secret=SECRET)
    shift = dt.timedelta(days=result.shift_days)
    assert result.case.patient.birth_date == dt.date(1935, 3, 1) + shift
    assert result.case.patient.age_years is None


def test_weak_secrets_are_refused(identified: Case) -> None:
    with pytest.raises(DeidentificationError, match="at least 16 bytes, but was 5 bytes"):
        deidentify_case(identified, secret=b"short")


def test_secret_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCOBOARD_DEID_SECRET", raising=False)
    with pytest.raises(DeidentificationError, match="ONCOBOARD_DEID_SECRET"):
        secret_from_env()
    monkeypatch.setenv("ONCOBOARD_DEID_SECRET", SECRET.decode())
    assert secret_from_env() == SECRET


def test_policy_bounds_and_options(identified: Case) -> None:
    with pytest.raises(DeidentificationError, match="max_shift_days"):
        DeidentifyPolicy(max_shift_days=0)
    narrow = deidentify_case(identified, secret=SECRET, policy=DeidentifyPolicy(max_shift_days=3))
    assert -3 <= narrow.shift_days <= -1
    document = copy.deepcopy(_identified_document())
    document["medications"][0]["dose"] = "1000 mg bid"
    plain = Case.model_validate(document)
    kept = deidentify_case(plain, secret=SECRET).case.medications[0].dose
    dropped = (
        deidentify_case(plain, secret=SECRET, policy=DeidentifyPolicy(keep_structured_doses=False))
        .case.medications[0]
        .dose
    )
    assert (kept, dropped) == ("1000 mg bid", None)


def test_shift_days_is_kept_out_of_repr(identified: Case) -> None:
    result = deidentify_case(identified, secret=SECRET)
    assert "shift_days" not in repr(result)
    assert isinstance(result, DeidentifiedCase)


def test_report_lists_field_paths_only(identified: Case) -> None:
    result = deidentify_case(identified, secret=SECRET)
    for step in result.report:
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)*", step.path), step.path
    actions = {step.action for step in result.report}
    assert actions == set(Action)
