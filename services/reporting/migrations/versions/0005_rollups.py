"""Tallies rolled up per structure kind (and département), for national reports
(docs/adr/0006-projections.md).

As in revision 0004, the columns are those of this revision (the tally's amounts, read from the
catalog, as 0004 wrote them out) and the contents
are left to the worker: the outcomes projection is emptied and its checkpoint set back to the
start of the log, so that tallies and rollups are derived together, by the code of the day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op
from sqlalchemy import text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A rollup's amounts are the tally's, as revision 0004 created them: read from the catalog.
TALLY_AMOUNTS = """
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_schema = 'outcomes' AND table_name = 'tally'
   AND column_name NOT IN ('structure_id', 'month')
 ORDER BY ordinal_position"""
ROLLUPS = {
    "tally_kind_department": (
        "kind text NOT NULL, department text NOT NULL, region text NOT NULL, month date NOT NULL",
        "kind, department, region, month",
    ),
    "tally_kind_people": (
        "kind text NOT NULL, month date NOT NULL, sex text NOT NULL, age_band text NOT NULL",
        "kind, month, sex, age_band",
    ),
    "tally_kind_criteria": (
        "kind text NOT NULL, month date NOT NULL, criterion text NOT NULL",
        "kind, month, criterion",
    ),
}
ATTRIBUTES = """CREATE TABLE outcomes.tally_structures (
    structure_id uuid PRIMARY KEY, kind text NOT NULL, department text NOT NULL,
    region text NOT NULL, n integer NOT NULL)"""
RESET = """
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.states,
         outcomes.tally, outcomes.tally_people, outcomes.tally_criteria;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    columns = op.get_bind().execute(text(TALLY_AMOUNTS)).all()
    amounts = ", ".join(f"{name} {kind} NOT NULL DEFAULT 0" for name, kind in columns)
    op.execute(ATTRIBUTES)
    for table, (keys, primary) in ROLLUPS.items():
        op.execute(f"CREATE TABLE outcomes.{table} ({keys}, {amounts}, PRIMARY KEY ({primary}))")
    op.execute(RESET)


def downgrade() -> None:
    for table in (*ROLLUPS, "tally_structures"):
        op.execute(f"DROP TABLE outcomes.{table}")
