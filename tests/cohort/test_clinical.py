"""The cohort clinical table: METABRIC and MSK 2018 adapters, Oncoboard's TSV, located errors.

Subtype counts are checked against a hand count of the source files with the ``csv`` module,
following the rules documented in :mod:`oncoboard.cohort.clinical`.

References
----------
Curtis C et al. Nature 2012;486:346; Pereira B et al. Nat Commun 2016;7:11479 (METABRIC).
Razavi P et al. Cancer Cell 2018;34:427 (MSK 2018, 1,918 samples of 1,756 patients).
"""

from __future__ import annotations

import csv
import math
import shutil
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from oncoboard.cohort.clinical import (
    CLINICAL_SCHEMA,
    DAYS_PER_MONTH,
    SUBTYPES,
    metabric_clinical,
    msk_clinical,
    read_cohort_clinical,
    write_cohort_clinical,
)
from oncoboard.errors import GenomicFileError
from tests.conftest import COHORTS

METABRIC = COHORTS / "metabric"
MSK = COHORTS / "msk-mbc-2018" / "breast_msk_2018_clinical_data.tsv"


_LABELS = {
    (True, False): "HR+/HER2-",
    (True, True): "HR+/HER2+",
    (False, True): "HR-/HER2+",
    (False, False): "TNBC",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _metabric_hand_count(assume_pr_negative: bool) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for row in _rows(METABRIC / "metabric_clinical.tsv"):
        er, snp6, three = row["ER_IHC"], row["HER2_SNP6"], row["THREEGENE"]
        hr = {"Positve": True, "Negative": False if assume_pr_negative else None}.get(er)
        if snp6 in ("NEUTRAL", "LOSS"):
            her2 = False
        elif snp6 == "GAIN" and three != "NA":
            her2 = three == "HER2+"
        else:
            her2 = None
        counts[_LABELS.get((hr, her2))] += 1
    return counts


@pytest.fixture(scope="module")
def metabric() -> pl.DataFrame:
    return metabric_clinical(METABRIC)


@pytest.fixture(scope="module")
def msk() -> pl.DataFrame:
    return msk_clinical(MSK)


def test_metabric_has_one_row_per_patient_with_the_standard_columns(metabric):
    assert metabric.height == 1980
    assert list(metabric.columns)[: len(CLINICAL_SCHEMA)] == list(CLINICAL_SCHEMA)
    assert metabric["sample"].n_unique() == 1980
    assert (metabric["sample"] == metabric["patient"]).all()
    assert set(metabric["sample_type"].unique()) == {"Primary"}


@pytest.mark.parametrize("assume_pr_negative", [False, True])
def test_metabric_subtypes_match_a_hand_count(assume_pr_negative):
    frame = metabric_clinical(METABRIC, assume_pr_negative=assume_pr_negative)
    counts = Counter(frame["subtype"].to_list())
    assert counts == _metabric_hand_count(assume_pr_negative)
    assert set(counts) - {None} <= set(SUBTYPES)


def test_metabric_without_pr_never_calls_er_negative_tumours_hr_negative(metabric):
    assert not set(metabric["subtype"].drop_nulls()) & {"TNBC", "HR-/HER2+"}
    rows = _rows(METABRIC / "metabric_clinical.tsv")
    er_negative = {r["patientId"] for r in rows if r["ER_IHC"] == "Negative"}
    undetermined = metabric.filter(pl.col("sample").is_in(list(er_negative)))
    assert undetermined["subtype"].null_count() == len(er_negative)
    assert all("PR not available" in b for b in undetermined["subtype_basis"])


def test_metabric_survival_in_months_with_death_and_disease_death(metabric):
    survival = {r["patientId"]: r for r in _rows(METABRIC / "metabric_survival.tsv")}
    events = Counter(r["event"] for r in survival.values())
    assert metabric["os_event"].sum() == events["1"] + events["2"]
    assert metabric["dss_event"].sum() == events["1"]
    for sample, months in metabric.select("sample", "os_months").head(50).iter_rows():
        assert months == pytest.approx(float(survival[sample]["time"]) / DAYS_PER_MONTH)


def test_msk_has_one_row_per_sample(msk):
    rows = _rows(MSK)
    assert msk.height == len(rows) == 1918
    assert msk["sample"].n_unique() == 1918
    assert msk["patient"].n_unique() == len({r["Patient ID"] for r in rows}) == 1756
    assert Counter(msk["sample_type"]) == Counter(r["Sample Type"] for r in rows)


def test_msk_subtypes_match_a_hand_count(msk):
    def status(row: dict[str, str], sample: str, patient: str) -> bool | None:
        value = row[sample] if row[sample] in ("Positive", "Negative") else row[patient]
        return {"Positive": True, "Negative": False}.get(value)

    expected: Counter[str | None] = Counter()
    for row in _rows(MSK):
        hr = status(row, "Overall HR Status of Sequenced Sample", "Overall Patient HR Status")
        her2 = status(row, "Overall HER2 Status of Sequenced Sample", "Overall Patient HER2 Status")
        expected[_LABELS.get((hr, her2))] += 1
    assert Counter(msk["subtype"].to_list()) == expected


def test_msk_survival_and_delayed_entry(msk):
    rows = {r["Sample ID"]: r for r in _rows(MSK)}
    deaths = sum(r["Overall Survival Status"].startswith("1:") for r in rows.values())
    assert msk["os_event"].sum() == deaths
    assert msk["os_event"].null_count() == 0
    assert (msk["os_entry_months"] >= 0).all()
    assert (msk["os_entry_months"] <= msk["os_months"]).all()
    for sample, entry, months in msk.select("sample", "os_entry_months", "os_months").iter_rows():
        row = rows[sample]
        raw = float(row["NGS Sample Collection Time Period"]) - float(
            row["Time to Diagnosis Invasive Carcinoma"]
        )
        assert months == float(row["Overall Survival (Months)"])
        assert entry == pytest.approx(min(max(raw, 0.0), months), abs=1e-9)


@pytest.mark.parametrize("name", ["metabric", "msk"])
def test_written_table_reads_back_unchanged(name, metabric, msk, tmp_path):
    frame = {"metabric": metabric, "msk": msk}[name]
    path = write_cohort_clinical(frame, tmp_path / f"{name}.tsv")
    back = read_cohort_clinical(path)
    assert back.schema == frame.schema
    assert back.equals(frame)


def test_oncoboard_table_defaults_and_extra_columns(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_text("Sample\tsubtype\tstage\nS1\ttnbc\tIV\nS2\tNA\tII\nS3\tundetermined\t\n")
    frame = read_cohort_clinical(path)
    assert frame["patient"].to_list() == ["S1", "S2", "S3"]
    assert frame["subtype"].to_list() == ["TNBC", None, None]
    assert frame["subtype_basis"].to_list() == ["as given in c.tsv"] * 3
    assert frame["stage"].to_list() == ["IV", "II", None]
    assert frame["os_months"].null_count() == 3
    assert frame.schema["os_event"] == pl.Int8


_HEADER = "sample\tpatient\tsubtype\tos_months\tos_event\tdss_event\tos_entry_months\n"
_GOOD = "S1\tP1\tHR+/HER2-\t12.5\t1\t1\t0\n"


@pytest.mark.parametrize(
    ("bad_row", "column", "shown"),
    [
        ("S2\tP2\tHR+\t10\t0\t0\t0\n", "subtype", "'HR+'"),
        ("S2\tP2\tTNBC\t-3\t0\t0\t0\n", "os_months", "'-3'"),
        ("S2\tP2\tTNBC\tten\t0\t0\t0\n", "os_months", "'ten'"),
        ("S2\tP2\tTNBC\t10\t2\t0\t0\n", "os_event", "'2'"),
        ("S2\tP2\tTNBC\t10\t0\t1\t0\n", "dss_event", "'1'"),
        ("S2\tP2\tTNBC\t10\t0\t0\t11\n", "os_entry_months", "11"),
        ("S1\tP2\tTNBC\t10\t0\t0\t0\n", "sample", "'S1'"),
        ("\tP2\tTNBC\t10\t0\t0\t0\n", "sample", "''"),
    ],
)
def test_bad_values_name_file_line_and_column(tmp_path, bad_row, column, shown):
    path = tmp_path / "clinical.tsv"
    path.write_text(_HEADER + _GOOD + bad_row)
    with pytest.raises(GenomicFileError) as info:
        read_cohort_clinical(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: {column}: expected")
    assert shown in message
    assert (info.value.record, info.value.field) == (3, column)


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "clinical.tsv"
    path.write_text("sample\tos_months\nS1\t3\n")
    with pytest.raises(GenomicFileError, match=r"clinical.tsv:1: expected column\(s\) subtype"):
        read_cohort_clinical(path)


def test_metabric_bad_receptor_value_is_located(tmp_path):
    folder = tmp_path / "metabric"
    shutil.copytree(METABRIC, folder)
    lines = (folder / "metabric_clinical.tsv").read_text().splitlines(keepends=True)
    lines[5] = lines[5].replace("Positve", "Weak", 1)
    (folder / "metabric_clinical.tsv").write_text("".join(lines))
    with pytest.raises(GenomicFileError, match=r"metabric_clinical.tsv:6: ER_IHC: .*'Weak'"):
        metabric_clinical(folder)


def test_metabric_survival_of_an_unknown_patient_is_located(tmp_path):
    folder = tmp_path / "metabric"
    shutil.copytree(METABRIC, folder)
    with (folder / "metabric_survival.tsv").open("a") as handle:
        handle.write("MB-9999\t100\t0\tLiving\ttrain\n")
    with pytest.raises(GenomicFileError, match=r"metabric_survival.tsv:1982: patientId: .*9999"):
        metabric_clinical(folder)


def test_msk_bad_survival_status_is_located(tmp_path):
    text = MSK.read_text().replace("1:DECEASED", "DECEASED", 1)
    path = tmp_path / "msk.tsv"
    path.write_text(text)
    with pytest.raises(GenomicFileError, match=r"msk.tsv:\d+: Overall Survival Status: "):
        msk_clinical(path)


def test_write_needs_the_standard_columns(tmp_path, metabric):
    with pytest.raises(ValueError, match="os_event"):
        write_cohort_clinical(metabric.drop("os_event"), tmp_path / "x.tsv")


def test_months_are_finite(metabric, msk):
    for frame in (metabric, msk):
        assert all(math.isfinite(v) for v in frame["os_months"].drop_nulls())
