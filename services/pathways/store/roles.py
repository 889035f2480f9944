"""The database role the pathways application writes with: SELECT and INSERT only on the log.

The role is created by migration 0002 where the migrating user may create roles; it carries no
LOGIN, so the application logs in as its usual user and switches with SET ROLE on each new
connection. Grants live in each database, so one cluster-wide role name serves every database.
"""

from __future__ import annotations

from sqlalchemy import Engine, event

WRITER_ROLE = "iae_pathways_writer"

_MEMBER_SQL = "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s"


def use_writer_role(engine: Engine) -> None:
    """Make every new connection of `engine` act as the writer role, when that role exists."""

    @event.listens_for(engine, "connect")
    def _set_role(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(_MEMBER_SQL, (WRITER_ROLE,))
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f'SET ROLE "{WRITER_ROLE}"')
        dbapi_connection.commit()
