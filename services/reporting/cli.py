"""Operator commands of the reporting service: `python -m services.reporting.cli rebuild NAME`."""

from __future__ import annotations

import click
from tqdm import tqdm

from services.reporting import jobs
from services.reporting.projections.registry import PROJECTIONS
from shared import logs
from shared.settings import Settings


@click.group()
def cli() -> None:
    """Projections du service de rapports."""


@cli.command()
@click.argument("name", type=click.Choice(sorted(PROJECTIONS)))
def rebuild(name: str) -> None:
    """Reconstruire la projection NAME depuis le début de son journal, puis basculer."""
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    jobs.configure(settings)
    try:
        with tqdm(unit=" évén.", desc=f"reconstruction {name}") as bar:
            applied = jobs.rebuild(name, progress=lambda n, position: bar.update(n))
    finally:
        jobs.dispose()
    click.echo(f"{name} : {applied} entrées appliquées, tables basculées.")


if __name__ == "__main__":
    cli()
