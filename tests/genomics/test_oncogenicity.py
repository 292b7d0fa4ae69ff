"""One test per oncogenicity rule, plus VUS."""

from __future__ import annotations

import pytest

from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass
from oncoboard.genomics.oncogenicity import OncogenicityLabel, call_oncogenicity
from oncoboard.model.genomics import GermlineClassification, SampleOrigin

L = OncogenicityLabel
C = ConsequenceClass
K = AlterationKind


def _alt(gene: str, kind: AlterationKind = K.MUTATION, **fields: object) -> Alteration:
    return Alteration.model_validate({"gene": gene, "kind": kind, "source": "test", **fields})


@pytest.mark.parametrize(
    ("alteration", "label", "rule"),
    [
        (_alt("PIK3CA", protein_change="H1047R", codon=1047, consequence=C.MISSENSE),
         L.ONCOGENIC, "hotspot"),
        (_alt("ESR1", protein_change="Y537D", codon=537, consequence=C.MISSENSE),
         L.ONCOGENIC, "esr1_lbd"),
        (_alt("ESR1", protein_change="S463P", codon=463, consequence=C.MISSENSE),
         L.LIKELY_ONCOGENIC, "esr1_lbd"),
        (_alt("ERBB2", protein_change="V842I", codon=842, consequence=C.MISSENSE),
         L.LIKELY_ONCOGENIC, "hotspot_codon"),
        (_alt("BRCA2", protein_change="K3326*", codon=3326, consequence=C.NONSENSE),
         L.LIKELY_ONCOGENIC, "truncating_tsg"),
        (_alt("CDH1", protein_change="X100_splice", codon=100, consequence=C.SPLICE),
         L.LIKELY_ONCOGENIC, "truncating_tsg"),
        (_alt("BRCA1", protein_change="E23fs", codon=23, consequence=C.FRAMESHIFT,
              origin=SampleOrigin.GERMLINE,
              germline_classification=GermlineClassification.PATHOGENIC),
         L.ONCOGENIC, "germline_class"),
        (_alt("BRCA2", protein_change="N372H", codon=372, consequence=C.MISSENSE,
              origin=SampleOrigin.GERMLINE, germline_classification=GermlineClassification.BENIGN),
         L.LIKELY_NEUTRAL, "germline_class"),
        (_alt("ERBB2", K.AMPLIFICATION, copy_number=9), L.ONCOGENIC, "amplification"),
        (_alt("CCND1", K.AMPLIFICATION), L.LIKELY_ONCOGENIC, "amplification"),
        (_alt("PTEN", K.DEEP_DELETION, copy_number=0), L.LIKELY_ONCOGENIC, "deep_deletion_tsg"),
        (_alt("ETV6", K.FUSION, partner="NTRK3"), L.LIKELY_ONCOGENIC, "kinase_fusion"),
        (_alt("TP53", protein_change="R175=", codon=175, consequence=C.SYNONYMOUS),
         L.LIKELY_NEUTRAL, "silent"),
        (_alt("KMT2C", consequence=C.NONCODING), L.LIKELY_NEUTRAL, "silent"),
        (_alt("MADEUP1", protein_change="R12W", codon=12, consequence=C.MISSENSE),
         L.VUS, "unknown_gene"),
        (_alt("ERBB2", protein_change="A100V", codon=100, consequence=C.MISSENSE),
         L.VUS, "default"),
        (_alt("PIK3CA", protein_change="Q1000*", codon=1000, consequence=C.NONSENSE),
         L.VUS, "default"),  # truncating an oncogene is not the TSG rule
        (_alt("PTEN", K.AMPLIFICATION), L.VUS, "default"),
        (_alt("ERBB2", K.DEEP_DELETION), L.VUS, "default"),
        (_alt("ALK", K.FUSION, partner="EML4"), L.VUS, "default"),  # kinase is 5'
        (_alt("ERBB2", K.GAIN), L.VUS, "default"),
    ],
)  # fmt: skip
def test_rule(alteration: Alteration, label: OncogenicityLabel, rule: str) -> None:
    call = call_oncogenicity(alteration)
    assert (call.label, call.rule) == (label, rule)
    assert call.reason.startswith(f"{rule}: ") and alteration.gene in call.reason


def test_calls_cite_evidence() -> None:
    call = call_oncogenicity(_alt("AKT1", protein_change="E17K", codon=17,
                                  consequence=C.MISSENSE))  # fmt: skip
    assert call.evidence and call.evidence[0].id == "doi:10.1038/nbt.3391"
