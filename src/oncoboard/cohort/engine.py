"""Annotate a whole cohort: the local engine (one process, streaming) and the Dask engine.

Both run the same two steps. *Read*: each block of the input (a byte range of a MAF, a gzip
MAF, Parquet row groups) becomes rows of ``sample``, ``file``, ``line`` and variant ``key``,
split into buckets by a hash of the sample (:func:`bucket_count` buckets, the same for every
engine). *Aggregate*: each bucket (whole samples) is annotated in columns
(:mod:`oncoboard.cohort._aggregate`). The local engine parses two blocks at a time (a
block's new variant keys are evaluated in a thread meanwhile, with helper processes when
there are many), keeps the rows in memory (or spills them to Parquet by bucket for large
inputs) and aggregates two buckets at a time (one after many distinct variants);
:func:`annotate_cohort_to` appends each bucket's tables to the output as it is ready, so
memory holds buckets, not the cohort. The Dask engine runs the same functions as tasks on a
cluster (a ``LocalCluster`` by default). The tables list the buckets in order and each
sample's findings in report order, so both engines give identical tables.

Decision support for qualified clinicians: findings carry their rule and evidence exactly as
``oncoboard annotate`` gives them for one sample.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow.parquet as pq

from oncoboard._staging import staged_folder
from oncoboard._version import __version__
from oncoboard.cohort._aggregate import Aggregated, aggregate
from oncoboard.cohort._keys import key_helpers, prefetch_keys
from oncoboard.cohort._read import DEFAULT_BLOCK_BYTES, Block, plan_blocks, read_block
from oncoboard.cohort._schema import (
    EVIDENCE_SCHEMA,
    FINDINGS_SCHEMA,
    NOTES_SCHEMA,
    SAMPLES_SCHEMA,
)
from oncoboard.errors import OncoboardError
from oncoboard.knowledge.therapies import KnowledgeBase, knowledge_base
from oncoboard.model import SpecimenType

__all__ = [
    "DISCLAIMER",
    "CohortAnnotation",
    "CohortError",
    "annotate_cohort",
    "annotate_cohort_to",
    "bucket_count",
    "read_annotation",
    "write_annotation",
]

DISCLAIMER = "Decision support for qualified clinicians; it does not replace clinical judgement."
Engine = Literal["local", "dask"]
_BUCKET_BYTES = 128 << 20  # input bytes per bucket: a bucket's rows are aggregated at once
_MIN_BUCKETS = 4  # the same for every engine and cluster size: outputs are identical
_HOLD_BYTES = 512 << 20  # the local engine keeps the rows of inputs up to this in memory
_MANY_KEYS = 100_000  # distinct keys evaluated from which the local engine aggregates 1 by 1
_HASH_SEED = 0x0C0B0A7D
_TABLES = {
    "findings": FINDINGS_SCHEMA,
    "samples": SAMPLES_SCHEMA,
    "notes": NOTES_SCHEMA,
    "evidence": EVIDENCE_SCHEMA,
}


class CohortError(OncoboardError, ValueError):
    """A cohort run or its output directory cannot be used."""


@dataclass(frozen=True, slots=True)
class CohortAnnotation:
    """The cohort tables (schemas in :mod:`oncoboard.cohort._schema`) and their provenance."""

    findings: pl.DataFrame
    samples: pl.DataFrame
    notes: pl.DataFrame
    evidence: pl.DataFrame
    kb_version: str
    inputs: tuple[str, ...]
    engine: str


def _files_of(inputs: Sequence[Path | str] | Path | str) -> list[str]:
    """Input files as given; a directory stands for its MAF/Parquet files, sorted."""
    given = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    files: list[str] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and any(p.name.lower().endswith(s) for s in (".maf", ".maf.gz", ".parquet"))
            )
            if not found:
                raise CohortError(f"{item}: no *.maf, *.maf.gz or *.parquet files")
            files += [str(p) for p in found]
        elif not path.exists():
            raise CohortError(f"{item}: no such file or directory")
        else:
            files.append(str(item))
    if not files:
        raise CohortError("no input files")
    return files


_ROWS = {"sample": pl.String, "line": pl.Int64, "key": pl.String, "file": pl.UInt16}


def _read(block: Block, number: int, file: int, buckets: int) -> tuple[list[pl.DataFrame], int]:
    """Step 1: the rows of block ``number``, split into ``buckets`` by sample, and the number
    of lines the block spans (to number the lines of the blocks after it)."""
    rows, lines = read_block(block)
    if rows.is_empty():
        return _read_empty() * buckets, lines
    rows = rows.with_columns(file=pl.lit(file, pl.UInt16), block=pl.lit(number, pl.UInt32))
    bucket = (pl.col("sample").hash(seed=_HASH_SEED) % buckets).alias("_bucket")
    parts = rows.with_columns(bucket).partition_by("_bucket", as_dict=True, include_key=False)
    return [parts.get((b,), rows.clear()) for b in range(buckets)], lines


def line_offsets(blocks: Sequence[Block], lines: Sequence[int]) -> dict[int, int]:
    """For each block read without its first line number (``first_line`` None): what to add
    to its lines, from the lines spanned by the blocks before it in the same file."""
    offsets: dict[int, int] = {}
    running: dict[str, int] = {}
    for number, (block, spanned) in enumerate(zip(blocks, lines, strict=True)):
        if block.first_line is None:
            offsets[number] = running[block.path] - 1
            running[block.path] += spanned
        else:
            running[block.path] = block.first_line + spanned
    return offsets


def _aggregate(
    parts: Sequence[pl.DataFrame],
    files: Sequence[str],
    subtypes: Mapping[str, str | None],
    specimen: SpecimenType | None,
    offsets: Mapping[int, int] | None = None,
) -> Aggregated:
    """Step 2: the findings of one bucket (``offsets``: see :func:`line_offsets`)."""
    rows = pl.concat([p for p in parts if not p.is_empty()] or [parts[0]])
    if offsets:
        shift = pl.col("block").replace_strict(dict(offsets), default=0, return_dtype=pl.Int64)
        rows = rows.with_columns(line=pl.col("line") + shift)
    rows = rows.drop("block")
    return aggregate(rows, files=files, subtypes=subtypes, specimen=specimen, kb=knowledge_base())


def _combine(
    results: Sequence[Aggregated], kb: KnowledgeBase, files: Sequence[str], engine: str
) -> CohortAnnotation:
    evidence: dict[str, str] = {}
    for result in results:
        evidence.update(result.evidence)
    findings = pl.concat([r.findings for r in results])
    refs = set(findings["evidence_ref"].unique().to_list())
    return CohortAnnotation(
        findings=findings,
        samples=pl.concat([r.samples for r in results]),
        notes=pl.concat([r.notes for r in results]),
        evidence=pl.DataFrame(
            sorted((k, v) for k, v in evidence.items() if k in refs),
            schema=EVIDENCE_SCHEMA,
            orient="row",
        ),
        kb_version=kb.version,
        inputs=tuple(files),
        engine=engine,
    )


def _subtypes(clinical: pl.DataFrame | None) -> dict[str, str | None]:
    if clinical is None:
        return {}
    missing = {"sample", "subtype"} - set(clinical.columns)
    if missing:
        raise CohortError(f"clinical table: expected columns sample and subtype, not {missing}")
    pairs = clinical.select("sample", "subtype").unique("sample", keep="first")
    return dict(pairs.iter_rows())


Progress = Callable[[int], None]


@contextmanager
def _progress(enabled: bool, total: int, what: str) -> Iterator[Progress]:
    if not enabled:
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def annotate_cohort(
    inputs: Sequence[Path | str] | Path | str,
    *,
    engine: Engine = "local",
    scheduler: str | None = None,
    workers: int = 2,
    clinical: pl.DataFrame | None = None,
    specimen: SpecimenType | None = None,
    progress: bool = False,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    processes: int = 0,
) -> CohortAnnotation:
    """Annotate every sample of MAF/Parquet ``inputs`` as ``oncoboard annotate`` does one.

    Parameters
    ----------
    inputs
        MAF files (plain or gzip, GDC or cBioPortal flavour), Parquet files with MAF column
        names, or directories of them. A sample may span files.
    engine
        ``"local"`` (this process, streaming) or ``"dask"``.
    scheduler
        Dask scheduler address (``tcp://host:8786``); default: a local cluster of
        ``workers`` single-threaded worker processes.
    clinical
        Table with ``sample`` and ``subtype`` (see :mod:`oncoboard.cohort.clinical`): the
        subtype is checked against each entry's context; treatment history stays unknown.
    specimen
        Specimen type of every sample (tissue, plasma), for entries that name a specimen.
    processes
        Local engine: helper processes that evaluate a block's distinct variants beside this
        one when it has many new ones (``oncoboard cohort annotate`` starts one per core
        beyond the first). They are spawned: a script that asks for them needs the
        ``if __name__ == "__main__":`` guard, as with a Dask local cluster.

    Raises
    ------
    GenomicFileError
        For the first malformed input (file, line, column); nothing is returned.
    CohortError
        For a missing input or a bad clinical table.
    """
    files = _files_of(inputs)
    results = list(
        _results(
            files, engine, scheduler, workers, clinical, specimen, progress, block_bytes, processes
        )
    )
    return _combine(results, knowledge_base(), files, engine)


def bucket_count(size: int) -> int:
    """Buckets for ``size`` bytes of input: at least :data:`_MIN_BUCKETS`, else one per
    :data:`_BUCKET_BYTES`. Samples go to buckets by a hash of their name and the tables list
    the buckets in order, so every engine writes the same rows in the same order."""
    return max(_MIN_BUCKETS, math.ceil(size / _BUCKET_BYTES))


def _results(
    files: list[str],
    engine: str,
    scheduler: str | None,
    workers: int,
    clinical: pl.DataFrame | None,
    specimen: SpecimenType | None,
    progress: bool,
    block_bytes: int,
    processes: int,
) -> Iterator[Aggregated]:
    """The buckets' tables, in bucket order."""
    subtypes = _subtypes(clinical)
    size = sum(Path(f).stat().st_size for f in files)
    if engine == "dask":
        from oncoboard.cohort._dask import run_dask

        return run_dask(
            files,
            subtypes=subtypes,
            specimen=specimen,
            scheduler=scheduler,
            workers=workers,
            size=size,
            buckets=bucket_count(size),
            block_bytes=block_bytes,
            progress=progress,
            read=_read,
            aggregate=_aggregate,
        )
    if engine == "local":
        return _run_local(files, subtypes, specimen, size, block_bytes, progress, processes)
    raise CohortError(f"engine: expected local or dask, got {engine!r}")


def _run_local(
    files: list[str],
    subtypes: Mapping[str, str | None],
    specimen: SpecimenType | None,
    size: int,
    block_bytes: int,
    progress: bool,
    processes: int,
) -> Iterator[Aggregated]:
    """Read the blocks in order, then aggregate the buckets two at a time (polars and the
    GIL-free parts overlap), yielding them in order: memory holds the rows (or, above
    :data:`_HOLD_BYTES` of input, one bucket's rows read back from disk) and two buckets'
    tables."""
    blocks = [(b, files.index(b.path)) for b in plan_blocks(files, block_bytes=block_bytes)]
    buckets = bucket_count(size)
    hold = size <= _HOLD_BYTES
    kb = knowledge_base()
    with (
        tempfile.TemporaryDirectory(prefix="oncoboard-cohort-") as spill,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncoboard-keys") as keys,
        key_helpers(processes) as helpers,  # started only for a block of many new keys
        _progress(progress, len(blocks) + buckets, "annotating") as advance,
    ):
        held: list[list[pl.DataFrame]] = [[] for _ in range(buckets)]
        pending = []
        spanned: list[int] = []

        def read(number: int) -> tuple[list[pl.DataFrame], int]:
            block, file = blocks[number]
            return _read(block, number, file, buckets)

        # two blocks are parsed at once (numpy and polars release the GIL); results are taken
        # in block order, so the first error of the file is the one raised
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="oncoboard-read") as readers:
            window = deque(readers.submit(read, n) for n in range(min(2, len(blocks))))
            for number in range(len(blocks)):
                parts, lines = window.popleft().result()
                if number + 2 < len(blocks):
                    window.append(readers.submit(read, number + 2))
                spanned.append(lines)
                # evaluate the block's new variants while the next blocks are parsed; the
                # aggregate step then finds them cached
                distinct = pl.concat([p.select("key") for p in parts]).unique()["key"]
                pending.append(
                    keys.submit(
                        prefetch_keys, distinct.to_list(), specimen=specimen, kb=kb, helpers=helpers
                    )
                )
                for bucket, part in enumerate(parts):
                    if part.is_empty():
                        continue
                    if hold:
                        held[bucket].append(part)
                    else:
                        part.write_parquet(Path(spill) / f"b{bucket:05d}-{number:06d}.parquet")
                advance(1)
        # lines of later blocks were numbered from 1: shift them by the lines before
        offsets = line_offsets([block for block, _ in blocks], spanned)
        evaluated = sum(sum(future.result()) for future in pending)
        if helpers is not None:
            helpers.pool.shutdown()  # their memory is not held while buckets are aggregated
        # many distinct variants make a bucket's tables large: one bucket at a time then
        # (~0.15 GB less at 330,800 keys, as fast: polars runs threads within a bucket)
        at_once = 1 if evaluated > _MANY_KEYS else 2

        def bucket_tables(bucket: int) -> Aggregated:
            if hold:
                parts, held[bucket] = held[bucket], []
            else:
                paths = sorted(Path(spill).glob(f"b{bucket:05d}-*.parquet"))
                parts = [pl.read_parquet(p) for p in paths]
            return _aggregate(parts or _read_empty(), files, subtypes, specimen, offsets)

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="oncoboard-bucket") as pool:
            ahead = deque(pool.submit(bucket_tables, b) for b in range(min(at_once, buckets)))
            for bucket in range(buckets):
                result = ahead.popleft().result()
                if bucket + at_once < buckets:
                    ahead.append(pool.submit(bucket_tables, bucket + at_once))
                advance(1)
                yield result


def _read_empty() -> list[pl.DataFrame]:
    return [pl.DataFrame(schema={**_ROWS, "block": pl.UInt32})]


def _manifest(
    kb_version: str, engine: str, inputs: Sequence[str], counts: Mapping[str, Any]
) -> str:
    manifest = {
        "oncoboard": __version__,
        "knowledge_base": kb_version,
        "engine": engine,
        "inputs": list(inputs),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **counts,
        "order": "samples grouped by bucket (hash of the sample), each in report order",
        "disclaimer": DISCLAIMER,
    }
    return json.dumps(manifest, indent=2) + "\n"


def write_annotation(result: CohortAnnotation, out: Path | str) -> list[Path]:
    """Write the tables as Parquet plus ``manifest.json`` into ``out``, all or nothing.

    The files are written to a temporary folder beside ``out`` and moved into place only when
    all are complete; an existing ``out`` is replaced the same way.
    """
    with staged_folder(out) as staging:
        for name in _TABLES:
            getattr(result, name).write_parquet(staging / f"{name}.parquet", compression="lz4")
        counts = {"samples": result.samples.height, "findings": result.findings.height}
        text = _manifest(result.kb_version, result.engine, result.inputs, counts)
        (staging / "manifest.json").write_text(text)
    return [Path(out) / f"{name}.parquet" for name in _TABLES] + [Path(out) / "manifest.json"]


class _Counts:
    """What a run found, added up bucket by bucket (samples are never split)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = dict.fromkeys(
            ("samples", "rows", "alterations", "not_interpreted", "findings"), 0
        )
        self.values["findings_by_kind"] = {}
        self.values["samples_with_level_1_2"] = 0

    def add(self, result: Aggregated) -> None:
        samples, findings = result.samples, result.findings
        values = self.values
        values["samples"] += samples.height
        values["rows"] += int(samples["rows"].sum())
        values["alterations"] += int(samples["alterations"].sum())
        values["not_interpreted"] += int(
            samples.select(pl.sum_horizontal("filtered", "unparsable", "needs_annotation").sum())
            .to_series()
            .item()
            or 0
        )
        values["findings"] += findings.height
        kinds = values["findings_by_kind"]
        for kind, n in findings.group_by("kind").len().iter_rows():
            kinds[kind] = kinds.get(kind, 0) + n
        values["findings_by_kind"] = dict(sorted(kinds.items()))
        top = findings.filter(pl.col("kind") == "actionable", pl.col("level").is_in(["1", "2"]))
        values["samples_with_level_1_2"] += top["sample"].n_unique()


_STATISTICS = {"findings": ["sample", "rank", "kind", "level"], "notes": ["sample", "kind"]}
"""Columns given min/max statistics in the streamed tables (the others are long texts)."""
_PLAIN = {"findings": {"sample", "biomarker", "matched", "source"}, "notes": {"source"}}
"""Columns written without a dictionary (nearly one value per row: the dictionary would be
built, then dropped, for nothing)."""


def _append(
    writers: dict[str, pq.ParquetWriter], folder: Path, name: str, frame: pl.DataFrame
) -> None:
    """Append ``frame`` to the Parquet file of table ``name`` (opened on first use)."""
    # polars' own string views, not a copy as large strings; without the Arrow schema in the
    # file, readers see plain Parquet strings
    table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
    if name not in writers:
        writers[name] = pq.ParquetWriter(
            folder / f"{name}.parquet",
            table.schema,
            compression="lz4",
            store_schema=False,
            # min/max statistics of long texts cost a fifth of the writing
            write_statistics=_STATISTICS.get(name, True),
            use_dictionary=[c for c in table.column_names if c not in _PLAIN.get(name, ())],
        )
    writers[name].write_table(table)


def annotate_cohort_to(
    inputs: Sequence[Path | str] | Path | str,
    out: Path | str,
    *,
    engine: Engine = "local",
    scheduler: str | None = None,
    workers: int = 2,
    clinical: pl.DataFrame | None = None,
    specimen: SpecimenType | None = None,
    progress: bool = False,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    processes: int = 0,
) -> dict[str, Any]:
    """:func:`annotate_cohort` streamed to ``out``: each bucket's tables are appended to the
    Parquet files as soon as they are ready, so memory holds a bucket, not the cohort. The
    files equal what :func:`write_annotation` writes of :func:`annotate_cohort`'s result;
    they replace ``out`` only when complete. Returns the run's counts.
    """
    files = _files_of(inputs)
    kb = knowledge_base()
    counts = _Counts()
    evidence: dict[str, str] = {}
    with (
        staged_folder(out) as staging,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="oncoboard-write") as pool,
    ):
        writers: dict[str, pq.ParquetWriter] = {}
        written: Future[None] | None = None
        try:
            for result in _results(
                files,
                engine,
                scheduler,
                workers,
                clinical,
                specimen,
                progress,
                block_bytes,
                processes,
            ):
                # the findings (the largest table) are written beside the other two, which
                # shortens the tail after the last bucket; each file gets its tables in order
                written = pool.submit(_append, writers, staging, "findings", result.findings)
                _append(writers, staging, "samples", result.samples)
                _append(writers, staging, "notes", result.notes)
                used = set(result.findings["evidence_ref"].unique().to_list())
                evidence.update((k, v) for k, v in result.evidence.items() if k in used)
                counts.add(result)
                written.result()
        finally:
            if written is not None:
                wait([written])  # its file is not closed while it writes
            for writer in writers.values():
                writer.close()
        pl.DataFrame(sorted(evidence.items()), schema=EVIDENCE_SCHEMA, orient="row").write_parquet(
            staging / "evidence.parquet", compression="lz4"
        )
        text = _manifest(kb.version, engine, files, counts.values)
        (staging / "manifest.json").write_text(text)
    return {**counts.values, "knowledge_base": kb.version, "engine": engine}


def read_annotation(folder: Path | str) -> CohortAnnotation:
    """Read what :func:`write_annotation` wrote.

    Raises
    ------
    CohortError
        If a table or the manifest is missing or has other columns than the schema.
    """
    path = Path(folder)
    try:
        manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text())
        tables = {name: pl.read_parquet(path / f"{name}.parquet") for name in _TABLES}
    except (OSError, ValueError, pl.exceptions.PolarsError) as exc:
        raise CohortError(f"{path}: not a cohort annotation folder ({exc})") from exc
    for name, schema in _TABLES.items():
        if list(tables[name].columns) != list(schema):
            raise CohortError(f"{path / (name + '.parquet')}: expected columns {list(schema)}")
    return CohortAnnotation(
        **tables,
        kb_version=str(manifest.get("knowledge_base")),
        inputs=tuple(manifest.get("inputs", ())),
        engine=str(manifest.get("engine")),
    )
