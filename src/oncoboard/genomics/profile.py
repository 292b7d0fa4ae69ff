"""A patient's biomarker profile: what matching sees (alterations, IHC categories, TMB, MSI)."""

from __future__ import annotations

from dataclasses import dataclass, field

from oncoboard.derive.receptor_status import HER2Category
from oncoboard.genomics.alteration import Alteration
from oncoboard.model import MSIStatus, PDL1Result

__all__ = ["BiomarkerProfile", "CaseContext"]


@dataclass(frozen=True, slots=True)
class CaseContext:
    """The clinical context from the case, for checking where an entry's evidence applies."""

    subtype: str | None
    her2: HER2Category | None
    line: int | None
    prior_classes: frozenset[str]
    current_classes: frozenset[str]
    prior_agents_by_class: dict[str, tuple[str, ...]] = field(default_factory=dict)
    metastatic_classes: frozenset[str] = frozenset()  # classes given for metastatic disease
    history_known: bool = True  # False: treatment history (and line) not available, e.g. a
    # cohort table that gives only the subtype; therapy requirements are then unknown


@dataclass(frozen=True, slots=True)
class BiomarkerProfile:
    """Everything matching needs about one patient or sample.

    ``tested_genes`` is the union of the genes the reports say they covered; ``None`` means
    coverage is unknown, so no gene can be called wild-type.
    """

    alterations: tuple[Alteration, ...]
    tested_genes: frozenset[str] | None = None
    her2: HER2Category | None = None
    her2_source: str | None = None
    pdl1: tuple[PDL1Result, ...] = ()
    tmb: float | None = None
    tmb_source: str | None = None
    msi: MSIStatus | None = None
    msi_source: str | None = None
    context: CaseContext | None = None

    def gene_tested(self, gene: str) -> bool:
        """True if some report covered ``gene`` (so its absence is a negative result)."""
        return self.tested_genes is not None and gene in self.tested_genes
