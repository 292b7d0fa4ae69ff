"""Serum tumour-marker trends for the monitoring report (CA 15-3, CA 27.29, CEA).

Markers are adjuncts: they are shown as trends and never used alone to call progression or to
change therapy, and a rise in the first 4-6 weeks of a new therapy may be spurious. No alert
is ever raised on markers.

References
----------
.. [1] Van Poznak C et al. Use of biomarkers to guide decisions on systemic therapy for women
   with metastatic breast cancer: ASCO clinical practice guideline. J Clin Oncol 2015;33:2695.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import Field

from oncoboard.model import Evidence, EvidenceSource
from oncoboard.model._base import CaseModel
from oncoboard.model.monitoring import TumorMarkerName, TumorMarkerResult

__all__ = [
    "FLARE_WINDOW_DAYS",
    "MARKERS_EVIDENCE",
    "MARKER_BASELINE_WINDOW_DAYS",
    "MarkerPoint",
    "MarkerTrend",
    "marker_trends",
]

MARKERS_EVIDENCE = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="ASCO tumour-marker guideline 2015 (Van Poznak)",
    title="Markers are adjuncts; do not change therapy on markers alone; spurious rises in the "
    "first 4-6 weeks of a new therapy",
    verified=True,
)
FLARE_WINDOW_DAYS = 42  # 6 weeks: the upper end of the 4-6 week window of spurious rises
MARKER_BASELINE_WINDOW_DAYS = 56  # same 8-week look-back as the imaging baseline

_RULE = (
    "Tumour markers are adjuncts shown as trends: line baseline = the latest value on or up to "
    f"{MARKER_BASELINE_WINDOW_DAYS} days before the line start; nadir = the lowest value from "
    "that baseline on (baseline included; from the line start if there is no baseline); "
    "changes are percent of the baseline and of the nadir. Never used alone to call "
    f"progression or change therapy; rises in the first {FLARE_WINDOW_DAYS} days (4-6 weeks) "
    "of a new therapy may be spurious (ASCO 2015, Van Poznak)."
)
_NOTE = (
    "Trend only (adjunct): markers are never used alone to call progression or change "
    "therapy; rises in the first 4-6 weeks of a new therapy may be spurious"
)


class MarkerPoint(CaseModel):
    """One marker value with its multiple of the upper limit of normal, when known."""

    date: dt.date
    value: float
    unit: str
    upper_limit_normal: float | None
    uln_multiple: float | None = Field(description="value / upper_limit_normal; null if no ULN.")


class MarkerTrend(CaseModel):
    """The trend of one serum tumour marker over the current line."""

    marker: TumorMarkerName
    values: tuple[MarkerPoint, ...] = Field(description="Every value, oldest first.")
    line_baseline: MarkerPoint | None = Field(
        description="Latest value on or up to 56 days before the current line start."
    )
    nadir: MarkerPoint | None = Field(description="Lowest value from the line baseline on.")
    latest: MarkerPoint
    change_from_baseline_pct: float | None
    change_from_nadir_pct: float | None
    early_values: tuple[dt.date, ...] = Field(
        description="Dates of values in the first 42 days of the line (rises may be spurious)."
    )
    note: str
    rule: str = _RULE
    evidence: tuple[Evidence, ...] = (MARKERS_EVIDENCE,)


def _point(result: TumorMarkerResult) -> MarkerPoint:
    uln = result.upper_limit_normal
    return MarkerPoint(
        date=result.date,
        value=result.value,
        unit=result.unit,
        upper_limit_normal=uln,
        uln_multiple=None if uln is None else result.value / uln,
    )


def _pct(value: float, reference: float) -> float | None:
    return None if reference <= 0 else 100.0 * (value - reference) / reference


def _trend(
    marker: TumorMarkerName, results: Sequence[TumorMarkerResult], start: dt.date | None
) -> MarkerTrend:
    points = [_point(r) for r in sorted(results, key=lambda r: r.date)]
    latest = points[-1]
    baseline: MarkerPoint | None = None
    early: tuple[dt.date, ...] = ()
    notes = [_NOTE]
    if start is not None:
        window = start - dt.timedelta(days=MARKER_BASELINE_WINDOW_DAYS)
        before = [p for p in points if window <= p.date <= start]
        baseline = before[-1] if before else None
        since = [p for p in points if p.date >= (baseline.date if baseline else start)]
        early = tuple(p.date for p in points if 0 < (p.date - start).days <= FLARE_WINDOW_DAYS)
        if baseline is None:
            notes.append(
                f"no value in the {MARKER_BASELINE_WINDOW_DAYS} days before the line start: "
                "change from baseline unknown"
            )
    else:
        since = points
        notes.append("no current metastatic line: no line baseline")
    nadir = min(since, key=lambda p: p.value) if since else None
    if early:
        notes.append(
            f"value(s) in the first {FLARE_WINDOW_DAYS} days of the line "
            f"({', '.join(d.isoformat() for d in early)}): a rise then may be spurious (flare)"
        )
    units = {p.unit for p in points}
    if len(units) > 1:
        notes.append(f"units differ ({', '.join(sorted(units))}); they are numerically equal")
    return MarkerTrend(
        marker=marker,
        values=tuple(points),
        line_baseline=baseline,
        nadir=nadir,
        latest=latest,
        change_from_baseline_pct=None if baseline is None else _pct(latest.value, baseline.value),
        change_from_nadir_pct=None if nadir is None else _pct(latest.value, nadir.value),
        early_values=early,
        note="; ".join(notes),
    )


def marker_trends(
    results: Sequence[TumorMarkerResult], line_start: dt.date | None
) -> tuple[MarkerTrend, ...]:
    """Trend of each serum tumour marker relative to the current line.

    Parameters
    ----------
    results
        Tumour-marker values in any order (several markers mixed).
    line_start
        Start of the current metastatic line, or ``None`` if there is none.

    Returns
    -------
    tuple of MarkerTrend
        One trend per marker, in the order of :class:`TumorMarkerName`; empty without values.

    References
    ----------
    .. [1] Van Poznak C et al. J Clin Oncol 2015;33:2695 (ASCO tumour-marker guideline).
    """
    trends: list[MarkerTrend] = []
    for marker in TumorMarkerName:
        mine = [r for r in results if r.marker is marker]
        if mine:
            trends.append(_trend(marker, mine, line_start))
    return tuple(trends)
