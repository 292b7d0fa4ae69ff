"""The cohort tables: one row per finding, per sample and per note, and the evidence they cite.

A finding row holds every field of :class:`~oncoboard.genomics.Finding` except the evidence,
which is stored once per distinct evidence list in the ``evidence`` table and referred to by a
content hash (``evidence_ref``); context checks are a JSON list. :func:`findings_frame` turns
single-patient annotations into the same rows and :func:`findings_of` turns rows back into
:class:`Finding` objects, so the cohort engines can be compared with the single-patient path
finding by finding.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence

import polars as pl

from oncoboard.genomics.findings import ContextCheck, Finding
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.model import Evidence

__all__ = [
    "EVIDENCE_SCHEMA",
    "FINDINGS_SCHEMA",
    "NOTES_SCHEMA",
    "SAMPLES_SCHEMA",
    "context_json",
    "evidence_ref",
    "findings_frame",
    "findings_of",
]

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "sample": pl.String(),
    "rank": pl.UInt32(),  # position of the finding in the sample's report order
    "kind": pl.String(),
    "biomarker": pl.String(),
    "matched": pl.List(pl.String()),
    "gene": pl.String(),
    "entry_id": pl.String(),
    "rule": pl.String(),
    "specificity": pl.String(),
    "therapy": pl.List(pl.String()),
    "regimen": pl.String(),
    "level": pl.String(),
    "escat": pl.String(),
    "oncogenicity": pl.String(),
    "oncogenicity_reason": pl.String(),
    "benefit": pl.String(),
    "context_met": pl.Boolean(),
    "context": pl.String(),  # JSON list of {requirement, status, detail}
    "note": pl.String(),
    "source": pl.String(),
    "evidence_ref": pl.String(),
}
"""Columns of ``findings.parquet``, in order."""

SAMPLES_SCHEMA: dict[str, pl.DataType] = {
    "sample": pl.String(),
    "rows": pl.UInt32(),  # data rows read (Mutation_Status None/Wildtype rows excluded)
    "alterations": pl.UInt32(),  # normalised alterations
    "filtered": pl.UInt32(),  # FILTER not PASS: reported, not interpreted
    "unparsable": pl.UInt32(),  # protein change or exon not readable: reported
    "needs_annotation": pl.UInt32(),  # no gene and no hotspot match: reported
    "unknown_genes": pl.UInt32(),  # gene not in the gene table (VUS)
    "subtype": pl.String(),  # from the clinical table; null = not given
}
"""Columns of ``samples.parquet``."""

NOTES_SCHEMA: dict[str, pl.DataType] = {
    "sample": pl.String(),
    "kind": pl.String(),  # unparsable, unknown_gene, filtered, needs_annotation
    "source": pl.String(),  # FILE:LINE
    "note": pl.String(),  # as in SampleAnnotation.notes / needs_annotation, after "SOURCE: "
}
"""Columns of ``notes.parquet``: calls reported but not interpreted, with the reason."""

EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "evidence_ref": pl.String(),
    "evidence": pl.String(),  # JSON list of Evidence objects
}
"""Columns of ``evidence.parquet``."""


def _evidence_json(evidence: Iterable[Evidence]) -> str:
    return json.dumps([e.model_dump(mode="json") for e in evidence], sort_keys=True)


def evidence_ref(evidence: Sequence[Evidence]) -> tuple[str, str]:
    """``(content hash, JSON)`` of an evidence list; equal lists give equal references."""
    return _evidence_ref(tuple(evidence))


@functools.lru_cache(maxsize=4096)
def _evidence_ref(evidence: tuple[Evidence, ...]) -> tuple[str, str]:
    # evidence is immutable and compared by value: a cohort cites few distinct lists, each
    # often (every variant a rule decides cites the rule's sources)
    text = _evidence_json(evidence)
    return hashlib.sha256(text.encode()).hexdigest()[:20], text


def context_json(checks: Sequence[ContextCheck]) -> str:
    """Context checks as the JSON stored in the ``context`` column."""
    return json.dumps([c.model_dump(mode="json") for c in checks])


def _row(sample: str | None, rank: int, finding: Finding, ref: str) -> dict[str, object]:
    return {
        "sample": sample,
        "rank": rank,
        "kind": finding.kind.value,
        "biomarker": finding.biomarker,
        "matched": list(finding.matched),
        "gene": finding.gene,
        "entry_id": finding.entry_id,
        "rule": finding.rule,
        "specificity": finding.specificity.value if finding.specificity else None,
        "therapy": list(finding.therapy),
        "regimen": finding.regimen,
        "level": finding.level,
        "escat": finding.escat,
        "oncogenicity": finding.oncogenicity,
        "oncogenicity_reason": finding.oncogenicity_reason,
        "benefit": finding.benefit,
        "context_met": finding.context_met,
        "context": context_json(finding.context),
        "note": finding.note,
        "source": finding.source,
        "evidence_ref": ref,
    }


def findings_frame(
    annotations: Iterable[SampleAnnotation],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(findings, evidence)`` tables of single-patient annotations, in the cohort schema."""
    rows: list[dict[str, object]] = []
    evidence: dict[str, str] = {}
    for annotation in annotations:
        for rank, finding in enumerate(annotation.findings):
            ref, text = evidence_ref(finding.evidence)
            evidence[ref] = text
            rows.append(_row(annotation.sample, rank, finding, ref))
    findings = pl.DataFrame(rows, schema=FINDINGS_SCHEMA, orient="row")
    table = pl.DataFrame(
        {"evidence_ref": list(evidence), "evidence": list(evidence.values())},
        schema=EVIDENCE_SCHEMA,
    )
    return findings, table


def findings_of(findings: pl.DataFrame, evidence: pl.DataFrame, sample: str) -> list[Finding]:
    """The :class:`Finding` objects of ``sample``, in report order, rebuilt from the tables."""
    texts = dict(zip(evidence["evidence_ref"], evidence["evidence"], strict=True))
    rows = findings.filter(pl.col("sample") == sample).sort("rank")
    result = []
    for row in rows.iter_rows(named=True):
        result.append(
            Finding(
                kind=row["kind"],
                biomarker=row["biomarker"],
                matched=tuple(row["matched"]),
                gene=row["gene"],
                entry_id=row["entry_id"],
                rule=row["rule"],
                specificity=row["specificity"],
                therapy=tuple(row["therapy"]),
                regimen=row["regimen"],
                level=row["level"],
                escat=row["escat"],
                oncogenicity=row["oncogenicity"],
                oncogenicity_reason=row["oncogenicity_reason"],
                benefit=row["benefit"],
                context=tuple(ContextCheck(**c) for c in json.loads(row["context"])),
                context_met=row["context_met"],
                note=row["note"],
                source=row["source"],
                evidence=tuple(Evidence(**e) for e in json.loads(texts[row["evidence_ref"]])),
            )
        )
    return result
