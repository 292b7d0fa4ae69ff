"""Planner options that answer an emergent resistance alteration (used by the report).

The planner (:func:`oncoboard.planning.plan_case`) is run at most once per report and only
when an emergent-resistance alert needs it; planning never imports monitoring.
"""

from __future__ import annotations

from oncoboard.errors import OncoboardError
from oncoboard.model import Case
from oncoboard.monitoring._alerts import SuggestedOption
from oncoboard.planning import TreatmentPlan, plan_case
from oncoboard.planning.pathways import pathways

__all__ = ["MAX_SUGGESTIONS", "PlanSuggester", "involves_gene", "suggested_options"]

MAX_SUGGESTIONS = 3


def involves_gene(label: str, gene: str) -> bool:
    """Whether a matched-biomarker label (e.g. ``ESR1 D538G``) is an alteration of ``gene``.

    A tested wild-type match (``PIK3CA wild-type (tested)``) is not an alteration of the gene.
    """
    if "wild-type" in label.lower():
        return False
    head = label.split(maxsplit=1)[0] if label.strip() else ""
    return gene.upper() in {part.upper() for part in head.split("::")}


def _switch_steps() -> frozenset[str]:
    """Pathway steps that act on the line the patient is on (``on_...`` rules): switches
    before progression, such as the SERENA-6 camizestrant switch."""
    return frozenset(
        step.id for step in pathways().steps if any(r.startswith("on_") for r in step.applies)
    )


def suggested_options(
    plan: TreatmentPlan,
    gene: str,
    limit: int = MAX_SUGGESTIONS,
    *,
    before_progression: bool = False,
) -> tuple[SuggestedOption, ...]:
    """The plan's systemic options whose biomarker match involves ``gene``, in plan order.

    Parameters
    ----------
    plan
        A treatment plan from :func:`oncoboard.planning.plan_case`.
    gene
        The gene of the emergent alteration, e.g. ``ESR1``.
    limit
        At most this many options.
    before_progression
        The current line has not progressed: options of a switch-before-progression step
        (e.g. SERENA-6) come first, the options for the next line at progression after them.

    Returns
    -------
    tuple of SuggestedOption
        Name, rank, grade, agents, the matching biomarkers and the option's evidence.
    """
    found: list[SuggestedOption] = []
    options = list(plan.options)
    if before_progression:
        switches = _switch_steps()
        options.sort(key=lambda o: not switches.intersection(o.pathway_steps))
    for option in options:
        matched = tuple(m for m in option.matched_biomarkers if involves_gene(m, gene))
        if not matched:
            continue
        found.append(
            SuggestedOption(
                rank=option.rank,
                regimen_id=option.regimen_id,
                name=option.name,
                grade=option.grade.value,
                agents=tuple(a.agent for a in option.agents),
                matched_biomarkers=matched,
                evidence=option.evidence,
            )
        )
        if len(found) >= limit:
            break
    return tuple(found)


class PlanSuggester:
    """Runs :func:`plan_case` on first use only, then answers per gene from that one plan."""

    def __init__(self, case: Case) -> None:
        self._case = case
        self._plan: TreatmentPlan | None = None
        self._tried = False
        self.error: str | None = None

    def __call__(
        self, gene: str, *, before_progression: bool = False
    ) -> tuple[SuggestedOption, ...]:
        """Suggested options for ``gene`` (empty if the case could not be planned)."""
        if not self._tried:
            self._tried = True
            try:
                self._plan = plan_case(self._case)
            except OncoboardError as exc:
                self.error = str(exc)
        if self._plan is None:
            return ()
        return suggested_options(self._plan, gene, before_progression=before_progression)
