"""The cohort report: landscape, oncoprint, eligibility and survival tables, and an HTML page.

:func:`cohort_tables` summarises a cohort annotation (the ``findings`` and ``evidence`` tables
of :mod:`oncoboard.cohort`, optionally its ``samples`` table and a clinical table from
:mod:`oncoboard.cohort.clinical`) as plain polars tables; :func:`cohort_html` and
:func:`render_cohort_html` draw them as one self-contained HTML page; :func:`write_tables`
and :func:`tables_json` export them. The tables count what the annotation says; no clinical
rule is re-derived here.

Denominators
------------
The samples of the ``samples`` table when given (every sample the engine read), else the
samples with at least one finding. A clinical row never adds a sample to a denominator (it
does not say the sample was sequenced). Subtypes come from the clinical table when given,
else from ``samples.subtype``; samples without one are counted as ``not given``.

References
----------
.. [1] Chakravarty D et al. OncoKB: a precision oncology knowledge base. JCO Precis Oncol
   2017 (levels 1, 2, 3A, 3B, 4, R1, R2 as ordered by Oncoboard's matching).
.. [2] cBioPortal OncoPrint alteration types (missense, inframe, truncating = nonsense,
   frameshift, splice, nonstart, nonstop; fusion; amplification; deep deletion),
   https://docs.cbioportal.org/user-guide/faq/#what-are-oncoprints
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl

from oncoboard.cohort._report_tables import ALL, LEVELS, NOT_GIVEN, build

__all__ = [
    "ALL",
    "LEVELS",
    "NOT_GIVEN",
    "cohort_html",
    "cohort_tables",
    "render_cohort_html",
    "tables_json",
    "write_tables",
]


def cohort_tables(
    findings: pl.DataFrame,
    evidence: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    clinical: pl.DataFrame | None = None,
    *,
    top_genes: int = 15,
    survival_genes: Sequence[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """The cohort report's tables.

    Parameters
    ----------
    findings, evidence
        Tables in the cohort schema (:data:`~oncoboard.cohort.FINDINGS_SCHEMA`,
        :data:`~oncoboard.cohort.EVIDENCE_SCHEMA`).
    samples
        The engine's ``samples`` table: sets the denominators (else: samples with findings).
    clinical
        A clinical table (:mod:`oncoboard.cohort.clinical`): subtypes and overall survival.
    top_genes
        Genes in the oncoprint (most samples with an oncogenic alteration first).
    survival_genes
        Genes whose alteration status is compared in the survival table; default: the three
        genes with the most samples with a level 1-2 actionable finding.

    Returns
    -------
    dict of str to polars.DataFrame
        ``landscape_level``
            Per subtype group (``all``, then each subtype when known): samples whose best
            evidence level (:data:`LEVELS`, actionable or resistance) is each level or
            ``none``; shares of the group's ``denominator`` sum to 1. Context is not applied.
        ``landscape_gene``
            Per gene: samples with any alteration finding, with an oncogenic or likely
            oncogenic one, and with a level 1-2 actionable finding; shares of all samples.
        ``landscape_subtype``
            Per subtype: samples with a level 1-2 actionable finding whose context is not
            known to be unmet (met or unknown), and whose context is met.
        ``oncoprint``
            One row per sample with an oncogenic alteration of the ``top_genes`` genes (one
            column each): missense, inframe, truncating, amplification, deletion, fusion,
            other, or ``multiple`` (several alterations of the gene) [2]_; sorted so samples
            altered in the first genes come first.
        ``eligibility``
            Per therapy (combination joined with ``+``), level and subtype group: samples
            with an actionable finding for it, by whether its context (subtype, prior therapy,
            specimen) is met, unknown or not met (best status per sample), and the FDA label
            and trial citations.
        ``survival``
            Kaplan-Meier median overall survival (95% CI) per subtype and per alteration
            status of ``survival_genes`` (an oncogenic or likely oncogenic alteration or not,
            among patients with a sample in the denominators), log-rank p; see
            :mod:`oncoboard.cohort._report_survival`. Empty without a clinical table.
        ``denominators``
            The counts the shares are of.
    """
    return build(findings, evidence, samples, clinical, top_genes, survival_genes).tables


TableFormat = Literal["csv", "parquet"]


def write_tables(
    tables: Mapping[str, pl.DataFrame], out_dir: Path | str, format: TableFormat = "csv"
) -> list[Path]:
    """Write each table as ``<name>.csv`` or ``<name>.parquet`` in ``out_dir``; the paths.

    CSV has a header and empty cells for missing values; read it back with the table's
    schema (``pl.read_csv(path, schema=table.schema)``) to keep the column types.
    """
    if format not in ("csv", "parquet"):
        raise ValueError(f"format: expected 'csv' or 'parquet', got {format!r}")
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = target / f"{name}.{format}"
        if format == "csv":
            table.write_csv(path)
        else:
            table.write_parquet(path)
        paths.append(path)
    return paths


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def tables_json(tables: Mapping[str, pl.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """The tables as JSON-ready lists of row objects (NaN and infinities as ``null``)."""
    return {
        name: [{k: _json_value(v) for k, v in row.items()} for row in table.iter_rows(named=True)]
        for name, table in tables.items()
    }


def cohort_html(
    findings: pl.DataFrame,
    evidence: pl.DataFrame,
    *,
    samples: pl.DataFrame | None = None,
    clinical: pl.DataFrame | None = None,
    title: str = "Cohort report",
    kb_version: str | None = None,
    notes: Sequence[str] = (),
    top_genes: int = 15,
    survival_genes: Sequence[str] | None = None,
) -> str:
    """The cohort report as one self-contained HTML document (inline CSS and SVG figures).

    Parameters are those of :func:`cohort_tables`, plus the page ``title``, the knowledge-base
    version the annotation was made with, and ``notes`` (cohort-specific limitations, e.g.
    "METABRIC: primary tumours, 1977-2005") listed under methods and limitations.

    Returns
    -------
    str
        The page: disclaimer, denominators, evidence-level landscape (stacked bars), altered
        genes, actionability by subtype, oncoprint, therapy eligibility, Kaplan-Meier curves
        by subtype and by alteration status with numbers at risk, methods and limitations.
        Nothing is fetched when it is opened.
    """
    from oncoboard.cohort._report_html import render_page

    built = build(findings, evidence, samples, clinical, top_genes, survival_genes)
    return render_page(
        built.tables,
        built.survival,
        built.samples,
        clinical=clinical,
        title=title,
        kb_version=kb_version,
        notes=notes,
    )


def render_cohort_html(
    findings: pl.DataFrame,
    evidence: pl.DataFrame,
    out: Path | str,
    *,
    samples: pl.DataFrame | None = None,
    clinical: pl.DataFrame | None = None,
    title: str = "Cohort report",
    kb_version: str | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write :func:`cohort_html` to ``out`` (UTF-8); returns the path."""
    target = Path(out)
    document = cohort_html(
        findings,
        evidence,
        samples=samples,
        clinical=clinical,
        title=title,
        kb_version=kb_version,
        notes=notes,
    )
    target.write_text(document, encoding="utf-8")
    return target
