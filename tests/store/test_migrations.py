"""The shipped Alembic migrations create exactly the ORM schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from oncoboard.errors import StoreError
from oncoboard.store import Store
from oncoboard.store._engine import make_engine
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
