"""Cohort scale: the single-patient annotation over thousands of samples, as tables.

Decision support for qualified clinicians.
"""

from oncoboard.cohort._schema import (
    EVIDENCE_SCHEMA,
    FINDINGS_SCHEMA,
    NOTES_SCHEMA,
    SAMPLES_SCHEMA,
    findings_frame,
    findings_of,
)

__all__ = [
    "EVIDENCE_SCHEMA",
    "FINDINGS_SCHEMA",
    "NOTES_SCHEMA",
    "SAMPLES_SCHEMA",
    "findings_frame",
    "findings_of",
]
