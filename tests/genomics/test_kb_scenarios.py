"""Scenario tests: every knowledge-base entry fires for a patient built to match it, with its
context met, and does not fire when the biomarker is absent or untested."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncoboard.derive import HER2Category
from oncoboard.genomics import Alteration, AlterationKind, ConsequenceClass
from oncoboard.genomics.findings import ContextStatus, FindingKind
from oncoboard.genomics.matching import match_entry, match_profile
from oncoboard.genomics.normalize import protein_change
from oncoboard.genomics.oncogenicity import call_oncogenicity
from oncoboard.genomics.profile import BiomarkerProfile, CaseContext
from oncoboard.knowledge.therapies import knowledge_base
from oncoboard.model import (
    GermlineClassification,
    MSIStatus,
    PDL1Assay,
    PDL1Result,
    PDL1Scoring,
    SampleOrigin,
    SpecimenType,
)

KB = knowledge_base()
ENTRIES = {entry.id: entry for entry in KB.entries}


def mut(gene: str, change: str, consequence=ConsequenceClass.MISSENSE, **extra: Any) -> Alteration:
    codon = protein_change(change)[1]
    fields = {"specimen": SpecimenType.TISSUE, "origin": SampleOrigin.SOMATIC, **extra}
    return Alteration(
        gene=gene,
        kind=AlterationKind.MUTATION,
        protein_change=change,
        consequence=consequence,
        codon=codon,
        source=f"scenario {gene}",
        **fields,
    )


def cn(gene: str, kind: AlterationKind) -> Alteration:
    return Alteration(gene=gene, kind=kind, source=f"scenario {gene}")


def fusion(gene: str, partner: str) -> Alteration:
    return Alteration(
        gene=gene, kind=AlterationKind.FUSION, partner=partner, source=f"scenario {gene}"
    )


def germline(gene: str, change: str) -> Alteration:
    return mut(
        gene,
        change,
        ConsequenceClass.FRAMESHIFT,
        origin=SampleOrigin.GERMLINE,
        specimen=SpecimenType.BLOOD,
        germline_classification=GermlineClassification.PATHOGENIC,
    )


def pdl1(assay: PDL1Assay, scoring: PDL1Scoring, value: float) -> PDL1Result:
    return PDL1Result(
        marker="PD-L1", assay=assay, scoring=scoring, value=value, date=dt.date(2025, 1, 1)
    )


def ctx(subtype: str, line: int, prior=(), current=(), metastatic=None) -> CaseContext:
    """Context; ``metastatic`` (classes given for metastatic disease) defaults to ``prior``."""
    return CaseContext(
        subtype=subtype,
        her2=None,
        line=line,
        prior_classes=frozenset(prior),
        current_classes=frozenset(current),
        prior_agents_by_class=dict.fromkeys(prior, ("agent",)),
        metastatic_classes=frozenset(prior if metastatic is None else metastatic),
    )


HRPOS = "HR+/HER2-"
ET = ("endocrine_therapy", "aromatase_inhibitor")
AFTER_CDK = (*ET, "cdk46_inhibitor")
HER2_POS = {"her2": HER2Category.POSITIVE}

# entry id -> (profile keyword arguments, expected finding biomarker label)
SCENARIOS: dict[str, tuple[dict[str, Any], str]] = {
    "pik3ca-alpelisib-fulvestrant": (
        {"alterations": [mut("PIK3CA", "H1047R")], "context": ctx(HRPOS, 2, AFTER_CDK)},
        "PIK3CA H1047R",
    ),
    "pik3ca-inavolisib-palbociclib-fulvestrant": (
        {
            "alterations": [mut("PIK3CA", "E545K", specimen=SpecimenType.PLASMA)],
            "context": ctx(HRPOS, 1, ET),
        },
        "PIK3CA E545K",
    ),
    "pik3ca-akt1-pten-capivasertib-fulvestrant": (
        {"alterations": [mut("AKT1", "E17K")], "context": ctx(HRPOS, 2, AFTER_CDK)},
        "AKT1 E17K",
    ),
    "esr1-elacestrant": (
        {
            "alterations": [mut("ESR1", "D538G", specimen=SpecimenType.PLASMA)],
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "ESR1 D538G",
    ),
    "esr1-imlunestrant": (
        {
            "alterations": [mut("ESR1", "Y537S", specimen=SpecimenType.PLASMA)],
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "ESR1 Y537S",
    ),
    "esr1-vepdegestrant": (
        {
            "alterations": [mut("ESR1", "Y537N", specimen=SpecimenType.PLASMA)],
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "ESR1 Y537N",
    ),
    "esr1-emergent-camizestrant-switch": (
        {
            "alterations": [mut("ESR1", "D538G", specimen=SpecimenType.PLASMA)],
            "context": ctx(HRPOS, 1, AFTER_CDK, current=("aromatase_inhibitor", "cdk46_inhibitor")),
        },
        "ESR1 D538G",
    ),
    "esr1-giredestrant-everolimus": (
        {"alterations": [mut("ESR1", "E380Q")], "context": ctx(HRPOS, 2, AFTER_CDK)},
        "ESR1 E380Q",
    ),
    "pik3ca-wildtype-gedatolisib-palbociclib-fulvestrant": (
        {
            "alterations": [mut("TP53", "R175H")],
            "tested_genes": frozenset({"PIK3CA", "TP53"}),
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "PIK3CA wild-type (tested)",
    ),
    "erbb2-mutation-neratinib": (
        {"alterations": [mut("ERBB2", "L755S")], "her2": HER2Category.LOW},
        "ERBB2 L755S",
    ),
    "gbrca-olaparib": (
        {
            "alterations": [germline("BRCA2", "S1982Rfs*22")],
            "her2": HER2Category.NULL,
            "context": ctx(HRPOS, 2, ("chemotherapy", *ET)),
        },
        "BRCA2 S1982Rfs*22",
    ),
    "gbrca-talazoparib": (
        {"alterations": [germline("BRCA1", "E1836fs")], "her2": HER2Category.NULL},
        "BRCA1 E1836fs",
    ),
    "gpalb2-olaparib": (
        {"alterations": [germline("PALB2", "Q775*")], "her2": HER2Category.LOW},
        "PALB2 Q775*",
    ),
    "somatic-brca-olaparib": (
        {
            "alterations": [mut("BRCA2", "K3326*", ConsequenceClass.NONSENSE)],
            "her2": HER2Category.NULL,
        },
        "BRCA2 K3326*",
    ),
    "her2-trastuzumab-chemotherapy": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 1)},
        "HER2 positive",
    ),
    "her2-pertuzumab-trastuzumab-docetaxel": (
        {**HER2_POS, "context": ctx("HR+/HER2+", 1)},
        "HER2 positive",
    ),
    "her2-tdxd-pertuzumab-first-line": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 1)},
        "HER2 positive",
    ),
    "her2-tdm1": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 2, ("anti_her2", "anti_her2_antibody"))},
        "HER2 positive",
    ),
    "her2-tdxd-second-line": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 2, ("anti_her2",))},
        "HER2 positive",
    ),
    "her2-tucatinib-trastuzumab-capecitabine": (
        {
            "alterations": [cn("ERBB2", AlterationKind.AMPLIFICATION)],
            "context": ctx("HR-/HER2+", 3, ("anti_her2",)),
        },
        "ERBB2 amplification",
    ),
    "her2-neratinib-capecitabine": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 4, ("anti_her2",))},
        "HER2 positive",
    ),
    "her2-margetuximab-chemotherapy": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 3, ("anti_her2",))},
        "HER2 positive",
    ),
    "her2-tucatinib-tdm1": (
        {**HER2_POS, "context": ctx("HR-/HER2+", 3, ("anti_her2",))},
        "HER2 positive",
    ),
    "her2-low-tdxd-after-chemotherapy": (
        {"her2": HER2Category.LOW, "context": ctx("TNBC", 2, ("chemotherapy",))},
        "HER2 low",
    ),
    "her2-low-ultralow-tdxd-after-endocrine": (
        {"her2": HER2Category.ULTRALOW, "context": ctx(HRPOS, 2, AFTER_CDK)},
        "HER2 ultralow",
    ),
    "tnbc-pdl1-cps10-pembrolizumab-chemotherapy": (
        {"pdl1": (pdl1(PDL1Assay.CLONE_22C3, PDL1Scoring.CPS, 15),), "context": ctx("TNBC", 1)},
        "PD-L1 22C3 CPS 15",
    ),
    "tnbc-pdl1-cps10-sacituzumab-pembrolizumab": (
        {"pdl1": (pdl1(PDL1Assay.CLONE_22C3, PDL1Scoring.CPS, 10),), "context": ctx("TNBC", 1)},
        "PD-L1 22C3 CPS 10",
    ),
    "tnbc-pdl1-sp142-atezolizumab": (
        {"pdl1": (pdl1(PDL1Assay.SP142, PDL1Scoring.IC, 1),), "context": ctx("TNBC", 1)},
        "PD-L1 SP142 IC 1",
    ),
    "msi-h-pembrolizumab": ({"msi": MSIStatus.MSI_H}, "MSI MSI-H"),
    "msi-h-dostarlimab": ({"msi": MSIStatus.MSI_H}, "MSI MSI-H"),
    "tmb-h-pembrolizumab": ({"tmb": 12.5}, "TMB 12.5 mut/Mb"),
    "ntrk-fusion-larotrectinib": ({"alterations": [fusion("ETV6", "NTRK3")]}, "ETV6::NTRK3 fusion"),
    "ntrk-fusion-entrectinib": ({"alterations": [fusion("TPM3", "NTRK1")]}, "TPM3::NTRK1 fusion"),
    "ntrk-fusion-repotrectinib": ({"alterations": [fusion("ETV6", "NTRK3")]}, "ETV6::NTRK3 fusion"),
    "ret-fusion-selpercatinib": ({"alterations": [fusion("CCDC6", "RET")]}, "CCDC6::RET fusion"),
    "braf-v600e-dabrafenib-trametinib": ({"alterations": [mut("BRAF", "V600E")]}, "BRAF V600E"),
    "esr1-resistance-aromatase-inhibitor": (
        {"alterations": [mut("ESR1", "D538G")], "context": ctx(HRPOS, 2, AFTER_CDK)},
        "ESR1 D538G",
    ),
    "mapk-resistance-endocrine": (
        {
            "alterations": [mut("NF1", "R1362*", ConsequenceClass.NONSENSE)],
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "NF1 R1362*",
    ),
    "rb1-resistance-cdk46": (
        {"alterations": [cn("RB1", AlterationKind.DEEP_DELETION)]},
        "RB1 deep deletion",
    ),
    "fgfr-amplification-resistance": (
        {
            "alterations": [cn("FGFR1", AlterationKind.AMPLIFICATION)],
            "context": ctx(HRPOS, 2, AFTER_CDK),
        },
        "FGFR1 amplification",
    ),
    "ccne1-resistance-palbociclib": (
        {"alterations": [cn("CCNE1", AlterationKind.AMPLIFICATION)]},
        "CCNE1 amplification",
    ),
    "pten-loss-resistance-alpelisib": (
        {"alterations": [cn("PTEN", AlterationKind.DEEP_DELETION)]},
        "PTEN deep deletion",
    ),
    "slx4-resistance-tdxd": (
        {"alterations": [mut("SLX4", "R1104*", ConsequenceClass.NONSENSE)]},
        "SLX4 R1104*",
    ),
    "tacstd2-top1-resistance-trop2-adc": (
        {"alterations": [mut("TACSTD2", "T256R")]},
        "TACSTD2 T256R",
    ),
    "brca-reversion-resistance-parp-platinum": (
        {
            "alterations": [
                germline("BRCA2", "S1982Rfs*22"),
                mut(
                    "BRCA2",
                    "L1976_S1982del",
                    ConsequenceClass.INFRAME_INDEL,
                    specimen=SpecimenType.PLASMA,
                ),
            ]
        },
        "BRCA2 L1976_S1982del (possible reversion of germline S1982Rfs*22)",
    ),
    "pik3ca-her2-positive-prognostic": (
        {"alterations": [mut("PIK3CA", "H1047R")], **HER2_POS},
        "PIK3CA H1047R",
    ),
}


def test_every_entry_has_a_scenario():
    assert set(SCENARIOS) == set(ENTRIES)


@pytest.mark.parametrize("entry_id", sorted(SCENARIOS))
def test_entry_fires_for_its_scenario(entry_id):
    kwargs, label = SCENARIOS[entry_id]
    profile = BiomarkerProfile(**{"alterations": (), **kwargs})
    findings = match_entry(ENTRIES[entry_id], profile, KB, call_oncogenicity)
    assert [f.biomarker for f in findings] == [label]
    (finding,) = findings
    assert finding.entry_id == entry_id and finding.rule.startswith("knowledge base entry")
    assert finding.evidence, "no evidence"
    assert finding.level == ENTRIES[entry_id].level
    if "context" in kwargs:
        statuses = {c.requirement: c.status for c in finding.context}
        assert ContextStatus.NOT_MET not in statuses.values(), statuses


@pytest.mark.parametrize("entry_id", sorted(SCENARIOS))
def test_entry_does_not_fire_without_its_biomarker(entry_id):
    findings = match_entry(
        ENTRIES[entry_id], BiomarkerProfile(alterations=()), KB, call_oncogenicity
    )
    assert findings == []


def test_untested_gene_is_not_wild_type():
    entry = ENTRIES["pik3ca-wildtype-gedatolisib-palbociclib-fulvestrant"]
    profile = BiomarkerProfile(alterations=(mut("TP53", "R175H"),), tested_genes=None)
    assert match_entry(entry, profile, KB, call_oncogenicity) == []


def test_destiny_breast06_allows_adjuvant_chemotherapy():
    """DB-06 enrolled patients chemotherapy-naive for metastatic disease; (neo)adjuvant
    chemotherapy was allowed (fact sheet 1D: '>=1 ET in the metastatic setting,
    chemotherapy-naive')."""
    entry = ENTRIES["her2-low-ultralow-tdxd-after-endocrine"]
    context = ctx(HRPOS, 2, ("chemotherapy", *ET), metastatic=ET)
    profile = BiomarkerProfile(alterations=(), her2=HER2Category.ULTRALOW, context=context)
    (finding,) = match_entry(entry, profile, KB, call_oncogenicity)
    assert finding.context_met is True


def test_context_not_met_is_reported_not_hidden():
    entry = ENTRIES["her2-low-ultralow-tdxd-after-endocrine"]
    profile = BiomarkerProfile(
        alterations=(), her2=HER2Category.LOW, context=ctx(HRPOS, 2, ("chemotherapy", *ET))
    )
    (finding,) = match_entry(entry, profile, KB, call_oncogenicity)
    assert finding.context_met is False
    assert any(
        c.status is ContextStatus.NOT_MET and "no prior chemotherapy" in c.requirement
        for c in finding.context
    )


def test_vus_and_unmatched_oncogenic_alterations_are_listed():
    profile = BiomarkerProfile(alterations=(mut("TP53", "R175H"), mut("PIK3CA", "A1020V")))
    kinds = {f.biomarker: f.kind for f in match_profile(profile, KB, call_oncogenicity)}
    assert kinds["TP53 R175H"] in (FindingKind.NOT_ACTIONABLE, FindingKind.VUS)
    assert kinds["PIK3CA A1020V"] is FindingKind.VUS


def test_distant_somatic_variant_is_not_called_a_reversion():
    entry = ENTRIES["brca-reversion-resistance-parp-platinum"]
    profile = BiomarkerProfile(
        alterations=(
            germline("BRCA2", "S1982Rfs*22"),
            mut("BRCA2", "K3326*", ConsequenceClass.NONSENSE),
        )
    )
    assert match_entry(entry, profile, KB, call_oncogenicity) == []


def test_other_specimen_is_unknown_not_negative():
    entry = ENTRIES["esr1-elacestrant"]
    profile = BiomarkerProfile(
        alterations=(mut("ESR1", "D538G"),),  # tissue, CDx is plasma
        context=ctx(HRPOS, 2, AFTER_CDK),
    )
    (finding,) = match_entry(entry, profile, KB, call_oncogenicity)
    (specimen,) = [c for c in finding.context if c.requirement.startswith("specimen")]
    assert specimen.status is ContextStatus.UNKNOWN and "confirm" in specimen.detail
    assert finding.context_met is None


def test_equivocal_her2_is_unknown_context():
    entry = ENTRIES["erbb2-mutation-neratinib"]
    profile = BiomarkerProfile(alterations=(mut("ERBB2", "L755S"),), her2=HER2Category.EQUIVOCAL)
    (finding,) = match_entry(entry, profile, KB, call_oncogenicity)
    assert finding.context_met is None


def test_kinase_as_five_prime_partner_is_not_an_ntrk_fusion():
    # NTRK1 as the 5' partner loses its kinase domain (TPM3::NTRK1 is the oncogenic order)
    entry = ENTRIES["ntrk-fusion-larotrectinib"]
    profile = BiomarkerProfile(alterations=(fusion("NTRK1", "TPM3"),))
    assert match_entry(entry, profile, KB, call_oncogenicity) == []
