"""Tumour mutational burden from a list of called variants and the panel size.

Rule (documented in ``rule`` of every result): count somatic coding short variants — missense,
nonsense, frameshift, in-frame indels, canonical splice, start/stop lost, and synonymous unless
``include_synonymous=False`` — with VAF ≥ ``min_vaf`` where the VAF is known; germline calls are
excluded; divide by the panel's coding size in megabases. This follows the approach validated
for FoundationOne (all coding base substitutions and indels, synonymous included, germline
excluded, VAF ≥ 5%; Chalmers ZR et al., Genome Med 2017;9:34) without its driver-alteration
exclusion, which needs a somatic hotspot database. Variants whose consequence is unknown (no
annotation) are not counted and are reported, so the caller can see the TMB is a lower bound.

References
----------
Chalmers ZR et al. Analysis of 100,000 human cancer genomes reveals the landscape of tumor
mutational burden. Genome Med 2017;9:34.
FDA 16 Jun 2020: pembrolizumab for TMB-H (≥10 mut/Mb, FoundationOne CDx) solid tumours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass
from oncoboard.model import Evidence, EvidenceSource, SampleOrigin

__all__ = ["TMB_HIGH_CUTOFF", "TMBEstimate", "tumor_mutational_burden"]

TMB_HIGH_CUTOFF = 10.0  # mut/Mb, FDA 2020 pembrolizumab tissue-agnostic (FoundationOne CDx)

_CODING = frozenset(
    {
        ConsequenceClass.MISSENSE,
        ConsequenceClass.NONSENSE,
        ConsequenceClass.FRAMESHIFT,
        ConsequenceClass.INFRAME_INDEL,
        ConsequenceClass.SPLICE,
        ConsequenceClass.START_LOST,
        ConsequenceClass.STOP_LOST,
    }
)
_EVIDENCE = (
    Evidence(
        source=EvidenceSource.PUBLICATION,
        id="Genome Med 2017;9:34",
        title="Chalmers ZR et al. Analysis of 100,000 human cancer genomes reveals the "
        "landscape of tumor mutational burden",
        verified=False,
    ),
    Evidence(
        source=EvidenceSource.FDA_LABEL,
        id="FDA 2020-06-16 pembrolizumab TMB-H",
        title="TMB-H >= 10 mut/Mb (FoundationOne CDx)",
        verified=False,
    ),
)


@dataclass(frozen=True, slots=True)
class TMBEstimate:
    """TMB with the counts behind it."""

    value: float
    counted: int
    panel_size_mb: float
    unannotated: int
    excluded_low_vaf: int
    high: bool
    rule: str
    evidence: tuple[Evidence, ...]


def tumor_mutational_burden(
    alterations: Iterable[Alteration],
    panel_size_mb: float,
    *,
    min_vaf: float = 0.05,
    include_synonymous: bool = True,
    unannotated: int = 0,
) -> TMBEstimate:
    """TMB in mutations per megabase (see the module docstring for the rule).

    Parameters
    ----------
    alterations
        Normalised alterations of one sample; non-mutations are ignored.
    panel_size_mb
        Coding territory covered by the assay, in megabases (e.g. about 0.8 for FoundationOne
        CDx, 30-35 for a whole exome).
    min_vaf, include_synonymous
        Counting rule.
    unannotated
        Number of calls without a consequence (reported; not counted).

    Raises
    ------
    ValueError
        If ``panel_size_mb`` is not positive.
    """
    if not panel_size_mb > 0:
        raise ValueError(f"panel_size_mb must be positive, but was {panel_size_mb!r}")
    counted_classes = _CODING | ({ConsequenceClass.SYNONYMOUS} if include_synonymous else set())
    counted = low_vaf = unknown = 0
    for alt in alterations:
        if alt.kind is not AlterationKind.MUTATION or alt.origin is SampleOrigin.GERMLINE:
            continue
        if alt.consequence is ConsequenceClass.UNKNOWN:
            unknown += 1
        elif alt.consequence in counted_classes:
            if alt.vaf is not None and alt.vaf < min_vaf:
                low_vaf += 1
            else:
                counted += 1
    value = counted / panel_size_mb
    synonymous = "incl." if include_synonymous else "excl."
    return TMBEstimate(
        value=value,
        counted=counted,
        panel_size_mb=panel_size_mb,
        unannotated=unannotated + unknown,
        excluded_low_vaf=low_vaf,
        high=value >= TMB_HIGH_CUTOFF,
        rule=f"somatic coding SNVs/indels ({synonymous} synonymous), VAF >= {min_vaf:g}, / "
        f"{panel_size_mb:g} Mb; TMB-high >= {TMB_HIGH_CUTOFF:g}",
        evidence=_EVIDENCE,
    )
