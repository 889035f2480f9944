"""Each pathway row says whether its exit counts by hours worked and by length of stay.

The counted-exit rule used to be written again in the report's SQL; rows now carry what the
domain's rule decided when they were derived, and SQL only picks the structure kind's basis.
Rows derived before this revision get the values the rule gave at this revision (frozen here,
as a migration never imports live code).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The rule as it stood at this revision: 150 hours (exclusive), 3 calendar months.
FILL = """
UPDATE outcomes.pathways
   SET counted_hours = exit_category <> 'retrait' AND hours_total > 150,
       counted_months = exit_category <> 'retrait' AND exited_on > opened_on + interval '3 months'
 WHERE exited_on IS NOT NULL
"""


def upgrade() -> None:
    op.execute(
        "ALTER TABLE outcomes.pathways ADD COLUMN IF NOT EXISTS counted_hours boolean,"
        " ADD COLUMN IF NOT EXISTS counted_months boolean"
    )
    op.execute(FILL)


def downgrade() -> None:
    op.execute(
        "ALTER TABLE outcomes.pathways DROP COLUMN counted_hours, DROP COLUMN counted_months"
    )
