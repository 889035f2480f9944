"""Monthly tallies by measure: the outcome report by measure and by annexe from aggregates.

`outcomes.tally_measures` holds the same metrics as `outcomes.tally`, per structure, month and
the pathway's measure as it names it at opening (`''`: its kind's default, resolved when a
report reads the cell, as in `measure_hours`). Which annexe holds a month stays reference data
(`reference_data.annex_months`), joined when a report reads the tallies, so that annexes can
change without deriving anything again (docs/adr/0012-etp-attribution.md). The table's columns
are those of `outcomes.tally` at this revision plus the measure; its contents must be derived,
so the projection is emptied and its checkpoint set back to the start of the log
(docs/adr/0006-projections.md, "Migrations of derived tables").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-21
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE outcomes.tally_measures (LIKE outcomes.tally INCLUDING DEFAULTS);
ALTER TABLE outcomes.tally_measures ADD COLUMN measure text NOT NULL;
ALTER TABLE outcomes.tally_measures ADD PRIMARY KEY (structure_id, month, measure);
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.states,
         outcomes.transfers, outcomes.measure_hours,
         outcomes.tally, outcomes.tally_people, outcomes.tally_criteria, outcomes.tally_measures,
         outcomes.tally_kind_department, outcomes.tally_kind_people, outcomes.tally_kind_criteria,
         outcomes.tally_structures;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.tally_measures")
