"""Tallies rolled up per structure kind (and département), for national reports
(docs/adr/0006-projections.md). Filled here as the sums of the existing tally rows, each
structure under its current attributes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

from services.reporting.projections import rollups, tallies

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KEY_TYPES = {
    "kind": "text",
    "department": "text",
    "region": "text",
    "month": "date",
    "sex": "text",
    "age_band": "text",
    "criterion": "text",
}
RECORDED = ", ".join(f"{a} text NOT NULL" for a in rollups.RECORDED)
ATTRIBUTES = f"""CREATE TABLE outcomes.{rollups.ATTRIBUTES} (
    structure_id uuid PRIMARY KEY, {RECORDED}, n integer NOT NULL)"""


def _table(grain: str) -> str:
    columns = rollups.keys(grain)
    keys = ", ".join(f"{c} {KEY_TYPES[c]} NOT NULL" for c in columns)
    amounts = ", ".join(
        f"{m} {'numeric' if m in tallies.DECIMALS else 'integer'} NOT NULL DEFAULT 0"
        for m in tallies.METRICS
    )
    return (
        f"CREATE TABLE outcomes.{rollups.OF[grain]} ({keys}, {amounts},"
        f" PRIMARY KEY ({', '.join(columns)}))"
    )


def upgrade() -> None:
    op.execute(ATTRIBUTES)
    for grain in rollups.OF:
        op.execute(_table(grain))
    rollups.fill(op.get_bind(), "outcomes")


def downgrade() -> None:
    for table in rollups.TABLES:
        op.execute(f"DROP TABLE outcomes.{table}")
