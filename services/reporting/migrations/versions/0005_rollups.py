"""Tallies rolled up per structure kind, for national reports (docs/adr/0006-projections.md).

Filled here as the sums of the existing tally rows, each structure under its current kind.

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
    "month": "date",
    "sex": "text",
    "age_band": "text",
    "criterion": "text",
}
KINDS = f"""
CREATE TABLE outcomes.{rollups.KINDS} (structure_id uuid PRIMARY KEY, kind text NOT NULL);
INSERT INTO outcomes.{rollups.KINDS}
SELECT DISTINCT t.structure_id, coalesce(s.kind, '') FROM outcomes.tally t
  LEFT JOIN reference_data.structures s ON s.id = t.structure_id"""
FILL = """
INSERT INTO outcomes.{r} ({keys}, {metrics})
SELECT k.kind, {t_keys}, {sums} FROM outcomes.{t} t JOIN outcomes.tally_kinds k USING (structure_id)
 GROUP BY k.kind, {t_keys}"""


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
    op.execute(KINDS)
    for grain, rollup in rollups.OF.items():
        op.execute(_table(grain))
        t_keys = ", ".join(f"t.{c}" for c in tallies.GRAINS[grain][1:])
        op.execute(
            FILL.format(
                r=rollup,
                t=grain,
                keys=", ".join(rollups.keys(grain)),
                metrics=", ".join(tallies.METRICS),
                t_keys=t_keys,
                sums=", ".join(f"sum(t.{m})" for m in tallies.METRICS),
            )
        )


def downgrade() -> None:
    for table in rollups.TABLES:
        op.execute(f"DROP TABLE outcomes.{table}")
