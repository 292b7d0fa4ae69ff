"""The audit trail is append-only in the database itself: updates and deletes are refused.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The store never changes or removes an audit event; these triggers make the database refuse it
for every client (a SQL console, another tool), so the trail of who read or changed which
patient cannot be edited after the fact without first dropping the triggers (a schema change
that needs the owner's rights). SQLite: ``BEFORE UPDATE`` / ``BEFORE DELETE`` triggers that
abort. PostgreSQL: one PL/pgSQL trigger function for ``UPDATE``, ``DELETE`` and ``TRUNCATE``.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_events is append-only"

_SQLITE_UP = [
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
]
_POSTGRES_UP = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    """CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]


def _run(sqlite: list[str], postgres: list[str]) -> None:
    # The store accepts SQLite and PostgreSQL URLs only (oncoboard.store._settings).
    for statement in sqlite if op.get_bind().dialect.name == "sqlite" else postgres:
        op.execute(statement)


def upgrade() -> None:
    """Create the triggers that refuse changes to ``audit_events``."""
    _run(_SQLITE_UP, _POSTGRES_UP)


def downgrade() -> None:
    """Drop them."""
    _run(_SQLITE_DOWN, _POSTGRES_DOWN)
