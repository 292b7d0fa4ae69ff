"""Tumour-informed MRD: is the patient's ctDNA in this plasma sample?

Read the tumour's variants (:func:`read_tumour_loci`), count them in plasma from a counts
table (:func:`read_counts_table`) or a BAM/CRAM (:func:`count_alignments`), model the
background per locus from normals (:func:`error_model_from_normals`) or a panel default, and
call (:func:`detect_mrd`): a combined test across loci with a p-value, the sample's limit of
detection, and one inconsistent locus set aside.
"""

from __future__ import annotations

from oncoboard.mrd.background import (
    IDES_EVIDENCE,
    PANEL_DEFAULT_EVIDENCE,
    PANEL_DEFAULT_RATES,
    BackgroundSource,
    ErrorModel,
    LocusBackground,
    error_model_from_normals,
    panel_default_model,
)
from oncoboard.mrd.bam import AlignmentCounts, LocusTally, ReadFilters, count_alignments
from oncoboard.mrd.counts import LocusCount, read_counts_table
from oncoboard.mrd.detect import (
    INVAR_EVIDENCE,
    LocusResult,
    LocusStatus,
    MrdCall,
    MrdResult,
    detect_mrd,
)
from oncoboard.mrd.loci import LocusKey, TumourLocus, read_tumour_loci, substitution_class

__all__ = [
    "IDES_EVIDENCE",
    "INVAR_EVIDENCE",
    "PANEL_DEFAULT_EVIDENCE",
    "PANEL_DEFAULT_RATES",
    "AlignmentCounts",
    "BackgroundSource",
    "ErrorModel",
    "LocusBackground",
    "LocusCount",
    "LocusKey",
    "LocusResult",
    "LocusStatus",
    "LocusTally",
    "MrdCall",
    "MrdResult",
    "ReadFilters",
    "TumourLocus",
    "count_alignments",
    "detect_mrd",
    "error_model_from_normals",
    "panel_default_model",
    "read_counts_table",
    "read_tumour_loci",
    "substitution_class",
]
