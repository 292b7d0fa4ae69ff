"""cBioPortal study export of the demo cohort: format rules, and the round trip through
Oncoboard's own readers (study reader, MAF, CNA and SV readers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.derive import summarize
from oncoboard.io import read_maf
from oncoboard.io.case_file import find_case_files, load_case
from oncoboard.io.cbioportal import read_cbioportal_cna, read_cbioportal_sv
from oncoboard.io.cbioportal_study import (
    CNA_LEVELS,
    StudyError,
    Table,
    build_study,
    check_study,
    read_study,
    variant_classification,
    write_study,
)
from oncoboard.model import Case
from oncoboard.model.genomics import GenomicReport, Variant

CASES = Path(__file__).resolve().parents[2] / "examples" / "cases"


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [load_case(p) for p in find_case_files([CASES])]


@pytest.fixture(scope="module")
def study_dir(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("study") / "oncoboard_mbc"
    write_study(build_study(cases), out)
    return out


def _reports(cases: list[Case]) -> dict[str, tuple[Case, GenomicReport]]:
    return {r.id: (c, r) for c in cases for r in c.genomic_reports}


def test_demo_cohort_follows_the_format_rules(study_dir: Path) -> None:
    assert check_study(study_dir) == []
    names = {p.name for p in study_dir.iterdir()}
    for required in ("meta_study.txt", "meta_clinical_sample.txt", "data_clinical_sample.txt",
                     "meta_mutations.txt", "data_mutations.txt", "case_lists"):  # fmt: skip
        assert required in names


def test_study_reads_back_equal(cases: list[Case], study_dir: Path) -> None:
    study = build_study(cases)
    assert read_study(study_dir) == study
    assert len(study.patients.rows) == len(cases) == 16
    assert len(study.samples.rows) == sum(len(c.genomic_reports) for c in cases)


def test_mutations_read_back_by_the_maf_reader(cases: list[Case], study_dir: Path) -> None:
    calls = read_maf(study_dir / "data_mutations.txt")
    study = read_study(study_dir)
    vafs = study.mutations.column("ONCOBOARD.vaf")
    expected = [
        (report.id, report.origin, variant)
        for case in cases
        for report in case.genomic_reports
        for variant in report.variants
    ]
    assert len(calls) == len(expected) == 36
    for call, vaf, (sample, origin, variant) in zip(calls, vafs, expected, strict=True):
        assert call.sample == sample
        assert call.origin == origin
        assert (call.gene, call.hgvs_p, call.hgvs_c, call.transcript) == (
            variant.gene, variant.hgvs_p, variant.hgvs_c, variant.transcript,
        )  # fmt: skip
        assert (call.chromosome, call.position, call.ref, call.alt) == (
            variant.chromosome.removeprefix("chr") if variant.chromosome else None,
            variant.position, variant.ref, variant.alt,
        )  # fmt: skip
        assert (call.depth, call.alt_reads) == (variant.depth, variant.alt_reads)
        if variant.consequence is not None:
            assert call.consequence == variant.consequence
        assert (float(vaf) if vaf else None) == variant.vaf


def test_copy_number_and_fusions_read_back(cases: list[Case], study_dir: Path) -> None:
    reports = _reports(cases)
    calls = read_cbioportal_cna(study_dir / "data_cna.txt")
    by_sample: dict[str, set[tuple[str, str]]] = {}
    for call in calls:
        assert call.sample is not None
        by_sample.setdefault(call.sample, set()).add((call.gene, call.type.value))
    with_cna = {rid for rid, (_, r) in reports.items() if r.copy_number}
    assert set(by_sample) == with_cna and len(with_cna) == 9
    for sample, found in by_sample.items():
        report = reports[sample][1]
        assert found == {(e.gene, e.type.value) for e in report.copy_number}
    fusions = read_cbioportal_sv(study_dir / "data_sv.txt")
    assert [(f.sample, f.gene_5p, f.gene_3p, f.in_frame, f.supporting_reads) for f in fusions] == [
        ("MBC-013-TEMPUS-1", "ETV6", "NTRK3", True, 214)
    ]


def test_unknown_copy_number_is_not_written_as_diploid(study_dir: Path) -> None:
    """A gene without a call in a sample is NA, never 0; samples without copy-number
    results are neither columns nor in the _cna case list."""
    lines = (study_dir / "data_cna.txt").read_text().splitlines()
    cells = [cell for line in lines[1:] for cell in line.split("\t")[1:]]
    assert "0" not in cells and "NA" in cells
    assert set(cells) <= {"NA", *CNA_LEVELS.values()}
    listed = (study_dir / "case_lists" / "cases_cna.txt").read_text()
    assert "MBC-005" not in listed  # ctDNA panel without copy-number results
    assert lines[0].split("\t")[1:] == listed.split("case_list_ids: ")[1].strip().split("\t")


def test_clinical_and_timeline_content(cases: list[Case], study_dir: Path) -> None:
    study = read_study(study_dir)
    patients = {r["PATIENT_ID"]: r for r in study.patients.records()}
    for case in cases:
        row = patients[case.patient.id]
        assert row["SUBTYPE"] == summarize(case).subtype.label
        assert row["DE_NOVO_METASTATIC"] == str(case.primary_diagnosis.de_novo_metastatic).upper()
    mbc005 = patients["MBC-005"]
    assert (mbc005["AGE"], mbc005["METASTATIC_RECURRENCE_DAYS"]) == ("61", "3571")
    treatment = [r for r in study.timelines["treatment"].records() if r["PATIENT_ID"] == "MBC-005"]

    def day(year: int, month: int, date: int) -> str:
        return str((dt.date(year, month, date) - dt.date(2012, 9, 3)).days)

    assert [(r["AGENT"], r["START_DATE"], r["STOP_DATE"], r["LINE"]) for r in treatment] == [
        ("anastrozole", day(2012, 10, 15), day(2017, 10, 16), ""),
        ("letrozole", day(2022, 7, 1), day(2025, 3, 10), "1"),
        ("palbociclib", day(2022, 7, 1), day(2025, 3, 10), "1"),
        ("elacestrant", day(2025, 3, 24), "", "2"),
    ]
    imaging = [r for r in study.timelines["imaging"].records() if r["PATIENT_ID"] == "MBC-005"]
    last = imaging[-1]
    assert (last["RECIST"], last["TARGET_LESIONS_SUM_MM"]) == ("SD", "43.0")
    assert "Eisenhauer" in last["RECIST_SOURCE"]
    labs = study.timelines["lab_test"].records()
    assert any(r["TEST"] == "ctDNA ESR1 p.Y537S VAF" and r["PATIENT_ID"] == "MBC-005" for r in labs)
    assert not any(cell[:4].isdigit() and "-" in cell for r in study.timelines.values()
                   for row in r.rows for cell in row)  # fmt: skip  # no calendar dates


@pytest.mark.parametrize(
    ("file", "edit", "problem"),
    [
        ("data_mutations.txt", ("Missense_Mutation", "missense_mutation"), "is not allowed"),
        ("data_mutations.txt", ("MBC-002-F1CDX-1", "MBC-999-X"), "not in the sample file"),
        ("data_cna.txt", ("\t2\t", "\t3\t"), "is not -2, -1.5, -1, 0, 1, 2"),
        ("data_clinical_patient.txt", ("\tSYNTHETIC", "\tsynthetic"), "must be upper case"),
        ("data_clinical_patient.txt", ("\tSYNTHETIC", "\tMUTATION_COUNT"), "computed by"),
        ("data_clinical_patient.txt", ("\t63\t", "\tsixty\t"), "is not a number"),
        ("data_clinical_sample.txt", ("#STRING\t", "#TEXT\t"), "is not STRING, NUMBER or BOOLEAN"),
        ("data_timeline_treatment.txt", ("MBC-001\t27\t", "MBC-001\t27.5\t"), "whole number"),
        ("meta_mutations.txt", ("stable_id: mutations\n", ""), "missing stable_id"),
        ("meta_study.txt", ("name: ", "title: "), "missing name"),
        ("case_lists/cases_sequenced.txt", ("oncoboard_mbc_sequenced", "x_seq"), "must start"),
    ],
)  # fmt: skip
def test_format_rule_violations_are_reported(
    study_dir: Path, tmp_path: Path, file: str, edit: tuple[str, str], problem: str
) -> None:
    copy = tmp_path / "study"
    shutil.copytree(study_dir, copy)
    path = copy / file
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    problems = check_study(copy)
    assert any(problem in p for p in problems), problems
    assert all(p.startswith((file.split("/")[0], "case_lists")) for p in problems)


def test_required_case_list_missing(study_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "study"
    shutil.copytree(study_dir, copy)
    (copy / "case_lists" / "cases_cna.txt").unlink()
    assert check_study(copy) == ["case_lists: a oncoboard_mbc_cna case list is required"]


def test_ids_and_failures(cases: list[Case], tmp_path: Path) -> None:
    twice = [cases[0], cases[0]]
    with pytest.raises(StudyError, match="patient id 'MBC-001' appears twice"):
        build_study(twice)
    with pytest.raises(StudyError, match="cannot be a cBioPortal id"):
        build_study(cases[:1], study_id="bad id")
    # nothing half-written: a failing write leaves the old folder as it was
    out = tmp_path / "study"
    write_study(build_study(cases[:2]), out)
    before = sorted(p.name for p in out.iterdir())
    study = build_study(cases[:1])
    row = (*study.patients.rows[0][:-1], "a\tb")
    bad = dataclasses.replace(study, patients=Table(study.patients.columns, (row,)))
    with pytest.raises(StudyError, match="tab or a line break"):
        write_study(bad, out)
    assert sorted(p.name for p in out.iterdir()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".study-")]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"consequence": "missense_variant", "hgvs_p": "p.H1047R"}, "Missense_Mutation"),
        ({"hgvs_p": "p.E545K"}, "Missense_Mutation"),
        ({"hgvs_p": "p.Glu545Lys"}, "Missense_Mutation"),
        ({"hgvs_p": "p.R248*"}, "Nonsense_Mutation"),
        ({"hgvs_p": "p.S408Rfs*99", "hgvs_c": "c.1210dupC"}, "Frame_Shift_Ins"),
        ({"hgvs_p": "p.K1000fs", "hgvs_c": "c.2998delA"}, "Frame_Shift_Del"),
        ({"hgvs_p": "p.E17_K18del"}, "In_Frame_Del"),
        ({"consequence": "splice_donor_variant", "hgvs_c": "c.100+1G>A"}, "Splice_Site"),
        ({"hgvs_c": "c.100+1G>A"}, "Unknown"),
    ],
)
def test_variant_classification(fields: dict[str, str], expected: str) -> None:
    assert variant_classification(Variant(gene="PIK3CA", **fields)) == expected


def test_cli_export(tmp_path: Path) -> None:
    out = tmp_path / "study"
    result = CliRunner().invoke(app, ["cohort", "export-cbioportal", str(CASES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "16 patients, 29 samples, 36 mutations" in result.output
    assert check_study(out) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: '1'\npatient: {id: X}\n")
    result = CliRunner().invoke(
        app, ["cohort", "export-cbioportal", str(bad), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "bad.yaml" in result.output
    assert not (tmp_path / "x").exists()


def test_cli_export_deidentified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --deidentify no patient id, report id or calendar date of a case is written."""
    out = tmp_path / "study"
    args = ["cohort", "export-cbioportal", str(CASES), "--out", str(out), "--deidentify"]
    monkeypatch.delenv("ONCOBOARD_DEID_SECRET", raising=False)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and "ONCOBOARD_DEID_SECRET" in result.output
    assert not out.exists()
    monkeypatch.setenv("ONCOBOARD_DEID_SECRET", "a site secret of 32 bytes length")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert check_study(out) == []
    text = "\n".join(p.read_text() for p in out.rglob("*.txt"))
    cases = [load_case(p) for p in find_case_files([CASES])]
    for case in cases:
        assert case.patient.id not in text
        for report in case.genomic_reports:
            assert report.id not in text
        assert case.primary_diagnosis.date.isoformat() not in text
    assert len(read_study(out).patients.rows) == 16
