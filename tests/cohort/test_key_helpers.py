"""Helper processes evaluate distinct variant keys as this process does.

A block with many new keys is shared: helper processes (spawned) evaluate chunks from its
end while the calling thread works from its start; their tables join the per-process key
tables. The thresholds are lowered here so that a small real cohort takes that path.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from oncoboard.cohort import _keys, _read, annotate_cohort, engine
from oncoboard.knowledge.therapies import knowledge_base
from tests.cohort.test_engine import EDGE_ROWS, IDS, PATIENTS, _row, write_gdc


def _cohort(tmp_path: Path) -> Path:
    rows = [_row(p, g, f"p.{c}") for p in IDS[:150] for g, c in PATIENTS[p]]
    rows += [_row(IDS[n], *edge) for n, edge in enumerate(EDGE_ROWS)]
    return write_gdc(tmp_path / "cohort.maf", rows)


def _keys_of(path: Path) -> list[str]:
    frames = [_read.read_block(block)[0] for block in _read.plan_blocks([str(path)])]
    return pl.concat(frames)["key"].unique(maintain_order=True).to_list()


def _tables() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str]]:
    (known,) = _keys._KNOWN.values()
    return known.rows.sort("key"), known.hits.sort(pl.all()), known.evidence


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh key tables; a block of 32 new keys is shared, in chunks of 8."""
    monkeypatch.setattr(_keys, "_KNOWN", {})
    monkeypatch.setattr(_keys, "_SHARED_KEYS", 32)
    monkeypatch.setattr(_keys, "_CHUNK_KEYS", 8)


@pytest.mark.usefixtures("shared")
def test_a_helper_process_gives_the_tables_this_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _keys_of(_cohort(tmp_path))
    kb = knowledge_base()
    assert len(keys) > 200
    with _keys.key_helpers(1) as helpers:
        own, helped = _keys.prefetch_keys(keys, specimen=None, kb=kb, helpers=helpers)
    shared_tables = _tables()
    assert helped >= 8 and own >= 8
    monkeypatch.setattr(_keys, "_KNOWN", {})
    alone = _keys.prefetch_keys(keys, specimen=None, kb=kb)
    assert alone == (own + helped, 0)
    rows, hits, evidence = _tables()
    assert rows.equals(shared_tables[0])
    assert hits.equals(shared_tables[1])
    assert evidence == shared_tables[2]


@pytest.mark.usefixtures("shared")
def test_a_run_with_a_helper_process_equals_one_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cohort(tmp_path)
    counts: list[tuple[int, int]] = []
    prefetch = engine.prefetch_keys

    def counted(*args: Any, **kwargs: Any) -> tuple[int, int]:
        counts.append(prefetch(*args, **kwargs))
        return counts[-1]

    monkeypatch.setattr(engine, "prefetch_keys", counted)
    helped = annotate_cohort(path, processes=1)
    assert sum(h for _, h in counts) >= 8  # the helper evaluated some keys
    monkeypatch.setattr(_keys, "_KNOWN", {})
    alone = annotate_cohort(path)
    assert helped.findings.height > 300
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(helped, name).equals(getattr(alone, name)), name


@pytest.mark.usefixtures("shared")
def test_a_chunk_whose_helper_fails_is_evaluated_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = _keys_of(_cohort(tmp_path))

    def broken(*_args: object) -> None:
        raise RuntimeError("helper died")

    monkeypatch.setattr(_keys, "_helper_task", broken)
    with ThreadPoolExecutor(2) as pool:
        helpers = _keys.KeyHelpers(pool, 2)
        own, helped = _keys.prefetch_keys(keys, specimen=None, kb=knowledge_base(), helpers=helpers)
    assert helped == 0
    assert own == len(_keys._KNOWN[(None, knowledge_base().version)].keys) > 200


@pytest.mark.usefixtures("shared")
def test_a_broken_pool_leaves_the_work_here(tmp_path: Path) -> None:
    keys = _keys_of(_cohort(tmp_path))

    class Broken(Executor):
        def submit(self, *_args: Any, **_kwargs: Any) -> Any:
            raise BrokenProcessPool("a helper died")

    helpers = _keys.KeyHelpers(Broken(), 1)
    own, helped = _keys.prefetch_keys(keys, specimen=None, kb=knowledge_base(), helpers=helpers)
    assert (own, helped) == (len(_tables()[0]), 0)
    assert own > 200


@pytest.mark.usefixtures("shared")
def test_keys_added_meanwhile_are_not_added_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key another call added while a helper worked is kept once."""
    keys = _keys_of(_cohort(tmp_path))
    kb = knowledge_base()
    task = _keys._helper_task

    def racing(chunk: list[str], *args: Any) -> Any:
        result = task(chunk, *args)
        _keys.evaluate_keys(chunk[:1], lambda _i: ("cohort.maf", 3), specimen=None, kb=kb)
        return result

    monkeypatch.setattr(_keys, "_helper_task", racing)
    with ThreadPoolExecutor(1) as pool:
        own, helped = _keys.prefetch_keys(
            keys, specimen=None, kb=kb, helpers=_keys.KeyHelpers(pool, 1)
        )
    rows, hits, _ = _tables()
    assert rows["key"].is_unique().all()
    assert hits.is_unique().all()
    assert own + helped < rows.height == len(keys)


def test_no_helpers_for_zero_processes() -> None:
    with _keys.key_helpers(0) as helpers:
        assert helpers is None
    assert 0 <= _keys.helper_count() <= 7


def test_many_keys_aggregate_one_bucket_at_a_time_with_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cohort(tmp_path)
    monkeypatch.setattr(_keys, "_KNOWN", {})
    two = annotate_cohort(path)
    monkeypatch.setattr(_keys, "_KNOWN", {})
    monkeypatch.setattr(engine, "_MANY_KEYS", 10)
    one = annotate_cohort(path)
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(one, name).equals(getattr(two, name)), name
