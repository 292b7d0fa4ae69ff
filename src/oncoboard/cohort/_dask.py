"""The Dask engine: the local engine's read and aggregate steps as tasks on a cluster.

Each input block is read by one task and split into buckets by sample; each bucket is
aggregated by one task from its parts of every block (a hash shuffle written with
``dask.delayed``, so the frames stay polars end to end). Workers need Oncoboard installed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from oncoboard.cohort._aggregate import Aggregated
from oncoboard.cohort._read import Block, plan_blocks
from oncoboard.model import SpecimenType

__all__ = ["run_dask"]

_MIN_BLOCK_BYTES = 8 << 20


def _pack(frame: pl.DataFrame) -> bytes:
    """A frame as LZ4-compressed Arrow IPC: what crosses processes (a pickled frame of a
    million findings is ~20x larger and slower to move)."""
    sink = io.BytesIO()
    frame.write_ipc(sink, compression="lz4")
    return sink.getvalue()


def _unpack(data: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(data))


def _packed_read(
    read: Callable[[Block, int, int, int], tuple[list[pl.DataFrame], int]],
    block: Block,
    number: int,
    file: int,
    buckets: int,
) -> tuple[list[bytes], int]:
    parts, lines = read(block, number, file, buckets)
    return [_pack(part) for part in parts], lines


def _packed_aggregate(
    aggregate: Callable[..., Aggregated], parts: list[bytes], *args: Any
) -> tuple[bytes, bytes, bytes, dict[str, str]]:
    result = aggregate([_unpack(part) for part in parts], *args)
    return (
        _pack(result.findings),
        _pack(result.samples),
        _pack(result.notes),
        result.evidence,
    )


def _unpacked(packed: tuple[bytes, bytes, bytes, dict[str, str]]) -> Aggregated:
    findings, samples, notes, evidence = packed
    return Aggregated(_unpack(findings), _unpack(samples), _unpack(notes), evidence)


def run_dask(
    files: Sequence[str],
    *,
    subtypes: Mapping[str, str | None],
    specimen: SpecimenType | None,
    scheduler: str | None,
    workers: int,
    size: int,
    buckets: int,
    block_bytes: int,
    progress: bool,
    read: Callable[[Block, int, int, int], tuple[list[pl.DataFrame], int]],
    aggregate: Callable[..., Aggregated],
) -> Iterator[Aggregated]:
    """Run the read and aggregate steps on a Dask cluster; yield the buckets' tables in
    bucket order (the client keeps only the compressed tables of buckets done early).

    ``scheduler`` is the address of a running scheduler; without it a ``LocalCluster`` of
    ``workers`` single-threaded processes is started for the run and closed after it.
    """
    from dask.delayed import delayed
    from distributed import Client, LocalCluster, as_completed

    from oncoboard.cohort.engine import _progress, line_offsets

    # at least two blocks per worker, so every worker has work
    per_block = max(_MIN_BLOCK_BYTES, min(block_bytes, size // max(1, 2 * workers) + 1))
    blocks = plan_blocks(files, block_bytes=per_block)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: no patient data reaches the log anyway
        )
    client = Client(scheduler if scheduler is not None else cluster)
    try:
        shared = delayed(dict(subtypes), pure=True)
        reads = [
            delayed(_packed_read, pure=True, nout=2)(
                read, block, number, list(files).index(block.path), buckets
            )
            for number, block in enumerate(blocks)
        ]
        offsets = delayed(line_offsets, pure=True)(blocks, [lines for _, lines in reads])
        tasks = [
            delayed(_packed_aggregate, pure=True)(
                aggregate,
                [parts[bucket] for parts, _ in reads],
                list(files),
                shared,
                specimen,
                offsets,
            )
            for bucket in range(buckets)
        ]
        futures = client.compute(tasks)
        index = {future.key: number for number, future in enumerate(futures)}
        done: dict[int, tuple[bytes, bytes, bytes, dict[str, str]]] = {}
        following = 0
        with _progress(progress, len(futures), f"annotating on Dask ({workers} workers)") as tick:
            for future in as_completed(futures):
                done[index[future.key]] = future.result()
                tick(1)
                while following in done:
                    yield _unpacked(done.pop(following))
                    following += 1
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
