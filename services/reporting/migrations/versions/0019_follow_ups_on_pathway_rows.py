"""The follow-ups on the pathway rows: `outcomes.pathways` gains `followed_after` (the months
after the exit with a follow-up in force) and `employed_after` (those whose situation is
employment), so that the post-exit report counts its cohorts from the pathway rows alone
instead of aggregating every follow-up of `outcomes.post_exit` on each request
(docs/adr/0017-post-exit-and-people-pages.md). Both are filled here from `outcomes.post_exit`,
which holds the same follow-ups: nothing is derived again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE outcomes.pathways
            ADD COLUMN followed_after integer[] NOT NULL DEFAULT '{}',
            ADD COLUMN employed_after integer[] NOT NULL DEFAULT '{}';
        UPDATE outcomes.pathways p
           SET followed_after = f.followed, employed_after = f.employed
          FROM (SELECT pathway_id,
                       array_agg(months_after ORDER BY months_after) AS followed,
                       coalesce(array_agg(months_after ORDER BY months_after)
                                FILTER (WHERE in_employment), '{}') AS employed
                  FROM outcomes.post_exit GROUP BY pathway_id) f
         WHERE f.pathway_id = p.pathway_id;
        """
    )


def downgrade() -> None:
    op.execute(
        "ALTER TABLE outcomes.pathways DROP COLUMN followed_after, DROP COLUMN employed_after"
    )
