"""Transfers between members of a GES, through the real services (docs/domain.md §8).

S1 "AI du Lac" (AI), S2 "ACI des Prés" (ACI), S3 "EI du Bourg" (EI).
GES Lac: S1 and S2 since 2024-01-01. GES Bourg: S1 since 2024-01-01, S3 from 2025-05-15.

| pw | str | opened     | exit                                  |
|----|-----|------------|---------------------------------------|
| Pa | S1  | 2024-09-01 | 2025-04-30 autre_siae → Qa            |
| Qa | S2  | 2025-05-01 | open                                  |
| Pb | S1  | 2024-09-01 | 2025-05-10 autre_siae → Qb            |
| Qb | S3  | 2025-05-20 | open                                  |

Pa → Qa is a move inside GES Lac (both members on 2025-04-30). Pb → Qb is not a move inside
GES Bourg: S3 joined it after 2025-05-10, so there it is Pb's exit and, S3 being a member on
2025-05-20, Qb's entry. Outside group reports both are plain exits and entries.
"""

from __future__ import annotations

import pytest
from builders import catch_up_to
from worlds import world  # noqa: F401  (fixture)

from services.reporting.catchup import jobs
from tests.support import bearer, run_worker

YEAR = "from=2025-01-01&to=2025-12-31"
# Not whole months: the pathway rows answer instead of the tallies (services/reporting/reports).
DAYS = "from=2025-01-02&to=2025-12-30"


@pytest.fixture(scope="module")
def net(world):  # noqa: F811
    n = world.network()
    s1 = n.structure("AI du Lac", "AI", "35")
    s2 = n.structure("ACI des Prés", "ACI", "35")
    s3 = n.structure("EI du Bourg", "EI", "35")
    lac = n.group("GES Lac", [(s1, "2024-01-01", None), (s2, "2024-01-01", None)])
    bourg = n.group("GES Bourg", [(s1, "2024-01-01", None), (s3, "2025-05-15", None)])
    n.load_reference()
    qa = n.open(s2, "2025-05-01", "F", "26_49", ["RSA"])
    qb = n.open(s3, "2025-05-20", "M", "26_49", ["RSA"])
    last = qb.last_position
    for target, exit_on in ((qa, "2025-04-30"), (qb, "2025-05-10")):
        p = n.open(s1, "2024-09-01", "F", "26_49", ["RSA"])
        moved = {"structure_id": target.structure_id, "pathway_id": target.id}
        p.append("pathway_exited", exit_on, {"reason": "autre_siae", "transferred_to": moved})
        last = p.last_position
    catch_up_to(world.settings, last)
    n.world, n.ids = world, {"s1": s1, "s2": s2, "s3": s3, "lac": lac, "bourg": bourg}
    return n


def _report(net, query: str) -> dict:
    r = net.world.reporting.get(f"/v1/reports/outcomes?{query}", headers=net.world.admin)
    assert r.status_code == 200, r.json
    return r.json


def _figures(metrics: dict) -> tuple:
    return metrics["entries"], metrics["exits"], metrics["internal_moves"]


@pytest.mark.parametrize("period", [YEAR, DAYS], ids=["tallies", "pathway rows"])
def test_a_transfer_between_two_members_is_an_internal_move_of_their_group(net, period):
    lac = _report(net, f"{period}&group_id={net.ids['lac']}")
    # (entries, exits, internal moves): Pb's exit stays one (S3 is not in GES Lac).
    assert _figures(lac["total"]) == (0, 1, 1)
    assert lac["total"]["exits_by_category"]["sortie_positive"] == 1
    assert lac["total"]["counted_exits"] == 0 and lac["total"]["average_months"] is not None
    by_structure = _report(net, f"{period}&group_id={net.ids['lac']}&group_by=structure")
    rows = {r["key"]["structure"]: _figures(r) for r in by_structure["rows"]}
    assert rows == {net.ids["s1"]: (0, 1, 1), net.ids["s2"]: (0, 0, 0)}


@pytest.mark.parametrize("period", [YEAR, DAYS], ids=["tallies", "pathway rows"])
def test_a_transfer_to_a_structure_that_joined_the_group_later_is_an_exit_and_an_entry(net, period):
    bourg = _report(net, f"{period}&group_id={net.ids['bourg']}")
    assert _figures(bourg["total"]) == (1, 2, 0)
    by_group = _report(net, f"{period}&group_by=group")
    rows = {r["key"]["group"]: _figures(r) for r in by_group["rows"]}
    assert rows == {net.ids["lac"]: (0, 1, 1), net.ids["bourg"]: (1, 2, 0)}


def test_outside_group_reports_a_transfer_stays_an_exit_and_an_entry(net):
    s1 = _report(net, f"{YEAR}&structure_id={net.ids['s1']}")
    assert _figures(s1["total"]) == (0, 2, 0)
    network = _report(net, f"{YEAR}&group_by=structure")
    rows = {r["key"]["structure"]: _figures(r) for r in network["rows"]}
    assert rows == {
        net.ids["s1"]: (0, 2, 0),
        net.ids["s2"]: (1, 0, 0),
        net.ids["s3"]: (1, 0, 0),
    }
    assert _figures(network["total"]) == (2, 2, 0)


def test_the_exports_show_internal_moves_in_french(net):
    r = net.world.reporting.get(
        f"/v1/reports/outcomes?{YEAR}&group_by=group&format=csv", headers=net.world.admin
    )
    lines = r.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[-1] == "Mouvements internes au GES"
    assert sorted(line.split(";")[-1] for line in lines[1:3]) == ["0", "1"]


def test_a_group_token_reads_its_internal_moves(net):
    token = net.token("group", group_id=net.ids["lac"])
    r = net.world.reporting.get(f"/v1/reports/outcomes?{YEAR}", headers=bearer(token))
    assert r.status_code == 200 and _figures(r.json["total"]) == (0, 1, 1)


def test_a_rebuild_gives_the_same_figures(net):
    queries = [f"{period}&group_by=group" for period in (YEAR, DAYS)] + [
        f"{YEAR}&group_id={net.ids['lac']}&group_by=structure",
        f"{YEAR}&group_by=structure",
    ]
    before = [_report(net, q)["rows"] for q in queries]
    r = net.world.reporting.post("/v1/projections/outcomes/rebuild", headers=net.world.admin)
    assert r.status_code == 202
    run_worker(net.world.settings)
    jobs.configure(net.world.settings)
    assert [_report(net, q)["rows"] for q in queries] == before
    assert any(row["internal_moves"] == 1 for row in before[0])
