"""PERCIST 1.0 metabolic response: measurability threshold, hottest lesion, CMR/PMR/SMD/PMD.

Pure functions over two :class:`~oncoboard.model.ImagingAssessment` PET-CT studies; results are
frozen objects carrying reasons, the rule applied and citations. Facts the project fact sheet
tags [U] (the liver/blood-pool measurability threshold and the liver QC limits) are cited with
``verified=False``.

References
----------
.. [1] Wahl RL, Jacene H, Kasamon Y, Lodge MA. From RECIST to PERCIST: evolving considerations
   for PET response criteria in solid tumors. J Nucl Med 2009;50 Suppl 1:122S-150S.
.. [2] O JH, Lodge MA, Wahl RL. Practical PERCIST: a simplified guide to PET response criteria
   in solid tumors 1.0. Radiology 2016;280:576-584 (PMC4976461).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from oncoboard.errors import CaseFileError, Problem
from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import EvidenceSource
from oncoboard.model.imaging import ImagingAssessment, Lesion, LesionRole, Modality, NonTargetStatus

__all__ = [
    "PERCIST_EVIDENCE",
    "PERCIST_PRACTICAL_EVIDENCE",
    "PERCIST_UNCHECKED",
    "MetabolicResponse",
    "PercistResult",
    "assess_percist",
    "percist_threshold",
]

PERCIST_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Wahl RL et al. J Nucl Med 2009;50:122S",
    title="From RECIST to PERCIST: evolving considerations for PET response criteria in solid "
    "tumors",
    verified=True,
)
PERCIST_PRACTICAL_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="PMC4976461",
    title="O JH et al. Practical PERCIST: a simplified guide to PET response criteria in solid "
    "tumors 1.0. Radiology 2016",
    verified=True,
)
# Fact sheet [U]: measurability threshold (liver / blood pool) and the liver QC limits.
PERCIST_UNCHECKED = PERCIST_EVIDENCE.model_copy(update={"verified": False})

_EPS = 1e-9
_CHANGE_FRACTION = 0.30
_CHANGE_UNITS = 0.8
_TLG_PMD_PCT = 75.0
_QC_FRACTION = 0.20
_QC_UNITS = 0.3

_THRESHOLD_RULE = (
    "Measurable: SULpeak >= 1.5 x liver mean SUL + 2 SD (3-cm sphere, right lobe); if the liver "
    "reference is unavailable or abnormal, >= 2.0 x blood-pool mean SUL + 2 SD (descending aorta)."
)
_RESPONSE_RULE = (
    "Single hottest lesion (SULpeak) on each scan, need not be the same lesion. CMR: all "
    "lesions below liver mean and at blood-pool background, no new lesions. PMR: >= 30% and "
    ">= 0.8 SUL decrease, no new lesions. PMD: >= 30% and >= 0.8 SUL increase, or a new "
    "FDG-avid lesion, or TLG increase > 75%. SMD: none of these."
)


class MetabolicResponse(StrEnum):
    """A PERCIST 1.0 category (``NE``: not evaluable with the data given)."""

    CMR = "CMR"
    PMR = "PMR"
    SMD = "SMD"
    PMD = "PMD"
    NE = "NE"


class PercistResult(CaseModel):
    """PERCIST 1.0 comparison of one follow-up PET-CT with its baseline.

    ``response`` is the category that can be stated; when baseline measurability is unknown
    (no liver or blood-pool reference) it is ``NE`` unless PMD is shown by a new lesion or TLG,
    and ``provisional_response`` gives the category that would apply if the baseline hottest
    lesion were measurable.
    """

    baseline_date: dt.date
    follow_up_date: dt.date
    threshold_sul: float | None
    threshold_reference: str | None
    baseline_hottest_lesion: str
    baseline_sul_peak: float
    baseline_measurable: bool | None
    follow_up_hottest_lesion: str | None
    follow_up_sul_peak: float | None
    change_sul: float | None
    change_pct: float | None
    new_lesions: tuple[str, ...]
    tlg_change_pct: float | None
    response: MetabolicResponse
    provisional_response: MetabolicResponse | None
    reasons: tuple[str, ...]
    qc_notes: tuple[str, ...]
    rule: str = _RESPONSE_RULE
    threshold_rule: str = _THRESHOLD_RULE
    evidence: tuple[Evidence, ...] = (
        PERCIST_EVIDENCE,
        PERCIST_PRACTICAL_EVIDENCE,
        PERCIST_UNCHECKED,
    )


def _error(message: str, path: str = "imaging") -> CaseFileError:
    return CaseFileError(
        "<imaging>", [Problem(file="<imaging>", line=None, path=path, message=message)]
    )


def percist_threshold(
    *,
    liver_mean_sul: float | None,
    liver_sd_sul: float | None,
    blood_pool_mean_sul: float | None = None,
    blood_pool_sd: float | None = None,
) -> tuple[float | None, str | None]:
    """Minimum SULpeak of a measurable PERCIST target lesion.

    Parameters
    ----------
    liver_mean_sul, liver_sd_sul
        Mean and standard deviation of SUL in a 3-cm sphere in the right liver lobe.
    blood_pool_mean_sul, blood_pool_sd
        Mean and SD of SUL in the descending aorta; used only without a liver reference.

    Returns
    -------
    tuple of (float or None, str or None)
        The threshold and its reference (``"liver"`` or ``"blood_pool"``), or ``(None, None)``
        when neither reference is complete (measurability is then unknown, never assumed).

    References
    ----------
    .. [1] Wahl RL et al. J Nucl Med 2009;50:122S (fact sheet tag [U]).
    """
    if liver_mean_sul is not None and liver_sd_sul is not None:
        return 1.5 * liver_mean_sul + 2.0 * liver_sd_sul, "liver"
    if blood_pool_mean_sul is not None and blood_pool_sd is not None:
        return 2.0 * blood_pool_mean_sul + 2.0 * blood_pool_sd, "blood_pool"
    return None, None


def _hottest(lesions: list[Lesion]) -> Lesion | None:
    measured = [les for les in lesions if les.sul_peak is not None]
    return max(measured, key=lambda les: les.sul_peak or 0.0) if measured else None


def _is_background(
    lesion: Lesion, liver: float | None, blood_pool: float | None
) -> tuple[bool | None, str]:
    """Whether one follow-up lesion is below liver mean and at blood-pool background."""
    if lesion.sul_peak is None:
        if lesion.status is NonTargetStatus.ABSENT:
            return True, f"{lesion.id}: absent"
        return None, f"{lesion.id}: no SULpeak recorded"
    sul = lesion.sul_peak
    if liver is None:
        return None, f"{lesion.id}: SULpeak {sul:g}, liver mean unknown"
    if sul >= liver:
        return False, f"{lesion.id}: SULpeak {sul:g} not below liver mean {liver:g}"
    if blood_pool is not None:
        ok = sul <= blood_pool + _EPS
        return ok, f"{lesion.id}: SULpeak {sul:g} vs blood pool {blood_pool:g}"
    if lesion.status is NonTargetStatus.ABSENT:
        return True, f"{lesion.id}: absent"
    return None, f"{lesion.id}: below liver mean but blood-pool level not given"


def assess_percist(
    baseline: ImagingAssessment,
    follow_up: ImagingAssessment,
    *,
    liver_mean_sul: float | None,
    liver_sd_sul: float | None,
    follow_up_liver_mean_sul: float | None = None,
    follow_up_liver_sd: float | None = None,
    blood_pool_mean_sul: float | None = None,
    blood_pool_sd: float | None = None,
    tlg_change_pct: float | None = None,
) -> PercistResult:
    """Compare a follow-up FDG PET-CT with its baseline under PERCIST 1.0.

    The hottest lesion on each scan is the lesion with the highest ``sul_peak`` (any role).
    Lesions with role ``new`` and status other than ``absent`` are new FDG-avid lesions (PMD).
    At follow-up, a lesion recorded ``absent`` without SULpeak counts as background.

    Parameters
    ----------
    baseline, follow_up
        PET-CT assessments; ``follow_up`` must be dated after ``baseline``.
    liver_mean_sul, liver_sd_sul
        Baseline liver reference (3-cm right-lobe sphere); ``None`` when not measured.
    follow_up_liver_mean_sul, follow_up_liver_sd
        Follow-up liver reference, for the CMR check and the between-scan QC.
    blood_pool_mean_sul, blood_pool_sd
        Descending-aorta reference: threshold fallback and CMR background level.
    tlg_change_pct
        Change in total lesion glycolysis of the up to 5 hottest lesions, percent.

    Returns
    -------
    PercistResult
        Threshold, hottest lesions, change, category, reasons and QC notes.

    Raises
    ------
    CaseFileError
        If a study is not PET-CT, the follow-up is not after the baseline, or the baseline has
        no lesion with SULpeak.

    References
    ----------
    .. [1] Wahl RL et al. J Nucl Med 2009;50:122S, PERCIST 1.0.
    .. [2] O JH et al. Radiology 2016;280:576 (PMC4976461).
    """
    for label, study in (("baseline", baseline), ("follow-up", follow_up)):
        if study.modality is not Modality.PET_CT:
            raise _error(
                f"PERCIST needs FDG PET-CT; {label} of {study.date.isoformat()} is "
                f"{study.modality.value}",
                path="imaging.modality",
            )
    if follow_up.date <= baseline.date:
        raise _error(
            f"follow-up {follow_up.date.isoformat()} is not after baseline "
            f"{baseline.date.isoformat()}",
            path="imaging.date",
        )
    base_hot = _hottest(baseline.lesions)
    if base_hot is None or base_hot.sul_peak is None:
        raise _error(
            f"baseline PET-CT of {baseline.date.isoformat()} has no lesion with sul_peak",
            path="imaging.lesions.sul_peak",
        )
    base_sul = base_hot.sul_peak
    reasons: list[str] = []
    qc: list[str] = []

    threshold, reference = percist_threshold(
        liver_mean_sul=liver_mean_sul,
        liver_sd_sul=liver_sd_sul,
        blood_pool_mean_sul=blood_pool_mean_sul,
        blood_pool_sd=blood_pool_sd,
    )
    measurable: bool | None
    if threshold is None:
        measurable = None
        reasons.append(
            "measurability threshold unknown: no complete liver (mean and SD) or blood-pool "
            "reference given; baseline lesion not assumed measurable"
        )
    else:
        measurable = base_sul >= threshold - _EPS
        reasons.append(
            f"baseline hottest {base_hot.id} SULpeak {base_sul:g} "
            f"{'>=' if measurable else '<'} threshold {threshold:.2f} ({reference})"
        )

    if liver_mean_sul is not None and follow_up_liver_mean_sul is not None:
        diff = abs(follow_up_liver_mean_sul - liver_mean_sul)
        frac = diff / liver_mean_sul if liver_mean_sul > 0 else float("inf")
        if diff >= _QC_UNITS - _EPS or frac >= _QC_FRACTION - _EPS:
            qc.append(
                f"liver mean SUL differs between scans by {diff:.2f} SUL ({frac * 100:.0f}%): "
                "limit < 20% and < 0.3 SUL; check uptake time, glucose and calibration"
            )
    else:
        qc.append("liver mean SUL not given for both scans: between-scan QC not checked")
    if follow_up_liver_sd is not None and follow_up_liver_mean_sul is None:
        qc.append("follow-up liver SD given without its mean: ignored")

    new = tuple(
        les.id
        for les in follow_up.lesions
        if les.role is LesionRole.NEW and les.status is not NonTargetStatus.ABSENT
    )
    known = [les for les in follow_up.lesions if les.role is not LesionRole.NEW]
    fu_hot = _hottest(follow_up.lesions)
    fu_id: str | None
    fu_sul: float | None
    if fu_hot is not None:
        fu_id, fu_sul = fu_hot.id, fu_hot.sul_peak
    elif all(les.status is NonTargetStatus.ABSENT for les in follow_up.lesions):
        fu_id, fu_sul = None, 0.0
        reasons.append("no residual lesion recorded at follow-up: hottest SULpeak taken as 0")
    else:
        fu_id, fu_sul = None, None
        reasons.append("no SULpeak recorded at follow-up")

    change = pct = None
    if fu_sul is not None:
        change = fu_sul - base_sul
        pct = change / base_sul * 100 if base_sul > 0 else None
        reasons.append(
            f"hottest SULpeak {base_sul:g} ({base_hot.id}) -> {fu_sul:g} ({fu_id or 'none'}): "
            f"{change:+.2f} SUL" + (f", {pct:+.1f}%" if pct is not None else "")
        )

    definitive_pmd = False
    if new:
        definitive_pmd = True
        reasons.append(f"new FDG-avid lesion(s) {', '.join(new)}: PMD")
    if tlg_change_pct is not None and tlg_change_pct > _TLG_PMD_PCT + _EPS:
        definitive_pmd = True
        reasons.append(f"TLG increase {tlg_change_pct:g}% > 75%: PMD")

    frac_change = change / base_sul if change is not None and base_sul > 0 else None
    category: MetabolicResponse
    if definitive_pmd:
        category = MetabolicResponse.PMD
    elif change is None or frac_change is None:
        category = MetabolicResponse.NE
    elif frac_change >= _CHANGE_FRACTION - _EPS and change >= _CHANGE_UNITS - _EPS:
        category = MetabolicResponse.PMD
        reasons.append("SULpeak increase >= 30% and >= 0.8 SUL: PMD")
    else:
        liver_ref = (
            follow_up_liver_mean_sul if follow_up_liver_mean_sul is not None else liver_mean_sul
        )
        checks = [_is_background(les, liver_ref, blood_pool_mean_sul) for les in known]
        if checks and all(ok is True for ok, _ in checks):
            category = MetabolicResponse.CMR
            reasons.append("all lesions below liver mean and at background, no new lesions: CMR")
        else:
            undecided = [note for ok, note in checks if ok is None]
            if not known:
                undecided = ["no follow-up lesions recorded"]
            if undecided and all(ok is not False for ok, _ in checks):
                reasons.append("CMR cannot be confirmed: " + "; ".join(undecided))
            if -frac_change >= _CHANGE_FRACTION - _EPS and -change >= _CHANGE_UNITS - _EPS:
                category = MetabolicResponse.PMR
                reasons.append("SULpeak decrease >= 30% and >= 0.8 SUL, no new lesions: PMR")
            else:
                category = MetabolicResponse.SMD
                reasons.append("change short of 30% and 0.8 SUL either way: SMD")

    response = category
    provisional: MetabolicResponse | None = None
    if not definitive_pmd and measurable is not True:
        response = MetabolicResponse.NE
        if measurable is None:
            provisional = category
            reasons.append(
                f"baseline measurability unknown: response not evaluable; {category.value} "
                "would apply if the baseline hottest lesion is measurable"
            )
        else:
            reasons.append(
                "baseline hottest lesion below the measurability threshold: not evaluable "
                "(only new lesions or TLG could show PMD)"
            )

    return PercistResult(
        baseline_date=baseline.date,
        follow_up_date=follow_up.date,
        threshold_sul=threshold,
        threshold_reference=reference,
        baseline_hottest_lesion=base_hot.id,
        baseline_sul_peak=base_sul,
        baseline_measurable=measurable,
        follow_up_hottest_lesion=fu_id,
        follow_up_sul_peak=fu_sul,
        change_sul=change,
        change_pct=pct,
        new_lesions=new,
        tlg_change_pct=tlg_change_pct,
        response=response,
        provisional_response=provisional,
        reasons=tuple(reasons),
        qc_notes=tuple(qc),
    )
