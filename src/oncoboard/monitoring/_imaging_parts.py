"""PERCIST and RANO-BM for the monitoring report: study selection, engine calls and alerts.

Inputs come from the imaging studies themselves (PET-CT liver and blood-pool references;
per-study corticosteroid and neurological status of brain studies). A missing reference or
status gives the engines' not-evaluable or downgraded result, never a favourable call.

References
----------
.. [1] Wahl RL et al. J Nucl Med 2009;50:122S (PERCIST 1.0).
.. [2] Lin NU et al. Lancet Oncol 2015;16:e270, PMID 26065612 (RANO-BM).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from oncoboard.errors import OncoboardError
from oncoboard.model.imaging import ImagingAssessment, Modality
from oncoboard.model.metastasis import SiteName
from oncoboard.monitoring._alerts import Alert, AlertKind
from oncoboard.monitoring.percist import MetabolicResponse, PercistResult, assess_percist
from oncoboard.monitoring.rano_bm import RanoBmResponse, RanoBmSeries, assess_rano_bm

__all__ = ["imaging_alerts", "percist_for_line", "rano_bm_for_line"]

_CNS_SITES = frozenset({SiteName.BRAIN, SiteName.LEPTOMENINGEAL})


def percist_for_line(
    studies: Sequence[ImagingAssessment],
) -> tuple[PercistResult | None, str | None]:
    """PERCIST 1.0: the latest PET-CT of the line against its PET-CT baseline.

    The baseline is the latest PET-CT flagged ``baseline``, else the earliest. The liver and
    blood-pool references are read from the baseline study; the follow-up liver mean and SD
    from the follow-up study (between-scan QC and the CMR check).

    Parameters
    ----------
    studies
        Imaging studies of the current line (any modality, any order).

    Returns
    -------
    tuple of (PercistResult or None, str or None)
        The result, or ``None`` with a note (no note when there is no PET-CT at all).
    """
    pets = sorted((s for s in studies if s.modality is Modality.PET_CT), key=lambda s: s.date)
    if not pets:
        return None, None
    flagged = [s for s in pets if s.baseline]
    baseline = flagged[-1] if flagged else pets[0]
    later = [s for s in pets if s.date > baseline.date]
    if not later:
        return None, (
            f"PET-CT baseline {baseline.date.isoformat()} only: PERCIST needs a later PET-CT"
        )
    follow_up = later[-1]
    try:
        result = assess_percist(
            baseline,
            follow_up,
            liver_mean_sul=baseline.liver_mean_sul,
            liver_sd_sul=baseline.liver_sd_sul,
            follow_up_liver_mean_sul=follow_up.liver_mean_sul,
            follow_up_liver_sd=follow_up.liver_sd_sul,
            blood_pool_mean_sul=baseline.blood_pool_mean_sul,
            blood_pool_sd=baseline.blood_pool_sd_sul,
        )
    except OncoboardError as exc:
        return None, str(exc)
    return result, None


def rano_bm_for_line(
    studies: Sequence[ImagingAssessment],
) -> tuple[RanoBmSeries | None, str | None]:
    """RANO-BM over the line's studies that show brain or leptomeningeal lesions.

    Corticosteroid and neurological status are read from each study; a study without them
    is unknown for that criterion (a radiological CR/PR is then reported as SD).

    Parameters
    ----------
    studies
        Imaging studies of the current line (any modality, any order).

    Returns
    -------
    tuple of (RanoBmSeries or None, str or None)
        The series, or ``None`` with a note (no note when no study has CNS lesions).
    """
    brain = [s for s in studies if any(les.site in _CNS_SITES for les in s.lesions)]
    if not brain:
        return None, None
    steroids: dict[dt.date, str] = {}
    clinical: dict[dt.date, str] = {}
    for study in brain:
        if study.corticosteroids is not None:
            steroids[study.date] = study.corticosteroids.value
        if study.neurological_status is not None:
            clinical[study.date] = study.neurological_status.value
    try:
        return assess_rano_bm(brain, steroids=steroids, clinical=clinical), None
    except OncoboardError as exc:
        return None, str(exc)


def imaging_alerts(
    percist: PercistResult | None, rano_bm: RanoBmSeries | None, *, on_ici: bool = False
) -> list[Alert]:
    """RADIOGRAPHIC_PROGRESSION alerts for PERCIST PMD and the first RANO-BM PD.

    Parameters
    ----------
    percist
        PERCIST result of the line, if any; only a stated ``PMD`` alerts (never ``NE``).
    rano_bm
        RANO-BM series of the line, if any.
    on_ici
        The line includes a checkpoint inhibitor (RANO-BM: new lesions alone do not define
        PD with immunotherapy; the action says so).

    Returns
    -------
    list of Alert
        Zero, one or two alerts, each naming its criterion.
    """
    alerts: list[Alert] = []
    if percist is not None and percist.response is MetabolicResponse.PMD:
        alerts.append(
            Alert(
                kind=AlertKind.RADIOGRAPHIC_PROGRESSION,
                date=percist.follow_up_date,
                criterion="PERCIST 1.0",
                detail="PERCIST 1.0 progressive metabolic disease (PMD) vs PET-CT baseline "
                f"{percist.baseline_date.isoformat()}: " + "; ".join(percist.reasons),
                action="correlate with anatomical imaging (RECIST) and the clinical picture; "
                "re-test ctDNA and plan the next line (oncoboard plan)",
                rule=percist.rule,
                evidence=percist.evidence,
            )
        )
    first_pd = (
        next((t for t in rano_bm.timepoints if t.response is RanoBmResponse.PD), None)
        if rano_bm is not None
        else None
    )
    if rano_bm is not None and first_pd is not None:
        action = (
            "CNS progression (scored separately from extracranial RECIST response): discuss "
            "local therapy and CNS-active systemic options (oncoboard plan)"
        )
        if on_ici:
            action += "; on a checkpoint inhibitor new lesions alone do not define PD (RANO-BM)"
        alerts.append(
            Alert(
                kind=AlertKind.RADIOGRAPHIC_PROGRESSION,
                date=first_pd.date,
                criterion="RANO-BM",
                detail=f"RANO-BM CNS PD vs brain baseline {rano_bm.baseline_date.isoformat()}: "
                + "; ".join(first_pd.reasons),
                action=action,
                rule=first_pd.rule,
                evidence=first_pd.evidence,
            )
        )
    return alerts
