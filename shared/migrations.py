"""Alembic plumbing shared by the services: each service keeps its own history in
services/<service>/migrations, and this module runs it against that service's database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db import create_database

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    cfg.set_main_option("version_table", f"alembic_version_{service}")
    cfg.attributes["url"] = url
    return cfg


def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Create the service's database if needed and bring it to `revision`."""
    create_database(url)
    command.upgrade(alembic_config(service, url), revision)


def run_env() -> None:
    """Body of every service's migrations/env.py (online mode only: we always have a database)."""
    from alembic import context
    from sqlalchemy import create_engine, pool

    cfg = context.config
    url: str = cfg.attributes.get("url") or cfg.get_main_option("sqlalchemy.url") or ""
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            version_table=cfg.get_main_option("version_table") or "alembic_version",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def upgrade_all(settings) -> None:
    """Bring every service's database to head (used by `make run` and docker compose)."""
    from shared.settings import SERVICES

    for service in SERVICES:
        upgrade(service, settings.database_url_for(service))


if __name__ == "__main__":
    from shared.settings import Settings

    upgrade_all(Settings.from_env())
