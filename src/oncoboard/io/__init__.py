"""Readers and writers: outside formats in and out of the case model (nothing else parses)."""

from oncoboard.io.case_file import (
    CASE_SUFFIXES,
    CaseDocument,
    Format,
    canonical_document,
    dump_case,
    find_case_files,
    load_case,
    parse_case,
    parse_text,
    read_document,
)

__all__ = [
    "CASE_SUFFIXES",
    "CaseDocument",
    "Format",
    "canonical_document",
    "dump_case",
    "find_case_files",
    "load_case",
    "parse_case",
    "parse_text",
    "read_document",
]
