"""Persistent, versioned store of case documents with an audit trail.

The store is model-agnostic: callers validate a case with the case model, import its
document here, and validate again what they read back. Each import is one transaction that
adds a version only when the canonical JSON differs from the latest one. SQLite (default, in
the per-user data directory) and PostgreSQL are supported; the schema is migrated by the
Alembic scripts shipped in ``migrations/`` when the store is opened.

Environment
-----------
``ONCOBOARD_DATABASE_URL``
    Database to use (``sqlite:///PATH`` or ``postgresql://USER@HOST/DB``).
``ONCOBOARD_DATA_DIR``
    Directory of the default SQLite file (default ``platformdirs.user_data_dir("oncoboard")``).
``ONCOBOARD_USER``
    Clinician name recorded in the audit trail next to the operating-system account, which
    is the authenticated identity (``account (as name)``).
"""

from oncoboard.store._records import (
    ApiTokenInfo,
    AuditEvent,
    ImportOutcome,
    ImportResult,
    PatientSummary,
    SourceFormat,
    StoredCase,
    UserInfo,
    VersionInfo,
    VersionRead,
    canonical_json,
    document_sha256,
)
from oncoboard.store._settings import database_url
from oncoboard.store._store import ReadAction, Store

__all__ = [
    "ApiTokenInfo",
    "AuditEvent",
    "ImportOutcome",
    "ImportResult",
    "PatientSummary",
    "ReadAction",
    "SourceFormat",
    "Store",
    "StoredCase",
    "UserInfo",
    "VersionInfo",
    "VersionRead",
    "canonical_json",
    "database_url",
    "document_sha256",
]
