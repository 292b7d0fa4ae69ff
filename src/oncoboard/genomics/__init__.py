"""Genomic derivations: normalisation, hotspots, oncogenicity, TMB, knowledge-base matching.

Pure functions from reader records (:mod:`oncoboard.io.genomic_records`) and case-file genomic
reports to normalised :class:`Alteration` objects, oncogenicity calls, cited findings and
testing suggestions.
"""

from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass
from oncoboard.genomics.findings import (
    ContextCheck,
    ContextStatus,
    Finding,
    FindingKind,
    Specificity,
    TestingSuggestion,
)
from oncoboard.genomics.matching import match_profile
from oncoboard.genomics.normalize import (
    NormalizedCalls,
    consequence_class,
    from_case_variant,
    from_copy_number,
    from_fusion,
    from_variant_call,
    normalize_calls,
    protein_change,
)
from oncoboard.genomics.oncogenicity import OncogenicityCall, OncogenicityLabel, call_oncogenicity
from oncoboard.genomics.pipeline import annotate_calls, annotate_case, case_profile
from oncoboard.genomics.profile import BiomarkerProfile, CaseContext
from oncoboard.genomics.report import SampleAnnotation
from oncoboard.genomics.segments import SegmentMapping, map_segments
from oncoboard.genomics.testing_gaps import testing_gaps
from oncoboard.genomics.tmb import TMBEstimate, tumor_mutational_burden

__all__ = [
    "Alteration",
    "AlterationKind",
    "BiomarkerProfile",
    "CaseContext",
    "ConsequenceClass",
    "ContextCheck",
    "ContextStatus",
    "Finding",
    "FindingKind",
    "NormalizedCalls",
    "OncogenicityCall",
    "OncogenicityLabel",
    "SampleAnnotation",
    "SegmentMapping",
    "Specificity",
    "TMBEstimate",
    "TestingSuggestion",
    "annotate_calls",
    "annotate_case",
    "call_oncogenicity",
    "case_profile",
    "consequence_class",
    "from_case_variant",
    "from_copy_number",
    "from_fusion",
    "from_variant_call",
    "map_segments",
    "match_profile",
    "normalize_calls",
    "protein_change",
    "testing_gaps",
    "tumor_mutational_burden",
]
