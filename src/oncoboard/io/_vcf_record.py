"""One VCF record, from the text htslib writes back: fixed columns, INFO and one sample's FORMAT.

Values stay text until a reader asks for them as counts or fractions; ``.`` (missing) becomes
``None``, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["RawRecord", "RecordError", "counts", "fractions", "item", "parse_record"]

MISSING = "."
_T = TypeVar("_T", int, float)


class RecordError(ValueError):
    """A record (or one of its fields) is not what the VCF conventions promise.

    The reader turns it into a :class:`~oncoboard.errors.GenomicFileError` naming file and line.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class RawRecord:
    """The parts of a record the reader uses, as text.

    Attributes
    ----------
    filters
        FILTER values; empty for ``.`` (no filters applied).
    info
        INFO key to value text; flags map to ``""``.
    sample
        FORMAT key to value text for the selected sample; empty for a sites-only file.
    """

    chrom: str
    pos: int
    ref: str
    alts: tuple[str, ...]
    filters: tuple[str, ...]
    info: Mapping[str, str]
    sample: Mapping[str, str]

    @property
    def passed(self) -> bool:
        """``True`` for FILTER ``PASS`` or ``.``."""
        return set(self.filters) <= {"PASS"}


def parse_record(text: str, sample_index: int | None) -> RawRecord | None:
    """Split one record's VCF text; ``None`` for a blank line (htslib reads one as a record).

    Raises
    ------
    RecordError
        Fewer than eight columns, a stray ``#`` line, no chromosome, a bad position or no REF.
    """
    columns = text.rstrip("\r\n").split("\t")
    if len(columns) < 8:
        raise RecordError(f"expected at least 8 tab-separated columns, got {len(columns)}")
    chrom, pos, _, ref, alt, _, filters, info = columns[:8]
    if not chrom and ref == MISSING and alt == MISSING:
        return None
    if chrom.startswith("#"):
        raise RecordError(f"expected a record, got a '#' line after the header: {chrom!r}")
    if not chrom:
        raise RecordError("expected a chromosome name, got ''", field="CHROM")
    if not _is_count(pos) or int(pos) < 1:
        raise RecordError(f"expected a position ≥ 1, got {pos!r}", field="POS")
    if ref in ("", MISSING):
        raise RecordError(f"expected reference bases, got {ref!r}", field="REF")
    sample: dict[str, str] = {}
    if sample_index is not None and len(columns) > 9 + sample_index:
        keys = columns[8].split(":")
        sample = dict(zip(keys, columns[9 + sample_index].split(":"), strict=False))
    return RawRecord(
        chrom=chrom,
        pos=int(pos),
        ref=ref,
        alts=() if alt == MISSING else tuple(alt.split(",")),
        filters=() if filters == MISSING else tuple(filters.split(";")),
        info=_parse_info(info),
        sample=sample,
    )


def _parse_info(text: str) -> dict[str, str]:
    if text in ("", MISSING):
        return {}
    info: dict[str, str] = {}
    for entry in text.split(";"):
        key, _, value = entry.partition("=")
        info[key] = value
    return info


def counts(text: str | None, field: str) -> list[int | None] | None:
    """Comma-separated read counts (``"43,31"``); ``None`` when absent or ``.``.

    Raises
    ------
    RecordError
        An item is neither ``.`` nor a non-negative integer.
    """
    if text is None or text in ("", MISSING):
        return None
    values: list[int | None] = []
    for part in text.split(","):
        if part == MISSING:
            values.append(None)
        elif _is_count(part):
            values.append(int(part))
        else:
            raise RecordError(
                f"expected comma-separated non-negative integers, got {text!r}", field=field
            )
    return values


def fractions(text: str | None, field: str) -> list[float | None] | None:
    """Comma-separated allele fractions (``"0.5,."``); ``None`` when absent or ``.``.

    Raises
    ------
    RecordError
        An item is neither ``.``/``nan`` nor a number between 0 and 1.
    """
    if text is None or text in ("", MISSING):
        return None
    values: list[float | None] = []
    for part in text.split(","):
        if part == MISSING:
            values.append(None)
            continue
        try:
            value = float(part)
        except ValueError:
            value = -1.0
        if math.isnan(value):
            values.append(None)
        elif 0.0 <= value <= 1.0:
            values.append(value)
        else:
            raise RecordError(
                f"expected allele fractions between 0 and 1, got {text!r}", field=field
            )
    return values


def item(values: Sequence[_T | None] | None, index: int) -> _T | None:
    """``values[index]``, or ``None`` when the list is absent or too short."""
    if values is None or index >= len(values):
        return None
    return values[index]


def _is_count(text: str) -> bool:
    return text.isascii() and text.isdigit()
