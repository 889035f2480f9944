"""The PASS number and free texts out of reporting: the outcomes projection derived again.

Since revision 0003 of the pathways service, the PASS IAE number, training titles and void
reasons are sealed beside the person's identity and the feed no longer carries them
(docs/domain.md §10, docs/adr/0010-personal-data-out-of-the-log.md). Reporting's copies made
before — the events it keeps to fold a pathway again, the folded states, the `pass_ending`
messages that named the number — still hold them, so the outcomes projection is emptied and its
checkpoint set back to the start of the log: the worker derives it again from the feed as it is
now (docs/adr/0006-projections.md, "Migrations of derived tables").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The outcomes projection's tables at this revision.
RESET = """
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.states,
         outcomes.transfers,
         outcomes.tally, outcomes.tally_people, outcomes.tally_criteria,
         outcomes.tally_kind_department, outcomes.tally_kind_people, outcomes.tally_kind_criteria,
         outcomes.tally_structures;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    op.execute(RESET)


def downgrade() -> None:
    pass  # nothing to restore: the values must not come back
