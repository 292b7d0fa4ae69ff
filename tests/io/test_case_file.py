"""Reading and writing case files: formats, line numbers, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncoboard.errors import CaseFileError
from oncoboard.io import dump_case, find_case_files, load_case, parse_case, parse_text
from tests.conftest import DATA, EXAMPLES


def test_minimal_case_loads():
    case = load_case(DATA / "valid" / "minimal.yaml")
    assert case.patient.id == "MIN-1"
    assert case.receptors == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip_is_lossless(path: Path, fmt):
    case = load_case(path)
    text = dump_case(case, fmt)
    again = parse_case(parse_text(text, f"export.{fmt}", fmt))
    assert again == case
    assert dump_case(again, fmt) == text


def test_problems_carry_file_line_and_path(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(
        (DATA / "valid" / "minimal.yaml").read_text()
        + "metastatic_sites:\n  - {site: liver, date: 2024-01-01}\n"
        + "  - {site: moon, date: 2024-01-01}\n"
    )
    with pytest.raises(CaseFileError) as exc:
        load_case(path)
    (problem,) = exc.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), 13, "metastatic_sites.1.site")
    assert str(problem).startswith(f"{path}:13: metastatic_sites.1.site: Input should be")


def test_all_problems_of_a_file_are_reported(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text('schema_version: "1"\npatient: {id: X, sex: female, age_years: -3}\n')
    with pytest.raises(CaseFileError) as exc:
        load_case(path)
    paths = [p.path for p in exc.value.problems]
    assert paths == ["primary_diagnosis", "patient.age_years"]  # sorted by line (1, 2)


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "case.json"
    path.write_text("[1, 2]")
    with pytest.raises(CaseFileError, match="expected a mapping at the top level, got list"):
        load_case(path)


def test_unknown_suffix_is_rejected(tmp_path):
    path = tmp_path / "case.txt"
    path.write_text("{}")
    with pytest.raises(CaseFileError, match=r"got suffix '\.txt'"):
        load_case(path)


def test_not_utf8_is_reported(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(b"patient: \xff\xfe\n")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        load_case(path)


def test_dates_are_parsed_by_the_model_not_yaml(tmp_path):
    # YAML 1.1 would turn 2024-02-30 into a crash; the model reports it as a field problem.
    path = tmp_path / "case.yaml"
    path.write_text(
        (DATA / "valid" / "minimal.yaml").read_text().replace("2023-05-02", "2023-02-30")
    )
    with pytest.raises(CaseFileError) as exc:
        load_case(path)
    assert exc.value.problems[0].path == "primary_diagnosis.date"


def test_find_case_files_expands_folders(tmp_path):
    (tmp_path / "b.yaml").write_text("")
    (tmp_path / "a.json").write_text("")
    (tmp_path / "notes.txt").write_text("")
    found = list(find_case_files([tmp_path, tmp_path / "c.yml"]))
    assert [p.name for p in found] == ["a.json", "b.yaml", "c.yml"]


def test_duplicate_keys_in_json_are_located(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(
        '{"schema_version": "1",\n'
        ' "patient": {"id": "X", "sex": "female", "sex": "male", "age_years": 3},\n'
        ' "primary_diagnosis": {"date": "2020-01-01", "histology": "invasive_ductal"}}\n'
    )
    with pytest.raises(CaseFileError) as exc:
        load_case(path)
    assert [(p.line, p.path) for p in exc.value.problems] == [(2, "patient.sex")]


def test_agent_stop_date_outside_its_line_is_located(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(
        (DATA / "valid" / "minimal.yaml").read_text()
        + (
            "treatments:\n"
            "  - setting: metastatic\n"
            "    start_date: 2024-01-01\n"
            "    stop_date: 2024-06-01\n"
            "    agents:\n"
            "      - {name: paclitaxel, stop_date: 2024-09-01}\n"
        )
    )
    with pytest.raises(CaseFileError) as exc:
        load_case(path)
    (problem,) = exc.value.problems
    assert (problem.line, problem.path) == (16, "treatments.0.agents.0.stop_date")
    assert "outside the line (2024-01-01 to 2024-06-01)" in problem.message
