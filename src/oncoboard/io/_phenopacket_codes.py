"""Ontology terms and resources used by the Phenopackets export, each with its source.

``verified=True`` means the code and label were seen together in a published source named in
``source`` (the Phenopackets documentation, an HL7 implementation guide, or a published
mapping); ``verified=False`` marks a code written from memory that still needs checking against
the ontology release (it is listed as unverified in ``docs/interop-research.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oncoboard.model import (
    BestResponse,
    Histology,
    LocalTherapyKind,
    SiteName,
    SpecimenType,
)
from oncoboard.model.receptors import Specimen

__all__ = [
    "BEST_RESPONSE",
    "BIOPSY",
    "BREAST",
    "BREAST_CARCINOMA",
    "HISTOLOGY",
    "HOMO_SAPIENS",
    "LATERALITY",
    "LOCAL_THERAPY",
    "LOINC_ER",
    "LOINC_HER2_IHC",
    "LOINC_HER2_ISH",
    "LOINC_PR",
    "METASTATIC_NEOPLASM",
    "NEGATIVE",
    "ORGANS",
    "POSITIVE",
    "RESOURCES",
    "SAMPLE_TYPE",
    "SITE_TISSUE",
    "SPECIMEN_TISSUE",
    "STAGE_IV",
    "TNM",
    "TUMOR_PROGRESSION",
    "UNKNOWN",
    "ZYGOSITY",
    "Resource",
    "Term",
]

_PP_CANCER = "Phenopackets v2 docs, 'A complete example: Oncology' (cancer-example.rst)"
_HL7_TP = "HL7 Phenomics Exchange IG, ValueSet TumorProgression"
_MCODE = "mCODE STU examples (TumorMarkerTest) and HL7 IG value sets"
_ENCODE = "ENCODE organ slims (UBERON id -> label table)"
_OBO = "OBO term pages as cited in published mappings (UBERON)"
_GENO = "Phenopackets docs and phenopacket-tools (GENO allelic states)"
_LINKML = "published LinkML enum mapping (NCIT TNM and radiotherapy technique)"


@dataclass(frozen=True, slots=True)
class Term:
    """An ontology class: CURIE id, label, whether it was checked, and where it comes from."""

    id: str
    label: str
    verified: bool
    source: str

    @property
    def prefix(self) -> str:
        """The CURIE prefix, e.g. ``NCIT``."""
        return self.id.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Resource:
    """A ``MetaData.resources`` entry."""

    id: str
    name: str
    url: str
    version: str
    namespace_prefix: str
    iri_prefix: str


def _t(curie: str, label: str, source: str, *, verified: bool = True) -> Term:
    return Term(curie, label, verified, source)


# --- diseases and tumour status ---------------------------------------------------------------
BREAST_CARCINOMA: Final = _t("NCIT:C4872", "Breast Carcinoma", "NCIt; phenopacket examples")
METASTATIC_NEOPLASM: Final = _t("NCIT:C3261", "Metastatic Neoplasm", _PP_CANCER)
TUMOR_PROGRESSION: Final[dict[Specimen, Term]] = {
    Specimen.PRIMARY: _t("NCIT:C84509", "Primary Malignant Neoplasm", _PP_CANCER),
    Specimen.METASTASIS: METASTATIC_NEOPLASM,
    Specimen.RECURRENCE: _t("NCIT:C4798", "Recurrent Neoplasm", _HL7_TP),
}
HISTOLOGY: Final[dict[Histology, Term]] = {
    Histology.DUCTAL: _t(
        "NCIT:C4194", "Invasive Breast Carcinoma of No Special Type", "NCIt; i2b2 mappings"
    ),
    Histology.LOBULAR: _t("NCIT:C7950", "Invasive Lobular Breast Carcinoma", "NCIt; mappings"),
    Histology.MIXED: _t(
        "NCIT:C6393", "Invasive Ductal and Invasive Lobular Breast Carcinoma", "Progenetix"
    ),
}
"""Histologies with a checked NCIt code; others fall back to :data:`BREAST_CARCINOMA`."""
STAGE_IV: Final = _t("NCIT:C27971", "Stage IV", "Phenopackets v2 cancer example (diseaseStage)")
TNM: Final[dict[str, Term]] = {
    # main categories only; sub-categories (T1c, N1a...) are exported as their main category
    "T0": _t("NCIT:C48719", "T0 Stage Finding", _LINKML),
    "T1": _t("NCIT:C48720", "T1 Stage Finding", _LINKML),
    "T2": _t("NCIT:C48724", "T2 Stage Finding", _LINKML),
    "T3": _t("NCIT:C48728", "T3 Stage Finding", "from memory", verified=False),
    "T4": _t("NCIT:C48732", "T4 Stage Finding", _LINKML),
    "N0": _t("NCIT:C48705", "N0 Stage Finding", _LINKML),
    "N1": _t("NCIT:C48706", "N1 Stage Finding", _LINKML),
    "N2": _t("NCIT:C48786", "N2 Stage Finding", _LINKML),
    "N3": _t("NCIT:C48714", "N3 Stage Finding", _LINKML),
    "M0": _t("NCIT:C48699", "M0 Stage Finding", _LINKML),
    "M1": _t("NCIT:C48700", "M1 Stage Finding", f"{_LINKML}; Phenopackets Java examples"),
}
LATERALITY: Final[dict[str, Term]] = {
    "left": _t("HP:0012835", "Left", "from memory (HPO laterality)", verified=False),
    "right": _t("HP:0012834", "Right", "from memory (HPO laterality)", verified=False),
    "bilateral": _t("HP:0012832", "Bilateral", "from memory (HPO laterality)", verified=False),
}

# --- anatomy (UBERON) ---------------------------------------------------------------------------
BREAST: Final = _t("UBERON:0000310", "breast", _ENCODE)
ORGANS: Final[dict[str, Term]] = {
    "bone": _t("UBERON:0001474", "bone element", _ENCODE),
    "liver": _t("UBERON:0002107", "liver", _ENCODE),
    "lung": _t("UBERON:0002048", "lung", _ENCODE),
    "brain": _t("UBERON:0000955", "brain", _ENCODE),
    "leptomeninges": _t("UBERON:0000391", "leptomeninx", _OBO),
    "lymph node": _t("UBERON:0000029", "lymph node", _ENCODE),
    "pleura": _t("UBERON:0000977", "pleura", _OBO),
    "skin or soft tissue": _t("UBERON:0002097", "skin of body", _ENCODE),
    "peritoneum": _t("UBERON:0002358", "peritoneum", _OBO),
    "adrenal gland": _t("UBERON:0002369", "adrenal gland", _ENCODE),
    "breast": BREAST,
}
"""Coarse organ names (as produced by the de-identification site generaliser) to UBERON."""
SITE_TISSUE: Final[dict[SiteName, Term]] = {
    SiteName.BONE: ORGANS["bone"],
    SiteName.LIVER: ORGANS["liver"],
    SiteName.LUNG: ORGANS["lung"],
    SiteName.BRAIN: ORGANS["brain"],
    SiteName.LEPTOMENINGEAL: ORGANS["leptomeninges"],
    SiteName.LYMPH_NODE: ORGANS["lymph node"],
    SiteName.PLEURA: ORGANS["pleura"],
    SiteName.SKIN_SOFT_TISSUE: ORGANS["skin or soft tissue"],
    SiteName.PERITONEUM: ORGANS["peritoneum"],
    SiteName.ADRENAL: ORGANS["adrenal gland"],
}
SPECIMEN_TISSUE: Final[dict[SpecimenType, Term]] = {
    SpecimenType.PLASMA: _t("UBERON:0001969", "blood plasma", _OBO),
    SpecimenType.BLOOD: _t("UBERON:0000178", "blood", _ENCODE),
    SpecimenType.SALIVA: _t("UBERON:0001836", "saliva", _OBO),
}
UNKNOWN: Final = _t("NCIT:C17998", "Unknown", _LINKML)
SAMPLE_TYPE: Final[dict[SpecimenType, Term]] = {
    SpecimenType.TISSUE: _t("NCIT:C12801", "Tissue", "from memory", verified=False),
    SpecimenType.PLASMA: _t("NCIT:C13356", "Plasma", "from memory", verified=False),
    SpecimenType.BLOOD: _t("NCIT:C12434", "Blood", "from memory", verified=False),
    SpecimenType.SALIVA: _t("NCIT:C13275", "Saliva", "from memory", verified=False),
}
BIOPSY: Final = _t("NCIT:C15189", "Biopsy", _PP_CANCER)
HOMO_SAPIENS: Final = _t("NCBITaxon:9606", "Homo sapiens", "Phenopackets v2 docs (taxonomy)")

# --- measurements (LOINC) and results --------------------------------------------------------
LOINC_ER: Final = _t(
    "LOINC:85337-4",
    "Estrogen receptor Ag [Presence] in Breast cancer specimen by Immune stain",
    _MCODE,
)
LOINC_PR: Final = _t(
    "LOINC:85339-0",
    "Progesterone receptor Ag [Presence] in Breast cancer specimen by Immune stain",
    _MCODE,
)
LOINC_HER2_IHC: Final = _t(
    "LOINC:85319-2", "HER2 [Presence] in Breast cancer specimen by Immune stain", _MCODE
)
LOINC_HER2_ISH: Final = _t(
    "LOINC:85318-4", "HER2 [Presence] in Breast cancer specimen by FISH", _MCODE
)
POSITIVE: Final = _t("NCIT:C38758", "Positive Finding", "NCIt; published LinkML value sets")
NEGATIVE: Final = _t("NCIT:C38757", "Negative Finding", _PP_CANCER)

# --- variants -----------------------------------------------------------------------------------
ZYGOSITY: Final[dict[str, Term]] = {
    "heterozygous": _t("GENO:0000135", "heterozygous", _GENO),
    "homozygous": _t("GENO:0000136", "homozygous", _GENO),
    "hemizygous": _t("GENO:0000134", "hemizygous", _GENO),
}

# --- treatment ----------------------------------------------------------------------------------
BEST_RESPONSE: Final[dict[BestResponse, Term]] = {
    BestResponse.CR: _t("NCIT:C4870", "Complete Remission", "from memory", verified=False),
    BestResponse.PR: _t("NCIT:C18213", "Partial Remission", "from memory", verified=False),
    BestResponse.SD: _t("NCIT:C18052", "Stable Disease", "from memory", verified=False),
    BestResponse.PD: _t("NCIT:C35571", "Progressive Disease", "from memory", verified=False),
}
LOCAL_THERAPY: Final[dict[LocalTherapyKind, Term]] = {
    LocalTherapyKind.STEREOTACTIC_RADIOSURGERY: _t(
        "NCIT:C15358", "Stereotactic Radiosurgery", _LINKML
    ),
    LocalTherapyKind.STEREOTACTIC_BODY_RADIOTHERAPY: _t(
        "NCIT:C118286", "Stereotactic Body Radiation Therapy", _LINKML
    ),
    LocalTherapyKind.EXTERNAL_BEAM_RADIOTHERAPY: _t(
        "NCIT:C15751", "External Beam Radiation Therapy", "from memory", verified=False
    ),
    LocalTherapyKind.WHOLE_BRAIN_RADIOTHERAPY: _t(
        "NCIT:C15751", "External Beam Radiation Therapy", "from memory", verified=False
    ),
    LocalTherapyKind.SURGERY: _t(
        "NCIT:C17173", "Surgical Procedure", "from memory", verified=False
    ),
}
"""Local therapies without an entry (ablation, other) are not exported."""

# --- resources ----------------------------------------------------------------------------------
_OBO_PURL = "http://purl.obolibrary.org/obo/"
UNVERSIONED: Final = "unversioned"
RESOURCES: Final[dict[str, Resource]] = {
    r.namespace_prefix: r
    for r in (
        Resource(
            "ncit",
            "NCI Thesaurus OBO Edition",
            f"{_OBO_PURL}ncit.owl",
            UNVERSIONED,
            "NCIT",
            f"{_OBO_PURL}NCIT_",
        ),
        Resource(
            "uberon",
            "Uber-anatomy ontology",
            f"{_OBO_PURL}uberon.owl",
            UNVERSIONED,
            "UBERON",
            f"{_OBO_PURL}UBERON_",
        ),
        Resource(
            "hp",
            "Human Phenotype Ontology",
            f"{_OBO_PURL}hp.owl",
            UNVERSIONED,
            "HP",
            f"{_OBO_PURL}HP_",
        ),
        Resource(
            "geno",
            "Genotype Ontology",
            f"{_OBO_PURL}geno.owl",
            UNVERSIONED,
            "GENO",
            f"{_OBO_PURL}GENO_",
        ),
        Resource(
            "ncbitaxon",
            "NCBI organismal classification",
            f"{_OBO_PURL}ncbitaxon.owl",
            UNVERSIONED,
            "NCBITaxon",
            f"{_OBO_PURL}NCBITaxon_",
        ),
        Resource(
            "loinc",
            "Logical Observation Identifiers Names and Codes",
            "https://loinc.org",
            UNVERSIONED,
            "LOINC",
            "https://loinc.org/",
        ),
        Resource(
            "hgnc",
            "HUGO Gene Nomenclature Committee",
            "https://www.genenames.org",
            UNVERSIONED,
            "HGNC",
            "https://identifiers.org/hgnc:",
        ),
        Resource(
            "hgnc.symbol",
            "HGNC gene symbols",
            "https://www.genenames.org",
            UNVERSIONED,
            "HGNC.SYMBOL",
            "https://identifiers.org/hgnc.symbol:",
        ),
        Resource(
            "rxnorm",
            "RxNorm",
            "https://www.nlm.nih.gov/research/umls/rxnorm/",
            UNVERSIONED,
            "RXNORM",
            "https://identifiers.org/rxnorm:",
        ),
        Resource(
            "ucum",
            "Unified Code for Units of Measure",
            "https://ucum.org",
            "2.1",
            "UCUM",
            "https://ucum.org/ucum#",
        ),
        Resource(
            "oncoboard.drug",
            "Oncoboard drug vocabulary (knowledge/data/drugs.yaml)",
            "https://oncoboard.invalid/knowledge/drugs",
            UNVERSIONED,
            "oncoboard.drug",
            "https://oncoboard.invalid/knowledge/drugs#",
        ),
    )
}
"""Every prefix the export may use; ``meta_data.resources`` lists those a packet uses."""
