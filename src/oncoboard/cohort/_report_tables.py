"""The tables of the cohort report, built from the cohort annotation (see
:func:`oncoboard.cohort.report.cohort_tables` for what each holds).

They count what the annotation says; no clinical rule is re-derived here.

References
----------
.. [1] cBioPortal OncoPrint alteration types (missense, inframe, truncating = nonsense,
   frameshift, splice, nonstart, nonstop; fusion; amplification; deep deletion),
   https://docs.cbioportal.org/user-guide/faq/#what-are-oncoprints
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from oncoboard.cohort._report_survival import SURVIVAL_SCHEMA, Group, patient_groups, summarise
from oncoboard.cohort.clinical import SUBTYPES
from oncoboard.genomics.matching import _LEVEL_ORDER

__all__ = ["ALL", "LEVELS", "MULTIPLE", "NOT_GIVEN", "Built", "build"]

LEVELS: tuple[str, ...] = tuple(
    sorted((k for k in _LEVEL_ORDER if k is not None), key=lambda k: _LEVEL_ORDER[k])
)
"""Evidence levels, best first; a sample without a leveled finding is at level ``none``."""
NO_LEVEL = "none"
NOT_GIVEN = "not given"
"""Subtype group of samples without a subtype."""
ALL = "all"
"""Subtype group of every sample."""

_ONCOGENIC = ("oncogenic", "likely_oncogenic")
_TOP_LEVELS = ("1", "2")
_UNNAMED = "(unnamed sample)"

# Alteration classes of the oncoprint [1], tested in order on the change after the gene.
_TRUNCATING = r"\*|fs|splice|ext|^M1(\?|[A-Z])$"
MULTIPLE = "multiple"


def _level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _subtype_order(values: Sequence[str]) -> list[str]:
    present = set(values)
    return [s for s in (*SUBTYPES, NOT_GIVEN) if s in present]


def _universe(
    findings: pl.DataFrame, samples: pl.DataFrame | None, clinical: pl.DataFrame | None
) -> pl.DataFrame:
    """``sample``, ``subtype`` of every sample of the denominators (see the report module)."""
    if samples is not None:
        base = samples.select(
            "sample", pl.col("subtype") if "subtype" in samples.columns else pl.lit(None, pl.String)
        ).rename({"literal": "subtype"}, strict=False)
    else:
        base = findings.select("sample").unique().with_columns(subtype=pl.lit(None, pl.String))
    if clinical is not None:
        given = clinical.select("sample", pl.col("subtype").alias("clinical_subtype"))
        base = base.join(given, on="sample", how="left").select(
            "sample", pl.col("clinical_subtype").alias("subtype")
        )
    return base.with_columns(pl.col("subtype").fill_null(NOT_GIVEN)).sort("sample")


def _alterations(findings: pl.DataFrame) -> pl.DataFrame:
    """One row per (sample, alteration label) of molecular findings, with gene and flags.

    A finding naming several alterations (``PIK3CA H1047R, PTEN N48Tfs*6``) gives one row per
    alteration, with the gene read from each label (``GENE change``, ``GENE::PARTNER fusion``).
    """
    label = pl.col("label")
    change = label.str.splitn(" ", 2).struct.field("field_1").fill_null("")
    kind = (
        pl.when(label.str.ends_with(" fusion"))
        .then(pl.lit("fusion"))
        .when(change == "amplification")
        .then(pl.lit("amplification"))
        .when(change == "deep deletion")
        .then(pl.lit("deletion"))
        .when(change.str.contains(_TRUNCATING))
        .then(pl.lit("truncating"))
        .when(change.str.contains("del|ins|dup"))
        .then(pl.lit("inframe"))
        .when(change.str.contains(r"^[A-Z]\d+[A-Z]$"))
        .then(pl.lit("missense"))
        .otherwise(pl.lit("other"))
    )
    return (
        findings.filter(pl.col("oncogenicity").is_not_null())
        .select(
            "sample",
            "kind",
            "level",
            "oncogenicity",
            pl.col("biomarker").str.split(", ").alias("label"),
        )
        .explode("label")
        .with_columns(
            gene=label.str.splitn(" ", 2)
            .struct.field("field_0")
            .str.splitn("::", 2)
            .struct.field("field_0"),
            oncogenic=pl.col("oncogenicity").is_in(_ONCOGENIC),
            top_level=(pl.col("kind") == "actionable") & pl.col("level").is_in(_TOP_LEVELS),
            alteration_class=kind,
        )
    )


def _landscape_level(findings: pl.DataFrame, universe: pl.DataFrame) -> pl.DataFrame:
    rank = pl.col("level").replace_strict(
        {level: i for i, level in enumerate(LEVELS)}, default=len(LEVELS), return_dtype=pl.Int32
    )
    best = (
        findings.filter(pl.col("level").is_not_null())
        .group_by("sample")
        .agg(rank.min().alias("rank"))
        .select(
            "sample",
            pl.col("rank").replace_strict(dict(enumerate(LEVELS)), default=None).alias("level"),
        )
    )
    per_sample = universe.join(best, on="sample", how="left").with_columns(
        pl.col("level").fill_null(NO_LEVEL)
    )
    rows = []
    for group in _groups(universe):
        part = per_sample if group == ALL else per_sample.filter(pl.col("subtype") == group)
        counts = dict(part.group_by("level").len().iter_rows())
        for level in (*LEVELS, NO_LEVEL):
            rows.append(
                {
                    "subtype": group,
                    "level": level,
                    "samples": counts.get(level, 0),
                    "denominator": part.height,
                    "share": counts.get(level, 0) / part.height if part.height else None,
                }
            )
    return pl.DataFrame(rows, schema=_LEVEL_SCHEMA)


_LEVEL_SCHEMA: dict[str, pl.DataType] = {
    "subtype": pl.String(),
    "level": pl.String(),
    "samples": pl.UInt32(),
    "denominator": pl.UInt32(),
    "share": pl.Float64(),
}


def _groups(universe: pl.DataFrame) -> list[str]:
    """``all``, then each subtype present when any sample has a subtype."""
    subtypes = _subtype_order(universe["subtype"].unique().to_list())
    return [ALL] if subtypes in ([], [NOT_GIVEN]) else [ALL, *subtypes]


def _landscape_gene(alterations: pl.DataFrame, denominator: int) -> pl.DataFrame:
    sample = pl.col("sample")
    return (
        alterations.group_by("gene")
        .agg(
            samples_any=sample.n_unique(),
            samples_oncogenic=sample.filter(pl.col("oncogenic")).n_unique(),
            samples_level_1_2=sample.filter(pl.col("top_level")).n_unique(),
        )
        .with_columns(pl.col("^samples_.*$").cast(pl.UInt32), denominator=pl.lit(denominator))
        .with_columns(
            share_any=pl.col("samples_any") / denominator,
            share_oncogenic=pl.col("samples_oncogenic") / denominator,
            share_level_1_2=pl.col("samples_level_1_2") / denominator,
        )
        .cast({"denominator": pl.UInt32})
        .sort(["samples_oncogenic", "samples_any", "gene"], descending=[True, True, False])
    )


def _landscape_subtype(findings: pl.DataFrame, universe: pl.DataFrame) -> pl.DataFrame:
    top = findings.filter(pl.col("kind") == "actionable", pl.col("level").is_in(_TOP_LEVELS))
    open_ = set(top.filter(pl.col("context_met").fill_null(True))["sample"].to_list())
    met = set(top.filter(pl.col("context_met").fill_null(False))["sample"].to_list())
    rows = []
    for group in _subtype_order(universe["subtype"].unique().to_list()):
        members = universe.filter(pl.col("subtype") == group)["sample"].to_list()
        n_open = sum(s in open_ for s in members)
        n_met = sum(s in met for s in members)
        rows.append(
            {
                "subtype": group,
                "samples": len(members),
                "level_1_2": n_open,
                "share_level_1_2": n_open / len(members),
                "level_1_2_context_met": n_met,
                "share_level_1_2_context_met": n_met / len(members),
            }
        )
    schema = {
        "subtype": pl.String(),
        "samples": pl.UInt32(),
        "level_1_2": pl.UInt32(),
        "share_level_1_2": pl.Float64(),
        "level_1_2_context_met": pl.UInt32(),
        "share_level_1_2_context_met": pl.Float64(),
    }
    return pl.DataFrame(rows, schema=schema)


def _oncoprint(alterations: pl.DataFrame, genes: Sequence[str]) -> pl.DataFrame:
    """Samples x ``genes``: the class of the sample's oncogenic alteration(s) of each gene."""
    cells = (
        alterations.filter(pl.col("oncogenic"), pl.col("gene").is_in(list(genes)))
        .unique(["sample", "gene", "label"])
        .group_by("sample", "gene")
        .agg(
            pl.when(pl.col("label").n_unique() > 1)
            .then(pl.lit(MULTIPLE))
            .otherwise(pl.col("alteration_class").first())
            .first()
            .alias("cell")
        )
    )
    if cells.is_empty():
        return pl.DataFrame(schema={"sample": pl.String(), **{g: pl.String() for g in genes}})
    wide = cells.pivot("gene", index="sample", values="cell")
    wide = wide.with_columns(pl.lit(None, pl.String).alias(g) for g in genes if g not in wide)
    return wide.select("sample", *genes).sort(
        [pl.col(g).is_null() for g in genes] + [pl.col("sample")]
    )


def _sources(evidence: pl.DataFrame, refs: Sequence[str]) -> str:
    """FDA label and trial citations of ``refs``, each once, in order."""
    texts = dict(evidence.filter(pl.col("evidence_ref").is_in(list(refs))).iter_rows())
    cited: dict[str, None] = {}
    for ref in refs:
        for item in json.loads(texts.get(ref, "[]")):
            if item.get("source") == "fda_label":
                cited[str(item["id"])] = None
            elif item.get("source") == "trial":
                cited[f"{item.get('title') or ''} ({item['id']})".strip()] = None
    return "; ".join(cited)


def _eligibility(
    findings: pl.DataFrame, evidence: pl.DataFrame, universe: pl.DataFrame
) -> pl.DataFrame:
    status = (
        pl.when(pl.col("context_met"))
        .then(0)
        .when(pl.col("context_met").is_null())
        .then(1)
        .otherwise(2)
    )
    per_sample = (
        findings.filter(pl.col("kind") == "actionable", pl.col("therapy").list.len() > 0)
        .join(universe, on="sample", how="inner")
        .with_columns(therapy=pl.col("therapy").list.join(" + "), status=status)
        .group_by("therapy", "level", "sample", "subtype")
        .agg(pl.col("status").min(), pl.col("evidence_ref").unique(maintain_order=True))
    )
    rows = []
    keys = per_sample.select("therapy", "level").unique().iter_rows()
    for therapy, level in sorted(keys, key=lambda k: (_level_rank(k[1]), k[0])):
        part = per_sample.filter(pl.col("therapy") == therapy, pl.col("level") == level)
        refs = part["evidence_ref"].explode().unique(maintain_order=True).to_list()
        sources = _sources(evidence, refs)
        for group in _groups(universe):
            chosen = part if group == ALL else part.filter(pl.col("subtype") == group)
            statuses = chosen["status"].to_list()
            denominator = (
                universe.height
                if group == ALL
                else universe.filter(pl.col("subtype") == group).height
            )
            rows.append(
                {
                    "therapy": therapy,
                    "level": level,
                    "subtype": group,
                    "samples": len(statuses),
                    "context_met": statuses.count(0),
                    "context_unknown": statuses.count(1),
                    "context_not_met": statuses.count(2),
                    "denominator": denominator,
                    "share": len(statuses) / denominator if denominator else None,
                    "evidence": sources,
                }
            )
    return pl.DataFrame(rows, schema=_ELIGIBILITY_SCHEMA)


_ELIGIBILITY_SCHEMA: dict[str, pl.DataType] = {
    "therapy": pl.String(),
    "level": pl.String(),
    "subtype": pl.String(),
    "samples": pl.UInt32(),
    "context_met": pl.UInt32(),
    "context_unknown": pl.UInt32(),
    "context_not_met": pl.UInt32(),
    "denominator": pl.UInt32(),
    "share": pl.Float64(),
    "evidence": pl.String(),
}


def _survival_groups(
    clinical: pl.DataFrame | None,
    universe: pl.DataFrame,
    alterations: pl.DataFrame,
    genes: Sequence[str],
) -> dict[str, list[Group]]:
    """Per analysis (``subtype``, then each gene), its patient groups."""
    if clinical is None or not {"os_months", "os_event"} <= set(clinical.columns):
        return {}
    by_subtype = clinical.select("sample", pl.col("subtype").fill_null(NOT_GIVEN).alias("group"))
    order = _subtype_order(by_subtype["group"].to_list())
    analyses = {"subtype": patient_groups(clinical, by_subtype, "subtype", order, NOT_GIVEN)}
    for gene in genes:
        altered = alterations.filter(pl.col("gene") == gene, pl.col("oncogenic"))["sample"]
        names = [f"{gene} altered", f"{gene} not altered"]
        status = universe.select(
            "sample",
            pl.when(pl.col("sample").is_in(altered.implode()))
            .then(pl.lit(names[0]))
            .otherwise(pl.lit(names[1]))
            .alias("group"),
        )
        analyses[gene] = patient_groups(clinical, status, gene, names, "")
    return analyses


@dataclass(frozen=True, slots=True)
class Built:
    tables: dict[str, pl.DataFrame]
    survival: dict[str, list[Group]]
    samples: int


def build(
    findings: pl.DataFrame,
    evidence: pl.DataFrame,
    samples: pl.DataFrame | None,
    clinical: pl.DataFrame | None,
    top_genes: int,
    survival_genes: Sequence[str] | None,
) -> Built:
    findings = findings.with_columns(pl.col("sample").fill_null(_UNNAMED))
    universe = _universe(findings, samples, clinical)
    findings = findings.join(universe.select("sample"), on="sample", how="semi")
    alterations = _alterations(findings)
    genes = _landscape_gene(alterations, universe.height)
    oncoprint_genes = genes.filter(pl.col("samples_oncogenic") > 0)["gene"].head(top_genes)
    if survival_genes is None:
        ranked = genes.filter(pl.col("samples_level_1_2") > 0).sort(
            ["samples_level_1_2", "gene"], descending=[True, False]
        )
        survival_genes = ranked["gene"].head(3).to_list()
    survival = _survival_groups(clinical, universe, alterations, survival_genes)
    summaries = [summarise(groups) for groups in survival.values()]
    tables = {
        "landscape_level": _landscape_level(findings, universe),
        "landscape_gene": genes,
        "landscape_subtype": _landscape_subtype(findings, universe),
        "oncoprint": _oncoprint(alterations, oncoprint_genes.to_list()),
        "eligibility": _eligibility(findings, evidence, universe),
        "survival": pl.concat(summaries) if summaries else pl.DataFrame(schema=SURVIVAL_SCHEMA),
        "denominators": _denominators(findings, universe, clinical),
    }
    return Built(tables, survival, universe.height)


def _denominators(
    findings: pl.DataFrame, universe: pl.DataFrame, clinical: pl.DataFrame | None
) -> pl.DataFrame:
    rows = [
        ("samples", universe.height, "samples in the denominators"),
        ("samples_with_findings", findings["sample"].n_unique(), "samples with >= 1 finding"),
        (
            "samples_with_subtype",
            universe.filter(pl.col("subtype") != NOT_GIVEN).height,
            "samples whose subtype is known",
        ),
    ]
    if clinical is not None:
        with_os = clinical.drop_nulls(["os_months", "os_event"])
        rows += [
            ("clinical_samples", clinical.height, "rows of the clinical table"),
            ("clinical_patients", clinical["patient"].n_unique(), "patients of the clinical table"),
            ("patients_with_os", with_os["patient"].n_unique(), "patients with overall survival"),
            (
                "sequenced_patients_with_os",
                with_os.join(universe, on="sample", how="semi")["patient"].n_unique(),
                "patients with overall survival and a sample in the denominators",
            ),
        ]
    return pl.DataFrame(
        rows,
        schema={"name": pl.String(), "count": pl.UInt32(), "description": pl.String()},
        orient="row",
    )
