"""Alembic environment: the common runner in shared.migrations does the work."""

from shared.migrations import run_env

run_env()
