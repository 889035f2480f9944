"""Parked pathways: a pathway the `outcomes` projection cannot derive is set aside, with the
event from which it fails and the error, while every other pathway flows on
(docs/adr/0015-parked-pathways.md). The table lives in the projection's schema, so a rebuild
fills a fresh one and swaps it in with the rest. Nothing is derived again. A projection stopped
on an event it could not read before this revision runs again: the pathway of that event is
parked on the next catch-up instead.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-22
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE outcomes.parked (
            pathway_id uuid PRIMARY KEY,
            structure_id uuid,
            position bigint NOT NULL,
            event_id uuid NOT NULL,
            type text NOT NULL,
            occurred_on date NOT NULL,
            error text NOT NULL
        );
        CREATE INDEX parked_position ON outcomes.parked (position);
        CREATE INDEX parked_structure ON outcomes.parked (structure_id);
        UPDATE projection_checkpoints SET status = 'running', last_error = NULL,
               updated_at = now() WHERE name = 'outcomes' AND status = 'failed';
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.parked")
