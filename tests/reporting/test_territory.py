"""The territory scope in reports (docs/domain.md §6c): a DDETS reads its département's structures,
a DREETS its region's, each on the dates the structure was located there; aggregates only, small
cells suppressed, no alert about a pathway; the dashboard shows the area in French."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import catch_up_to
from worlds import world  # noqa: F401  (fixture)

from services.reporting.catchup import jobs
from tests.reporting import dashboard_seed as seed
from tests.support import bearer

Y = date.today().year - 1  # a whole past year: every date below has happened
MOVED_ON = f"{Y}-06-01"


@pytest.fixture(scope="module")
def net(world):  # noqa: F811
    n = world.network()
    jobs.configure(world.settings)  # the catch-up of this module's services
    ids = {
        "a35": n.structure("Atelier Rennes", "ACI", "35"),
        "b56": n.structure("Chantier Vannes", "ACI", "56"),
        "c22": n.structure("Entreprise Lannion", "EI", "22"),
        "d29": n.structure("Atelier Brest", "ACI", "29"),
        "e44": n.structure("Atelier Nantes", "ACI", "44"),  # Pays de la Loire (52)
        "mover": n.structure("Atelier Mobile", "ACI", "35"),
    }
    last = 0
    for name in ("a35", "b56", "c22", "d29", "e44"):
        for _ in range(2):
            p = n.open(ids[name], f"{Y}-03-02", "F", "26_49", ["RSA"])
            last = p.last_position
    # The mover: one pathway opened in 35, hours in March (35) and September (56), exit in 56;
    # another opened after the move.
    before = n.open(ids["mover"], f"{Y}-02-10", "M", "26_49", ["RSA"])
    before.contract(f"{Y}-02-10", None)
    before.hours(f"{Y}-03", 100)
    before.hours(f"{Y}-09", 40)
    before.exit(f"{Y}-09-15", "cdi")
    after = n.open(ids["mover"], f"{Y}-08-10", "F", "under_26", ["RSA"])
    # An open pathway of a35 whose PASS ends soon: a pathway-level alert.
    soon = n.open(
        ids["a35"],
        f"{Y}-03-02",
        "M",
        "50_plus",
        ["RSA"],
        pass_start=(date.today() - timedelta(days=700)).isoformat(),
    )
    moved = n.registry.patch(
        f"/v1/structures/{ids['mover']}",
        headers=n.admin,
        json={"department": "56", "moved_on": MOVED_ON},
    )
    assert moved.status_code == 200, moved.json
    catch_up_to(
        world.settings, max(last, before.last_position, after.last_position, soon.last_position)
    )
    jobs.catch_up("reference", patience=0.0)
    n.world, n.ids = world, ids
    n.ddets35 = n.token("territory", department="35")
    n.ddets56 = n.token("territory", department="56")
    n.dreets53 = n.token("territory", region="53")
    return n


def report(net, token: str, **query):
    return net.world.reporting.get(
        "/v1/reports/outcomes",
        headers=bearer(token),
        query_string={"from": f"{Y}-01-01", "to": f"{Y}-12-31", **query},
    )


def structures_in(net, token: str, **query) -> set[str]:
    r = report(net, token, group_by="structure", **query)
    assert r.status_code == 200, r.json
    return {row["key"]["structure"] for row in r.json["rows"]}


def test_a_ddets_reads_its_departement_and_a_dreets_its_region(net):
    ids = net.ids
    assert structures_in(net, net.ddets35) == {ids["a35"], ids["mover"]}
    assert structures_in(net, net.ddets56) == {ids["b56"], ids["mover"]}
    assert structures_in(net, net.dreets53) == {
        ids[k] for k in ("a35", "b56", "c22", "d29", "mover")
    }
    total = report(net, net.dreets53).json["total"]
    assert total["entries"] == 2 * 4 + 1 + 2  # not Nantes's two


@pytest.mark.parametrize("start", [f"{Y}-01-01", f"{Y}-01-02"], ids=["tallies", "pathway rows"])
def test_a_structure_that_moves_counts_where_it_was_on_each_date(net, start):
    mover = net.ids["mover"]
    in35 = report(net, net.ddets35, structure_id=mover, **{"from": start}).json["total"]
    in56 = report(net, net.ddets56, structure_id=mover, **{"from": start}).json["total"]
    assert (in35["entries"], in35["exits"], in35["active"], in35["hours_worked"]) == (1, 0, 1, 100)
    assert (in56["entries"], in56["exits"], in56["active"], in56["hours_worked"]) == (1, 1, 2, 40)
    # The network's département filter follows the same dates.
    network = net.token("network")
    by_filter = report(net, network, structure_id=mover, department="35", **{"from": start})
    assert by_filter.json["total"]["entries"] == 1
    # The region holds both locations: each pathway once.
    in53 = report(net, net.dreets53, structure_id=mover, **{"from": start}).json["total"]
    assert (in53["entries"], in53["exits"], in53["active"], in53["hours_worked"]) == (2, 1, 2, 140)


def test_a_ddets_cannot_read_another_structure_or_area(net):
    assert report(net, net.ddets35, structure_id=net.ids["b56"]).status_code == 403
    assert report(net, net.ddets35, department="56").status_code == 403
    assert report(net, net.ddets35, region="52").status_code == 403
    assert report(net, net.dreets53, department="44").status_code == 403
    assert report(net, net.dreets53, department="29").status_code == 200
    refused = report(net, net.ddets35, structure_id=net.ids["e44"], format="csv")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    # Where it was before its move, the mover's history stays readable.
    assert report(net, net.ddets35, structure_id=net.ids["mover"]).status_code == 200


def test_small_cells_are_suppressed_for_a_territory_as_for_the_network(net):
    r = report(net, net.ddets35, group_by="sex")
    assert r.status_code == 200
    assert r.json["rows"] and all(row["suppressed"] for row in r.json["rows"])
    assert all(row["entries"] is None for row in r.json["rows"])
    exported = report(net, net.ddets35, group_by="sex", format="csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"


def test_a_territory_reads_no_alert_about_a_pathway(net):
    a35 = net.ids["a35"]
    own = net.world.reporting.get("/v1/alerts", headers=bearer(net.tokens[a35]))
    assert own.status_code == 200 and own.json["total"] >= 1
    for query in ({}, {"structure_id": a35}):
        mine = net.world.reporting.get(
            "/v1/alerts", headers=bearer(net.ddets35), query_string=query
        )
        assert mine.status_code == 200 and mine.json["items"] == [] and mine.json["total"] == 0
    other = net.world.reporting.get(
        "/v1/alerts", headers=bearer(net.ddets35), query_string={"structure_id": net.ids["b56"]}
    )
    assert other.status_code == 403


def test_the_registry_dates_a_move_only_with_a_new_departement(net):
    r = net.registry.patch(
        f"/v1/structures/{net.ids['d29']}",
        headers=net.admin,
        json={"name": "Atelier du Ponant", "moved_on": f"{Y}-02-01"},
    )
    assert r.status_code == 422 and "moved_on" in r.json["errors"]


@pytest.mark.parametrize(
    ("token", "area", "shown", "hidden"),
    [
        ("ddets35", "Ille-et-Vilaine (35)", "Atelier Rennes", "Chantier Vannes"),
        ("dreets53", "Région Bretagne", "Atelier Brest", "Atelier Nantes"),
    ],
)
def test_the_dashboard_shows_a_territory_its_area_in_french(net, token, area, shown, hidden):
    browser = net.world.reporting.application.test_client()
    assert seed.sign_in(browser, getattr(net, token)).status_code == 303
    page = browser.get(f"/?year={Y}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Territoire" in html and area in html
    assert shown in html and hidden not in html
    refused = browser.get(f"/?year={Y}&structure_id={net.ids['e44']}")
    assert refused.status_code == 403 and "territoire" in refused.get_data(as_text=True).lower()
    outside = browser.get(f"/?year={Y}&department=44")
    assert outside.status_code == 403
