"""Normalise genomic calls and reported variants to :class:`Alteration`.

* gene symbols are resolved through the gene table's aliases (``HER2`` -> ``ERBB2``); a symbol the
  table does not know is kept as given (stripped) and listed in
  :attr:`NormalizedCalls.unknown_genes` -- oncogenicity calls such genes VUS;
* HGVS protein changes (1- or 3-letter, with or without ``p.``/parentheses/accession prefix) are
  reduced to the one-letter form without ``p.`` and the codon of the first residue;
* Sequence Ontology terms (possibly ``&``-joined) are reduced to the most severe
  :class:`ConsequenceClass`; without a term the class is inferred from the protein change;
* unannotated VCF calls are matched against the bundled hotspot table in the call's own genome
  build; calls that match nothing are returned as "needs annotation", never dropped, and calls
  that failed the caller's FILTER are returned apart, never normalised silently.

Fusion convention: ``gene`` is the 5' partner and ``partner`` the 3' partner (``5'::3'``, the
order of :attr:`Alteration.label`); an unknown 5' partner is written ``"?"``.

References
----------
.. [1] den Dunnen JT et al. HGVS recommendations for the description of sequence variants: 2016
   update. Hum Mutat 2016;37:564-569 (protein descriptions ``p.``).
.. [2] Ensembl VEP, "Calculated variant consequences": SO terms ordered by severity,
   https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from oncoboard.errors import NormalizationError
from oncoboard.genomics.alteration import Alteration, AlterationKind, ConsequenceClass
from oncoboard.io.genomic_records import CopyNumberCall, FusionCall, VariantCall
from oncoboard.knowledge.genes import gene_table, hotspots
from oncoboard.knowledge.sequence_ontology import severity_rank
from oncoboard.model.genomics import (
    CopyNumberEvent,
    CopyNumberType,
    Fusion,
    GenomicReport,
    SampleOrigin,
    SpecimenType,
    Variant,
)

__all__ = [
    "UNKNOWN_PARTNER",
    "NormalizationError",
    "NormalizedCalls",
    "consequence_class",
    "consequence_from_protein",
    "exon_number",
    "from_case_copy_number",
    "from_case_fusion",
    "from_case_variant",
    "from_copy_number",
    "from_copy_number_call",
    "from_fusion",
    "from_fusion_call",
    "from_variant_call",
    "normalize_calls",
    "protein_change",
    "resolve_gene",
]

UNKNOWN_PARTNER = "?"


THREE_TO_ONE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
    "Sec": "U", "Xaa": "X",
}  # fmt: skip
_ONE = frozenset("ACDEFGHIKLMNPQRSTVWYU*X")
_AA = r"(?:[A-Z][a-z]{2}|[A-Z*])"
_SUB = re.compile(rf"^({_AA})(\d+)({_AA}|=)$")
_START_UNKNOWN = re.compile(rf"^({_AA})1\?$")
_FS = re.compile(rf"^({_AA})(\d+)({_AA})?fs(?:(?:Ter|\*|X)(\d+|\?))?$")
_RANGE = re.compile(rf"^({_AA})(\d+)(?:_({_AA})(\d+))?(delins|del|dup|ins)((?:{_AA})*)$")
_EXT = re.compile(rf"^({_AA})(\d+)({_AA})?ext((?:Ter|\*|X)?(?:\d+|\?)|-\d+)$")
_SPLICE = re.compile(r"^X(\d+)_splice$")
_PREFIX = re.compile(r"^[A-Za-z_]+[\w.]*:")


def _aa(token: str, original: str) -> str:
    if len(token) == 3:
        if token not in THREE_TO_ONE:
            raise NormalizationError(f"unknown amino-acid code {token!r} in {original!r}")
        return THREE_TO_ONE[token]
    if token not in _ONE:
        raise NormalizationError(f"unknown amino acid {token!r} in {original!r}")
    return token


def _sequence(tail: str, original: str) -> str:
    return "".join(_aa(t, original) for t in re.findall(_AA, tail))


def protein_change(hgvs_p: str) -> tuple[str, int | None]:
    """One-letter protein change without ``p.`` and the codon of its first residue.

    Parameters
    ----------
    hgvs_p
        ``p.His1047Arg``, ``p.H1047R``, ``H1047R``, ``p.(His1047Arg)``, ``ENSP...:p.Glu545Lys``,
        ``p.Arg175Ter``/``p.R175*``/``R175X``, ``p.Lys111fs``/``p.K111Nfs*5``,
        ``p.Gly12_Gly13delinsAsp``, ``p.E746_A750del``, ``p.L473dup``, ``p.A775_G776insYVMA``,
        ``p.*1069Wext*?``, ``p.X1445_splice`` (MAF), ``p.R175=``; ``=``/``p.=`` (synonymous),
        ``?``/``p.?`` (unknown) and ``p.0`` (no protein) give ``(that symbol, None)``.

    Returns
    -------
    tuple of (str, int or None)
        e.g. ``("H1047R", 1047)``, ``("R175*", 175)``, ``("G12_G13delinsD", 12)``.

    Raises
    ------
    NormalizationError
        (a ``ValueError``) if the text is not an HGVS protein description; nothing else.

    References
    ----------
    HGVS protein nomenclature [1]_.
    """
    if not isinstance(hgvs_p, str):
        raise NormalizationError(f"expected an HGVS protein change string, got {hgvs_p!r}")
    text = _PREFIX.sub("", hgvs_p.strip())
    text = text.removeprefix("p.")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    if text in ("=", "?", "0"):
        return text, None
    if match := _START_UNKNOWN.match(text):  # p.Met1? : start codon lost, effect unknown
        return f"{_aa(match[1], hgvs_p)}1?", 1
    if match := _SPLICE.match(text):
        return f"X{match[1]}_splice", int(match[1])
    if match := _SUB.match(text):
        ref, pos, alt = _aa(match[1], hgvs_p), int(match[2]), match[3]
        alt = "=" if alt == "=" else _aa(alt, hgvs_p)
        alt = "*" if alt == "X" else alt  # legacy stop notation (R175X)
        return f"{ref}{pos}{alt}", pos
    if match := _FS.match(text):
        ref, pos = _aa(match[1], hgvs_p), int(match[2])
        alt = _aa(match[3], hgvs_p) if match[3] else ""
        stop = f"*{match[4]}" if match[4] else ""
        return f"{ref}{pos}{alt}fs{stop}", pos
    if match := _RANGE.match(text):
        first, pos = _aa(match[1], hgvs_p), int(match[2])
        end = f"_{_aa(match[3], hgvs_p)}{match[4]}" if match[3] else ""
        kind, tail = match[5], _sequence(match[6], hgvs_p)
        if kind in ("ins", "delins") and not tail:
            raise NormalizationError(f"{kind} without inserted residues in {hgvs_p!r}")
        if kind in ("del", "dup") and tail:
            raise NormalizationError(f"{kind} followed by residues in {hgvs_p!r}")
        if kind == "ins" and not end:
            raise NormalizationError(f"insertion needs two flanking residues in {hgvs_p!r}")
        return f"{first}{pos}{end}{kind}{tail}", pos
    if match := _EXT.match(text):
        ref, pos = _aa(match[1], hgvs_p), int(match[2])
        alt = _aa(match[3], hgvs_p) if match[3] else ""
        tail = re.sub(r"^(Ter|X)", "*", match[4])
        return f"{ref}{pos}{alt}ext{tail}", pos
    raise NormalizationError(f"not an HGVS protein change: {hgvs_p!r}")


# Sequence Ontology term -> consequence class; severity order from the shared Ensembl table
# (:mod:`oncoboard.knowledge.sequence_ontology`, [2]_).
_SO: dict[str, ConsequenceClass] = {
    "transcript_ablation": ConsequenceClass.UNKNOWN,
    "splice_acceptor_variant": ConsequenceClass.SPLICE,
    "splice_donor_variant": ConsequenceClass.SPLICE,
    # SO parent of donor/acceptor: what MAF "Splice_Site" maps to when the side is unknown
    "splice_site_variant": ConsequenceClass.SPLICE,
    "stop_gained": ConsequenceClass.NONSENSE,
    "frameshift_variant": ConsequenceClass.FRAMESHIFT,
    "stop_lost": ConsequenceClass.STOP_LOST,
    "start_lost": ConsequenceClass.START_LOST,
    "inframe_insertion": ConsequenceClass.INFRAME_INDEL,
    "inframe_deletion": ConsequenceClass.INFRAME_INDEL,
    "missense_variant": ConsequenceClass.MISSENSE,
    # VEP: a change of the protein whose exact kind is not predicted (e.g. complex delins)
    "protein_altering_variant": ConsequenceClass.INFRAME_INDEL,
    "incomplete_terminal_codon_variant": ConsequenceClass.UNKNOWN,
    "start_retained_variant": ConsequenceClass.SYNONYMOUS,
    "stop_retained_variant": ConsequenceClass.SYNONYMOUS,
    "synonymous_variant": ConsequenceClass.SYNONYMOUS,
    "coding_sequence_variant": ConsequenceClass.UNKNOWN,
    **dict.fromkeys(
        (
            "splice_donor_5th_base_variant",
            "splice_region_variant",
            "splice_donor_region_variant",
            "splice_polypyrimidine_tract_variant",
            "mature_miRNA_variant",
            "5_prime_UTR_variant",
            "3_prime_UTR_variant",
            "non_coding_transcript_exon_variant",
            "intron_variant",
            "NMD_transcript_variant",
            "non_coding_transcript_variant",
            "upstream_gene_variant",
            "downstream_gene_variant",
            "TFBS_ablation",
            "TFBS_amplification",
            "TF_binding_site_variant",
            "regulatory_region_ablation",
            "regulatory_region_amplification",
            "regulatory_region_variant",
            "intergenic_variant",
            "coding_transcript_variant",
        ),
        ConsequenceClass.NONCODING,
    ),
}


def _rank(term: str) -> int:
    return severity_rank("splice_donor_variant" if term == "splice_site_variant" else term)


def consequence_class(so_terms: str | Iterable[str] | None) -> ConsequenceClass:
    """Most severe consequence class of Sequence Ontology term(s).

    ``"missense_variant&splice_region_variant"`` -> ``MISSENSE``; a canonical splice term ->
    ``SPLICE``; ``splice_region_variant`` alone -> ``NONCODING``. Unknown terms are ignored; none
    known -> ``UNKNOWN``. Never raises.

    References
    ----------
    VEP consequence severity order [2]_.
    """
    if so_terms is None:
        return ConsequenceClass.UNKNOWN
    terms = re.split(r"[&,;|]", so_terms) if isinstance(so_terms, str) else list(so_terms)
    known = [t.strip() for t in terms if isinstance(t, str) and t.strip() in _SO]
    return _SO[min(known, key=_rank)] if known else ConsequenceClass.UNKNOWN


def consequence_from_protein(change: str | None) -> ConsequenceClass:
    """Consequence class implied by a normalised one-letter protein change (no SO term)."""
    if not change or change in ("?", "0"):
        return ConsequenceClass.UNKNOWN
    if change == "=" or change.endswith("="):
        return ConsequenceClass.SYNONYMOUS
    if change.endswith("_splice"):
        return ConsequenceClass.SPLICE
    if re.fullmatch(r"[A-Z]1\?", change):
        return ConsequenceClass.START_LOST
    if "fs" in change:
        return ConsequenceClass.FRAMESHIFT
    if "ext" in change:
        return ConsequenceClass.STOP_LOST if change.startswith("*") else ConsequenceClass.START_LOST
    if re.search(r"(delins|del|dup|ins)", change):
        inserted = change.split("ins", 1)[1] if "ins" in change else ""
        return ConsequenceClass.NONSENSE if "*" in inserted else ConsequenceClass.INFRAME_INDEL
    match = re.match(r"^([A-Z*])(\d+)([A-Z*])$", change)
    if match is None:
        return ConsequenceClass.UNKNOWN
    ref, pos, alt = match[1], int(match[2]), match[3]
    if ref == "M" and pos == 1:
        return ConsequenceClass.START_LOST
    if ref == "*":
        return ConsequenceClass.STOP_LOST
    return ConsequenceClass.NONSENSE if alt == "*" else ConsequenceClass.MISSENSE


def exon_number(exon: str | None) -> int | None:
    """``"20/21"`` -> 20, ``"20"`` -> 20, ``"2-3/21"`` -> 2; ``None``/``""``/``"-"`` -> ``None``.

    Raises
    ------
    NormalizationError
        If the text is not an exon number (``"exon twenty"``, ``"0/21"``).
    """
    if exon is None or exon.strip() in ("", "-", "."):
        return None
    match = re.match(r"^\s*(\d+)(?:-\d+)?(?:/\d+)?\s*$", exon)
    if match is None or int(match[1]) < 1:
        raise NormalizationError(f"expected an exon number like '20/21', got {exon!r}")
    return int(match[1])


def resolve_gene(symbol: str) -> tuple[str, bool]:
    """``(table symbol, True)`` for a known symbol/alias, else ``(symbol as given, False)``."""
    resolved = gene_table().resolve(symbol)
    return (resolved, True) if resolved is not None else (symbol.strip(), False)


def _mutation_fields(
    hgvs_p: str | None, so_terms: str | None
) -> tuple[str | None, int | None, ConsequenceClass]:
    change, codon = protein_change(hgvs_p) if hgvs_p else (None, None)
    consequence = consequence_class(so_terms)
    if consequence is ConsequenceClass.UNKNOWN:
        consequence = consequence_from_protein(change)
    return change, codon, consequence


def from_variant_call(
    call: VariantCall, *, specimen: SpecimenType | None = None
) -> Alteration | None:
    """Alteration of one SNV/indel call, or ``None`` when it cannot be identified.

    An unannotated call (no gene) is identified only by an exact hotspot allele match in the
    call's own ``genome_build``; a call without a build is never matched (a coordinate means
    nothing without its build). A ``None`` result must be reported as "needs annotation":
    use :func:`normalize_calls`, which never drops a call.

    Raises
    ------
    NormalizationError
        If the call's HGVSp or exon text is malformed.
    """
    hotspot = None
    if call.genome_build and call.chromosome and call.position and call.ref and call.alt:
        hotspot = hotspots().lookup(
            call.genome_build, call.chromosome, call.position, call.ref, call.alt
        )
    gene = resolve_gene(call.gene)[0] if call.gene else (hotspot.gene if hotspot else None)
    if gene is None:
        return None
    hgvs_p, hgvs_c = call.hgvs_p, call.hgvs_c
    if hotspot is not None and hotspot.gene == gene and not hgvs_p:
        hgvs_p = hotspot.protein_change
        hgvs_c = hgvs_c or hotspot.hgvs_c
    change, codon, consequence = _mutation_fields(hgvs_p, call.consequence)
    return Alteration(
        gene=gene,
        kind=AlterationKind.MUTATION,
        protein_change=change,
        hgvs_c=hgvs_c.split(":")[-1] if hgvs_c else None,
        consequence=consequence,
        codon=codon,
        exon=exon_number(call.exon),
        vaf=call.vaf,
        depth=call.depth,
        origin=call.origin,
        specimen=specimen,
        source=call.source,
    )


@dataclass(frozen=True, slots=True)
class NormalizedCalls:
    """Result of :func:`normalize_calls`: every input call ends up in exactly one list.

    ``unknown_genes`` lists ``(source, symbol)`` of alterations whose gene is not in the gene
    table (kept as given; oncogenicity calls them VUS); ``unparsable`` holds calls whose HGVS
    protein change could not be read, with the reason.
    """

    alterations: list[Alteration] = field(default_factory=list)
    needs_annotation: list[VariantCall] = field(default_factory=list)
    filtered: list[VariantCall] = field(default_factory=list)
    unknown_genes: list[tuple[str, str]] = field(default_factory=list)
    unparsable: list[tuple[VariantCall, str]] = field(default_factory=list)


def normalize_calls(
    calls: Sequence[VariantCall], *, specimen: SpecimenType | None = None
) -> NormalizedCalls:
    """Normalise calls; FILTER-failed, unidentifiable and unparsable calls (with the reason)
    are returned apart, never dropped."""
    result = NormalizedCalls()
    for call in calls:
        if call.filter not in (None, "", "PASS", "."):
            result.filtered.append(call)
            continue
        try:
            alteration = from_variant_call(call, specimen=specimen)
        except NormalizationError as exc:
            result.unparsable.append((call, str(exc)))
            continue
        if alteration is None:
            result.needs_annotation.append(call)
            continue
        result.alterations.append(alteration)
        if alteration.gene not in gene_table():
            result.unknown_genes.append((call.source, alteration.gene))
    return result


def from_case_variant(
    variant: Variant, report: GenomicReport, *, source: str | None = None
) -> Alteration:
    """Alteration of a case-file variant; origin and specimen come from its report."""
    hgvs_p = variant.hgvs_p
    gene = resolve_gene(variant.gene)[0]
    if not hgvs_p and variant.genome_build and variant.position and variant.ref and variant.alt:
        chrom = variant.chromosome or ""
        hit = hotspots().lookup(
            variant.genome_build, chrom, variant.position, variant.ref, variant.alt
        )
        if hit is not None and hit.gene == gene:
            hgvs_p = hit.protein_change
    change, codon, consequence = _mutation_fields(hgvs_p, variant.consequence)
    return Alteration(
        gene=gene,
        kind=AlterationKind.MUTATION,
        protein_change=change,
        hgvs_c=variant.hgvs_c,
        consequence=consequence,
        codon=codon,
        vaf=variant.vaf,
        depth=variant.depth,
        origin=report.origin,
        germline_classification=variant.classification,
        specimen=report.specimen_type,
        source=source or f"report {report.id}: {variant.gene} {variant.hgvs_p or variant.hgvs_c}",
    )


_CN_KIND = {
    CopyNumberType.AMPLIFICATION: AlterationKind.AMPLIFICATION,
    CopyNumberType.GAIN: AlterationKind.GAIN,
    CopyNumberType.LOSS: AlterationKind.LOSS,
    CopyNumberType.DELETION: AlterationKind.DEEP_DELETION,
}


def from_copy_number(
    event: CopyNumberCall | CopyNumberEvent,
    *,
    specimen: SpecimenType | None = None,
    origin: SampleOrigin | None = None,
    source: str | None = None,
) -> Alteration:
    """Alteration of a gene-level copy-number call (reader call or case-file event)."""
    default = event.source if isinstance(event, CopyNumberCall) else f"{event.gene} {event.type}"
    return Alteration(
        gene=resolve_gene(event.gene)[0],
        kind=_CN_KIND[event.type],
        copy_number=event.copy_number,
        origin=origin,
        specimen=specimen,
        source=source or default,
    )


def from_fusion(
    fusion: FusionCall | Fusion,
    *,
    specimen: SpecimenType | None = None,
    origin: SampleOrigin | None = None,
    source: str | None = None,
) -> Alteration:
    """Alteration of a fusion (``gene`` = 5' partner or ``"?"``, ``partner`` = 3' partner).

    Whether the fusion is in frame is not carried by :class:`Alteration`; check
    ``fusion.in_frame`` before acting on the result.
    """
    five = resolve_gene(fusion.gene_5p)[0] if fusion.gene_5p else None
    three = resolve_gene(fusion.gene_3p)[0] if fusion.gene_3p else None
    default = fusion.source if isinstance(fusion, FusionCall) else f"{five}::{three} fusion"
    return Alteration(
        gene=five or UNKNOWN_PARTNER,
        kind=AlterationKind.FUSION,
        partner=three,
        origin=origin,
        specimen=specimen,
        source=source or default,
    )


def from_case_copy_number(
    event: CopyNumberEvent, report: GenomicReport, *, source: str | None = None
) -> Alteration:
    """:func:`from_copy_number` for a case-file event; origin and specimen from its report."""
    return from_copy_number(
        event, specimen=report.specimen_type, origin=report.origin, source=source
    )


def from_case_fusion(
    fusion: Fusion, report: GenomicReport, *, source: str | None = None
) -> Alteration:
    """:func:`from_fusion` for a case-file fusion; origin and specimen from its report."""
    return from_fusion(fusion, specimen=report.specimen_type, origin=report.origin, source=source)


def from_copy_number_call(
    call: CopyNumberCall, *, specimen: SpecimenType | None = None
) -> Alteration:
    """:func:`from_copy_number` for a reader call (source = FILE:ROW)."""
    return from_copy_number(call, specimen=specimen)


def from_fusion_call(call: FusionCall, *, specimen: SpecimenType | None = None) -> Alteration:
    """:func:`from_fusion` for a reader call (source = FILE:ROW)."""
    return from_fusion(call, specimen=specimen)
