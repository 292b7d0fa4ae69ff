"""Per-sample findings from the rows of a set of samples, in columns.

This is :func:`oncoboard.genomics.matching.match_profile` restated over tables: for each
sample and knowledge-base entry, the hits of its alterations are reduced to the most specific
hit per biomarker, sorted, and the most specific one decides the gene, oncogenicity and
context; oncogenic alterations and VUS that no entry explains follow; findings are ordered
as the single-patient path orders them. Rows must all belong to whole samples (every row of a
sample in the same call).

What a MAF cannot carry is not matched: HER2/PD-L1 results, TMB and MSI (profile biomarkers)
and tested-wild-type criteria (gene coverage) -- as ``oncoboard annotate`` of a MAF without
a case; a clinical subtype, where given, is the only context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from oncoboard.cohort._keys import SPECIFICITY_ORDER, evaluate_keys
from oncoboard.cohort._schema import (
    FINDINGS_SCHEMA,
    NOTES_SCHEMA,
    SAMPLES_SCHEMA,
    context_json,
    evidence_ref,
)
from oncoboard.genomics.findings import FindingKind, Specificity
from oncoboard.genomics.matching import REVERSION_WINDOW_CODONS, entry_context, entry_evidence
from oncoboard.genomics.profile import BiomarkerProfile, CaseContext
from oncoboard.knowledge.therapies import EntryKind, GeneCriterion, KnowledgeBase
from oncoboard.model import SpecimenType

__all__ = ["Aggregated", "aggregate", "subtype_context"]

_KIND_ORDER = {k.value: i for i, k in enumerate(FindingKind)}
_LEVEL_ORDER = {"1": 0, "2": 1, "3A": 2, "3B": 3, "4": 4, "R1": 5, "R2": 6}
_ENTRY_KIND = {
    EntryKind.PREDICTIVE: FindingKind.ACTIONABLE.value,
    EntryKind.RESISTANCE: FindingKind.RESISTANCE.value,
    EntryKind.PROGNOSTIC: FindingKind.PROGNOSTIC.value,
}
_SPECIFICITY = [s.value for s in Specificity]
_NOTE_ORDER = {"unparsable": 0, "unknown_gene": 1, "filtered": 2, "needs_annotation": 3}
_HASH_SEED = 0x5EED
_CHECK_SEED = 0xC0FFEE


@dataclass(frozen=True, slots=True)
class Aggregated:
    """The cohort tables of one group of samples."""

    findings: pl.DataFrame
    samples: pl.DataFrame
    notes: pl.DataFrame
    evidence: dict[str, str]


def subtype_context(subtype: str | None) -> CaseContext:
    """The context a cohort table gives: the subtype only; treatment history unknown."""
    return CaseContext(
        subtype=subtype,
        her2=None,
        line=None,
        prior_classes=frozenset(),
        current_classes=frozenset(),
        history_known=False,
    )


@cache
def _entry_table(kb: KnowledgeBase) -> tuple[pl.DataFrame, dict[str, str]]:
    """The knowledge base's entries as a table, and the evidence they cite (built once per
    knowledge base: callers must not modify them)."""
    rows, evidence = [], {}
    for number, entry in enumerate(kb.entries):
        ref, text = evidence_ref(entry_evidence(entry, kb))
        evidence[ref] = text
        rows.append(
            {
                "entry": number,
                "entry_id": entry.id,
                "kind": _ENTRY_KIND[entry.kind],
                "rule": f"knowledge base entry {entry.id} ({kb.version})",
                "therapy": list(entry.therapy.agents) if entry.therapy else [],
                "regimen": entry.therapy.regimen if entry.therapy else None,
                "level": entry.level,
                "escat": entry.escat,
                "benefit": entry.benefit.text if entry.benefit else None,
                "note": entry.context.note,
                "evidence_ref": ref,
            }
        )
    schema = {
        "entry": pl.UInt32(),
        "entry_id": pl.String(),
        "kind": pl.String(),
        "rule": pl.String(),
        "therapy": pl.List(pl.String()),
        "regimen": pl.String(),
        "level": pl.String(),
        "escat": pl.String(),
        "benefit": pl.String(),
        "note": pl.String(),
        "evidence_ref": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema), evidence


def _context_table(
    kb: KnowledgeBase, pairs: pl.DataFrame, specimen: SpecimenType | None
) -> pl.DataFrame:
    """Context checks of each (entry, subtype) pair; the top alteration's specimen is the
    run's specimen for every row of a MAF."""
    from oncoboard.genomics.alteration import Alteration, AlterationKind

    probe = Alteration(gene="?", kind=AlterationKind.MUTATION, specimen=specimen, source="-")
    rows = []
    for entry, subtype in pairs.iter_rows():
        profile = BiomarkerProfile(alterations=(), context=subtype_context(subtype))
        checks, met = entry_context(kb.entries[entry], profile, probe)
        rows.append((entry, subtype, context_json(checks), met))
    schema = {
        "entry": pl.UInt32(),
        "subtype": pl.String(),
        "context": pl.String(),
        "context_met": pl.Boolean(),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _reversion_hits(kb: KnowledgeBase, alts: pl.DataFrame, info: pl.DataFrame) -> pl.DataFrame:
    """Possible reversions (see ``matching._reversion_hits``): pairs within a sample, with the
    hit's biomarker text; empty when no sample has a germline truncating variant."""
    criteria = [
        (number, index, criterion.gene)
        for number, entry in enumerate(kb.entries)
        for index, criterion in enumerate(entry.biomarker.any)
        if isinstance(criterion, GeneCriterion) and criterion.type == "reversion"
    ]
    attributes = info.select("kid", "gene", "codon", "protein_change", "change")
    first = (
        alts.join(info.filter(pl.col("germline_truncating")).select("kid"), on="kid")
        .join(attributes, on="kid")
        .select(
            "sid", "gene", first_ord="ord", first_codon="codon",
            first_protein="protein_change", first_change="change",
        )
    )  # fmt: skip
    if first.is_empty() or not criteria:
        return pl.DataFrame()
    second = alts.join(info.filter(pl.col("somatic_coded")).select("kid"), on="kid").join(
        attributes, on="kid"
    )
    frames = []
    for number, index, gene in criteria:
        pairs = first.filter(pl.col("gene") == gene).join(
            second.filter(pl.col("gene") == gene), on=["sid", "gene"]
        )
        pairs = pairs.filter(
            pl.col("protein_change").ne_missing(pl.col("first_protein"))
            & ((pl.col("codon") - pl.col("first_codon")).abs() <= REVERSION_WINDOW_CODONS)
        )
        frames.append(
            pairs.select(
                "sid",
                "ord",
                entry=pl.lit(number, pl.UInt32),
                criterion=pl.lit(index, pl.UInt32),
                spec=pl.lit(SPECIFICITY_ORDER[Specificity.GENE_LEVEL.value], pl.UInt32),
                biomarker=pl.format(
                    "{} {} (possible reversion of germline {})", "gene", "change", "first_change"
                ),
                order=pl.col("first_ord").cast(pl.Int64) * (1 << 32) + pl.col("ord"),
            )
        )
    return pl.concat(frames)


def _key_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """``kid``: a dense id of the key (1, 2, ...; small, so it packs into sort and join keys),
    ranked by a 64-bit hash of the key, which is checked against a second, independent hash
    (a pair of keys sharing the first is caught unless they also share the second, ~2^-64);
    on a clash, the key's own rank (exact)."""
    hashed = rows.with_columns(
        kid=pl.col("key").hash(seed=_HASH_SEED), check=pl.col("key").hash(seed=_CHECK_SEED)
    )
    distinct = hashed.select(
        pl.col("kid").n_unique().alias("one"), pl.struct("kid", "check").n_unique().alias("both")
    ).row(0)
    if distinct[0] == distinct[1]:
        return hashed.drop("check").with_columns(kid=_rank("kid"))
    return rows.with_columns(kid=_rank("key"))


def aggregate(
    rows: pl.DataFrame,
    *,
    files: Sequence[str],
    subtypes: Mapping[str, str | None],
    specimen: SpecimenType | None,
    kb: KnowledgeBase,
) -> Aggregated:
    """Findings, sample counts and notes of whole samples.

    ``rows`` has ``sample``, ``file`` (index into ``files``), ``line`` and ``key``, for every
    row of each sample it holds; ``subtypes`` maps samples to a clinical subtype. Samples and
    keys are replaced by integer ids (``sid`` in sample order, ``kid``) for the joins.
    """
    if rows.is_empty():  # a header-only file, or a bucket no sample hashed to
        return Aggregated(
            pl.DataFrame(schema=FINDINGS_SCHEMA),
            pl.DataFrame(schema=SAMPLES_SCHEMA),
            pl.DataFrame(schema=NOTES_SCHEMA),
            {},
        )
    # sid: the sample's rank by name (the distinct names are sorted, not every row)
    names = rows.select("sample").unique().sort("sample")
    names = names.with_row_index("sid", offset=1).cast({"sid": pl.UInt32})
    rows = _key_ids(rows).join(names, on="sample", how="left", maintain_order="left")
    names = names.select("sid", "sample", subtype=_subtype(subtypes))
    first_seen = (
        rows.select("kid", "key", "file", "line")
        .sort("file", "line")
        .unique("kid", keep="first", maintain_order=True)
    )
    # the text columns go: from here on rows are integers, in file order
    rows = rows.select("sid", "file", "line", "kid").sort("file", "line").with_row_index("ord")

    def where(index: int) -> tuple[str, int]:
        row = first_seen.row(index, named=True)
        return files[row["file"]], row["line"]

    tables = evaluate_keys(first_seen["key"].to_list(), where, specimen=specimen, kb=kb)
    info = tables.keys.with_columns(kid=first_seen["kid"], lid=_rank("label")).drop("key")
    hits = tables.hits.with_columns(
        kid=pl.col("key").replace_strict(
            first_seen["key"], first_seen["kid"], return_dtype=pl.UInt32
        )
    ).drop("key")
    base = rows.select("sid", "ord", "file", "line", "kid").join(
        info.select("kid", "status", "unknown_gene", "lid"), on="kid", how="left"
    )
    sources = pl.DataFrame({"file": list(range(len(files))), "file_label": list(files)})
    sources = sources.cast({"file": rows.schema["file"]})
    samples = _samples(base, names)
    notes = _notes(base, info, names, sources)
    alts = base.filter(pl.col("status") == "alteration").drop("status", "unknown_gene")
    alts = alts.join(sources, on="file", how="left").with_columns(
        source=pl.format("{}:{}", "file_label", "line")
    )
    findings, evidence = _findings(alts, info, hits, names, kb, specimen)
    return Aggregated(findings, samples, notes, {**tables.evidence, **evidence})


def _sort(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """``frame.sort(*columns, maintain_order=True)``, faster for integer columns: when every
    column is an unsigned integer without nulls and their widths add up to 64 bits or fewer,
    the rows are sorted by one packed 64-bit key (a single integer column sorts several
    times faster than a multi-column sort, which encodes rows first)."""
    if frame.height < 2 or not all(frame.schema[c].is_unsigned_integer() for c in columns):
        return frame.sort(*columns, maintain_order=True)
    stats = frame.select(
        *(pl.col(c).null_count().alias(f"n{i}") for i, c in enumerate(columns)),
        *(pl.col(c).max().alias(f"m{i}") for i, c in enumerate(columns)),
    ).row(0)
    nulls, highest = stats[: len(columns)], stats[len(columns) :]
    if any(nulls):
        return frame.sort(*columns, maintain_order=True)
    key = _packed(columns, [int(m) for m in highest])
    if key is None:
        return frame.sort(*columns, maintain_order=True)
    return frame.sort(key, maintain_order=True)


def _packed(columns: Sequence[str], highest: Sequence[int]) -> pl.Expr | None:
    """One UInt64 of non-negative integer columns (the first in the highest bits), ordered
    as the columns are, or ``None`` if their widths (from each column's ``highest`` value)
    add up to more than 64 bits."""
    widths = [m.bit_length() for m in highest]
    if sum(widths) > 64:
        return None
    key = pl.col(columns[0]).cast(pl.UInt64)
    for column, width in zip(columns[1:], widths[1:], strict=True):
        key = key * pl.lit(1 << width, pl.UInt64) + pl.col(column).cast(pl.UInt64)
    return key


def _rank(column: str) -> pl.Expr:
    return pl.col(column).rank("dense").cast(pl.UInt32)


def _subtype(subtypes: Mapping[str, str | None]) -> pl.Expr:
    if not subtypes:
        return pl.lit(None, pl.String)
    return pl.col("sample").replace_strict(dict(subtypes), default=None, return_dtype=pl.String)


def _samples(base: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    status = pl.col("status")
    counts = base.group_by("sid").agg(
        rows=pl.len(),
        alterations=(status == "alteration").sum(),
        filtered=(status == "filtered").sum(),
        unparsable=(status == "unparsable").sum(),
        needs_annotation=(status == "needs_annotation").sum(),
        unknown_genes=pl.col("unknown_gene").fill_null(False).sum(),
    )
    return (
        counts.join(names, on="sid")
        .sort("sid")
        .select([pl.col(n).cast(d) for n, d in SAMPLES_SCHEMA.items()])
    )


def _notes(
    base: pl.DataFrame, info: pl.DataFrame, names: pl.DataFrame, sources: pl.DataFrame
) -> pl.DataFrame:
    kind = (
        pl.when(pl.col("status") == "alteration")
        .then(pl.when(pl.col("unknown_gene")).then(pl.lit("unknown_gene")))
        .otherwise(pl.col("status"))
    )
    noted = base.filter((pl.col("status") != "alteration") | pl.col("unknown_gene"))
    order = pl.col("kind").replace_strict(_NOTE_ORDER, return_dtype=pl.UInt8)
    noted = noted.with_columns(kind=kind).with_columns(order=order)
    return (
        _sort(noted, "sid", "order", "ord")
        .join(info.select("kid", "note"), on="kid", how="left", maintain_order="left")
        .join(names, on="sid", how="left", maintain_order="left")
        .join(sources, on="file", how="left", maintain_order="left")
        .with_columns(source=pl.format("{}:{}", "file_label", "line"))
        .select([pl.col(n).cast(d) for n, d in NOTES_SCHEMA.items()])
    )


def _biomarker_ids(
    regular: pl.DataFrame, reversions: pl.DataFrame, info: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Hits with ``bid`` (biomarker id in text order) and the id -> text table."""
    texts = info.select(biomarker="label").drop_nulls()
    if not reversions.is_empty():
        texts = pl.concat([texts, reversions.select("biomarker")])
    table = texts.unique().with_columns(bid=_rank("biomarker"))
    # one row per label: keys differing in what the label does not show (exon, transcript,
    # a read-back cell) share it, and a row per key would repeat each hit once per such key
    labels = (
        info.select("lid", "label")
        .drop_nulls()
        .unique("lid")
        .join(table, left_on="label", right_on="biomarker")
    )
    regular = regular.join(labels.select("lid", "bid"), on="lid")
    columns = ["sid", "ord", "entry", "criterion", "spec", "bid", "order"]
    merged = regular.select(columns)
    if not reversions.is_empty():
        ids = reversions.join(table, on="biomarker").select(columns)
        merged = pl.concat([merged, ids.cast(merged.schema)])
    return merged, table


def _findings(
    alts: pl.DataFrame,
    info: pl.DataFrame,
    hits: pl.DataFrame,
    names: pl.DataFrame,
    kb: KnowledgeBase,
    specimen: SpecimenType | None,
) -> tuple[pl.DataFrame, dict[str, str]]:
    regular = (
        alts.select("sid", "ord", "kid", "lid")
        .join(hits.select("kid", "entry", "criterion", "spec"), on="kid")
        .with_columns(order=pl.col("ord").cast(pl.Int64))
    )
    all_hits, texts = _biomarker_ids(regular, _reversion_hits(kb, alts, info), info)
    # the most specific hit per biomarker; ties: first criterion, then first alteration
    best = all_hits.sort("spec", "criterion", "order").unique(
        ["sid", "entry", "bid"], keep="first", maintain_order=True
    )
    ranked = _sort(best, "sid", "entry", "spec", "bid").with_columns(
        position=pl.int_range(pl.len(), dtype=pl.UInt32)
    )
    by_entry = ranked.group_by("sid", "entry", maintain_order=True).agg(
        top_ord=pl.col("ord").first(),
        spec=pl.col("spec").first(),
        top_bid=pl.col("bid").first(),
        hits=pl.len(),
    )
    # most findings have one hit: their text and source are the hit's; only findings with
    # several hits join them (texts with ", ", sources with "; ", each source once)
    multi = ranked.join(
        by_entry.filter(pl.col("hits") > 1).select("sid", "entry"), on=["sid", "entry"], how="semi"
    )
    # the matched biomarkers are the finding's text split at ", ", unless a text holds one
    splittable = not texts["biomarker"].str.contains(", ", literal=True).any()
    joined = (
        multi.join(texts, on="bid", how="left")
        .group_by("sid", "entry", maintain_order=True)
        .agg(
            pl.col("biomarker").str.join(", "),
            *([] if splittable else [pl.col("biomarker").alias("matched")]),
        )
    )
    sources = (
        multi.join(alts.select("ord", "source"), on="ord", how="left")
        .unique(["sid", "entry", "ord"], keep="first", maintain_order=True)
        .group_by("sid", "entry", maintain_order=True)
        .agg(pl.col("source").str.join("; "))
    )
    kb_findings = (
        by_entry.join(
            alts.select(top_ord="ord", kid="kid", top_source="source"), on="top_ord", how="left"
        )
        .join(texts.select(top_bid="bid", top_text="biomarker"), on="top_bid", how="left")
        .join(joined, on=["sid", "entry"], how="left")
        .join(sources, on=["sid", "entry"], how="left")
        .with_columns(
            biomarker=pl.coalesce("biomarker", "top_text"),
            source=pl.coalesce("source", "top_source"),
        )
    )
    if not splittable:
        kb_findings = kb_findings.with_columns(
            matched=pl.when(pl.col("hits") > 1)
            .then(pl.col("matched"))
            .otherwise(pl.concat_list("top_text"))
        )
    if splittable:
        kb_findings = kb_findings.with_columns(matched=pl.col("biomarker").str.split(", "))
    kb_findings = kb_findings.with_columns(
        text_order=pl.struct(
            "biomarker", pl.col("entry").replace_strict(_entry_ids(kb), return_dtype=pl.String)
        )
        .rank("dense")
        .cast(pl.UInt32)
    )
    explained = regular.select("sid", "lid").unique()
    unexplained = (
        alts.join(explained, on=["sid", "lid"], how="anti")
        .unique(["sid", "lid"], keep="first", maintain_order=True)
        .join(info.select("kid", "neutral"), on="kid", how="left")
        .filter(~pl.col("neutral"))
        .select("sid", "kid", "source", text_order="lid")  # the biomarker is the label
    )
    return _assemble(kb_findings, unexplained, info, names, kb, specimen)


def _entry_ids(kb: KnowledgeBase) -> dict[int, str]:
    return {number: entry.id for number, entry in enumerate(kb.entries)}


def _assemble(
    kb_findings: pl.DataFrame,
    unexplained: pl.DataFrame,
    info: pl.DataFrame,
    names: pl.DataFrame,
    kb: KnowledgeBase,
    specimen: SpecimenType | None,
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Order the findings (narrow rows, integer keys), then attach the entry, alteration and
    context columns from their small tables."""
    entries, evidence = _entry_table(kb)
    entry_order = entries.select(
        "entry",
        kind_order=pl.col("kind").replace_strict(_KIND_ORDER, return_dtype=pl.UInt8),
        level_order=pl.col("level").replace_strict(_LEVEL_ORDER, default=7, return_dtype=pl.UInt8),
    )
    kinds = info.select(
        "kid",
        kind_order=pl.when(pl.col("oncogenic"))
        .then(_KIND_ORDER[FindingKind.NOT_ACTIONABLE.value])
        .otherwise(_KIND_ORDER[FindingKind.VUS.value])
        .cast(pl.UInt8),
    )
    ordered = _sort(
        pl.concat(
            [
                kb_findings.join(entry_order, on="entry", how="left"),
                unexplained.join(kinds, on="kid", how="left").with_columns(
                    level_order=pl.lit(7, pl.UInt8)
                ),
            ],
            how="diagonal",
        ),
        "sid",
        "kind_order",
        "level_order",
        "text_order",
    )
    # position within the sample: rows are sorted by sample
    ordered = ordered.with_columns(
        rank=(
            pl.int_range(pl.len(), dtype=pl.UInt32)
            - pl.col("sid").search_sorted(pl.col("sid"), side="left").cast(pl.UInt32)
        )
    ).join(
        names.with_columns(_subtype=pl.col("subtype").rank("dense").fill_null(0)),
        on="sid",
        how="left",
        maintain_order="left",
    )
    # every column but sample, rank, biomarker, matched and source is decided by the entry,
    # the (top) alteration, the specificity and the subtype: computed once per distinct
    # combination (a prototype) and attached to the rows by one integer join
    ordered = ordered.with_columns(
        _entry=pl.col("entry").cast(pl.Int64).fill_null(-1) + 1,
        _spec=pl.col("spec").cast(pl.Int64).fill_null(-1) + 1,
    )
    parts = ["_entry", "kid", "_spec", "_subtype"]
    highest = ordered.select(pl.col(parts).max()).row(0)
    packed = _packed(parts, [int(m or 0) for m in highest])
    ordered = ordered.with_columns(
        proto=packed if packed is not None else pl.struct(parts).rank("dense").cast(pl.UInt64)
    )
    prototypes = ordered.select("proto", "entry", "kid", "spec", "subtype").unique("proto")
    pairs = prototypes.filter(pl.col("entry").is_not_null()).select("entry", "subtype").unique()
    context = _context_table(kb, pairs, specimen)
    alteration = info.select(
        "kid", "gene", "label", "oncogenic", "onc_ref",
        oncogenicity="onc_label", oncogenicity_reason="onc_reason",
        onc_rule=pl.format("oncogenicity: {}", "onc_reason"),
    )  # fmt: skip
    from_entry = pl.col("entry").is_not_null()
    prototypes = (
        prototypes.join(entries.rename({"kind": "entry_kind", "rule": "entry_rule"}), on="entry",
                        how="left")
        .join(alteration, on="kid", how="left")
        .join(context, on=["entry", "subtype"], how="left", nulls_equal=True)
        .select(
            "proto", "label", "gene", "entry_id", "regimen", "level", "escat", "oncogenicity",
            "oncogenicity_reason", "benefit", "context_met", "note",
            kind=pl.when(from_entry)
            .then(pl.col("entry_kind"))
            .when(pl.col("oncogenic"))
            .then(pl.lit(FindingKind.NOT_ACTIONABLE.value))
            .otherwise(pl.lit(FindingKind.VUS.value)),
            rule=pl.coalesce("entry_rule", "onc_rule"),
            evidence_ref=pl.coalesce("evidence_ref", "onc_ref"),
            specificity=pl.col("spec").replace_strict(
                dict(enumerate(_SPECIFICITY)), default=None, return_dtype=pl.String
            ),
            therapy=pl.col("therapy").fill_null(pl.lit([], pl.List(pl.String))),
            context=pl.col("context").fill_null(pl.lit("[]")),
        )
    )  # fmt: skip
    findings = ordered.select("proto", "sample", "rank", "biomarker", "matched", "source").join(
        prototypes, on="proto", how="left", maintain_order="left"
    )
    findings = findings.with_columns(
        biomarker=pl.coalesce("biomarker", "label"),
        matched=pl.col("matched").fill_null(pl.lit([], pl.List(pl.String))),
    )
    return findings.select(
        [pl.col(name).cast(dtype) for name, dtype in FINDINGS_SCHEMA.items()]
    ), evidence
