"""Reporting keeps the link of a transfer: which pathway, in which structure, an exit leads to.

A group report counts a transfer between two of its members at that date as an internal move,
not as an exit plus an entry (docs/domain.md §8). The link is a derived row of the exited
pathway in a small table of its own, `outcomes.transfers`, joined by group reports only: the
pathway rows and the tallies every other report reads stay as they are.

The table is filled from the stored states rather than by deriving the whole projection again
(0008, 0009): a stored state is the fold of its pathway's whole stream, the very input its rows
are derived from, and it already holds the exit's `transferred_to`; no tally changes. Should a
pathway have no state in the current layout (format 2) — the worker would fold it again at its
next event, and its link must not wait for that — the projection is emptied and its checkpoint
set back to the start of the log instead, as 0009 does (docs/adr/0006-projections.md,
"Migrations of derived tables").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CREATE = """
CREATE TABLE IF NOT EXISTS outcomes.transfers (
    pathway_id uuid PRIMARY KEY,
    structure_id uuid NOT NULL,
    exited_on date NOT NULL,
    to_structure_id uuid NOT NULL,
    to_pathway_id uuid NOT NULL
);
CREATE INDEX IF NOT EXISTS transfers_to_pathway_id_idx ON outcomes.transfers (to_pathway_id);
CREATE INDEX IF NOT EXISTS transfers_exited_on_idx ON outcomes.transfers (exited_on);
"""
# Pathways whose stored state is missing or in another layout than the one filled from.
UNREADABLE = """
SELECT EXISTS (
    SELECT 1 FROM outcomes.pathways p LEFT JOIN outcomes.states s USING (pathway_id)
     WHERE s.state IS NULL OR (s.state::jsonb ->> 'format') IS DISTINCT FROM '2')
"""
# The whole table, from the states (a table left by an earlier upgrade is emptied first).
FILL = """
TRUNCATE outcomes.transfers;
INSERT INTO outcomes.transfers
SELECT pathway_id, (st ->> 'structure_id')::uuid, (st -> 'exit' ->> 'on')::date,
       (st -> 'exit' -> 'transferred_to' ->> 'structure_id')::uuid,
       (st -> 'exit' -> 'transferred_to' ->> 'pathway_id')::uuid
  FROM (SELECT pathway_id, state::jsonb -> 'state' AS st FROM outcomes.states) s
 WHERE st ->> 'opened_on' IS NOT NULL
   AND jsonb_typeof(st -> 'exit' -> 'transferred_to') = 'object'
"""
# The outcomes projection's tables at this revision.
RESET = """
TRUNCATE outcomes.events, outcomes.pathways, outcomes.criteria, outcomes.monthly_hours,
         outcomes.mads, outcomes.activities, outcomes.alerts, outcomes.transfers, outcomes.states,
         outcomes.tally, outcomes.tally_people, outcomes.tally_criteria,
         outcomes.tally_kind_department, outcomes.tally_kind_people, outcomes.tally_kind_criteria,
         outcomes.tally_structures;
UPDATE projection_checkpoints SET position = 0, status = 'running', last_error = NULL,
       updated_at = now() WHERE name = 'outcomes';
"""


def upgrade() -> None:
    op.execute(CREATE)
    if op.get_bind().exec_driver_sql(UNREADABLE).scalar_one():
        op.execute(RESET)
    else:
        op.execute(FILL)


def downgrade() -> None:
    op.execute("DROP TABLE outcomes.transfers")
