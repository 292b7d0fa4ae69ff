"""Sequence Ontology consequence terms in Ensembl's order of severity (most severe first).

One table for every module that ranks consequences: the VCF reader (choosing a transcript)
and the normaliser (most severe consequence class).

References
----------
Ensembl Variation, "Calculated variant consequences" (VEP documentation): SO terms ordered by
estimated impact.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SO_SEVERITY", "most_severe_rank", "severity_rank"]

SO_SEVERITY: tuple[str, ...] = (
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "transcript_amplification",
    "feature_elongation",
    "feature_truncation",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_donor_5th_base_variant",
    "splice_region_variant",
    "splice_donor_region_variant",
    "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "mature_miRNA_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "NMD_transcript_variant",
    "non_coding_transcript_variant",
    "coding_transcript_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "TFBS_ablation",
    "TFBS_amplification",
    "TF_binding_site_variant",
    "regulatory_region_ablation",
    "regulatory_region_amplification",
    "regulatory_region_variant",
    "intergenic_variant",
    "sequence_variant",
)
_RANK = {term: rank for rank, term in enumerate(SO_SEVERITY)}


def severity_rank(term: str) -> int:
    """Rank of one SO term (0 = most severe); unknown terms rank after every known one."""
    return _RANK.get(term.strip(), len(_RANK))


def most_severe_rank(terms: Iterable[str]) -> int:
    """Rank of the most severe of ``terms`` (unknown or no terms: after every known one)."""
    return min((severity_rank(t) for t in terms), default=len(_RANK))
