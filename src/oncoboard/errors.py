"""The Oncoboard exception tree.

Every error Oncoboard raises derives from :class:`OncoboardError`; subclasses also inherit the
matching builtin so callers can catch either::

    OncoboardError
    ├── CaseFileError (ValueError)         a case document could not be read or is invalid
    ├── GenomicFileError (ValueError)      a VCF, MAF, CNA, fusion or segment file is unreadable
    ├── ImagingError (ValueError)          a DICOM/NIfTI image, mask or segmentation is unusable
    │   └── GeometryError                  a mask's grid does not match its image
    ├── KnowledgeError (ValueError)        packaged knowledge data is malformed
    ├── NormalizationError (ValueError)    an HGVS change or exon number cannot be normalised
    ├── StoreError                         the case store failed
    │   ├── StoreConfigError (ValueError)  bad database URL or data directory
    │   └── CaseNotFoundError (LookupError) no such patient or version
    │
    │   defined next to the code that raises them:
    ├── CohortError (ValueError)           a cohort run or its output folder cannot be used
    │                                      (oncoboard.cohort)
    ├── DeidentificationError (ValueError) a weak secret, a bad policy (oncoboard.io.deidentify)
    ├── StudyError (ValueError)            a cBioPortal study cannot be written or read
    │                                      (oncoboard.io.cbioportal_study)
    ├── OutOfDomain (ValueError)           a patient outside a prognosis model's domain
    │                                      (oncoboard.prognosis)
    ├── UnknownModelError (LookupError)    no shipped prognosis model has that id
    │                                      (oncoboard.prognosis)
    └── SettingsError                      unsafe or invalid service settings
                                           (oncoboard.service)

Messages say what was expected, show the offending value with ``!r`` and where it came from
(file, record, field).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CaseFileError",
    "CaseNotFoundError",
    "GenomicFileError",
    "GeometryError",
    "ImagingError",
    "KnowledgeError",
    "NormalizationError",
    "OncoboardError",
    "Problem",
    "StoreConfigError",
    "StoreError",
]


class OncoboardError(Exception):
    """Root of every error raised by Oncoboard."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem located in a case file.

    Attributes
    ----------
    file
        Path of the document as given by the user.
    line
        1-based line of the offending value, or ``None`` where the format gives no line.
    path
        Dotted field path inside the document, e.g. ``imaging.0.lesions.1.size_mm``.
    message
        What was expected and what was found.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '<document>'}: {self.message}"


class CaseFileError(OncoboardError, ValueError):
    """A case document could not be parsed or failed validation."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems) or f"{file}: invalid case file")


class GenomicFileError(OncoboardError, ValueError):
    """A genomic lab file (VCF/BCF, MAF, CNA, fusion or segment table) cannot be read.

    The message names the file and, where there is one, the record (line or row) and field.
    """

    def __init__(
        self, file: str, message: str, *, record: int | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.message = message
        self.record = record
        self.field = field
        where = file if record is None else f"{file}:{record}"
        what = f"{field}: " if field else ""
        super().__init__(f"{where}: {what}{message}")

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        """Pickle with the keyword arguments (errors cross process boundaries in Dask)."""
        rebuild = functools.partial(type(self), record=self.record, field=self.field)
        return rebuild, (self.file, self.message)


class ImagingError(OncoboardError, ValueError):
    """A DICOM series, DICOM SEG or NIfTI file cannot be used for measurement.

    The message names the file (or folder) and, where there is one, the DICOM attribute
    (keyword) or the instance at fault.
    """

    def __init__(self, file: str, message: str, *, attribute: str | None = None) -> None:
        self.file = file
        self.attribute = attribute
        what = f"{attribute}: " if attribute else ""
        super().__init__(f"{file}: {what}{message}")


class GeometryError(ImagingError):
    """A mask or segmentation does not lie on its image's grid, or a grid is malformed."""


class KnowledgeError(OncoboardError, ValueError):
    """Packaged knowledge data is missing or malformed."""


class NormalizationError(OncoboardError, ValueError):
    """A value (HGVS protein change, exon) could not be normalised; the message shows it."""


class StoreError(OncoboardError):
    """The case store failed."""


class StoreConfigError(StoreError, ValueError):
    """The database URL or data directory is unusable."""


class CaseNotFoundError(StoreError, LookupError):
    """No case with the requested patient id (and version) is stored."""
