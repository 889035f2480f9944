"""Tallies rolled up per structure kind (and département), for national reports
(docs/adr/0006-projections.md).

As in revision 0004, the columns are written out as they stand at this revision and the contents
are left to the worker: the outcomes projection is emptied and its checkpoint set back to the
start of the log, so that tallies and rollups are derived together, by the code of the day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CATEGORIES = ("emploi_durable", "emploi_transition", "sortie_positive", "autre_sortie", "retrait")
CLIENT_KINDS = ("particulier", "entreprise", "association", "collectivite")
COUNTS = (
    "n",
    "entries",
    "exits",
    "open_now",
    "exit_days",
    *(f"exits_{c}" for c in CATEGORIES),
    *(f"counted_h_{c}" for c in CATEGORIES),
    *(f"counted_m_{c}" for c in CATEGORIES),
)
AMOUNTS = (
    *(f"{m} integer NOT NULL DEFAULT 0" for m in COUNTS),
    "hours numeric NOT NULL DEFAULT 0",
    "hour_rows integer NOT NULL DEFAULT 0",
    *(f"mad_{k} numeric NOT NULL DEFAULT 0" for k in CLIENT_KINDS),
    "mad_rows integer NOT NULL DEFAULT 0",
    "trainings integer NOT NULL DEFAULT 0",
    "supports integer NOT NULL DEFAULT 0",
)
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
    op.execute(ATTRIBUTES)
    for table, (keys, primary) in ROLLUPS.items():
        op.execute(
            f"CREATE TABLE outcomes.{table} ({keys}, {', '.join(AMOUNTS)}, PRIMARY KEY ({primary}))"
        )
    op.execute(RESET)


def downgrade() -> None:
    for table in (*ROLLUPS, "tally_structures"):
        op.execute(f"DROP TABLE outcomes.{table}")
