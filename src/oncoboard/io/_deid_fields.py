"""The de-identification classification of every string field of the case model.

Each string-valued field (``str``, a ``Literal`` of strings, or a string enum, alone, optional
or in a list) of every model reachable from :class:`~oncoboard.model.Case` has one entry here,
keyed by ``(model class name, field name)``. ``tests/interop/test_deidentify.py`` walks the
pydantic models and fails when a field is missing from this table (or the table names a field
that no longer exists), so a new free-text field cannot slip through an export unclassified.

Dates are not listed: every ``date``/``datetime`` value is shifted, whatever its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = ["FIELD_RULES", "FieldRule", "Rule"]


class Rule(StrEnum):
    """What de-identification does with a string field."""

    KEEP = "keep"
    """Coded or controlled value (enum, pattern-checked code, gene, HGVS, unit, drug name)."""
    PSEUDONYMISE = "pseudonymise"
    """Identifier: replaced by a keyed hash, the same within the case so links still hold."""
    REMOVE = "remove"
    """Free text: dropped (optional fields only)."""
    GENERALISE_SITE = "generalise_site"
    """Free-text anatomical site: replaced by a coarse organ name (``liver``, ``bone``...);
    removed when no organ is recognised (``unspecified site`` where the field is required)."""
    GENERALISE_CONDITION = "generalise_condition"
    """Free-text condition: replaced by its coded category (the ICD/SNOMED code is kept)."""
    GENERALISE_SUPPLEMENT = "generalise_supplement"
    """Supplement entry: replaced by the interacting substance it names (interaction table),
    else removed."""
    GENERALISE_AGENT = "generalise_agent"
    """Agent name: kept for vocabulary drugs; an investigational agent (any text) becomes
    ``investigational agent``."""
    ALLOWLIST_DOSE = "allowlist_dose"
    """Free-text dose: kept only when every word is dose grammar (numbers, units, schedule
    abbreviations; no dates or years), else removed."""
    ALLOWLIST_REGION = "allowlist_region"
    """Body region of a study: kept only when every word is a body-region word, else removed."""
    ALLOWLIST_DRUG = "allowlist_drug"
    """Drug name in a list: kept when it is in the drug vocabulary or names an agent of the
    case, else removed."""


@dataclass(frozen=True, slots=True)
class FieldRule:
    """The rule for one field, why, and (for identifiers) the namespace of its pseudonyms.

    Identifiers that refer to each other share a namespace (a treatment line's ``id`` and an
    adverse event's ``treatment_line``), so the pseudonyms still match.
    """

    rule: Rule
    reason: str
    namespace: str = ""


_ENUM = "controlled vocabulary (enum or Literal)"
_PATTERN = "code checked against a pattern by the model"


def _keep(reason: str = _ENUM) -> FieldRule:
    return FieldRule(Rule.KEEP, reason)


def _remove(reason: str) -> FieldRule:
    return FieldRule(Rule.REMOVE, reason)


_SPECIMEN_SITE = FieldRule(
    Rule.GENERALISE_SITE, "free-text specimen site (may hold dates, sample labels, names)"
)
_LAB = _remove("laboratory name or free text: names the institution, may hold report numbers")

FIELD_RULES: Final[dict[tuple[str, str], FieldRule]] = {
    # --- case and patient -------------------------------------------------------------------
    ("Case", "schema_version"): _keep(),
    ("Case", "notes"): _remove("free text"),
    ("Patient", "id"): FieldRule(Rule.PSEUDONYMISE, "patient identifier", "patient"),
    ("Patient", "sex"): _keep(),
    ("Patient", "menopausal_status"): _keep(),
    ("PrimaryDiagnosis", "histology"): _keep(),
    ("PrimaryDiagnosis", "icdo3_morphology"): _keep(_PATTERN),
    ("PrimaryDiagnosis", "grade"): _keep(),
    ("PrimaryDiagnosis", "laterality"): _keep(),
    ("Stage", "system"): _keep("staging system and edition, e.g. 'AJCC 8'"),
    ("Stage", "basis"): _keep(_PATTERN),
    ("Stage", "t"): _keep(_PATTERN),
    ("Stage", "n"): _keep(_PATTERN),
    ("Stage", "m"): _keep(_PATTERN),
    ("Stage", "group"): _keep(_PATTERN),
    # --- metastatic sites -------------------------------------------------------------------
    ("MetastaticSite", "site"): _keep(),
    ("MetastaticSite", "detail"): _remove("free text (e.g. 'segment VI'); may hold anything"),
    ("VisceralCrisis", "organs"): _keep(),
    ("VisceralCrisis", "detail"): _remove("free text"),
    # --- receptors --------------------------------------------------------------------------
    ("HormoneReceptorTest", "specimen"): _keep(),
    ("HormoneReceptorTest", "specimen_site"): _SPECIMEN_SITE,
    ("HormoneReceptorTest", "lab"): _LAB,
    ("HormoneReceptorTest", "receptor"): _keep(),
    ("HormoneReceptorTest", "method"): _keep(),
    ("HormoneReceptorTest", "intensity"): _keep(),
    ("HormoneReceptorTest", "interpretation"): _keep(),
    ("HER2Test", "specimen"): _keep(),
    ("HER2Test", "specimen_site"): _SPECIMEN_SITE,
    ("HER2Test", "lab"): _LAB,
    ("HER2Test", "receptor"): _keep(),
    ("HER2Test", "method"): _keep(),
    ("HER2Test", "ihc_score"): _keep(),
    ("HER2Test", "ihc_antibody"): _keep("antibody clone name, e.g. '4B5'"),
    ("HER2Test", "ish_result"): _keep(),
    # --- clinical status --------------------------------------------------------------------
    ("Comorbidity", "condition"): FieldRule(
        Rule.GENERALISE_CONDITION, "free-text condition (required): its category replaces it"
    ),
    ("Comorbidity", "category"): _keep(),
    ("Comorbidity", "code"): _keep("ICD-10-CM or SNOMED CT code"),
    ("Comorbidity", "status"): _keep(_PATTERN),
    ("LabResult", "test"): _keep(),
    ("LabResult", "unit"): _keep("unit, checked against the test's unit table"),
    ("LabResult", "method"): _keep("method or equation name, e.g. 'Cockcroft-Gault'"),
    ("Medication", "name"): _keep("generic drug name"),
    ("Medication", "rxnorm"): _keep(_PATTERN),
    ("Medication", "dose"): FieldRule(Rule.ALLOWLIST_DOSE, "free-text dose (may hold dates)"),
    ("Lifestyle", "smoking"): _keep(),
    ("Lifestyle", "diet_supplements"): FieldRule(
        Rule.GENERALISE_SUPPLEMENT, "free-text entries; only the interacting substance matters"
    ),
    ("Lifestyle", "environmental_exposures"): _remove(
        "free text (occupations, places, years of exposure)"
    ),
    ("Preferences", "route"): _keep(),
    ("Preferences", "goals_of_care"): _keep(),
    ("Preferences", "notes"): _remove("free text (may name places, people, distances)"),
    # --- genomics ---------------------------------------------------------------------------
    ("GenomicReport", "id"): FieldRule(
        Rule.PSEUDONYMISE, "report/accession identifier (often embeds the patient id)", "report"
    ),
    ("GenomicReport", "specimen_type"): _keep(),
    ("GenomicReport", "origin"): _keep(),
    ("GenomicReport", "assay"): _keep("commercial assay or panel name, e.g. 'FoundationOne CDx'"),
    ("GenomicReport", "specimen_site"): _SPECIMEN_SITE,
    ("GenomicReport", "genes_tested"): _keep("HGNC gene symbols (pattern-checked)"),
    ("Variant", "gene"): _keep("HGNC gene symbol (pattern-checked)"),
    ("Variant", "hgvs_c"): _keep("HGVS coding change (pattern-checked)"),
    ("Variant", "hgvs_p"): _keep("HGVS protein change (pattern-checked)"),
    ("Variant", "transcript"): _keep("reference transcript accession, e.g. NM_006218.4"),
    ("Variant", "genome_build"): _keep(),
    ("Variant", "chromosome"): _keep(_PATTERN),
    ("Variant", "ref"): _keep(_PATTERN),
    ("Variant", "alt"): _keep(_PATTERN),
    ("Variant", "consequence"): _keep("Sequence Ontology term"),
    ("Variant", "zygosity"): _keep(_PATTERN),
    ("Variant", "classification"): _keep(),
    ("CopyNumberEvent", "gene"): _keep("HGNC gene symbol (pattern-checked)"),
    ("CopyNumberEvent", "type"): _keep(),
    ("Fusion", "gene_5p"): _keep("HGNC gene symbol (pattern-checked)"),
    ("Fusion", "gene_3p"): _keep("HGNC gene symbol (pattern-checked)"),
    ("MSIResult", "status"): _keep(),
    ("MSIResult", "method"): _keep("method name, e.g. 'NGS', 'MMR IHC'"),
    ("HRDResult", "status"): _keep(_PATTERN),
    ("HRDResult", "method"): _keep("assay name, e.g. 'Myriad myChoice GIS'"),
    # --- biomarkers -------------------------------------------------------------------------
    ("PDL1Result", "specimen_site"): _SPECIMEN_SITE,
    ("PDL1Result", "marker"): _keep(),
    ("PDL1Result", "assay"): _keep(),
    ("PDL1Result", "scoring"): _keep(),
    ("Ki67Result", "specimen_site"): _SPECIMEN_SITE,
    ("Ki67Result", "marker"): _keep(),
    ("TROP2Result", "specimen_site"): _SPECIMEN_SITE,
    ("TROP2Result", "marker"): _keep(),
    ("TROP2Result", "ihc_score"): _keep(),
    # --- treatment --------------------------------------------------------------------------
    ("TreatmentLine", "id"): FieldRule(
        Rule.PSEUDONYMISE, "line identifier, referenced by adverse events", "treatment-line"
    ),
    ("TreatmentLine", "setting"): _keep(),
    ("TreatmentLine", "best_response"): _keep(),
    ("TreatmentLine", "reason_stopped"): _keep(),
    ("Agent", "name"): FieldRule(
        Rule.GENERALISE_AGENT, "drug vocabulary name, or any text for investigational agents"
    ),
    ("Agent", "dose"): FieldRule(Rule.ALLOWLIST_DOSE, "free-text dose (may hold dates)"),
    ("Agent", "reason_stopped"): _keep(),
    ("AdverseEvent", "term"): _keep("CTCAE term"),
    ("AdverseEvent", "ctcae_version"): _keep("CTCAE version, e.g. '5.0'"),
    ("AdverseEvent", "attributed_to"): FieldRule(
        Rule.ALLOWLIST_DRUG, "agent names; anything else is free text"
    ),
    ("AdverseEvent", "treatment_line"): FieldRule(
        Rule.PSEUDONYMISE, "reference to a treatment line id", "treatment-line"
    ),
    ("LocalTherapy", "kind"): _keep(),
    ("LocalTherapy", "site"): FieldRule(
        Rule.GENERALISE_SITE, "free-text target (required; may hold lesion labels, dates)"
    ),
    ("LocalTherapy", "setting"): _keep(),
    ("LocalTherapy", "intent"): _keep(_PATTERN),
    ("LocalTherapy", "notes"): _remove("free text"),
    # --- imaging ----------------------------------------------------------------------------
    ("ImagingAssessment", "modality"): _keep(),
    ("ImagingAssessment", "body_region"): FieldRule(
        Rule.ALLOWLIST_REGION, "short region text, e.g. 'chest/abdomen/pelvis'"
    ),
    ("ImagingAssessment", "report"): _remove("free-text report impression"),
    ("ImagingAssessment", "corticosteroids"): _keep(),
    ("ImagingAssessment", "neurological_status"): _keep(),
    ("Lesion", "id"): FieldRule(
        Rule.PSEUDONYMISE, "lesion label, links a lesion across studies", "lesion"
    ),
    ("Lesion", "site"): _keep(),
    ("Lesion", "role"): _keep(),
    ("Lesion", "status"): _keep(),
    ("Lesion", "description"): _remove("free text"),
    # --- monitoring -------------------------------------------------------------------------
    ("LiquidBiopsy", "assay"): _keep("commercial assay name, e.g. 'Guardant360 CDx'"),
    ("LiquidBiopsy", "genes_tested"): _keep("gene symbols"),
    ("CtDNAVariant", "gene"): _keep("HGNC gene symbol (pattern-checked)"),
    ("CtDNAVariant", "hgvs_p"): _keep("HGVS protein change (pattern-checked)"),
    ("CtDNAVariant", "hgvs_c"): _keep("HGVS coding change (pattern-checked)"),
    ("TumorMarkerResult", "marker"): _keep(),
    ("TumorMarkerResult", "unit"): _keep("unit, checked against the marker's unit table"),
}
