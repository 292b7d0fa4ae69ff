"""The one module that touches cyvcf2/htslib: open a VCF/BCF and hand its records out as text.

Three things about cyvcf2 0.34 and htslib shape this module:

* htslib turns *every* body line into a record, including a blank line or a stray ``#`` line,
  and cyvcf2 dereferences a NULL allele array when ``Variant.REF`` is read on such a record
  (SIGSEGV, which no ``except`` can catch). ``str(variant)`` (htslib's ``vcf_format``) is safe
  for every record htslib accepts and reads VCF and BCF alike, so records leave this module as
  the VCF text htslib writes back, and all interpretation happens in Python.
* Because every body line is one record, the 1-based line of record *n* is the number of header
  lines plus *n*; the header is counted here while checking that the file is a VCF at all.
* htslib reports problems on the C-level ``stderr`` (``[E::...]``/``[W::...]``). They are
  captured while a file is read so the user sees no C-level noise; errors are turned into
  :class:`~oncoboard.errors.GenomicFileError` with htslib's own words, warnings are dropped.
  A BGZF file cut at a block boundary only draws a warning from htslib, so the BGZF
  end-of-file marker is checked here.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from oncoboard.errors import GenomicFileError

__all__ = ["HtsReader", "Layout", "sniff"]

_GZIP_MAGIC = b"\x1f\x8b"
# The 28-byte empty block that ends every BGZF file (SAM/BAM format specification, §4.1.2).
_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_MAX_HEADER_LINE = 1 << 20
_FIXED_COLUMNS = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
# htslib's log is process-wide: reads that capture it take turns.
_STDERR_LOCK = threading.Lock()


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Layout:
    """What :func:`sniff` found: BCF or VCF text, and how many header lines the text has."""

    is_bcf: bool
    header_lines: int

    def line_of(self, index: int) -> int:
        """1-based line of the ``index``-th record (1-based); for BCF the record index."""
        return index if self.is_bcf else self.header_lines + index


def sniff(path: Path, name: str) -> Layout:
    """Check that ``path`` is a VCF (plain, gzip or BGZF) or a BCF and count its header lines.

    Raises
    ------
    GenomicFileError
        The file is missing, unreadable, truncated or corrupt gzip/BGZF, or not a VCF/BCF.
    """
    try:
        with path.open("rb") as raw:
            magic = raw.read(18)
            if magic.startswith(_GZIP_MAGIC) and magic[12:14] == b"BC":
                raw.seek(max(0, path.stat().st_size - len(_BGZF_EOF)))
                if raw.read() != _BGZF_EOF:
                    raise GenomicFileError(
                        name,
                        "truncated BGZF file: expected the 28-byte BGZF end-of-file block at "
                        "the end, got other bytes (was the download or copy cut short?)",
                    )
        with gzip.open(path, "rb") if magic.startswith(_GZIP_MAGIC) else path.open("rb") as text:
            return _count_header(text, name)
    except FileNotFoundError as exc:
        raise GenomicFileError(name, "no such file") from exc
    except IsADirectoryError as exc:
        raise GenomicFileError(name, "expected a VCF or BCF file, got a directory") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise GenomicFileError(name, f"truncated or corrupt gzip/BGZF data ({exc})") from exc
    except OSError as exc:
        raise GenomicFileError(name, f"cannot read the file: {exc.strerror or exc}") from exc


def _count_header(text: _Lines, name: str) -> Layout:
    first = text.readline(_MAX_HEADER_LINE)
    if first.startswith(b"BCF"):
        return Layout(is_bcf=True, header_lines=0)
    if not first.startswith(b"##fileformat=VCF"):
        raise GenomicFileError(
            name,
            f"expected a VCF ('##fileformat=VCFv4.x' on line 1) or a BCF file, "
            f"got {_shown(first)!r}",
            record=1,
        )
    count = 1
    while True:
        line = text.readline(_MAX_HEADER_LINE)
        count += 1
        if not line:
            raise GenomicFileError(name, "expected a '#CHROM' header line, got the end of the file")
        if not line.startswith(b"#"):
            raise GenomicFileError(
                name, f"expected the '#CHROM' header line, got {_shown(line)!r}", record=count
            )
        if not line.startswith(b"##"):
            _check_columns(line, name, count)
            return Layout(is_bcf=False, header_lines=count)


def _check_columns(line: bytes, name: str, count: int) -> None:
    columns = line.decode("utf-8", "replace").rstrip("\r\n").split("\t")
    if columns[:8] != _FIXED_COLUMNS:
        raise GenomicFileError(
            name,
            f"expected the tab-separated columns {' '.join(_FIXED_COLUMNS)} [FORMAT sample...], "
            f"got {_shown(line)!r}",
            record=count,
        )
    if len(columns) == 9:
        raise GenomicFileError(
            name,
            "expected sample columns after FORMAT, got none (a sites-only VCF has no FORMAT "
            "column either)",
            record=count,
        )


def _shown(raw: bytes, limit: int = 60) -> str:
    text = raw.decode("utf-8", "replace").rstrip("\r\n")
    return text if len(text) <= limit else text[:limit] + "…"


class _HtslibLog:
    """Redirects file descriptor 2 to a temporary file while active; reads what htslib wrote."""

    def __init__(self) -> None:
        self._sink: Any = None
        self._saved = -1
        self._seen = 0
        self._locked = False

    def __enter__(self) -> _HtslibLog:
        _STDERR_LOCK.acquire()
        self._locked = True
        try:
            if sys.stderr is not None:  # None under pythonw; Python's own buffer goes first
                with contextlib.suppress(ValueError, OSError):
                    sys.stderr.flush()
            self._sink = tempfile.TemporaryFile()
            self._saved = os.dup(2)
            os.dup2(self._sink.fileno(), 2)
        except OSError:  # no usable fd 2 (e.g. a daemon): nothing to capture or hide
            self._stop_capture()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self._stop_capture()
        finally:
            if self._locked:
                self._locked = False
                _STDERR_LOCK.release()

    def _stop_capture(self) -> None:
        try:
            if self._saved >= 0:
                os.dup2(self._saved, 2)
                os.close(self._saved)
        finally:
            self._saved = -1
            if self._sink is not None:
                self._sink.close()
                self._sink = None

    def new_errors(self) -> list[str]:
        """htslib error messages (``[E::...]``) written since the last call, prefix removed."""
        if self._sink is None:
            return []
        fd = self._sink.fileno()
        size = os.fstat(fd).st_size
        if size == self._seen:
            return []
        text = os.pread(fd, size - self._seen, self._seen).decode("utf-8", "replace")
        self._seen = size
        return [
            line.split("] ", 1)[-1].strip() for line in text.splitlines() if line.startswith("[E::")
        ]


class HtsReader:
    """An open VCF/BCF (use as a context manager): samples, header text and record texts."""

    def __init__(self, path: Path, name: str, layout: Layout) -> None:
        self._path = path
        self._name = name
        self._layout = layout
        self._log = _HtslibLog()
        self._vcf: Any = None
        self.samples: list[str] = []
        self.header = ""

    def __enter__(self) -> HtsReader:
        self._log.__enter__()
        try:
            from cyvcf2 import VCF  # type: ignore[import-untyped]  # loaded on first use

            self._vcf = VCF(os.fspath(self._path))
            self.samples = [str(sample) for sample in self._vcf.samples]
            self.header = str(self._vcf.raw_header)
        except Exception as exc:  # cyvcf2 raises bare Exception, OSError, UnicodeDecodeError...
            message = self._explain("could not read the VCF header", exc)
            self.__exit__(None, None, None)
            raise GenomicFileError(self._name, message) from exc
        if errors := self._log.new_errors():  # htslib drops a header line it cannot parse
            self.__exit__(None, None, None)
            raise GenomicFileError(
                self._name, f"could not read the VCF header (htslib: {errors[0]})"
            )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._vcf is not None:
                self._vcf.close()
        finally:
            self._vcf = None
            self._log.__exit__(kind, exc, tb)

    def records(self) -> Iterator[tuple[int, str]]:
        """Yield ``(line, text)`` per record: the record's 1-based line (BCF: index) and text."""
        variants = iter(self._vcf)
        index = 0
        while True:
            index += 1
            line = self._layout.line_of(index)
            try:
                variant = next(variants)
            except StopIteration:
                break
            except Exception as exc:
                raise GenomicFileError(
                    self._name, self._explain("could not parse the record", exc), record=line
                ) from exc
            try:
                text = str(variant)
            except UnicodeDecodeError as exc:
                message = f"expected UTF-8 text, got undecodable bytes ({exc.reason})"
                raise GenomicFileError(self._name, message, record=line) from exc
            except Exception as exc:
                raise GenomicFileError(
                    self._name, self._explain("could not format the record", exc), record=line
                ) from exc
            if errors := self._log.new_errors():
                raise GenomicFileError(self._name, f"htslib: {errors[0]}", record=line)
            yield line, text
        if errors := self._log.new_errors():
            raise GenomicFileError(self._name, f"htslib, at the end of the file: {errors[0]}")

    def _explain(self, what: str, exc: Exception) -> str:
        errors = self._log.new_errors()
        if isinstance(exc, UnicodeDecodeError) and not errors:
            return f"{what}: expected UTF-8 text, got undecodable bytes ({exc.reason})"
        detail = errors[0] if errors else f"{type(exc).__name__}: {exc}"
        if any(word in detail.lower() for word in ("bgzf", "gzip", "inflate")):
            return f"truncated or corrupt gzip/BGZF data (htslib: {detail})"
        return f"{what} (htslib: {detail})"
