"""Rule-based oncogenicity of one normalised alteration; every call says which rule and why.

Rules, first match wins (the ``rule`` field names it):

``unknown_gene``      gene not in ``genes.tsv`` -> VUS.
``germline_class``    germline variant with an ACMG/AMP class: (likely) pathogenic -> oncogenic,
                      (likely) benign -> likely neutral [4]_.
``hotspot``           exact hotspot of ``hotspots.tsv`` (Chang 2016 hotspots [1]_) -> oncogenic.
``esr1_lbd``          ESR1 ligand-binding-domain missense at codon 380/536/537/538 -> oncogenic
                      (activating LBD mutations named in the EMBER-3 FDA notice, fact sheet
                      section 0); codon 463 -> likely oncogenic (unverified citation).
``hotspot_codon``     missense/in-frame change at a hotspot residue of [1]_ -> likely oncogenic.
``truncating_tsg``    nonsense/frameshift/canonical splice in a tumour suppressor -> likely
                      oncogenic (null variant in a tumour suppressor, OVS1 of [3]_).
``amplification``     amplification of an oncogene -> likely oncogenic; ERBB2 -> oncogenic
                      (ESCAT IA, fact sheet section 1).
``deep_deletion_tsg`` homozygous deletion of a tumour suppressor -> likely oncogenic [3]_.
``kinase_fusion``     fusion with NTRK1/2/3, RET, ALK or ROS1 as 3' partner -> likely oncogenic
                      (tissue-agnostic fusion targets, fact sheet section 1E).
``silent``            synonymous or non-coding -> likely neutral.
``default``           anything else -> VUS.

Limitations: NMD escape of late truncations, in-frame status of fusions and allele-specific
functional data are not assessed; a VUS here is "not classified by these rules".

References
----------
.. [1] Chang MT et al. Nat Biotechnol 2016;34:155-163, doi:10.1038/nbt.3391 (hotspot residues as
   listed in mskcc/vcf2maf data/known_somatic_sites.bed).
.. [2] Chakravarty D et al. OncoKB: a precision oncology knowledge base. JCO Precis Oncol 2017.
.. [3] Horak P et al. Standards for the classification of pathogenicity of somatic variants in
   cancer (oncogenicity). Genet Med 2022;24(5):986-998, doi:10.1016/j.gim.2022.01.001.
.. [4] Richards S et al. ACMG/AMP standards for the interpretation of sequence variants. Genet
   Med 2015;17:405-424.
"""

from __future__ import annotations

from enum import StrEnum

from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass
from oncoboard.knowledge.genes import gene_table, hotspots
from oncoboard.model._base import CaseModel
from oncoboard.model.evidence import Evidence, EvidenceSource
from oncoboard.model.genomics import GermlineClassification, SampleOrigin

__all__ = ["HOTSPOT_CODONS", "OncogenicityCall", "OncogenicityLabel", "call_oncogenicity"]


class OncogenicityLabel(StrEnum):
    """Oncogenicity class (OncoKB-style labels [2]_)."""

    ONCOGENIC = "oncogenic"
    LIKELY_ONCOGENIC = "likely_oncogenic"
    VUS = "vus"
    LIKELY_NEUTRAL = "likely_neutral"


class OncogenicityCall(CaseModel):
    """Label of one alteration, the rule that decided it, why, and the citations."""

    label: OncogenicityLabel
    reason: str
    rule: str
    evidence: tuple[Evidence, ...] = ()


_CHANG = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="doi:10.1038/nbt.3391",
    title="Chang MT et al. Recurrent mutations in cancer (hotspots). Nat Biotechnol 2016",
)
_HORAK = Evidence(
    source=EvidenceSource.CONSENSUS,
    id="doi:10.1016/j.gim.2022.01.001",
    title="Horak P et al. ClinGen/CGC/VICC oncogenicity SOP. Genet Med 2022;24:986",
)
_ONCOKB = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="doi:10.1200/PO.17.00011",
    title="Chakravarty D et al. OncoKB. JCO Precis Oncol 2017",
    verified=False,
)
_ACMG = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="doi:10.1038/gim.2015.30",
    title="Richards S et al. ACMG/AMP variant interpretation standards. Genet Med 2015",
    verified=False,
)
_EMBER3 = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="FDA notice imlunestrant (EMBER-3), 25 Sep 2025",
    title="ESR1 activating LBD mutations (Y537S/N/C, D538G, E380Q, L536x)",
)
_TOY = Evidence(
    source=EvidenceSource.PUBLICATION,
    id="Toy W et al. Cancer Discov 2017",
    title="Activating ESR1 mutations differentially affect the efficacy of ER antagonists",
    verified=False,
)
_ESCAT = Evidence(
    source=EvidenceSource.GUIDELINE,
    id="ESCAT breast (Condorelli Ann Oncol 2019)",
    title="ERBB2 amplification: ESCAT tier IA",
    level="IA",
)
_TISSUE_AGNOSTIC = Evidence(
    source=EvidenceSource.FDA_LABEL,
    id="FDA tissue-agnostic approvals (NTRK, RET fusions)",
    title="Larotrectinib/entrectinib/repotrectinib (NTRK), selpercatinib (RET) labels",
    verified=False,
)

HOTSPOT_CODONS: dict[str, frozenset[int]] = {
    gene: frozenset(codons)
    for gene, codons in {
        "PIK3CA": (38, 81, 88, 106, 111, 118, 344, 345, 378, 420, 453, 542, 545, 546, 726,
                   1021, 1043, 1044, 1047),
        "AKT1": (17,),
        "ERBB2": (310, 678, 755, 769, 777, 842),
        "ERBB3": (60, 104, 297),
        "KRAS": (12, 13, 60, 61, 117, 146),
        "NRAS": (12, 13, 61),
        "HRAS": (12, 13, 61),
        "BRAF": (466, 469, 581, 594, 596, 597, 600, 601),
        "FGFR1": (577, 687),
        "FGFR2": (252, 383, 550),
        "FGFR3": (248, 249, 375),
        "CDK4": (22, 24),
        "MTOR": (1483, 2215, 2500),
        "SF3B1": (625, 626, 666, 700, 742, 894),
        "FOXA1": (176,),
        "SPOP": (87, 102, 131, 133),
        "PIK3R1": (348, 376, 564, 567),
        "PTEN": (130, 136, 233),
        "CDH1": (23,),
        "CCND1": (44, 287),
        "MYC": (73, 161),
        "TP53": (111, 125, 132, 135, 136, 141, 144, 151, 163, 173, 175, 176, 179, 193, 194,
                 195, 196, 205, 213, 214, 215, 216, 220, 234, 236, 237, 238, 239, 241, 242,
                 244, 245, 248, 249, 255, 266, 270, 272, 273, 274, 275, 278, 280, 281, 282, 286),
    }.items()
}  # fmt: skip
"""Hotspot residues of MBC genes, GRCh37 hotspot loci of [1]_ in mskcc/vcf2maf
``data/known_somatic_sites.bed`` (residue numbers as listed there)."""

_ESR1_LBD_VERIFIED = frozenset({380, 536, 537, 538})
_ESR1_LBD_UNVERIFIED = frozenset({463})
_KINASE_3P = frozenset({"NTRK1", "NTRK2", "NTRK3", "RET", "ALK", "ROS1"})
_PROTEIN_CHANGING = frozenset({ConsequenceClass.MISSENSE, ConsequenceClass.INFRAME_INDEL})
_SILENT = frozenset({ConsequenceClass.SYNONYMOUS, ConsequenceClass.NONCODING})
_PATHOGENIC = frozenset(
    {GermlineClassification.PATHOGENIC, GermlineClassification.LIKELY_PATHOGENIC}
)
_BENIGN = frozenset({GermlineClassification.BENIGN, GermlineClassification.LIKELY_BENIGN})

_L = OncogenicityLabel


def _make(label: _L, rule: str, reason: str, *evidence: Evidence) -> OncogenicityCall:
    return OncogenicityCall(label=label, rule=rule, reason=f"{rule}: {reason}", evidence=evidence)


def _mutation(alt: Alteration) -> OncogenicityCall | None:
    role = gene_table().role(alt.gene)
    assert role is not None
    if alt.origin is SampleOrigin.GERMLINE and alt.germline_classification is not None:
        cls = alt.germline_classification
        if cls in _PATHOGENIC:
            return _make(_L.ONCOGENIC, "germline_class", f"{alt.label} is germline {cls}", _ACMG)
        if cls in _BENIGN:
            return _make(_L.LIKELY_NEUTRAL, "germline_class", f"{alt.label} is germline {cls}",
                         _ACMG)  # fmt: skip
    change = alt.protein_change
    if change and (rows := hotspots().by_protein(alt.gene, change)):
        return _make(_L.ONCOGENIC, "hotspot",
                     f"{alt.gene} {change} is a hotspot ({rows[0].hgvs_c}, {rows[0].transcript})",
                     _CHANG)  # fmt: skip
    codon = alt.codon
    if alt.gene == "ESR1" and codon is not None and alt.consequence is ConsequenceClass.MISSENSE:
        if codon in _ESR1_LBD_VERIFIED:
            return _make(_L.ONCOGENIC, "esr1_lbd",
                         f"ESR1 {change} is a ligand-binding-domain missense at codon {codon}",
                         _EMBER3)  # fmt: skip
        if codon in _ESR1_LBD_UNVERIFIED:
            return _make(_L.LIKELY_ONCOGENIC, "esr1_lbd",
                         f"ESR1 {change} is a ligand-binding-domain missense at codon {codon}",
                         _TOY)  # fmt: skip
    if (
        codon is not None
        and alt.consequence in _PROTEIN_CHANGING
        and codon in HOTSPOT_CODONS.get(alt.gene, frozenset())
    ):
        return _make(_L.LIKELY_ONCOGENIC, "hotspot_codon",
                     f"{alt.gene} {change} changes hotspot residue {codon}", _CHANG)  # fmt: skip
    if alt.consequence.truncating and role.suppressor:
        return _make(_L.LIKELY_ONCOGENIC, "truncating_tsg",
                     f"{alt.label} is {alt.consequence.value} in tumour suppressor {alt.gene}",
                     _HORAK)  # fmt: skip
    if alt.consequence in _SILENT:
        return _make(_L.LIKELY_NEUTRAL, "silent", f"{alt.label} is {alt.consequence.value}",
                     _HORAK)  # fmt: skip
    return None


def call_oncogenicity(alteration: Alteration) -> OncogenicityCall:
    """Oncogenicity of ``alteration`` by the first matching rule (see module docstring).

    Never raises for a valid :class:`Alteration`; an alteration no rule covers is VUS with
    rule ``default``.
    """
    alt = alteration
    genes = gene_table()
    kind = alt.kind
    if kind is AlterationKind.FUSION:
        if alt.partner in _KINASE_3P:
            return _make(_L.LIKELY_ONCOGENIC, "kinase_fusion",
                         f"{alt.label}: {alt.partner} is the 3' (kinase) partner",
                         _TISSUE_AGNOSTIC, _ONCOKB)  # fmt: skip
        return _make(_L.VUS, "default", f"{alt.label}: no 3' kinase partner of the fusion rule")
    role = genes.role(alt.gene)
    if role is None:
        return _make(_L.VUS, "unknown_gene", f"{alt.gene!r} is not in the gene table")
    call: OncogenicityCall | None = None
    if kind is AlterationKind.MUTATION:
        call = _mutation(alt)
    elif kind is AlterationKind.AMPLIFICATION and role.activating:
        if alt.gene == "ERBB2":
            call = _make(_L.ONCOGENIC, "amplification", "ERBB2 amplification", _ESCAT)
        else:
            call = _make(_L.LIKELY_ONCOGENIC, "amplification",
                         f"{alt.gene} amplification of an oncogene", _ONCOKB)  # fmt: skip
    elif kind is AlterationKind.DEEP_DELETION and role.suppressor:
        call = _make(_L.LIKELY_ONCOGENIC, "deep_deletion_tsg",
                     f"homozygous deletion of tumour suppressor {alt.gene}", _HORAK)  # fmt: skip
    return call or _make(_L.VUS, "default", f"{alt.label}: no rule classifies it")
