"""Initial schema: patients, case_versions, audit_events.

Revision ID: 0001
Revises:
Create Date: 2025-11-28

Self-contained on purpose (plain SQLAlchemy types, explicit constraint names): a migration
must keep creating the same schema when the ORM module changes later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables of the store."""
    op.create_table(
        "patients",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
    )
    op.create_table(
        "case_versions",
        sa.Column("patient_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source_format IN ('yaml', 'json')", name="ck_case_versions_source_format"
        ),
        sa.CheckConstraint("version >= 1", name="ck_case_versions_version_positive"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_case_versions_patient_id_patients"
        ),
        sa.PrimaryKeyConstraint("patient_id", "version", name="pk_case_versions"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.String(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_patient_id", "audit_events", ["patient_id"], unique=False)


def downgrade() -> None:
    """Drop the three tables (and every stored case with them)."""
    op.drop_index("ix_audit_events_patient_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("case_versions")
    op.drop_table("patients")
