"""GES groups with dated memberships, the reference-data change outbox and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    _memberships()
    op.create_foreign_key("fk_tokens_group", "tokens", "groups", ["group_id"], ["id"])
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    _audit_log()


def _memberships() -> None:
    op.create_table(
        "memberships",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column(
            "structure_id", UUID(as_uuid=True), sa.ForeignKey("structures.id"), nullable=False
        ),
        sa.Column("joined_on", sa.Date, nullable=False),
        sa.Column("left_on", sa.Date),
        sa.CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="ck_memberships_dates"),
    )
    op.create_index(
        "ix_memberships_group", "memberships", ["group_id", "structure_id", "joined_on"]
    )
    op.create_index("ix_memberships_structure", "memberships", ["structure_id"])
    op.create_index(
        "uq_memberships_open",
        "memberships",
        ["group_id", "structure_id"],
        unique=True,
        postgresql_where=sa.text("left_on IS NULL"),
    )


def _audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor_token_id", sa.String(64)),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", UUID(as_uuid=True), nullable=False),
        sa.Column("changes", JSONB, nullable=False),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("changes")
    op.drop_constraint("fk_tokens_group", "tokens", type_="foreignkey")
    op.drop_table("memberships")
    op.drop_table("groups")
