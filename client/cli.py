"""`iae`: the command line of operators and structures, over the services' HTTP API.

Base URLs and token come from options or the environment (REGISTRY_URL, PATHWAYS_URL,
REPORTING_URL, IAE_TOKEN), the token defaulting to ./var/admin_token written by `make run`.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import click
from tqdm import tqdm

from client.api import ApiError, Client, Endpoints, default_token, endpoints_with
from client.demo import SIZES, Network, Size, load
from shared.auth import SCOPES
from shared.domain.annexes import STATES
from shared.domain.codes import STRUCTURE_KINDS
from shared.domain.measures import MEASURES

POLL_SECONDS = 1.0


def _client(ctx: click.Context) -> Client:
    return ctx.obj


def _show(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


class ApiCommands(click.Group):
    """Every API error becomes a French message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ApiError as error:
            body = error.body if isinstance(error.body, dict) else {"detail": error.body}
            lines = [f"Erreur {error.status} : {body.get('detail', '')}"]
            lines += [
                f"  {path} : {' '.join(msgs)}" for path, msgs in (body.get("errors") or {}).items()
            ]
            raise click.ClickException("\n".join(lines)) from None


@click.group(cls=ApiCommands)
@click.option("--registry-url", envvar="REGISTRY_URL", help="Adresse du registre.")
@click.option("--pathways-url", envvar="PATHWAYS_URL", help="Adresse du service des parcours.")
@click.option("--reporting-url", envvar="REPORTING_URL", help="Adresse du service des rapports.")
@click.option(
    "--token",
    envvar="IAE_TOKEN",
    help="Jeton d'accès (défaut : ./var/admin_token écrit par make run).",
)
@click.pass_context
def main(ctx: click.Context, registry_url, pathways_url, reporting_url, token) -> None:
    """Administrer le système IAE : structures, GES, jetons, comptes des équipes, imports,
    projections, démo."""
    endpoints = endpoints_with(
        Endpoints.from_env({}),
        registry=registry_url,
        pathways=pathways_url,
        reporting=reporting_url,
    )
    ctx.obj = Client(endpoints, token or default_token())
    ctx.call_on_close(ctx.obj.close)


# --- registry -------------------------------------------------------------------------------------


@main.group()
def structure() -> None:
    """Structures d'insertion du réseau."""


@structure.command("create")
@click.option("--siret", required=True, help="SIRET (14 chiffres).")
@click.option("--name", required=True, help="Raison sociale ou nom d'usage.")
@click.option(
    "--kind", required=True, type=click.Choice(sorted(STRUCTURE_KINDS)), help="Type de structure."
)
@click.option("--department", required=True, help="Département (35, 2A, 974…).")
@click.option("--convention-number", help="Numéro de convention avec l'État.")
@click.pass_context
def structure_create(ctx, siret, name, kind, department, convention_number) -> None:
    """Créer une structure (jeton administrateur)."""
    body = {"siret": siret, "name": name, "kind": kind, "department": department}
    if convention_number:
        body["convention_number"] = convention_number
    _show(_client(ctx).create_structure(**body))


@structure.command("list")
@click.pass_context
def structure_list(ctx) -> None:
    """Lister les structures visibles avec ce jeton."""
    _show(_client(ctx).structures())


@main.group()
def group() -> None:
    """Groupes économiques solidaires (GES) et leurs membres."""


@group.command("create")
@click.argument("name")
@click.pass_context
def group_create(ctx, name) -> None:
    """Créer le GES NAME."""
    _show(_client(ctx).create_group(name))


@group.command("join")
@click.argument("group_id")
@click.argument("structure_id")
@click.option(
    "--on",
    "joined_on",
    default=lambda: date.today().isoformat(),
    help="Date d'entrée (AAAA-MM-JJ, défaut : aujourd'hui).",
)
@click.pass_context
def group_join(ctx, group_id, structure_id, joined_on) -> None:
    """Faire entrer une structure dans un GES à une date."""
    _show(_client(ctx).join_group(group_id, structure_id, joined_on))


@group.command("leave")
@click.argument("group_id")
@click.argument("structure_id")
@click.option(
    "--on",
    "left_on",
    default=lambda: date.today().isoformat(),
    help="Date de sortie (AAAA-MM-JJ, défaut : aujourd'hui).",
)
@click.pass_context
def group_leave(ctx, group_id, structure_id, left_on) -> None:
    """Faire sortir une structure d'un GES (l'historique est conservé)."""
    _show(_client(ctx).leave_group(group_id, structure_id, left_on))


@main.group()
def token() -> None:
    """Jetons d'accès."""


@token.command("create")
@click.option("--scope", required=True, type=click.Choice(SCOPES), help="Portée du jeton.")
@click.option("--label", required=True, help="À quoi sert ce jeton (logiciel, personne…).")
@click.option("--structure-id", help="Structure du jeton (portée structure).")
@click.option("--group-id", help="GES du jeton (portée group).")
@click.option(
    "--department", help="Département lu (portée territory : DDETS, conseil départemental)."
)
@click.option("--region", help="Région lue, code INSEE (portée territory : DREETS).")
@click.option("--expires-on", help="Refusé à partir de ce jour (AAAA-MM-JJ, 00:00 UTC).")
@click.pass_context
def token_create(ctx, scope, label, structure_id, group_id, department, region, expires_on) -> None:
    """Créer un jeton (portée service : le worker de rapports) ; son secret n'est affiché
    qu'une fois."""
    client = _client(ctx)
    _show(client.create_token(scope, label, structure_id, group_id, department, region, expires_on))


@main.group()
def staff() -> None:
    """Comptes des équipes : qui se connecte au tableau de bord, et pour voir quoi."""


@staff.command("add")
@click.argument("email")
@click.option(
    "--scope",
    required=True,
    type=click.Choice([s for s in SCOPES if s != "service"]),
    help="Portée du compte.",
)
@click.option("--structure-id", help="Structure du compte (portée structure).")
@click.option("--group-id", help="GES du compte (portée group).")
@click.option("--department", help="Département lu (portée territory).")
@click.option("--region", help="Région lue, code INSEE (portée territory).")
@click.pass_context
def staff_add(ctx, email, scope, structure_id, group_id, department, region) -> None:
    """Permettre à EMAIL de se connecter avec cette portée (jeton administrateur) ; une même
    adresse peut avoir plusieurs comptes, la personne choisit après la connexion."""
    target = {
        "structure_id": structure_id,
        "group_id": group_id,
        "department": department,
        "region": region,
    }
    _show(_client(ctx).create_staff(email, scope, **target))


@staff.command("list")
@click.option("--email", help="Les comptes de cette adresse seulement.")
@click.pass_context
def staff_list(ctx, email) -> None:
    """Lister les comptes en vigueur."""
    _show(_client(ctx).staff(email))


@staff.command("remove")
@click.argument("staff_id")
@click.pass_context
def staff_remove(ctx, staff_id) -> None:
    """Retirer le compte STAFF_ID : il ne peut plus se connecter, ses jetons sont révoqués."""
    _client(ctx).remove_staff(staff_id)
    click.echo("Compte retiré.")


@main.group()
def annex() -> None:
    """Annexes financières (ETP conventionnés) et leurs avenants."""


@annex.command("create")
@click.argument("structure_id")
@click.option("--number", required=True, help="Numéro ASP de l'annexe (ex. ACI051170013A0M1).")
@click.option(
    "--measure", required=True, type=click.Choice(sorted(MEASURES)), help="Mesure (dispositif)."
)
@click.option(
    "--state",
    type=click.Choice(list(STATES)),
    default="VALIDE",
    show_default=True,
    help="État de l'annexe (PROVISOIRE, VALIDE et CLOTURE comptent).",
)
@click.option("--starts-on", required=True, help="Début de validité (AAAA-MM-JJ).")
@click.option("--ends-on", required=True, help="Fin de validité (AAAA-MM-JJ).")
@click.option("--etp", required=True, type=float, help="ETP conventionnés.")
@click.option(
    "--reference-hours",
    type=float,
    help="Heures annuelles d'un ETP (défaut : celles de la mesure).",
)
@click.pass_context
def annex_create(
    ctx, structure_id, number, measure, state, starts_on, ends_on, etp, reference_hours
) -> None:
    """Créer une annexe financière de la structure STRUCTURE_ID (jeton administrateur)."""
    _show(
        _client(ctx).create_annex(
            structure_id,
            number=number,
            measure=measure,
            state=state,
            starts_on=starts_on,
            ends_on=ends_on,
            etp_conventioned=etp,
            reference_hours=reference_hours,
        )
    )


@annex.command("amend")
@click.argument("annex_id")
@click.option("--number", required=True, help="Numéro ASP de l'avenant.")
@click.option("--effective-on", required=True, help="Date d'effet (AAAA-MM-JJ), dans la validité.")
@click.option("--etp", required=True, type=float, help="ETP conventionnés à partir de cette date.")
@click.pass_context
def annex_amend(ctx, annex_id, number, effective_on, etp) -> None:
    """Ajouter un avenant à l'annexe ANNEX_ID (jeton administrateur)."""
    _show(_client(ctx).amend_annex(annex_id, number, effective_on, etp))


@annex.command("list")
@click.option("--structure-id", help="Les annexes de cette structure seulement.")
@click.option("--department", help="Département des structures.")
@click.option("--year", type=int, help="Annexes valides au moins un jour de cette année.")
@click.pass_context
def annex_list(ctx, structure_id, department, year) -> None:
    """Lister les annexes financières visibles avec ce jeton."""
    _show(_client(ctx).annexes(structure_id, department=department, year=year))


# --- pathways -------------------------------------------------------------------------------------


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_file(ctx, file: Path) -> None:
    """Importer un fichier d'événements CSV ou XLSX (jeton de structure)."""
    result = _client(ctx).import_file(file)
    click.echo(
        f"{result['accepted']} ligne(s) ajoutée(s), "
        f"{result['already_present']} déjà présente(s), "
        f"{len(result['rejected'])} refusée(s)."
    )
    for rejected in result["rejected"]:
        for column, messages in rejected["errors"].items():
            click.echo(f"  ligne {rejected['line']}, {column} : {' '.join(messages)}")
    for warning in result["warnings"]:
        click.echo(f"  ligne {warning['line']}, alerte : {warning['message']}")
    if result["rejected"]:
        ctx.exit(2)


# --- reporting ------------------------------------------------------------------------------------


@main.command()
@click.pass_context
def projections(ctx) -> None:
    """Afficher l'état et le retard de chaque projection."""
    for p in _client(ctx).projections():
        click.echo(
            f"{p['name']:<20} {p['status']:<10} position {p['position']} / "
            f"{p['head_position']}  retard {p['lag_events']} événement(s), "
            f"{p['lag_seconds']} s" + (f"  erreur : {p['last_error']}" if p["last_error"] else "")
        )


@main.command()
@click.argument("name")
@click.option("--timeout", default=3600.0, help="Attente maximale en secondes.")
@click.pass_context
def rebuild(ctx, name: str, timeout: float) -> None:
    """Reconstruire la projection NAME depuis le journal, puis suivre son rattrapage."""
    client = _client(ctx)
    client.rebuild(name)
    deadline = time.monotonic() + timeout
    with tqdm(desc=f"reconstruction {name}", unit=" évén.") as bar:
        while time.monotonic() < deadline:
            state = next(p for p in client.projections() if p["name"] == name)
            bar.total = state["head_position"]
            bar.update((state["position"] or 0) - bar.n)
            if state["status"] == "failed":
                raise click.ClickException(f"Échec : {state['last_error']}")
            if state["lag_events"] == 0:
                break
            time.sleep(POLL_SECONDS)
    click.echo(f"{name} : à jour à la position {state['position']}.")


# --- demo -----------------------------------------------------------------------------------------


@main.command()
@click.option(
    "--size",
    type=click.Choice(sorted(SIZES)),
    default="small",
    show_default=True,
    help="small : 12 structures, 300 parcours ; national : 5 300 structures.",
)
@click.option("--structures", type=int, help="Nombre de structures (remplace --size).")
@click.option("--pathways", type=int, help="Nombre de parcours (remplace --size).")
@click.option("--seed", default=1, show_default=True, help="Graine : mêmes données à chaque fois.")
@click.option("--workers", default=4, show_default=True, help="Structures chargées en parallèle.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Ne rien faire si le registre a déjà des structures (docker compose).",
)
@click.pass_context
def demo(ctx, size, structures, pathways, seed, workers, if_empty) -> None:
    """Charger des données de démonstration réalistes par l'API (jeton administrateur)."""
    client = _client(ctx).as_operator("démonstration")
    if if_empty and client.structures():
        click.echo("Le registre a déjà des structures : démonstration non chargée.")
        return
    chosen = SIZES[size]
    network = Network(
        seed, Size(structures or chosen.structures, pathways or chosen.pathways), date.today()
    )
    started = time.monotonic()
    with tqdm(total=network.size.pathways, desc="parcours", unit=" parcours") as bar:
        report = load(client, network, progress=bar.update, workers=workers)
    click.echo(
        f"{len(report.structures)} structures, {report.groups} GES, {report.pathways} "
        f"parcours, {report.events} événements en {time.monotonic() - started:.0f} s."
    )
    for item in report.rejected:
        click.echo(
            f"  refusé : {item.get('pathway_id')} {item.get('detail')} {item.get('errors', '')}",
            err=True,
        )
    if report.rejected:
        ctx.exit(2)


if __name__ == "__main__":
    main()
