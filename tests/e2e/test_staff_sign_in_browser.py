"""The whole staff sign-in in headless Chromium, against a real OpenID provider started by the
tests: choose an account, read one's figures, sign out, and find the old cookie worthless; the
events a staff member's token writes name the account, never the e-mail."""

from __future__ import annotations

import shutil
import tempfile
import uuid

import pytest
import requests
from dateutil.relativedelta import relativedelta
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import text

from tests.e2e.test_browser_dashboard import CHROMIUM_FLAGS, OPENED, choose_month, indicator
from tests.oidc.provider_support import provider_return, start_dashboard, with_state
from tests.reporting import dashboard_seed as seed
from tests.support import bearer

pytestmark = pytest.mark.browser
WAIT_SECONDS = 20
COOKIE = "iae_tableau"


@pytest.fixture(scope="module")
def dashboard(settings, services):
    provider, server = start_dashboard(settings)
    yield provider, server.url
    server.stop()
    provider.stop()


@pytest.fixture(scope="module")
def driver():
    profile = tempfile.mkdtemp(prefix="iae-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--lang=fr-FR"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_window_size(1366, 768)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def two_structures(settings, registry, pathways, reporting, admin):
    """One structure with two pathways opened in the same month, another with one."""
    mine = seed.structure(registry, admin, kind="ACI", department="35")
    other = seed.structure(registry, admin, kind="EI", department="29")
    seed.pathway(pathways, mine, OPENED)
    seed.pathway(pathways, other, OPENED)
    seed.settle(settings, reporting, admin, seed.pathway(pathways, mine, OPENED))
    return mine, other


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def sign_in_at_provider(driver, url: str, email: str) -> None:
    driver.get(url + "/")
    driver.delete_all_cookies()
    driver.get(url + "/")
    driver.find_element(By.ID, "proconnect").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "email"))
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "valider").click()


def test_a_person_chooses_an_account_reads_its_figures_and_signs_out_for_good(
    driver, dashboard, two_structures, registry, admin
):
    _, dashboard = dashboard
    mine, other = two_structures
    email = f"directrice.{uuid.uuid4().hex[:8]}@exemple.fr"
    for structure in (other, mine):
        body = {"email": email, "scope": "structure", "structure_id": structure.structure_id}
        assert registry.post("/v1/staff", headers=admin, json=body).status_code == 201

    sign_in_at_provider(driver, dashboard, email)
    wait_for(driver, lambda d: d.find_elements(By.ID, "choix-compte"))
    choice = next(
        label
        for label in driver.find_elements(By.CSS_SELECTOR, "#choix-compte label")
        if mine.name in label.text
    )
    choice.click()
    driver.find_element(By.ID, "agir").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "selection"))

    who = driver.find_element(By.ID, "connecte").text
    assert email in who and f"Structure — {mine.name}" in who
    choose_month(driver, OPENED)
    assert indicator(driver, "entries") == "2"  # its own two pathways, not the other's one

    driver.get(f"{dashboard}/?structure_id={other.structure_id}")
    assert other.name not in driver.find_element(By.ID, "contenu").text

    cookie = driver.get_cookie(COOKIE)["value"]
    driver.get(dashboard + "/")
    driver.find_element(By.ID, "sign-out").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "proconnect"))
    copy = requests.Session()
    copy.cookies.set(COOKIE, cookie)
    page = copy.get(dashboard + "/", timeout=10).text
    assert 'id="proconnect"' in page and 'class="kpi"' not in page


def test_an_unknown_person_reads_a_french_refusal(driver, dashboard):
    _, dashboard = dashboard
    email = f"inconnu.{uuid.uuid4().hex[:8]}@exemple.fr"
    sign_in_at_provider(driver, dashboard, email)
    wait_for(driver, lambda d: d.find_elements(By.ID, "titre-message"))
    assert driver.find_element(By.ID, "titre-message").text == "Connexion refusée"
    message = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert email in message and "administrateur" in message
    assert not driver.find_elements(By.ID, "sign-out")


def staff_email(registry, admin) -> str:
    email = f"agent.{uuid.uuid4().hex[:8]}@exemple.fr"
    body = {"email": email, "scope": "network"}
    assert registry.post("/v1/staff", headers=admin, json=body).status_code == 201
    return email


def assert_refused(driver) -> None:
    """The French refusal page, and no session: the dashboard still offers to sign in."""
    wait_for(driver, lambda d: d.find_elements(By.ID, "titre-message"))
    assert driver.find_element(By.ID, "titre-message").text == "Connexion refusée"
    assert not driver.find_elements(By.ID, "sign-out")
    driver.find_element(By.CSS_SELECTOR, "#contenu a.button").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "proconnect"))
    assert not driver.find_elements(By.CSS_SELECTOR, ".kpi")


@pytest.mark.parametrize("mode", ["wrong_nonce", "expired", "wrong_key"])
def test_an_id_token_failing_its_checks_is_refused_in_the_browser(
    driver, dashboard, registry, admin, mode
):
    provider, url = dashboard
    email = staff_email(registry, admin)
    provider.next_token(mode)
    sign_in_at_provider(driver, url, email)
    assert_refused(driver)


def test_a_tampered_or_replayed_return_is_refused_in_the_browser(
    driver, dashboard, registry, admin
):
    _, url = dashboard
    email = staff_email(registry, admin)
    elsewhere = requests.Session()
    back = provider_return(elsewhere, url, email)
    driver.get(url + "/")
    driver.delete_all_cookies()

    driver.get(with_state(back, "altere"))
    assert_refused(driver)

    assert elsewhere.get(back, allow_redirects=False, timeout=10).status_code == 303
    driver.get(back)  # a return already used, replayed from another browser
    assert_refused(driver)


def test_events_written_with_a_staff_token_name_the_account_not_the_email(
    registry, pathways, admin, services
):
    structure = seed.structure(registry, admin)
    email = f"conseillere.{uuid.uuid4().hex[:8]}@exemple.fr"
    body = {"email": email, "scope": "structure", "structure_id": structure.structure_id}
    account = registry.post("/v1/staff", headers=admin, json=body).json
    service = bearer(seed.token(registry, admin, "service"))
    minted = registry.post(
        f"/v1/staff/{account['id']}/tokens", headers=service, json={"email": email}
    )
    assert minted.status_code == 201
    as_staff = seed.Seeded(structure.structure_id, minted.json["token"], structure.name)

    position = seed.pathway(pathways, as_staff, OPENED + relativedelta(months=1))

    with services["pathways"].app.extensions["iae_engine"].connect() as conn:
        metadata = conn.execute(
            text("SELECT metadata FROM events WHERE position = :p"), {"p": position}
        ).scalar_one()
    assert metadata["staff_id"] == account["id"]
    assert email not in str(metadata)
