"""SQL that the pathways application could be made to run must not reach the owner's rights: its
connections log in as `iae_pathways_app`, so RESET ROLE gives back nothing more than the writer's
grants, and the log's append-only trigger stays out of reach (services/pathways/store/roles.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import ProgrammingError

ATTEMPTS = [
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "DROP TABLE events",
    "UPDATE events SET data = data",
    "DELETE FROM events",
    "SET ROLE postgres",
]


def _after_reset_role(engine, statement: str) -> None:
    """Run `statement` after RESET ROLE, inside a transaction always rolled back."""
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")
        try:
            conn.exec_driver_sql("RESET ROLE")
            conn.exec_driver_sql(statement)
        finally:
            conn.exec_driver_sql("ROLLBACK")


@pytest.mark.parametrize("engine_name", ["iae_write_engine", "iae_engine"])
def test_the_pathways_connections_log_in_as_the_application_role(services, engine_name):
    engine = services["pathways"].app.extensions[engine_name]
    with engine.connect() as conn:
        conn.exec_driver_sql("RESET ROLE")
        user, superuser, owns = conn.exec_driver_sql(
            "SELECT current_user, rolsuper, pg_has_role(current_user, "
            "(SELECT tableowner FROM pg_tables WHERE tablename = 'events'), 'USAGE')"
            " FROM pg_roles WHERE rolname = current_user"
        ).one()
    assert (user, superuser, owns) == ("iae_pathways_app", False, False)


@pytest.mark.parametrize("statement", ATTEMPTS)
def test_reset_role_does_not_let_the_application_lift_the_append_only_guard(services, statement):
    engine = services["pathways"].app.extensions["iae_write_engine"]
    with pytest.raises(ProgrammingError, match="must be owner|permission denied"):
        _after_reset_role(engine, statement)
