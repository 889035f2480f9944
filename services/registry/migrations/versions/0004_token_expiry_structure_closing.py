"""Tokens may expire (`expires_on`); structures may be closed (`closed_on`), which revokes their
tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tokens", sa.Column("expires_on", sa.Date))
    op.add_column("structures", sa.Column("closed_on", sa.Date))


def downgrade() -> None:
    op.drop_column("structures", "closed_on")
    op.drop_column("tokens", "expires_on")
