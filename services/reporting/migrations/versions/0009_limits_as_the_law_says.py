"""Two legal limits as the law says them: alerts derived again from the log.

The rules changed (docs/domain.md §5): an AI's mises à disposition with companies count 480
hours over 24 months for all companies together, from the first MAD with a company (L5132-9 2°,
R5132-18 2°, D5132-18-1), no longer per company; an ETTI's 24 months bind each mission contract
with its renewals (L5132-6), no longer the sum of the pathway's missions. The alert rows already
stored were decided by the former rules and would stay so until their pathway's next event, so
the outcomes projection is emptied and its checkpoint set back to the start of the log: the
worker derives it again with the rules of the day (docs/adr/0006-projections.md, "Migrations of
derived tables").

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op

revision = "0009"
down_revision = "0008"
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
    op.execute(RESET)  # the former rules' alerts are derived again by the former code
