"""The dashboard in a real headless Chromium against the three live services: sign in, choose a
period, read an indicator, download the files, sign out, and stay inside one's own scope."""

from __future__ import annotations

import base64
import csv
import io
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.reporting.dashboard.format import count, etp
from tests.reporting import dashboard_seed as seed
from tests.support import ROOT, bearer

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
TODAY = date.today()
# Pathways open on the first day of a month seven months ago, so that exits four and five months
# later are counted (more than 3 months in an ACI, docs/domain.md §8) and are never in the future.
OPENED = date(TODAY.year, TODAY.month, 1) - relativedelta(months=7)
EXITS = ((4, "cdi"), (5, "chomage"), (5, "formation_qualifiante"), (6, "cdd_moins_6_mois"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def seeded(settings, registry, pathways, reporting, admin):
    """Two structures opening pathways in the same month; some of them have exited since."""
    mine = seed.structure(registry, admin, kind="ACI", department="35")
    other = seed.structure(registry, admin, kind="EI", department="29")
    seed.pathway(pathways, mine, OPENED)
    for months, reason in EXITS[:2]:
        seed.pathway(pathways, mine, OPENED, OPENED + relativedelta(months=months), reason)
    for months, reason in EXITS[2:]:
        seed.pathway(pathways, other, OPENED, OPENED + relativedelta(months=months), reason)
    seed.settle(settings, reporting, admin, seed.pathway(pathways, other, OPENED))
    return mine, other


@pytest.fixture(scope="module")
def downloads():
    folder = Path(tempfile.mkdtemp(prefix="iae-downloads-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def driver(downloads):
    """Debian's Chromium and chromedriver, with a fresh profile and a known download folder."""
    profile = tempfile.mkdtemp(prefix="iae-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--lang=fr-FR"):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "intl.accept_languages": "fr-FR,fr",
        },
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for CSP
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_window_size(1366, 768)
    yield browser
    browser.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def home(services, driver):
    """The dashboard's address, with the browser signed out."""
    url = services["reporting"].url + "/"
    driver.get(url)
    driver.delete_all_cookies()
    driver.set_window_size(1366, 768)
    return url


def sign_in(driver, url: str, token: str) -> None:
    driver.get(url)
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#sign-in button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "selection"))


def wait_for(driver, condition):
    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def indicator(driver, metric: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f'.kpi[data-metric="{metric}"] dd').text


def choose_month(driver, day: date) -> None:
    Select(driver.find_element(By.ID, "period")).select_by_value("month")
    Select(driver.find_element(By.ID, "year")).select_by_value(str(day.year))
    Select(driver.find_element(By.ID, "month")).select_by_value(str(day.month))
    driver.find_element(By.ID, "show").click()
    wait_for(driver, lambda d: "period=month" in d.current_url)


def test_signing_in_shows_the_dashboard_of_ones_structure(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    assert mine.name in driver.find_element(By.ID, "selection").text
    assert driver.find_element(By.TAG_NAME, "h1").text == "Tableau de bord des parcours"


def test_the_chosen_period_shows_the_entries_the_api_gives(driver, home, seeded, reporting):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    choose_month(driver, OPENED)
    end = OPENED + relativedelta(months=1, days=-1)
    api = reporting.get(
        f"/v1/reports/outcomes?from={OPENED}&to={end}", headers=bearer(mine.token)
    ).json
    assert indicator(driver, "entries") == count(api["total"]["entries"]) == "3"


def test_the_charts_are_drawn_from_the_served_library(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    assert driver.execute_script("return typeof Chart") == "function"


def test_only_the_fields_of_the_chosen_period_kind_are_shown(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    Select(driver.find_element(By.ID, "period")).select_by_value("custom")
    assert driver.find_element(By.ID, "from").is_displayed()
    assert not driver.find_element(By.ID, "month").is_displayed()


def test_a_structure_editing_the_url_cannot_see_another_structure(driver, home, seeded):
    mine, other = seeded
    sign_in(driver, home, mine.token)
    driver.get(f"{home}?structure_id={other.structure_id}")
    assert "propres données" in driver.find_element(By.ID, "erreur").text
    assert not driver.find_elements(By.CSS_SELECTOR, ".kpi")
    assert other.name not in driver.page_source


def test_signing_out_returns_to_the_sign_in_form(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    driver.find_element(By.ID, "sign-out").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "token"))
    assert "Vous êtes déconnecté(e)." in driver.page_source
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "signed-out.png"))
    driver.get(home)
    assert not driver.find_elements(By.CSS_SELECTOR, ".kpi")


def test_the_first_tab_reaches_the_skip_link(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Aller au contenu"


def test_a_report_is_frozen_with_the_keyboard_and_compared_with_today(driver, home, seeded):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    label = driver.find_element(By.CSS_SELECTOR, 'label[for="freeze-label"]')
    assert label.text == "Libellé du rapport figé"
    driver.find_element(By.ID, "freeze-label").send_keys("Bilan transmis", Keys.ENTER)
    wait_for(driver, lambda d: "/rapports-figes/" in d.current_url)
    title = driver.find_element(By.TAG_NAME, "h1").text
    assert title == "Ce qui a changé depuis « Bilan transmis »"
    assert driver.find_elements(By.CSS_SELECTOR, "#differences tbody tr")
    driver.find_element(By.ID, "nav-figes").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.current_url.endswith("/rapports-figes"))
    assert "Bilan transmis" in driver.find_element(By.ID, "frozen-table").text


def test_every_visible_form_control_has_a_label(driver, home, seeded, registry, admin):
    sign_in(driver, home, seed.token(registry, admin, "network"))
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('#selection select, #selection input')]
          .filter(e => e.type !== 'hidden' && !document.querySelector(`label[for="${e.id}"]`))
          .map(e => e.name);""")
    assert unlabelled == []


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1366, 768, "laptop"), (768, 1024, "tablet")]
)
def test_the_page_fits_the_screen_width(driver, home, seeded, registry, admin, width, height, name):
    sign_in(driver, home, seed.token(registry, admin, "network"))
    driver.set_window_size(width, height)
    driver.get(f"{home}?period=custom&from={OPENED}&to={TODAY}")
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"dashboard-{name}.png"))
    _full_page_screenshot(driver, ARTIFACTS / f"dashboard-{name}-full.png")
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def _full_page_screenshot(driver, path: Path) -> None:
    """The whole page; the capture drops the scroll bar, so it is as wide as the window."""
    height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
    width = driver.execute_script("return window.innerWidth")
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "format": "png", "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def wait_for_file(folder: Path, suffix: str, prefix: str = "rapport-") -> Path:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix and p.name.startswith(prefix)]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file arrived in {folder}")


def test_the_csv_download_is_the_shown_table(driver, home, seeded, downloads):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    driver.find_element(By.ID, "download-csv").click()
    raw = wait_for_file(downloads, ".csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    shown = driver.find_elements(By.CSS_SELECTOR, "#report-table tbody tr")
    assert len(rows) - 1 >= len(shown) > 0


def test_the_xlsx_download_opens_as_a_workbook(driver, home, seeded, downloads):
    mine, _ = seeded
    sign_in(driver, home, mine.token)
    driver.find_element(By.ID, "download-xlsx").click()
    path = wait_for_file(downloads, ".xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        assert workbook.active.max_row >= 2
    finally:
        workbook.close()


# The « ETP » page: the structure's annexe funds 1 ETP for the year of OPENED; its two exiting
# pathways declared 80 h each in that month (tests/reporting/dashboard_seed.py).
ANNEX_NUMBER = "ACI035000001A0M0"


@pytest.fixture(scope="module")
def annexed(settings, registry, reporting, admin, seeded):
    mine, _ = seeded
    body = {
        "number": ANNEX_NUMBER,
        "measure": "ACI_DC",
        "state": "VALIDE",
        "starts_on": f"{OPENED.year}-01-01",
        "ends_on": f"{OPENED.year}-12-31",
        "etp_conventioned": 1,
    }
    created = registry.post(f"/v1/structures/{mine.structure_id}/annexes", headers=admin, json=body)
    assert created.status_code == 201, created.json
    seed.settle(settings, reporting, admin, 0)
    return mine


def open_etp_page(driver, year: int) -> None:
    """From the main page, by keyboard: the navigation's « ETP » link, then the year."""
    driver.find_element(By.ID, "nav-etp").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.find_elements(By.ID, "indicateurs-etp"))
    Select(driver.find_element(By.ID, "year")).select_by_value(str(year))
    driver.find_element(By.ID, "show").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: f"year={year}" in d.current_url)


def test_the_etp_page_shows_the_api_figures_and_its_download(
    driver, home, annexed, reporting, downloads
):
    sign_in(driver, home, annexed.token)
    open_etp_page(driver, OPENED.year)
    assert driver.find_element(By.TAG_NAME, "h1").text == "ETP conventionnés et réalisés"
    period = f"from={OPENED.year}-01-01&to={min(TODAY, date(OPENED.year, 12, 31))}"
    api = reporting.get(f"/v1/reports/etp?{period}", headers=bearer(annexed.token))
    total = api.json["total"]
    assert indicator(driver, "etp_conventioned") == etp(total["etp_conventioned"])
    assert indicator(driver, "etp_realised") == etp(total["etp_realised"]) != "0,00"
    first = driver.find_element(By.CSS_SELECTOR, "#etp-annexes tbody tr th").text
    assert first == ANNEX_NUMBER == api.json["rows"][0]["label"]["annex"]
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    driver.find_element(By.ID, "download-annexes-csv").click()
    raw = wait_for_file(downloads, ".csv", prefix="etp-")
    api_file = reporting.get(
        f"/v1/reports/etp?{period}&group_by=annex&format=csv", headers=bearer(annexed.token)
    )
    assert raw.read_bytes() == api_file.data


def test_the_keyboard_reaches_every_control_of_the_etp_page(driver, home, annexed):
    sign_in(driver, home, annexed.token)
    open_etp_page(driver, OPENED.year)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    reached = []
    for _ in range(60):
        element = driver.switch_to.active_element
        reached.append(element.get_attribute("id") or element.text)
        element.send_keys(Keys.TAB)
    for control in ("nav-parcours", "nav-etp", "period", "year", "show", "download-mois-xlsx"):
        assert control in reached


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1366, 768, "laptop"), (768, 1024, "tablet")]
)
def test_the_etp_page_fits_the_screen_width(driver, home, annexed, width, height, name):
    sign_in(driver, home, annexed.token)
    driver.set_window_size(width, height)
    driver.get(f"{home}etp?period=year&year={OPENED.year}")
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"etp-{name}.png"))
    _full_page_screenshot(driver, ARTIFACTS / f"etp-{name}-full.png")
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def refusals(driver) -> list[str]:
    """What the console said about the pages' Content-Security-Policy since the last call."""
    said = [entry["message"] for entry in driver.get_log("browser")]
    return [m for m in said if "Content Security Policy" in m or "Refused to" in m]


def test_the_security_policy_breaks_neither_page_nor_the_docs(driver, home, annexed, services):
    refusals(driver)  # forget what earlier tests left in the console
    sign_in(driver, home, annexed.token)
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    assert driver.find_elements(By.CSS_SELECTOR, "canvas")
    open_etp_page(driver, OPENED.year)
    wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-charts"))
    driver.get(services["reporting"].url + "/docs")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .opblock"))
    assert driver.execute_script("return typeof window.ui.specSelectors") == "object"
    assert refusals(driver) == []
