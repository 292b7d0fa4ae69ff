"""Transcript annotation carried in the VCF: Ensembl VEP ``CSQ`` and SnpEff ``ANN``.

Both are read *by their header*: the ``##INFO`` line of the tag lists the ``|``-separated
fields, so column order and extra plugin fields do not matter. One transcript is picked per ALT
allele.

References
----------
.. [1] Ensembl VEP documentation, "VEP output: VCF" and "Calculated variant consequences"
   (consequence severity order), release 113.
.. [2] Cingolani P. et al., "VCF annotation format for the SnpEff/SnpSift ANN field" v1.0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from oncoboard.io._vcf_header import Header
from oncoboard.io._vcf_record import RawRecord, RecordError
from oncoboard.knowledge.sequence_ontology import most_severe_rank

__all__ = ["Annotation", "AnnotationSchema", "annotate", "find_schema"]

Tool = Literal["VEP", "SnpEff"]


@dataclass(frozen=True, slots=True)
class Annotation:
    """The picked transcript's annotation of one ALT allele."""

    gene: str | None
    transcript: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    consequence: str | None
    exon: str | None


@dataclass(frozen=True, slots=True)
class AnnotationSchema:
    """Which INFO tag holds the annotation, written by which tool, with which fields."""

    tool: Tool
    tag: str
    fields: tuple[str, ...]


def find_schema(header: Header) -> AnnotationSchema | None:
    """The annotation the header declares: VEP in ``CSQ`` (or ``ANN``), else SnpEff ``ANN``.

    Raises
    ------
    RecordError
        ``CSQ`` or ``ANN`` is declared but its description lists no usable field names.
    """
    for tag in ("CSQ", "ANN"):
        definition = header.definition("INFO", tag)
        if definition is None:
            continue
        description = definition.get("Description", "")
        fields = _field_names(description)
        if "Allele" in fields and "Consequence" in fields:
            return AnnotationSchema("VEP", tag, fields)
        if "Allele" in fields and "Annotation" in fields:
            return AnnotationSchema("SnpEff", tag, fields)
        raise RecordError(
            f"expected the {tag} description to list its fields ('Format: Allele|Consequence|"
            f"...' for VEP, \"'Allele | Annotation | ...'\" for SnpEff), got {description!r}",
            field=tag,
        )
    return None


def _field_names(description: str) -> tuple[str, ...]:
    if "Format:" in description:
        listed = description.split("Format:", 1)[1]
    elif quoted := re.search(r"'([^']*\|[^']*)'", description):
        listed = quoted[1]
    else:
        listed = description.rsplit(":", 1)[-1]
    return tuple(name.strip().strip("'\"") for name in listed.split("|"))


def annotate(schema: AnnotationSchema, record: RawRecord) -> list[Annotation | None]:
    """One annotation per ALT of ``record`` (``None`` where no entry is for that allele).

    Raises
    ------
    RecordError
        An entry has a different number of fields than the header declares.
    """
    value = record.info.get(schema.tag)
    if not value:
        return [None] * len(record.alts)
    entries = [_entry(schema, raw, number) for number, raw in enumerate(value.split(","), 1)]
    if schema.tool == "VEP":
        return [
            _from_vep(_pick_vep(_for_vep_allele(entries, record, index)))
            for index in range(len(record.alts))
        ]
    return [
        _from_snpeff(next((entry for entry in entries if entry.get("Allele") == alt), None))
        for alt in record.alts
    ]


def _entry(schema: AnnotationSchema, raw: str, number: int) -> dict[str, str]:
    values = raw.split("|")
    if len(values) != len(schema.fields):
        shown = raw if len(raw) <= 80 else raw[:80] + "…"
        raise RecordError(
            f"expected {len(schema.fields)} '|'-separated fields in each entry as the header "
            f"declares, got {len(values)} in entry {number}: {shown!r}",
            field=schema.tag,
        )
    return dict(zip(schema.fields, values, strict=True))


def vep_allele(ref: str, alts: Sequence[str], index: int) -> str:
    """The allele string VEP writes for ``alts[index]``.

    When the alleles differ in length and all (REF and every ALT) share their first base, VEP
    drops that base, writing ``-`` for an empty allele: REF ``CTT`` ALT ``C`` is ``-``, REF
    ``G`` ALT ``GT`` is ``T``. Symbolic alleles are written as they are.
    """
    alt = alts[index]
    sequences = [ref, *(a for a in alts if a and not a.startswith("<") and a != "*")]
    if alt not in sequences:
        return alt
    lengths_differ = any(len(sequence) != len(ref) for sequence in sequences)
    if lengths_differ and len({sequence[0] for sequence in sequences}) == 1:
        return alt[1:] or "-"
    return alt


def _for_vep_allele(
    entries: list[dict[str, str]], record: RawRecord, index: int
) -> list[dict[str, str]]:
    allele = vep_allele(record.ref, record.alts, index)
    matched = []
    for entry in entries:
        number = entry.get("ALLELE_NUM", "")
        if number.isascii() and number.isdigit():
            if int(number) == index + 1:
                matched.append(entry)
        elif entry.get("Allele") == allele:
            matched.append(entry)
    return matched


def _severity(entry: Mapping[str, str]) -> int:
    terms = entry.get("Consequence", "").split("&")
    return most_severe_rank(terms)


def _pick_vep(entries: list[dict[str, str]]) -> dict[str, str] | None:
    """MANE Select, else VEP's PICK, else canonical, else protein-coding; ties: most severe."""
    tiers: tuple[Callable[[Mapping[str, str]], bool], ...] = (
        lambda e: bool(e.get("MANE_SELECT") or e.get("MANE")),
        lambda e: e.get("PICK") == "1",
        lambda e: e.get("CANONICAL") == "YES",
        lambda e: e.get("BIOTYPE") == "protein_coding",
        lambda e: True,
    )
    for tier in tiers:
        candidates = [entry for entry in entries if tier(entry)]
        if candidates:
            return min(
                candidates,
                key=lambda e: (
                    e.get("Feature_type") != "Transcript",
                    e.get("BIOTYPE") != "protein_coding",
                    _severity(e),
                ),
            )
    return None


def _from_vep(entry: Mapping[str, str] | None) -> Annotation | None:
    if entry is None:
        return None
    return Annotation(
        gene=entry.get("SYMBOL") or None,
        transcript=(entry.get("Feature") or None)
        if entry.get("Feature_type") == "Transcript"
        else None,
        hgvs_c=_hgvs(entry.get("HGVSc")),
        hgvs_p=_protein(_hgvs(entry.get("HGVSp"))),
        consequence=entry.get("Consequence") or None,
        exon=entry.get("EXON") or None,
    )


def _from_snpeff(entry: Mapping[str, str] | None) -> Annotation | None:
    if entry is None:
        return None
    consequence = entry.get("Annotation") or None
    # Rank is the exon rank, or the intron rank for intronic annotations ([2], field 9).
    intronic = consequence is not None and "intron" in consequence
    return Annotation(
        gene=entry.get("Gene_Name") or None,
        transcript=(entry.get("Feature_ID") or None)
        if entry.get("Feature_Type", "").lower() == "transcript"
        else None,
        hgvs_c=_hgvs(entry.get("HGVS.c")),
        hgvs_p=_protein(_hgvs(entry.get("HGVS.p"))),
        consequence=consequence,
        exon=None if intronic else entry.get("Rank") or None,
    )


def _hgvs(value: str | None) -> str | None:
    """``ENST00000263967.3:c.3140A>G`` → ``c.3140A>G``; VEP's URL escapes (``%3D``) undone."""
    if not value:
        return None
    return unquote(value).rpartition(":")[2] or None


def _protein(hgvs: str | None) -> str | None:
    """Only a ``p.`` notation is a protein change: VEP (v85 at least) repeats the HGVSc string
    in HGVSp for synonymous variants."""
    return hgvs if hgvs is not None and hgvs.startswith("p.") else None
