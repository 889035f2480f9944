"""The State's readings of ETP, the legal limits and the PASS clock, computed by hand, through the
HTTP API (docs/domain.md §2, §4, §5, §6). Counted exits have their own golden test
(test_golden_state_rules.py).

Dates are relative to today (T), since alerts are those open today.

- ETP (§6): an ACI declares 151.67 h in January 2025 and 140 h in February. By hand,
  (151.67 × 12 / 1,820 + 140 × 12 / 1,820) / 2 = 0.9615 for January–February, and the same for
  15 January–15 February (calendar months, not days). The former reading, hours / (1,820 × days /
  365.25), gave 0.9635 and 1.7946.
- 480 hours (§5): an AI puts its employee at company A's disposal for 300 h, then company B's for
  300 h: one window of 600 h, all companies together, so `ai_480_hours` (a warning on the second
  MAD, an alert). Counted per company, as before, nothing was raised.
- Missions (§5): in an ETTI, E1 has two missions of about 13 and 15 months: nothing; E2 has one
  mission running for 25 months: `mission_24_months`. Summed per pathway, as before, E1 was alerted.
- PASS (§4): an opening with a PASS start only ends on start + 730 days − 1 (the end used to be
  required); a PASS that ended at T−471 makes an employer's diagnosis at T−10 fall in the waiting
  period, `pass_waiting_period` (nothing was said before); a prescriber's raises nothing.
- Territories (§2): a structure in 975, a collectivité d'outre-mer, is refused (it was filed under
  a pseudo-region).
- Transfers (§8): in the GES of the ACI and an EI, a person leaves the ACI on 30 June 2025 for the
  EI (`autre_siae`, `transferred_to`): the GES's 2025 report shows one internal move, no exit,
  and one entry (the ACI's own opening of January and the mover's of March; the EI's opening of
  July is the same person moving on) — it counted an exit and an extra entry before.
- Small cells (§10): an ETTI's `sex` breakdown has a single row of 2 men: hidden, and so is the
  total that would give it back; the structure itself sees 2.
- Personal data (§10): the mover's PASS number is in no event of the feed; its structure reads it.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from builders import siret
from worlds import world  # noqa: F401  (fixture)

from shared.domain.events import SCHEMA_VERSION
from tests.support import bearer, catch_up_to

T = date.today()


def day(offset: int) -> str:
    return (T + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811  (the fixture imported from worlds)
    net = world.network()
    aci = net.structure("ACI du Vallon", "ACI", "56")
    ai = net.structure("AI de la Rade", "AI", "56")
    etti = net.structure("ETTI du Littoral", "ETTI", "56")
    net.group("GES du Morbihan", [(aci, "2024-01-01", None)])
    net.load_reference()
    found: dict = {"world": world, "aci": aci}

    etp = net.open(aci, "2025-01-06", "F", "26_49", ["RSA"])
    etp.contract("2025-01-06", "2025-12-31")
    etp.hours("2025-01", 151.67)
    etp.hours("2025-02", 140)

    mad = net.open(ai, day(-310), "F", "26_49", ["RSA"])
    mad.contract(day(-300), day(60))
    mad.mad("entreprise", day(-280), day(-200), 300, siret())
    found["first_mad_warnings"] = mad.warnings
    mad.mad("entreprise", day(-180), day(-100), 300, siret())
    found["second_mad_warnings"] = mad.warnings

    e1 = net.open(etti, day(-800), "M", "26_49", ["RSA"])
    first = e1.contract(day(-800), day(-400), kind="MISSION", weekly=35)
    e1.end_contract(first, day(-400))
    e1.contract(day(-399), day(60), kind="MISSION", weekly=35)
    e2 = net.open(etti, day(-800), "M", "26_49", ["RSA"])
    e2.contract(day(-760), day(60), kind="MISSION", weekly=35)

    ei = net.structure("EI du Port", "EI", "56")
    found["ges"] = net.group("GES du Golfe", [(aci, "2024-01-01", None), (ei, "2024-01-01", None)])
    net.load_reference()
    mover = net.open(aci, "2025-03-03", "F", "26_49", ["RSA"], pass_start="2025-03-03")
    onward = net.open(ei, "2025-07-01", "F", "26_49", ["RSA"], pass_start="2025-03-03")
    moved = {"structure_id": ei, "pathway_id": onward.id}
    mover.append("pathway_exited", "2025-06-30", {"reason": "autre_siae", "transferred_to": moved})

    found.update(mad=mad, e1=e1, e2=e2, mover=mover)
    catch_up_to(world.settings, max(p.last_position for p in (etp, mad, e1, e2, mover, onward)))
    return found


def test_etp_is_a_months_hours_times_twelve_over_the_reference_averaged_by_month(scene):
    here = scene["world"]
    by_hand = round((151.67 * 12 / 1820 + 140 * 12 / 1820) / 2, 4)
    for period in ("from=2025-01-01&to=2025-02-28", "from=2025-01-15&to=2025-02-15"):
        r = here.reporting.get(
            f"/v1/reports/outcomes?{period}&structure_id={scene['aci']}", headers=here.admin
        )
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.json["total"]["etp"] == pytest.approx(by_hand, abs=1e-3)


def test_the_480_hours_count_every_company_together(scene):
    assert scene["first_mad_warnings"] == []
    assert [w["code"] for w in scene["second_mad_warnings"]] == ["ai_480_hours"]
    assert "600 h" in scene["second_mad_warnings"][0]["message"]
    assert "toutes entreprises confondues" in scene["second_mad_warnings"][0]["message"]
    here, mad = scene["world"], scene["mad"]
    view = here.pathways.get(f"/v1/pathways/{mad.id}", headers=bearer(mad.token)).json
    assert "ai_480_hours" in [a["code"] for a in view["alerts"]]
    r = here.reporting.get(f"/v1/alerts?structure_id={mad.structure_id}", headers=here.admin)
    assert [(a["pathway_id"], a["code"]) for a in r.json["items"]] == [(mad.id, "ai_480_hours")]


def test_the_24_months_of_a_mission_are_those_of_each_contract(scene):
    here = scene["world"]
    r = here.reporting.get(
        f"/v1/alerts?structure_id={scene['e1'].structure_id}&code=mission_24_months",
        headers=here.admin,
    )
    assert [a["pathway_id"] for a in r.json["items"]] == [scene["e2"].id]
    views = {
        p.id: here.pathways.get(f"/v1/pathways/{p.id}", headers=bearer(p.token)).json
        for p in (scene["e1"], scene["e2"])
    }
    assert "mission_24_months" not in [a["code"] for a in views[scene["e1"].id]["alerts"]]
    assert "mission_24_months" in [a["code"] for a in views[scene["e2"].id]["alerts"]]


def test_the_pass_clock_computes_the_end_and_warns_of_the_waiting_period(scene):
    here = scene["world"]
    net = here.network()
    ai = net.structure("AI du Moulin", "AI", "56")
    token = net.tokens[ai]
    person_id = net._person(token, "F", "26_49")
    earlier = _open(here, token, ai, person_id, day(-1200), "prescriber", pass_start=day(-1200))
    assert earlier.status_code == 201, earlier.json
    assert earlier.json["warnings"] == []
    shown = here.pathways.get(
        f"/v1/pathways/{earlier.json['pathway_id']}", headers=bearer(token)
    ).json
    assert shown["pass_iae"]["end_on"] == day(-1200 + 729)  # start + 730 days - 1
    employer = _open(here, token, ai, person_id, day(-10), "employer")
    assert employer.status_code == 201, employer.json
    assert [w["code"] for w in employer.json["warnings"]] == ["pass_waiting_period"]
    prescriber = _open(here, token, ai, person_id, day(-10), "prescriber")
    assert prescriber.status_code == 201 and prescriber.json["warnings"] == []


def test_a_move_between_two_members_of_a_ges_is_an_internal_move(scene):
    here = scene["world"]
    r = here.reporting.get(
        f"/v1/reports/outcomes?from=2025-01-01&to=2025-12-31&group_id={scene['ges']}",
        headers=here.admin,
    )
    assert r.status_code == 200, r.json
    total = r.json["total"]
    assert (total["entries"], total["exits"], total["internal_moves"]) == (2, 0, 1)


def test_a_lonely_small_cell_is_not_given_back_by_the_total(scene):
    here, e1 = scene["world"], scene["e1"]
    query = f"/v1/reports/outcomes?group_by=sex&structure_id={e1.structure_id}"
    seen = here.reporting.get(query, headers=here.admin).json
    assert [(r["key"]["sex"], r["suppressed"]) for r in seen["rows"]] == [("M", True)]
    assert seen["total"]["suppressed"] is True and seen["total"]["active"] is None
    own = here.reporting.get(query, headers=bearer(e1.token)).json
    assert [(r["key"]["sex"], r["active"]) for r in own["rows"]] == [("M", 2)]


def test_the_pass_number_stays_with_the_structure(scene):
    here, mover = scene["world"], scene["mover"]
    feed = here.pathways.get("/v1/feed?after=0&limit=5000", headers=here.admin).json
    opening = next(e for e in feed["events"] if e["pathway_id"] == mover.id)
    current = SCHEMA_VERSION["pathway_opened"]  # the feed serves every event in its current shape
    assert opening["schema_version"] == current and "number" not in opening["data"]["pass_iae"]
    assert "999990000001" not in str(feed)
    view = here.pathways.get(f"/v1/pathways/{mover.id}", headers=bearer(mover.token)).json
    assert view["pass_iae"]["number"] == "999990000001"


def test_a_collectivite_d_outre_mer_is_not_a_departement(scene):
    here = scene["world"]
    r = here.registry.post(
        "/v1/structures",
        headers=here.admin,
        json={"siret": siret(), "name": "AI de Saint-Pierre", "kind": "AI", "department": "975"},
    )
    assert r.status_code == 422
    assert "department" in r.json["errors"]


def _open(here, token, structure_id, person_id, on, diagnosed_by, pass_start=None):
    """Open a pathway for an existing person; the answer of the pathways service."""
    data = {
        "person_id": person_id,
        "structure_id": structure_id,
        "orienteur": "03",
        "eligibility": {"diagnosed_by": diagnosed_by, "criteria": ["RSA"]},
    }
    if pass_start:
        data["pass_iae"] = {"number": "999990000002", "start_on": pass_start}
    pathway_id = str(uuid.uuid4())
    event = {"id": str(uuid.uuid4()), "type": "pathway_opened", "occurred_on": on, "data": data}
    return here.pathways.post(
        f"/v1/pathways/{pathway_id}/events",
        headers=bearer(token),
        json={"expected_version": 0, "events": [event]},
    )
