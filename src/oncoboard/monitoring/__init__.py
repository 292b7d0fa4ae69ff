"""Response monitoring: RECIST 1.1 assessment of serial imaging and serial ctDNA."""

from __future__ import annotations

from oncoboard.monitoring.ctdna import (
    MolecularCall,
    MolecularResponse,
    VariantPoint,
    VariantSeries,
    ctdna_series,
    molecular_response,
)
from oncoboard.monitoring.recist import (
    RECIST_EVIDENCE,
    SCHWARTZ_NODES_EVIDENCE,
    BestOverallResponse,
    Measurability,
    MeasurabilityClass,
    RecistSeries,
    Response,
    SelectionProblem,
    TimepointResult,
    assess_recist,
    lesion_measurability,
    validate_target_selection,
)

__all__ = [
    "RECIST_EVIDENCE",
    "SCHWARTZ_NODES_EVIDENCE",
    "BestOverallResponse",
    "Measurability",
    "MeasurabilityClass",
    "MolecularCall",
    "MolecularResponse",
    "RecistSeries",
    "Response",
    "SelectionProblem",
    "TimepointResult",
    "VariantPoint",
    "VariantSeries",
    "assess_recist",
    "ctdna_series",
    "lesion_measurability",
    "molecular_response",
    "validate_target_selection",
]
