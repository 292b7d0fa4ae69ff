"""Shared plumbing of the tab-separated genomic readers (MAF, cBioPortal, gene tables, segments).

A table is read line by line (plain or gzip-compressed, detected from the magic bytes, not the
suffix), decoded as UTF-8 (a byte-order mark is dropped), with blank lines and lines starting
with ``#`` skipped. The first remaining line is the header, unless it lacks the reader's required
columns and the last comment line has them (``#FusionName`` of STAR-Fusion, ``#chrom``).
Column names are matched case-insensitively; values such as ``NA`` or ``.`` count as missing.

Every problem becomes a :class:`~oncoboard.errors.GenomicFileError` naming the file, the line
and (where there is one) the column; no ``csv``, codec, gzip or parsing error escapes.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import math
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from oncoboard.errors import GenomicFileError

__all__ = ["MISSING", "Header", "Row", "Table", "build", "open_table", "strip_chr"]

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "."})
"""Cell values (lower-cased) that mean "no value"."""

_GZIP_MAGIC = b"\x1f\x8b"
_SHOWN_COLUMNS = 12
_SNIFF_BYTES = 8192

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Header:
    """The column names of a table and the line they were read from."""

    file: str
    line: int
    names: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _resolved: dict[tuple[str, ...], str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for position, name in enumerate(self.names):
            index.setdefault(name.lower(), position)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_resolved", {})

    def column(self, *aliases: str) -> str | None:
        """The header's spelling of the first of ``aliases`` present (any case), else ``None``."""
        if aliases not in self._resolved:
            positions = (self._index.get(alias.lower()) for alias in aliases)
            found = next((p for p in positions if p is not None), None)
            self._resolved[aliases] = None if found is None else self.names[found]
        return self._resolved[aliases]

    def position(self, name: str) -> int:
        """0-based position of the column ``name`` (which must be in the header)."""
        return self._index[name.lower()]

    def require(self, **groups: Sequence[str]) -> dict[str, str]:
        """Map each named group of aliases to its column, or fail naming every missing group."""
        found = {key: self.column(*aliases) for key, aliases in groups.items()}
        missing = [" or ".join(groups[key]) for key, name in found.items() if name is None]
        if missing:
            raise self.error(f"expected column(s) {'; '.join(missing)}, got {self.shown!r}")
        return {key: name for key, name in found.items() if name is not None}

    @property
    def shown(self) -> list[str]:
        """The column names for messages (the first few of a wide header)."""
        more = ["…"] if len(self.names) > _SHOWN_COLUMNS else []
        return list(self.names[:_SHOWN_COLUMNS]) + more

    def error(self, message: str) -> GenomicFileError:
        """An error located at the header line."""
        return GenomicFileError(self.file, message, record=self.line)


@dataclass(frozen=True, slots=True)
class Row:
    """One data line: its values by column, located as ``FILE:LINE``."""

    header: Header
    line: int
    values: tuple[str, ...]

    @property
    def source(self) -> str:
        """``FILE:LINE`` of the row."""
        return f"{self.header.file}:{self.line}"

    def raw(self, column: str) -> str:
        """The stripped cell of ``column`` (which must be in the header)."""
        return self.values[self.header.position(column)].strip()

    def text(self, column: str | None) -> str | None:
        """The stripped cell, or ``None`` if the column is absent or the value is missing."""
        if column is None:
            return None
        value = self.raw(column)
        return None if value.lower() in MISSING else value

    def integer(self, column: str | None, *, minimum: int = 0) -> int | None:
        """An integer cell (``12`` or ``12.0``) of at least ``minimum``, or ``None`` if missing."""
        value = self.text(column)
        if value is None or column is None:
            return None
        number = _integer(value)
        if number is None:
            raise self.error(column, f"expected an integer, got {value!r}")
        if number < minimum:
            raise self.error(column, f"expected an integer >= {minimum}, got {value!r}")
        return number

    def number(self, column: str | None, *, minimum: float | None = None) -> float | None:
        """A finite decimal cell (at least ``minimum`` if given), or ``None`` if missing."""
        value = self.text(column)
        if value is None or column is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise self.error(column, f"expected a finite number, got {value!r}")
        if minimum is not None and number < minimum:
            raise self.error(column, f"expected a number >= {minimum:g}, got {value!r}")
        return number

    def error(self, column: str | None, message: str) -> GenomicFileError:
        """An error located at this row and ``column``."""
        return GenomicFileError(self.header.file, message, record=self.line, field=column)


def _integer(value: str) -> int | None:
    """``12``, or ``12.0`` as written by tools that store counts as floats; else ``None``."""
    with contextlib.suppress(ValueError):
        return int(value)
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number.is_integer() else None


@dataclass(slots=True)
class Table:
    """A header and the (lazily read) data rows after it."""

    header: Header
    rows: Iterator[Row]

    def __iter__(self) -> Iterator[Row]:
        return self.rows


def open_table(path: Path | str, *, has_header: Callable[[Header], bool]) -> Table:
    """Open a TSV file and read up to its header.

    Parameters
    ----------
    path
        Plain or gzip-compressed UTF-8 tab-separated file.
    has_header
        Whether a candidate header carries the reader's required columns; used to prefer a
        ``#``-prefixed last comment line (``#FusionName``) over the first non-comment line.

    Raises
    ------
    GenomicFileError
        If the file cannot be opened or decoded, is binary, or has no header line.
    """
    label = str(path)
    lines = _lines(Path(path), label)
    last_comment: tuple[int, str] | None = None
    for number, text in lines:
        if not text.strip():
            continue
        if text.startswith("#"):
            last_comment = (number, text)
            continue
        header = Header(label, number, _names(label, number, text))
        if not has_header(header) and last_comment is not None:
            number_c, text_c = last_comment
            commented = Header(label, number_c, _names(label, number_c, text_c[1:]))
            if has_header(commented):
                first = Row(commented, number, header.names)
                return Table(commented, _rows(commented, lines, first))
        return Table(header, _rows(header, lines, None))
    raise GenomicFileError(label, "expected a header line, got an empty file (no columns)")


def _names(label: str, number: int, text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in _split(label, number, text))


def _rows(header: Header, lines: Iterator[tuple[int, str]], first: Row | None) -> Iterator[Row]:
    if first is not None:
        yield _checked(first)
    for number, text in lines:
        if text.strip() and not text.startswith("#"):
            yield _checked(Row(header, number, tuple(_split(header.file, number, text))))


def _checked(row: Row) -> Row:
    expected, got = len(row.header.names), len(row.values)
    if got > expected and not any(v.strip() for v in row.values[expected:]):
        row = Row(row.header, row.line, row.values[:expected])  # trailing empty cells
    elif got != expected:
        raise GenomicFileError(
            row.header.file,
            f"expected {expected} tab-separated fields (as in the header), got {got}",
            record=row.line,
        )
    return row


def _split(label: str, number: int, text: str) -> list[str]:
    try:
        return next(csv.reader((text,), delimiter="\t", strict=True))
    except csv.Error as exc:
        raise GenomicFileError(
            label, f"expected tab-separated fields (quotes balanced), got {exc}", record=number
        ) from exc


def _lines(path: Path, label: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, text)`` of a plain or gzip file, end-of-line removed."""
    try:
        with path.open("rb") as raw:
            if raw.peek(2)[:2] == _GZIP_MAGIC:
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    yield from _decoded(label, unzipped, "a complete gzip stream")
            else:
                yield from _decoded(label, raw, "a readable file")
    except OSError as exc:  # read errors are caught (with their line) in _decoded
        raise GenomicFileError(label, f"cannot open: {exc.strerror or exc}") from exc


class _Binary(Protocol):
    """A buffered binary stream (plain file or gzip) iterated by lines."""

    def peek(self, n: int, /) -> bytes: ...

    def __iter__(self) -> Iterator[bytes]: ...


def _decoded(label: str, handle: _Binary, expected: str) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        if b"\x00" in handle.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]:
            raise GenomicFileError(label, "expected a text file, got binary data (NUL byte)")
        for number, raw in enumerate(handle, start=1):
            yield number, _decode(label, number, raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise GenomicFileError(
            label, f"expected {expected}, got {type(exc).__name__}: {exc}", record=number + 1
        ) from exc


def _decode(label: str, number: int, raw: bytes) -> str:
    if b"\x00" in raw:
        raise GenomicFileError(
            label, "expected a text file, got binary data (NUL byte)", record=number
        )
    try:
        text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1]
        raise GenomicFileError(
            label, f"expected UTF-8 text, got byte {bad!r} at column {exc.start + 1}", record=number
        ) from exc
    return text.rstrip("\r\n")


def strip_chr(value: str) -> str:
    """Chromosome name without a ``chr`` prefix (any case): ``chr17`` -> ``17``."""
    return value[3:] if value[:3].lower() == "chr" and len(value) > 3 else value


def build(row: Row, model: type[Model], **values: Any) -> Model:
    """Construct a record; a validation failure becomes a located :class:`GenomicFileError`."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        shown = values.get(where) if where else None
        message = first["msg"].replace("Input should be ", "expected a value ", 1)
        raise row.error(where, f"{message}, got {shown!r}") from None
