"""Frozen reports (snapshots): what a structure submitted, kept byte for byte.

A snapshot is not derived from the log: it is the body of a report as it was computed at a
position, with its parameters, label, author and SHA-256. It lives in a schema of its own,
`knowledge`, which no rebuild touches (a rebuild swaps the `outcomes` schema whole). The
columns `structure_id`, `group_id`, `department`, `region` hold the scope the report was read
in, to list a caller's snapshots without reading their bodies.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

CREATE = """
CREATE SCHEMA IF NOT EXISTS knowledge;
CREATE TABLE knowledge.snapshots (
    id uuid PRIMARY KEY,
    report text NOT NULL,
    params jsonb NOT NULL,
    label text NOT NULL,
    as_of_position bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by jsonb NOT NULL,
    sha256 text NOT NULL,
    body bytea NOT NULL,
    structure_id uuid,
    group_id uuid,
    department text,
    region text
);
CREATE INDEX ON knowledge.snapshots (created_at);
CREATE INDEX ON knowledge.snapshots (structure_id);
CREATE INDEX ON knowledge.snapshots (group_id);
"""


def upgrade() -> None:
    op.execute(CREATE)


def downgrade() -> None:
    op.execute("DROP SCHEMA knowledge CASCADE")
