"""Value objects returned by the store, and the canonical JSON form of a case document."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "ApiTokenInfo",
    "AuditEvent",
    "ImportOutcome",
    "ImportResult",
    "PatientSummary",
    "SourceFormat",
    "StoredCase",
    "UserInfo",
    "VersionInfo",
    "VersionRead",
    "canonical_json",
    "document_sha256",
]

SourceFormat = Literal["yaml", "json"]
"""Format of the file a case document was imported from."""

ImportOutcome = Literal["created", "new_version", "unchanged"]
"""What an import did: first version, a further version, or nothing (same document)."""


def canonical_json(document: Any) -> str:
    """Return the canonical JSON text of ``document``.

    Keys are sorted, there is no insignificant whitespace and non-ASCII characters are kept
    as they are, so equal documents always give the same text (and the same hash).

    Parameters
    ----------
    document
        A JSON-compatible value: dicts with string keys, lists, strings, finite floats, ints,
        booleans and ``None``. Dates must already be ISO 8601 strings.

    Raises
    ------
    TypeError
        If the value holds something JSON cannot represent (e.g. a ``datetime.date``).
    ValueError
        If the value holds ``NaN`` or an infinity.
    """
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def document_sha256(document: Any) -> str:
    """Return the hex SHA-256 of the UTF-8 encoded :func:`canonical_json` of ``document``."""
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The result of :meth:`Store.import_document`.

    Attributes
    ----------
    patient_id
        Patient the document belongs to.
    version
        The new version, or for ``"unchanged"`` the existing latest version.
    outcome
        ``"created"`` (version 1), ``"new_version"`` or ``"unchanged"``.
    sha256
        Hash of the canonical JSON of the document.
    """

    patient_id: str
    version: int
    outcome: ImportOutcome
    sha256: str


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """Metadata of one stored version of a patient's case (without the document)."""

    version: int
    sha256: str
    source_name: str
    source_format: SourceFormat
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class StoredCase:
    """One stored version of a patient's case.

    Attributes
    ----------
    patient_id, version
        Identify the version; versions count up from 1.
    document
        The case document as imported (a fresh dict; validate it with the case model).
    sha256
        Hash of the canonical JSON of ``document``, checked when the version is read.
    source_name, source_format, source_text
        File name as given, its format and its exact original text.
    imported_at
        When the version was stored (timezone-aware, UTC).
    """

    patient_id: str
    version: int
    document: dict[str, Any]
    sha256: str
    source_name: str
    source_format: SourceFormat
    source_text: str
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """One patient in :meth:`Store.list_patients`, with the latest version's document."""

    patient_id: str
    latest_version: int
    n_versions: int
    created_at: datetime
    updated_at: datetime
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry of the audit trail (who did what to which patient's case, and when).

    Attributes
    ----------
    id
        Increasing sequence number.
    at
        When it happened (timezone-aware, UTC).
    actor
        The operating-system account, with any ``ONCOBOARD_USER`` name: ``root (as dr.x)``.
    action
        ``"import"``, ``"list"``, a read (``"show"``, ``"export"``, ``"plan"``, ``"monitor"``,
        ``"findings"``, ``"report"``, ``"versions"``), or user administration
        (``"login"``, ``"user_add"``, ``"user_disable"``, ``"user_enable"``,
        ``"token_issue"``, ``"token_revoke"``).
    patient_id, version
        The case concerned, where there is one.
    outcome
        ``"created"``, ``"new_version"``, ``"unchanged"``, ``"ok"``, ``"not_found"`` or
        ``"denied"``.
    subject
        The user an administrative event concerned (``None`` for case events).
    """

    id: int
    at: datetime
    actor: str
    action: str
    patient_id: str | None
    version: int | None
    outcome: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class UserInfo:
    """One user of the web service.

    Attributes
    ----------
    username
        Login name (also the audit actor of the user's requests).
    role
        ``"clinician"``, ``"analyst"`` or ``"admin"``.
    disabled
        A disabled user cannot log in, and none of their tokens is accepted.
    created_at
        When the user was added (timezone-aware, UTC).
    password_hash
        The argon2id hash of the password (never shown).
    """

    username: str
    role: str
    disabled: bool
    created_at: datetime
    password_hash: str = field(repr=False, default="")


@dataclass(frozen=True, slots=True)
class ApiTokenInfo:
    """Metadata of one API token (the token itself is shown once, when issued, never kept)."""

    id: int
    username: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class VersionRead:
    """One version of a patient's case as read by :meth:`Store.read_version`.

    ``document`` is ``None`` when the caller said it already holds the document of that
    hash (its derivations are cached), so it was not loaded.
    """

    patient_id: str
    version: int
    sha256: str
    document: dict[str, Any] | None
