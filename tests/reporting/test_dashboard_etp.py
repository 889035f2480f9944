"""The dashboard's « ETP » page over HTTP: the ETP report's figures in French, the consumption
alert, the API's own files, and a French page for a caller the report refuses.

The Vallon ACI's annexe funds 2 ETP in 2025, 3 from 1 July (avenant), reference 1,607 h; one
person works 850 h from April to September: 2.5 ETP conventionnés, 850 × 12 / 1,607 / 12 =
0.528936 réalisés, 21.2 % consumed (under the 90 % threshold). An EI without any annexe works
182 h in March: outside any annexe.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from worlds import world  # noqa: F401  (fixture)

from services.reporting.dashboard.format import count, etp, rate
from tests import support
from tests.reporting import dashboard_seed as seed
from tests.support import bearer, catch_up_to

PAGE = "/etp?period=year&year=2025"
API = "/v1/reports/etp?from=2025-01-01&to=2025-12-31"


@pytest.fixture(scope="module")
def scene(world):  # noqa: F811
    if hasattr(support, "admin_token"):  # a bootstrap ADMIN_TOKEN only creates admin tokens
        world.admin.update(bearer(support.admin_token(world.settings)))
    net = world.network()
    aci = net.structure("ACI du Vallon", "ACI", "56")
    ei = net.structure("EI du Port", "EI", "29")
    net.group("GES de l'Ouest", [(aci, "2024-01-01", None)])
    body = {
        "number": "ACI056250001A0M0",
        "measure": "ACI_DC",
        "state": "VALIDE",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
        "etp_conventioned": 2,
        "reference_hours": 1607,
    }
    r = world.registry.post(f"/v1/structures/{aci}/annexes", headers=world.admin, json=body)
    assert r.status_code == 201, r.json
    amendment = {"number": "ACI056250001A1M0", "effective_on": "2025-07-01", "etp_conventioned": 3}
    r = world.registry.post(
        f"/v1/annexes/{r.json['id']}/amendments", headers=world.admin, json=amendment
    )
    assert r.status_code == 201, r.json
    net.load_reference()
    p = net.open(aci, "2025-04-01", "F", "26_49", ["RSA"])
    p.contract("2025-04-01", "2025-12-31")
    for month, hours in (("04", 150), ("05", 140), ("06", 160), ("07", 130), ("08", 120)):
        p.hours(f"2025-{month}", hours)
    p.hours("2025-09", 150)
    q = net.open(ei, "2025-03-03", "M", "26_49", ["RSA"])
    q.contract("2025-03-03", "2025-12-31")
    q.hours("2025-03", 182)
    catch_up_to(world.settings, max(p.last_position, q.last_position))
    return {"world": world, "net": net, "aci": aci, "ei": ei}


@pytest.fixture
def browser(scene):
    return scene["world"].reporting.application.test_client()


def signed_in(scene, browser, token: str):
    answer = seed.sign_in(browser, token)
    assert answer.status_code == 303
    return browser


def kpi(html: str, name: str) -> str:
    found = re.search(rf'data-metric="{name}"><dt>[^<]*</dt><dd>([^<]*)</dd>', html)
    assert found, f"no headline figure {name}"
    return found.group(1)


def test_the_page_shows_the_report_s_figures_in_french(scene, browser):
    token = scene["net"].tokens[scene["aci"]]
    signed_in(scene, browser, token)
    api = scene["world"].reporting.get(API, headers=bearer(token)).json
    page = browser.get(PAGE)
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>ETP conventionnés et réalisés</h1>" in html
    assert kpi(html, "etp_conventioned") == etp(api["total"]["etp_conventioned"]) == "2,50"
    assert kpi(html, "etp_realised") == etp(api["total"]["etp_realised"]) == "0,53"
    assert kpi(html, "consumption_rate") == rate(api["total"]["consumption_rate"])
    assert rate(api["total"]["consumption_rate"]).startswith("21,2")
    assert kpi(html, "hours_worked") == count(850) == "850"
    assert '<th scope="row">ACI056250001A0M0</th>' in html
    assert 'aria-current="page">ETP</a>' in html and 'id="chart-etp"' in html


def test_the_consumption_alert_and_each_annex_status(scene, browser):
    signed_in(scene, browser, scene["net"].tokens[scene["aci"]])
    html = browser.get(PAGE).text
    alert = re.search(
        r'<p class="consumption alert" role="status" id="consommation">(.*?)</p>', html, re.S
    )
    assert alert, "no consumption alert"
    text = " ".join(alert.group(1).split())
    assert "sous-consommée" in text and "de janvier 2025 à décembre 2025" in text
    assert rate(0.9) in text and rate(1.05) in text
    assert '<td data-metric="status">Sous-consommation</td>' in html


def test_the_month_table_shows_the_avenant_from_july(scene, browser):
    signed_in(scene, browser, scene["net"].tokens[scene["aci"]])
    html = browser.get(PAGE).text
    detail = html[html.index('id="etp-detail"') :]
    june = re.search(r"<td>juin 2025</td>\s*<td[^>]*>([^<]*)</td>", detail)
    july = re.search(r"<td>juillet 2025</td>\s*<td[^>]*>([^<]*)</td>", detail)
    assert (june.group(1), july.group(1)) == ("2,00", "3,00")


def test_the_downloads_are_the_api_s_own_files(scene, browser):
    token = scene["net"].tokens[scene["aci"]]
    signed_in(scene, browser, token)
    html = browser.get(PAGE).text
    link = re.search(r'id="download-mois-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    got = browser.get(link)
    assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment;")
    api = scene["world"].reporting.get(
        f"{API}&group_by=annex,month&format=csv", headers=bearer(token)
    )
    assert got.data == api.data
    lines = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Annexe financière", "Mois", "ETP conventionnés"]
    link = re.search(r'id="download-annexes-xlsx" href="([^"]+)"', html).group(1)
    book = load_workbook(io.BytesIO(browser.get(link.replace("&amp;", "&")).data))
    assert book.active["A2"].value == "ACI056250001A0M0"
    assert book.active["B2"].value == pytest.approx(2.5)


def test_a_network_token_sees_hours_outside_any_annex(scene, browser):
    signed_in(scene, browser, scene["net"].token("network"))
    html = browser.get(f"{PAGE}&structure_id={scene['ei']}").text
    assert '<th scope="row">Hors annexe financière</th>' in html
    assert kpi(html, "hours_outside_annex") == "182"
    assert kpi(html, "consumption_rate") == "—"
    assert "pas de taux de consommation" in html


def test_a_territory_reads_its_area_and_bad_choices_are_explained(scene, browser):
    # A territory token reads the page since the ETP report is scoped by dated locations (it
    # got a French 403 page before): the Vallon ACI (56), not the Port EI (29).
    signed_in(scene, browser, scene["net"].token("territory", department="56"))
    page = browser.get(PAGE)
    assert page.status_code == 200, page.text
    assert "ACI056250001A0M0" in page.text
    assert '<th scope="row">Hors annexe financière</th>' not in page.text
    outside = browser.get(f"{PAGE}&structure_id={scene['ei']}")
    assert outside.status_code == 403 and "territoire" in outside.text
    signed_in(scene, browser, scene["net"].tokens[scene["aci"]])
    bad = browser.get("/etp?period=custom&from=2025-05-01&to=2025-01-01")
    assert bad.status_code == 422 and "La date de fin précède la date de début." in bad.text
    unknown = browser.get("/etp/export?period=year&year=2025&table=tout&format=csv")
    assert unknown.status_code == 422 and "Tableau inconnu" in unknown.text


def test_the_main_page_links_to_the_etp_page_and_both_send_the_same_headers(scene, browser):
    signed_in(scene, browser, scene["net"].tokens[scene["aci"]])
    home, page = browser.get("/?period=year&year=2025"), browser.get(PAGE)
    assert 'id="nav-etp" href="/etp?period=year&amp;year=2025"' in home.text
    assert set(home.headers.keys()) - {"Set-Cookie"} <= set(page.headers.keys())
    for name, value in home.headers.items():  # the security headers the app sets, if any
        if name not in {"Content-Length", "Set-Cookie", "Date", "Vary", "X-Request-Id"}:
            assert page.headers[name] == value


@pytest.mark.parametrize("who", ["structure", "admin"])
def test_the_outcome_report_s_etp_takes_each_structure_s_own_reference(scene, who):
    """A structure's own report looks only at its annexes for another reference than the usual
    one: the ACI's 1,607 h gives its ETP, the EI (no annexe) keeps the usual 1,820 h, read by
    each structure or by the network alike."""
    served, net = scene["world"], scene["net"]
    expected = {scene["aci"]: 850 * 12 / 1607 / 12, scene["ei"]: 182 * 12 / 1820 / 12}
    for structure_id, etp_year in expected.items():
        headers = bearer(net.tokens[structure_id]) if who == "structure" else served.admin
        answer = served.reporting.get(
            f"/v1/reports/outcomes?from=2025-01-01&to=2025-12-31&structure_id={structure_id}",
            headers=headers,
        )
        assert answer.status_code == 200, answer.json
        assert answer.json["total"]["etp"] == pytest.approx(etp_year)
