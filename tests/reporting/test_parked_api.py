"""Parked pathways through the real services: a poison event written straight into the
pathways database (a schema version newer than the code knows) parks its pathway only, the
projection keeps up with the log, operators see it in `GET /v1/projections`, reports say how
many pathways of their scope are parked, and an admin retries it once the code reads it."""

from __future__ import annotations

import json
import uuid

import pytest
from builders import catch_up_to
from sqlalchemy import text
from worlds import world  # noqa: F401  (fixture)

from shared import db
from shared.domain import events as ev
from tests.reporting.dashboard_seed import sign_in
from tests.support import bearer

REPORT = "/v1/reports/outcomes?from=2026-01-01&to=2026-12-31"
SUPPORT = "support_action_recorded"
NEWER = ev.SCHEMA_VERSION[SUPPORT] + 1
POISON = """
INSERT INTO events (position, event_id, pathway_id, version, structure_id, type,
                    schema_version, occurred_on, data)
SELECT a, :id, :pathway_id, :version, :structure_id, :type, :schema_version, :on,
       CAST(:data AS jsonb)
  FROM allocate_positions(1) AS a
RETURNING position
"""


@pytest.fixture(scope="module")
def net(world):  # noqa: F811
    n = world.network()
    s1 = n.structure("AI de la Rance", "AI", "35")
    s2 = n.structure("ACI du Blavet", "ACI", "56")
    n.group("GES Rance", [(s1, "2026-01-01", None)])
    n.load_reference()
    healthy = n.open(s1, "2026-02-01", "F", "26_49", ["RSA"])
    healthy.contract("2026-02-01", "2026-12-31")
    healthy.hours("2026-02", 100)
    poisoned = n.open(s1, "2026-03-02", "M", "26_49", ["RSA"])
    elsewhere = n.open(s2, "2026-03-02", "M", "26_49", ["RSA"])
    engine = db.make_engine(world.settings.database_url_for("pathways"), pool_size=1)
    with engine.begin() as conn:
        poisoned.last_position = conn.execute(
            text(POISON),
            {
                "id": str(uuid.uuid4()),
                "pathway_id": poisoned.id,
                "version": poisoned.version + 1,
                "structure_id": s1,
                "type": SUPPORT,
                "schema_version": NEWER,
                "on": "2026-04-01",
                "data": json.dumps({"domain": "social"}),
            },
        ).scalar_one()
    engine.dispose()
    healthy.hours("2026-03", 50)  # after the poison: the others flow on
    catch_up_to(world.settings, healthy.last_position)
    n.world, n.s1, n.s2 = world, s1, s2
    n.healthy, n.poisoned, n.elsewhere = healthy, poisoned, elsewhere
    n.network_token = n.token("network")
    return n


def _outcomes(net, token=None) -> dict:
    headers = bearer(token) if token else net.world.admin
    r = net.world.reporting.get("/v1/projections", headers=headers)
    assert r.status_code == 200, r.json
    return next(p for p in r.json if p["name"] == "outcomes")


def _retry(net, pathway_id: str, headers=None):
    return net.world.reporting.post(
        f"/v1/projections/outcomes/parked/{pathway_id}/retry",
        headers=net.world.admin if headers is None else headers,
    )


def test_the_poison_parks_its_pathway_while_the_projection_keeps_up(net):
    outcomes = _outcomes(net, net.network_token)
    assert outcomes["status"] == "running" and outcomes["last_error"] is None
    assert outcomes["lag_events"] == 0 and outcomes["position"] >= net.healthy.last_position
    assert outcomes["parked"] == 1
    oldest = outcomes["oldest_parked"]
    assert oldest["pathway_id"] == net.poisoned.id
    assert oldest["position"] == net.poisoned.last_position
    assert oldest["occurred_on"] == "2026-04-01" and oldest["type"] == SUPPORT
    assert f"version {NEWER} is newer" in oldest["error"]


def test_reports_say_how_many_pathways_of_their_scope_are_parked(net):
    national = net.world.reporting.get(REPORT, headers=net.world.admin).json
    assert national["parked_pathways"] == 1
    # The others' figures moved on; the parked pathway counts in none.
    assert national["total"]["entries"] == 2 and national["total"]["hours_worked"] == 150
    own = net.world.reporting.get(REPORT, headers=bearer(net.tokens[net.s1])).json
    assert own["parked_pathways"] == 1
    other = net.world.reporting.get(REPORT, headers=bearer(net.tokens[net.s2])).json
    assert other["parked_pathways"] == 0 and other["total"]["entries"] == 1


def test_a_report_as_of_a_position_leaves_out_a_pathway_unreadable_at_that_position(net):
    at = net.poisoned.last_position  # the poison is known, the healthy pathway's last hours not
    r = net.world.reporting.get(f"{REPORT}&as_of_position={at}", headers=net.world.admin)
    assert r.status_code == 200, r.json
    assert r.json["as_of_position"] == at and r.json["parked_pathways"] == 1
    assert r.json["total"]["entries"] == 2 and r.json["total"]["hours_worked"] == 100


def test_the_dashboard_says_how_many_pathways_are_set_aside(net):
    browser = net.world.reporting.application.test_client()
    assert sign_in(browser, net.tokens[net.s1]).status_code == 303
    page = browser.get("/?period=year&year=2026").get_data(as_text=True)
    assert "Parcours mis de côté : 1 parcours de ce périmètre" in page
    browser = net.world.reporting.application.test_client()
    sign_in(browser, net.tokens[net.s2])
    assert "Parcours mis de côté" not in browser.get("/?period=year&year=2026").get_data(
        as_text=True
    )


def test_only_an_admin_may_retry_a_parked_pathway(net):
    assert _retry(net, net.poisoned.id, bearer(net.network_token)).status_code == 403
    assert _retry(net, net.poisoned.id, bearer(net.tokens[net.s1])).status_code == 403
    assert _retry(net, net.poisoned.id, {}).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "outcomes/parked/{healthy}",
        "outcomes/parked/nope",
        "nope/parked/{poisoned}",
        "reference/parked/{poisoned}",
    ],
)
def test_retrying_what_is_not_parked_is_a_404_problem(net, path):
    target = path.format(healthy=net.healthy.id, poisoned=net.poisoned.id)
    r = net.world.reporting.post(f"/v1/projections/{target}/retry", headers=net.world.admin)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "mis de côté" in r.json["detail"]


def test_a_retry_that_fails_again_is_a_409_and_keeps_the_pathway_parked(net):
    r = _retry(net, net.poisoned.id)
    assert r.status_code == 409
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json["detail"].startswith("Le parcours reste mis de côté")
    assert _outcomes(net)["parked"] == 1


def test_the_retry_heals_the_pathway_once_the_code_reads_the_event(net, monkeypatch):
    before = net.world.reporting.get(REPORT, headers=net.world.admin).json["total"]
    # The code of a later release: it knows the newer version.
    monkeypatch.setitem(ev.SCHEMA_VERSION, SUPPORT, NEWER)
    monkeypatch.setitem(ev.UPCASTERS, (SUPPORT, NEWER - 1), dict)
    r = _retry(net, net.poisoned.id)
    assert r.status_code == 200, r.json
    assert r.json == {"name": "outcomes", "pathway_id": net.poisoned.id, "status": "applied"}
    outcomes = _outcomes(net)
    assert (outcomes["parked"], outcomes["oldest_parked"]) == (0, None)
    report = net.world.reporting.get(REPORT, headers=net.world.admin).json
    assert report["parked_pathways"] == 0
    assert report["total"]["entries"] == before["entries"] + 1
    assert report["total"]["support_actions"] == before["support_actions"] + 1
    assert _retry(net, net.poisoned.id).status_code == 404
