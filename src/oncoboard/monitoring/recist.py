"""RECIST 1.1 response assessment: measurability, target selection, timepoint and best response.

All functions are pure: they read :class:`~oncoboard.model.ImagingAssessment` objects and return
frozen result objects that carry the rule applied and the RECIST 1.1 citation.

References
----------
.. [1] Eisenhauer EA et al. New response evaluation criteria in solid tumours: revised RECIST
   guideline (version 1.1). Eur J Cancer 2009;45:228-247.
.. [2] Schwartz LH et al. Evaluation of lymph nodes with RECIST 1.1. Eur J Cancer 2009;45:261-267.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from oncoboard.errors import CaseFileError, Problem
from oncoboard.model.imaging import (
    ImagingAssessment,
    Lesion,
    LesionRole,
    Modality,
    NonTargetStatus,
)
from oncoboard.monitoring._recist_types import (
    CITES,
    CONFIRMATION_DAYS,
    MAX_TARGETS,
    MAX_TARGETS_PER_ORGAN,
    RECIST_EVIDENCE,
    SCHWARTZ_NODES_EVIDENCE,
    BestOverallResponse,
    Measurability,
    MeasurabilityClass,
    RecistSeries,
    Response,
    SelectionProblem,
    TimepointResult,
)

__all__ = [
    "RECIST_EVIDENCE",
    "SCHWARTZ_NODES_EVIDENCE",
    "BestOverallResponse",
    "Measurability",
    "MeasurabilityClass",
    "RecistSeries",
    "Response",
    "SelectionProblem",
    "TimepointResult",
    "assess_recist",
    "lesion_measurability",
    "validate_target_selection",
]

_EPS = 1e-9  # tolerance for threshold comparisons in millimetres and fractions

_MEASURABILITY_RULE = (
    "Non-nodal: measurable if longest diameter >= 10 mm (>= 20 mm on chest X-ray). Nodes (short "
    "axis): >= 15 mm measurable, 10 to < 15 mm pathological non-target, < 10 mm normal. "
    "Previously irradiated lesions are non-measurable unless progressing."
)


def lesion_measurability(lesion: Lesion, modality: Modality = Modality.CT) -> Measurability:
    """Classify one baseline lesion as measurable or not under RECIST 1.1.

    Parameters
    ----------
    lesion
        The lesion; ``size_mm`` is the longest diameter, or the short axis for nodes.
    modality
        Imaging modality; the non-nodal threshold is 20 mm on X-ray, else 10 mm.

    Returns
    -------
    Measurability
        Category, measurable flag, the rule text and citations.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228, section 3.1.
    .. [2] Schwartz LH et al. Eur J Cancer 2009;45:261.
    """
    size = lesion.size_mm

    def result(category: MeasurabilityClass, note: str | None = None) -> Measurability:
        return Measurability(
            lesion_id=lesion.id,
            category=category,
            measurable=category is MeasurabilityClass.MEASURABLE,
            rule=_MEASURABILITY_RULE,
            note=note,
        )

    if size is None:
        note = "too small to measure" if lesion.too_small_to_measure else "no size recorded"
        return result(MeasurabilityClass.NON_MEASURABLE, note)
    if lesion.lymph_node:
        if size < 10:
            return result(MeasurabilityClass.NORMAL_NODE, f"short axis {size:g} mm < 10 mm")
        if size < 15:
            return result(
                MeasurabilityClass.PATHOLOGICAL_NODE, f"short axis {size:g} mm: 10 to < 15 mm"
            )
    else:
        threshold = 20.0 if modality is Modality.XRAY else 10.0
        if size < threshold:
            return result(
                MeasurabilityClass.NON_MEASURABLE, f"longest diameter {size:g} mm < {threshold:g}"
            )
    if lesion.previously_irradiated:
        return result(
            MeasurabilityClass.NON_MEASURABLE,
            "previously irradiated: non-measurable unless it has progressed there "
            "(progression in the field is not recorded by the model; check manually)",
        )
    return result(MeasurabilityClass.MEASURABLE)


def validate_target_selection(baseline: ImagingAssessment) -> tuple[SelectionProblem, ...]:
    """Check the baseline target lesions: at most 5 in total, at most 2 per organ, measurable.

    Lymph nodes count as one organ. Violations are reported; no lesion is dropped.

    Parameters
    ----------
    baseline
        The baseline imaging assessment.

    Returns
    -------
    tuple of SelectionProblem
        Empty when the selection is valid.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228, section 4.2.
    """
    targets = [les for les in baseline.lesions if les.role is LesionRole.TARGET]
    problems: list[SelectionProblem] = []
    if len(targets) > MAX_TARGETS:
        problems.append(
            SelectionProblem(
                code="too_many_targets",
                message=f"{len(targets)} target lesions; RECIST 1.1 allows at most {MAX_TARGETS}",
                lesion_ids=tuple(les.id for les in targets),
                rule=f"At most {MAX_TARGETS} target lesions in total.",
            )
        )
    per_organ = Counter(les.site for les in targets)
    for site, count in sorted(per_organ.items()):
        if count > MAX_TARGETS_PER_ORGAN:
            problems.append(
                SelectionProblem(
                    code="too_many_targets_in_organ",
                    message=f"{count} target lesions in {site.value}; at most "
                    f"{MAX_TARGETS_PER_ORGAN} per organ",
                    lesion_ids=tuple(les.id for les in targets if les.site is site),
                    rule=f"At most {MAX_TARGETS_PER_ORGAN} target lesions per organ "
                    "(all lymph nodes together count as one organ).",
                )
            )
    for les in targets:
        meas = lesion_measurability(les, baseline.modality)
        if not meas.measurable:
            problems.append(
                SelectionProblem(
                    code="non_measurable_target",
                    message=f"target {les.id!r} is not measurable: {meas.note}",
                    lesion_ids=(les.id,),
                    rule=_MEASURABILITY_RULE,
                    evidence=CITES,
                )
            )
    return tuple(problems)


def _pct(value: float, reference: float) -> float | None:
    return None if reference <= 0 else 100.0 * (value - reference) / reference


def _is_pd(total: float, nadir: float) -> bool:
    """Sum rose >= 20 % from nadir and >= 5 mm in absolute terms."""
    increase = total - nadir
    return increase >= 5.0 - _EPS and increase >= 0.2 * nadir - _EPS


TOO_SMALL_DEFAULT_MM = 5.0


def _size_at(lesion: Lesion | None) -> float | None:
    """Size for the sum: size_mm; 5 mm when too small to measure; 0 mm when absent.

    RECIST 1.1 (Eisenhauer EJC 2009;45:228): a target judged present but too small to measure
    gets a default 5 mm (nodes included); one that has disappeared gets 0 mm.
    """
    if lesion is None:
        return None
    if lesion.size_mm is not None:
        return lesion.size_mm
    if lesion.too_small_to_measure:
        return TOO_SMALL_DEFAULT_MM
    return 0.0 if lesion.status is NonTargetStatus.ABSENT else None


def _target_response(
    baseline_targets: Sequence[Lesion],
    current: dict[str, Lesion],
    baseline_sum: float,
    nadir: float,
) -> tuple[Response, float | None, float, list[str]]:
    """Return (response, full sum or None, measured partial sum, reasons)."""
    reasons: list[str] = []
    sizes: dict[str, float] = {}
    missing: list[str] = []
    for les in baseline_targets:
        size = _size_at(current.get(les.id))
        if size is None:
            missing.append(les.id)
        else:
            sizes[les.id] = size
    measured = sum(sizes.values())
    small = [
        les.id
        for les in baseline_targets
        if (now := current.get(les.id)) and now.too_small_to_measure
    ]
    if small:
        reasons.append(
            f"target(s) {', '.join(small)} too small to measure: default "
            f"{TOO_SMALL_DEFAULT_MM:g} mm each in the sum (RECIST 1.1)"
        )
    if missing:
        reasons.append(f"target(s) not assessed: {', '.join(missing)}")
        if _is_pd(measured, nadir):
            reasons.append(
                f"measured targets alone ({measured:g} mm) are >= 20 % and >= 5 mm above "
                f"nadir {nadir:g} mm: PD"
            )
            return Response.PD, None, measured, reasons
        return Response.NE, None, measured, reasons
    nodes_normal = all(sizes[les.id] < 10.0 - _EPS for les in baseline_targets if les.lymph_node)
    others_gone = all(sizes[les.id] <= _EPS for les in baseline_targets if not les.lymph_node)
    if nodes_normal and others_gone:
        reasons.append("all non-nodal targets gone and every target node < 10 mm: CR")
        return Response.CR, measured, measured, reasons
    if _is_pd(measured, nadir):
        reasons.append(
            f"sum {measured:g} mm is +{measured - nadir:g} mm from nadir {nadir:g} mm "
            "(>= 20 % and >= 5 mm): PD"
        )
        return Response.PD, measured, measured, reasons
    if measured - nadir >= 0.2 * nadir - _EPS and nadir > 0:
        reasons.append(f"+20 % from nadir but only +{measured - nadir:g} mm (< 5 mm): not PD")
    if baseline_sum > 0 and measured <= 0.7 * baseline_sum + _EPS:
        reasons.append(f"sum {measured:g} mm is >= 30 % below baseline {baseline_sum:g} mm: PR")
        return Response.PR, measured, measured, reasons
    reasons.append("neither PR nor PD: SD")
    return Response.SD, measured, measured, reasons


def _non_target_response(
    baseline_non_targets: Sequence[Lesion], current: dict[str, Lesion]
) -> tuple[Response, list[str]]:
    reasons: list[str] = []
    missing: list[str] = []
    present: list[str] = []
    for les in baseline_non_targets:
        now = current.get(les.id)
        if now is None:
            missing.append(les.id)
        elif now.status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION:
            reasons.append(f"unequivocal progression of non-target {les.id}: PD")
            return Response.PD, reasons
        elif now.status is NonTargetStatus.ABSENT:
            continue
        elif les.lymph_node and now.size_mm is not None and now.size_mm < 10.0 - _EPS:
            continue  # a node < 10 mm short axis is normal
        else:
            present.append(les.id)
    if missing:
        reasons.append(f"non-target(s) not assessed: {', '.join(missing)}")
        return Response.NE, reasons
    if present:
        reasons.append(f"non-target(s) persisting: {', '.join(present)}")
        return Response.NON_CR_NON_PD, reasons
    reasons.append("all non-targets gone (CR also needs normal tumour markers; not checked)")
    return Response.CR, reasons


_OVERALL_RULE = (
    "RECIST 1.1 overall timepoint response: any new lesion, target PD or non-target PD -> PD; "
    "target CR + non-target CR (or none) -> CR; target CR + non-target non-CR/non-PD or NE -> "
    "PR; target PR + non-PD/NE -> PR; target SD + non-PD/NE -> SD; target NE -> NE. "
    "Non-target disease only: the non-target response (new lesion -> PD). Target PD = sum "
    ">= 20 % and >= 5 mm above nadir; PR = >= 30 % below baseline; CR = non-nodal targets gone "
    "and target nodes < 10 mm; a missing target gives NE unless the measured ones prove PD. "
    "A target present but too small to measure counts 5 mm in the sum, a disappeared one 0 mm."
)


def _overall(target: Response | None, non_target: Response | None, new: bool) -> Response:
    if new or Response.PD in (target, non_target):
        return Response.PD
    if target is None:
        return non_target if non_target is not None else Response.NE
    if target is Response.NE:
        return Response.NE
    if target is Response.CR:
        return Response.CR if non_target in (None, Response.CR) else Response.PR
    return target


def _timepoint(
    assessment: ImagingAssessment,
    baseline: ImagingAssessment,
    targets: Sequence[Lesion],
    non_targets: Sequence[Lesion],
    baseline_sum: float | None,
    nadir: float | None,
) -> TimepointResult:
    current = {les.id: les for les in assessment.lesions}
    reasons: list[str] = []
    if assessment.modality is not baseline.modality:
        reasons.append(
            f"modality {assessment.modality.value} differs from baseline "
            f"{baseline.modality.value} (RECIST asks for the same technique)"
        )
    target: Response | None = None
    total: float | None = None
    measured: float | None = None
    if targets and baseline_sum is not None and nadir is not None:
        target, total, measured, why = _target_response(targets, current, baseline_sum, nadir)
        reasons.extend(why)
    non_target: Response | None = None
    if non_targets:
        non_target, why = _non_target_response(non_targets, current)
        reasons.extend(why)
    known = {les.id for les in (*targets, *non_targets)}
    new = tuple(
        les.id
        for les in assessment.lesions
        if les.role is LesionRole.NEW and les.status is not NonTargetStatus.ABSENT
    )
    if new:
        reasons.append(f"new lesion(s): {', '.join(new)}: PD")
    stray = [
        les.id
        for les in assessment.lesions
        if les.role is not LesionRole.NEW and les.id not in known
    ]
    if stray:
        reasons.append(f"lesion(s) {', '.join(stray)} not at baseline and not marked new: ignored")
    overall = _overall(target, non_target, bool(new))
    change_nadir = None if total is None or nadir is None else total - nadir
    return TimepointResult(
        date=assessment.date,
        modality=assessment.modality,
        days_from_baseline=(assessment.date - baseline.date).days,
        sum_mm=total,
        measured_sum_mm=measured,
        change_from_baseline_pct=(
            None if total is None or baseline_sum is None else _pct(total, baseline_sum)
        ),
        nadir_mm=nadir,
        change_from_nadir_mm=change_nadir,
        change_from_nadir_pct=(None if total is None or nadir is None else _pct(total, nadir)),
        target_response=target,
        non_target_response=non_target,
        new_lesions=new,
        overall_response=overall,
        reasons=tuple(reasons),
        rule=_OVERALL_RULE,
    )


_RANK = {Response.CR: 0, Response.PR: 1}
_STABLE = {Response.CR, Response.PR, Response.SD, Response.NON_CR_NON_PD}


def _best_response(
    timepoints: Sequence[TimepointResult], *, confirm: bool, min_sd_days: int
) -> BestOverallResponse:
    rule = (
        "Best overall response: the best timepoint response up to the first PD. "
        + (
            f"CR/PR must be confirmed by a CR/PR (CR by CR) >= {CONFIRMATION_DAYS} days later; "
            if confirm
            else "No confirmation required; "
        )
        + f"SD (or non-CR/non-PD) counts only >= {min_sd_days} days after baseline; "
        "otherwise PD if progression was seen, else NE."
    )
    window: list[TimepointResult] = []
    for tp in timepoints:
        window.append(tp)
        if tp.overall_response is Response.PD:
            break
    reasons: list[str] = []
    best: tuple[Response, TimepointResult] | None = None
    for i, tp in enumerate(window):
        level = tp.overall_response
        if level not in _RANK:
            continue
        if confirm:
            later = [
                t.overall_response
                for t in window[i + 1 :]
                if (t.date - tp.date).days >= CONFIRMATION_DAYS and t.overall_response in _RANK
            ]
            if not later:
                reasons.append(f"{level.value} on {tp.date} not confirmed")
                continue
            level = Response.CR if level is Response.CR and Response.CR in later else Response.PR
        if best is None or _RANK[level] < _RANK[best[0]]:
            best = (level, tp)
    if best is not None:
        reasons.append(f"best response {best[0].value} on {best[1].date}")
        return BestOverallResponse(
            response=best[0],
            date=best[1].date,
            confirmed=True if confirm else None,
            reasons=tuple(reasons),
            rule=rule,
        )
    for tp in window:
        if tp.overall_response in _STABLE and tp.days_from_baseline >= min_sd_days:
            stable = Response.NON_CR_NON_PD if tp.target_response is None else Response.SD
            reasons.append(f"{stable.value} on {tp.date}, {tp.days_from_baseline} days in")
            return BestOverallResponse(
                response=stable, date=tp.date, confirmed=None, reasons=tuple(reasons), rule=rule
            )
    early = [t for t in window if t.overall_response in _STABLE]
    if early:
        reasons.append(f"stable disease seen before the {min_sd_days}-day minimum only")
    last = window[-1] if window else None
    if last is not None and last.overall_response is Response.PD:
        reasons.append(f"PD on {last.date}")
        return BestOverallResponse(
            response=Response.PD, date=last.date, confirmed=None, reasons=tuple(reasons), rule=rule
        )
    reasons.append("no evaluable response meeting the criteria")
    return BestOverallResponse(
        response=Response.NE, date=None, confirmed=None, reasons=tuple(reasons), rule=rule
    )


def _error(message: str, path: str = "imaging") -> CaseFileError:
    return CaseFileError(
        "<imaging>", [Problem(file="<imaging>", line=None, path=path, message=message)]
    )


def assess_recist(
    assessments: Sequence[ImagingAssessment], *, confirm: bool = False, min_sd_days: int = 42
) -> RecistSeries:
    """Assess a series of imaging studies under RECIST 1.1.

    The baseline is the latest assessment flagged ``baseline``, else the earliest. Assessments
    dated on or before the baseline (other than the baseline) are ignored. Target and
    non-target lesions are those so marked at baseline and are matched by ``id`` at follow-up;
    lesions marked ``new`` at follow-up mean PD. A target recorded ``absent`` without a size
    counts as 0 mm; one marked ``too_small_to_measure`` counts as the RECIST default of 5 mm
    (so a non-nodal target that is too small to measure rules out CR, and the 5 mm enters the
    nadir and the PD threshold), and the substitution is stated in the timepoint's reasons.

    Parameters
    ----------
    assessments
        Imaging assessments in any order.
    confirm
        Require confirmation of CR/PR by a later assessment >= 28 days after.
    min_sd_days
        Minimum days from baseline for SD (or non-CR/non-PD) to count as best response.

    Returns
    -------
    RecistSeries
        Baseline, selection problems, per-timepoint results and best overall response.

    Raises
    ------
    CaseFileError
        If there are no assessments, or the baseline has no target or non-target lesions.

    References
    ----------
    .. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228, sections 4.3-4.4 and tables 1-3.
    .. [2] Schwartz LH et al. Eur J Cancer 2009;45:261.
    """
    if not assessments:
        raise _error("RECIST needs at least one imaging assessment; got none")
    ordered = sorted(assessments, key=lambda a: a.date)
    flagged = [a for a in ordered if a.baseline]
    baseline = flagged[-1] if flagged else ordered[0]
    targets = [les for les in baseline.lesions if les.role is LesionRole.TARGET]
    non_targets = [les for les in baseline.lesions if les.role is LesionRole.NON_TARGET]
    if not targets and not non_targets:
        raise _error(
            f"baseline assessment of {baseline.date.isoformat()} has no target or non-target "
            "lesions; RECIST 1.1 response cannot be assessed",
            path="imaging.lesions",
        )
    problems = validate_target_selection(baseline)
    baseline_sum = sum(_size_at(les) or 0.0 for les in targets) if targets else None
    nadir = baseline_sum
    results: list[TimepointResult] = []
    skipped: list[str] = []
    target_ids = {les.id for les in targets}
    for assessment in ordered:
        if assessment.date <= baseline.date:
            continue
        seen = {les.id for les in assessment.lesions}
        if assessment.modality is not baseline.modality and target_ids and not seen & target_ids:
            skipped.append(
                f"{assessment.date.isoformat()} {assessment.modality.value}: other modality "
                f"than baseline ({baseline.modality.value}) and no baseline target lesion"
            )
            continue
        tp = _timepoint(assessment, baseline, targets, non_targets, baseline_sum, nadir)
        results.append(tp)
        if tp.sum_mm is not None and nadir is not None:
            nadir = min(nadir, tp.sum_mm)
    best = _best_response(results, confirm=confirm, min_sd_days=min_sd_days)
    return RecistSeries(
        baseline_date=baseline.date,
        baseline_sum_mm=baseline_sum,
        target_ids=tuple(les.id for les in targets),
        non_target_ids=tuple(les.id for les in non_targets),
        problems=problems,
        timepoints=tuple(results),
        skipped=tuple(skipped),
        best_overall_response=best,
        confirm=confirm,
        min_sd_days=min_sd_days,
    )
