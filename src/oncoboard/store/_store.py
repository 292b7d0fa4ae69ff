"""The case store: versioned case documents with an audit trail, in SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self, cast, get_args

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from oncoboard.errors import CaseNotFoundError, StoreError
from oncoboard.store._engine import (
    describe_error,
    make_engine,
    prepare_sqlite_file,
    upgrade_to_head,
)
from oncoboard.store._queries import (
    checked_document,
    latest_version_query,
    lock_patient,
    not_found_message,
    stored_case,
    summaries_query,
    versions_query,
)
from oncoboard.store._records import (
    AuditEvent,
    ImportOutcome,
    ImportResult,
    PatientSummary,
    SourceFormat,
    StoredCase,
    VersionInfo,
    document_sha256,
)
from oncoboard.store._schema import AuditEventRow, CaseVersionRow
from oncoboard.store._settings import (
    current_actor,
    database_url,
    mask_url,
    normalize_url,
)

__all__ = ["ReadAction", "Store"]

ReadAction = Literal["show", "export"]
"""How a case is being read, as recorded in the audit trail."""


class Store:
    """Versioned case documents with an audit trail; open it with :meth:`Store.open`.

    The store is model-agnostic: it keeps already-validated case documents as JSON, exactly
    as imported, next to the original file text. Every operation is one transaction, and
    its audit event is written in that same transaction. Patient data is never logged.

    Examples
    --------
    >>> with Store.open("sqlite:///cases.sqlite3") as store:  # doctest: +SKIP
    ...     result = store.import_document(
    ...         "P-001", document, source_name="p001.yaml", source_format="yaml", source_text=text
    ...     )
    """

    def __init__(self, engine: Engine, *, actor: str) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._actor = actor
        self._closed = False

    @classmethod
    def open(cls, url: str | None = None, *, actor: str | None = None) -> Store:
        """Open the store at ``url``, creating or migrating its schema to the newest version.

        Parameters
        ----------
        url
            ``sqlite:///PATH`` or ``postgresql://...``; default :func:`database_url`. The
            directory of an SQLite file is created (mode 0700) when missing.
        actor
            Name recorded in audit events; default :func:`current_actor`.

        Raises
        ------
        StoreConfigError
            If the URL is unsupported or the SQLite directory cannot be created.
        StoreError
            If the database cannot be reached or migrated.
        """
        url = database_url() if url is None else normalize_url(url)
        prepare_sqlite_file(url)
        engine = make_engine(url)
        try:
            upgrade_to_head(engine)
        except BaseException as exc:
            engine.dispose()
            if isinstance(exc, SQLAlchemyError):
                message = f"cannot open database {mask_url(url)!r}: {describe_error(exc)}"
                raise StoreError(message) from exc
            raise
        return cls(engine, actor=current_actor() if actor is None else actor)

    @property
    def actor(self) -> str:
        """Who is recorded in the audit events of this store."""
        return self._actor

    @property
    def url(self) -> str:
        """The database URL, password masked (safe to show)."""
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Release all database connections; the store cannot be used afterwards."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def import_document(
        self,
        patient_id: str,
        document: dict[str, Any],
        *,
        source_name: str,
        source_format: SourceFormat,
        source_text: str,
    ) -> ImportResult:
        """Store ``document`` as the patient's next version unless it equals the latest one.

        One transaction: the version (if any) and its audit event are both stored or neither.
        Concurrent imports of the same patient are serialised (row lock on PostgreSQL, write
        lock on SQLite), so versions stay contiguous.

        Parameters
        ----------
        patient_id
            The case's patient id.
        document
            The validated case document, JSON-compatible (dates as ISO strings).
        source_name, source_format, source_text
            File name as given, ``"yaml"`` or ``"json"``, and the file's exact text.

        Returns
        -------
        ImportResult
            Outcome ``"created"`` (version 1), ``"new_version"`` or ``"unchanged"`` (same
            canonical JSON as the latest version; only the audit event is added).

        Raises
        ------
        ValueError
            If ``source_format`` is not ``"yaml"`` or ``"json"``, or a string holds a NUL
            character (which PostgreSQL cannot store; valid YAML and JSON text never does).
        StoreError
            If the document is not JSON-compatible or the database fails.
        """
        if source_format not in get_args(SourceFormat):
            raise ValueError(f"source_format must be 'yaml' or 'json', but was {source_format!r}")
        texts = {"patient_id": patient_id, "source_name": source_name, "source_text": source_text}
        if nul := [name for name, value in texts.items() if "\x00" in value]:
            raise ValueError(f"{nul[0]} must not contain NUL characters")
        try:
            sha256 = document_sha256(document)
        except (TypeError, ValueError) as exc:
            message = f"case of patient {patient_id!r} is not JSON-compatible: {exc}"
            raise StoreError(message) from exc
        now = datetime.now(UTC)
        with self._transaction("importing a case") as session:
            patient = lock_patient(session, patient_id, now)
            latest = session.execute(latest_version_query(patient_id)).first()
            if latest is not None and latest.sha256 == sha256:
                result = ImportResult(patient_id, latest.version, "unchanged", sha256)
            else:
                version = 1 if latest is None else latest.version + 1
                session.add(
                    CaseVersionRow(
                        patient_id=patient_id,
                        version=version,
                        document=document,
                        sha256=sha256,
                        source_name=source_name,
                        source_format=source_format,
                        source_text=source_text,
                        imported_at=now,
                    )
                )
                patient.updated_at = now
                outcome: ImportOutcome = "created" if version == 1 else "new_version"
                result = ImportResult(patient_id, version, outcome, sha256)
            self._audit(session, "import", patient_id, result.version, result.outcome, now)
        return result

    def list_patients(self) -> list[PatientSummary]:
        """Return every patient with its latest document, ordered by patient id (audited)."""
        query = summaries_query()
        with self._transaction("listing cases") as session:
            summaries = [
                PatientSummary(
                    patient_id=patient.id,
                    latest_version=latest.version,
                    n_versions=n,
                    created_at=patient.created_at,
                    updated_at=patient.updated_at,
                    document=checked_document(latest),
                )
                for patient, latest, n in session.execute(query)
            ]
            self._audit(session, "list", None, None, "ok")
        return summaries

    def get(
        self, patient_id: str, version: int | None = None, *, action: ReadAction = "show"
    ) -> StoredCase:
        """Return one version of a patient's case (default the latest), audited as ``action``.

        Raises
        ------
        CaseNotFoundError
            If the patient or the version is not stored (the failed look-up is audited too).
        """
        query = select(CaseVersionRow).where(CaseVersionRow.patient_id == patient_id)
        if version is None:
            query = query.order_by(CaseVersionRow.version.desc()).limit(1)
        else:
            query = query.where(CaseVersionRow.version == version)
        with self._transaction("reading a case") as session:
            row = session.execute(query).scalar_one_or_none()
            if row is not None:
                case = stored_case(row)
                self._audit(session, action, patient_id, row.version, "ok")
                return case
            message = not_found_message(session, patient_id, version)
            self._audit(session, action, patient_id, version, "not_found")
        # Raised after the transaction has committed, so the failed look-up stays audited.
        raise CaseNotFoundError(message)

    def versions(self, patient_id: str) -> list[VersionInfo]:
        """Return the metadata of every version of a patient's case, oldest first (audited).

        Raises
        ------
        CaseNotFoundError
            If no case of the patient is stored.
        """
        with self._transaction("listing versions") as session:
            infos = [
                VersionInfo(v, sha, name, cast(SourceFormat, fmt), at)
                for v, sha, name, fmt, at in session.execute(versions_query(patient_id))
            ]
            self._audit(session, "list", patient_id, None, "ok" if infos else "not_found")
        if not infos:
            raise CaseNotFoundError(f"no stored case for patient {patient_id!r}")
        return infos

    def audit_events(self, limit: int = 100) -> list[AuditEvent]:
        """Return the newest ``limit`` audit events, newest first (not itself audited)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, but was {limit!r}")
        query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
        with self._transaction("reading the audit trail") as session:
            return [
                AuditEvent(e.id, e.at, e.actor, e.action, e.patient_id, e.version, e.outcome)
                for e in session.execute(query).scalars()
            ]

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[Session]:
        if self._closed:
            raise StoreError(f"the store is closed (while {doing})")
        try:
            with self._sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"database error while {doing}: {describe_error(exc)}") from exc

    def _audit(
        self,
        session: Session,
        action: str,
        patient_id: str | None,
        version: int | None,
        outcome: str,
        at: datetime | None = None,
    ) -> None:
        session.add(
            AuditEventRow(
                at=at or datetime.now(UTC),
                actor=self._actor,
                action=action,
                patient_id=patient_id,
                version=version,
                outcome=outcome,
            )
        )
