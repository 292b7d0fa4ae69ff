"""iRECIST response assessment for patients on immune checkpoint inhibitors.

Runs the RECIST 1.1 engine (:func:`oncoboard.monitoring.recist.assess_recist`) per timepoint,
then applies iRECIST: the first RECIST PD is unconfirmed progression (iUPD), which is confirmed
(iCPD) only by further growth at a later assessment. New lesions are tracked separately as
new-lesion target and new-lesion non-target and are never added to the baseline sum.

References
----------
.. [1] Seymour L et al. iRECIST: guidelines for response criteria for use in trials testing
   immunotherapeutics. Lancet Oncol 2017;18:e143-e152.
.. [2] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import EvidenceSource
from oncoboard.model.imaging import ImagingAssessment, Lesion, LesionRole, NonTargetStatus
from oncoboard.monitoring._recist_types import (
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    RecistSeries,
    Response,
    TimepointResult,
)
from oncoboard.monitoring.recist import _size_at, assess_recist, lesion_measurability

__all__ = [
    "IRECIST_EVIDENCE",
    "IRecistBestResponse",
    "IRecistResponse",
    "IRecistSeries",
    "IRecistTimepoint",
    "assess_irecist",
]

IRECIST_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Seymour L et al. Lancet Oncol 2017;18:e143",
    title="iRECIST: guidelines for response criteria for use in trials testing immunotherapeutics",
    verified=True,
)

_EPS = 1e-9
_CONFIRM_MM = 5.0


class IRecistResponse(StrEnum):
    """An iRECIST timepoint response category."""

    ICR = "iCR"
    IPR = "iPR"
    ISD = "iSD"
    NON_ICR_NON_IUPD = "non-iCR/non-iUPD"
    IUPD = "iUPD"
    ICPD = "iCPD"
    NE = "NE"


_ORDER = tuple(IRecistResponse)
_FROM_RECIST = {
    Response.CR: IRecistResponse.ICR,
    Response.PR: IRecistResponse.IPR,
    Response.SD: IRecistResponse.ISD,
    Response.NON_CR_NON_PD: IRecistResponse.NON_ICR_NON_IUPD,
    Response.PD: IRecistResponse.IUPD,
    Response.NE: IRecistResponse.NE,
}


class IRecistTimepoint(CaseModel):
    """RECIST 1.1 and iRECIST response at one follow-up assessment."""

    date: dt.date
    days_from_baseline: int
    days_from_iupd: int | None
    recist_response: Response
    irecist_response: IRecistResponse
    target_sum_mm: float | None
    new_lesion_target_ids: tuple[str, ...]
    new_lesion_non_target_ids: tuple[str, ...]
    new_lesion_target_sum_mm: float | None
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[Evidence, ...] = (IRECIST_EVIDENCE,)


class IRecistBestResponse(CaseModel):
    """Best overall iRECIST response over the series."""

    response: IRecistResponse
    date: dt.date | None
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[Evidence, ...] = (IRECIST_EVIDENCE,)


class IRecistSeries(CaseModel):
    """iRECIST assessment of a baseline and its follow-up timepoints."""

    baseline_date: dt.date
    recist: RecistSeries
    timepoints: tuple[IRecistTimepoint, ...]
    best_overall_response: IRecistBestResponse
    confirm_window: tuple[int, int]


def _rule(lo: int, hi: int) -> str:
    return (
        "iRECIST: the first RECIST 1.1 PD is iUPD (unconfirmed); confirm at the next assessment "
        f"{lo}-{hi} days later. iCPD if, compared with the iUPD assessment, the target sum rises "
        f"a further >= {_CONFIRM_MM:g} mm, non-target disease increases further (need not be "
        f"unequivocal), the new-lesion target sum rises >= {_CONFIRM_MM:g} mm, any new-lesion "
        "non-target grows, or further new lesions appear; increases add up across assessments. "
        f"Scans < {lo} days after iUPD do not count unless they show an additional new lesion. "
        "iSD/iPR/iCR after iUPD resets the bar. New lesions are recorded as new-lesion target "
        f"(measurable, <= {MAX_TARGETS}, <= {MAX_TARGETS_PER_ORGAN} per organ) or new-lesion "
        "non-target and are not added to the baseline sum."
    )


def _sizes(assessment: ImagingAssessment, ids: Sequence[str]) -> dict[str, float]:
    lesions = {les.id: les for les in assessment.lesions}
    out: dict[str, float] = {}
    for lid in ids:
        size = _size_at(lesions.get(lid))
        if size is not None:
            out[lid] = size
    return out


def _growth(ref: dict[str, float], cur: dict[str, float]) -> float | None:
    """Change in the summed size over the lesions measured at both assessments."""
    common = ref.keys() & cur.keys()
    return sum(cur[k] - ref[k] for k in common) if common else None


def _progressing(assessment: ImagingAssessment, ids: Sequence[str]) -> set[str]:
    return {
        les.id
        for les in assessment.lesions
        if les.id in ids and les.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION
    }


def _present_new(assessment: ImagingAssessment) -> list[Lesion]:
    return [
        les
        for les in assessment.lesions
        if les.role is LesionRole.NEW and les.status is not NonTargetStatus.ABSENT
    ]


class _NewLesions:
    """Running split of new lesions into new-lesion target and new-lesion non-target."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self.non_targets: list[str] = []
        self.organs: Counter[str] = Counter()

    def add(self, assessment: ImagingAssessment) -> list[str]:
        """Classify lesions first seen at ``assessment``; return their ids."""
        fresh = [
            les
            for les in _present_new(assessment)
            if les.id not in self.targets and les.id not in self.non_targets
        ]
        for les in sorted(fresh, key=lambda x: -(x.size_mm or 0.0)):
            organ = les.site.value
            fits = len(self.targets) < MAX_TARGETS and self.organs[organ] < MAX_TARGETS_PER_ORGAN
            if fits and lesion_measurability(les, assessment.modality).measurable:
                self.targets.append(les.id)
                self.organs[organ] += 1
            else:
                self.non_targets.append(les.id)
        return [les.id for les in fresh]


class _Reference:
    """Measurements at the iUPD assessment against which confirmation is judged."""

    def __init__(
        self, assessment: ImagingAssessment, recist: RecistSeries, new: _NewLesions
    ) -> None:
        self.date = assessment.date
        self.targets = _sizes(assessment, recist.target_ids)
        self.non_targets = _sizes(assessment, recist.non_target_ids)
        self.nt_progressing = _progressing(assessment, recist.non_target_ids)
        self.nlt = _sizes(assessment, new.targets)
        self.nlnt = _sizes(assessment, new.non_targets)
        self.nlnt_progressing = _progressing(assessment, new.non_targets)


def _confirmations(
    ref: _Reference, assessment: ImagingAssessment, recist: RecistSeries, new: _NewLesions
) -> list[str]:
    """Reasons that confirm progression (iCPD) relative to the iUPD reference."""
    why: list[str] = []
    grow = _growth(ref.targets, _sizes(assessment, recist.target_ids))
    if grow is not None and grow >= _CONFIRM_MM - _EPS:
        why.append(f"target sum +{grow:g} mm since iUPD (>= {_CONFIRM_MM:g} mm)")
    nt_now = _sizes(assessment, recist.non_target_ids)
    bigger = sorted(
        k for k in ref.non_targets.keys() & nt_now.keys() if nt_now[k] > ref.non_targets[k] + _EPS
    )
    newly = sorted(_progressing(assessment, recist.non_target_ids) - ref.nt_progressing)
    if bigger or newly:
        why.append(f"non-target disease increased further: {', '.join(sorted({*bigger, *newly}))}")
    nlt = _growth(ref.nlt, _sizes(assessment, new.targets))
    if nlt is not None and nlt >= _CONFIRM_MM - _EPS:
        why.append(f"new-lesion target sum +{nlt:g} mm since iUPD (>= {_CONFIRM_MM:g} mm)")
    nlnt_now = _sizes(assessment, new.non_targets)
    grown = {k for k in ref.nlnt.keys() & nlnt_now.keys() if nlnt_now[k] > ref.nlnt[k] + _EPS}
    grown |= _progressing(assessment, new.non_targets) - ref.nlnt_progressing
    if grown:
        why.append(f"new-lesion non-target growth: {', '.join(sorted(grown))}")
    return why


def _best(timepoints: Sequence[IRecistTimepoint]) -> IRecistBestResponse:
    rule = (
        "Best overall iRECIST response: the best timepoint response (iCR > iPR > iSD > "
        "non-iCR/non-iUPD), including responses after iUPD; otherwise iCPD if confirmed, else "
        "iUPD, else NE. Confirmation of iCR/iPR is not required (randomised-trial convention)."
    )
    for level in (*_ORDER[:4], IRecistResponse.ICPD, IRecistResponse.IUPD):
        hits = [tp for tp in timepoints if tp.irecist_response is level]
        if hits:
            return IRecistBestResponse(
                response=level,
                date=hits[0].date,
                reasons=(f"best response {level.value} on {hits[0].date}",),
                rule=rule,
            )
    none = ("no evaluable timepoint",)
    return IRecistBestResponse(response=IRecistResponse.NE, date=None, reasons=none, rule=rule)


def _pair(
    assessments: Sequence[ImagingAssessment], recist: RecistSeries
) -> list[tuple[TimepointResult, ImagingAssessment]]:
    """Match each RECIST timepoint to the assessment it came from (same order, date, modality)."""
    ordered = [
        a for a in sorted(assessments, key=lambda a: a.date) if a.date > recist.baseline_date
    ]
    pairs: list[tuple[TimepointResult, ImagingAssessment]] = []
    queue = list(recist.timepoints)
    for assessment in ordered:
        if queue and (queue[0].date, queue[0].modality) == (assessment.date, assessment.modality):
            pairs.append((queue.pop(0), assessment))
    return pairs


def assess_irecist(
    assessments: Sequence[ImagingAssessment], *, confirm_window: tuple[int, int] = (28, 56)
) -> IRecistSeries:
    """Assess a series of imaging studies under iRECIST (immune checkpoint inhibitors).

    RECIST 1.1 is run first (no CR/PR confirmation). The first RECIST PD becomes iUPD. A later
    assessment at least ``confirm_window[0]`` days after the iUPD confirms progression (iCPD)
    if, compared with the iUPD assessment, the target sum grew a further >= 5 mm, any baseline
    non-target lesion grew or newly progressed, the new-lesion target sum grew >= 5 mm, any
    new-lesion non-target grew, or a further new lesion appeared. Because the comparison is
    always with the iUPD assessment, increases add up (4 mm then 2 mm confirms). Earlier scans
    count only when they show an additional new lesion. A counted scan with no new lesion
    present and RECIST target and non-target categories short of PD gives iCR/iPR/iSD and
    resets the bar, so a later PD is a new iUPD; otherwise the status remains iUPD. After iCPD
    every later timepoint stays iCPD.

    Parameters
    ----------
    assessments
        Imaging assessments in any order (baseline selected as by ``assess_recist``).
    confirm_window
        Days after iUPD (earliest, latest) of the confirmatory assessment; scans later than the
        window still count but are flagged in the reasons.

    Returns
    -------
    IRecistSeries
        The underlying RECIST series, per-timepoint iRECIST results and best overall response.

    Raises
    ------
    ValueError
        If the window is not ``0 <= earliest <= latest``.
    CaseFileError
        As ``assess_recist`` (no assessments, or a baseline without lesions).

    References
    ----------
    .. [1] Seymour L et al. Lancet Oncol 2017;18:e143, tables 1-2.
    .. [2] Eisenhauer EA et al. Eur J Cancer 2009;45:228.
    """
    lo, hi = confirm_window
    if not 0 <= lo <= hi:
        raise ValueError(
            f"confirm_window must satisfy 0 <= earliest <= latest, got {confirm_window}"
        )
    recist = assess_recist(assessments)
    rule = _rule(lo, hi)
    new = _NewLesions()
    ref: _Reference | None = None
    confirmed: dt.date | None = None
    results: list[IRecistTimepoint] = []
    for tp, assessment in _pair(assessments, recist):
        fresh = new.add(assessment)
        reasons: list[str] = []
        days = None if ref is None else (tp.date - ref.date).days
        if confirmed is not None:
            status = IRecistResponse.ICPD
            reasons.append(f"iCPD already confirmed on {confirmed}")
        elif ref is None:
            status = _FROM_RECIST[tp.overall_response]
            if status is IRecistResponse.IUPD:
                ref = _Reference(assessment, recist, new)
                reasons.append(
                    f"RECIST 1.1 PD: unconfirmed progression (iUPD); confirm in {lo}-{hi} days"
                )
        else:
            days = (tp.date - ref.date).days
            status = IRecistResponse.IUPD
            if fresh:
                status = IRecistResponse.ICPD
                reasons.append(f"further new lesion(s) since iUPD: {', '.join(fresh)}")
            elif days < lo:
                reasons.append(
                    f"{days} days after iUPD (< {lo}): does not count for confirmation; "
                    "remains iUPD"
                )
            else:
                if days > hi:
                    reasons.append(f"{days} days after iUPD: later than the {hi}-day window")
                why = _confirmations(ref, assessment, recist, new)
                if why:
                    status = IRecistResponse.ICPD
                    reasons.extend(why)
                elif _present_new(assessment) or Response.PD in (
                    tp.target_response,
                    tp.non_target_response,
                ):
                    reasons.append("no further increase since iUPD: remains iUPD")
                elif (back := _FROM_RECIST[_recist_without_new(tp)]) is IRecistResponse.NE:
                    reasons.append("target or non-target disease not evaluable: remains iUPD")
                else:
                    status, ref = back, None
                    reasons.append(f"{status.value} after iUPD: the bar resets")
            if status is IRecistResponse.ICPD:
                confirmed = tp.date
        nlt_now = _sizes(assessment, new.targets)
        results.append(
            IRecistTimepoint(
                date=tp.date,
                days_from_baseline=tp.days_from_baseline,
                days_from_iupd=days,
                recist_response=tp.overall_response,
                irecist_response=status,
                target_sum_mm=tp.sum_mm,
                new_lesion_target_ids=tuple(k for k in new.targets if k in nlt_now),
                new_lesion_non_target_ids=tuple(
                    les.id for les in _present_new(assessment) if les.id in new.non_targets
                ),
                new_lesion_target_sum_mm=sum(nlt_now.values()) if nlt_now else None,
                reasons=tuple(reasons) + tp.reasons,
                rule=rule,
            )
        )
    return IRecistSeries(
        baseline_date=recist.baseline_date,
        recist=recist,
        timepoints=tuple(results),
        best_overall_response=_best(results),
        confirm_window=(lo, hi),
    )


def _recist_without_new(tp: TimepointResult) -> Response:
    """RECIST overall response from the target and non-target categories alone."""
    target, non_target = tp.target_response, tp.non_target_response
    if target is None:
        return non_target if non_target is not None else Response.NE
    if target is Response.CR:
        return Response.CR if non_target in (None, Response.CR) else Response.PR
    return target
