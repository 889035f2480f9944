"""Annexes financières with their avenants, and the territory of territory-scoped tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tokens", sa.Column("department", sa.String(3)))
    op.add_column("tokens", sa.Column("region", sa.String(2)))
    op.create_table(
        "annexes",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "structure_id", UUID(as_uuid=True), sa.ForeignKey("structures.id"), nullable=False
        ),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("measure", sa.String(10), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("etp_conventioned", sa.Float, nullable=False),
        sa.Column("reference_hours", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.UniqueConstraint("number", name="uq_annexes_number"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_annexes_dates"),
        sa.CheckConstraint("etp_conventioned > 0", name="ck_annexes_etp"),
        sa.CheckConstraint("reference_hours > 0", name="ck_annexes_reference_hours"),
    )
    op.create_index("ix_annexes_structure", "annexes", ["structure_id", "measure"])
    op.create_table(
        "amendments",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("annex_id", UUID(as_uuid=True), sa.ForeignKey("annexes.id"), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("etp_conventioned", sa.Float, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.clock_timestamp()
        ),
        sa.UniqueConstraint("annex_id", "number", name="uq_amendments_number"),
        sa.CheckConstraint("etp_conventioned > 0", name="ck_amendments_etp"),
    )


def downgrade() -> None:
    op.drop_table("amendments")
    op.drop_index("ix_annexes_structure", table_name="annexes")
    op.drop_table("annexes")
    op.drop_column("tokens", "region")
    op.drop_column("tokens", "department")
