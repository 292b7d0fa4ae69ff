"""One monitoring report per patient: RECIST (iRECIST on a checkpoint inhibitor), PERCIST and
RANO-BM on the current line, ctDNA calls, emergent alterations with the planner's options, CTCs
and tumour-marker trends, alerts, and a single ordered timeline.

Alerts never switch therapy on circulating biomarkers alone: a molecular progression before
radiographic progression is flagged for earlier imaging and discussion, tumour markers are
shown as trends only, and CTCs are prognostic.

References
----------
Oncoboard MBC fact sheet sections 4 (RECIST 1.1) and 5: CTC >= 5 per 7.5 mL prognostic
(Cristofanilli NEJM 2004;351:781); CTC-guided switching did not improve OS (SWOG S0500,
NCT00382018); tumour markers are adjuncts, never used alone to change therapy, and may rise
spuriously in the first 4-6 weeks of a new therapy (ASCO 2015, Van Poznak). PERCIST 1.0 (Wahl
J Nucl Med 2009;50:122S) and RANO-BM (Lin Lancet Oncol 2015;16:e270).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from oncoboard.errors import OncoboardError
from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import (
    Case,
    Evidence,
    EvidenceSource,
    ImagingAssessment,
    Setting,
    TreatmentLine,
)
from oncoboard.model._base import CaseModel
from oncoboard.model.imaging import Modality
from oncoboard.model.metastasis import SiteName
from oncoboard.monitoring._alerts import Alert, AlertKind, SuggestedOption
from oncoboard.monitoring._imaging_parts import imaging_alerts, percist_for_line, rano_bm_for_line
from oncoboard.monitoring._markers import (
    MARKERS_EVIDENCE,
    MarkerPoint,
    MarkerTrend,
    marker_trends,
)
from oncoboard.monitoring._recist_types import RecistSeries, Response
from oncoboard.monitoring._suggest import PlanSuggester
from oncoboard.monitoring.ctdna import (
    MolecularCall,
    MolecularResponse,
    current_metastatic_line,
    molecular_response,
)
from oncoboard.monitoring.irecist import IRecistSeries, assess_irecist
from oncoboard.monitoring.percist import PercistResult
from oncoboard.monitoring.rano_bm import RanoBmSeries
from oncoboard.monitoring.recist import assess_recist
from oncoboard.monitoring.resistance import (
    EmergenceStatus,
    EmergentAlteration,
    emergent_alterations,
)

__all__ = [
    "Alert",
    "AlertKind",
    "MarkerPoint",
    "MarkerTrend",
    "MonitoringReport",
    "SuggestedOption",
    "TimelineEvent",
    "monitor_case",
]

_BASELINE_WINDOW = dt.timedelta(days=56)  # a pre-line scan up to 8 weeks before the start
_CTC_THRESHOLD = 5
_CNS_SITES = frozenset({SiteName.BRAIN, SiteName.LEPTOMENINGEAL})
_CRISTOFANILLI = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Cristofanilli M et al. N Engl J Med 2004;351:781",
    title=">= 5 CTC per 7.5 mL: median PFS 2.7 vs 7.0 months, OS 10.1 vs > 18 months",
    verified=True,
)
_S0500 = Evidence(
    source=EvidenceSource.TRIAL,
    id="NCT00382018",
    title="SWOG S0500: switching chemotherapy on persistent CTCs did not improve OS",
    verified=True,
)
_MARKERS = MARKERS_EVIDENCE


class TimelineEvent(CaseModel):
    """One dated event on the patient's timeline."""

    date: dt.date
    kind: str  # therapy_start, therapy_stop, imaging, ctdna, tumor_marker, adverse_event, alert
    summary: str


class MonitoringReport(CaseModel):
    """Response monitoring for one patient."""

    patient_id: str
    line_start: dt.date | None
    line_agents: tuple[str, ...]
    recist: RecistSeries | None
    recist_note: str | None = None
    irecist: IRecistSeries | None = Field(
        default=None, description="iRECIST, when the current line has a checkpoint inhibitor."
    )
    percist: PercistResult | None = Field(
        default=None, description="PERCIST 1.0: latest PET-CT of the line vs its PET baseline."
    )
    percist_note: str | None = None
    rano_bm: RanoBmSeries | None = Field(
        default=None, description="RANO-BM over the line's studies with brain lesions."
    )
    rano_bm_note: str | None = None
    molecular: tuple[MolecularResponse, ...]
    emergent: tuple[EmergentAlteration, ...]
    markers: tuple[MarkerTrend, ...] = Field(
        default=(), description="Tumour-marker trends (adjuncts; never alert on their own)."
    )
    alerts: tuple[Alert, ...]
    plan_note: str | None = Field(
        default=None,
        description="Why no options are suggested on emergent-resistance alerts, if the "
        "planner could not plan the case.",
    )
    timeline: tuple[TimelineEvent, ...]


def _recist(studies: list[ImagingAssessment]) -> tuple[RecistSeries | None, str | None]:
    if not studies:
        return None, "no imaging since the start of the current line"
    try:
        return assess_recist(studies), None
    except OncoboardError as exc:
        return None, str(exc)


def _alerts(
    case: Case,
    recist: RecistSeries | None,
    molecular: list[MolecularResponse],
    emergent: list[EmergentAlteration],
    suggest: PlanSuggester,
    current: TreatmentLine | None,
    other_progression: dt.date | None = None,
) -> list[Alert]:
    """RECIST, ctDNA, emergent-resistance and CTC alerts; ``other_progression`` is the first
    progression by another imaging criterion (PERCIST, RANO-BM), which also decides whether a
    molecular progression came first."""
    alerts: list[Alert] = []
    first_pd = (
        next((t for t in recist.timepoints if t.overall_response is Response.PD), None)
        if recist
        else None
    )
    recist_date = first_pd.date if first_pd is not None else None
    progressed = [d for d in (recist_date, other_progression) if d is not None]
    first_progression = min(progressed, default=None)
    if first_pd is not None:
        alerts.append(
            Alert(
                kind=AlertKind.RADIOGRAPHIC_PROGRESSION,
                date=first_pd.date,
                criterion="RECIST 1.1",
                detail="; ".join(first_pd.reasons) or "RECIST 1.1 PD",
                action="confirm clinically; re-test ctDNA (ESR1, PIK3CA/AKT1/PTEN) and plan the "
                "next line (oncoboard plan)",
                rule=first_pd.rule,
                evidence=first_pd.evidence,
            )
        )
    for result in molecular:
        if result.call is MolecularCall.PROGRESSION and (
            first_progression is None or result.date < first_progression
        ):
            alerts.append(
                Alert(
                    kind=AlertKind.MOLECULAR_PROGRESSION_FIRST,
                    date=result.date,
                    detail=result.detail,
                    action="bring imaging forward; do not switch on ctDNA alone",
                    rule=result.rule,
                    evidence=(*result.evidence, _MARKERS),
                )
            )
        elif result.call is MolecularCall.CLEARANCE:
            alerts.append(
                Alert(
                    kind=AlertKind.CLEARANCE,
                    date=result.date,
                    detail=result.detail,
                    action="favourable; continue the current line",
                    rule=result.rule,
                    evidence=result.evidence,
                )
            )
    for item in emergent:
        if item.status is EmergenceStatus.EMERGENT and item.resistance_to:
            on_current = (
                current is not None and current.ongoing and item.line_start == current.start_date
            )
            action = (
                "discuss a switch (options below, from today's plan; for ESR1 on AI + CDK4/6 "
                "inhibitor: PADA-1/SERENA-6 switch strategies, not FDA-approved)"
                if on_current
                else f"emerged on an earlier line ({' + '.join(item.line_agents)}, started "
                f"{item.line_start.isoformat()}); that line has since changed: informs the "
                "choice of later lines (oncoboard plan)"
            )
            options = (
                suggest(item.gene, before_progression=first_progression is None)
                if on_current
                else ()
            )
            if on_current and not options:
                action = (
                    f"discuss a switch; today's plan has no option matched to {item.gene}: "
                    "the planner reads variants from genomic reports, not from monitoring "
                    "draws (record the plasma result as a genomic report to plan on it)"
                )
            alerts.append(
                Alert(
                    kind=AlertKind.EMERGENT_RESISTANCE,
                    date=item.first_detected,
                    detail=item.detail,
                    action=action,
                    rule=item.rule,
                    evidence=item.evidence,
                    suggested_options=options,
                )
            )
    for draw in case.liquid_biopsies:
        if draw.ctc_count is not None and draw.ctc_count >= _CTC_THRESHOLD:
            alerts.append(
                Alert(
                    kind=AlertKind.CTC_HIGH,
                    date=draw.date,
                    detail=f"{draw.ctc_count} CTC per 7.5 mL (>= 5: poorer prognosis)",
                    action="prognostic only; do not switch therapy on CTCs",
                    rule="CTC >= 5 per 7.5 mL (CellSearch)",
                    evidence=(_CRISTOFANILLI, _S0500),
                )
            )
    return sorted(alerts, key=lambda a: a.date)


def _imaging_notes(
    study: ImagingAssessment, percist: PercistResult | None, rano_bm: RanoBmSeries | None
) -> str:
    notes: list[str] = []
    if percist is not None and study.modality is Modality.PET_CT:
        if study.date == percist.baseline_date:
            notes.append("PERCIST baseline")
        elif study.date == percist.follow_up_date:
            notes.append(f"PERCIST {percist.response.value}")
    if rano_bm is not None and any(les.site in _CNS_SITES for les in study.lesions):
        points = {t.date: t for t in rano_bm.timepoints}
        if study.date == rano_bm.baseline_date:
            notes.append("RANO-BM baseline")
        elif study.date in points:
            notes.append(f"RANO-BM {points[study.date].response.value}")
    return "".join(f"; {n}" for n in notes)


def _timeline(
    case: Case,
    recist: RecistSeries | None,
    molecular: list[MolecularResponse],
    alerts: list[Alert],
    percist: PercistResult | None = None,
    rano_bm: RanoBmSeries | None = None,
) -> list[TimelineEvent]:
    events: list[TimelineEvent] = []
    for line in case.treatments:
        label = " + ".join(a.name for a in line.agents)
        where = f"line {line.line}" if line.line else line.setting.value
        kind = "therapy" if line.setting is not Setting.SUPPORTIVE else "supportive"
        events.append(
            TimelineEvent(date=line.start_date, kind=f"{kind}_start", summary=f"{label} ({where})")
        )
        if line.stop_date:
            reason = line.reason_stopped.value if line.reason_stopped else "stopped"
            events.append(
                TimelineEvent(
                    date=line.stop_date, kind=f"{kind}_stop", summary=f"{label}: {reason}"
                )
            )
    by_date = {t.date: t for t in recist.timepoints} if recist else {}
    for study in case.imaging:
        result = by_date.get(study.date)
        suffix = f": RECIST {result.overall_response.value}" if result else ""
        if recist and study.date == recist.baseline_date:
            suffix = f": RECIST baseline, sum {recist.baseline_sum_mm} mm"
        suffix += _imaging_notes(study, percist, rano_bm)
        events.append(
            TimelineEvent(
                date=study.date, kind="imaging", summary=f"{study.modality.value}{suffix}"
            )
        )
    calls = {m.date: m for m in molecular}
    for draw in case.liquid_biopsies:
        call = calls.get(draw.date)
        detected = ", ".join(
            f"{v.gene} {v.hgvs_p or v.hgvs_c} {100 * v.alt_reads / v.depth:.2f}%"
            for v in draw.variants
            if v.alt_reads
        )
        if draw.tumor_informed and draw.ctdna_detected is not None:
            quantity = draw.mean_tumor_molecules_per_ml
            detected = f"{draw.assay or 'tumour-informed'}: ctDNA " + (
                "detected" if draw.ctdna_detected else "not detected"
            )
            detected += f", {quantity:g} MTM/mL" if quantity is not None else ""
        summary = (detected or "no variant detected") + (f"; {call.call.value}" if call else "")
        events.append(TimelineEvent(date=draw.date, kind="ctdna", summary=summary))
    for marker in case.tumor_markers:
        events.append(
            TimelineEvent(
                date=marker.date,
                kind="tumor_marker",
                summary=f"{marker.marker.value} {marker.value:g} {marker.unit} (trend only)",
            )
        )
    for event in case.adverse_events:
        events.append(
            TimelineEvent(
                date=event.onset_date,
                kind="adverse_event",
                summary=f"{event.term} grade {event.grade}",
            )
        )
    for alert in alerts:
        events.append(
            TimelineEvent(
                date=alert.date, kind="alert", summary=f"{alert.kind.value}: {alert.detail}"
            )
        )
    return sorted(events, key=lambda e: e.date)


def monitor_case(case: Case) -> MonitoringReport:
    """Monitor the current metastatic line of one case.

    RECIST 1.1 (iRECIST on a checkpoint inhibitor), PERCIST 1.0 and RANO-BM on the studies from
    8 weeks before the line start, ctDNA calls, emergent alterations (with the planner's
    options for each emergent resistance alert; the planner runs at most once), tumour-marker
    trends (never an alert on their own), alerts and one ordered timeline.

    Parameters
    ----------
    case
        A validated case.

    Returns
    -------
    MonitoringReport
        The report; each alert carries its rule and evidence.
    """
    current = current_metastatic_line(case)
    start = current.start_date if current else None
    studies = [a for a in case.imaging if start is None or a.date >= start - _BASELINE_WINDOW]
    recist, note = _recist(studies)
    percist, percist_note = percist_for_line(studies)
    rano_bm, rano_bm_note = rano_bm_for_line(studies)
    irecist = None
    vocabulary = drug_vocabulary()
    on_ici = current is not None and any(
        (d := vocabulary.lookup(a.name)) is not None and "immune_checkpoint_inhibitor" in d.classes
        for a in current.agents
    )
    if on_ici and recist is not None:
        irecist = assess_irecist(studies)
    molecular = molecular_response(case)
    emergent = emergent_alterations(case)
    suggester = PlanSuggester(case)
    imaging = imaging_alerts(percist, rano_bm, on_ici=on_ici)
    other = min(
        (a.date for a in imaging if a.kind is AlertKind.RADIOGRAPHIC_PROGRESSION), default=None
    )
    alerts = _alerts(case, recist, molecular, emergent, suggester, current, other)
    if irecist is not None and irecist.timepoints:  # RECIST PD is iUPD until confirmed
        alerts = [
            a.model_copy(
                update={
                    "criterion": "iRECIST",
                    "action": "iRECIST: unconfirmed progression (iUPD) on a checkpoint "
                    "inhibitor; if clinically stable, confirm with imaging 4-8 weeks later "
                    "before stopping",
                    "evidence": (*a.evidence, *irecist.timepoints[0].evidence[:1]),
                }
            )
            if a.kind is AlertKind.RADIOGRAPHIC_PROGRESSION and a.criterion == "RECIST 1.1"
            else a
            for a in alerts
        ]
    alerts = sorted([*alerts, *imaging], key=lambda a: a.date)
    return MonitoringReport(
        patient_id=case.patient.id,
        line_start=start,
        line_agents=tuple(a.name for a in current.agents) if current else (),
        recist=recist,
        recist_note=note,
        irecist=irecist,
        percist=percist,
        percist_note=percist_note,
        rano_bm=rano_bm,
        rano_bm_note=rano_bm_note,
        molecular=tuple(molecular),
        emergent=tuple(emergent),
        markers=marker_trends(case.tumor_markers, start),
        alerts=tuple(alerts),
        plan_note=None if suggester.error is None else f"planner: {suggester.error}",
        timeline=tuple(_timeline(case, recist, molecular, alerts, percist, rano_bm)),
    )
