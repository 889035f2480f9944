"""The copied log keeps each event's schema version, as the feed returns it.

Events are copied as they were written and upcast when folded (shared/domain/events.py), so the
copy needs the version the data was written in. Rows copied before this revision were all
written at version 1, the column's default.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE outcomes.events"
        " ADD COLUMN IF NOT EXISTS schema_version smallint NOT NULL DEFAULT 1"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE outcomes.events DROP COLUMN schema_version")
