"""One monitoring report per patient: RECIST on the current line, ctDNA calls, emergent
alterations, CTCs and tumour markers, alerts, and a single ordered timeline.

Alerts never switch therapy on circulating biomarkers alone: a molecular progression before
radiographic progression is flagged for earlier imaging and discussion, tumour markers are
shown as trends only, and CTCs are prognostic.

References
----------
Oncoboard MBC fact sheet sections 4 (RECIST 1.1) and 5: CTC >= 5 per 7.5 mL prognostic
(Cristofanilli NEJM 2004;351:781); CTC-guided switching did not improve OS (SWOG S0500,
NCT00382018); tumour markers are adjuncts, never used alone to change therapy, and may rise
spuriously in the first 4-6 weeks of a new therapy (ASCO 2015, Van Poznak).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from oncoboard.errors import OncoboardError
from oncoboard.knowledge import drug_vocabulary
from oncoboard.model import Case, Evidence, EvidenceSource, ImagingAssessment, Setting
from oncoboard.model._base import CaseModel
from oncoboard.monitoring._recist_types import RecistSeries, Response
from oncoboard.monitoring.ctdna import (
    MolecularCall,
    MolecularResponse,
    current_metastatic_line,
    molecular_response,
)
from oncoboard.monitoring.irecist import IRecistSeries, assess_irecist
from oncoboard.monitoring.recist import assess_recist
from oncoboard.monitoring.resistance import (
    EmergenceStatus,
    EmergentAlteration,
    emergent_alterations,
)

__all__ = ["Alert", "AlertKind", "MonitoringReport", "TimelineEvent", "monitor_case"]

_BASELINE_WINDOW = dt.timedelta(days=56)  # a pre-line scan up to 8 weeks before the start
_CTC_THRESHOLD = 5
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
_MARKERS = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="ASCO tumour-marker guideline 2015 (Van Poznak)",
    title="Markers are adjuncts; do not change therapy on markers alone; spurious rises in the "
    "first 4-6 weeks of a new therapy",
    verified=True,
)


class AlertKind(StrEnum):
    """What the alert is about."""

    RADIOGRAPHIC_PROGRESSION = "radiographic_progression"
    MOLECULAR_PROGRESSION_FIRST = "molecular_progression_before_radiographic"
    EMERGENT_RESISTANCE = "emergent_resistance"
    CLEARANCE = "ctdna_clearance"
    CTC_HIGH = "ctc_high"


class Alert(CaseModel):
    """An alert with its date, detail, rule and evidence."""

    kind: AlertKind
    date: dt.date
    detail: str
    action: str
    rule: str
    evidence: tuple[Evidence, ...]


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
    molecular: tuple[MolecularResponse, ...]
    emergent: tuple[EmergentAlteration, ...]
    alerts: tuple[Alert, ...]
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
) -> list[Alert]:
    alerts: list[Alert] = []
    first_pd = (
        next((t for t in recist.timepoints if t.overall_response is Response.PD), None)
        if recist
        else None
    )
    if first_pd is not None:
        alerts.append(
            Alert(
                kind=AlertKind.RADIOGRAPHIC_PROGRESSION,
                date=first_pd.date,
                detail="; ".join(first_pd.reasons) or "RECIST 1.1 PD",
                action="confirm clinically; re-test ctDNA (ESR1, PIK3CA/AKT1/PTEN) and plan the "
                "next line (oncoboard plan)",
                rule=first_pd.rule,
                evidence=first_pd.evidence,
            )
        )
    for result in molecular:
        if result.call is MolecularCall.PROGRESSION and (
            first_pd is None or result.date < first_pd.date
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
            alerts.append(
                Alert(
                    kind=AlertKind.EMERGENT_RESISTANCE,
                    date=item.first_detected,
                    detail=item.detail,
                    action="discuss a switch (oncoboard plan shows the options; for ESR1 on "
                    "AI + CDK4/6 inhibitor: PADA-1/SERENA-6 switch strategies, not FDA-approved)",
                    rule=item.rule,
                    evidence=item.evidence,
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


def _timeline(
    case: Case, recist: RecistSeries | None, molecular: list[MolecularResponse], alerts: list[Alert]
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
    """RECIST on the current line, ctDNA calls, emergent alterations, alerts and timeline."""
    current = current_metastatic_line(case)
    start = current.start_date if current else None
    studies = [a for a in case.imaging if start is None or a.date >= start - _BASELINE_WINDOW]
    recist, note = _recist(studies)
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
    alerts = _alerts(case, recist, molecular, emergent)
    if irecist is not None:  # on a checkpoint inhibitor RECIST PD is iUPD until confirmed
        alerts = [
            a.model_copy(
                update={
                    "action": "iRECIST: unconfirmed progression (iUPD) on a checkpoint "
                    "inhibitor; if clinically stable, confirm with imaging 4-8 weeks later "
                    "before stopping",
                    "evidence": (*a.evidence, *irecist.timepoints[0].evidence[:1]),
                }
            )
            if a.kind is AlertKind.RADIOGRAPHIC_PROGRESSION
            else a
            for a in alerts
        ]
    return MonitoringReport(
        patient_id=case.patient.id,
        line_start=start,
        line_agents=tuple(a.name for a in current.agents) if current else (),
        recist=recist,
        recist_note=note,
        irecist=irecist,
        molecular=tuple(molecular),
        emergent=tuple(emergent),
        alerts=tuple(alerts),
        timeline=tuple(_timeline(case, recist, molecular, alerts)),
    )
