"""Counted exits computed by hand the State's way (docs/domain.md §8), through the HTTP API.

Structures: A "ACI des Prés" (ACI), B "AI du Port" (AI), C "EITI des Quais" (EITI), all in 29.

| pw | str | first hire | exit       | hours | counted? (rule)                                 |
|----|-----|------------|------------|-------|-------------------------------------------------|
| A1 | A   | 2025-04-01 | 2025-06-30 | 150   | no: 90 days since the hire (opened in January)  |
| A2 | A   | 2025-01-10 | 2025-06-30 | none  | no: no hour declared                            |
| A3 | A   | 2025-02-01 | 2025-05-04 | 120   | yes: 92 days ≥ 3 × 365/12 = 91.25               |
| B1 | B   | 2025-02-01 | 2025-04-30 | 150   | yes: exactly 150 h                              |
| B2 | B   | 2025-02-01 | 2025-04-30 | 149.5 | no: under 150 h                                 |
| C1 | C   | none       | 2025-03-10 | none  | yes: every EITI exit counts (five weeks)        |

All exits are to a CDI (emploi durable).
"""

from __future__ import annotations

import pytest
from worlds import world  # noqa: F401  (fixture)

from tests.support import bearer, catch_up_to

YEAR = "from=2025-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def state_rules(world):  # noqa: F811  (the fixture imported from worlds)
    net = world.network()
    a = net.structure("ACI des Prés", "ACI", "29")
    b = net.structure("AI du Port", "AI", "29")
    c = net.structure("EITI des Quais", "EITI", "29")
    net.group("GES Finistère", [(a, "2024-01-01", None)])
    net.load_reference()
    pathways = []

    a1 = net.open(a, "2025-01-10", "F", "26_49", ["RSA"])
    k = a1.contract("2025-04-01", "2025-09-30")
    for month in ("2025-04", "2025-05", "2025-06"):
        a1.hours(month, 50)
    a1.end_contract(k, "2025-06-30")
    a1.exit("2025-06-30", "cdi")
    pathways.append(a1)

    a2 = net.open(a, "2025-01-10", "M", "26_49", ["RSA"])
    k = a2.contract("2025-01-10", "2025-09-30")
    a2.end_contract(k, "2025-06-30")
    a2.exit("2025-06-30", "cdi")
    pathways.append(a2)

    a3 = net.open(a, "2025-02-01", "F", "26_49", ["RSA"])
    k = a3.contract("2025-02-01", "2025-09-30")
    for month in ("2025-02", "2025-03", "2025-04"):
        a3.hours(month, 40)
    a3.end_contract(k, "2025-05-04")
    a3.exit("2025-05-04", "cdi")
    pathways.append(a3)

    for hours_in_march in (50, 49.5):
        p = net.open(b, "2025-02-01", "F", "26_49", ["RSA"])
        k = p.contract("2025-02-01", "2025-09-30", weekly=20)
        p.hours("2025-02", 100)
        p.hours("2025-03", hours_in_march)
        p.end_contract(k, "2025-04-30")
        p.exit("2025-04-30", "cdi")
        pathways.append(p)

    c1 = net.open(c, "2025-02-01", "M", "26_49", ["RSA"])
    c1.exit("2025-03-10", "cdi")
    pathways.append(c1)

    catch_up_to(world.settings, max(p.last_position for p in pathways))
    return {"world": world, "kinds": {a: "ACI", b: "AI", c: "EITI"}, "pathways": pathways}


def test_counted_exits_follow_the_states_rule_for_each_kind(state_rules):
    here = state_rules["world"]
    r = here.reporting.get(f"/v1/reports/outcomes?{YEAR}&group_by=structure", headers=here.admin)
    assert r.status_code == 200, r.get_data(as_text=True)
    by_kind = {
        state_rules["kinds"][row["key"]["structure"]]: (row["exits"], row["counted_exits"])
        for row in r.json["rows"]
        if row["key"]["structure"] in state_rules["kinds"]
    }
    assert by_kind == {"ACI": (3, 1), "AI": (2, 1), "EITI": (1, 1)}


def test_each_pathway_view_says_what_the_report_counts(state_rules):
    views = [
        p.client.get(f"/v1/pathways/{p.id}", headers=bearer(p.token))
        for p in state_rules["pathways"]
    ]
    assert [v.json["exit"]["counted"] for v in views] == [False, False, True, True, False, True]
