"""Where each structure was located, by dates: the reference projection's location history.

A structure that moves to another département keeps its past activity where it took place: a
territory's report, and the `department` and `region` filters, count a structure's activity only
on the dates it was located in the area (docs/domain.md §6c), as a GES counts its members' only
on the dates of membership. The registry dates a move (`moved_on` in the structure's change);
the structures already copied have no known move, so each gets one location, its current one,
from the beginning of time (`-infinity`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The table at this revision, and its contents from the structures as revision 0002 made them.
CREATE = """
CREATE TABLE reference_data.locations (
    structure_id uuid NOT NULL,
    located_on date NOT NULL,
    until_on date,
    department text NOT NULL,
    region text NOT NULL,
    PRIMARY KEY (structure_id, located_on)
);
CREATE INDEX ON reference_data.locations (department);
CREATE INDEX ON reference_data.locations (region);
INSERT INTO reference_data.locations (structure_id, located_on, until_on, department, region)
SELECT id, '-infinity'::date, NULL, department, coalesce(region, '')
  FROM reference_data.structures;
"""


def upgrade() -> None:
    op.execute(CREATE)


def downgrade() -> None:
    op.execute("DROP TABLE reference_data.locations")
