"""Validate the cohort engine and report on real data: METABRIC and the MSK 2018 cohort (issue #8).

METABRIC (examples/cohort/metabric, ODbL): the mutation table (``patientId``,
``hugoGeneSymbol``, ``proteinChange``) becomes a minimal cBioPortal MAF (``Hugo_Symbol``,
``Tumor_Sample_Barcode``, ``HGVSp_Short`` = ``p.`` + protein change), annotated by
:func:`oncoboard.cohort.annotate_cohort` with the clinical table of
:func:`~oncoboard.cohort.metabric_clinical`; the cohort report (HTML and CSV tables) is written,
the findings are compared with the single-patient path sample by sample, and the figures that a
publication reports on the same data are set beside the published ones.

MSK 2018 (examples/cohort/msk-mbc-2018, clinical table only): what the clinical table allows
(:func:`~oncoboard.cohort.msk_clinical`): samples and patients, subtype per sample and per
patient, primary vs metastatic samples, the site of the metastatic samples by subtype (the
table has no per-organ metastasis columns, only ``Site of Sample``), and median overall
survival by subtype from the report's survival code, with and without the delayed entry
(sequencing after diagnosis) that the clinical module records.

Usage: ``python scripts/validate_cohorts.py [--out out/validation] [--json]``; writes
``metabric.maf``, ``metabric_annotation/``, ``metabric_report.html``, ``metabric_tables/``,
``msk_tables/`` and ``validation.json`` (all figures) in the output folder. docs/validation.md
discusses the figures; tests/cohort/test_validation.py pins them.

Published figures (:data:`PUBLISHED`) were checked against the sources named in
:data:`SOURCES`; see docs/validation.md for which are verified and how.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from oncoboard import __version__
from oncoboard.cohort import (
    EVIDENCE_SCHEMA,
    FINDINGS_SCHEMA,
    CohortAnnotation,
    annotate_cohort,
    findings_frame,
    metabric_clinical,
    msk_clinical,
    write_annotation,
)
from oncoboard.cohort.clinical import METABRIC_NOTES
from oncoboard.cohort.report import cohort_tables, render_cohort_html, write_tables
from oncoboard.genomics import CaseContext, annotate_calls
from oncoboard.io import read_maf

ROOT = Path(__file__).resolve().parents[1]
METABRIC = ROOT / "examples" / "cohort" / "metabric"
MSK = ROOT / "examples" / "cohort" / "msk-mbc-2018" / "breast_msk_2018_clinical_data.tsv"
ONCOGENIC = ("oncogenic", "likely_oncogenic")
Tables = dict[str, pl.DataFrame]
SUBTYPE_ORDER = ("HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "TNBC", "not given")
TOP_GENES = ("PIK3CA", "TP53", "MUC16", "AHNAK2", "SYNE1", "KMT2C", "GATA3")
OTHER_GENES = ("MAP3K1", "CDH1", "CBFB", "AKT1", "PTEN", "ERBB2", "ESR1")
AKT_PATHWAY = ("PIK3CA", "AKT1", "PIK3R1", "PTEN", "FOXO3")
MAF_NOTE = (
    "Mutations: METABRIC mutation table converted to a minimal cBioPortal MAF (gene, sample, "
    "p. + protein change); no copy number, fusions or read counts."
)

SOURCES: dict[str, str] = {
    "pereira2016": (
        "Pereira B, Chin S-F, Rueda OM, et al. The somatic mutation profiles of 2,433 breast "
        "cancers refines their genomic and transcriptomic landscapes. Nat Commun 2016;7:11479. "
        "PMID 27161491, doi:10.1038/ncomms11479"
    ),
    "curtis2012": (
        "Curtis C, Shah SP, Chin S-F, et al. The genomic and transcriptomic architecture of "
        "2,000 breast tumours reveals novel subgroups. Nature 2012;486:346-352. PMID 22522925, "
        "doi:10.1038/nature10983"
    ),
    "razavi2018": (
        "Razavi P, Chang MT, Xu G, et al. The genomic landscape of endocrine-resistant advanced "
        "breast cancers. Cancer Cell 2018;34(3):427-438. PMID 30205045, "
        "doi:10.1016/j.ccell.2018.08.008"
    ),
    "zehir2017": (
        "Zehir A, Benayed R, Shah RH, et al. Mutational landscape of metastatic cancer revealed "
        "from prospective clinical sequencing of 10,000 patients. Nat Med 2017;23:703-713. "
        "PMID 28481359, doi:10.1038/nm.4333"
    ),
    "suehnholz2024": (
        "Suehnholz SP, Nissan MH, Zhang H, et al. Quantifying the expanding landscape of "
        "clinical actionability for patients with cancer. Cancer Discov 2024;14(1)"
    ),
}
"""The publications the figures are compared with."""


@dataclass(frozen=True, slots=True)
class Published:
    """A published figure and how close ours must be to it."""

    what: str
    value: float
    unit: str  # "%", "n" or "months"
    source: str  # key of SOURCES
    tolerance: float | None  # absolute, in `unit`; None: within our 95% Wilson interval


# (gene, group, id suffix, published %): Pereira 2016, functional mutations by ER/HER2 status
# and by histology; ours: oncogenic or likely oncogenic alterations, sequenced patients.
SUBGROUPS: tuple[tuple[str, str, str, float], ...] = (
    ("PIK3CA", "ER+/HER2-", "er_pos_her2_neg", 46.5),
    ("PIK3CA", "ER+/HER2+", "er_pos_her2_pos", 29.5),
    ("TP53", "ER-/HER2+", "er_neg_her2_pos", 67.5),
    ("TP53", "ER+/HER2+", "er_pos_her2_pos", 42.6),
    ("GATA3", "ER+/HER2+", "er_pos_her2_pos", 8.2),
    ("GATA3", "ER-/HER2+", "er_neg_her2_pos", 0.5),
    ("CDH1", "Lobular", "lobular", 52.6),
    ("CDH1", "Ductal/NST", "ductal", 3.4),
    ("PIK3CA", "Ductal/NST", "ductal", 36.9),
    ("PIK3CA", "Lobular", "lobular", 46.9),
    ("PIK3CA", "Mixed", "mixed", 50.0),
    ("PIK3CA", "Mucinous", "mucinous", 8.3),
    ("PIK3CA", "Medullary", "medullary", 8.8),
)
GENE_FREQUENCIES = (40.1, 35.4, 16.8, 16.2, 12.0, 11.4, 11.1)  # Pereira 2016, TOP_GENES order
DENOMINATORS = {"sequenced": "patients with >= 1 mutation", "all": "all clinical patients"}

PUBLISHED: dict[str, Published] = {
    **{
        f"metabric_{gene.lower()}_{key}": Published(
            f"{gene} mutated, % of {label}", value, "%", "pereira2016", 3.0
        )
        for gene, value in zip(TOP_GENES, GENE_FREQUENCIES, strict=True)
        for key, label in DENOMINATORS.items()
    },
    "metabric_akt_pathway": Published(
        "PIK3CA/AKT1/PIK3R1/PTEN/FOXO3 functional, % of sequenced", 45.2, "%", "pereira2016", 3.0
    ),
    "metabric_er_positive": Published("ER+, % with ER status", 73.9, "%", "pereira2016", 5.0),
    **{
        f"metabric_{gene.lower()}_{suffix}": Published(
            f"{gene} functional, % of {group}", value, "%", "pereira2016", None
        )
        for gene, group, suffix, value in SUBGROUPS
    },
    "msk_samples": Published("tumour samples", 1918, "n", "razavi2018", 0),
    "msk_patients": Published("patients", 1756, "n", "razavi2018", 0),
    "msk_metastasis_samples": Published("metastatic samples", 1000, "n", "razavi2018", 0),
    "msk_hr_pos_her2_neg_samples": Published(
        "HR+/HER2- samples (ours: patient receptor status)", 1501, "n", "razavi2018", 1
    ),
}
"""Published figures on the same cohorts, by comparison id, each with its tolerance."""

CONTEXT: dict[str, Published] = {
    "metabric_patients_curtis": Published(
        "patients (discovery 997 + validation 995)", 1992, "n", "curtis2012", None
    ),
    "metabric_patients_pereira": Published(
        "tumours sequenced (173 genes)", 2433, "n", "pereira2016", None
    ),
    "metabric_follow_up_months": Published(
        "median follow-up (ours: median observed time)", 115.0, "months", "pereira2016", None
    ),
    "actionable_zehir_all": Published(
        ">= 1 OncoKB-actionable alteration, all cancers", 36.7, "%", "zehir2017", None
    ),
    "actionable_zehir_breast": Published(
        ">= 1 OncoKB-actionable alteration, breast", 57.0, "%", "zehir2017", None
    ),
    "actionable_suehnholz_2022": Published(
        "level 1 or 2 biomarker, solid tumours, OncoKB 2022", 31.6, "%", "suehnholz2024", None
    ),
    "actionable_suehnholz_2017": Published(
        "level 1 or 2 biomarker, solid tumours, OncoKB 2017", 8.9, "%", "suehnholz2024", None
    ),
}
"""Published figures on other or larger data, shown for context only (no tolerance)."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval of the proportion k/n, in percent."""
    if n == 0:
        return 0.0, 100.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def percent(k: int, n: int) -> float:
    return 100 * k / n if n else math.nan


def rows_of(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN as null)."""
    return [
        {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
        for row in frame.iter_rows(named=True)
    ]


# --- METABRIC ------------------------------------------------------------------------------


def metabric_maf(source: Path, target: Path) -> Path:
    """Write the METABRIC mutation table as a minimal cBioPortal MAF; returns ``target``."""
    with source.open(newline="") as handle, target.open("w", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["Hugo_Symbol", "Tumor_Sample_Barcode", "HGVSp_Short"])
        for row in csv.DictReader(handle, delimiter="\t"):
            writer.writerow([row["hugoGeneSymbol"], row["patientId"], f"p.{row['proteinChange']}"])
    return target


def identity_check(maf: Path, result: CohortAnnotation, clinical: pl.DataFrame) -> dict[str, Any]:
    """The cohort findings against ``annotate_calls`` run on each sample alone (its subtype as
    the only context), column by column; evidence and notes too."""
    subtypes = dict(clinical.select("sample", "subtype").iter_rows())
    calls = defaultdict(list)
    for call in read_maf(maf):
        calls[call.sample].append(call)
    annotations = []
    for sample in sorted(calls, key=lambda s: s or ""):
        context = CaseContext(
            subtype=subtypes.get(sample),
            her2=None,
            line=None,
            prior_classes=frozenset(),
            current_classes=frozenset(),
            history_known=False,
        )
        annotations += annotate_calls(calls[sample], context=context)
    findings, evidence = findings_frame(annotations)
    findings = findings.sort("sample", "rank")
    cohort = result.findings.sort("sample", "rank")  # the cohort tables list samples by bucket
    same_columns = findings.height == cohort.height and all(
        findings[c].to_list() == cohort[c].to_list() for c in findings.columns
    )
    same_evidence = dict(evidence.iter_rows()) == dict(result.evidence.iter_rows())
    single_notes = sorted(
        (a.sample or "", n) for a in annotations for n in (*a.notes, *a.needs_annotation)
    )
    cohort_notes = sorted(
        (sample, f"{source}: {note}") for sample, _, source, note in result.notes.iter_rows()
    )
    return {
        "samples": len(calls),
        "findings": findings.height,
        "cohort_findings": result.findings.height,
        "identical_findings": same_columns,
        "identical_evidence": same_evidence,
        "identical_notes": single_notes == cohort_notes,
        "passed": same_columns and same_evidence and single_notes == cohort_notes,
    }


def _clinical_raw() -> pl.DataFrame:
    return pl.read_csv(
        METABRIC / "metabric_clinical.tsv", separator="\t", null_values="NA", infer_schema_length=0
    )


def _subgroup(
    name: str, mutated: set[str], members: set[str], sequenced: set[str]
) -> dict[str, Any]:
    group = members & sequenced
    k = len(group & mutated)
    low, high = wilson(k, len(group))
    return {
        "id": name,
        "mutated": k,
        "denominator": len(group),
        "percent": percent(k, len(group)),
        "ci95": [low, high],
    }


def metabric_subgroups(
    findings: pl.DataFrame, sequenced: set[str], er_based: pl.DataFrame
) -> list[dict[str, Any]]:
    """Oncogenic-alteration shares by ER/HER2 group and histology (sequenced patients).

    ``er_based`` is the clinical table with ER-negative taken as HR-negative, so its groups
    are ER/HER2 groups as Pereira's (PR is not in the table).
    """
    oncogenic = findings.filter(pl.col("oncogenicity").is_in(ONCOGENIC))
    genes = {gene for gene, *_ in SUBGROUPS}
    mutated = {g: set(oncogenic.filter(pl.col("gene") == g)["sample"]) for g in genes}
    groups = {
        subtype.replace("HR", "ER"): set(ids)
        for subtype, ids in er_based.group_by("subtype").agg("sample").rows()
        if subtype is not None
    }
    histology = _clinical_raw().group_by("HISTOLOGICAL_SUBTYPE").agg("patientId").rows()
    groups |= {h: set(ids) for h, ids in histology if h is not None}
    return [
        _subgroup(f"metabric_{gene.lower()}_{suffix}", mutated[gene], groups[group], sequenced)
        for gene, group, suffix, _ in SUBGROUPS
    ]


def metabric_genes(tables: Tables, sequenced: int, all_: int) -> list[Any]:
    """Patients with any / an oncogenic alteration of each gene, from ``landscape_gene``."""
    genes = tables["landscape_gene"]
    any_by_gene = dict(genes.select("gene", "samples_any").iter_rows())
    oncogenic_by_gene = dict(genes.select("gene", "samples_oncogenic").iter_rows())
    return [
        {
            "gene": g,
            "patients_any": any_by_gene.get(g, 0),
            "patients_oncogenic": oncogenic_by_gene.get(g, 0),
            "percent_of_sequenced": percent(any_by_gene.get(g, 0), sequenced),
            "percent_of_all": percent(any_by_gene.get(g, 0), all_),
        }
        for g in (*TOP_GENES, *OTHER_GENES)
    ]


def metabric_annotation(out: Path, *, html: bool) -> tuple[Path, CohortAnnotation, Tables, float]:
    """The MAF, the cohort annotation with the clinical table, the report's tables and the
    annotation time; the annotation folder, the tables as CSV and (with ``html``) the report
    are written into ``out``."""
    maf = metabric_maf(METABRIC / "metabric_mutations.tsv", out / "metabric.maf")
    clinical = metabric_clinical(METABRIC)
    started = time.perf_counter()
    result = annotate_cohort(maf, clinical=clinical)
    seconds = time.perf_counter() - started
    write_annotation(result, out / "metabric_annotation")
    tables = cohort_tables(result.findings, result.evidence, result.samples, clinical)
    write_tables(tables, out / "metabric_tables")
    if html:
        render_cohort_html(
            result.findings,
            result.evidence,
            out / "metabric_report.html",
            samples=result.samples,
            clinical=clinical,
            title="METABRIC: cohort report (validation run)",
            kb_version=result.kb_version,
            notes=(*METABRIC_NOTES, MAF_NOTE),
        )
    return maf, result, tables, seconds


def metabric_figures(out: Path, *, html: bool = True) -> dict[str, Any]:
    """Annotate METABRIC, write its report and tables into ``out``; the figures."""
    maf, result, tables, seconds = metabric_annotation(out, html=html)
    clinical = metabric_clinical(METABRIC)
    er_based = metabric_clinical(METABRIC, assume_pr_negative=True)
    sequenced = set(result.samples["sample"])
    findings = result.findings
    akt = findings.filter(
        pl.col("gene").is_in(AKT_PATHWAY), pl.col("oncogenicity").is_in(ONCOGENIC)
    )["sample"].n_unique()
    raw = _clinical_raw()
    er_known = raw["ER_IHC"].drop_nulls().str.to_lowercase()
    er_positive = int(er_known.is_in(["positve", "positive"]).sum())
    return {
        "inputs": {p.name: sha256(p) for p in sorted(METABRIC.glob("*.tsv"))},
        "kb_version": result.kb_version,
        "annotate_seconds": seconds,
        "identity_check": identity_check(maf, result, clinical),
        "patients_clinical": clinical.height,
        "patients_sequenced": len(sequenced),
        "mutation_rows": int(result.samples["rows"].sum()),
        "unparsable_rows": int(result.samples["unparsable"].sum()),
        "findings": findings.height,
        "genes": metabric_genes(tables, len(sequenced), clinical.height),
        "akt_pathway": {
            "patients": akt,
            "denominator": len(sequenced),
            "percent": percent(akt, len(sequenced)),
        },
        "er_ihc": {
            "positive": er_positive,
            "known": er_known.len(),
            "percent": percent(er_positive, er_known.len()),
        },
        "subtypes": _counts(clinical["subtype"].fill_null("not given")),
        "subtypes_er_negative_as_hr_negative": _counts(er_based["subtype"].fill_null("not given")),
        "pam50_claudin": _counts(raw["CLAUDIN_SUBTYPE"].fill_null("NA")),
        "survival": _metabric_survival(clinical, tables, er_based),
        "landscape_level": rows_of(tables["landscape_level"].filter(pl.col("subtype") == "all")),
        "landscape_subtype": rows_of(tables["landscape_subtype"]),
        "level_1_2": _level_1_2(findings, len(sequenced)),
        "subgroups": metabric_subgroups(findings, sequenced, er_based),
    }


def _metabric_survival(
    clinical: pl.DataFrame, tables: Tables, er_based: pl.DataFrame
) -> dict[str, Any]:
    with_os = clinical.drop_nulls("os_months")
    return {
        "deaths": int(with_os["os_event"].sum()),
        "deaths_of_disease": int(with_os["dss_event"].sum()),
        "median_observed_months": float(with_os.select(pl.col("os_months").median()).item()),
        "median_follow_up_reverse_km_months": _reverse_km_median(with_os),
        "by_subtype": rows_of(tables["survival"].filter(pl.col("analysis") == "subtype")),
        "by_subtype_er_negative_as_hr_negative": rows_of(_survival_by_subtype(er_based)),
    }


def _counts(column: pl.Series) -> dict[str, int]:
    counts = dict(column.value_counts().iter_rows())
    return {k: int(counts[k]) for k in sorted(counts, key=lambda k: (-counts[k], str(k)))}


def _reverse_km_median(clinical: pl.DataFrame) -> float | None:
    """Median potential follow-up: Kaplan-Meier with censoring as the event."""
    from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]

    fitter = KaplanMeierFitter().fit(
        clinical["os_months"].to_numpy(), 1 - clinical["os_event"].to_numpy()
    )
    value = float(fitter.median_survival_time_)
    return value if math.isfinite(value) else None


def _level_1_2(findings: pl.DataFrame, denominator: int) -> dict[str, Any]:
    top = findings.filter(pl.col("kind") == "actionable", pl.col("level").is_in(["1", "2"]))
    by_gene = top.group_by("gene").agg(pl.col("sample").n_unique().alias("patients"))
    patients = top["sample"].n_unique()
    return {
        "patients": patients,
        "denominator": denominator,
        "percent": percent(patients, denominator),
        "by_gene": dict(by_gene.sort("patients", descending=True).iter_rows()),
    }


def _survival_by_subtype(clinical: pl.DataFrame) -> pl.DataFrame:
    """The report's survival-by-subtype rows for a clinical table alone (no findings)."""
    empty_findings = pl.DataFrame(schema=FINDINGS_SCHEMA)
    empty_evidence = pl.DataFrame(schema=EVIDENCE_SCHEMA)
    tables = cohort_tables(empty_findings, empty_evidence, None, clinical)
    return tables["survival"].filter(pl.col("analysis") == "subtype")


# --- MSK 2018 ------------------------------------------------------------------------------


def msk_figures(out: Path) -> dict[str, Any]:
    """The figures the MSK 2018 clinical table allows; tables written to ``out/msk_tables``."""
    clinical = msk_clinical(MSK)
    target = out / "msk_tables"
    target.mkdir(parents=True, exist_ok=True)
    subtype = pl.col("subtype").fill_null("not given")
    entry = pl.col("os_entry_months").fill_null(0.0)
    index = (
        clinical.with_columns(_entry=entry)
        .sort("_entry", "sample")
        .unique("patient", keep="first", maintain_order=True)
    )
    raw = pl.read_csv(MSK, separator="\t", null_values="NA", infer_schema_length=0)
    patient_status = raw.unique("Patient ID", keep="first")["Overall Patient Receptor Status"]
    per_patient_types = clinical.group_by("patient").agg(pl.col("sample_type").unique())
    types = per_patient_types["sample_type"].list.sort().list.join("+")
    subtypes_per_patient = clinical.group_by("patient").agg(subtype.n_unique().alias("n"))
    sites = _sites_by_subtype(clinical)
    sites.write_csv(target / "metastasis_site_by_subtype.csv")
    delayed = _survival_by_subtype(clinical)
    naive = _survival_by_subtype(clinical.drop("os_entry_months"))
    delayed.write_csv(target / "survival_by_subtype_delayed_entry.csv")
    naive.write_csv(target / "survival_by_subtype_naive.csv")
    by_sample = _counts(clinical.select(subtype)["subtype"])
    by_patient = _counts(index.select(subtype)["subtype"])
    pl.DataFrame(
        [{"level": "sample", "subtype": k, "count": v} for k, v in by_sample.items()]
        + [
            {"level": "patient (index sample)", "subtype": k, "count": v}
            for k, v in by_patient.items()
        ]
    ).write_csv(target / "subtype_distribution.csv")
    with_entry = clinical.filter(pl.col("os_entry_months").is_not_null())
    return {
        "inputs": {MSK.name: sha256(MSK)},
        "samples": clinical.height,
        "patients": clinical["patient"].n_unique(),
        "samples_per_patient": _counts(clinical.group_by("patient").len()["len"].cast(pl.String)),
        "sample_type": _counts(clinical["sample_type"].fill_null("not given")),
        "patients_by_sample_types": _counts(types),
        "subtype_by_sample": by_sample,
        "subtype_by_patient_index_sample": by_patient,
        "subtype_basis": _counts(clinical["subtype_basis"]),
        "patients_with_discordant_subtypes": int(
            subtypes_per_patient.filter(pl.col("n") > 1).height
        ),
        "overall_patient_receptor_status_samples": _counts(raw["Overall Patient Receptor Status"]),
        "overall_patient_receptor_status_patients": _counts(patient_status),
        "metastasis_sites_by_subtype": rows_of(sites),
        "delayed_entry": {
            "samples_with_entry": with_entry.height,
            "median_entry_months": float(
                with_entry.select(pl.col("os_entry_months").median()).item()
            ),
        },
        "survival_delayed_entry": rows_of(delayed),
        "survival_naive": rows_of(naive),
        "deaths_patients": int(index["os_event"].sum()),
    }


def _sites_by_subtype(clinical: pl.DataFrame) -> pl.DataFrame:
    """Site of each metastatic sample by subtype (case variants of a site name merged)."""
    metastases = clinical.filter(pl.col("sample_type") == "Metastasis").with_columns(
        subtype=pl.col("subtype").fill_null("not given"),
        key=pl.col("sample_site").fill_null("not given").str.to_lowercase(),
    )
    names = metastases.group_by("key").agg(pl.col("sample_site").mode().sort().first())
    counts = (
        metastases.group_by("subtype", "key")
        .len("samples")
        .join(names, on="key")
        .join(metastases.group_by("subtype").len("subtype_samples"), on="subtype")
        .with_columns(percent=100 * pl.col("samples") / pl.col("subtype_samples"))
        .rename({"sample_site": "site"})
    )
    order = {s: i for i, s in enumerate(SUBTYPE_ORDER)}
    return (
        counts.with_columns(_order=pl.col("subtype").replace_strict(order, default=len(order)))
        .sort("_order", "samples", "site", descending=[False, True, False])
        .select("subtype", "site", "samples", "subtype_samples", "percent")
    )


# --- comparisons ---------------------------------------------------------------------------


def comparisons(metabric: dict[str, Any], msk: dict[str, Any]) -> list[dict[str, Any]]:
    """Each published figure beside ours, with the difference and whether it is within the
    stated tolerance (absolute, or the 95% Wilson interval of our proportion)."""
    ours: dict[str, tuple[float, tuple[float, float] | None]] = {}
    for row in metabric["genes"]:
        gene = row["gene"].lower()
        ours[f"metabric_{gene}_sequenced"] = (row["percent_of_sequenced"], None)
        ours[f"metabric_{gene}_all"] = (row["percent_of_all"], None)
    ours["metabric_akt_pathway"] = (metabric["akt_pathway"]["percent"], None)
    ours["metabric_er_positive"] = (metabric["er_ihc"]["percent"], None)
    for row in metabric["subgroups"]:
        ours[row["id"]] = (row["percent"], (row["ci95"][0], row["ci95"][1]))
    ours["msk_samples"] = (msk["samples"], None)
    ours["msk_patients"] = (msk["patients"], None)
    ours["msk_metastasis_samples"] = (msk["sample_type"].get("Metastasis", 0), None)
    ours["msk_hr_pos_her2_neg_samples"] = (
        msk["overall_patient_receptor_status_samples"].get("HR+/HER2-", 0),
        None,
    )
    result = []
    for key, published in PUBLISHED.items():
        value, interval = ours[key]
        if published.tolerance is None:
            assert interval is not None
            within = interval[0] <= published.value <= interval[1]
            tolerance = "95% CI"
        else:
            within = abs(value - published.value) <= published.tolerance
            tolerance = f"±{published.tolerance:g}"
        result.append(
            {
                "id": key,
                "what": published.what,
                "ours": value,
                "ours_ci95": list(interval) if interval else None,
                "published": published.value,
                "unit": published.unit,
                "difference": value - published.value,
                "tolerance": tolerance,
                "within": within,
                "source": published.source,
            }
        )
    return result


def context(metabric: dict[str, Any]) -> list[dict[str, Any]]:
    """Figures published on other or larger data beside ours, for context (no tolerance)."""
    level = metabric["level_1_2"]["percent"]
    ours = {
        "metabric_patients_curtis": metabric["patients_clinical"],
        "metabric_patients_pereira": metabric["patients_sequenced"],
        "metabric_follow_up_months": metabric["survival"]["median_observed_months"],
        "actionable_zehir_all": level,
        "actionable_zehir_breast": level,
        "actionable_suehnholz_2022": level,
        "actionable_suehnholz_2017": level,
    }
    return [
        {
            "id": key,
            "what": item.what,
            "ours": ours[key],
            "published": item.value,
            "unit": item.unit,
            "source": item.source,
        }
        for key, item in CONTEXT.items()
    ]


def run(out: Path, *, html: bool = True) -> dict[str, Any]:
    """Run the whole validation into ``out``; returns (and writes) ``validation.json``."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    metabric = metabric_figures(out, html=html)
    msk = msk_figures(out)
    document = {
        "oncoboard_version": __version__,
        "knowledge_base": metabric["kb_version"],
        "disclaimer": "Decision support for qualified clinicians; it does not replace "
        "clinical judgement.",
        "sources": SOURCES,
        "metabric": metabric,
        "msk_2018": msk,
        "comparisons": comparisons(metabric, msk),
        "context": context(metabric),
        "seconds": time.perf_counter() - started,
    }
    (out / "validation.json").write_text(json.dumps(document, indent=2) + "\n")
    return document


def _summary(document: dict[str, Any]) -> str:
    lines = [f"{'comparison':<40} {'ours':>10} {'published':>10} {'tolerance':>10}  ok"]
    for row in document["comparisons"]:
        ours = row["ours"]
        lines.append(
            f"{row['id']:<40} {ours:>10.1f} {row['published']:>10.1f} {row['tolerance']:>10}  "
            f"{'yes' if row['within'] else 'NO'}"
        )
    identity = document["metabric"]["identity_check"]
    lines.append(f"identity with the single-patient path: {identity['passed']}")
    lines.append(f"run time: {document['seconds']:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/validation"), help="output folder")
    parser.add_argument("--json", action="store_true", help="print validation.json on stdout")
    args = parser.parse_args(argv)
    document = run(args.out)
    if args.json:
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(_summary(document) + f"\nwritten to {args.out}\n")
    return 0 if document["metabric"]["identity_check"]["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
