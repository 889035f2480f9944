"""What became of each person after the exit: `outcomes.post_exit`, one row per follow-up.

A row per `post_exit_situation_recorded` still in force (one per pathway and months_after, the
latest winning, voided ones left out), with the situation's exit category (null when unknown)
and whether it is employment: the post-exit report counts the exits of a period followed at 1,
3 and 6 months and those in employment at 6 months (docs/domain.md §8).

Exited pathways also raise an alert now, `post_exit_due`, for each follow-up due: the alert rows
must be derived again, so the projection is emptied (every table of the `outcomes` schema, as it
stands at this revision) and its checkpoint set back to the start of the log
(docs/adr/0006-projections.md, "Migrations of derived tables").

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CREATE = """
CREATE TABLE outcomes.post_exit (
    pathway_id uuid NOT NULL,
    months_after integer NOT NULL,
    situation text NOT NULL,
    category text,
    in_employment boolean NOT NULL,
    source text NOT NULL,
    recorded_on date NOT NULL,
    PRIMARY KEY (pathway_id, months_after)
);
"""
RESET = """
DO $$
DECLARE tables text;
BEGIN
    SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
      FROM pg_tables WHERE schemaname = 'outcomes';
    EXECUTE 'TRUNCATE ' || tables;
END $$;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    op.execute(CREATE)
    op.execute(RESET)


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.post_exit")
