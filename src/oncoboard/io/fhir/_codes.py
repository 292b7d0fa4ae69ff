"""Code systems, profile URLs and value maps of the FHIR R4 / mCODE STU4 mapping.

Every code carries its source. Sources used:

- ``DD``: the mCODE STU4 data dictionary (``mCODEDataDictionary-STU4.json``, IG version 2023May,
  HL7 GitHub ``HL7/fhir-mCODE-ig``): value-set members and profile/extension URLs.
- ``IGEX``: an example instance of the mCODE STU4 IG (FSH sources ``EX_*.fsh`` of the same
  repository), e.g. ``EX_ExtendedExample.fsh`` (jenny-m).
- ``GR``: HL7 Genomics Reporting IG STU2 (2.0.0) example ``Observation-SNVexample``.
- ``GRP``: the Genomics Reporting IG profile definitions (FSH of the ``variant``, ``msi`` and
  ``tmb`` profiles: component codes such as ``component[copy-number].code = LNC#82155-3``) and
  GR example instances (``tbd-codes-cs#molecular-consequence``).
- ``LOCAL``: an Oncoboard code system (``https://oncoboard.example/fhir/...``): no standard code
  was found; other systems will not understand it (the standard codes sent next to it do).
- ``REAL``: used in a real bundle in ``tests/data/mcode`` (clinical-trial-matching-service or
  mcode-extraction-framework fixtures).
- ``UNVERIFIED``: written from the author's knowledge of SNOMED CT / LOINC / HL7 terminology,
  not checked against any of the sources above. These are listed in docs/interop.md.

References
----------
HL7 mCODE STU4 (2023May): http://hl7.org/fhir/us/mcode/STU4/
HL7 Genomics Reporting STU2: https://hl7.org/fhir/uv/genomics-reporting/STU2/
"""

from __future__ import annotations

from typing import Final

from oncoboard.model import (
    BestResponse,
    CopyNumberType,
    HER2IHCScore,
    Histology,
    Laterality,
    MSIStatus,
    Setting,
    SiteName,
    StopReason,
    TumorMarkerName,
)

# --- code systems --------------------------------------------------------------------------
SCT: Final = "http://snomed.info/sct"
LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
HGNC: Final = "http://www.genenames.org/geneId"  # GR
HGVS: Final = "http://varnomen.hgvs.org"  # GR
ICDO3: Final = "http://terminology.hl7.org/CodeSystem/icd-o-3"
AJCC: Final = "http://cancerstaging.org"  # REAL (older mCODE bundles)
CONDITION_CLINICAL: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION: Final = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DIAGNOSTIC_SERVICE: Final = "http://terminology.hl7.org/CodeSystem/v2-0074"  # GR: GE
SPECIMEN_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0487"  # DD
ACT_REASON: Final = "http://terminology.hl7.org/CodeSystem/v3-ActReason"  # HTEST: UNVERIFIED
AE_SERIOUSNESS: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"  # REAL
CTCAE_GRADE_SYSTEM: Final = "http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system"
DATA_ABSENT: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

SO: Final = "http://www.sequenceontology.org"  # GRP (IGEX uses the alias SO; URL: GR usage)
GR_TBD: Final = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"  # GRP
# LOCAL: the four copy-number levels of the case model. SO copy_number_gain / copy_number_loss
# (IGEX) do not tell amplification from gain or deep deletion from loss, and no standard code
# for the level was found in the sources; this system is Oncoboard's own.
CNV_LEVEL_SYSTEM: Final = "https://oncoboard.example/fhir/CodeSystem/copy-number-level"

# Identifier systems of Oncoboard's own ids (ids the case model allows but FHIR ids do not).
PATIENT_ID_SYSTEM: Final = "urn:oncoboard:patient-id"
REPORT_ID_SYSTEM: Final = "urn:oncoboard:genomic-report-id"
LINE_ID_SYSTEM: Final = "urn:oncoboard:treatment-line-id"
LINE_KEY_SYSTEM: Final = "urn:oncoboard:treatment-line"  # a line without an id in the case

# --- mCODE STU4 profiles and extensions (DD) ------------------------------------------------
_MCODE: Final = "http://hl7.org/fhir/us/mcode/StructureDefinition/"


def profile(name: str) -> str:
    """Canonical URL of the mCODE STU4 profile or extension ``mcode-<name>``."""
    return f"{_MCODE}mcode-{name}"


# Genomics Reporting profiles that mCODE STU4 uses for TMB and MSI (GRP profile ids ``tmb`` and
# ``msi`` under the IG's canonical base).
_GR_PROFILE: Final = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"
GR_TMB_PROFILE: Final = f"{_GR_PROFILE}tmb"
GR_MSI_PROFILE: Final = f"{_GR_PROFILE}msi"

EXT_HISTOLOGY: Final = profile("histology-morphology-behavior")
EXT_LATERALITY: Final = profile("laterality-qualifier")
EXT_RELATED_CONDITION: Final = profile("related-condition")
EXT_INTENT: Final = profile("procedure-intent")
EXT_TERMINATION: Final = profile("treatment-termination-reason")
EXT_EVIDENCE: Final = profile("cancer-disease-status-evidence-type")
EXT_DOSE_TO_VOLUME: Final = profile("radiotherapy-dose-delivered-to-volume")
EXT_ASSERTED_DATE: Final = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"  # IGEX
EXT_CTCAE_GRADE: Final = "http://hl7.org/fhir/us/ctcae/StructureDefinition/ctcae-grade"  # REAL
EXT_AE_RESOLVED: Final = (
    "http://hl7.org/fhir/us/ctcae/StructureDefinition/adverse-event-resolved-date"  # REAL
)

# --- LOINC observation codes ----------------------------------------------------------------
ECOG: Final = "89247-1"  # DD / IGEX
DISEASE_STATUS: Final = "97509-4"  # IGEX / REAL
AGE: Final = "30525-0"  # UNVERIFIED ("Age")
VARIANT: Final = "69548-6"  # IGEX / GR
REGION_STUDIED: Final = "53041-0"  # IGEX (DNA region of interest panel)
GENOMICS_REPORT: Final = "51969-4"  # IGEX
TMB: Final = "94076-7"  # DD tumor-marker-test-vs (Mutations/Megabase); GRP tmb profile code
MSI: Final = "81695-9"  # DD tumor-marker-test-vs; GRP msi profile code (answers LL3994-2)
PRESENT: Final = "LA9633-4"  # IGEX
POSITIVE_LA: Final = "LA6576-8"  # IGEX
NEGATIVE_LA: Final = "LA6577-6"  # IGEX

# Genomic variant components (GR SNVexample, except where marked).
GENE_STUDIED: Final = "48018-6"
CYTOGENETIC_LOCATION: Final = "48001-2"
ASSEMBLY: Final = "62374-4"
SOURCE_CLASS: Final = "48002-0"
C_HGVS: Final = "48004-6"
P_HGVS: Final = "48005-3"
TRANSCRIPT: Final = "51958-7"
VAF: Final = "81258-6"
ALLELE_START_END: Final = "81254-5"  # UNVERIFIED
REF_ALLELE: Final = "69547-8"  # UNVERIFIED
ALT_ALLELE: Final = "69551-0"  # UNVERIFIED
SOMATIC: Final = "LA6684-0"  # IGEX
GERMLINE: Final = "LA6683-2"  # IGEX
ASSEMBLY_CODES: Final = {"GRCh37": "LA14029-5", "GRCh38": "LA26806-2"}  # 37: IGEX; 38: UNVERIFIED

# Structural variants (GenomicVariant): copy number and fusions.
COPY_NUMBER: Final = "82155-3"  # GRP: Genomic structural variant copy number (valueQuantity)
CODING_CHANGE_TYPE: Final = "48019-4"  # GRP: DNA change type (mCODE slice coding-change-type)
MOLECULAR_CONSEQUENCE: Final = "molecular-consequence"  # GRP: code in GR_TBD
CNV_GAIN: Final = "SO:0001742"  # IGEX copy_number_gain (MYCN)
CNV_LOSS: Final = "SO:0001743"  # IGEX copy_number_loss (CDKN2A)
COMPLEX_REARRANGEMENT: Final = "SO:0002062"  # IGEX complex chromosomal rearrangement (MET-ALK)
GENE_FUSION: Final = "SO:0001565"  # IGEX (commented out in EX_Genomics.fsh; read only)
# Case model level -> (SO consequence, LOCAL level code).
CNV_LEVELS: Final = {
    CopyNumberType.AMPLIFICATION: (CNV_GAIN, "copy_number_gain"),
    CopyNumberType.GAIN: (CNV_GAIN, "copy_number_gain"),
    CopyNumberType.LOSS: (CNV_LOSS, "copy_number_loss"),
    CopyNumberType.DELETION: (CNV_LOSS, "copy_number_loss"),
}
# MSI status <-> LOINC answer. LA26203-2 MSI-H: IGEX (gx-genomic-msi). The others are UNVERIFIED
# (seen in third-party profiles built on LOINC answer lists LL3994-2 / LL1057-0, not in the
# sources above): LA26202-4 MSI-L, LA14122-8 Stable (= MSS), LA11884-6 Indeterminate.
MSI_ANSWERS: Final = {
    MSIStatus.MSI_H: ("LA26203-2", "MSI-H"),
    MSIStatus.MSI_L: ("LA26202-4", "MSI-L"),
    MSIStatus.MSS: ("LA14122-8", "Stable"),
    MSIStatus.EQUIVOCAL: ("LA11884-6", "Indeterminate"),
}

# Receptors (DD tumor-marker-test-vs, except 18474-7 which is REAL only).
ER_PERCENT: Final = "85329-1"  # Cells.estrogen receptor/100 cells in Breast cancer specimen
PR_PERCENT: Final = "85325-9"  # Cells.progesterone receptor/100 cells in Breast cancer specimen
ER_PRESENCE: Final = "85337-4"  # Estrogen receptor Ag [Presence] in Breast cancer specimen
PR_PRESENCE: Final = "85339-0"  # Progesterone receptor Ag [Presence] in Breast cancer specimen
HER2_IHC: Final = "85319-2"  # HER2 [Presence] in Breast cancer specimen by Immune stain
HER2_ISH: Final = "85318-4"  # ERBB2 gene duplication [Presence] in Breast cancer specimen by FISH
HER2_RATIO: Final = "49683-6"  # ERBB2 gene copy number/Chromosome 17 copy number ... by FISH
HER2_COPIES: Final = "74860-8"  # ERBB2 gene copy number/nucleus in Tissue by FISH

RECEPTOR_PERCENT_CODES: Final = {
    "85329-1": "ER",
    "14228-1": "ER",
    "85325-9": "PR",
    "14230-7": "PR",
}
RECEPTOR_PRESENCE_CODES: Final = {
    "85337-4": "ER",
    "40556-3": "ER",
    "16112-5": "ER",
    "85339-0": "PR",
    "40557-1": "PR",
    "16113-3": "PR",
}
HER2_IHC_CODES: Final = frozenset({"85319-2", "18474-7"})  # 18474-7: REAL (not in DD)
HER2_ISH_CODES: Final = frozenset({"85318-4", "31150-6", "96893-3"})
HER2_OTHER_CODES: Final = frozenset({"48676-1", "72383-3", "49683-6", "74860-8"})

# Positive / negative answers: LOINC LA (IGEX), SNOMED qualifiers (REAL), v3 interpretation.
POSITIVE_CODES: Final = frozenset({"LA6576-8", "10828004", "POS"})
NEGATIVE_CODES: Final = frozenset({"LA6577-6", "260385009", "NEG"})

# Serum tumour markers (DD tumor-marker-test-vs) and UCUM codes of the model's units.
TUMOR_MARKER_CODES: Final = {
    TumorMarkerName.CA15_3: "6875-9",
    TumorMarkerName.CA27_29: "17842-6",
    TumorMarkerName.CEA: "2039-6",
}
UCUM_UNITS: Final = {"U/mL": "[U]/mL", "kU/L": "k[U]/L", "ng/mL": "ng/mL", "ug/L": "ug/L"}

# HER2 IHC scores travel as CodeableConcept.text (no code system with IHC score codes was found
# in the sources); 0+membrane (ultralow) is exported as text only.
HER2_SCORE_TEXT: Final = {score.value: score for score in HER2IHCScore}

# --- TNM staging ----------------------------------------------------------------------------
# Observation.code of TNM observations: LOINC (DD staging-type value sets) and SNOMED (IGEX).
# Value: (part, basis) with part in T/N/M/group and basis clinical/pathological/post_neoadjuvant.
STAGING_CODES: Final = {
    "21908-9": ("group", "clinical"),
    "21902-2": ("group", "pathological"),
    "21914-7": ("group", "post_neoadjuvant"),  # "Stage group.other Cancer" (see docs)
    "21905-5": ("t", "clinical"),
    "21899-0": ("t", "pathological"),
    "21911-3": ("t", "post_neoadjuvant"),
    "21906-3": ("n", "clinical"),
    "21900-6": ("n", "pathological"),
    "21912-1": ("n", "post_neoadjuvant"),
    "21907-1": ("m", "clinical"),
    "21901-4": ("m", "pathological"),
    "21913-9": ("m", "post_neoadjuvant"),
    "399537006": ("group", "clinical"),  # IGEX Clinical TNM stage grouping
    "399588009": ("group", "pathological"),  # IGEX Pathologic TNM stage grouping
    "399504009": ("t", "clinical"),  # IGEX cT category
    "384625004": ("t", "pathological"),  # IGEX pT category
    "399534004": ("n", "clinical"),  # IGEX cN category
    "371494008": ("n", "pathological"),  # IGEX pN category
    "399387003": ("m", "clinical"),  # IGEX cM category
    "371497001": ("m", "pathological"),  # IGEX pM category
}
STAGING_EXPORT: Final = {
    (part, basis): code
    for code, (part, basis) in STAGING_CODES.items()
    if code[0:2] == "21"  # LOINC codes (DD)
}
# Staging method (DD mcode-tnm-staging-method-vs) <-> Stage.system; C146985 is NCI (REAL).
STAGING_METHODS: Final = {
    "897275008": "AJCC 8",
    "443830009": "AJCC 7",
    "444256004": "AJCC 6",
    "C146985": "AJCC 8",
}
# SNOMED AJCC category/group values seen in IGEX. The value sets are intensional (is-a), so
# other values are exported as text only.
STAGE_VALUE_SNOMED: Final = {
    "1228938002": ("t", "clinical", "T3"),
    "1229984001": ("n", "clinical", "N3"),
    "1229967007": ("n", "clinical", "N0"),
    "1229901006": ("m", "clinical", "M0"),
    "1229859000": ("t", "pathological", "T3"),
    "1229947003": ("n", "pathological", "N0"),
    "1222806003": ("group", "", "IIIC"),
    "1222769001": ("group", "", "IIB"),
}

# --- primary cancer -------------------------------------------------------------------------
BREAST_CANCER: Final = "254837009"  # Malignant neoplasm of breast (disorder): IGEX / REAL
PRIMARY_BREAST_CODES: Final = {
    "254837009": None,
    "372137005": None,  # Primary malignant neoplasm of breast (disorder): REAL
    "408643008": Histology.DUCTAL,  # Infiltrating duct carcinoma of breast (disorder): REAL
    "353431000119107": None,  # Primary malignant neoplasm of female left breast: IGEX
}
PRIMARY_LATERALITY_CODES: Final = {"353431000119107": Laterality.LEFT}  # IGEX
BREAST_STRUCTURE: Final = "76752008"  # REAL (Breast structure)
BREAST_SITE_LATERALITY: Final = {"80248007": Laterality.LEFT, "73056007": Laterality.RIGHT}
# 80248007 Left breast structure: IGEX; 73056007 Right breast structure: UNVERIFIED.
LATERALITY: Final = {  # DD mcode-laterality-qualifier-vs
    Laterality.LEFT: "7771000",
    Laterality.RIGHT: "24028007",
    Laterality.BILATERAL: "51440002",
}
# SNOMED CT morphology (histology-morphology-behavior) and ICD-O-3 per histology.
# 82711006: IGEX; 367651003 "Malignant neoplasm (morphology)": DD value-set root / REAL;
# all other SNOMED morphology codes: UNVERIFIED. ICD-O-3 codes: UNVERIFIED (WHO ICD-O-3.2).
HISTOLOGY_SNOMED: Final = {
    Histology.DUCTAL: "82711006",
    Histology.LOBULAR: "89740008",
    Histology.MIXED: "30156004",
    Histology.MUCINOUS: "72495009",
    Histology.METAPLASTIC: "128705006",
    Histology.SECRETORY: "35977002",
    Histology.MEDULLARY: "32913002",
    Histology.TUBULAR: "4631006",
    Histology.PAPILLARY: "63597008",
    Histology.INFLAMMATORY: "32968003",
    Histology.OTHER: "367651003",
}
HISTOLOGY_ICDO3: Final = {
    "8500/3": Histology.DUCTAL,
    "8520/3": Histology.LOBULAR,
    "8522/3": Histology.MIXED,
    "8480/3": Histology.MUCINOUS,
    "8575/3": Histology.METAPLASTIC,
    "8502/3": Histology.SECRETORY,
    "8510/3": Histology.MEDULLARY,
    "8211/3": Histology.TUBULAR,
    "8503/3": Histology.PAPILLARY,
    "8530/3": Histology.INFLAMMATORY,
}

# --- metastatic sites -----------------------------------------------------------------------
METASTATIC_NEOPLASM: Final = "128462008"  # DD secondary-cancer-disorder-vs root; IGEX
# Secondary malignant neoplasm disorders: bone, liver (REAL), lung (REAL), brain (IGEX),
# axillary lymph nodes (REAL; read only).
SECONDARY_DISORDER: Final = {
    SiteName.BONE: "94222008",
    SiteName.LIVER: "94381002",
    SiteName.LUNG: "94391008",
    SiteName.BRAIN: "94225005",
}
SECONDARY_DISORDER_READ: Final = {
    **{code: site for site, code in SECONDARY_DISORDER.items()},
    "94181007": SiteName.LYMPH_NODE,
}
# Body structure per site. Lung 39607008: IGEX; all others UNVERIFIED.
SITE_BODY_STRUCTURE: Final = {
    SiteName.BONE: "272673000",
    SiteName.LIVER: "10200004",
    SiteName.LUNG: "39607008",
    SiteName.BRAIN: "12738006",
    SiteName.LEPTOMENINGEAL: "1231004",
    SiteName.LYMPH_NODE: "59441001",
    SiteName.PLEURA: "3120008",
    SiteName.SKIN_SOFT_TISSUE: "39937001",
    SiteName.PERITONEUM: "15425007",
    SiteName.ADRENAL: "23451007",
}
# Words of a SNOMED display ("Secondary malignant neoplasm of liver") -> site, for bundles whose
# codes are not in the tables above. Order matters: first match wins.
SITE_WORDS: Final = (
    ("lymph node", SiteName.LYMPH_NODE),
    ("meninge", SiteName.LEPTOMENINGEAL),
    ("bone", SiteName.BONE),
    ("liver", SiteName.LIVER),
    ("lung", SiteName.LUNG),
    ("brain", SiteName.BRAIN),
    ("pleura", SiteName.PLEURA),
    ("skin", SiteName.SKIN_SOFT_TISSUE),
    ("periton", SiteName.PERITONEUM),
    ("adrenal", SiteName.ADRENAL),
)

# --- treatment ------------------------------------------------------------------------------
# mCODE procedure-intent-vs (DD) for curative / palliative / supportive. Adjuvant 373846009 and
# neo-adjuvant 373847000 (SNOMED "Procedure intent" concepts) are UNVERIFIED and not in the DD
# value set; they travel next to "curative" so that the setting survives the round trip.
CURATIVE: Final = "373808002"
PALLIATIVE: Final = "363676003"
SUPPORTIVE: Final = "399707004"
ADJUVANT: Final = "373846009"
NEOADJUVANT: Final = "373847000"
SETTING_INTENT: Final = {
    Setting.NEOADJUVANT: (CURATIVE, NEOADJUVANT),
    Setting.ADJUVANT: (CURATIVE, ADJUVANT),
    Setting.METASTATIC: (PALLIATIVE,),
    Setting.SUPPORTIVE: (SUPPORTIVE,),
}
LOCAL_INTENT: Final = {"curative": CURATIVE, "palliative": PALLIATIVE}  # "ablative": text only
# mCODE treatment-termination-reason-vs (DD). "progression" maps to "No response to treatment".
STOP_REASONS: Final = {
    StopReason.PROGRESSION: "266721009",
    StopReason.TOXICITY: "407563006",
    StopReason.COMPLETED: "182992009",
    StopReason.PATIENT_CHOICE: "105480006",
    StopReason.DEATH: "419620001",
}
# mCODE condition-status-trend-vs (DD) for the best response of a line.
RESPONSE_STATUS: Final = {
    BestResponse.CR: "550991000124107",  # Malignant neoplasm in full remission
    BestResponse.PCR: "550991000124107",
    BestResponse.PR: "551001000124108",  # ... in partial remission
    BestResponse.SD: "359746009",  # Patient's condition stable
    BestResponse.PD: "271299001",  # Patient's condition worsened
    BestResponse.NE: "709137006",  # Patient condition undetermined
}
WORSENED: Final = "271299001"
EVIDENCE_IMAGING: Final = "363679005"  # DD evidence-type value set; IGEX
EVIDENCE_PATHOLOGY: Final = "108257001"  # DD evidence-type value set; IGEX

# --- local therapy --------------------------------------------------------------------------
SURGERY: Final = "387713003"  # Surgical procedure: DD cancer-related-surgical-procedure-vs root
RADIOTHERAPY_COURSE: Final = "1217123003"  # IGEX Radiotherapy course of treatment
