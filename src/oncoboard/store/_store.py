"""The case store: versioned case documents with an audit trail, in SQLite or PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self, cast, get_args

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from oncoboard.errors import CaseNotFoundError, StoreError
from oncoboard.store import _users
from oncoboard.store._engine import (
    READ_ONLY,
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
    document_sha256,
)
from oncoboard.store._schema import ApiTokenRow, AuditEventRow, CaseVersionRow, UserRow
from oncoboard.store._settings import (
    current_actor,
    database_url,
    mask_url,
    normalize_url,
)

__all__ = ["ReadAction", "Store"]

ReadAction = Literal["show", "export", "plan", "monitor", "findings", "report", "versions"]
"""How a case is being read, as recorded in the audit trail."""

# Statements of the hot read path, built once (composing one costs more than running it).
_VERSIONS = CaseVersionRow.__table__
_HEAD = select(_VERSIONS.c.version, _VERSIONS.c.sha256).where(
    _VERSIONS.c.patient_id == bindparam("patient_id")
)
_LATEST_HEAD = _HEAD.order_by(_VERSIONS.c.version.desc()).limit(1)
_VERSION_HEAD = _HEAD.where(_VERSIONS.c.version == bindparam("version"))
_DOCUMENT = select(_VERSIONS.c.document).where(
    _VERSIONS.c.patient_id == bindparam("patient_id"),
    _VERSIONS.c.version == bindparam("version"),
)
_AUDIT_INSERT = insert(AuditEventRow)


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
        self._owner = True
        # SQLite has one writer at a time: threads of this process queue on a lock instead
        # of SQLite's busy handler, which sleeps up to 100 ms between its retries.
        self._write_lock: threading.Lock | None = (
            threading.Lock() if engine.dialect.name == "sqlite" else None
        )

    def as_actor(self, actor: str) -> Store:
        """The same store (same engine and connections) recording ``actor`` in the audit trail.

        The returned store is a view: closing it does not close this store.
        """
        view = Store.__new__(Store)
        view._engine = self._engine
        view._sessions = self._sessions
        view._actor = actor
        view._closed = self._closed
        view._owner = False
        view._write_lock = self._write_lock
        return view

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
        """Release all database connections; the store cannot be used afterwards.

        Closing a view made by :meth:`as_actor` only closes the view.
        """
        self._closed = True
        if self._owner:
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

    def read_version(
        self,
        patient_id: str,
        version: int | None = None,
        *,
        action: ReadAction,
        have: Callable[[str], bool] = lambda sha256: False,
    ) -> VersionRead:
        """Read a version's hash, and its document unless ``have(sha256)`` (audited).

        The fast path of the web service, which caches derivations by document hash: one
        transaction reads the version and hash by primary key, the document only when the
        caller does not hold it already (checked against its hash), and writes the audit
        event.

        Raises
        ------
        CaseNotFoundError
            If the patient or the version is not stored (the failed look-up is audited too).
        """
        params: dict[str, str | int] = {"patient_id": patient_id}
        if version is None:
            query = _LATEST_HEAD
        else:
            query, params["version"] = _VERSION_HEAD, version
        with self._connection("reading a case") as connection:
            found = connection.execute(query, params).first()
            if found is not None:
                number, sha256 = found
                document = None
                if not have(sha256):
                    row = connection.execute(
                        _DOCUMENT, {"patient_id": patient_id, "version": number}
                    ).scalar_one()
                    if document_sha256(row) != sha256:
                        raise StoreError(
                            f"stored case of patient {patient_id!r} version {number} does not "
                            "match its sha256; the database was changed outside Oncoboard"
                        )
                    document = row
                self._audit_core(connection, action, patient_id, number, "ok")
                return VersionRead(patient_id, number, sha256, document)
            session = Session(bind=connection)
            message = not_found_message(session, patient_id, version)
            self._audit_core(connection, action, patient_id, version, "not_found")
        raise CaseNotFoundError(message)

    def versions(
        self, patient_id: str, *, action: Literal["list", "versions"] = "list"
    ) -> list[VersionInfo]:
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
            self._audit(session, action, patient_id, None, "ok" if infos else "not_found")
        if not infos:
            raise CaseNotFoundError(f"no stored case for patient {patient_id!r}")
        return infos

    # -- users and API tokens of the web service ------------------------------------------

    def create_user(self, username: str, role: str, password_hash: str) -> UserInfo:
        """Add a user (audited ``user_add``); ``password_hash`` is an argon2id hash.

        Raises
        ------
        ValueError
            If the role or the username is invalid.
        StoreError
            If the username is taken or the database fails.
        """
        now = datetime.now(UTC)
        with self._transaction("adding a user") as session:
            user = _users.add_user(session, username, role, password_hash, now)
            self._audit(session, "user_add", None, None, "ok", now, subject=username)
        return user

    def get_user(self, username: str) -> UserInfo | None:
        """Look a user up by name (one primary-key read; not audited)."""
        with self._reading("reading a user") as connection:
            return _users.find_user(connection, username)

    def list_users(self) -> list[UserInfo]:
        """Every user, by name (not audited)."""
        with self._reading("listing users") as connection:
            rows = connection.execute(select(UserRow.__table__).order_by(UserRow.username))
            return [UserInfo(r[0], r[1], r[3], r[4], r[2]) for r in rows]

    def set_disabled(self, username: str, disabled: bool = True) -> UserInfo | None:
        """Disable (or enable again) a user (audited); ``None`` if there is no such user."""
        action = "user_disable" if disabled else "user_enable"
        with self._transaction("disabling a user") as session:
            row = session.get(UserRow, username)
            if row is not None:
                row.disabled = disabled
            self._audit(session, action, None, None, "ok" if row else "not_found", subject=username)
            return None if row is None else _users.user_info(row)

    def record_login(self, username: str, ok: bool) -> None:
        """Audit a login attempt (``login``, outcome ``ok`` or ``denied``)."""
        with self._transaction("auditing a login") as session:
            self._audit(session, "login", None, None, "ok" if ok else "denied", subject=username)

    def record_denied(self, patient_id: str | None, route: str) -> None:
        """Audit a request refused for the actor's role (``access``, outcome ``denied``), with
        the patient it named, if any, and the route template in ``subject``."""
        with self._transaction("auditing a refused request") as session:
            self._audit(session, "access", patient_id, None, "denied", subject=route[:200])

    def create_api_token(
        self, username: str, *, label: str = "", expires_at: datetime | None = None
    ) -> tuple[ApiTokenInfo, str]:
        """Issue an API token (audited ``token_issue``); only its SHA-256 is stored.

        Returns
        -------
        tuple[ApiTokenInfo, str]
            The token's metadata and the token itself (``obk_...``), which cannot be shown
            again.
        """
        now = datetime.now(UTC)
        with self._transaction("issuing a token") as session:
            info, token = _users.add_token(session, username, label, expires_at, now)
            self._audit(session, "token_issue", None, info.id, "ok", now, subject=username)
        return info, token

    def resolve_api_token(self, token: str) -> UserInfo | None:
        """The user of a known, unrevoked, unexpired API token (one indexed read)."""
        with self._reading("checking a token") as connection:
            return _users.find_token_user(connection, token, datetime.now(UTC))

    def list_api_tokens(self, username: str | None = None) -> list[ApiTokenInfo]:
        """The tokens (of one user, or everyone's), oldest first, without the tokens."""
        query = select(ApiTokenRow).order_by(ApiTokenRow.id)
        if username is not None:
            query = query.where(ApiTokenRow.username == username)
        with self._transaction("listing tokens") as session:
            return [_users.token_info(row) for row in session.execute(query).scalars()]

    def revoke_api_token(self, token_id: int) -> ApiTokenInfo | None:
        """Revoke a token (audited ``token_revoke``); ``None`` if there is no such token."""
        now = datetime.now(UTC)
        with self._transaction("revoking a token") as session:
            info = _users.revoke(session, token_id, now)
            subject = info.username if info else None
            outcome = "ok" if info else "not_found"
            self._audit(session, "token_revoke", None, token_id, outcome, now, subject=subject)
        return info

    def audit_events(self, limit: int = 100) -> list[AuditEvent]:
        """Return the newest ``limit`` audit events, newest first (not itself audited)."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, but was {limit!r}")
        query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
        with self._transaction("reading the audit trail") as session:
            return [
                AuditEvent(
                    e.id, e.at, e.actor, e.action, e.patient_id, e.version, e.outcome, e.subject
                )
                for e in session.execute(query).scalars()
            ]

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[Session]:
        if self._closed:
            raise StoreError(f"the store is closed (while {doing})")
        try:
            if self._write_lock is None:
                with self._sessions.begin() as session:
                    yield session
            else:
                with self._write_lock, self._sessions.begin() as session:
                    yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"database error while {doing}: {describe_error(exc)}") from exc

    @contextmanager
    def _connection(self, doing: str) -> Iterator[Connection]:
        """A writing transaction on a plain connection (no ORM session: less overhead)."""
        if self._closed:
            raise StoreError(f"the store is closed (while {doing})")
        try:
            if self._write_lock is None:
                with self._engine.begin() as connection:
                    yield connection
            else:
                with self._write_lock, self._engine.begin() as connection:
                    yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"database error while {doing}: {describe_error(exc)}") from exc

    def _audit_core(
        self,
        connection: Connection,
        action: str,
        patient_id: str | None,
        version: int | None,
        outcome: str,
    ) -> None:
        connection.execute(
            _AUDIT_INSERT,
            {
                "at": datetime.now(UTC),
                "actor": self._actor,
                "action": action,
                "patient_id": patient_id,
                "version": version,
                "outcome": outcome,
                "subject": None,
            },
        )

    @contextmanager
    def _reading(self, doing: str) -> Iterator[Connection]:
        """A transaction that only reads (no write lock on SQLite, nothing audited)."""
        if self._closed:
            raise StoreError(f"the store is closed (while {doing})")
        try:
            with self._engine.connect() as connection:
                connection.execution_options(**{READ_ONLY: True})
                with connection.begin():
                    yield connection
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
        subject: str | None = None,
    ) -> None:
        session.add(
            AuditEventRow(
                at=at or datetime.now(UTC),
                actor=self._actor,
                action=action,
                patient_id=patient_id,
                version=version,
                outcome=outcome,
                subject=subject,
            )
        )
