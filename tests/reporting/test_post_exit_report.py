"""What became of the people after the exit, through the real services (docs/domain.md §8).

S1 "ACI du Port" (ACI, 29): seven exits in 2025, S2 "EI de la Lande" (EI, 29): two.

| pw  | str | exit        | follow-ups                                                   |
|-----|-----|-------------|--------------------------------------------------------------|
| a   | S1  | 2025-01-31  | 1: chomage, 3: cdd_moins_6_mois, 6: cdi                      |
| b   | S1  | 2025-02-28  | 1: inconnu, 6: chomage then cdi (the later one replaces it)  |
| c   | S1  | 2025-03-31  | 6: cdi, voided                                               |
| d…g | S1  | 2025-04-30  | 6: formation_qualifiante for d only                          |
| h,i | S2  | 2025-05-31  | 1: contrat_aide for h                                        |
| j   | S2  | 10 days ago | none yet: its 1-month follow-up is due                       |
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from builders import catch_up_to
from worlds import world  # noqa: F401  (fixture)

from services.reporting.reports.outcomes import DIMENSIONS
from shared.domain.post_exit import due_on
from tests.support import bearer

YEAR = "from=2025-01-01&to=2025-12-31"
# j (S2) exited 10 days ago: its 1-month follow-up is due within 30 days.
RECENT_EXIT = date.today() - timedelta(days=10)


def follow(p, on: str, months: int, situation: str, source: str = "person") -> str:
    data = {"months_after": months, "situation": situation, "source": source}
    return p.append("post_exit_situation_recorded", on, data)


@pytest.fixture(scope="module")
def net(world):  # noqa: F811
    n = world.network()
    s1 = n.structure("ACI du Port", "ACI", "29")
    s2 = n.structure("EI de la Lande", "EI", "29")
    n.group("GES du Finistère", [(s1, "2024-01-01", None), (s2, "2024-01-01", None)])
    n.load_reference()
    made = {}
    for name, sid, exit_on in [
        ("a", s1, "2025-01-31"),
        ("b", s1, "2025-02-28"),
        ("c", s1, "2025-03-31"),
        *((x, s1, "2025-04-30") for x in "defg"),
        ("h", s2, "2025-05-31"),
        ("i", s2, "2025-05-31"),
    ]:
        p = n.open(sid, "2024-06-03", "F", "26_49", ["RSA"])
        p.exit(exit_on, "chomage")
        made[name] = p
    a, b, c, d, h = (made[x] for x in "abcdh")
    follow(a, "2025-03-01", 1, "chomage")
    follow(a, "2025-05-02", 3, "cdd_moins_6_mois", "employer")
    follow(a, "2025-08-01", 6, "cdi")
    follow(b, "2025-03-30", 1, "inconnu", "other")
    follow(b, "2025-08-30", 6, "chomage")
    before_replacing = b.last_position
    follow(b, "2025-09-02", 6, "cdi")
    c.void("2025-10-02", follow(c, "2025-10-01", 6, "cdi"))
    follow(d, "2025-11-01", 6, "formation_qualifiante")
    follow(h, "2025-07-01", 1, "contrat_aide")
    made["j"] = n.open(s2, "2024-06-03", "M", "26_49", ["RSA"])
    made["j"].exit(RECENT_EXIT.isoformat(), "chomage")
    last = max(p.last_position for p in made.values())
    catch_up_to(world.settings, last)
    n.world, n.made, n.ids = world, made, {"s1": s1, "s2": s2}
    n.before_replacing = before_replacing
    return n


def _report(net, query: str, headers: dict | None = None) -> dict:
    r = net.world.reporting.get(
        f"/v1/reports/post-exit?{query}", headers=headers or net.world.admin
    )
    assert r.status_code == 200, r.json
    return r.json


def _figures(metrics: dict) -> tuple:
    return (
        metrics["exits"],
        metrics["followed_1"],
        metrics["followed_3"],
        metrics["followed_6"],
        metrics["in_employment_6_months"],
    )


def test_each_cohort_counts_its_follow_ups_and_those_in_employment_at_6_months(net):
    own = bearer(net.tokens[net.ids["s1"]])
    report = _report(net, f"{YEAR}&structure_id={net.ids['s1']}", own)
    # a and b in employment at 6 months (b's later situation replaced the first), c's voided,
    # d in training (a positive exit, not employment).
    assert _figures(report["total"]) == (7, 2, 1, 3, 2)
    assert report["total"]["rate_in_employment_6_months"] == pytest.approx(2 / 7)
    by_month = _report(net, f"{YEAR}&group_by=month&structure_id={net.ids['s1']}", own)
    rows = {r["key"]["month"]: _figures(r) for r in by_month["rows"]}
    assert rows == {
        "2025-01": (1, 1, 1, 1, 1),
        "2025-02": (1, 1, 0, 1, 1),
        "2025-03": (1, 0, 0, 0, 0),
        "2025-04": (4, 0, 0, 1, 0),
    }


def test_cohorts_under_5_exits_are_suppressed_outside_the_structure(net):
    report = _report(net, f"{YEAR}&group_by=structure")
    rows = {r["key"]["structure"]: r for r in report["rows"]}
    hidden = rows[net.ids["s2"]]
    assert hidden["suppressed"] is True and hidden["exits"] is None
    assert hidden["label"] == {"structure": "EI de la Lande"}
    # S2's 2 exits would be the total minus S1's: S1's cell is hidden too, not the total.
    assert rows[net.ids["s1"]]["suppressed"] is True
    assert _figures(report["total"]) == (9, 3, 1, 3, 2)
    assert report["total"]["suppressed"] is False
    own = _report(net, f"{YEAR}&structure_id={net.ids['s2']}", bearer(net.tokens[net.ids["s2"]]))
    assert _figures(own["total"]) == (2, 1, 0, 0, 0)


@pytest.mark.parametrize("dims", [*DIMENSIONS, "month,kind", "group,month", "criterion,sex"])
def test_every_grouping_has_the_same_total(net, dims):
    """Summed from the rows when each exit is in one row, counted apart otherwise (groups,
    criteria): the total never depends on the grouping."""
    report = _report(net, f"{YEAR}&group_by={dims}")
    assert _figures(report["total"]) == (9, 3, 1, 3, 2)


def test_a_structure_cannot_read_another_structures_cohorts(net):
    r = net.world.reporting.get(
        f"/v1/reports/post-exit?{YEAR}&structure_id={net.ids['s2']}",
        headers=bearer(net.tokens[net.ids["s1"]]),
    )
    assert r.status_code == 403
    assert "propres" in r.json["detail"]


def test_an_unknown_dimension_is_refused_in_french(net):
    r = net.world.reporting.get(
        f"/v1/reports/post-exit?{YEAR}&group_by=situation", headers=net.world.admin
    )
    assert r.status_code == 422
    assert "Dimension inconnue" in str(r.json)


def test_the_report_downloads_as_csv_with_french_headers(net):
    r = net.world.reporting.get(
        f"/v1/reports/post-exit?{YEAR}&group_by=kind&format=csv", headers=net.world.admin
    )
    assert r.status_code == 200
    lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Type de structure", "Sorties", "Suivies à 1 mois"]
    assert lines[1] == ["Atelier et chantier d'insertion", *["< 5"] * 6]
    assert lines[-1] == ["Total", "9", "3", "1", "3", "2", "22,22"]
    xlsx = net.world.reporting.get(
        f"/v1/reports/post-exit?{YEAR}&format=xlsx", headers=net.world.admin
    )
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_a_follow_up_due_is_an_open_alert_of_the_exited_pathway(net):
    own = bearer(net.tokens[net.ids["s2"]])
    r = net.world.reporting.get("/v1/alerts?code=post_exit_due&page_size=100", headers=own)
    assert r.status_code == 200
    # Exits of 2025 are long past their follow-ups' due dates: only j's first one is open.
    assert [(a["pathway_id"], a["due_on"]) for a in r.json["items"]] == [
        (net.made["j"].id, due_on(RECENT_EXIT, 1).isoformat())
    ]
    assert "Suivi à 1 mois après la sortie" in r.json["items"][0]["message"]


def test_group_cohorts_follow_the_membership_dates(net):
    report = _report(net, f"{YEAR}&group_by=group")
    [row] = report["rows"]
    assert row["label"] == {"group": "GES du Finistère"}
    assert _figures(row) == (9, 3, 1, 3, 2)


def test_the_report_as_known_at_a_position_ignores_what_was_recorded_after(net):
    own = bearer(net.tokens[net.ids["s1"]])
    query = f"{YEAR}&structure_id={net.ids['s1']}&as_of_position={net.before_replacing}"
    then = _report(net, query, own)
    assert then["as_of_position"] == net.before_replacing
    # Then, b's 6-month situation was still « chômage », c's and d's not recorded yet.
    assert _figures(then["total"]) == (7, 2, 1, 2, 1)
    assert _figures(_report(net, f"{YEAR}&structure_id={net.ids['s1']}", own)["total"]) == (
        7,
        2,
        1,
        3,
        2,
    )
