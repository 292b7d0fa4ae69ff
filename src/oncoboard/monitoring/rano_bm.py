"""RANO-BM response of brain metastases: CNS targets, steroids and clinical status.

Only brain lesions are read (site ``brain``; ``leptomeningeal`` lesions are non-measurable
non-targets); CNS response is scored separately from extracranial (RECIST) response. Results
are frozen objects carrying reasons, the rule applied and the citation.

References
----------
.. [1] Lin NU, Lee EQ, Aoyama H, et al. Response assessment criteria for brain metastases:
   proposal from the RANO group. Lancet Oncol 2015;16:e270-e278. PMID 26065612.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum

from oncoboard.errors import CaseFileError, Problem
from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import EvidenceSource
from oncoboard.model.imaging import ImagingAssessment, Lesion, LesionRole, NonTargetStatus
from oncoboard.model.metastasis import SiteName

__all__ = [
    "RANO_BM_EVIDENCE",
    "RanoBmResponse",
    "RanoBmSeries",
    "RanoBmTimepoint",
    "assess_rano_bm",
]

RANO_BM_EVIDENCE = Evidence(
    source=EvidenceSource.CONSENSUS,
    id="PMID:26065612",
    title="Lin NU et al. Response assessment criteria for brain metastases: proposal from the "
    "RANO group. Lancet Oncol 2015;16:e270",
    verified=True,
)

MAX_CNS_TARGETS = 5
MEASURABLE_MM = 10.0
_EPS = 1e-9
_STEROID_VALUES = frozenset({"none", "stable", "increased", "decreased"})
_CLINICAL_VALUES = frozenset({"stable", "improved", "worse"})
_CNS_SITES = frozenset({SiteName.BRAIN, SiteName.LEPTOMENINGEAL})

_RULE = (
    "RANO-BM: measurable = contrast-enhancing brain lesion >= 10 mm longest diameter "
    "(leptomeningeal non-measurable); up to 5 CNS targets. CR: no target, non-target or new "
    "lesions, no corticosteroids, clinically stable or better. PR: >= 30% decrease in the sum "
    "vs baseline, steroids stable or lower, clinically stable or better. PD: >= 20% increase vs "
    "nadir, or unequivocal non-target progression, or a new lesion, or clinical worsening. SD: "
    "otherwise. CR/PR/SD need all criteria, PD any one; a steroid increase alone is not PD."
)


class RanoBmResponse(StrEnum):
    """A RANO-BM CNS response category (``NE``: not evaluable)."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    PD = "PD"
    NE = "NE"


_RANK = {
    RanoBmResponse.CR: 0,
    RanoBmResponse.PR: 1,
    RanoBmResponse.SD: 2,
    RanoBmResponse.PD: 3,
    RanoBmResponse.NE: 4,
}


class RanoBmTimepoint(CaseModel):
    """CNS response at one follow-up brain study."""

    date: dt.date
    sum_mm: float | None
    change_from_baseline_pct: float | None
    nadir_mm: float | None
    change_from_nadir_pct: float | None
    new_lesions: tuple[str, ...]
    steroids: str | None
    clinical: str | None
    radiological_response: RanoBmResponse
    response: RanoBmResponse
    reasons: tuple[str, ...]
    rule: str = _RULE
    evidence: tuple[Evidence, ...] = (RANO_BM_EVIDENCE,)


class RanoBmSeries(CaseModel):
    """RANO-BM assessment of a baseline brain study and its follow-ups."""

    baseline_date: dt.date
    baseline_sum_mm: float | None
    target_ids: tuple[str, ...]
    non_target_ids: tuple[str, ...]
    problems: tuple[str, ...]
    skipped: tuple[str, ...]
    timepoints: tuple[RanoBmTimepoint, ...]
    best_response: RanoBmResponse
    best_response_date: dt.date | None
    rule: str = _RULE
    evidence: tuple[Evidence, ...] = (RANO_BM_EVIDENCE,)


def _error(message: str, path: str = "imaging") -> CaseFileError:
    return CaseFileError(
        "<imaging>", [Problem(file="<imaging>", line=None, path=path, message=message)]
    )


def _check_values(values: Mapping[dt.date, str] | None, allowed: frozenset[str], name: str) -> None:
    for day, value in (values or {}).items():
        if value not in allowed:
            raise _error(
                f"{name} status {value!r} on {day.isoformat()} is not one of "
                f"{', '.join(sorted(allowed))}",
                path=name,
            )


def _cns(assessment: ImagingAssessment) -> list[Lesion]:
    return [les for les in assessment.lesions if les.site in _CNS_SITES]


def _select(baseline: ImagingAssessment) -> tuple[list[Lesion], list[Lesion], list[str]]:
    """Split baseline CNS lesions into targets and non-targets; report problems."""
    problems: list[str] = []
    candidates: list[Lesion] = []
    non_targets: list[Lesion] = []
    for les in _cns(baseline):
        measurable = (
            les.site is SiteName.BRAIN
            and les.size_mm is not None
            and les.size_mm >= MEASURABLE_MM - _EPS
        )
        if les.role is LesionRole.TARGET and measurable:
            candidates.append(les)
        elif les.role is LesionRole.TARGET:
            size = "no size" if les.size_mm is None else f"{les.size_mm:g} mm"
            problems.append(
                f"{les.id} ({les.site.value}, {size}) marked target but not measurable under "
                "RANO-BM (>= 10 mm brain lesion): followed as non-target"
            )
            non_targets.append(les)
        elif les.role is LesionRole.NON_TARGET:
            non_targets.append(les)
    candidates.sort(key=lambda les: -(les.size_mm or 0.0))
    targets = candidates[:MAX_CNS_TARGETS]
    for les in candidates[MAX_CNS_TARGETS:]:
        problems.append(f"{les.id}: more than 5 CNS targets; followed as non-target")
        non_targets.append(les)
    return targets, non_targets, problems


def _timepoint(
    study: ImagingAssessment,
    targets: list[Lesion],
    non_targets: list[Lesion],
    baseline_sum: float | None,
    nadir: float | None,
    steroid: str | None,
    clinical: str | None,
) -> RanoBmTimepoint:
    reasons: list[str] = []
    found = {les.id: les for les in _cns(study)}
    total: float | None = None
    if targets:
        sizes: list[float] = []
        for les in targets:
            seen = found.get(les.id)
            if seen is not None and seen.size_mm is not None:
                sizes.append(seen.size_mm)
            elif seen is not None and seen.status is NonTargetStatus.ABSENT:
                sizes.append(0.0)
            else:
                reasons.append(f"target {les.id} not measured")
        total = sum(sizes) if len(sizes) == len(targets) else None
    new = tuple(
        les.id
        for les in found.values()
        if les.role is LesionRole.NEW and les.status is not NonTargetStatus.ABSENT
    )
    nt_status = [found[les.id].status if les.id in found else None for les in non_targets]
    from_base = from_nadir = None
    if total is not None and baseline_sum:
        from_base = (total - baseline_sum) / baseline_sum * 100
    if total is not None and nadir is not None:
        from_nadir = (total - nadir) / nadir * 100 if nadir > 0 else (100.0 if total > 0 else 0.0)

    pd: list[str] = []
    if from_nadir is not None and from_nadir >= 20.0 - _EPS:
        pd.append(f"target sum {total:g} mm is {from_nadir:+.1f}% vs nadir {nadir:g} mm (>= 20%)")
    if NonTargetStatus.UNEQUIVOCAL_PROGRESSION in nt_status:
        pd.append("unequivocal non-target progression")
    if new:
        pd.append(f"new CNS lesion(s) {', '.join(new)}")
    radiological_pd = bool(pd)
    if clinical == "worse":
        pd.append("clinical worsening")
    radiological: RanoBmResponse
    if radiological_pd:
        radiological = RanoBmResponse.PD
    elif targets and total is None:
        radiological = RanoBmResponse.NE
    elif (not targets or total == 0) and all(s is NonTargetStatus.ABSENT for s in nt_status):
        radiological = RanoBmResponse.CR
    elif from_base is not None and from_base <= -30.0 + _EPS:
        radiological = RanoBmResponse.PR
    else:
        radiological = RanoBmResponse.SD
    if total is not None and from_base is not None:
        reasons.append(f"target sum {total:g} mm, {from_base:+.1f}% vs baseline")

    response = radiological
    if pd:
        response = RanoBmResponse.PD
        reasons.append("PD (any one criterion suffices): " + "; ".join(pd))
    elif radiological in (RanoBmResponse.CR, RanoBmResponse.PR):
        clinical_ok = clinical in ("stable", "improved")
        if clinical is None:
            reasons.append("clinical status unknown: CR/PR cannot be confirmed")
        if steroid is None:
            reasons.append("corticosteroid status unknown: CR/PR cannot be confirmed")
        elif steroid == "increased":
            reasons.append(
                "corticosteroid dose increased: CR/PR not allowed (a steroid increase alone is "
                "not PD)"
            )
        if radiological is RanoBmResponse.CR and steroid != "none" and steroid is not None:
            reasons.append(f"radiological CR but corticosteroids {steroid}: CR needs none")
        steroids_ok_pr = steroid in ("none", "stable", "decreased")
        if radiological is RanoBmResponse.CR and steroid == "none" and clinical_ok:
            response = RanoBmResponse.CR
        elif steroids_ok_pr and clinical_ok:
            response = RanoBmResponse.PR
        else:
            response = RanoBmResponse.SD
            reasons.append(f"radiological {radiological.value} downgraded to SD")
    elif steroid == "increased":
        reasons.append("corticosteroid increase alone is not PD")
    return RanoBmTimepoint(
        date=study.date,
        sum_mm=total,
        change_from_baseline_pct=from_base,
        nadir_mm=nadir,
        change_from_nadir_pct=from_nadir,
        new_lesions=new,
        steroids=steroid,
        clinical=clinical,
        radiological_response=radiological,
        response=response,
        reasons=tuple(reasons),
    )


def assess_rano_bm(
    assessments: Sequence[ImagingAssessment],
    *,
    steroids: Mapping[dt.date, str] | None = None,
    clinical: Mapping[dt.date, str] | None = None,
) -> RanoBmSeries:
    """Assess brain metastases over a series of studies under RANO-BM.

    Studies without any brain or leptomeningeal lesion (e.g. a body CT) are skipped. The
    baseline is the latest such study flagged ``baseline``, else the earliest. Targets are
    baseline brain lesions marked ``target`` with ``size_mm >= 10`` (the 5 largest); other
    baseline CNS lesions are non-targets. Lesions marked ``new`` at follow-up mean PD. Steroid
    and clinical status are looked up by the study date; a missing entry means unknown, and a
    radiological CR/PR is then reported as SD with the reason.

    Parameters
    ----------
    assessments
        Imaging assessments in any order.
    steroids
        Corticosteroid status by study date: ``none``, ``stable``, ``increased`` or
        ``decreased`` (relative to baseline).
    clinical
        Neurological status by study date: ``stable``, ``improved`` or ``worse``.

    Returns
    -------
    RanoBmSeries
        Target selection, per-timepoint responses and the best response.

    Raises
    ------
    CaseFileError
        If no study has CNS lesions, the baseline has no target or non-target CNS lesion, or a
        status value is not recognised.

    References
    ----------
    .. [1] Lin NU et al. Lancet Oncol 2015;16:e270 (PMID 26065612), table 2.
    """
    _check_values(steroids, _STEROID_VALUES, "steroids")
    _check_values(clinical, _CLINICAL_VALUES, "clinical")
    ordered = sorted(assessments, key=lambda a: a.date)
    cns = [a for a in ordered if _cns(a)]
    skipped = tuple(
        f"{a.date.isoformat()} {a.modality.value}: no brain lesions" for a in ordered if not _cns(a)
    )
    if not cns:
        raise _error("RANO-BM needs at least one study with brain lesions; got none")
    flagged = [a for a in cns if a.baseline]
    baseline = flagged[-1] if flagged else cns[0]
    targets, non_targets, problems = _select(baseline)
    if not targets and not non_targets:
        raise _error(
            f"baseline of {baseline.date.isoformat()} has no target or non-target brain lesion",
            path="imaging.lesions",
        )
    baseline_sum = sum(les.size_mm or 0.0 for les in targets) if targets else None
    nadir = baseline_sum
    results: list[RanoBmTimepoint] = []
    for study in cns:
        if study.date <= baseline.date:
            continue
        point = _timepoint(
            study,
            targets,
            non_targets,
            baseline_sum,
            nadir,
            (steroids or {}).get(study.date),
            (clinical or {}).get(study.date),
        )
        results.append(point)
        if point.sum_mm is not None and (nadir is None or point.sum_mm < nadir):
            nadir = point.sum_mm
    best: RanoBmResponse = RanoBmResponse.NE
    best_date: dt.date | None = None
    for point in results:
        if _RANK[point.response] < _RANK[best]:
            best, best_date = point.response, point.date
    return RanoBmSeries(
        baseline_date=baseline.date,
        baseline_sum_mm=baseline_sum,
        target_ids=tuple(les.id for les in targets),
        non_target_ids=tuple(les.id for les in non_targets),
        problems=tuple(problems),
        skipped=skipped,
        timepoints=tuple(results),
        best_response=best,
        best_response_date=best_date,
    )
