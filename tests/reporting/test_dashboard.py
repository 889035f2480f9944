"""The dashboard over HTTP: sign-in, scope, figures equal to the report API's, error pages."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace
from datetime import date

import pytest

from services.reporting.app import create_app
from services.reporting.dashboard.format import count
from tests.reporting import dashboard_seed as seed
from tests.support import bearer

YEAR = date.today().year
OPENED = date(YEAR, 1, 5) if date.today() >= date(YEAR, 1, 6) else date(YEAR - 1, 12, 1)


@pytest.fixture(scope="module")
def seeded(settings, registry, pathways, reporting, admin):
    """One structure with three pathways opened this year, and a second structure with one."""
    mine = seed.structure(registry, admin)
    other = seed.structure(registry, admin, kind="EI", department="75")
    for _ in range(3):
        seed.pathway(pathways, mine, OPENED)
    seed.settle(settings, reporting, admin, seed.pathway(pathways, other, OPENED))
    return mine, other


@pytest.fixture
def browser(services):
    """A fresh cookie jar against the live reporting app."""
    return services["reporting"].app.test_client()


@pytest.fixture
def uncached(settings, services):
    """A reporting app that asks the registry on every request (no 60 s cache)."""
    app = create_app(replace(settings, auth_cache_seconds=0))
    yield app.test_client()
    app.extensions["iae_engine"].dispose()
    app.extensions["iae_redis"].close()


def metric(html: str, name: str) -> str:
    found = re.search(rf'data-metric="{name}">\s*<dt>[^<]*</dt>\s*<dd>([^<]*)</dd>', html)
    assert found, f"no headline indicator {name}"
    return found.group(1)


def test_an_anonymous_visitor_is_asked_for_a_token(browser):
    page = browser.get("/")
    assert page.status_code == 200
    assert 'lang="fr"' in page.text and "Jeton d'accès" in page.text
    assert 'name="csrf_token"' in page.text


def test_the_session_cookie_is_http_only_and_same_site(browser):
    cookie = browser.get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signing_in_redirects_to_the_dashboard_and_never_stores_the_token_in_clear(browser, seeded):
    mine, _ = seeded
    answer = seed.sign_in(browser, mine.token)
    assert answer.status_code == 303
    assert mine.token not in (browser.get_cookie("iae_tableau").value or "")


def test_the_entries_shown_are_those_of_the_report_api(browser, reporting, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    api = reporting.get(
        f"/v1/reports/outcomes?from={YEAR}-01-01&to={date.today()}", headers=bearer(mine.token)
    )
    page = browser.get(f"/?period=year&year={YEAR}")
    assert page.status_code == 200
    assert metric(page.text, "entries") == count(api.json["total"]["entries"]) == "3"


def test_a_sign_in_without_the_form_csrf_token_is_refused(browser, seeded):
    mine, _ = seeded
    browser.get("/")
    answer = browser.post("/sign-in", data={"token": mine.token})
    assert answer.status_code == 400
    assert "Tableau de bord des parcours" not in browser.get("/").text


def test_an_unknown_token_is_refused_at_sign_in(browser):
    answer = seed.sign_in(browser, "pas-un-jeton")
    assert answer.status_code == 401
    assert "Jeton inconnu ou révoqué" in answer.text


def test_a_structure_cannot_read_another_structure_by_editing_the_url(browser, seeded):
    mine, other = seeded
    seed.sign_in(browser, mine.token)
    page = browser.get(f"/?structure_id={other.structure_id}")
    assert page.status_code == 403
    assert "propres données" in page.text
    assert 'data-metric="entries"' not in page.text


def test_a_group_cannot_read_another_group_by_editing_the_url(browser, registry, admin, seeded):
    seed.sign_in(
        browser, seed.token(registry, admin, "group", group_id=seed.group(registry, admin))
    )
    page = browser.get(f"/?group_id={uuid.uuid4()}")
    assert page.status_code == 403
    assert "Ce GES ne peut consulter que ses propres données." in page.text


def test_a_group_sees_the_entries_of_its_members_only(
    browser, settings, registry, reporting, admin, seeded
):
    mine, other = seeded
    group_id = seed.group(registry, admin)
    joined = registry.put(
        f"/v1/groups/{group_id}/members/{mine.structure_id}",
        headers=admin,
        json={"joined_on": f"{YEAR - 1}-01-01"},
    )
    assert joined.status_code == 200, joined.json
    seed.settle(settings, reporting, admin, 0)
    seed.sign_in(browser, seed.token(registry, admin, "group", group_id=group_id))
    page = browser.get(f"/?period=year&year={YEAR}")
    assert metric(page.text, "entries") == "3"
    assert other.name not in page.text


def test_a_network_token_can_narrow_the_page_to_one_structure(browser, registry, admin, seeded):
    _, other = seeded
    seed.sign_in(browser, seed.token(registry, admin, "network"))
    page = browser.get(f"/?period=year&year={YEAR}&structure_id={other.structure_id}")
    assert page.status_code == 200
    assert metric(page.text, "entries") == "1"


def test_a_region_shows_only_the_structures_of_that_region(browser, registry, admin, seeded):
    mine, other = seeded
    seed.sign_in(browser, seed.token(registry, admin, "network"))
    page = browser.get(f"/?period=year&year={YEAR}&region=11&by=structure")
    assert page.status_code == 200
    table = page.text[page.text.index('id="report-table"') :]
    assert other.name in table and mine.name not in table
    # Other tests of the session add structures in region 11: read this structure's own row.
    row = table[table.index(other.name) :]
    assert re.search(r'data-metric="entries">([^<]*)<', row).group(1) == "1"


def test_a_region_filter_offers_no_download_that_would_hold_other_regions(
    browser, registry, admin, seeded
):
    seed.sign_in(browser, seed.token(registry, admin, "network"))
    page = browser.get(f"/?period=year&year={YEAR}&region=11")
    assert page.status_code == 200 and 'id="download-csv"' not in page.text
    assert browser.get(f"/export?format=csv&region=11&year={YEAR}").status_code == 422


def test_the_csv_download_is_the_api_file_of_the_shown_table(browser, reporting, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    query = f"from={YEAR}-01-01&to={date.today()}"
    page = browser.get(f"/?period=custom&{query}&by=month")
    link = re.search(r'id="download-csv" href="([^"]+)"', page.text).group(1)
    download = browser.get(link.replace("&amp;", "&"))
    api = reporting.get(
        f"/v1/reports/outcomes?{query}&group_by=month&format=csv", headers=bearer(mine.token)
    )
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == api.data


def test_an_unknown_download_format_is_refused_in_french(browser, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    answer = browser.get("/export?format=pdf")
    assert answer.status_code == 422
    assert "Choisissez le format CSV ou XLSX." in answer.text


def test_a_period_without_activity_says_so(browser, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    page = browser.get(f"/?period=year&year={YEAR - 5}")
    assert page.status_code == 200
    assert "Aucune donnée pour cette période" in page.text


def test_a_custom_period_ending_before_it_starts_is_explained_in_french(browser, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    page = browser.get(f"/?period=custom&from={YEAR}-03-01&to={YEAR}-02-01")
    assert page.status_code == 422
    assert "La date de fin précède la date de début." in page.text


def test_a_session_whose_token_no_longer_works_shows_the_expired_page(browser, services):
    app = services["reporting"].app
    with app.app_context():
        sealed = app.extensions["iae_dashboard_fernet"].encrypt(b"jeton-revoque").decode()
    with browser.session_transaction() as session:
        session["token"] = sealed
        session["signed_in_at"] = time.time()  # within the session's lifetime
    page = browser.get("/")
    assert page.status_code == 401
    assert "Jeton expiré ou révoqué" in page.text
    assert "Se connecter à nouveau" in page.text


def test_a_token_revoked_after_sign_in_shows_the_revoked_page(uncached, registry, admin):
    token = registry.post("/v1/tokens", headers=admin, json={"scope": "network", "label": "x"})
    seed.sign_in(uncached, token.json["token"])
    assert registry.delete(f"/v1/tokens/{token.json['id']}", headers=admin).status_code == 204
    page = uncached.get("/")
    assert page.status_code == 401
    assert "Jeton expiré ou révoqué" in page.text


def test_a_tampered_session_shows_the_expired_session_page(browser):
    with browser.session_transaction() as session:
        session["token"] = "pas-chiffre"
    page = browser.get("/")
    assert page.status_code == 401
    assert "Session expirée" in page.text


def test_signing_out_forgets_the_token(browser, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    page = browser.get("/")
    answer = browser.post("/sign-out", data={"csrf_token": seed.csrf_of(page.text)})
    assert answer.status_code == 303
    after = browser.get("/")
    assert "Vous êtes déconnecté(e)." in after.text and "Jeton d'accès" in after.text


def test_signing_out_without_the_csrf_token_keeps_the_session(browser, seeded):
    mine, _ = seeded
    seed.sign_in(browser, mine.token)
    assert browser.post("/sign-out", data={}).status_code == 400
    assert 'data-metric="entries"' in browser.get(f"/?year={YEAR}").text


def test_the_dashboard_pages_are_documented_in_the_openapi(reporting):
    paths = reporting.get("/openapi.json").json["paths"]
    assert {"/", "/sign-in", "/sign-out", "/export"} <= set(paths)
