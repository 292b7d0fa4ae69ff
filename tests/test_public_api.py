"""The public API of each package is its curated ``__all__``; this pins it."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "oncoboard": {"OncoboardError", "__version__"},
    "oncoboard.errors": {
        "CaseFileError",
        "CaseNotFoundError",
        "GenomicFileError",
        "KnowledgeError",
        "NormalizationError",
        "OncoboardError",
        "Problem",
        "StoreConfigError",
        "StoreError",
    },
    "oncoboard.io": {
        "CASE_SUFFIXES",
        "CaseDocument",
        "Format",
        "canonical_document",
        "dump_case",
        "find_case_files",
        "load_case",
        "parse_case",
        "parse_text",
        "read_document",
        "CopyNumberCall",
        "FusionCall",
        "SegmentCall",
        "VariantCall",
        "VcfResult",
        "read_cbioportal_cna",
        "read_cbioportal_sv",
        "read_fusions",
        "read_gene_cna",
        "read_maf",
        "read_mutation_table",
        "read_segments",
        "read_vcf",
    },
    "oncoboard.derive": {
        "CaseSummary",
        "ClinicalSubtype",
        "Exposure",
        "HER2Category",
        "HER2Status",
        "HormoneReceptorStatus",
        "LineOfTherapy",
        "ReceptorCall",
        "Subtype",
        "clinical_subtype",
        "current_line",
        "her2_status",
        "hormone_receptor_status",
        "ish_group",
        "prior_exposures",
        "summarize",
        "unknown_agents",
    },
    "oncoboard.knowledge": {
        "Drug",
        "DrugVocabulary",
        "Gene",
        "GeneRole",
        "GeneTable",
        "Hotspot",
        "HotspotTable",
        "KnowledgeBase",
        "KnowledgeEntry",
        "drug_vocabulary",
        "gene_table",
        "hotspots",
        "knowledge_base",
    },
    "oncoboard.cli": {"app", "main"},
    "oncoboard.monitoring": {
        "IRECIST_EVIDENCE",
        "IRecistBestResponse",
        "IRecistResponse",
        "IRecistSeries",
        "IRecistTimepoint",
        "assess_irecist",
        "PERCIST_EVIDENCE",
        "MetabolicResponse",
        "PercistResult",
        "assess_percist",
        "percist_threshold",
        "RANO_BM_EVIDENCE",
        "RanoBmResponse",
        "RanoBmSeries",
        "RanoBmTimepoint",
        "assess_rano_bm",
        "RECIST_EVIDENCE",
        "Alert",
        "AlertKind",
        "EmergenceStatus",
        "EmergentAlteration",
        "MonitoringReport",
        "TimelineEvent",
        "emergent_alterations",
        "monitor_case",
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
    },
    "oncoboard.planning": {
        "DISCLAIMER",
        "PLAN_FORMAT_VERSION",
        "EndocrineSensitivity",
        "ExcludedOption",
        "Grade",
        "ImmunotherapyEligibility",
        "ImmunotherapyStatus",
        "Intent",
        "Monitoring",
        "OptionWarning",
        "Pathways",
        "PlannedAgent",
        "SafetyCheck",
        "SafetyStatus",
        "TreatmentOption",
        "TreatmentPlan",
        "immunotherapy_eligibility",
        "pathways",
        "plan_case",
        "safety_checks",
    },
    "oncoboard.genomics": {
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
    },
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_all_is_pinned(module_name):
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PUBLIC[module_name]
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name} is exported but missing"


def test_model_exports_every_public_class():
    model = importlib.import_module("oncoboard.model")
    assert len(model.__all__) == len(set(model.__all__))
    for name in model.__all__:
        assert hasattr(model, name)
    assert {"Case", "Patient", "HER2Test", "GenomicReport", "TreatmentLine"} <= set(model.__all__)


def test_errors_inherit_matching_builtins():
    from oncoboard import errors

    assert issubclass(errors.CaseFileError, ValueError)
    assert issubclass(errors.CaseNotFoundError, LookupError)
    assert issubclass(errors.StoreConfigError, ValueError)
    for name in PUBLIC["oncoboard.errors"] - {"Problem"}:
        assert issubclass(getattr(errors, name), errors.OncoboardError)
