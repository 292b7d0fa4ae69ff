"""The cohort engine's fast paths give what their general paths give.

- Parsing: pyarrow's CSV reader (well-formed blocks) and the checked polars reader must
  return the same cells for the same lines: quoted cells, quoted tabs, CRLF line ends,
  non-ASCII UTF-8, empty cells. Blocks pyarrow refuses (a ragged line, trailing empty cells,
  bytes that are not UTF-8) fall back to the checked reader.
- Checking: the quick integer and sample checks flag a superset of the bad rows; the exact
  check clears the good ones, so the reader's own errors come back, and only those.
- Sorting and joining: the packed 64-bit key sorts as the multi-column sort does, and columns
  that do not fit (signed, nulls, more than 64 bits) take the multi-column sort; the tables
  are the same when nothing packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncoboard.cohort import _aggregate, _keys, _read, annotate_cohort
from oncoboard.cohort._aggregate import _sort
from oncoboard.errors import GenomicFileError
from oncoboard.io import read_maf
from oncoboard.io._tabular import Header
from tests.cohort.test_engine import (
    EDGE_ROWS,
    IDS,
    PATIENTS,
    SUBTYPES,
    _row,
    assert_same_as_single_patient,
    write_gdc,
)
from tests.io.test_tabular_readers import GDC_COLUMNS

HEADER = Header("cohort.maf", 2, tuple(GDC_COLUMNS))
SAMPLE = GDC_COLUMNS.index("Tumor_Sample_Barcode")
GENE = GDC_COLUMNS.index("Hugo_Symbol")
CHANGE = GDC_COLUMNS.index("HGVSp_Short")
LAST = len(GDC_COLUMNS) - 1


def _line(cells: dict[int, str], end: str = "\n") -> bytes:
    values = [cells.get(n, "") for n in range(len(GDC_COLUMNS))]
    return ("\t".join(values) + end).encode()


def _both(data: bytes) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    kept, numbers, _ = _read._kept_lines(data, 3)
    fast = _read._parse_arrow(HEADER, kept)
    checked = _read._parse_checked(HEADER, kept, numbers, 3)
    return fast, checked


def test_pyarrow_and_checked_readers_read_the_same_cells() -> None:
    data = b"".join(
        [
            _line({SAMPLE: "S1", GENE: "PIK3CA", CHANGE: "p.H1047R"}),
            _line({SAMPLE: '"S2"', GENE: "ESR1", CHANGE: '"p.D538G"'}, end="\r\n"),
            _line({SAMPLE: "S\u00e9", GENE: '"TP\t53"', CHANGE: "p.R175H"}),
            _line({SAMPLE: 'say ""x""', GENE: "AKT1", CHANGE: ""}),
            _line({SAMPLE: "S5", GENE: "ERBB2", CHANGE: "p.L755S", LAST: "last"}, end="\r\n"),
        ]
    )
    fast, checked = _both(data)
    assert fast is not None
    assert fast.equals(checked)
    assert fast["Tumor_Sample_Barcode"].to_list()[:3] == ["S1", "S2", "S\u00e9"]
    assert fast["Hugo_Symbol"][2] == "TP\t53"


def test_a_block_without_quotes_is_read_as_the_checked_reader_reads_it() -> None:
    # no quote byte: pyarrow's tokenizer runs without quoting (a faster path)
    data = b"".join(
        [
            _line({SAMPLE: "S1", GENE: "PIK3CA", CHANGE: "p.H1047R"}),
            _line({SAMPLE: "S\u00e9", GENE: "ESR1", CHANGE: "p.D538G"}, end="\r\n"),
            _line({SAMPLE: "S3", GENE: "TP53", CHANGE: "", LAST: "last"}),
        ]
    )
    assert b'"' not in data
    fast, checked = _both(data)
    assert fast is not None
    assert fast.equals(checked)
    assert fast["Tumor_Sample_Barcode"].to_list() == ["S1", "S\u00e9", "S3"]
    assert fast["HGVSp_Short"].to_list() == ["p.H1047R", "p.D538G", ""]


@pytest.mark.parametrize(
    ("data", "checked_raises"),
    [
        # a ragged line: the checked reader locates it
        (_line({SAMPLE: "S1"}) + b"S2\tTP53\n", True),
        # trailing empty cells after the last field: allowed by the reader
        (_line({SAMPLE: "S1"}).replace(b"\n", b"\t\t\n"), False),
        # a byte that is not UTF-8, in a column the engine does not read
        (_line({SAMPLE: "S1", 100: "caf\u00e9"}).replace("é".encode(), b"\xe9"), True),
    ],
)
def test_blocks_pyarrow_refuses_go_to_the_checked_reader(data: bytes, checked_raises: bool) -> None:
    kept = _read._kept_lines(data, 3)[0]
    assert _read._parse_arrow(HEADER, kept) is None
    if checked_raises:
        with pytest.raises(GenomicFileError, match=r"cohort\.maf:[34]: expected"):
            _read._parse(HEADER, data, 3)
    else:
        frame, spanned = _read._parse(HEADER, data, 3)
        assert frame["Tumor_Sample_Barcode"].to_list() == ["S1"]
        assert frame["_line"].to_list() == [3] and spanned == 1


_small = st.integers(min_value=0, max_value=40)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(_small, _small, st.integers(0, 2**33)), min_size=0, max_size=60),
)
def test_packed_sort_equals_the_multi_column_sort(rows: list[tuple[int, int, int]]) -> None:
    frame = pl.DataFrame(
        rows,
        schema={"a": pl.UInt32, "b": pl.UInt8, "c": pl.UInt64},
        orient="row",
    ).with_row_index("position")
    expected = frame.sort("a", "b", "c", maintain_order=True)
    assert _sort(frame, "a", "b", "c").equals(expected)


def test_columns_that_do_not_pack_take_the_multi_column_sort() -> None:
    wide = pl.DataFrame(
        {"a": [2**40, 1, 2**40], "b": [2**30, 5, 1]}, schema={"a": pl.UInt64, "b": pl.UInt64}
    )
    assert _sort(wide, "a", "b")["b"].to_list() == [5, 1, 2**30]
    nulls = pl.DataFrame({"a": [2, None, 1]}, schema={"a": pl.UInt32})
    assert _sort(nulls, "a")["a"].to_list() == [None, 1, 2]
    signed = pl.DataFrame({"a": [3, -1, 2]})
    assert _sort(signed, "a")["a"].to_list() == [-1, 2, 3]
    numbers = np.array([5, 3, 9], dtype=np.uint32)
    assert _sort(pl.DataFrame({"a": numbers}), "a")["a"].to_list() == [3, 5, 9]


def test_tables_are_the_same_when_no_integer_key_packs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The general paths (multi-column sorts, prototypes by rank) on real METABRIC rows with
    the edge rows and subtypes give the tables the packed keys give."""
    rows = [_row(p, g, f"p.{c}") for p in IDS[:300] for g, c in PATIENTS[p]]
    rows += [_row(IDS[n], *edge) for n, edge in enumerate(EDGE_ROWS)]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    samples = sorted({row["Tumor_Sample_Barcode"] for row in rows})
    clinical = pl.DataFrame(
        {"sample": samples, "subtype": [SUBTYPES[n % len(SUBTYPES)] for n in range(len(samples))]}
    )
    packed = annotate_cohort(path, clinical=clinical)
    monkeypatch.setattr(_aggregate, "_packed", lambda columns, highest: None)
    general = annotate_cohort(path, clinical=clinical)
    assert packed.findings.height > 1000
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(general, name).equals(getattr(packed, name)), name


def test_keys_past_the_cache_limit_are_evaluated_per_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are evaluated once per process and joined from tables; keys past the cache
    limit are evaluated by each call that needs them, not kept, and every call still gets
    all its keys."""
    rows = [_row(p, g, f"p.{c}") for p in IDS[:120] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    expected = annotate_cohort(path)
    monkeypatch.setattr(_keys, "_CACHE_LIMIT", 7)
    monkeypatch.setattr(_keys, "_KNOWN", {})
    limited = annotate_cohort(path)
    assert expected.findings.height > 300
    for name in ("findings", "samples", "notes", "evidence"):
        assert getattr(limited, name).equals(getattr(expected, name)), name
    assert all(len(known.keys) <= 7 for known in _keys._KNOWN.values())


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys ``_keys._evaluate`` is called for, from now on (in a fresh process state)."""
    monkeypatch.setattr(_keys, "_KNOWN", {})
    evaluated: list[str] = []
    evaluate = _keys._evaluate

    def counted(file: str, key: str, *args: Any) -> Any:
        evaluated.append(key)
        return evaluate(file, key, *args)

    monkeypatch.setattr(_keys, "_evaluate", counted)
    return evaluated


def test_a_key_is_evaluated_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prefetched keys go straight into the tables; buckets and later runs join them."""
    rows = [_row(p, g, f"p.{c}") for p in IDS[:60] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    evaluated = _counting(monkeypatch)
    first = annotate_cohort(path)
    distinct = {k for known in _keys._KNOWN.values() for k in known.keys}
    assert len(evaluated) == len(set(evaluated)) == len(distinct) > 50
    assert annotate_cohort(path).findings.equals(first.findings)
    assert len(evaluated) == len(distinct)  # the second run evaluated nothing


def test_known_keys_do_not_count_against_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a call's new keys count against the limit: a second run whose keys are all
    known (tables + its keys would pass the limit) starts nothing over."""
    rows = [_row(p, g, f"p.{c}") for p in IDS[:60] for g, c in PATIENTS[p]]
    path = write_gdc(tmp_path / "cohort.maf", rows)
    evaluated = _counting(monkeypatch)
    annotate_cohort(path)
    count = len(evaluated)
    monkeypatch.setattr(_keys, "_CACHE_LIMIT", count + 1)
    annotate_cohort(path)
    assert len(evaluated) == count


def test_quick_checks_pass_what_the_reader_accepts_and_refuse_what_it_refuses(
    tmp_path: Path,
) -> None:
    """Cells the quick integer check cannot read (``200.0``, spellings of "missing",
    ``+50``) and short sample names go to the exact check; the reader's own errors come
    back for a mixed-case "missing" sample and a float position below 1."""
    rows = [_row(p, g, f"p.{c}") for p in IDS[:40] for g, c in PATIENTS[p]]
    odd = {"t_depth": "200.0", "t_ref_count": "NA", "t_alt_count": "+50", "End_Position": "."}
    for n in range(0, len(rows), 3):
        rows[n].update(odd)
    rows.append(_row("S1", "PIK3CA", "p.H1047R"))  # a short name that is not "missing"
    path = write_gdc(tmp_path / "odd.maf", rows)
    assert_same_as_single_patient(path, annotate_cohort(path), {}, None)
    for field, change in (
        ("Tumor_Sample_Barcode", {"Tumor_Sample_Barcode": "nA"}),
        ("Start_Position", {"Start_Position": "0.0"}),
        ("End_Position", {"Start_Position": "20", "End_Position": "19.0"}),
    ):
        broken = [dict(r) for r in rows]
        broken[31].update(change)
        bad = write_gdc(tmp_path / "bad.maf", broken)
        with pytest.raises(GenomicFileError) as expected:
            read_maf(bad)
        with pytest.raises(GenomicFileError) as got:
            annotate_cohort(bad)
        assert str(got.value) == str(expected.value), field
        assert got.value.field == field


def test_keys_sharing_a_label_do_not_repeat_hits() -> None:
    """Keys that differ only where the label does not show (exon, transcript) share the
    label: each hit stays one row (a row per key made the table grow with the number of
    such keys: 82,815 hits became 3,180,342 on a cohort with varied exon numbers)."""
    info = pl.DataFrame(
        {"kid": [1, 2, 3, 4], "lid": [1, 1, 1, 2], "label": ["PIK3CA H1047R"] * 3 + ["ESR1 D538G"]},
        schema={"kid": pl.UInt32, "lid": pl.UInt32, "label": pl.String},
    )
    regular = pl.DataFrame(
        {"sid": [1, 2, 2], "ord": [0, 1, 2], "kid": [1, 3, 4], "lid": [1, 1, 2],
         "entry": [5, 5, 6], "criterion": [0, 0, 0], "spec": [0, 0, 1], "order": [0, 1, 2]},
        schema={"sid": pl.UInt32, "ord": pl.UInt32, "kid": pl.UInt32, "lid": pl.UInt32,
                "entry": pl.UInt32, "criterion": pl.UInt32, "spec": pl.UInt32,
                "order": pl.Int64},
    )  # fmt: skip
    merged, texts = _aggregate._biomarker_ids(regular, pl.DataFrame(), info)
    assert merged.height == 3
    assert sorted(texts["biomarker"].to_list()) == ["ESR1 D538G", "PIK3CA H1047R"]
    bids = dict(zip(texts["biomarker"], texts["bid"], strict=True))
    assert merged.sort("ord")["bid"].to_list() == [bids["PIK3CA H1047R"]] * 2 + [bids["ESR1 D538G"]]
