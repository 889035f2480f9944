"""ETP conventionnés vs réalisés, computed by hand, through the HTTP API (docs/domain.md §6, §6b,
docs/adr/0012-etp-attribution.md).

- The Vallon ACI's annexe funds 2 ETP, 3 from 1 July 2025 (avenant), reference 1,607 h; one
  person declares 150, 140, 160 h (April–June) and 130, 120, 150 h (July–September).
  Year 2025: conventioned (6 × 2 + 6 × 3) / 12 = 2.5; realised 850 × 12 / 1,607 / 12 = 0.528936;
  rate 0.211574. Q3: 3; 400 × 12 / 1,607 / 3 = 0.995644; 0.331881. June: 2; 160 × 12 / 1,607 =
  1.194773; 0.597387. The outcome report's `etp` is the realised figure for each period.
- The Port EI has two annexes: B1 (1 ETP, 1 Jan–15 Jun) and B2 (2 ETP, reference 1,600, from 16
  Jun): June belongs to B1 (it covers the 1st), July to B2. 100 h in June and 100 h in July:
  B1 0.5 conventioned, 100 × 12 / 1,820 / 12 = 0.054945 realised; B2 1.0 and 0.0625.
- The Dune ACI has only a draft annexe (ignored): 182 h (default measure) and 91 h (ACI_MP) in
  March are outside any annexe: 0.1 and 0.05 realised, nothing conventioned, rate null.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from worlds import world  # noqa: F401  (fixture)

from tests.support import bearer, catch_up_to

T = date.today()
LAST = T.replace(day=1) - timedelta(days=1)  # the last complete month
YEAR = "from=2025-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811
    net = world.network()
    aci = net.structure("ACI du Vallon", "ACI", "56")
    ei = net.structure("EI du Port", "EI", "29")
    dune = net.structure("ACI de la Dune", "ACI", "29")
    low = net.structure("ACI du Lent", "ACI", "35")
    high = net.structure("ACI du Vif", "ACI", "35")
    ges = net.group("GES de l'Ouest", [(aci, "2024-01-01", None), (ei, "2024-01-01", None)])
    here = world
    a1 = net.annex(aci, "ACI056250001A0M0", "ACI_DC", "VALIDE", "2025-01-01", "2025-12-31", 2, 1607)
    r = here.registry.post(
        f"/v1/annexes/{a1}/amendments",
        headers=here.admin,
        json={"number": "ACI056250001A1M0", "effective_on": "2025-07-01", "etp_conventioned": 3},
    )
    assert r.status_code == 201, r.json
    b1 = net.annex(ei, "EI0292500001A0M0", "EI_DC", "VALIDE", "2025-01-01", "2025-06-15", 1)
    b2 = net.annex(
        ei, "EI0292500002A0M0", "EI_DC", "PROVISOIRE", "2025-06-16", "2025-12-31", 2, 1600
    )
    net.annex(dune, "ACI029250001A0M0", "ACI_DC", "BROUILLON", "2025-01-01", "2025-12-31", 5)
    year = f"{LAST.year}-01-01"
    end = f"{LAST.year}-12-31"
    net.annex(low, f"ACI035{LAST.year % 100}0001A0M0", "ACI_DC", "VALIDE", year, end, 10)
    net.annex(high, f"ACI035{LAST.year % 100}0002A0M0", "ACI_DC", "VALIDE", year, end, 0.1)
    net.load_reference()

    p = net.open(aci, "2025-04-01", "F", "26_49", ["RSA"])
    p.contract("2025-04-01", "2025-12-31")
    for month, hours in (
        ("04", 150),
        ("05", 140),
        ("06", 160),
        ("07", 130),
        ("08", 120),
        ("09", 150),
    ):
        p.hours(f"2025-{month}", hours)
    q = net.open(ei, "2025-06-02", "M", "26_49", ["RSA"])
    q.contract("2025-06-02", "2025-12-31")
    q.hours("2025-06", 100)
    q.hours("2025-07", 100)
    d1 = net.open(dune, "2025-03-03", "F", "26_49", ["RSA"])
    d1.contract("2025-03-03", "2025-12-31")
    d1.hours("2025-03", 182)
    d2 = net.open(dune, "2025-03-03", "F", "26_49", ["RSA"], measure="ACI_MP")
    d2.contract("2025-03-03", "2025-12-31")
    d2.hours("2025-03", 91)
    slow = net.open(low, f"{LAST.year}-01-05", "F", "26_49", ["RSA"])
    slow.contract(f"{LAST.year}-01-05", f"{LAST.year}-12-31")
    slow.hours(LAST.strftime("%Y-%m"), 100)
    fast = net.open(high, f"{LAST.year}-01-05", "F", "26_49", ["RSA"])
    fast.contract(f"{LAST.year}-01-05", f"{LAST.year}-12-31")
    fast.hours(LAST.strftime("%Y-%m"), 250)
    catch_up_to(world.settings, max(x.last_position for x in (p, q, d1, d2, slow, fast)))
    return {
        "world": world,
        "net": net,
        "aci": aci,
        "ei": ei,
        "dune": dune,
        "low": low,
        "high": high,
        "ges": ges,
        "a1": a1,
        "b1": b1,
        "b2": b2,
    }


def etp(scene, query: str, token: dict | None = None):
    here = scene["world"]
    r = here.reporting.get(f"/v1/reports/etp?{query}", headers=token or here.admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def outcome_etp(scene, query: str) -> float:
    here = scene["world"]
    r = here.reporting.get(f"/v1/reports/outcomes?{query}", headers=here.admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["total"]["etp"]


@pytest.mark.parametrize(
    ("period", "conventioned", "realised", "rate"),
    [
        (YEAR, 2.5, 850 * 12 / 1607 / 12, 850 / 1607 / 2.5),
        ("from=2025-07-01&to=2025-09-30", 3.0, 400 * 12 / 1607 / 3, 400 * 4 / 1607 / 3),
        ("from=2025-06-01&to=2025-06-30", 2.0, 160 * 12 / 1607, 160 * 12 / 1607 / 2),
    ],
)
def test_the_hand_computed_annex_with_its_avenant(scene, period, conventioned, realised, rate):
    report = etp(scene, f"{period}&structure_id={scene['aci']}")
    assert report["group_by"] == ["annex"]
    [row] = report["rows"]
    assert row["key"] == {"annex": scene["a1"]}
    assert row["label"] == {"annex": "ACI056250001A0M0"}
    for got in (row, report["total"]):
        assert got["etp_conventioned"] == pytest.approx(conventioned, abs=1e-6)
        assert got["etp_realised"] == pytest.approx(realised, abs=1e-6)
        assert got["consumption_rate"] == pytest.approx(rate, abs=1e-6)
        assert got["hours_outside_annex"] == 0
    assert round(realised, 6) in (0.528936, 0.995644, 1.194773)
    assert outcome_etp(scene, f"{period}&structure_id={scene['aci']}") == pytest.approx(realised)


def test_a_month_belongs_to_the_annex_covering_its_first_day(scene):
    report = etp(scene, f"{YEAR}&structure_id={scene['ei']}")
    rows = {r["key"]["annex"]: r for r in report["rows"]}
    assert set(rows) == {scene["b1"], scene["b2"]}
    b1, b2 = rows[scene["b1"]], rows[scene["b2"]]
    assert (b1["etp_conventioned"], b1["hours_worked"]) == (pytest.approx(0.5), 100)
    assert b1["etp_realised"] == pytest.approx(100 * 12 / 1820 / 12)
    assert (b2["etp_conventioned"], b2["hours_worked"]) == (pytest.approx(1.0), 100)
    assert b2["etp_realised"] == pytest.approx(0.0625)
    both = 100 * 12 / 1820 / 12 + 0.0625
    assert report["total"]["etp_realised"] == pytest.approx(both)
    assert outcome_etp(scene, f"{YEAR}&structure_id={scene['ei']}") == pytest.approx(both)


def test_hours_outside_any_annex_and_a_draft_ignored_by_measure(scene):
    report = etp(scene, f"{YEAR}&structure_id={scene['dune']}&group_by=measure")
    rows = {r["key"]["measure"]: r for r in report["rows"]}
    assert set(rows) == {"ACI_DC", "ACI_MP"}
    assert rows["ACI_MP"]["label"] == {
        "measure": "Atelier et chantier d'insertion (milieu pénitentiaire)"
    }
    assert rows["ACI_DC"]["etp_realised"] == pytest.approx(182 / 1820)
    assert rows["ACI_MP"]["etp_realised"] == pytest.approx(91 / 1820)
    total = report["total"]
    assert (total["etp_conventioned"], total["consumption_rate"]) == (0, None)
    assert total["hours_outside_annex"] == total["hours_worked"] == 273
    by_annex = etp(scene, f"{YEAR}&structure_id={scene['dune']}")
    assert [(r["key"], r["label"]) for r in by_annex["rows"]] == [
        ({"annex": None}, {"annex": "Hors annexe financière"})
    ]


def test_group_by_annex_and_month(scene):
    report = etp(
        scene, f"from=2025-06-01&to=2025-07-31&structure_id={scene['ei']}&group_by=annex,month"
    )
    got = {(r["key"]["annex"], r["key"]["month"]): r["etp_conventioned"] for r in report["rows"]}
    assert got == {(scene["b1"], "2025-06"): 1.0, (scene["b2"], "2025-07"): 2.0}
    months = etp(scene, f"{YEAR}&structure_id={scene['aci']}&group_by=month")
    assert [r["key"]["month"] for r in months["rows"]][:2] == ["2025-01", "2025-02"]
    assert len(months["rows"]) == 12 and months["rows"][6]["label"] == {"month": "juillet 2025"}
    assert months["rows"][6]["etp_conventioned"] == 3.0


def test_scopes_structure_own_group_members_territory_its_area(scene):
    net, here = scene["net"], scene["world"]
    own = etp(scene, YEAR, bearer(net.tokens[scene["aci"]]))
    assert {r["key"]["annex"] for r in own["rows"]} == {scene["a1"]}
    r = here.reporting.get(
        f"/v1/reports/etp?structure_id={scene['ei']}", headers=bearer(net.tokens[scene["aci"]])
    )
    assert r.status_code == 403
    group = etp(
        scene, f"{YEAR}&group_by=structure", bearer(net.token("group", group_id=scene["ges"]))
    )
    assert {r["key"]["structure"] for r in group["rows"]} == {scene["aci"], scene["ei"]}
    # A territory reads the ETP of its area's structures (it was refused, 403, before the report
    # was scoped by dated locations): the Vallon ACI alone in the Morbihan (56).
    territory = bearer(net.token("territory", department="56"))
    mine = etp(scene, f"{YEAR}&group_by=structure", territory)
    assert {r["key"]["structure"] for r in mine["rows"]} == {scene["aci"]}
    assert mine["total"]["etp_conventioned"] == 2.5
    outside = f"/v1/reports/etp?structure_id={scene['ei']}"
    assert here.reporting.get(outside, headers=territory).status_code == 403
    assert here.reporting.get("/v1/reports/etp?department=29", headers=territory).status_code == 403
    later = here.reporting.get(f"/v1/reports/etp?as_of_position={2**40}", headers=here.admin)
    assert later.status_code == 422 and "pas encore atteint" in later.json["detail"]


def test_csv_and_xlsx_parse(scene):
    here = scene["world"]
    query = f"/v1/reports/etp?{YEAR}&structure_id={scene['aci']}"
    text = here.reporting.get(query + "&format=csv", headers=here.admin).data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == [
        "Annexe financière",
        "ETP conventionnés",
        "ETP réalisés",
        "Taux de consommation (%)",
        "Heures travaillées",
        "Heures hors annexe",
    ]
    assert lines[1][:3] == ["ACI056250001A0M0", "2,50", "0,53"]
    book = load_workbook(
        io.BytesIO(here.reporting.get(query + "&format=xlsx", headers=here.admin).data)
    )
    sheet = book.active
    assert sheet["A2"].value == "ACI056250001A0M0"
    assert sheet["B2"].value == pytest.approx(2.5)


def test_the_two_consumption_alerts(scene):
    here = scene["world"]
    found = {}
    for name in ("low", "high"):
        r = here.reporting.get(f"/v1/alerts?structure_id={scene[name]}", headers=here.admin)
        assert r.status_code == 200, r.json
        found[name] = [
            (a["pathway_id"], a["structure_id"], a["code"])
            for a in r.json["items"]
            if a["code"].startswith("annex_")
        ]
    assert found == {
        "low": [(None, scene["low"], "annex_under_consumption")],
        "high": [(None, scene["high"], "annex_over_consumption")],
    }
    r = here.reporting.get("/v1/alerts?code=annex_over_consumption", headers=here.admin)
    [alert] = r.json["items"]
    assert alert["message"].startswith(f"Annexe ACI035{LAST.year % 100}0002A0M0 : ")


def test_a_territory_reads_the_consumption_alerts_of_its_area_only(scene):
    net, here = scene["net"], scene["world"]
    codes = {}
    for department in ("35", "56"):
        token = bearer(net.token("territory", department=department))
        r = here.reporting.get("/v1/alerts", headers=token)
        assert r.status_code == 200, r.json
        codes[department] = {
            (a["pathway_id"], a["structure_id"], a["code"]) for a in r.json["items"]
        }
    assert codes["35"] == {
        (None, scene["low"], "annex_under_consumption"),
        (None, scene["high"], "annex_over_consumption"),
    }
    # The Morbihan holds none of those (its one structure's annexe may alert in January).
    assert {structure for _, structure, _ in codes["56"]} <= {scene["aci"]}


def test_a_pathway_measure_is_checked_against_the_structures_kind(scene):
    net = scene["net"]
    here = scene["world"]
    token = net.tokens[scene["ei"]]
    data = {
        "person_id": net._person(token, "F", "26_49"),
        "structure_id": scene["ei"],
        "orienteur": "03",
        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
        "measure": "ACI_DC",
    }
    r = here.pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=bearer(token),
        json={
            "expected_version": 0,
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": "2025-06-02",
                    "data": data,
                }
            ],
        },
    )
    assert r.status_code == 422
    assert r.json["errors"] == {
        "events.0.data.measure": ["ACI_DC is not a measure of a EI: EI_DC, EI_MP."]
    }
    data["measure"] = "EI_MP"
    r = here.pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=bearer(token),
        json={
            "expected_version": 0,
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": "2025-06-02",
                    "data": data,
                }
            ],
        },
    )
    assert r.status_code == 201, r.json
