"""Molecular calls from a tumour-informed (MRD) assay's results: detection and MTM/mL.

Tumour-informed assays (e.g. Signatera) report whether the patient's ctDNA is detected and a
quantity, mean tumour molecules per mL of plasma (MTM/mL), rather than per-variant VAFs. The
calls mirror those from VAFs (:mod:`oncoboard.monitoring.ctdna`):

* **clearance**: the assay reports ctDNA not detected on treatment after a detected baseline;
* after a **negative baseline**, a detection on treatment is molecular progression (ctDNA
  reappearance) and a further negative result is stable;
* **molecular progression** (Oncoboard convention, unverified): MTM/mL rises to >= 2x its
  on-treatment nadir (a nadir of 0, i.e. cleared, then detected again, counts);
* **molecular response**: MTM/mL falls by >= 50% from baseline;
* otherwise **stable**; a draw whose detection is not reported is **not evaluable**, and a
  detected draw without a quantity cannot be compared (stable, said so).

References
----------
Oncoboard MBC fact sheet section 5 (ctDNA response definitions, unverified). There is no
validated response criterion on MTM/mL in metastatic breast cancer; these are conventions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from oncoboard.model import Evidence, EvidenceSource, LiquidBiopsy
from oncoboard.monitoring.ctdna import MolecularCall, MolecularResponse

__all__ = ["tumour_informed_calls"]

_RESPONSE_FALL = 0.5
_PROGRESSION_RISE = 2.0
_DEFINITIONS = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Oncoboard MBC fact sheet §5 (ctDNA molecular response)",
    title="Tumour-informed assay: clearance = not detected on treatment; >= 50% fall in MTM/mL "
    "as response; >= 2x rise from nadir as molecular progression (Oncoboard convention)",
    verified=False,
)


def tumour_informed_calls(
    baseline: LiquidBiopsy, draws: Sequence[LiquidBiopsy], start: dt.date
) -> list[MolecularResponse]:
    """Calls for each on-treatment tumour-informed draw against the line's baseline draw."""
    if baseline.ctdna_detected is False:
        return [_after_negative(draw, baseline, start) for draw in draws]
    base = baseline.mean_tumor_molecules_per_ml
    nadir = base
    results = []
    for draw in draws:
        results.append(_call(draw, baseline, start, nadir))
        value = 0.0 if draw.ctdna_detected is False else draw.mean_tumor_molecules_per_ml
        if value is not None and (nadir is None or value < nadir):
            nadir = value
    return results


def _after_negative(
    draw: LiquidBiopsy, baseline: LiquidBiopsy, start: dt.date
) -> MolecularResponse:
    assay = draw.assay or "tumour-informed assay"
    if draw.ctdna_detected is None:
        call, rule = MolecularCall.NOT_EVALUABLE, "detection not reported (unknown is not zero)"
        detail = f"{assay}: ctDNA detection not reported"
    elif draw.ctdna_detected:
        call = MolecularCall.PROGRESSION
        rule = "ctDNA detected after a negative baseline (Oncoboard convention)"
        quantity = draw.mean_tumor_molecules_per_ml
        detail = f"{assay}: ctDNA detected" + (f", {quantity:g} MTM/mL" if quantity else "")
        detail += f"; not detected at baseline ({baseline.date})"
    else:
        call, rule = MolecularCall.STABLE, "still not detected"
        detail = f"{assay}: ctDNA not detected, as at baseline ({baseline.date})"
    return _result(draw, baseline, start, call, rule, detail, None)


def _call(
    draw: LiquidBiopsy, baseline: LiquidBiopsy, start: dt.date, nadir: float | None
) -> MolecularResponse:
    base = baseline.mean_tumor_molecules_per_ml
    value = draw.mean_tumor_molecules_per_ml
    assay = draw.assay or "tumour-informed assay"
    change = None
    if draw.ctdna_detected is None:
        call, rule = MolecularCall.NOT_EVALUABLE, "detection not reported (unknown is not zero)"
        detail = f"{assay}: ctDNA detection not reported"
    elif draw.ctdna_detected is False:
        call, rule = MolecularCall.CLEARANCE, "clearance: tumour-informed assay not detected"
        detail = f"{assay}: ctDNA not detected (detected at baseline {baseline.date})"
        change = -100.0 if base else None
    elif value is None or base is None:
        call, rule = MolecularCall.STABLE, "detected; no MTM/mL to compare with baseline"
        detail = f"{assay}: ctDNA still detected; quantity not reported"
    else:
        change = 100 * (value - base) / base if base else None
        if nadir is not None and value >= _PROGRESSION_RISE * nadir and value > 0:
            call = MolecularCall.PROGRESSION
            rule = ">= 2x rise in MTM/mL from the on-treatment nadir (Oncoboard convention)"
        elif value <= (1 - _RESPONSE_FALL) * base:
            call, rule = MolecularCall.RESPONSE, ">= 50% fall in MTM/mL from baseline"
        else:
            call, rule = MolecularCall.STABLE, "neither a >= 50% fall nor a >= 2x rise from nadir"
        detail = f"{assay}: {value:g} MTM/mL vs {base:g} at baseline ({baseline.date})"
        if change is not None:
            detail += f", {change:+.0f}%"
    return _result(draw, baseline, start, call, rule, detail, change)


def _result(
    draw: LiquidBiopsy,
    baseline: LiquidBiopsy,
    start: dt.date,
    call: MolecularCall,
    rule: str,
    detail: str,
    change: float | None,
) -> MolecularResponse:
    return MolecularResponse(
        date=draw.date,
        line_start=start,
        baseline_date=baseline.date,
        call=call,
        tumor_informed=True,
        mean_vaf=None,
        baseline_mean_vaf=None,
        mean_tumor_molecules_per_ml=draw.mean_tumor_molecules_per_ml,
        baseline_tumor_molecules_per_ml=baseline.mean_tumor_molecules_per_ml,
        change_pct=change,
        tumor_fraction=draw.tumor_fraction,
        detail=detail,
        rule=rule,
        evidence=(_DEFINITIONS,),
    )
