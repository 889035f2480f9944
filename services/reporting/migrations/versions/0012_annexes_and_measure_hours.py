"""Annexes financières in the reference data, the pathway's measure, hours by measure and month.

Reference data gains the registry's annexes with their avenants, and `annex_months`: which
annexe each month of a structure and measure belongs to, with the ETP it funds that month and
its reference hours (docs/adr/0012-etp-attribution.md). The reference copy is read again from
the start of the registry's changes (annexes were not asked for before; upserts are idempotent).

The outcomes projection gains the measure of each pathway and `measure_hours`, the hours
declared per structure, measure and month (`''`: the kind's default measure), which the ETP
report reads. Their contents must be derived, so the projection is emptied and its checkpoint
set back to the start of the log (docs/adr/0006-projections.md, "Migrations of derived tables").

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-14
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REFERENCE = """
CREATE TABLE reference_data.annexes (
    id uuid PRIMARY KEY,
    structure_id uuid NOT NULL,
    number text NOT NULL,
    measure text NOT NULL,
    state text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    etp_conventioned numeric NOT NULL,
    reference_hours numeric NOT NULL
);
CREATE INDEX ON reference_data.annexes (structure_id);
CREATE TABLE reference_data.amendments (
    annex_id uuid NOT NULL,
    seq integer NOT NULL,
    number text NOT NULL,
    effective_on date NOT NULL,
    etp_conventioned numeric NOT NULL,
    PRIMARY KEY (annex_id, seq)
);
CREATE TABLE reference_data.annex_months (
    structure_id uuid NOT NULL,
    measure text NOT NULL,
    month date NOT NULL,
    annex_id uuid NOT NULL,
    etp_conventioned numeric NOT NULL,
    reference_hours numeric NOT NULL,
    PRIMARY KEY (structure_id, measure, month)
);
CREATE INDEX ON reference_data.annex_months (month);
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'reference';
"""
OUTCOMES = """
ALTER TABLE outcomes.pathways ADD COLUMN measure text;
CREATE TABLE outcomes.measure_hours (
    structure_id uuid NOT NULL,
    measure text NOT NULL,
    month date NOT NULL,
    hours numeric NOT NULL,
    n integer NOT NULL,
    PRIMARY KEY (structure_id, month, measure)
);
CREATE INDEX ON outcomes.measure_hours (month);
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
    op.execute(REFERENCE)
    op.execute(OUTCOMES)


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.measure_hours")
    op.execute("ALTER TABLE outcomes.pathways DROP COLUMN measure")
    op.execute(
        "DROP TABLE reference_data.annex_months, reference_data.amendments, reference_data.annexes"
    )
