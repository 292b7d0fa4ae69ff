"""Evaluate each distinct variant key once, with the single-patient functions.

A key (see :mod:`oncoboard.cohort._read`) is turned back into the MAF row it stands for and
passed through exactly what ``oncoboard annotate`` runs on a row: the MAF row reader, call
normalisation, the oncogenicity rules and the knowledge-base criteria that one alteration
decides on its own (:func:`oncoboard.genomics.matching.alteration_hits`). The results are
tables joined to every row with that key, so the per-row work is columnar. Criteria that need
the whole sample (reversions) are flagged here and decided per sample in
:mod:`oncoboard.cohort._aggregate`.

Results are kept per process, as tables per specimen and knowledge-base version, up to
:data:`_CACHE_LIMIT` keys: a key is evaluated once however many blocks, buckets or (on a Dask
worker) partitions carry it. Keys past the limit are evaluated by each call that needs them.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import polars as pl

from oncoboard.cohort._read import KEY_COLUMNS, KEY_SEPARATOR, key_header
from oncoboard.cohort._schema import evidence_ref
from oncoboard.errors import GenomicFileError
from oncoboard.genomics.alteration import Alteration, AlterationKind
from oncoboard.genomics.findings import Specificity
from oncoboard.genomics.matching import alteration_hits
from oncoboard.genomics.normalize import normalize_calls
from oncoboard.genomics.oncogenicity import OncogenicityCall, call_oncogenicity
from oncoboard.io._tabular import Row
from oncoboard.io.maf import maf_variant
from oncoboard.knowledge.genes import gene_table
from oncoboard.knowledge.therapies import (
    GeneCriterion,
    KnowledgeBase,
    MutationCriterion,
    knowledge_base,
)
from oncoboard.model import SampleOrigin, SpecimenType

__all__ = [
    "HIT_SCHEMA",
    "KEY_SCHEMA",
    "KeyHelpers",
    "KeyTables",
    "evaluate_keys",
    "helper_count",
    "key_helpers",
    "prefetch_keys",
]

SPECIFICITY_ORDER = {s.value: i for i, s in enumerate(Specificity)}

KEY_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "status": pl.String(),  # alteration, filtered, unparsable, needs_annotation
    "note": pl.String(),  # for filtered/unparsable/needs_annotation/unknown genes
    "label": pl.String(),
    "gene": pl.String(),
    "unknown_gene": pl.Boolean(),
    "onc_label": pl.String(),
    "onc_reason": pl.String(),
    "onc_ref": pl.String(),
    "neutral": pl.Boolean(),
    "oncogenic": pl.Boolean(),
    "germline_truncating": pl.Boolean(),  # may be reverted (first of a reversion pair)
    "somatic_coded": pl.Boolean(),  # may revert (second of a reversion pair)
    "codon": pl.Int64(),
    "protein_change": pl.String(),
    "change": pl.String(),  # protein change, else HGVS c.
}
HIT_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "entry": pl.UInt32(),
    "criterion": pl.UInt32(),
    "spec": pl.UInt32(),
    "biomarker": pl.String(),
}
_ONCOGENIC = frozenset({"oncogenic", "likely_oncogenic"})


@dataclass(frozen=True, slots=True)
class KeyTables:
    """Per-key attributes, per-key knowledge-base hits, and the evidence they cite."""

    keys: pl.DataFrame
    hits: pl.DataFrame
    evidence: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Evaluated:
    key: str
    row: tuple[object, ...]  # the values of KEY_SCHEMA, in its order
    hits: tuple[tuple[int, int, int, str], ...]
    evidence: tuple[str, str] | None

    @classmethod
    def of(
        cls,
        row: dict[str, object],
        hits: tuple[tuple[int, int, int, str], ...] = (),
        evidence: tuple[str, str] | None = None,
    ) -> _Evaluated:
        return cls(str(row["key"]), tuple(map(row.get, KEY_SCHEMA)), hits, evidence)


@cache
def _entries_by_gene(kb: KnowledgeBase) -> dict[str, tuple[int, ...]]:
    """Entries with a per-alteration criterion on each gene (the only ones a mutation of
    that gene can hit)."""
    index: dict[str, list[int]] = defaultdict(list)
    for number, entry in enumerate(kb.entries):
        genes = {
            c.gene for c in entry.biomarker.any if isinstance(c, MutationCriterion | GeneCriterion)
        }
        for gene in genes:
            index[gene].append(number)
    return {gene: tuple(numbers) for gene, numbers in index.items()}


_CACHE_LIMIT = 1_000_000  # keys kept in the tables (~0.3 KB each); keys past it are
# evaluated by each call that needs them, and not kept


def _row_of(file: str, key: str, line: int) -> Row:
    values = key.split(KEY_SEPARATOR)
    if len(values) != len(KEY_COLUMNS):
        raise ValueError(f"not a variant key: {key!r}")
    return Row(key_header(file), line, (*values, "sample"))


def _evaluate(
    file: str, key: str, line: int, specimen: SpecimenType | None, kb: KnowledgeBase
) -> _Evaluated:
    call = maf_variant(_row_of(file, key, line))
    normalized = normalize_calls([call], specimen=specimen)
    base: dict[str, object] = {"key": key}
    if normalized.filtered:
        return _Evaluated.of(
            {**base, "status": "filtered", "note": f"FILTER {call.filter}; not interpreted"}
        )
    if normalized.unparsable:
        reason = normalized.unparsable[0][1]
        return _Evaluated.of({**base, "status": "unparsable", "note": f"{reason}; not interpreted"})
    if normalized.needs_annotation:
        note = f"{call.chromosome}:{call.position} {call.ref}>{call.alt}"
        return _Evaluated.of({**base, "status": "needs_annotation", "note": note})
    alteration = normalized.alterations[0]
    oncogenicity = call_oncogenicity(alteration)

    def memo(other: Alteration) -> OncogenicityCall:
        return oncogenicity if other is alteration else call_oncogenicity(other)

    hits = tuple(
        (number, hit.criterion, SPECIFICITY_ORDER[hit.specificity.value], hit.biomarker)
        for number in _entries_by_gene(kb).get(alteration.gene, ())
        for hit in alteration_hits(kb.entries[number], alteration, memo)
    )
    ref, text = evidence_ref(oncogenicity.evidence)
    unknown = alteration.gene not in gene_table()
    mutation = alteration.kind is AlterationKind.MUTATION
    germline = alteration.origin is SampleOrigin.GERMLINE
    row = {
        **base,
        "status": "alteration",
        "note": (
            f"gene {alteration.gene!r} is not in the Oncoboard gene table (not an HGNC "
            "symbol or alias it knows); reported as VUS"
        )
        if unknown
        else None,
        "label": alteration.label,
        "gene": alteration.gene,
        "unknown_gene": unknown,
        "onc_label": oncogenicity.label.value,
        "onc_reason": oncogenicity.reason,
        "onc_ref": ref,
        "neutral": oncogenicity.label.value == "likely_neutral",
        "oncogenic": oncogenicity.label.value in _ONCOGENIC,
        "germline_truncating": mutation
        and germline
        and alteration.consequence.truncating
        and alteration.codon is not None,
        "somatic_coded": mutation and not germline and alteration.codon is not None,
        "codon": alteration.codon,
        "protein_change": alteration.protein_change,
        "change": alteration.protein_change or alteration.hgvs_c,
    }
    return _Evaluated.of(row, hits, (ref, text))


_SHARED_KEYS = 16_384
"""New keys in one prefetch from which helper processes take a share of the work."""
_CHUNK_KEYS = 4_096  # keys per task of a helper (~0.25 s)


def helper_count() -> int:
    """A default number of helper processes: one per core beyond the first, at most 7."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(0, min(7, cores - 1))


@dataclass(frozen=True, slots=True)
class KeyHelpers:
    """Helper processes for :func:`prefetch_keys` (see :func:`key_helpers`)."""

    pool: Executor
    processes: int


@contextmanager
def key_helpers(processes: int) -> Iterator[KeyHelpers | None]:
    """``processes`` helper processes (none for 0), started at their first task and
    stopped on exit. They are spawned, not forked from a process running threads: like any
    spawned process, they import the caller's ``__main__``, so a script that uses them needs
    the ``if __name__ == "__main__":`` guard (the ``oncoboard`` command has it)."""
    if processes <= 0:
        yield None
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        yield KeyHelpers(pool, processes)


def _evaluate_some(
    keys: Sequence[str], specimen: SpecimenType | None, kb: KnowledgeBase
) -> list[_Evaluated]:
    """The keys that evaluate; an invalid row is skipped (:func:`evaluate_keys` reports it,
    located)."""
    found = []
    for key in keys:
        try:
            found.append(_evaluate("-", key, 0, specimen, kb))
        except (GenomicFileError, ValueError):
            continue
    return found


def _helper_task(
    keys: list[str], specimen: SpecimenType | None, version: str
) -> tuple[bytes, bytes, dict[str, str]] | None:
    """In a helper process: the tables of ``keys`` as Arrow IPC, or ``None`` if this
    process's knowledge base is not ``version``."""
    kb = knowledge_base()
    if kb.version != version:
        return None
    rows, hits, evidence = _tables(_evaluate_some(keys, specimen, kb))
    return _ipc(rows), _ipc(hits), evidence


def _ipc(frame: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.write_ipc(sink)
    return sink.getvalue()


def prefetch_keys(
    keys: Sequence[str],
    *,
    specimen: SpecimenType | None,
    kb: KnowledgeBase,
    helpers: KeyHelpers | None = None,
) -> tuple[int, int]:
    """Evaluate the keys not yet in the tables and add them (e.g. in a thread while the next
    block is parsed); keys whose row is invalid are skipped, for :func:`evaluate_keys` to
    report with their line, and so are keys past the tables' limit.

    With ``helpers`` (:func:`key_helpers`) and at least :data:`_SHARED_KEYS` new keys of
    the default knowledge base, helper processes evaluate chunks from the end while this
    thread works from the start (the GIL allows one evaluating thread per process); a chunk
    whose helper fails is evaluated here. Returns the number of keys added by this process
    and by helpers.
    """
    known = _known(specimen, kb)
    room = max(0, _CACHE_LIMIT - len(known.keys))
    todo = [key for key in dict.fromkeys(keys) if key not in known.keys][:room]
    chunks = [todo[n : n + _CHUNK_KEYS] for n in range(0, len(todo), _CHUNK_KEYS)]
    found: list[_Evaluated] = []
    tables: list[tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]] = []
    front, back = 0, len(chunks)
    running: list[tuple[int, Future[tuple[bytes, bytes, dict[str, str]] | None]]] = []
    # tasks in flight: none unless the block is large enough to share (default knowledge base)
    shared = helpers is not None and len(todo) >= _SHARED_KEYS and kb is knowledge_base()
    depth = 2 * helpers.processes if helpers is not None and shared else 0
    while front < back or running:
        while helpers is not None and front < back and len(running) < depth:
            try:
                task = helpers.pool.submit(_helper_task, chunks[back - 1], specimen, kb.version)
            except BrokenExecutor:  # a helper died: the rest is done here
                depth = 0
                break
            back -= 1
            running.append((back, task))
        finished = [item for item in running if item[1].done()]
        if not finished and front < back:
            found += _evaluate_some(chunks[front], specimen, kb)
            front += 1
            continue
        if not finished:
            wait([future for _, future in running], return_when=FIRST_COMPLETED)
            continue
        for item in finished:
            running.remove(item)
            number, future = item
            result = None if future.exception() else future.result()
            if result is None:  # failed, or another knowledge base: done here
                found += _evaluate_some(chunks[number], specimen, kb)
            else:
                rows_ipc, hits_ipc, evidence = result
                rows, hits = pl.read_ipc(io.BytesIO(rows_ipc)), pl.read_ipc(io.BytesIO(hits_ipc))
                tables.append((rows, hits, evidence))
    with known.lock:
        own = [f for f in found if f.key not in known.keys]
        if own and len(known.keys) + len(own) <= _CACHE_LIMIT:
            known.add(*_tables(own))
        else:
            own = []
        helped = 0
        for rows, hits, evidence in tables:
            fresh = [key for key in rows["key"].to_list() if key not in known.keys]
            if len(fresh) < rows.height:  # some were added meanwhile
                rows = rows.filter(pl.col("key").is_in(fresh))
                hits = hits.filter(pl.col("key").is_in(fresh))
            if rows.height and len(known.keys) + rows.height <= _CACHE_LIMIT:
                known.add(rows, hits, evidence)
                helped += rows.height
    return len(own), helped


def _tables(
    found: Sequence[_Evaluated],
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    rows = pl.DataFrame([f.row for f in found], schema=KEY_SCHEMA, orient="row")
    hits = [(f.key, *hit) for f in found for hit in f.hits]
    evidence = dict(f.evidence for f in found if f.evidence is not None)
    return rows, pl.DataFrame(hits, schema=HIT_SCHEMA, orient="row"), evidence


class _Known:
    """Every key evaluated in this process, as tables (per specimen and knowledge-base
    version): a call joins its keys to them instead of rebuilding tables from Python rows,
    so a bucket costs a join, not a pass over its distinct keys in Python."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: set[str] = set()
        self.rows = pl.DataFrame(schema=KEY_SCHEMA)
        self.hits = pl.DataFrame(schema=HIT_SCHEMA)
        self.evidence: dict[str, str] = {}

    def add(self, rows: pl.DataFrame, hits: pl.DataFrame, evidence: dict[str, str]) -> None:
        """Add keys not in the tables yet (``rows``), with their hits and evidence."""
        self.keys.update(rows["key"].to_list())
        self.rows = pl.concat([self.rows, rows])
        self.hits = pl.concat([self.hits, hits])
        self.evidence.update(evidence)


_KNOWN: dict[tuple[str | None, str], _Known] = {}
_KNOWN_LOCK = threading.Lock()


def _known(specimen: SpecimenType | None, kb: KnowledgeBase) -> _Known:
    with _KNOWN_LOCK:
        return _KNOWN.setdefault((specimen.value if specimen else None, kb.version), _Known())


def evaluate_keys(
    keys: Sequence[str],
    where: Callable[[int], tuple[str, int]],
    *,
    specimen: SpecimenType | None,
    kb: KnowledgeBase,
) -> KeyTables:
    """Tables for ``keys`` (distinct), in their order; ``where(i)`` is a (file, line) where
    ``keys[i]`` occurs, for errors (asked only for keys not evaluated before).

    Raises
    ------
    GenomicFileError
        If the row a key stands for is invalid (e.g. an unknown ``NCBI_Build``), located at
        the line given for it.
    """
    known = _known(specimen, kb)
    with known.lock:
        new: dict[str, _Evaluated] = {}
        for index, key in enumerate(keys):
            if key not in known.keys and key not in new:
                file, line = where(index)
                new[key] = _evaluate(file, key, line, specimen, kb)
        extra = _tables(list(new.values())) if new else None
        if extra is not None and len(known.keys) + len(new) <= _CACHE_LIMIT:
            known.add(*extra)
            extra = None
        rows, hits, evidence = known.rows, known.hits, dict(known.evidence)
    if extra is not None:  # the tables are full: this call's new keys are used, not kept
        rows, hits = pl.concat([rows, extra[0]]), pl.concat([hits, extra[1]])
        evidence.update(extra[2])
    wanted = pl.DataFrame({"key": keys}, schema={"key": pl.String()})
    return KeyTables(
        keys=wanted.join(rows, on="key", how="left", maintain_order="left"),
        hits=wanted.join(hits, on="key", how="inner", maintain_order="left"),
        evidence=evidence,
    )
