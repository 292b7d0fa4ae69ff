"""The shipped Alembic migrations create exactly the ORM schema."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from oncoboard.errors import StoreError
from oncoboard.store import Store
from oncoboard.store._engine import READ_ONLY, make_engine
from oncoboard.store._schema import Base, CaseVersionRow


def test_migrated_schema_equals_orm_metadata(db_url: str) -> None:
    Store.open(db_url).close()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == "0003"
            assert set(inspect(connection).get_table_names()) == {
                "alembic_version",
                "api_tokens",
                "audit_events",
                "case_versions",
                "patients",
                "users",
            }
    finally:
        engine.dispose()


def test_reopening_keeps_the_data(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.import_document("P-1", {}, source_name="a", source_format="json", source_text="{}")
    with Store.open(db_url) as store:
        assert [p.patient_id for p in store.list_patients()] == ["P-1"]


def test_foreign_keys_are_enforced(store: Store, db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                insert(CaseVersionRow).values(
                    patient_id="nobody",
                    version=1,
                    document={},
                    sha256="0" * 64,
                    source_name="a",
                    source_format="json",
                    source_text="{}",
                    imported_at=text("CURRENT_TIMESTAMP"),
                )
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET outcome = 'ok' WHERE outcome = 'not_found'",
    ],
)
def test_the_database_refuses_to_change_the_audit_trail(db_url: str, statement: str) -> None:
    with Store.open(db_url) as store:
        store.import_document("P-1", {}, source_name="a", source_format="json", source_text="{}")
        with pytest.raises(StoreError):
            store.get("P-404")  # audited as not_found
        before = store.audit_events()
    engine = make_engine(db_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text("TRUNCATE audit_events"))
    finally:
        engine.dispose()
    with Store.open(db_url) as store:
        assert store.audit_events()[: len(before)] == before


def test_a_new_sqlite_store_opens_while_another_connection_reads_it(tmp_path: Path) -> None:
    """Switching a file to the write-ahead log needs it to itself, and SQLite refuses at once
    (no busy wait) while another connection holds the write lock: two processes opening a
    new store together failed with "database is locked". The switch now waits for the lock,
    and a file already in the write-ahead log is not switched again."""
    path = tmp_path / "store.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE other_writer (x)")
    other.execute("BEGIN IMMEDIATE")  # holds the write lock (rollback journal)
    other.execute("INSERT INTO other_writer VALUES (1)")
    opened: list[Store] = []
    failed: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(Store.open(f"sqlite:///{path}"))
        except BaseException as exc:  # reported below
            failed.append(exc)

    thread = threading.Thread(target=open_store)
    thread.start()
    time.sleep(0.3)  # Store.open is waiting for the lock
    assert not failed and not opened
    other.execute("COMMIT")
    other.close()
    thread.join(timeout=30)
    assert failed == [] and len(opened) == 1
    with opened[0] as store:
        assert store.list_patients() == []
    check = sqlite3.connect(path, isolation_level=None)
    assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    check.execute("BEGIN IMMEDIATE")  # a writer in the write-ahead log holds up no reader,
    engine = make_engine(f"sqlite:///{path}")  # nor a new connection
    started = time.monotonic()
    with engine.connect().execution_options(**{READ_ONLY: True}) as reader:
        assert reader.execute(text("SELECT count(*) FROM patients")).scalar() == 0
    assert time.monotonic() - started < 5
    engine.dispose()
    check.execute("ROLLBACK")
    check.close()
