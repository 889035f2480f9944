"""The database role the pathways application works as: SELECT and INSERT only on the log.

Migration 0002 creates the writer role (no LOGIN) that holds the grants; migration 0004 creates
`iae_pathways_app`, a login role member of the writer and of nothing else. The application logs
in as that role, with a password derived from the one in its DATABASE_URL, so that no statement
it runs (RESET ROLE included) gives it the owner's rights: the append-only trigger stays out of
its reach. Where the migrating user could not create roles, neither exists and the application
logs in as the URL says. Roles are the cluster's; grants live in each database.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from sqlalchemy import Engine, event

WRITER_ROLE = "iae_pathways_writer"
APP_ROLE = "iae_pathways_app"

_LOGIN_SQL = "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s"


def app_password(owner_password: str | None) -> str | None:
    """The application role's password, derived from the owner's (migration 0004 sets it)."""
    if not owner_password:
        return None
    return hmac.new(owner_password.encode(), APP_ROLE.encode(), hashlib.sha256).hexdigest()


def use_writer_role(engine: Engine) -> None:
    """Make every new connection of `engine` log in as the application role, when it exists.

    Whether it exists is asked once, with the URL's own user, on the first connection (the
    database may be down when the app is created)."""
    found: dict[str, bool] = {}
    lock = threading.Lock()

    @event.listens_for(engine, "do_connect")
    def _login_as_app(dialect, _record, cargs, cparams) -> None:
        with lock:
            if "exists" not in found:
                owner = dialect.loaded_dbapi.connect(*cargs, **cparams)
                try:
                    row = owner.execute(_LOGIN_SQL, (APP_ROLE,)).fetchone()
                finally:
                    owner.close()
                found["exists"] = bool(row and row[0])
        if found["exists"]:
            password = app_password(cparams.get("password"))
            cparams["user"] = APP_ROLE
            cparams.pop("password", None)
            if password:
                cparams["password"] = password
