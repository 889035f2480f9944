"""The reporting contract: scopes of reports and alerts, every 4xx, projections admin."""

from __future__ import annotations

import pytest
from builders import catch_up_to
from worlds import world  # noqa: F401  (fixture)

from services.reporting.catchup import jobs
from tests.support import bearer, run_worker

REPORT = "/v1/reports/outcomes?from=2026-01-01&to=2026-10-31"


@pytest.fixture(scope="module")
def net(world):  # noqa: F811
    n = world.network()
    s1 = n.structure("AI de la Vilaine", "AI", "35")
    s2 = n.structure("ETTI du Port", "ETTI", "44")
    n.group_id = n.group("GES Vilaine", [(s1, "2026-01-01", None)])
    n.other_group = n.group("GES Autre", [(s2, "2026-01-01", None)])
    n.load_reference()
    p = n.open(s1, "2026-02-01", "F", "26_49", ["RSA"], pass_start="2024-12-15")
    p.contract("2026-02-01", "2026-12-10")
    # 420 h with two companies: one 480-hour window for both (L5132-9), 400 h reached.
    p.mad("entreprise", "2026-02-02", "2026-03-31", 220, siret_="73282932000074")
    p.mad("entreprise", "2026-04-01", "2026-05-31", 200, siret_="35600000049837")
    q = n.open(s2, "2024-06-01", "M", "50_plus", ["RSA"])
    q.contract("2024-06-01", "2026-08-31", kind="MISSION", weekly=35)
    r = n.open(s2, "2026-03-01", "M", "26_49", ["RSA"], pass_start="2025-01-01")
    r.exit("2026-06-01", "chomage")
    catch_up_to(world.settings, r.last_position)
    n.s1, n.s2, n.world = s1, s2, world
    n.group_token = n.token("group", group_id=n.group_id)
    n.network_token = n.token("network")
    return n


def _alerts(net, token, query=""):
    r = net.world.reporting.get(f"/v1/alerts?{query}", headers=bearer(token))
    assert r.status_code == 200, r.json
    return r.json


def test_a_structure_sees_only_its_own_open_alerts(net):
    body = _alerts(net, net.tokens[net.s1])
    assert sorted(a["code"] for a in body["items"]) == [
        "ai_480_hours",
        "contract_ending",
        "pass_ending",
    ]
    assert {a["structure_id"] for a in body["items"]} == {net.s1}
    pass_alert = next(a for a in body["items"] if a["code"] == "pass_ending")
    assert pass_alert["due_on"] == "2026-12-14"
    # No PASS number outside the structure (docs/domain.md §10): reporting never sees it.
    assert pass_alert["message"] == "Le PASS IAE prend fin le 14/12/2026."


def test_the_480_hour_alert_counts_every_company_together(net):
    body = _alerts(net, net.tokens[net.s1])
    [alert] = [a for a in body["items"] if a["code"] == "ai_480_hours"]
    assert alert["due_on"] == "2028-02-01"
    assert alert["message"] == (
        "Mises à disposition en entreprise, toutes entreprises confondues : 420 h sur 24 mois "
        "depuis le 02/02/2026 (plafond légal 480 h, art. L5132-9)."
    )


def test_the_mission_alert_names_its_contract(net):
    body = _alerts(net, net.tokens[net.s2])
    [alert] = [a for a in body["items"] if a["code"] == "mission_24_months"]
    assert set(alert) == {"pathway_id", "structure_id", "code", "message", "due_on"}
    assert alert["due_on"] == "2026-05-31"
    assert alert["message"].startswith("Contrat de mission commencé le 01/06/2024 : ")


def test_a_group_sees_the_alerts_of_its_current_members_only(net):
    assert {a["structure_id"] for a in _alerts(net, net.group_token)["items"]} == {net.s1}


def test_the_network_sees_every_open_alert_and_none_of_an_exited_pathway(net):
    body = _alerts(net, net.network_token)
    assert sorted(a["code"] for a in body["items"]) == [
        "ai_480_hours",
        "contract_ending",
        "mission_24_months",
        "pass_ending",
    ]
    assert body["total"] == 4


def test_alerts_are_paginated(net):
    body = _alerts(net, net.network_token, "page=2&page_size=3")
    assert (len(body["items"]), body["page"], body["page_size"], body["total"]) == (1, 2, 3, 4)


def test_a_structure_asking_for_another_structures_report_is_refused(net):
    r = net.world.reporting.get(
        f"{REPORT}&structure_id={net.s2}", headers=bearer(net.tokens[net.s1])
    )
    assert r.status_code == 403
    assert r.headers["Content-Type"] == "application/problem+json"


def test_a_structure_asking_for_another_structures_alerts_is_refused(net):
    r = net.world.reporting.get(
        f"/v1/alerts?structure_id={net.s2}", headers=bearer(net.tokens[net.s1])
    )
    assert r.status_code == 403


def test_a_structure_report_counts_its_own_pathways_only(net):
    r = net.world.reporting.get(REPORT, headers=bearer(net.tokens[net.s1]))
    assert (r.json["total"]["entries"], r.json["total"]["active"]) == (1, 1)


def test_a_group_report_counts_its_members_only(net):
    r = net.world.reporting.get(f"{REPORT}&group_by=structure", headers=bearer(net.group_token))
    assert [row["key"] for row in r.json["rows"]] == [{"structure": net.s1}]
    assert r.json["rows"][0]["label"] == {"structure": "AI de la Vilaine"}


def test_a_group_asking_for_another_group_is_refused(net):
    r = net.world.reporting.get(
        f"{REPORT}&group_id={net.other_group}", headers=bearer(net.group_token)
    )
    assert r.status_code == 403


def test_a_group_asking_for_a_structure_outside_it_is_refused(net):
    r = net.world.reporting.get(f"{REPORT}&structure_id={net.s2}", headers=bearer(net.group_token))
    assert r.status_code == 403


def test_the_network_report_counts_every_structure(net):
    r = net.world.reporting.get(f"{REPORT}&group_by=kind", headers=bearer(net.network_token))
    assert {row["key"]["kind"]: row["active"] for row in r.json["rows"]} == {"AI": 1, "ETTI": 2}
    assert r.json["total"]["exits"] == 1


def test_a_report_without_a_token_is_refused(net):
    assert net.world.reporting.get(REPORT).status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-05-01&to=2026-04-01",
        "group_by=colour",
        "group_by=sex,month,kind",
        "group_by=sex,sex",
        "format=pdf",
        "colour=blue",
        "structure_id=not-a-uuid",
        "kind=XYZ",
        "department=20",
        "from=2026-13-01",
        "min_position=-1",
        "from=1900-01-01&to=2026-01-01",
    ],
)
def test_bad_report_parameters_are_a_422_problem(net, query):
    r = net.world.reporting.get(f"/v1/reports/outcomes?{query}", headers=net.world.admin)
    assert r.status_code == 422, r.json
    assert r.json["errors"]


@pytest.mark.parametrize("query", ["page=0", "page_size=1001", "code=unknown", "page=x"])
def test_bad_alert_parameters_are_a_422_problem(net, query):
    r = net.world.reporting.get(f"/v1/alerts?{query}", headers=net.world.admin)
    assert r.status_code == 422


def test_a_position_not_yet_projected_answers_503_with_retry_after(net):
    r = net.world.reporting.get(f"{REPORT}&min_position=999999999", headers=net.world.admin)
    assert r.status_code == 503
    assert r.headers["Retry-After"]


def test_a_position_already_projected_answers_at_once(net):
    r = net.world.reporting.get(f"{REPORT}&min_position=1", headers=net.world.admin)
    assert r.status_code == 200 and r.json["as_of_position"] >= 1


def test_projections_show_position_head_and_lag(net):
    r = net.world.reporting.get("/v1/projections", headers=bearer(net.network_token))
    assert r.status_code == 200
    outcomes = next(p for p in r.json if p["name"] == "outcomes")
    assert outcomes["head_position"] >= outcomes["position"] > 0
    assert outcomes["lag_events"] == outcomes["head_position"] - outcomes["position"]
    assert outcomes["status"] == "running" and outcomes["last_error"] is None


def test_a_structure_cannot_read_projections(net):
    r = net.world.reporting.get("/v1/projections", headers=bearer(net.tokens[net.s1]))
    assert r.status_code == 403


def test_only_an_admin_may_rebuild_a_projection(net):
    r = net.world.reporting.post(
        "/v1/projections/outcomes/rebuild", headers=bearer(net.network_token)
    )
    assert r.status_code == 403


def test_rebuilding_an_unknown_projection_is_a_404(net):
    r = net.world.reporting.post("/v1/projections/nope/rebuild", headers=net.world.admin)
    assert r.status_code == 404


def test_a_rebuild_runs_in_the_worker_and_keeps_the_report(net):
    before = net.world.reporting.get(REPORT, headers=net.world.admin).json["total"]
    r = net.world.reporting.post("/v1/projections/outcomes/rebuild", headers=net.world.admin)
    assert r.status_code == 202 and r.json == {"name": "outcomes", "status": "rebuilding"}
    run_worker(net.world.settings)
    jobs.configure(net.world.settings)
    assert net.world.reporting.get(REPORT, headers=net.world.admin).json["total"] == before


def test_a_region_filter_counts_the_structures_of_that_region_only(net):
    r = net.world.reporting.get(f"{REPORT}&region=52&group_by=kind", headers=net.world.admin)
    assert r.status_code == 200, r.json
    assert {row["key"]["kind"]: row["active"] for row in r.json["rows"]} == {"ETTI": 2}
    assert (r.json["total"]["active"], r.json["total"]["exits"]) == (2, 1)


def test_an_unknown_region_is_a_422_problem_naming_the_field(net):
    r = net.world.reporting.get(f"{REPORT}&region=99", headers=net.world.admin)
    assert r.status_code == 422
    assert list(r.json["errors"]) == ["region"]


def test_the_region_filter_is_documented_in_the_openapi(net):
    spec = net.world.reporting.get("/openapi.json").json
    params = spec["paths"]["/v1/reports/outcomes"]["get"]["parameters"]
    region = next(p for p in params if p["name"] == "region")
    assert region["in"] == "query" and "53" in region["schema"]["enum"]
