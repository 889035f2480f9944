"""Monthly tallies per structure (× sex × age band, × criterion), summed from the folded states.

Reports read these few rows instead of every pathway (docs/adr/0006-projections.md). Existing
projections are tallied here from their stored states (a pathway projected before states were
kept is folded from its copied stream), one structure at a time to bound memory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from alembic import op
from sqlalchemy import text

from services.reporting.projections import derive, tallies

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY_TYPES = {
    "structure_id": "uuid",
    "month": "date",
    "sex": "text",
    "age_band": "text",
    "criterion": "text",
}
STATES = """
SELECT p.structure_id::text, p.pathway_id::text, s.state FROM outcomes.pathways p
  LEFT JOIN outcomes.states s USING (pathway_id) ORDER BY p.structure_id"""
STREAM = """
SELECT position, event_id::text AS id, type, occurred_on, data FROM outcomes.events
 WHERE pathway_id = CAST(:p AS uuid) ORDER BY position"""


def _table(grain: str, columns: tuple[str, ...]) -> str:
    keys = ", ".join(f"{c} {KEY_TYPES[c]} NOT NULL" for c in columns)
    amounts = ", ".join(
        f"{m} {'numeric' if m in tallies.DECIMALS else 'integer'} NOT NULL DEFAULT 0"
        for m in tallies.METRICS
    )
    return f"CREATE TABLE outcomes.{grain} ({keys}, {amounts}, PRIMARY KEY ({', '.join(columns)}))"


def upgrade() -> None:
    for grain, columns in tallies.GRAINS.items():
        op.execute(_table(grain, columns))
    conn = op.get_bind()
    batch: dict = {}
    for structure_id, pid, state in conn.execute(text(STATES)).yield_per(5000):
        if batch and structure_id != next(iter(batch.values())).structure_id:
            tallies.write(conn, "outcomes", {}, batch)
            batch = {}
        batch[pid] = derive.load(state) if state else _folded(conn, pid)
    tallies.write(conn, "outcomes", {}, batch)


def _folded(conn, pid: str):
    return derive.fold([dict(r) for r in conn.execute(text(STREAM), {"p": pid}).mappings()])


def downgrade() -> None:
    for grain in tallies.GRAINS:
        op.execute(f"DROP TABLE outcomes.{grain}")
