"""No hidden cell of the outcome report can be recomputed by subtraction (docs/domain.md §10).

The GES holds three structures, every pathway opened in 2025:

| structure | women (age band × n) | men (age band × n)                |
|-----------|----------------------|-----------------------------------|
| S1        | 26-49 × 2            | under 26 × 3, 26-49 × 3, 50+ × 2  |
| S2        | 26-49 × 4, 50+ × 2   | 26-49 × 5, 50+ × 2                |
| S3        | 26-49 × 5            | 26-49 × 6                         |

S4, outside the GES, has three women aged 26-49 and nobody else.

By age band (GES): under 26 × 3, 26-49 × 25, 50+ × 6; by sex: women 13, men 21.
"""

from __future__ import annotations

import csv
import io

import pytest
from builders import catch_up_to
from openpyxl import load_workbook
from worlds import world  # noqa: F401  (fixture)

from tests.reporting import dashboard_seed as seed
from tests.support import bearer

YEAR = "from=2025-01-01&to=2025-12-31"
PEOPLE = {
    "S1": {("F", "26_49"): 2, ("M", "under_26"): 3, ("M", "26_49"): 3, ("M", "50_plus"): 2},
    "S2": {("F", "26_49"): 4, ("F", "50_plus"): 2, ("M", "26_49"): 5, ("M", "50_plus"): 2},
    "S3": {("F", "26_49"): 5, ("M", "26_49"): 6},
    "S4": {("F", "26_49"): 3},
}


@pytest.fixture(scope="module")
def net(world):  # noqa: F811  (the fixture imported from worlds)
    n = world.network()
    ids = {
        "S1": n.structure("ACI du Nord", "ACI", "35"),
        "S2": n.structure("EI du Sud", "EI", "44"),
        "S3": n.structure("AI de l'Est", "AI", "35"),
        "S4": n.structure("ETTI de l'Ouest", "ETTI", "22"),
    }
    ges = n.group("GES Trois", [(ids[s], "2024-01-01", None) for s in ("S1", "S2", "S3")])
    n.load_reference()
    last = 0
    for name, cells in PEOPLE.items():
        for (sex, band), count in cells.items():
            for _ in range(count):
                last = n.open(ids[name], "2025-03-01", sex, band, ["RSA"]).last_position
    catch_up_to(world.settings, last)
    n.ids, n.world = ids, world
    n.group_token = n.token("group", group_id=ges)
    n.network_token = n.token("network")
    return n


def _report(net, token: str, query: str) -> dict:
    r = net.world.reporting.get(f"/v1/reports/outcomes?{YEAR}&{query}", headers=bearer(token))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def _assert_nothing_recomputable(net, token: str, dims: list[str], query: str = "") -> dict:
    """Every sum the caller can read (the total, a row of a one-dimension report) minus the
    visible cells adding up to it leaves either nothing hidden or at least two hidden cells."""
    report = _report(net, token, f"group_by={','.join(dims)}&{query}")
    rows = report["rows"]
    hidden = [r for r in rows if r["suppressed"]]
    assert all(r["active"] is None and r["entries"] is None for r in hidden)
    if not report["total"].get("suppressed"):
        assert len(hidden) != 1, hidden
    for dim in dims if len(dims) == 2 else []:
        sums = _report(net, token, f"group_by={dim}&{query}")["rows"]
        for whole in (s for s in sums if not s["suppressed"]):
            cells = [r for r in rows if r["key"][dim] == whole["key"][dim]]
            assert sum(r["suppressed"] for r in cells) != 1, (dim, whole["key"], cells)
    return report


def _by(report: dict, *dims: str) -> dict:
    return {tuple(r["key"][d] for d in dims): r for r in report["rows"]}


def test_one_small_age_band_hides_the_next_smallest_for_the_ges(net):
    report = _assert_nothing_recomputable(net, net.group_token, ["age_band"])
    rows = _by(report, "age_band")
    # 50 and over holds 6 pathways: shown alone, under 26 would be 34 - 25 - 6 = 3.
    assert {k[0]: r["suppressed"] for k, r in rows.items()} == {
        "under_26": True,
        "26_49": False,
        "50_plus": True,
    }
    assert rows[("26_49",)]["active"] == 25 and report["total"]["active"] == 34
    assert "suppressed" not in report["total"]


def test_structures_by_sex_hide_along_both_dimensions(net):
    report = _assert_nothing_recomputable(net, net.group_token, ["structure", "sex"])
    ids = net.ids
    hidden = {k for k, r in _by(report, "structure", "sex").items() if r["suppressed"]}
    # S1's 2 women are hidden; S1's men with them (S1's row), S3's 5 women (the fewest other
    # women, the women's row), then S3's men (S3's row). S2 stays visible.
    assert hidden == {(ids["S1"], "F"), (ids["S1"], "M"), (ids["S3"], "F"), (ids["S3"], "M")}
    assert _by(report, "structure", "sex")[(ids["S2"], "F")]["active"] == 6


def test_sex_by_age_band_leaves_no_hidden_cell_alone_for_the_network(net):
    report = _assert_nothing_recomputable(net, net.network_token, ["sex", "age_band"])
    assert all(r["suppressed"] for r in report["rows"])


def test_a_single_hidden_row_hides_the_total_in_json_csv_and_xlsx(net):
    s4 = net.ids["S4"]
    query = f"group_by=sex&structure_id={s4}"
    report = _assert_nothing_recomputable(net, net.network_token, ["sex"], f"structure_id={s4}")
    assert [r["key"] for r in report["rows"]] == [{"sex": "F"}]
    assert report["rows"][0]["suppressed"] is True
    assert report["total"]["suppressed"] is True
    assert report["total"]["active"] is None and report["total"]["exits_by_category"] is None
    get = net.world.reporting.get
    raw = get(f"/v1/reports/outcomes?{YEAR}&{query}&format=csv", headers=bearer(net.network_token))
    lines = list(csv.reader(io.StringIO(raw.get_data().decode("utf-8-sig")), delimiter=";"))
    width = len(lines[0]) - 1
    assert lines[1:] == [["Femme"] + ["< 5"] * width, ["Total"] + ["< 5"] * width]
    raw = get(f"/v1/reports/outcomes?{YEAR}&{query}&format=xlsx", headers=bearer(net.network_token))
    sheet = load_workbook(io.BytesIO(raw.get_data())).active
    assert list(sheet.iter_rows(min_row=3, values_only=True)) == [("Total",) + ("< 5",) * width]


def test_the_dashboard_shows_a_hidden_total_as_less_than_five(net):
    browser = net.world.reporting.application.test_client()
    seed.sign_in(browser, net.network_token)
    page = browser.get(f"/?period=year&year=2025&structure_id={net.ids['S4']}&by=sex")
    assert page.status_code == 200
    footer = page.text[page.text.index("<tfoot>") : page.text.index("</tfoot>")]
    assert 'data-metric="entries">&lt; 5<' in footer and ">3<" not in footer


def test_a_structure_reading_its_own_data_sees_every_cell_and_the_total(net):
    s4 = net.ids["S4"]
    report = _report(net, net.tokens[s4], "group_by=sex")
    assert [(r["key"]["sex"], r["active"], r["suppressed"]) for r in report["rows"]] == [
        ("F", 3, False)
    ]
    assert report["total"]["active"] == 3 and "suppressed" not in report["total"]
    s1 = net.ids["S1"]
    rows = _by(_report(net, net.tokens[s1], "group_by=sex,age_band"), "sex", "age_band")
    assert {k: (r["active"], r["suppressed"]) for k, r in rows.items()} == {
        ("F", "26_49"): (2, False),
        ("M", "under_26"): (3, False),
        ("M", "26_49"): (3, False),
        ("M", "50_plus"): (2, False),
    }


def test_the_openapi_lets_the_total_be_hidden_like_a_row(net):
    schemas = net.world.reporting.get("/openapi.json").json["components"]["schemas"]
    total = schemas["Report"]["properties"]["total"]
    found = schemas[total["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert found["suppressed"]["type"] == "boolean"
    nullable = {
        name
        for name, prop in found.items()
        if prop.get("nullable") or any(p.get("nullable") for p in prop.get("anyOf", []))
    }
    assert set(found) - nullable == {"suppressed"}
