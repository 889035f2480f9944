"""Projection tables in two schemas swapped whole by a rebuild, and the reference-data copy.

`outcomes` holds reporting's copy of the event log and the rows derived from it for every
pathway; `reference_data` holds the registry's structures, groups and memberships. A rebuild
fills a fresh `<schema>_next` (tables created LIKE these ones) and renames it in one
transaction (docs/adr/0006-projections.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OUTCOMES = """
CREATE SCHEMA outcomes;
CREATE TABLE outcomes.events (
    position bigint PRIMARY KEY,
    pathway_id uuid NOT NULL,
    event_id uuid NOT NULL,
    type text NOT NULL,
    occurred_on date NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX ON outcomes.events (pathway_id, position);
CREATE TABLE outcomes.pathways (
    pathway_id uuid PRIMARY KEY,
    structure_id uuid NOT NULL,
    opened_on date NOT NULL,
    exited_on date,
    exit_reason text,
    exit_category text,
    sex text,
    age_band text,
    hours_total numeric NOT NULL DEFAULT 0
);
CREATE INDEX ON outcomes.pathways (structure_id, opened_on);
CREATE INDEX ON outcomes.pathways (opened_on);
CREATE INDEX ON outcomes.pathways (exited_on);
CREATE TABLE outcomes.criteria (
    pathway_id uuid NOT NULL,
    criterion text NOT NULL,
    PRIMARY KEY (pathway_id, criterion)
);
CREATE INDEX ON outcomes.criteria (criterion);
CREATE TABLE outcomes.monthly_hours (
    pathway_id uuid NOT NULL,
    month date NOT NULL,
    hours numeric NOT NULL,
    PRIMARY KEY (pathway_id, month)
);
CREATE INDEX ON outcomes.monthly_hours (month);
CREATE TABLE outcomes.mads (
    pathway_id uuid NOT NULL,
    seq integer NOT NULL,
    client_kind text NOT NULL,
    start_on date NOT NULL,
    end_on date NOT NULL,
    hours numeric NOT NULL,
    PRIMARY KEY (pathway_id, seq)
);
CREATE INDEX ON outcomes.mads (start_on, end_on);
CREATE TABLE outcomes.activities (
    pathway_id uuid NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    occurred_on date NOT NULL,
    PRIMARY KEY (pathway_id, seq)
);
CREATE INDEX ON outcomes.activities (occurred_on);
CREATE TABLE outcomes.alerts (
    pathway_id uuid NOT NULL,
    seq integer NOT NULL,
    code text NOT NULL,
    due_on date NOT NULL,
    active_from date,
    active_until date,
    message text NOT NULL,
    PRIMARY KEY (pathway_id, seq)
);
CREATE INDEX ON outcomes.alerts (active_until, active_from);
"""

REFERENCE = """
CREATE SCHEMA reference_data;
CREATE TABLE reference_data.structures (
    id uuid PRIMARY KEY,
    siret text,
    name text NOT NULL,
    kind text NOT NULL,
    department text NOT NULL,
    region text,
    convention_number text,
    sectors jsonb
);
CREATE TABLE reference_data.groups (
    id uuid PRIMARY KEY,
    name text NOT NULL
);
CREATE TABLE reference_data.memberships (
    id uuid PRIMARY KEY,
    group_id uuid NOT NULL,
    structure_id uuid NOT NULL,
    joined_on date NOT NULL,
    left_on date
);
CREATE INDEX ON reference_data.memberships (structure_id);
CREATE INDEX ON reference_data.memberships (group_id);
"""


def upgrade() -> None:
    op.execute("DROP TABLE pathway_facts")
    op.execute("UPDATE projection_checkpoints SET name = 'outcomes' WHERE name = 'all'")
    op.execute("INSERT INTO projection_checkpoints (name) VALUES ('reference')")
    op.execute("ALTER TABLE projection_checkpoints ADD COLUMN last_recorded_at timestamptz")
    op.execute(OUTCOMES)
    op.execute(REFERENCE)


def downgrade() -> None:
    op.execute("DROP SCHEMA outcomes CASCADE")
    op.execute("DROP SCHEMA reference_data CASCADE")
    op.execute("ALTER TABLE projection_checkpoints DROP COLUMN last_recorded_at")
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'reference'")
    op.execute("UPDATE projection_checkpoints SET name = 'all' WHERE name = 'outcomes'")
    op.execute(
        "CREATE TABLE pathway_facts (pathway_id uuid PRIMARY KEY, structure_id uuid NOT NULL,"
        " opened_on date NOT NULL)"
    )
