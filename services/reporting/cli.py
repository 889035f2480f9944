"""Operator commands of the reporting service: `python -m services.reporting.cli rebuild NAME`."""

from __future__ import annotations

import click
from tqdm import tqdm

from services.reporting.catchup import jobs
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
    bars: dict[str, tqdm] = {}

    def progress(phase: str, n: int) -> None:
        if phase not in bars:
            for bar in bars.values():
                bar.close()
            bars[phase] = tqdm(unit=" évén.", desc=f"{name} : {phase}")
        bars[phase].update(n)

    try:
        applied = jobs.rebuild(name, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
        jobs.dispose()
    click.echo(f"{name} : {applied} entrées appliquées, tables basculées.")


if __name__ == "__main__":
    cli()
