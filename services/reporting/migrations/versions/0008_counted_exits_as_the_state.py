"""Counted exits as the State computes them: derived again from the log.

The rule changed (docs/domain.md §8): months run from the first hire, in months of 365/12 days,
with some hours declared; 150 hours are enough in AI/ETTI; every exit counts in EITI. What the
rows and tallies hold was decided by the former rule, so the outcomes projection is emptied and
its checkpoint set back to the start of the log: the worker derives it again with the rule of
the day (docs/adr/0006-projections.md, "Migrations of derived tables").

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The outcomes projection's tables at this revision.
RESET = """
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.states,
         outcomes.tally, outcomes.tally_people, outcomes.tally_criteria,
         outcomes.tally_kind_department, outcomes.tally_kind_people, outcomes.tally_kind_criteria,
         outcomes.tally_structures;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    op.execute(RESET)


def downgrade() -> None:
    op.execute(RESET)  # the former rule's figures are derived again by the former code
