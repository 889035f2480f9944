"""Each pathway's folded state, so that a batch applies only its new events.

A pathway without a stored state (every pathway projected before this revision) is folded
again from reporting's copy of its stream the next time an event touches it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE outcomes.states (pathway_id uuid PRIMARY KEY, state text NOT NULL)")


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.states")
