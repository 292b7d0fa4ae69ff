"""Users and API tokens of the web service; the audit trail names the user concerned.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Self-contained on purpose (plain SQLAlchemy types, explicit constraint names), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``users`` and ``api_tokens``; add ``audit_events.subject``."""
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('clinician', 'analyst', 'admin')", name="ck_users_role"),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name="fk_api_tokens_username_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
    )
    op.create_index("ix_api_tokens_sha256", "api_tokens", ["sha256"], unique=True)
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("subject", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop the users, their tokens and the audit subject column."""
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("subject")
    op.drop_index("ix_api_tokens_sha256", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
