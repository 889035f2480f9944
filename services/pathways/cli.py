"""Operator commands of the pathways service, run beside it with its settings and the
migrations' DATABASE_URL: `python -m services.pathways.cli rotate-kek | vacuum-erased`
(docs/adr/0003-crypto-shredding.md)."""

from __future__ import annotations

import click
from tqdm import tqdm

from services.pathways.store import upkeep, vault
from shared import db, logs
from shared.settings import Settings


@click.group()
def cli() -> None:
    """Coffre des identités du service des parcours."""


def _engine(settings: Settings):
    return db.make_engine(settings.database_url_for("pathways"), pool_size=1)


@cli.command("rotate-kek")
@click.option("--batch", default=1000, show_default=True, help="Clés par transaction.")
def rotate_kek(batch: int) -> None:
    """Envelopper de nouveau chaque clé de personne avec IDENTITY_KEK (IDENTITY_KEK_VERSION),
    en lisant les anciennes avec IDENTITY_KEK_PREVIOUS ; ensuite l'ancienne KEK peut être
    détruite."""
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    keyring = vault.load_keyring(
        settings.identity_kek, settings.identity_kek_version, settings.identity_kek_previous
    )
    engine = _engine(settings)
    try:
        pending = sum(n for v, n in upkeep.key_versions(engine).items() if v != keyring.version)
        with tqdm(total=pending, unit=" clés", desc=f"version {keyring.version}") as bar:
            done = upkeep.rotate(engine, keyring, batch, bar.update)
    finally:
        engine.dispose()
    click.echo(f"{done.rewrapped} clés enveloppées de nouveau avec la version {keyring.version}.")
    others = {v: n for v, n in done.versions.items() if v != keyring.version}
    if others:
        listed = ", ".join(f"version {v} : {n}" for v, n in sorted(others.items()))
        raise click.ClickException(
            f"{sum(others.values())} clés ne s'ouvrent avec aucune KEK fournie ({listed}). "
            "Ne détruisez aucune ancienne KEK : ajoutez-la à IDENTITY_KEK_PREVIOUS, relancez."
        )
    retired = ", ".join(str(v) for v in sorted(set(keyring.keks) - {keyring.version}))
    click.echo(
        "Toutes les clés sont de la version courante. "
        + (
            f"Retirez la ou les versions {retired} de IDENTITY_KEK_PREVIOUS, redémarrez les "
            "services, puis détruisez ces KEK (et leurs copies)."
            if retired
            else "Aucune ancienne KEK n'est à détruire."
        )
    )


@cli.command("vacuum-erased")
def vacuum_erased() -> None:
    """Réécrire les tables du coffre (VACUUM FULL) : les lignes des personnes effacées quittent
    les fichiers de la base. Verrouille ces tables quelques secondes."""
    settings = Settings.from_env()
    logs.configure(settings.log_level)
    engine = _engine(settings)
    try:
        upkeep.vacuum(engine)
    except PermissionError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.dispose()
    click.echo(f"Tables réécrites : {', '.join(upkeep.VAULT_TABLES)}.")


if __name__ == "__main__":
    cli()
