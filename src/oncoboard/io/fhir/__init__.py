"""FHIR R4 / mCODE STU4 import and export of cases.

``read_fhir_bundle`` reads a Bundle into a :class:`~oncoboard.model.Case` and reports every
resource it could not map (:class:`Skipped`) and every assumption it made
(:class:`ImportNote`); ``case_to_fhir`` writes a case as an mCODE Patient Bundle, validated with
``fhir.resources`` (R4B models, wire-compatible with R4 for the resources used).
``mcode_subset`` is the part of a case that survives the round trip (docs/interop.md).

Decision support for qualified clinicians: imported data must be checked against the source
record before clinical use.
"""

from oncoboard.io.fhir._carried import mcode_subset
from oncoboard.io.fhir._validate import FHIR_VERSION
from oncoboard.io.fhir.read import FhirImport, ImportNote, Skipped, is_fhir_bundle, read_fhir_bundle
from oncoboard.io.fhir.write import case_to_fhir

__all__ = [
    "FHIR_VERSION",
    "FhirImport",
    "ImportNote",
    "Skipped",
    "case_to_fhir",
    "is_fhir_bundle",
    "mcode_subset",
    "read_fhir_bundle",
]
