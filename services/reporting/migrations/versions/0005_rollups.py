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
ATTRIBUTES = f"""
CREATE TABLE outcomes.{rollups.ATTRIBUTES} (
    structure_id uuid PRIMARY KEY, {RECORDED}, n integer NOT NULL);
INSERT INTO outcomes.{rollups.ATTRIBUTES}
SELECT t.structure_id, {rollups.CURRENT}, sum(t.n) FROM outcomes.tally t
  LEFT JOIN reference_data.structures s ON s.id = t.structure_id
 GROUP BY t.structure_id, s.kind, s.department, s.region"""
FILL = f"""
INSERT INTO outcomes.{{r}} ({{keys}}, {{metrics}})
SELECT {{x_by}}, {{t_keys}}, {{sums}}
  FROM outcomes.{{t}} t JOIN outcomes.{rollups.ATTRIBUTES} x USING (structure_id)
 GROUP BY {{x_by}}, {{t_keys}}"""


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
    for grain, rollup in rollups.OF.items():
        op.execute(_table(grain))
        op.execute(
            FILL.format(
                r=rollup,
                t=grain,
                keys=", ".join(rollups.keys(grain)),
                metrics=", ".join(tallies.METRICS),
                x_by=", ".join(f"x.{a}" for a in rollups.BY[grain]),
                t_keys=", ".join(f"t.{c}" for c in tallies.GRAINS[grain][1:]),
                sums=", ".join(f"sum(t.{m})" for m in tallies.METRICS),
            )
        )


def downgrade() -> None:
    for table in rollups.TABLES:
        op.execute(f"DROP TABLE outcomes.{table}")
