"""The cohort engine gives exactly the single-patient findings, on real METABRIC mutations.

Random cohorts are drawn from the real METABRIC mutation table (ODbL, examples/cohort) and
written as GDC MAFs, with hand-made edge rows mixed in (germline variants and possible
reversions, FILTER failures, unreadable protein changes, genes not in the gene table, rows
that are not variants, blank and comment lines). Every finding, note and count of the cohort
engine must equal what ``annotate_calls`` gives for each sample alone, with the sample's
subtype as its only context.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoboard.cohort import findings_frame
from oncoboard.cohort._aggregate import subtype_context
from oncoboard.cohort.engine import (
    CohortError,
    annotate_cohort,
    read_annotation,
    write_annotation,
)
from oncoboard.errors import GenomicFileError
from oncoboard.genomics import annotate_calls
from oncoboard.io import read_maf
from oncoboard.model import SpecimenType
from tests.conftest import COHORTS
from tests.io.test_tabular_readers import GDC_COLUMNS

METABRIC = COHORTS / "metabric" / "metabric_mutations.tsv"
SUBTYPES = (None, "HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "TNBC")


def _metabric() -> dict[str, list[tuple[str, str]]]:
    by_patient: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with METABRIC.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            by_patient[row["patientId"]].append((row["hugoGeneSymbol"], row["proteinChange"]))
    return dict(by_patient)


PATIENTS = _metabric()
IDS = sorted(PATIENTS)

# Edge rows: (gene, HGVSp_Short, Mutation_Status, FILTER). BRCA2 K3326* and S1982Rfs*22 are
# germline truncating variants; the somatic BRCA2 changes near them are possible reversions.
EDGE_ROWS = [
    ("BRCA2", "p.S1982Rfs*22", "Germline", "PASS"),
    ("BRCA2", "p.N1784Kfs*3", "Somatic", "PASS"),
    ("BRCA2", "p.S1955del", "Somatic", "PASS"),
    ("BRCA1", "p.E1836fs", "LOH", ""),
    ("BRCA1", "p.Q1811R", "Somatic", "PASS"),
    ("PIK3CA", "p.H1047R", "Somatic", "PASS"),
    ("PIK3CA", "p.H1047R", "Somatic", "PASS"),  # the same variant twice
    ("ESR1", "p.D538G", "Somatic", "germline_risk"),
    ("ESR1", "p.Y537S", "", "."),
    ("TP53", "p.R175=", "Somatic", "PASS"),
    ("TP53", "p.Arg175His", "Somatic", "PASS"),
    ("ERBB2", "p.L755S", "Somatic", "PASS"),
    ("NOTAGENE1", "p.A12T", "Somatic", "PASS"),
    ("HER2", "p.V777L", "Somatic", "PASS"),  # alias of ERBB2
    ("KRAS", "p.G12?", "Somatic", "PASS"),  # unreadable protein change
    ("AKT1", "p.E17K", "None", "PASS"),  # not a variant row
    ("PTEN", "p.X70_splice", "Wildtype", "PASS"),  # not a variant row
    ("PTEN", "", "Somatic", "PASS"),  # no protein change, no coordinates: needs annotation
    # no protein change: the label is the HGVS c. text, here one holding ", "
    ("ESR1", "", "Somatic", "PASS", "c.1609T>A, c.1610A>C"),
    ("ESR1", "", "Somatic", "PASS", "c.1613A>G"),
]


def _line(values: dict[str, str]) -> str:
    return "\t".join(values.get(name, "") for name in GDC_COLUMNS)


def write_gdc(path: Path, rows: list[dict[str, str]], *, noise: bool = False) -> Path:
    """A GDC MAF of ``rows`` (column -> value); ``noise`` adds blank and comment lines."""
    lines = ["#version gdc-1.0.0", "\t".join(GDC_COLUMNS)]
    for number, row in enumerate(rows):
        if noise and number % 7 == 3:
            lines.append("#annotation comment inside the data" if number % 2 else "")
        lines.append(_line(row))
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _row(
    sample: str,
    gene: str,
    change: str,
    status: str = "Somatic",
    filt: str = "PASS",
    hgvs_c: str = "",
):
    return {
        "HGVSc": hgvs_c,
        "Hugo_Symbol": gene,
        "Tumor_Sample_Barcode": sample,
        "HGVSp_Short": change,
        "Mutation_Status": status,
        "FILTER": filt,
        "NCBI_Build": "GRCh37",
        "t_depth": "200",
        "t_ref_count": "150",
        "t_alt_count": "50",
    }


def single_patient(
    path: Path, subtypes: dict[str, str | None], specimen: SpecimenType | None
) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[str, str]]]:
    """Findings, evidence and notes of each sample annotated alone (the reference)."""
    calls_by_sample = defaultdict(list)
    for call in read_maf(path):
        calls_by_sample[call.sample].append(call)
    annotations = []
    for sample in sorted(calls_by_sample):
        context = subtype_context(subtypes.get(sample))
        annotations += annotate_calls(calls_by_sample[sample], specimen=specimen, context=context)
    findings, evidence = findings_frame(annotations)
    notes = [(a.sample or "", n) for a in annotations for n in a.notes]
    notes += [(a.sample or "", n) for a in annotations for n in a.needs_annotation]
    return findings.sort("sample", "rank"), evidence, notes


def assert_same_as_single_patient(
    path: Path,
    result,
    subtypes: dict[str, str | None],
    specimen: SpecimenType | None,
) -> None:
    findings, evidence, notes = single_patient(path, subtypes, specimen)
    mine = result.findings.sort("sample", "rank")  # the tables list samples by bucket
    assert mine.height == findings.height
    for column in findings.columns:
        assert mine[column].to_list() == findings[column].to_list(), column
    texts = dict(zip(evidence["evidence_ref"], evidence["evidence"], strict=True))
    cited = dict(zip(result.evidence["evidence_ref"], result.evidence["evidence"], strict=True))
    assert cited == texts
    cohort_notes = [
        (sample, f"{source}: {note}")
        for sample, kind, source, note in result.notes.iter_rows()
        if kind != "needs_annotation"
    ] + [
        (sample, f"{source}: {note}")
        for sample, kind, source, note in result.notes.iter_rows()
        if kind == "needs_annotation"
    ]
    assert sorted(cohort_notes) == sorted(notes)


@st.composite
def cohorts(draw):
    patients = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=40, unique=True))
    rows = []
    for patient in patients:
        rows += [_row(patient, gene, f"p.{change}") for gene, change in PATIENTS[patient]]
        extra = draw(st.lists(st.sampled_from(EDGE_ROWS), max_size=4))
        rows += [_row(patient, *edge) for edge in extra]
    order = draw(st.permutations(range(len(rows))))
    subtypes = {p: draw(st.sampled_from(SUBTYPES)) for p in patients}
    specimen = draw(st.sampled_from([None, SpecimenType.TISSUE, SpecimenType.PLASMA]))
    return [rows[i] for i in order], subtypes, specimen, draw(st.booleans())


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cohort=cohorts())
def test_cohort_findings_equal_the_single_patient_path(tmp_path: Path, cohort) -> None:
    rows, subtypes, specimen, noise = cohort
    path = write_gdc(tmp_path / "cohort.maf", rows, noise=noise)
    clinical = pl.DataFrame(
        {"sample": list(subtypes), "subtype": list(subtypes.values())},
        schema={"sample": pl.String, "subtype": pl.String},
    )
    result = annotate_cohort(path, clinical=clinical, specimen=specimen)
    assert_same_as_single_patient(path, result, subtypes, specimen)


def test_whole_metabric_cohort_equals_the_single_patient_path(tmp_path: Path) -> None:
    rows = [_row(p, g, f"p.{c}") for p in IDS for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "metabric.maf.gz", rows)
    result = annotate_cohort(path)
    assert result.samples.height == 1859  # patients with a mutation (README of the data)
    assert int(result.samples["rows"].sum()) == 10613
    assert_same_as_single_patient(path, result, {}, None)


def test_possible_reversion_is_found_as_in_the_single_patient_path(tmp_path: Path) -> None:
    rows = [
        _row("S1", "BRCA2", "p.S1982Rfs*22", "Germline"),
        _row("S1", "BRCA2", "p.S1955del"),  # within 50 codons: possible reversion
        _row("S1", "BRCA2", "p.E2663V"),  # too far
        _row("S2", "BRCA2", "p.S1955del"),  # no germline variant: no reversion
    ]
    path = write_gdc(tmp_path / "reversion.maf", rows)
    result = annotate_cohort(path)
    reversions = result.findings.filter(pl.col("biomarker").str.contains("possible reversion"))
    assert reversions["sample"].to_list() == ["S1"]
    assert "BRCA2 S1955del (possible reversion of germline S1982Rfs*22)" in (
        reversions["biomarker"].item()
    )
    assert_same_as_single_patient(path, result, {}, None)


def test_local_engine_with_spilled_buckets_gives_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_row(p, g, f"p.{c}") for p in IDS[:400] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "part.maf", rows, noise=True)
    whole = annotate_cohort(path)
    from oncoboard.cohort import engine

    monkeypatch.setattr(engine, "_HOLD_BYTES", path.stat().st_size // 5)
    spilled = annotate_cohort(path, block_bytes=path.stat().st_size // 7)
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(spilled, name).equals(getattr(whole, name)), name


def test_samples_spanning_files_and_parquet_input(tmp_path: Path) -> None:
    rows = [_row(p, g, f"p.{c}") for p in IDS[:300] for g, c in PATIENTS[p]]
    one = write_gdc(tmp_path / "all.maf", rows)
    parts = tmp_path / "parts"
    parts.mkdir()
    write_gdc(parts / "a.maf", rows[: len(rows) // 2])
    pl.read_csv(
        write_gdc(tmp_path / "b.maf", rows[len(rows) // 2 :]),
        separator="\t",
        skip_rows=1,
        infer_schema=False,
    ).write_parquet(parts / "b.parquet")
    split = annotate_cohort(parts)
    whole = annotate_cohort(one)
    # the same findings; sources name the part files (Parquet: FILE:ROW)
    drop = ["source"]
    assert split.findings.drop(drop).equals(whole.findings.drop(drop))
    assert split.samples.equals(whole.samples)
    assert split.findings.filter(pl.col("source").str.contains("b.parquet:")).height > 0


def test_bad_rows_are_reported_as_the_reader_reports_them(tmp_path: Path) -> None:
    rows = [_row(p, g, f"p.{c}") for p in IDS[:50] for g, c in PATIENTS[p]]
    cases = {
        "t_alt_count": {"t_alt_count": "500"},  # more than t_depth
        "t_depth": {"t_depth": "many"},
        "Tumor_Sample_Barcode": {"Tumor_Sample_Barcode": "NA"},
        "NCBI_Build": {"NCBI_Build": "hg17"},
        "Hugo_Symbol": {"Hugo_Symbol": ""},
    }
    for field, change in cases.items():
        broken = [dict(r) for r in rows]
        broken[77].update(change)
        path = write_gdc(tmp_path / f"bad-{field}.maf", broken, noise=True)
        with pytest.raises(GenomicFileError) as expected:
            read_maf(path)
        for block_bytes in (1 << 26, 4096):  # one block; the bad row in a later block
            with pytest.raises(GenomicFileError) as got:
                annotate_cohort(path, block_bytes=block_bytes)
            assert str(got.value) == str(expected.value), field
            assert got.value.field == field
            assert got.value.record == expected.value.record


def test_ragged_and_non_utf8_lines_are_located(tmp_path: Path) -> None:
    rows = [_line(_row(p, g, f"p.{c}")) for p in IDS[:20] for g, c in PATIENTS[p]]
    header = ["#version gdc-1.0.0", "\t".join(GDC_COLUMNS)]
    ragged = tmp_path / "ragged.maf"
    ragged.write_text("\n".join([*header, *rows[:9], "TP53\tS1", *rows[9:]]) + "\n")
    with pytest.raises(GenomicFileError, match=r"ragged.maf:12: expected 120 tab-separated"):
        annotate_cohort(ragged)
    latin = tmp_path / "latin1.maf"
    latin.write_bytes(
        ("\n".join([*header, *rows[:4]]) + "\n").encode()
        + _line(_row("S\xe9", "TP53", "p.R175H")).encode("latin-1")
        + b"\n"
    )
    with pytest.raises(GenomicFileError, match=r"latin1.maf:7: expected UTF-8 text"):
        annotate_cohort(latin)


def test_missing_inputs_and_bad_clinical_tables_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CohortError, match="no such file"):
        annotate_cohort(tmp_path / "absent.maf")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CohortError, match=r"no \*\.maf"):
        annotate_cohort(tmp_path / "empty")
    path = write_gdc(tmp_path / "one.maf", [_row("S1", "PIK3CA", "p.H1047R")])
    with pytest.raises(CohortError, match="sample and subtype"):
        annotate_cohort(path, clinical=pl.DataFrame({"patient": ["S1"]}))


def test_written_tables_read_back_and_a_failed_run_writes_nothing(tmp_path: Path) -> None:
    path = write_gdc(tmp_path / "one.maf", [_row("S1", "PIK3CA", "p.H1047R")])
    result = annotate_cohort(path)
    out = tmp_path / "out"
    write_annotation(result, out)
    back = read_annotation(out)
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(back, name).equals(getattr(result, name)), name
    assert back.kb_version == result.kb_version
    # a second run replaces the folder as a whole
    write_annotation(
        annotate_cohort(write_gdc(tmp_path / "two.maf", [_row("S2", "ESR1", "p.D538G")])), out
    )
    assert read_annotation(out).samples["sample"].to_list() == ["S2"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with pytest.raises(CohortError, match="not a cohort annotation folder"):
        read_annotation(tmp_path)


@pytest.mark.slow
def test_dask_engine_on_two_workers_equals_the_local_engine(tmp_path: Path) -> None:
    rows = [_row(p, g, f"p.{c}") for p in IDS for g, c in PATIENTS[p]]
    rows += [_row(IDS[5], *edge) for edge in EDGE_ROWS]
    parts = tmp_path / "parts"
    parts.mkdir()
    third = len(rows) // 3
    write_gdc(parts / "a.maf", rows[:third], noise=True)
    write_gdc(parts / "b.maf.gz", rows[third : 2 * third])
    pl.read_csv(
        write_gdc(tmp_path / "c.maf", rows[2 * third :]),
        separator="\t",
        skip_rows=1,
        infer_schema=False,
    ).write_parquet(parts / "c.parquet", row_group_size=500)
    clinical = pl.DataFrame({"sample": IDS[::2], "subtype": ["HR+/HER2-"] * len(IDS[::2])})
    local = annotate_cohort(parts, clinical=clinical)
    dask = annotate_cohort(parts, clinical=clinical, engine="dask", workers=2, block_bytes=1 << 16)
    assert dask.engine == "dask"
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(dask, name).equals(getattr(local, name)), name
    assert local.samples.height == len(IDS)
    # an error in a later block is located in the file, as the reader locates it
    broken = [dict(r) for r in rows[:3000]]
    broken[2500]["t_alt_count"] = "999"
    bad = write_gdc(tmp_path / "bad.maf", broken, noise=True)
    with pytest.raises(GenomicFileError) as expected:
        read_maf(bad)
    with pytest.raises(GenomicFileError) as got:
        annotate_cohort(bad, engine="dask", workers=2, block_bytes=1 << 16)
    assert str(got.value) == str(expected.value)
    assert got.value.record is not None and got.value.record > 2500


def test_cli_annotates_a_cohort_and_fails_cleanly(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from oncoboard.cli import app

    rows = [_row(p, g, f"p.{c}") for p in IDS[:100] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    out = tmp_path / "out"
    runner = CliRunner()
    done = runner.invoke(app, ["cohort", "annotate", str(path), "--out", str(out), "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["samples"] == 100
    assert document["rows"] == len(rows)
    assert document["findings"] == read_annotation(out).findings.height
    assert "qualified clinicians" in document["disclaimer"]
    broken = [dict(r) for r in rows]
    broken[10]["t_depth"] = "-3"
    bad = write_gdc(tmp_path / "bad.maf", broken)
    failed = runner.invoke(app, ["cohort", "annotate", str(bad), "--out", str(tmp_path / "o2")])
    assert failed.exit_code == 1
    assert "bad.maf:13: t_depth: expected an integer >= 0, got '-3'" in failed.output
    assert not (tmp_path / "o2").exists()
    wrong = runner.invoke(app, ["cohort", "annotate", str(path), "-o", str(out), "--engine", "x"])
    assert wrong.exit_code == 2


def test_header_only_files_and_empty_buckets_give_empty_tables(tmp_path: Path) -> None:
    empty = write_gdc(tmp_path / "empty.maf", [])
    result = annotate_cohort(empty)
    assert result.findings.is_empty() and result.samples.is_empty()
    assert (
        result.findings.schema
        == annotate_cohort(
            write_gdc(tmp_path / "one.maf", [_row("S1", "PIK3CA", "p.H1047R")])
        ).findings.schema
    )
    # one sample, two buckets: one bucket holds nothing
    rows = [_row("S1", "PIK3CA", "p.H1047R"), _row("S1", "TP53", "p.R175H")]
    path = write_gdc(tmp_path / "two-rows.maf", rows)
    dask = annotate_cohort(path, engine="dask", workers=2)
    assert dask.findings.equals(annotate_cohort(path).findings)


def test_streamed_output_equals_the_in_memory_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oncoboard.cohort import engine

    rows = [_row(p, g, f"p.{c}") for p in IDS[:600] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    size = path.stat().st_size
    monkeypatch.setattr(engine, "_BUCKET_BYTES", size // 11)  # 12 buckets, not the minimum 4
    monkeypatch.setattr(engine, "_HOLD_BYTES", size // 2)  # rows spilled to disk
    assert engine.bucket_count(size) == 12
    counts = engine.annotate_cohort_to(path, tmp_path / "streamed", block_bytes=size // 5)
    streamed = read_annotation(tmp_path / "streamed")
    memory = annotate_cohort(path)
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(streamed, name).equals(getattr(memory, name)), name
    assert counts["samples"] == 600
    assert counts["findings"] == memory.findings.height
    assert counts["rows"] == len(rows)
    assert sum(counts["findings_by_kind"].values()) == memory.findings.height
