"""The in-memory form of a cBioPortal study: text tables, exactly what the files hold.

Every cell is text; ``""`` is a missing value (written ``NA`` where cBioPortal expects it,
blank in the MAF and the structural-variant file, and read back as ``""``), so a study
written and read again compares equal (:func:`oncoboard.io.cbioportal_study.read_study`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from oncoboard.errors import OncoboardError

__all__ = ["Attribute", "CaseList", "Study", "StudyError", "Table"]

ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
"""Patient and sample ids: "numbers, letters, points, underscores and hyphens" [1]_."""

Datatype = Literal["STRING", "NUMBER", "BOOLEAN"]


class StudyError(OncoboardError, ValueError):
    """A study that cannot be written or read; names the file, line and column."""

    def __init__(self, file: str, message: str, *, line: int | None = None) -> None:
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(frozen=True, slots=True)
class Attribute:
    """A clinical attribute: the four ``#`` header rows of a clinical file [1]_."""

    name: str  # upper case, the column header (row 5)
    display: str
    description: str
    datatype: Datatype
    priority: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """Columns and rows of text (``""`` = missing)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, str]]:
        """The rows as dicts."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class CaseList:
    """A case list (``case_lists/cases_<suffix>.txt``) [1]_."""

    suffix: str  # the stable id is <study>_<suffix>
    name: str
    description: str
    category: str
    samples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Study:
    """A cBioPortal study as Oncoboard writes it (the files are listed in
    :func:`oncoboard.io.cbioportal_study.write_study`)."""

    study_id: str
    name: str
    description: str
    reference_genome: str  # hg19 or hg38
    patient_attributes: tuple[Attribute, ...]
    patients: Table
    sample_attributes: tuple[Attribute, ...]
    samples: Table
    mutations: Table  # MAF columns
    cna: Table | None = None  # Hugo_Symbol + one column per sample
    structural_variants: Table | None = None
    timelines: dict[str, Table] = field(default_factory=dict)  # data_timeline_<name>.txt
    case_lists: tuple[CaseList, ...] = ()
