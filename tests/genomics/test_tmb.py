"""TMB counting rule and threshold."""

from __future__ import annotations

import pytest

from oncoboard.genomics import Alteration, AlterationKind, ConsequenceClass
from oncoboard.genomics.tmb import TMB_HIGH_CUTOFF, tumor_mutational_burden
from oncoboard.model import SampleOrigin


def _mut(consequence, vaf=0.3, origin=SampleOrigin.SOMATIC, gene="TP53"):
    return Alteration(
        gene=gene,
        kind=AlterationKind.MUTATION,
        consequence=consequence,
        vaf=vaf,
        origin=origin,
        source="test",
    )


def test_counts_coding_somatic_variants_per_megabase():
    alterations = (
        [_mut(ConsequenceClass.MISSENSE)] * 6
        + [_mut(ConsequenceClass.FRAMESHIFT), _mut(ConsequenceClass.NONSENSE)]
        + [_mut(ConsequenceClass.SYNONYMOUS)] * 2
        + [_mut(ConsequenceClass.NONCODING)] * 5
        + [_mut(ConsequenceClass.MISSENSE, vaf=0.02)]
        + [_mut(ConsequenceClass.MISSENSE, origin=SampleOrigin.GERMLINE)]
        + [_mut(ConsequenceClass.UNKNOWN)]
        + [Alteration(gene="ERBB2", kind=AlterationKind.AMPLIFICATION, source="test")]
    )
    tmb = tumor_mutational_burden(alterations, panel_size_mb=0.8)
    assert tmb.counted == 10
    assert tmb.value == pytest.approx(12.5)
    assert tmb.high
    assert (tmb.excluded_low_vaf, tmb.unannotated) == (1, 1)
    without_synonymous = tumor_mutational_burden(alterations, 0.8, include_synonymous=False)
    assert without_synonymous.counted == 8
    assert without_synonymous.value == pytest.approx(10.0)
    assert without_synonymous.value >= TMB_HIGH_CUTOFF


def test_rule_and_evidence_are_reported():
    tmb = tumor_mutational_burden([], panel_size_mb=30)
    assert tmb.value == 0 and not tmb.high
    assert "VAF >= 0.05" in tmb.rule and "/ 30 Mb" in tmb.rule
    assert tmb.evidence


def test_panel_size_must_be_positive():
    with pytest.raises(ValueError, match="panel_size_mb must be positive, but was 0"):
        tumor_mutational_burden([], panel_size_mb=0)
