"""Derivations from the case model: receptor status, subtype, line of therapy, exposures.

Pure functions of a :class:`~oncoboard.model.Case` (plus packaged knowledge); each result
states the rule it applied and, for clinical classifications, its evidence.
"""

from oncoboard.derive.as_of import case_as_of
from oncoboard.derive.receptor_status import (
    HER2Category,
    HER2Status,
    HormoneReceptorStatus,
    ReceptorCall,
    her2_status,
    hormone_receptor_status,
    ish_group,
)
from oncoboard.derive.subtype import ClinicalSubtype, Subtype, clinical_subtype
from oncoboard.derive.summary import CaseSummary, summarize
from oncoboard.derive.therapy import (
    Exposure,
    LineOfTherapy,
    current_line,
    prior_exposures,
    unknown_agents,
)

__all__ = [
    "CaseSummary",
    "ClinicalSubtype",
    "Exposure",
    "HER2Category",
    "HER2Status",
    "HormoneReceptorStatus",
    "LineOfTherapy",
    "ReceptorCall",
    "Subtype",
    "case_as_of",
    "clinical_subtype",
    "current_line",
    "her2_status",
    "hormone_receptor_status",
    "ish_group",
    "prior_exposures",
    "summarize",
    "unknown_agents",
]
