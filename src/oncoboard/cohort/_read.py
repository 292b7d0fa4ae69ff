"""Read a cohort MAF (plain, gzip) or Parquet file in blocks: each row's sample, line and key.

The *key* of a row is the text of every cell :func:`oncoboard.io.maf.maf_variant` reads, read
counts aside, joined with ``\\x1f``: two rows with the same key give the same alteration, so
the knowledge base is consulted once per distinct key (:mod:`oncoboard.cohort._keys`), never
per row. Rows are parsed by pyarrow (polars for blocks pyarrow refuses); the read counts and
coordinates are checked here, in columns, with the single-patient reader's messages, and every
problem is a :class:`~oncoboard.errors.GenomicFileError` naming the file, the line and the
column.

Line numbers are the file's physical lines, as in :func:`oncoboard.io.read_maf` (blank and
``#`` lines are skipped but counted), so a finding's ``source`` is the same ``FILE:LINE``
whichever path produced it. For Parquet, the "line" is the 1-based row number.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from oncoboard.errors import GenomicFileError
from oncoboard.io._tabular import MISSING, Header, Row
from oncoboard.io.maf import (
    MAF_VARIANT_COLUMNS,
    NOT_VARIANT_STATUSES,
    check_maf_header,
    maf_variant,
)

__all__ = [
    "KEY_COLUMNS",
    "KEY_SEPARATOR",
    "Block",
    "key_header",
    "plan_blocks",
    "read_block",
]

KEY_SEPARATOR = "\x1f"
_COUNTS = ("t_depth", "t_ref_count", "t_alt_count")
_GZIP_MAGIC = b"\x1f\x8b"
_HEAD_BYTES = 1 << 20
DEFAULT_BLOCK_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Block:
    """A unit of work: a byte range of a plain MAF, a whole gzip MAF, or Parquet row groups."""

    path: str  # as given by the user (it names the file in sources and errors)
    kind: Literal["maf", "maf.gz", "parquet"]
    names: tuple[str, ...]  # header
    header_line: int
    start: int  # byte offset (maf) or first row group (parquet)
    stop: int  # byte offset (exclusive) or last row group + 1
    # line number of the first line of the range (row number for Parquet); None for a later
    # block of a plain MAF until the blocks before it are read (lines are then numbered from 1
    # and shifted by the caller; errors are located exactly)
    first_line: int | None


KEY_COLUMNS = tuple(
    name for name in MAF_VARIANT_COLUMNS if name not in ("Tumor_Sample_Barcode", "EXON", *_COUNTS)
)
"""The key's cells, in order; ``Exon_Number`` holds what the reader takes for the exon
(``Exon_Number``, else ``EXON``). An absent column and an empty cell read the same."""


@functools.cache
def key_header(file: str) -> Header:
    """The header every key is read back with (``file`` names it in errors)."""
    return Header(file, 0, (*KEY_COLUMNS, "Tumor_Sample_Barcode"))


def _key(header: Header) -> pl.Expr:
    cells = []
    for name in KEY_COLUMNS:
        aliases = ("Exon_Number", "EXON") if name == "Exon_Number" else (name,)
        column = header.column(*aliases)
        cells.append(pl.lit("") if column is None else pl.col(column))
    return pl.concat_str(cells, separator=KEY_SEPARATOR)


def _needed(header: Header) -> tuple[str, ...]:
    names = (header.column(name) for name in MAF_VARIANT_COLUMNS)
    return tuple(dict.fromkeys(n for n in names if n is not None))


def _header_of(label: str, head: bytes) -> tuple[int, int, tuple[str, ...]]:
    """(line number, byte offset after the header line, names) from the first bytes."""
    offset = 0
    for number, raw in enumerate(head.splitlines(keepends=True), start=1):
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace")
        offset += len(raw)
        if not text.strip() or text.startswith("#"):
            continue
        if not raw.endswith(b"\n"):
            break
        names = next(csv.reader((text.rstrip("\r\n"),), delimiter="\t"))
        return number, offset, tuple(n.strip() for n in names)
    raise GenomicFileError(
        label, f"expected a header line within the first {_HEAD_BYTES} bytes, found none"
    )


def _split_points(path: Path, start: int, size: int, block_bytes: int) -> list[int]:
    """Byte offsets just after a newline, about ``block_bytes`` apart, from ``start``."""
    points = [start]
    with path.open("rb") as handle:
        while points[-1] + block_bytes < size:
            handle.seek(points[-1] + block_bytes)
            handle.readline()
            position = handle.tell()
            if position >= size:
                break
            points.append(position)
    return [*points, size]


def plan_blocks(
    paths: Sequence[Path | str], *, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> list[Block]:
    """Blocks of every input: plain MAFs split at line ends every ``block_bytes``, a gzip MAF
    as one block (streamed), Parquet files by row group (about ``block_bytes`` of data each).

    Raises
    ------
    GenomicFileError
        If a file cannot be opened, has no header, or lacks the columns a MAF needs.
    """
    blocks: list[Block] = []
    for given in paths:
        label, path = str(given), Path(given)
        try:
            if path.suffix.lower() in (".parquet", ".pq"):
                blocks += _parquet_blocks(label, path, block_bytes)
                continue
            with path.open("rb") as handle:
                compressed = handle.read(2) == _GZIP_MAGIC
            if compressed:
                with gzip.open(path, "rb") as handle:
                    head = handle.read(_HEAD_BYTES)
            else:
                with path.open("rb") as handle:
                    head = handle.read(_HEAD_BYTES)
        except (OSError, EOFError) as exc:
            raise GenomicFileError(label, f"cannot read: {exc}") from exc
        number, offset, names = _header_of(label, head)
        check_maf_header(Header(label, number, names))
        if compressed:
            blocks.append(Block(label, "maf.gz", names, number, offset, -1, number + 1))
            continue
        points = _split_points(path, offset, path.stat().st_size, block_bytes)
        blocks += [
            Block(label, "maf", names, number, start, stop, number + 1 if n == 0 else None)
            for n, (start, stop) in enumerate(itertools.pairwise(points))
            if stop > start
        ]
    return blocks


def _parquet_blocks(label: str, path: Path, block_bytes: int) -> list[Block]:
    meta = pq.ParquetFile(path).metadata
    names = tuple(meta.schema.names)
    check_maf_header(Header(label, 0, names))
    blocks, start, size, first, row = [], 0, 0, 1, 1
    for group in range(meta.num_row_groups):
        size += meta.row_group(group).total_byte_size
        row += meta.row_group(group).num_rows
        if size >= block_bytes or group == meta.num_row_groups - 1:
            blocks.append(Block(label, "parquet", names, 0, start, group + 1, first))
            start, size, first = group + 1, 0, row
    return blocks


def read_block(block: Block, *, chunk_bytes: int = DEFAULT_BLOCK_BYTES) -> tuple[pl.DataFrame, int]:
    """The ``sample``, ``line`` and ``key`` of the rows of ``block`` (variant rows only:
    ``Mutation_Status`` ``None``/``Wildtype`` rows are dropped, as the reader does), and the
    number of lines (Parquet: rows) the block spans.

    Raises
    ------
    GenomicFileError
        Naming file, line and column, for the first problem of a chunk.
    """
    header = Header(block.path, block.header_line, block.names)
    first = 1 if block.first_line is None else block.first_line
    if block.kind == "parquet":
        table = pq.ParquetFile(block.path).read_row_groups(
            list(range(block.start, block.stop)), columns=list(_needed(header))
        )
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.select(pl.all().cast(pl.String).fill_null(""))
        lines = pl.int_range(first, first + frame.height, eager=True)
        return _rows(header, frame.with_columns(_line=lines)), frame.height
    frames, count = [], 0
    try:
        for data, offset in _chunks(block, chunk_bytes):
            parsed, spanned = _parse(header, data, first + offset)
            frames.append(_rows(header, parsed))
            count += spanned
    except GenomicFileError as exc:
        if block.first_line is not None or exc.record is None:
            raise
        shift = _lines_before(block) - 1  # locate it in the file, not the block
        raise GenomicFileError(
            exc.file, exc.message, record=exc.record + shift, field=exc.field
        ) from exc
    return pl.concat(frames), count


def _lines_before(block: Block) -> int:
    """Line number of the block's first line (read up to it: used only to locate an error)."""
    with Path(block.path).open("rb") as handle:
        lines, left = 1, block.start
        while left > 0:
            piece = handle.read(min(left, 1 << 24))
            lines += piece.count(b"\n")
            left -= len(piece)
    return lines


def _chunks(block: Block, chunk_bytes: int) -> Iterator[tuple[bytes, int]]:
    """(bytes of whole lines, lines before them in the block)."""
    path = Path(block.path)
    try:
        if block.kind == "maf":
            with path.open("rb") as handle:
                handle.seek(block.start)
                yield handle.read(block.stop - block.start), 0
            return
        with gzip.open(path, "rb") as handle:
            handle.read(block.start)
            line, rest = 0, b""
            while piece := handle.read(chunk_bytes):
                data = rest + piece
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
                if data:
                    yield data, line
                    line += data.count(b"\n")
            if rest:
                yield rest, line
    except (OSError, EOFError) as exc:
        raise GenomicFileError(block.path, f"cannot read (truncated or corrupt?): {exc}") from exc


def _kept_lines(data: bytes, first_line: int) -> tuple[bytes, np.ndarray, int]:
    """``data`` without blank and ``#`` lines, the line number of each kept line, and the
    number of lines of ``data``."""
    if not data.endswith(b"\n"):
        data += b"\n"
    array = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(array == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    numbers = np.arange(first_line, first_line + len(starts), dtype=np.int64)
    first = array[np.minimum(starts, len(array) - 1)]
    suspect = (ends - starts <= 1) | np.isin(first, np.frombuffer(b"# \t\r", dtype=np.uint8))
    if not suspect.any():
        return data, numbers, len(numbers)
    skip = np.zeros(len(starts), dtype=bool)
    for index in np.flatnonzero(suspect):
        text = data[starts[index] : ends[index]]
        skip[index] = text.startswith(b"#") or not text.strip()
    keep = ~skip
    kept = b"".join(data[s : e + 1] for s, e in zip(starts[keep], ends[keep], strict=True))
    return kept, numbers[keep], len(numbers)


def _parse(header: Header, data: bytes, first_line: int) -> tuple[pl.DataFrame, int]:
    """The needed columns of the lines in ``data`` (all text), with their line numbers.

    pyarrow's CSV reader parses a block of well-formed lines (every line with the header's
    number of fields, UTF-8): it converts only the needed columns, in half the time of
    polars' reader. Anything it refuses goes to :func:`_parse_checked`, which tolerates
    what the single-patient reader tolerates and locates what it does not.
    """
    kept, numbers, spanned = _kept_lines(data, first_line)
    frame = _parse_arrow(header, kept)
    if frame is None or frame.height != len(numbers):
        frame = _parse_checked(header, kept, numbers, first_line)
    return frame.with_columns(_line=pl.Series(numbers)), spanned


def _parse_arrow(header: Header, data: bytes) -> pl.DataFrame | None:
    """The needed columns, or ``None`` if a line is not plain UTF-8 text with exactly the
    header's fields (pyarrow refuses a line with fewer or more fields)."""
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    names = [f"f{n}" for n in range(len(header.names))]
    by_position = sorted((header.position(n), n) for n in _needed(header))
    wanted = [names[p] for p, _ in by_position]
    # without a quote byte in the block, quoting cannot change a cell: the tokenizer that
    # does not look for quotes is the same parse, 15% faster
    quote: str | bool = '"' if b'"' in data else False
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter="\t", quote_char=quote),
            convert_options=pa_csv.ConvertOptions(
                include_columns=wanted,
                column_types=dict.fromkeys(wanted, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame.columns = [n for _, n in by_position]
    return frame


def _parse_checked(
    header: Header, kept: bytes, numbers: np.ndarray, first_line: int
) -> pl.DataFrame:
    """The needed columns by polars' reader, after the field counts are checked by the
    block's total of tabs (a line with a missing or an extra field changes it): on a
    mismatch every line is checked as the reader checks it (quoted tabs and trailing empty
    cells are allowed). A line short by as many fields as another line of the same block
    has too many is not caught by the total."""
    needed = _needed(header)
    if kept.count(b"\t") != (len(header.names) - 1) * len(numbers):
        problem = _locate(header, kept, numbers)
        if problem is not None:
            raise problem
    try:
        by_position = sorted((header.position(n), n) for n in needed)
        frame = pl.read_csv(
            io.BytesIO(kept),
            has_header=False,
            separator="\t",
            quote_char='"',
            columns=[p for p, _ in by_position],
            infer_schema=False,  # every cell as text
            empty_string_is_null=False,
            encoding="utf8",
        )
        frame.columns = [n for _, n in by_position]  # polars returns them in file order
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise _locate(header, kept, numbers) or GenomicFileError(
            header.file, f"cannot parse the rows from line {first_line}: {exc}"
        ) from exc
    if frame.height != len(numbers):
        raise _locate(header, kept, numbers) or GenomicFileError(
            header.file,
            f"expected {len(numbers)} rows from line {first_line}, parsed {frame.height} "
            "(a quote spanning lines?)",
        )
    return frame


def _locate(header: Header, data: bytes, numbers: np.ndarray) -> GenomicFileError | None:
    """The first malformed line (not UTF-8, or the wrong number of fields), as the
    single-patient reader reports it; ``None`` if every line looks right."""
    expected = len(header.names)
    for number, raw in zip(numbers.tolist(), data.split(b"\n"), strict=False):
        try:
            text = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 1]
            return GenomicFileError(
                header.file,
                f"expected UTF-8 text, got byte {bad!r} at column {exc.start + 1}",
                record=number,
            )
        values = next(csv.reader((text,), delimiter="\t"))
        extra = values[expected:]
        if len(values) < expected or any(v.strip() for v in extra):
            return GenomicFileError(
                header.file,
                f"expected {expected} tab-separated fields (as in the header), got {len(values)}",
                record=number,
            )
    return None


def _missing(column: str | pl.Expr) -> pl.Expr:
    cell = pl.col(column) if isinstance(column, str) else column
    return cell.str.to_lowercase().is_in(list(MISSING))


def _rows(header: Header, frame: pl.DataFrame) -> pl.DataFrame:
    """Drop non-variant rows, check the cells, build the key.

    Cells of the key are kept as read: the reader strips them when the key is evaluated, so
    only the sample, ``Mutation_Status`` and the numbers are stripped here.
    """
    status = header.column("Mutation_Status")
    if status is not None:
        skip = pl.col(status).str.strip_chars().str.to_lowercase().is_in(NOT_VARIANT_STATUSES)
        if frame.select(skip.any()).item():  # filtering copies every column: only if needed
            frame = frame.filter(~skip)
    sample = header.column("Tumor_Sample_Barcode") or ""
    frame = frame.with_columns(pl.col(sample).str.strip_chars())
    _check(header, frame)
    return frame.select(
        sample=pl.col(sample), line=pl.col("_line").cast(pl.Int64), key=_key(header)
    )


_MISSING_AS_WRITTEN = sorted({*MISSING, *(m.upper() for m in MISSING), "NaN", "N/A", "None"})


_LONGEST_MISSING = max(len(m) for m in MISSING)


def _integer(column: str, minimum: int, *, exact: bool) -> tuple[pl.Expr, pl.Expr]:
    """(value as Int64 or null, True where the cell may not be an integer >= minimum).

    Over-inclusive on purpose (a padded ``" 12"`` or an odd spelling of "missing" is
    flagged): flagged rows are re-read by the reader, which decides. Not ``exact``: a cell
    that is not a plain integer is flagged unless empty (integer parsing only, no float
    parsing and no lookup of the spellings of "missing"); ``exact`` then re-checks the
    flagged rows, accepting ``12.0`` and the spellings of "missing", as the reader does.
    """
    cell = pl.col(column)
    if not exact:
        whole = cell.cast(pl.Int64, strict=False)
        return whole, ~(whole >= minimum).fill_null(cell.eq(""))
    number = cell.cast(pl.Float64, strict=False)
    valid = number.is_finite() & (number == number.floor()) & (number >= minimum)
    flagged = ~valid.fill_null(False) & ~cell.is_in(_MISSING_AS_WRITTEN)
    return number.cast(pl.Int64, strict=False), flagged


def _suspect(header: Header, *, exact: bool) -> pl.Expr:
    """True for a row with a blank sample, a non-integer coordinate or read count, End
    before Start, or more alternate reads than depth (not ``exact``: also for some good
    rows, which the ``exact`` check clears)."""
    col = header.column
    bad: list[pl.Expr] = []
    ints: dict[str, pl.Expr] = {}
    for name, minimum in (("Start_Position", 1), ("End_Position", 1), *((c, 0) for c in _COUNTS)):
        column = col(name)
        if column is not None:
            ints[name], flag = _integer(column, minimum, exact=exact)
            bad.append(flag)
    if "Start_Position" in ints and "End_Position" in ints:
        bad.append(ints["End_Position"] < ints["Start_Position"])
    if "t_alt_count" in ints:
        depth = ints.get("t_depth", pl.lit(None, pl.Int64))
        if "t_ref_count" in ints:
            depth = depth.fill_null(ints["t_ref_count"] + ints["t_alt_count"])
        bad.append(ints["t_alt_count"] > depth)
    sample = col("Tumor_Sample_Barcode") or ""
    # every spelling of "missing" is short: only short names need the lookup
    bad.append(_missing(sample) if exact else pl.col(sample).str.len_bytes() <= _LONGEST_MISSING)
    return pl.any_horizontal(b.fill_null(False) for b in bad)


def _check(header: Header, frame: pl.DataFrame) -> None:
    """Raise for the first row (in file order) with a blank sample, a non-integer coordinate
    or read count, End before Start, or more alternate reads than depth.

    Suspect rows are found in columns (first by a quick check, then exactly among the rows
    it flags); the first is then read by the single-patient row reader, so the error (file,
    line, column, message) is the one ``read_maf`` gives.
    """
    suspects = frame.filter(_suspect(header, exact=False))
    if not suspects.is_empty():
        suspects = suspects.filter(_suspect(header, exact=True))
    for row in suspects.iter_rows(named=True):
        values = [""] * len(header.names)
        for name in _needed(header):
            values[header.position(name)] = row[name]
        maf_variant(Row(header, row["_line"], tuple(values)))  # raises the reader's error
