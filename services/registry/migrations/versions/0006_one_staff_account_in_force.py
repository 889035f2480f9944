"""At most one account in force per e-mail, scope and target, held by the database: the check
before the insert locks no row when there is none yet, so two admins adding the same account at
once could both succeed.

Accounts already duplicated that way are identical (same e-mail, scope and target): the oldest
is kept, the others are removed as `iae staff remove` would, with the tokens minted for them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEY = (
    "email, scope, coalesce(structure_id::text, ''), coalesce(group_id::text, ''),"
    " coalesce(department, ''), coalesce(region, '')"
)
EXTRA = f"""
SELECT id FROM (
  SELECT id, row_number() OVER (PARTITION BY {KEY} ORDER BY created_at, id) AS rank
    FROM staff_accounts WHERE removed_at IS NULL
) ranked WHERE rank > 1"""


def upgrade() -> None:
    op.execute(
        f"UPDATE tokens SET revoked_at = now() WHERE revoked_at IS NULL AND staff_id IN ({EXTRA})"
    )
    op.execute(f"UPDATE staff_accounts SET removed_at = now() WHERE id IN ({EXTRA})")
    op.execute(
        f"CREATE UNIQUE INDEX ux_staff_accounts_in_force ON staff_accounts ({KEY})"
        " WHERE removed_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ux_staff_accounts_in_force")
