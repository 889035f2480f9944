"""The `iae` command against the live services, through click's CliRunner."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from client_support import endpoints_of, run_worker

from client.cli import main
from client.synthetic import rng_for, siret
from tests.support import admin_token


@pytest.fixture
def iae(settings, services):
    """Run `iae` with the live services' URLs and a token (the admin one by default)."""
    endpoints = endpoints_of(settings)

    def run(*args: str, token: str | None = None):
        options = [
            "--registry-url",
            endpoints.registry,
            "--pathways-url",
            endpoints.pathways,
            "--reporting-url",
            endpoints.reporting,
            "--token",
            token or admin_token(settings),
        ]
        return CliRunner().invoke(main, [*options, *args], catch_exceptions=False)

    return run


def new_structure(iae, kind: str = "ACI") -> dict:
    result = iae(
        "structure",
        "create",
        "--siret",
        siret(rng_for(uuid.uuid4().hex)),
        "--name",
        "Chantier du Port",
        "--kind",
        kind,
        "--department",
        "29",
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def structure_token(iae, structure_id: str) -> str:
    result = iae(
        "token",
        "create",
        "--scope",
        "structure",
        "--structure-id",
        structure_id,
        "--label",
        "tableur",
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["token"]


def test_a_structure_is_created_with_its_region(iae):
    created = new_structure(iae)

    assert created["kind"] == "ACI"
    assert created["region"] == "53"


def test_an_invalid_structure_shows_the_service_s_reasons(iae):
    result = iae(
        "structure", "create", "--siret", "123", "--name", "X", "--kind", "AI", "--department", "35"
    )

    assert result.exit_code == 1
    assert "Erreur 422" in result.output
    assert "siret" in result.output


def test_an_unknown_token_is_refused_with_a_french_message(iae):
    result = iae("structure", "list", token="inconnu")

    assert result.exit_code == 1
    assert "Erreur 401" in result.output


def test_a_structure_joins_and_leaves_a_group(iae):
    structure = new_structure(iae)
    group = json.loads(iae("group", "create", "GES du Finistère").output)
    joined_on = (date.today() - timedelta(days=90)).isoformat()

    iae("group", "join", group["id"], structure["id"], "--on", joined_on)
    result = iae("group", "leave", group["id"], structure["id"], "--on", date.today().isoformat())

    assert result.exit_code == 0, result.output
    members = json.loads(result.output)["members"]
    assert [(m["joined_on"], m["left_on"]) for m in members] == [
        (joined_on, date.today().isoformat())
    ]


def test_a_token_is_shown_once_with_its_scope(iae):
    structure = new_structure(iae)

    result = iae(
        "token",
        "create",
        "--scope",
        "structure",
        "--structure-id",
        structure["id"],
        "--label",
        "logiciel",
    )

    assert json.loads(result.output)["scope"] == "structure"


def test_an_import_lists_each_refused_line_and_exits_non_zero(iae, tmp_path):
    structure = new_structure(iae)
    token = structure_token(iae, structure["id"])
    day = (date.today() - timedelta(days=10)).isoformat()
    file = tmp_path / "evenements.csv"
    file.write_text(
        f"parcours;type;date;domaine;theme;realisation\n"
        f"P-1;support_action_recorded;{day};social;logement;internal\n"
        f"P-1;teleportation;{day};;;\n",
        encoding="utf-8",
    )

    result = iae("import", str(file), token=token)

    assert result.exit_code == 2
    assert "0 ligne(s) ajoutée(s), 0 déjà présente(s), 2 refusée(s)." in result.output
    assert "ligne 3, type" in result.output


def test_projections_show_their_lag(iae, settings):
    run_worker(settings)

    result = iae("projections")

    assert result.exit_code == 0, result.output
    assert "retard 0 événement(s)" in result.output


def test_a_rebuild_is_followed_until_the_projection_is_up_to_date(iae, settings):
    name = iae("projections").output.split()[0]

    result = iae("rebuild", name, "--timeout", "30")
    run_worker(settings)

    assert result.exit_code == 0, result.output
    assert f"{name} : à jour" in result.output


def test_the_demo_command_loads_a_tiny_network_without_rejection(iae):
    result = iae("demo", "--structures", "7", "--pathways", "14", "--seed", "3")

    assert result.exit_code == 0, result.output
    assert "7 structures" in result.output
    assert "14 parcours" in result.output


def test_the_demo_command_works_from_the_bootstrap_token_as_docker_compose_runs_it(iae, settings):
    # The bootstrap ADMIN_TOKEN only creates admin tokens: the demo makes one with it.
    result = iae(
        "demo", "--structures", "2", "--pathways", "2", "--seed", "5", token=settings.admin_token
    )

    assert result.exit_code == 0, result.output
    assert "2 structures" in result.output


def annex_number() -> str:
    return f"ACI029{uuid.uuid4().int % 10**8:08d}A0M0"


def new_annex(iae, structure_id: str, *options: str) -> dict:
    result = iae(
        "annex",
        "create",
        structure_id,
        "--number",
        annex_number(),
        "--measure",
        "ACI_DC",
        "--starts-on",
        "2026-01-01",
        "--ends-on",
        "2026-12-31",
        "--etp",
        "12.5",
        *options,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_an_annex_is_created_amended_and_listed(iae):
    structure = new_structure(iae)
    annex = new_annex(iae, structure["id"], "--reference-hours", "1607")

    amended = iae(
        "annex",
        "amend",
        annex["id"],
        "--number",
        annex_number(),
        "--effective-on",
        "2026-07-01",
        "--etp",
        "9",
    )
    listed = iae("annex", "list", "--structure-id", structure["id"])

    assert (annex["state"], annex["reference_hours"]) == ("VALIDE", 1607)
    assert amended.exit_code == 0, amended.output
    assert json.loads(amended.output)["amendments"][0]["etp_conventioned"] == 9
    assert [a["id"] for a in json.loads(listed.output)] == [annex["id"]]


def test_an_overlapping_annex_shows_the_service_s_reason(iae):
    structure = new_structure(iae)
    new_annex(iae, structure["id"])

    result = iae(
        "annex",
        "create",
        structure["id"],
        "--number",
        annex_number(),
        "--measure",
        "ACI_DC",
        "--starts-on",
        "2026-06-01",
        "--ends-on",
        "2027-05-31",
        "--etp",
        "3",
    )

    assert result.exit_code == 1
    assert "Erreur 409" in result.output and "chevaucherait" in result.output


def test_annexes_are_listed_by_department_and_year(iae):
    structure = new_structure(iae)
    annex = new_annex(iae, structure["id"], "--state", "PROVISOIRE")

    result = iae("annex", "list", "--department", "29", "--year", "2026")

    assert result.exit_code == 0, result.output
    assert annex["id"] in {a["id"] for a in json.loads(result.output)}
    assert {a["state"] for a in json.loads(result.output)} <= {"PROVISOIRE", "VALIDE"}


def territory_token(iae, *area: str) -> dict:
    result = iae("token", "create", "--scope", "territory", *area, "--label", "État")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_territory_token_reads_its_area_only(iae):
    finistere = territory_token(iae, "--department", "29")
    elsewhere = territory_token(iae, "--region", "84")
    structure = new_structure(iae)  # in the Finistère

    seen = json.loads(iae("structure", "list", token=finistere["token"]).output)
    unseen = json.loads(iae("structure", "list", token=elsewhere["token"]).output)

    assert (finistere["department"], elsewhere["region"]) == ("29", "84")
    assert structure["id"] in {s["id"] for s in seen}
    assert {s["department"] for s in seen} == {"29"}
    assert structure["id"] not in {s["id"] for s in unseen}


def test_a_territory_token_needs_its_area(iae):
    result = iae("token", "create", "--scope", "territory", "--label", "DREETS")

    assert result.exit_code == 1
    assert "Erreur 422" in result.output and "region" in result.output


def test_a_service_token_may_expire(iae):
    expires_on = (date.today() + timedelta(days=30)).isoformat()
    args = ["--scope", "service", "--label", "worker", "--expires-on", expires_on]
    made = json.loads(iae("token", "create", *args).output)
    assert (made["scope"], made["expires_on"]) == ("service", expires_on)
    refused = iae("token", "create", "--scope", "service", "--label", "w", "--expires-on", "hier")
    assert refused.exit_code != 0 and "expires_on" in refused.output


def test_staff_accounts_are_added_listed_and_removed(iae):
    structure = new_structure(iae)
    address = f"Directrice.{uuid.uuid4().hex[:8]}@Chantier.fr"

    added = iae("staff", "add", address, "--scope", "structure", "--structure-id", structure["id"])
    assert added.exit_code == 0, added.output
    account = json.loads(added.output)
    assert (account["email"], account["structure_id"]) == (address.lower(), structure["id"])

    listed = iae("staff", "list", "--email", address)
    assert [a["id"] for a in json.loads(listed.output)] == [account["id"]]

    removed = iae("staff", "remove", account["id"])
    assert removed.exit_code == 0 and "Compte retiré" in removed.output
    assert json.loads(iae("staff", "list", "--email", address).output) == []


def test_a_staff_account_without_its_structure_is_refused_in_french(iae):
    result = iae("staff", "add", "agent@exemple.fr", "--scope", "structure")
    assert result.exit_code == 1
    assert "Erreur 422" in result.output and "structure_id" in result.output
