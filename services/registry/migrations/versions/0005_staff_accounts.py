"""Staff accounts (an e-mail signing in to the dashboard → a scope), and the tokens minted for
them: bound to the account, and expiring at an instant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("structure_id", UUID(as_uuid=True), sa.ForeignKey("structures.id")),
        sa.Column("group_id", UUID(as_uuid=True), sa.ForeignKey("groups.id")),
        sa.Column("department", sa.String(3)),
        sa.Column("region", sa.String(2)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_staff_accounts_email", "staff_accounts", ["email"])
    op.add_column(
        "tokens", sa.Column("staff_id", UUID(as_uuid=True), sa.ForeignKey("staff_accounts.id"))
    )
    op.add_column("tokens", sa.Column("expires_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("tokens", "expires_at")
    op.drop_column("tokens", "staff_id")
    op.drop_index("ix_staff_accounts_email", table_name="staff_accounts")
    op.drop_table("staff_accounts")
