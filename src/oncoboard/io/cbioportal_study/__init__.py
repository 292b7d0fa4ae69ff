"""cBioPortal study export of a cohort, and the reader that reads it back.

:func:`build_study` turns cases into a :class:`Study` (clinical patient and sample tables,
mutations as a MAF, discrete copy number, structural variants, timelines of treatments,
imaging, laboratory/ctDNA results, specimens and status, case lists); :func:`write_study`
writes it as cBioPortal study files and :func:`read_study` reads them back, so that
``read_study(folder) == study``. :func:`check_study` checks a folder against the rules of
cBioPortal's file-format documentation. The mutation, copy-number and structural-variant
files are also read by Oncoboard's own readers (:func:`oncoboard.io.read_maf`,
:func:`oncoboard.io.cbioportal.read_cbioportal_cna`, ``read_cbioportal_sv``).

Decision support for qualified clinicians: the export carries data and Oncoboard's derived
classifications (subtype, HER2 category, RECIST responses), each named as such.
"""

from oncoboard.io.cbioportal_study._build import (
    CNA_LEVELS,
    MAF_COLUMNS,
    build_study,
    variant_classification,
)
from oncoboard.io.cbioportal_study._check import check_study
from oncoboard.io.cbioportal_study._files import read_study, write_study
from oncoboard.io.cbioportal_study._tables import Attribute, CaseList, Study, StudyError, Table
from oncoboard.io.cbioportal_study._timeline import TIMELINE_COLUMNS

__all__ = [
    "CNA_LEVELS",
    "MAF_COLUMNS",
    "TIMELINE_COLUMNS",
    "Attribute",
    "CaseList",
    "Study",
    "StudyError",
    "Table",
    "build_study",
    "check_study",
    "read_study",
    "variant_classification",
    "write_study",
]
