"""Cohort scale: the single-patient annotation over thousands of samples, as tables.

:func:`annotate_cohort` annotates every sample of MAF/Parquet files exactly as
``oncoboard annotate`` annotates one (locally in columns, or on Dask);
:mod:`oncoboard.cohort.clinical` reads cohort clinical tables and
:mod:`oncoboard.cohort.report` turns the tables into the cohort report (imported on its own:
it loads matplotlib and lifelines). Decision support for qualified clinicians.
"""

from oncoboard.cohort._schema import (
    EVIDENCE_SCHEMA,
    FINDINGS_SCHEMA,
    NOTES_SCHEMA,
    SAMPLES_SCHEMA,
    findings_frame,
    findings_of,
)
from oncoboard.cohort.clinical import (
    metabric_clinical,
    msk_clinical,
    read_cohort_clinical,
    write_cohort_clinical,
)
from oncoboard.cohort.engine import (
    CohortAnnotation,
    CohortError,
    annotate_cohort,
    annotate_cohort_to,
    read_annotation,
    write_annotation,
)

__all__ = [
    "EVIDENCE_SCHEMA",
    "FINDINGS_SCHEMA",
    "NOTES_SCHEMA",
    "SAMPLES_SCHEMA",
    "CohortAnnotation",
    "CohortError",
    "annotate_cohort",
    "annotate_cohort_to",
    "findings_frame",
    "findings_of",
    "metabric_clinical",
    "msk_clinical",
    "read_annotation",
    "read_cohort_clinical",
    "write_annotation",
    "write_cohort_clinical",
]
