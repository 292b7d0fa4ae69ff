"""Response monitoring: RECIST 1.1 on serial imaging, serial ctDNA (molecular response,
emergent resistance), CTCs and tumour markers, alerts and one timeline per patient."""

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
from oncoboard.monitoring.report import (
    Alert,
    AlertKind,
    MonitoringReport,
    TimelineEvent,
    monitor_case,
)
from oncoboard.monitoring.resistance import (
    EmergenceStatus,
    EmergentAlteration,
    emergent_alterations,
)

__all__ = [
    "RECIST_EVIDENCE",
    "SCHWARTZ_NODES_EVIDENCE",
    "Alert",
    "AlertKind",
    "BestOverallResponse",
    "EmergenceStatus",
    "EmergentAlteration",
    "Measurability",
    "MeasurabilityClass",
    "MolecularCall",
    "MolecularResponse",
    "MonitoringReport",
    "RecistSeries",
    "Response",
    "SelectionProblem",
    "TimelineEvent",
    "TimepointResult",
    "VariantPoint",
    "VariantSeries",
    "assess_recist",
    "ctdna_series",
    "emergent_alterations",
    "lesion_measurability",
    "molecular_response",
    "monitor_case",
    "validate_target_selection",
]
