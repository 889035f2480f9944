"""Monthly tallies per structure (× sex × age band, × criterion), summed from the folded states.

Reports read these few rows instead of every pathway (docs/adr/0006-projections.md). The tables'
columns are written out as they stand at this revision: a migration never imports live code.
What they hold is derived from the log, so the migration does not compute it with today's rules
(which will change): it empties the outcomes projection and sets its checkpoint back to the start
of the log, and the worker derives every table again, as on a first start.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from alembic import op

revision = "0004"
down_revision = "0003"
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
GRAINS = {
    "tally": "structure_id uuid NOT NULL, month date NOT NULL",
    "tally_people": (
        "structure_id uuid NOT NULL, month date NOT NULL, sex text NOT NULL, age_band text NOT NULL"
    ),
    "tally_criteria": "structure_id uuid NOT NULL, month date NOT NULL, criterion text NOT NULL",
}
PRIMARY_KEYS = {
    "tally": "structure_id, month",
    "tally_people": "structure_id, month, sex, age_band",
    "tally_criteria": "structure_id, month, criterion",
}
# The outcomes projection's tables at this revision, emptied to be derived again from the log.
RESET = """
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.states;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    for grain, keys in GRAINS.items():
        op.execute(
            f"CREATE TABLE outcomes.{grain} ({keys}, {', '.join(AMOUNTS)},"
            f" PRIMARY KEY ({PRIMARY_KEYS[grain]}))"
        )
    op.execute(RESET)


def downgrade() -> None:
    for grain in GRAINS:
        op.execute(f"DROP TABLE outcomes.{grain}")
