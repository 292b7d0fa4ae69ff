"""The cohort report on METABRIC (1,980 primary breast cancers, 1,859 with mutations).

Findings come from the single-patient path with each patient's subtype as context (what the
cohort engine gives by design); every count is checked against an independent count over the
findings, and every survival estimate against lifelines run here on the same patients.

References
----------
Pereira B et al. Nat Commun 2016;7:11479 (PMID 27161491): PIK3CA mutated in 40.1% of 2,433
METABRIC tumours (figure quoted from the paper, not re-verified here); "approximately 40% of
all breast cancer tumours" (Sci Rep 2018;8:4713, introduction).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
import typer
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times
from typer.testing import CliRunner

from oncoboard.cli._cohort_report import report
from oncoboard.cli._console import DISCLAIMER
from oncoboard.cohort import findings_frame
from oncoboard.cohort._report_survival import Group, _logrank_delayed, at_risk, summarise
from oncoboard.cohort.clinical import (
    METABRIC_NOTES,
    metabric_clinical,
    msk_clinical,
    write_cohort_clinical,
)
from oncoboard.cohort.report import (
    LEVELS,
    cohort_html,
    cohort_tables,
    tables_json,
    write_tables,
)
from oncoboard.genomics import annotate_calls
from oncoboard.genomics.profile import CaseContext
from oncoboard.io import read_mutation_table
from tests.conftest import COHORTS

METABRIC = COHORTS / "metabric"
MSK = COHORTS / "msk-mbc-2018" / "breast_msk_2018_clinical_data.tsv"
ONCOGENIC = {"oncogenic", "likely_oncogenic"}


@pytest.fixture(scope="module")
def cohort():
    """METABRIC findings annotated with each patient's subtype as context, and its clinical
    table (ER-negative taken as HR-negative, so every subtype occurs)."""
    clinical = metabric_clinical(METABRIC, assume_pr_negative=True)
    subtype = dict(clinical.select("sample", "subtype").iter_rows())
    by_subtype = defaultdict(list)
    for call in read_mutation_table(METABRIC / "metabric_mutations.tsv"):
        by_subtype[subtype.get(call.sample)].append(call)
    annotations = []
    for name, calls in by_subtype.items():
        context = None
        if name is not None:
            context = CaseContext(
                subtype=name,
                her2=None,
                line=None,
                prior_classes=frozenset(),
                current_classes=frozenset(),
                history_known=False,
            )
        annotations += annotate_calls(calls, context=context)
    findings, evidence = findings_frame(annotations)
    return findings, evidence, clinical


@pytest.fixture(scope="module")
def tables(cohort):
    findings, evidence, clinical = cohort
    return cohort_tables(findings, evidence, clinical=clinical)


@pytest.fixture(scope="module")
def html(cohort):
    findings, evidence, clinical = cohort
    return cohort_html(
        findings,
        evidence,
        clinical=clinical,
        title="METABRIC <cohort>",
        kb_version="kb-test-1",
        notes=["METABRIC: primary tumours."],
    )


def _labels(findings: pl.DataFrame, *, oncogenic: bool) -> dict[str, set[str]]:
    """Gene -> samples with an (oncogenic) alteration, read label by label."""
    genes: dict[str, set[str]] = defaultdict(set)
    for row in findings.iter_rows(named=True):
        if row["oncogenicity"] is None or (oncogenic and row["oncogenicity"] not in ONCOGENIC):
            continue
        for label in row["biomarker"].split(", "):
            genes[label.split(" ")[0]].add(row["sample"])
    return genes


def test_pik3ca_share_is_close_to_the_published_40_percent(tables, cohort):
    clinical = cohort[2]
    pik3ca = tables["landscape_gene"].row(by_predicate=pl.col("gene") == "PIK3CA", named=True)
    assert pik3ca["denominator"] == 1859
    assert 0.38 <= pik3ca["share_any"] <= 0.46
    assert pik3ca["samples_any"] / clinical.height == pytest.approx(0.401, abs=0.02)
    assert tables["landscape_gene"]["gene"][0] == "PIK3CA"  # the most often altered gene


def test_gene_counts_match_an_independent_count(tables, cohort):
    findings = cohort[0]
    any_, oncogenic = _labels(findings, oncogenic=False), _labels(findings, oncogenic=True)
    genes = tables["landscape_gene"]
    for row in genes.head(20).iter_rows(named=True):
        assert row["samples_any"] == len(any_[row["gene"]])
        assert row["samples_oncogenic"] == len(oncogenic[row["gene"]])


def test_level_shares_sum_to_one_and_match_best_levels(tables, cohort):
    findings = cohort[0]
    levels = tables["landscape_level"]
    for _, part in levels.group_by("subtype"):
        assert part["share"].sum() == pytest.approx(1.0)
        assert part["samples"].sum() == part["denominator"][0]
    best: dict[str, int] = {}
    for sample, level in findings.select("sample", "level").drop_nulls().iter_rows():
        best[sample] = min(best.get(sample, 99), LEVELS.index(level))
    expected = dict.fromkeys((*LEVELS, "none"), 0)
    for sample in findings["sample"].unique():
        expected[LEVELS[best[sample]] if sample in best else "none"] += 1
    every = levels.filter(pl.col("subtype") == "all")
    assert dict(every.select("level", "samples").iter_rows()) == expected
    assert set(levels["subtype"]) == {
        "all",
        "HR+/HER2-",
        "HR+/HER2+",
        "HR-/HER2+",
        "TNBC",
        "not given",
    }


def test_subtype_actionability_counts_context(tables, cohort):
    findings, _, clinical = cohort
    subtype = dict(clinical.select("sample", "subtype").iter_rows())
    top = findings.filter(pl.col("kind") == "actionable", pl.col("level").is_in(["1", "2"]))
    open_ = set(top.filter(pl.col("context_met").fill_null(True))["sample"])
    by_group: dict[str, list[str]] = defaultdict(list)
    for sample in findings["sample"].unique():
        by_group[subtype.get(sample) or "not given"].append(sample)
    for row in tables["landscape_subtype"].iter_rows(named=True):
        members = by_group[row["subtype"]]
        assert row["samples"] == len(members)
        assert row["level_1_2"] == sum(s in open_ for s in members)
    shares = dict(tables["landscape_subtype"].select("subtype", "share_level_1_2").iter_rows())
    assert shares["HR+/HER2-"] > 0.4  # PIK3CA/AKT1/PTEN therapies are for HR+/HER2-
    assert shares["TNBC"] == 0.0  # their subtype context is not met


def test_eligibility_splits_samples_by_context(tables, cohort):
    findings, evidence, _ = cohort
    rows = tables["eligibility"]
    assert (
        rows["context_met"] + rows["context_unknown"] + rows["context_not_met"] == rows["samples"]
    ).all()
    alpelisib = rows.filter(pl.col("therapy") == "alpelisib + fulvestrant")
    by_group = {r["subtype"]: r for r in alpelisib.iter_rows(named=True)}
    assert by_group["TNBC"]["context_not_met"] == by_group["TNBC"]["samples"] > 0
    assert by_group["HR+/HER2-"]["context_not_met"] == 0
    refs = findings.filter(pl.col("therapy").list.join(" + ") == "alpelisib + fulvestrant")
    texts = evidence.filter(pl.col("evidence_ref").is_in(refs["evidence_ref"].unique().implode()))
    trials = {e["id"] for t in texts["evidence"] for e in json.loads(t) if e["source"] == "trial"}
    assert trials and all(t in by_group["all"]["evidence"] for t in trials)


def test_oncoprint_classes_follow_the_alteration_labels(tables, cohort):
    findings = cohort[0]
    oncoprint = tables["oncoprint"]
    genes = oncoprint.columns[1:]
    assert genes[0] == "PIK3CA" and len(genes) == 15
    cells = {
        (s, g): v
        for s, *vals in oncoprint.iter_rows()
        for g, v in zip(genes, vals, strict=True)
        if v
    }
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in findings.filter(pl.col("oncogenicity").is_in(list(ONCOGENIC))).iter_rows(named=True):
        for label in row["biomarker"].split(", "):
            labels[(row["sample"], label.split(" ")[0])].add(label.split(" ", 1)[1])
    checked = 0
    for (sample, gene), value in cells.items():
        changes = labels[(sample, gene)]
        if len(changes) > 1:
            assert value == "multiple"
        elif re.fullmatch(r"[A-Z]\d+[A-Z]", next(iter(changes))):
            assert value == "missense"
        elif re.search(r"fs\*|^[A-Z]\d+\*$", next(iter(changes))):
            assert value == "truncating"
        checked += 1
    assert checked == sum(1 for k in labels if k[1] in genes)


def _km(months, events):
    fitter = KaplanMeierFitter().fit(months, events)
    interval = median_survival_times(fitter.confidence_interval_)
    return fitter.median_survival_time_, interval.iloc[0, 0], interval.iloc[0, 1]


def test_survival_by_subtype_equals_lifelines(tables, cohort):
    clinical = cohort[2].with_columns(pl.col("subtype").fill_null("not given"))
    survival = tables["survival"].filter(pl.col("analysis") == "subtype")
    tested = []
    for row in survival.iter_rows(named=True):
        part = clinical.filter(pl.col("subtype") == row["group"])
        median, lower, upper = _km(part["os_months"].to_numpy(), part["os_event"].to_numpy())
        assert row["patients"] == part.height and row["events"] == part["os_event"].sum()
        assert row["median_months"] == pytest.approx(median)
        assert (row["median_ci_lower"], row["median_ci_upper"]) == pytest.approx((lower, upper))
        if row["group"] != "not given":
            tested.append(part.with_columns(code=pl.lit(len(tested))))
    pooled = pl.concat(tested)
    expected = multivariate_logrank_test(pooled["os_months"], pooled["code"], pooled["os_event"])
    assert survival["logrank_p"][0] == pytest.approx(expected.p_value)


def test_survival_by_pik3ca_status_among_patients_with_mutation_data(tables, cohort):
    findings, _, clinical = cohort
    altered = _labels(findings, oncogenic=True)["PIK3CA"]
    sequenced = clinical.filter(pl.col("sample").is_in(findings["sample"].unique().implode()))
    rows = tables["survival"].filter(pl.col("analysis") == "PIK3CA")
    assert rows["patients"].sum() == sequenced.height == 1859
    for row in rows.iter_rows(named=True):
        want = row["group"] == "PIK3CA altered"
        part = sequenced.filter(pl.col("sample").is_in(list(altered)) == want)
        median, _, _ = _km(part["os_months"].to_numpy(), part["os_event"].to_numpy())
        assert row["patients"] == part.height
        assert row["median_months"] == pytest.approx(median)


def test_delayed_entry_logrank_equals_lifelines_without_entry(cohort):
    clinical = cohort[2].drop_nulls("subtype")
    groups = [
        Group(
            "subtype",
            name,
            part["os_months"].to_numpy(),
            part["os_event"].to_numpy(),
            np.zeros(part.height),
            True,
        )
        for (name,), part in clinical.group_by("subtype", maintain_order=True)
    ]
    pooled = clinical.with_columns(code=pl.col("subtype").rank("dense"))
    expected = multivariate_logrank_test(pooled["os_months"], pooled["code"], pooled["os_event"])
    assert _logrank_delayed(groups) == pytest.approx(expected.p_value, rel=1e-9)


def test_msk_survival_allows_for_delayed_entry():
    clinical = msk_clinical(MSK)
    index = clinical.sort("os_entry_months", "sample").unique("patient", keep="first")
    groups = [
        Group(
            "subtype",
            name,
            part["os_months"].to_numpy(),
            part["os_event"].to_numpy(),
            part["os_entry_months"].to_numpy(),
            True,
        )
        for (name,), part in index.group_by("subtype", maintain_order=True)
    ]
    summary = summarise(groups)
    assert summary["patients"].sum() == 1756
    assert summary["test"][0].startswith("log-rank with delayed entry")
    for group, row in zip(groups, summary.iter_rows(named=True), strict=True):
        fitter = KaplanMeierFitter().fit(group.months, group.events, entry=group.entry)
        assert row["median_months"] == pytest.approx(fitter.median_survival_time_)
        table = fitter.event_table
        times = table.index.to_numpy()[1:6]
        assert list(at_risk(group, times)) == list(table["at_risk"].to_numpy()[1:6])
    naive = summarise(
        [Group(g.analysis, g.name, g.months, g.events, g.entry * 0, True) for g in groups]
    )
    hr_neg = summary.row(by_predicate=pl.col("group") == "HR+/HER2-", named=True)
    naive_hr_neg = naive.row(by_predicate=pl.col("group") == "HR+/HER2-", named=True)
    assert hr_neg["median_months"] < naive_hr_neg["median_months"]  # left truncation


def test_html_is_self_contained_with_disclaimer_and_figures(html):
    assert DISCLAIMER in html
    assert "kb-test-1" in html
    assert "METABRIC &lt;cohort&gt;" in html and "<cohort>" not in html
    assert "<script" not in html.lower()
    external = re.findall(r'\b(?:src|href)\s*=\s*"(?!#|data:)[^"]*"', html)
    assert external == []
    assert re.findall(r"url\((?!#)", html) == []  # only references to the SVG itself
    # levels, genes, subtypes, oncoprint; Kaplan-Meier by subtype, PIK3CA, AKT1, PTEN
    assert html.count("<svg") == 8
    assert "Overall survival by PIK3CA status" in html
    assert "Numbers at risk below the axis" in html
    assert "METABRIC: primary tumours." in html
    assert len(html) < 3_000_000


def test_tables_round_trip(tables, tmp_path):
    for fmt in ("csv", "parquet"):
        paths = write_tables(tables, tmp_path / fmt, fmt)
        assert [p.stem for p in paths] == list(tables)
        for path in paths:
            table = tables[path.stem]
            back = pl.read_csv(path, schema=table.schema) if fmt == "csv" else pl.read_parquet(path)
            assert back.equals(table), path
    document = json.loads(json.dumps(tables_json(tables), allow_nan=False))
    assert len(document["landscape_gene"]) == tables["landscape_gene"].height
    assert document["survival"][0] == tables["survival"].row(0, named=True)


def test_denominators_are_stated(tables):
    counts = dict(tables["denominators"].select("name", "count").iter_rows())
    assert counts["samples"] == counts["samples_with_findings"] == 1859
    assert counts["clinical_patients"] == counts["patients_with_os"] == 1980
    assert counts["sequenced_patients_with_os"] == 1859


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(report)
    return app


@pytest.fixture(scope="module")
def engine_folder(tmp_path_factory):
    """METABRIC annotated by the cohort engine (as a MAF), with the METABRIC subtypes."""
    from oncoboard.cohort.engine import annotate_cohort, write_annotation

    folder = tmp_path_factory.mktemp("engine")
    maf = folder / "metabric.maf"
    pl.read_csv(METABRIC / "metabric_mutations.tsv", separator="\t").select(
        Hugo_Symbol="hugoGeneSymbol", Tumor_Sample_Barcode="patientId", HGVSp_Short="proteinChange"
    ).write_csv(maf, separator="\t")
    write_annotation(annotate_cohort(maf, clinical=metabric_clinical(METABRIC)), folder / "ann")
    return folder / "ann"


def test_cli_report_from_an_engine_folder(engine_folder, tmp_path):
    out = tmp_path / "report.html"
    args = [str(engine_folder), "--out", str(out), "--clinical", str(METABRIC)]
    args += ["--clinical-format", "metabric", "--tables", str(tmp_path / "tables")]
    result = CliRunner().invoke(_cli(), [*args, "--table-format", "parquet", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["disclaimer"] == DISCLAIMER
    genes = {r["gene"]: r for r in document["tables"]["landscape_gene"]}
    assert genes["PIK3CA"]["denominator"] == 1859  # the engine's samples table
    page = out.read_text()
    assert DISCLAIMER in page
    assert METABRIC_NOTES[0] in page
    survival = pl.read_parquet(tmp_path / "tables" / "survival.parquet")
    assert survival.filter(pl.col("analysis") == "subtype")["patients"].sum() == 1980


def test_cli_reads_oncoboard_clinical_tsv_and_reports_bad_lines(engine_folder, tmp_path):
    table = write_cohort_clinical(msk_clinical(MSK).head(5), tmp_path / "clinical.tsv")
    lines = [line.split("\t") for line in table.read_text().splitlines()]
    lines[3][lines[0].index("os_event")] = "7"
    table.write_text("".join("\t".join(cells) + "\n" for cells in lines))
    result = CliRunner().invoke(
        _cli(), [str(engine_folder), "--out", str(tmp_path / "r.html"), "--clinical", str(table)]
    )
    assert result.exit_code == 1
    assert f"{table}:4: os_event: expected 0 or 1, got '7'" in " ".join(result.output.split())


def test_cli_errors(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(_cli(), [str(tmp_path / "none"), "--out", str(tmp_path / "x.html")])
    assert missing.exit_code == 1 and "no such annotation folder" in missing.output
    fmt = runner.invoke(
        _cli(), [str(tmp_path), "--out", str(tmp_path / "x.html"), "--clinical-format", "x"]
    )
    assert fmt.exit_code == 2
