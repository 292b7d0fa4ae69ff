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
from oncoboard.monitoring.irecist import (
    IRECIST_EVIDENCE,
    IRecistBestResponse,
    IRecistResponse,
    IRecistSeries,
    IRecistTimepoint,
    assess_irecist,
)
from oncoboard.monitoring.percist import (
    PERCIST_EVIDENCE,
    MetabolicResponse,
    PercistResult,
    assess_percist,
    percist_threshold,
)
from oncoboard.monitoring.rano_bm import (
    RANO_BM_EVIDENCE,
    RanoBmResponse,
    RanoBmSeries,
    RanoBmTimepoint,
    assess_rano_bm,
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
    "IRECIST_EVIDENCE",
    "PERCIST_EVIDENCE",
    "RANO_BM_EVIDENCE",
    "RECIST_EVIDENCE",
    "SCHWARTZ_NODES_EVIDENCE",
    "Alert",
    "AlertKind",
    "BestOverallResponse",
    "EmergenceStatus",
    "EmergentAlteration",
    "IRecistBestResponse",
    "IRecistResponse",
    "IRecistSeries",
    "IRecistTimepoint",
    "Measurability",
    "MeasurabilityClass",
    "MetabolicResponse",
    "MolecularCall",
    "MolecularResponse",
    "MonitoringReport",
    "PercistResult",
    "RanoBmResponse",
    "RanoBmSeries",
    "RanoBmTimepoint",
    "RecistSeries",
    "Response",
    "SelectionProblem",
    "TimelineEvent",
    "TimepointResult",
    "VariantPoint",
    "VariantSeries",
    "assess_irecist",
    "assess_percist",
    "assess_rano_bm",
    "assess_recist",
    "ctdna_series",
    "emergent_alterations",
    "lesion_measurability",
    "molecular_response",
    "monitor_case",
    "percist_threshold",
    "validate_target_selection",
]
