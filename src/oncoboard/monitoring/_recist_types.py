"""Result types and citations of the RECIST 1.1 engine (see :mod:`oncoboard.monitoring.recist`).

References
----------
.. [1] Eisenhauer EA et al. Eur J Cancer 2009;45:228-247.
.. [2] Schwartz LH et al. Eur J Cancer 2009;45:261-267.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from oncoboard.model import Evidence
from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import EvidenceSource
from oncoboard.model.imaging import Modality

__all__ = [
    "CITES",
    "CONFIRMATION_DAYS",
    "MAX_TARGETS",
    "MAX_TARGETS_PER_ORGAN",
    "RECIST_EVIDENCE",
    "RECIST_UNCHECKED",
    "SCHWARTZ_NODES_EVIDENCE",
    "BestOverallResponse",
    "Measurability",
    "MeasurabilityClass",
    "RecistSeries",
    "Response",
    "SelectionProblem",
    "TimepointResult",
]

RECIST_EVIDENCE = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="Eisenhauer EA et al. Eur J Cancer 2009;45:228",
    title="New response evaluation criteria in solid tumours: revised RECIST guideline "
    "(version 1.1)",
    verified=True,
)
SCHWARTZ_NODES_EVIDENCE = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Schwartz LH et al. Eur J Cancer 2009;45:261",
    title="Evaluation of lymph nodes with RECIST 1.1",
    verified=True,
)
# Rules the project fact sheet tags [U] (not re-checked against the retrieved text): the
# overall-response table, the NE rule and best-response confirmation.
RECIST_UNCHECKED = RECIST_EVIDENCE.model_copy(update={"verified": False})
CITES = (RECIST_EVIDENCE, SCHWARTZ_NODES_EVIDENCE)

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
CONFIRMATION_DAYS = 28


class Response(StrEnum):
    """A RECIST 1.1 response category."""

    CR = "CR"
    PR = "PR"
    SD = "SD"
    NON_CR_NON_PD = "non-CR/non-PD"
    PD = "PD"
    NE = "NE"


class MeasurabilityClass(StrEnum):
    """Measurability of one lesion at baseline."""

    MEASURABLE = "measurable"
    NON_MEASURABLE = "non_measurable"
    PATHOLOGICAL_NODE = "pathological_node"
    NORMAL_NODE = "normal_node"


class Measurability(CaseModel):
    """Measurability of one lesion with the rule applied."""

    lesion_id: str
    category: MeasurabilityClass
    measurable: bool
    rule: str
    note: str | None = None
    evidence: tuple[Evidence, ...] = CITES


class SelectionProblem(CaseModel):
    """A problem with the baseline target selection (reported, never silently corrected)."""

    code: str
    message: str
    lesion_ids: tuple[str, ...]
    rule: str
    evidence: tuple[Evidence, ...] = (RECIST_EVIDENCE,)


class TimepointResult(CaseModel):
    """Response at one follow-up assessment."""

    date: dt.date
    modality: Modality
    days_from_baseline: int
    sum_mm: float | None
    measured_sum_mm: float | None
    change_from_baseline_pct: float | None
    nadir_mm: float | None
    change_from_nadir_mm: float | None
    change_from_nadir_pct: float | None
    target_response: Response | None
    non_target_response: Response | None
    new_lesions: tuple[str, ...]
    overall_response: Response
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[Evidence, ...] = (*CITES, RECIST_UNCHECKED)


class BestOverallResponse(CaseModel):
    """Best overall response over a series of timepoints."""

    response: Response
    date: dt.date | None
    confirmed: bool | None
    reasons: tuple[str, ...]
    rule: str
    evidence: tuple[Evidence, ...] = (RECIST_UNCHECKED,)


class RecistSeries(CaseModel):
    """RECIST 1.1 assessment of a baseline and its follow-up timepoints."""

    baseline_date: dt.date
    baseline_sum_mm: float | None
    target_ids: tuple[str, ...]
    non_target_ids: tuple[str, ...]
    problems: tuple[SelectionProblem, ...]
    timepoints: tuple[TimepointResult, ...]
    skipped: tuple[str, ...] = Field(
        default=(),
        description="Studies left out: another modality without the baseline target lesions "
        "(e.g. a bone scan or a brain MRI; RECIST needs the same modality throughout).",
    )
    best_overall_response: BestOverallResponse
    confirm: bool
    min_sd_days: int
