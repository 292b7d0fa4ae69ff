"""Statements and row conversions used by :class:`~oncoboard.store.Store`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from oncoboard.errors import StoreError
from oncoboard.store._records import SourceFormat, StoredCase, document_sha256
from oncoboard.store._schema import CaseVersionRow, PatientRow

__all__ = [
    "checked_document",
    "latest_version_query",
    "lock_patient",
    "not_found_message",
    "stored_case",
    "summaries_query",
    "versions_query",
]


def summaries_query() -> Select[PatientRow, CaseVersionRow, int]:
    """Select each patient with its latest version and version count, by patient id."""
    counts = (
        select(
            CaseVersionRow.patient_id,
            func.max(CaseVersionRow.version).label("latest"),
            func.count().label("n"),
        )
        .group_by(CaseVersionRow.patient_id)
        .subquery()
    )
    return (
        select(PatientRow, CaseVersionRow, counts.c.n)
        .join(counts, counts.c.patient_id == PatientRow.id)
        .join(
            CaseVersionRow,
            (CaseVersionRow.patient_id == PatientRow.id)
            & (CaseVersionRow.version == counts.c.latest),
        )
        .order_by(PatientRow.id)
    )


def latest_version_query(patient_id: str) -> Select[int, str]:
    """Select ``(version, sha256)`` of the patient's latest version."""
    return (
        select(CaseVersionRow.version, CaseVersionRow.sha256)
        .where(CaseVersionRow.patient_id == patient_id)
        .order_by(CaseVersionRow.version.desc())
        .limit(1)
    )


def versions_query(patient_id: str) -> Select[int, str, str, str, datetime]:
    """Select the metadata of each of the patient's versions, oldest first."""
    return (
        select(
            CaseVersionRow.version,
            CaseVersionRow.sha256,
            CaseVersionRow.source_name,
            CaseVersionRow.source_format,
            CaseVersionRow.imported_at,
        )
        .where(CaseVersionRow.patient_id == patient_id)
        .order_by(CaseVersionRow.version)
    )


def lock_patient(session: Session, patient_id: str, now: datetime) -> PatientRow:
    """Insert the patient row if missing, then lock it for the rest of the transaction."""
    values = {"id": patient_id, "created_at": now, "updated_at": now}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(PatientRow).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(PatientRow).values(values).on_conflict_do_nothing())
    locked = select(PatientRow).where(PatientRow.id == patient_id).with_for_update()
    return session.execute(locked).scalar_one()


def checked_document(row: CaseVersionRow) -> dict[str, Any]:
    """Return the row's document after checking it still matches its stored hash."""
    if document_sha256(row.document) != row.sha256:
        raise StoreError(
            f"stored case of patient {row.patient_id!r} version {row.version} does not match "
            "its sha256; the database was changed outside Oncoboard"
        )
    return row.document


def stored_case(row: CaseVersionRow) -> StoredCase:
    """Convert a version row to a :class:`StoredCase`, checking its document's hash."""
    return StoredCase(
        patient_id=row.patient_id,
        version=row.version,
        document=checked_document(row),
        sha256=row.sha256,
        source_name=row.source_name,
        source_format=cast(SourceFormat, row.source_format),
        source_text=row.source_text,
        imported_at=row.imported_at,
    )


def not_found_message(session: Session, patient_id: str, version: int | None) -> str:
    """Say which patient or version is missing, and which versions exist."""
    bounds = session.execute(
        select(func.min(CaseVersionRow.version), func.max(CaseVersionRow.version)).where(
            CaseVersionRow.patient_id == patient_id
        )
    ).one()
    lowest: int | None = bounds[0]
    highest: int | None = bounds[1]
    if highest is None:
        return f"no stored case for patient {patient_id!r}"
    return f"patient {patient_id!r} has versions {lowest}..{highest}, not {version!r}"
