"""Serial ctDNA: per-variant series and molecular response on the current line of therapy.

There is no single standard for ctDNA molecular response in metastatic breast cancer. The
definitions used here, common in trials, are stated with each call:

* **clearance**: none of the variants detected at baseline is detected on treatment (0 alt
  reads at adequate depth);
* **molecular response**: mean VAF of the variants detected at baseline falls by >= 50%;
* **molecular progression** (Oncoboard convention, flagged unverified): mean VAF rises to
  >= 2x its on-treatment nadir and to >= 1% absolute, even while still below baseline (the
  rise takes precedence over a fall from baseline), or a variant not detected at baseline
  appears (reported separately as emergent);
* otherwise **stable**. A draw that does not report a tracked variant's gene (panel known not
  to cover it, or panel unknown) is **not evaluable** for that variant: unknown is not zero.

ctDNA never calls progression on its own: switching therapy needs clinical and imaging
progression (ASCO tumour-marker guideline 2015), except in trial-supported switch strategies
(PADA-1, SERENA-6) which the planner handles.

References
----------
Oncoboard MBC fact sheet section 5: molecular response (>= 50% fall in mean VAF) and
clearance as common trial definitions [U]; PADA-1 (NCT03079011; Bidard Lancet Oncol 2022);
SERENA-6 (NCT04964934); O'Leary Nat Commun 2018 (early PIK3CA ctDNA dynamics).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field

from oncoboard.model import (
    Case,
    CtDNAVariant,
    Evidence,
    EvidenceSource,
    LiquidBiopsy,
    Setting,
    TreatmentLine,
)
from oncoboard.model._base import CaseModel

__all__ = [
    "MolecularCall",
    "MolecularResponse",
    "VariantPoint",
    "VariantSeries",
    "ctdna_series",
    "molecular_response",
]

_RESPONSE_FALL = 0.5
_PROGRESSION_RISE = 2.0
_PROGRESSION_FLOOR = 0.01
_MIN_DEPTH_FOR_ZERO = 100  # a 0-read call at lower depth is not a confident negative

_DEFINITIONS = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Oncoboard MBC fact sheet §5 (ctDNA molecular response)",
    title="No single standard; common trial definitions: >= 50% fall in mean VAF of tracked "
    "variants from baseline; clearance = no detectable tumour variant on treatment",
    verified=False,
)
_PADA1 = Evidence(
    source=EvidenceSource.TRIAL,
    id="NCT03079011",
    title="PADA-1 (Bidard Lancet Oncol 2022): ctDNA monitoring on 1L AI + palbociclib",
    verified=True,
)


class VariantPoint(CaseModel):
    """One variant in one draw."""

    date: dt.date
    alt_reads: int | None
    depth: int | None
    vaf: float | None = Field(description="alt_reads/depth; None when not evaluable.")
    detected: bool | None = Field(description="None: the draw did not assess this variant.")


class VariantSeries(CaseModel):
    """A tracked plasma variant across draws."""

    gene: str
    change: str
    points: tuple[VariantPoint, ...]


class MolecularCall(StrEnum):
    """ctDNA call of one on-treatment draw against the line's baseline."""

    CLEARANCE = "clearance"
    RESPONSE = "molecular_response"
    STABLE = "stable"
    PROGRESSION = "molecular_progression"
    NOT_EVALUABLE = "not_evaluable"


class MolecularResponse(CaseModel):
    """The ctDNA call of one on-treatment draw."""

    date: dt.date
    line_start: dt.date
    baseline_date: dt.date
    call: MolecularCall
    tumor_informed: bool = Field(
        default=False,
        description="Called from a tumour-informed (MRD) assay's detection and MTM/mL, "
        "not from variant VAFs.",
    )
    mean_vaf: float | None
    baseline_mean_vaf: float | None
    mean_tumor_molecules_per_ml: float | None = None
    baseline_tumor_molecules_per_ml: float | None = None
    change_pct: float | None = Field(
        description="Change from baseline, percent, of mean VAF (or MTM/mL when tumour-informed)."
    )
    tumor_fraction: float | None = None
    detail: str
    rule: str
    evidence: tuple[Evidence, ...]


def _change(variant: CtDNAVariant) -> str:
    return variant.hgvs_p or variant.hgvs_c or "?"


def _assessed(draw: LiquidBiopsy, gene: str) -> bool | None:
    """Whether ``draw`` assessed ``gene``: True, False (not on its panel) or None (unknown)."""
    if draw.genes_tested is None:
        return None
    return gene in draw.genes_tested


def _point(draw: LiquidBiopsy, gene: str, change: str) -> VariantPoint:
    for variant in draw.variants:
        if variant.gene == gene and _change(variant) == change:
            vaf = variant.alt_reads / variant.depth
            confident_zero = variant.alt_reads > 0 or variant.depth >= _MIN_DEPTH_FOR_ZERO
            return VariantPoint(
                date=draw.date,
                alt_reads=variant.alt_reads,
                depth=variant.depth,
                vaf=vaf,
                detected=(variant.alt_reads > 0) if confident_zero else None,
            )
    # not listed: absent if the panel covered the gene, otherwise not assessed
    if _assessed(draw, gene):
        return VariantPoint(date=draw.date, alt_reads=None, depth=None, vaf=0.0, detected=False)
    return VariantPoint(date=draw.date, alt_reads=None, depth=None, vaf=None, detected=None)


def ctdna_series(case: Case) -> list[VariantSeries]:
    """Every plasma variant of the case followed across all draws, in date order."""
    draws = sorted(case.liquid_biopsies, key=lambda d: d.date)
    keys = dict.fromkeys((v.gene, _change(v)) for d in draws for v in d.variants)
    return [
        VariantSeries(
            gene=gene, change=change, points=tuple(_point(d, gene, change) for d in draws)
        )
        for gene, change in keys
    ]


def current_metastatic_line(case: Case) -> TreatmentLine | None:
    """The ongoing metastatic line (latest started), else the most recent one, else None."""
    lines = [t for t in case.treatments if t.setting is Setting.METASTATIC]
    ongoing = [t for t in lines if t.ongoing]
    return max(ongoing or lines, key=lambda t: t.start_date, default=None)


def molecular_response(case: Case, *, line_start: dt.date | None = None) -> list[MolecularResponse]:
    """The ctDNA call of each on-treatment draw of the current (or given) line.

    The baseline is the last draw on or before the line's start date. Without a line or a
    baseline draw with a detected variant there is nothing to call, and the list is empty;
    a tumour-informed baseline (detected or not) without variants listed is followed by the
    assay's detection and MTM/mL (:func:`tumour_informed_calls`).
    """
    current = current_metastatic_line(case)
    start = line_start or (current.start_date if current else None)
    draws = sorted(case.liquid_biopsies, key=lambda d: d.date)
    if start is None:
        return []
    before = [d for d in draws if d.date <= start]
    if not before:
        return []
    baseline = before[-1]
    tracked = [(v.gene, _change(v)) for v in baseline.variants if v.alt_reads > 0]
    if not tracked:
        if baseline.tumor_informed and baseline.ctdna_detected is not None:
            # imported here: that module builds on this one's result types
            from oncoboard.monitoring._ctdna_informed import tumour_informed_calls

            after = [d for d in draws if d.date > start and d.tumor_informed]
            return tumour_informed_calls(baseline, after, start)
        return []
    baseline_mean = statistics.fmean(
        v.alt_reads / v.depth for v in baseline.variants if v.alt_reads > 0
    )
    results: list[MolecularResponse] = []
    nadir = baseline_mean
    for draw in (d for d in draws if d.date > start):
        points = [_point(draw, gene, change) for gene, change in tracked]
        results.append(_call(draw, start, baseline, baseline_mean, nadir, tracked, points))
        evaluable = [p.vaf for p in points if p.vaf is not None]
        if len(evaluable) == len(points):
            nadir = min(nadir, statistics.fmean(evaluable))
    return results


def _call(
    draw: LiquidBiopsy,
    start: dt.date,
    baseline: LiquidBiopsy,
    baseline_mean: float,
    nadir: float,
    tracked: Sequence[tuple[str, str]],
    points: Sequence[VariantPoint],
) -> MolecularResponse:
    names = ", ".join(f"{g} {c}" for g, c in tracked)

    def result(
        call: MolecularCall, mean: float | None, change: float | None, detail: str, rule: str
    ) -> MolecularResponse:
        return MolecularResponse(
            date=draw.date,
            line_start=start,
            baseline_date=baseline.date,
            call=call,
            mean_vaf=mean,
            baseline_mean_vaf=baseline_mean,
            change_pct=change,
            tumor_fraction=draw.tumor_fraction,
            detail=detail,
            rule=rule,
            evidence=(_DEFINITIONS, _PADA1),
        )

    missing = [f"{g} {c}" for (g, c), p in zip(tracked, points, strict=True) if p.vaf is None]
    if missing:
        return result(
            MolecularCall.NOT_EVALUABLE,
            None,
            None,
            f"not assessed in this draw: {', '.join(missing)}",
            "every baseline variant must be assessed (unknown is not zero)",
        )
    mean = statistics.fmean(p.vaf for p in points if p.vaf is not None)
    change = 100 * (mean - baseline_mean) / baseline_mean
    undetermined = [p for p in points if p.detected is None]
    if all(p.detected is not True for p in points):
        call, rule = MolecularCall.CLEARANCE, "clearance: no baseline variant detected"
    elif mean >= _PROGRESSION_RISE * nadir and mean >= _PROGRESSION_FLOOR:
        # a rise from the nadir counts even while still below baseline: the trend matters
        call = MolecularCall.PROGRESSION
        rule = ">= 2x rise in mean VAF from the on-treatment nadir and >= 1% (Oncoboard convention)"
    elif mean <= (1 - _RESPONSE_FALL) * baseline_mean:
        call, rule = MolecularCall.RESPONSE, ">= 50% fall in mean VAF from baseline"
    else:
        call, rule = MolecularCall.STABLE, "neither a >= 50% fall nor a >= 2x rise from nadir"
    detail = (
        f"mean VAF {100 * mean:.2f}% vs {100 * baseline_mean:.2f}% at baseline "
        f"({baseline.date.isoformat()}), {change:+.0f}%; tracked: {names}"
    )
    if call is MolecularCall.CLEARANCE and undetermined:
        call = MolecularCall.RESPONSE
        detail += "; 0 reads at low depth for some variants: clearance not confirmed"
    return result(call, mean, change, detail, rule)
