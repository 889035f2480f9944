"""« Mes salariés » and the person's file in a real headless Chromium against the three live
services: a structure opens its list, filters it, opens a file, records the situation 6 months
after an exit and finds it in the post-exit figures; other scopes are refused; both pages are
usable with a keyboard, label every field, and fit a laptop's and a tablet's width."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.e2e import test_browser_dashboard as dashboard
from tests.reporting import dashboard_seed as seed
from tests.reporting import people_seed as people
from tests.reporting.people_seed import TODAY
from tests.support import bearer

pytestmark = pytest.mark.browser

# The dashboard's browser, signed-out home page and helpers, shared with its tests.
downloads, driver, home = dashboard.downloads, dashboard.driver, dashboard.home
ARTIFACTS, sign_in, wait_for = dashboard.ARTIFACTS, dashboard.sign_in, dashboard.wait_for
_full_page_screenshot = dashboard._full_page_screenshot

EXIT_ON = TODAY - timedelta(days=12)
SCREENSHOTS = (Path("/tmp/iae-salaries"), ARTIFACTS)
UNLABELLED = """
    return [...document.querySelectorAll('main select, main input, main textarea')]
      .filter(e => e.type !== 'hidden' && !document.querySelector(`label[for="${e.id}"]`))
      .map(e => e.name);"""


@pytest.fixture(scope="module")
def staffed(settings, registry, pathways, reporting, admin):
    """A structure with a person in pathway whose contract ends soon, one without alert, and
    one who exited 12 days ago."""
    mine = seed.structure(registry, admin, kind="ACI", department="35")
    start = people.OPENED
    ending = people.open_person(
        pathways,
        mine,
        people.contract(start, TODAY + timedelta(days=15)),
        people.month_hours(1, 110),
    )
    steady = people.open_person(pathways, mine, people.contract(start, TODAY + timedelta(days=300)))
    exited = people.open_person(
        pathways, mine, people.event("pathway_exited", EXIT_ON, {"reason": "chomage"})
    )
    seed.settle(settings, reporting, admin, max(p.position for p in (ending, steady, exited)))
    return {"mine": mine, "ending": ending, "steady": steady, "exited": exited}


def open_list_by_keyboard(driver) -> None:
    driver.find_element(By.ID, "nav-salaries").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: d.find_elements(By.ID, "people-filter"))


def listed(driver) -> list[str]:
    return [
        row.get_attribute("data-pathway")
        for row in driver.find_elements(By.CSS_SELECTOR, "#people-table tbody tr")
    ]


def test_a_structure_filters_its_list_opens_a_file_and_records_a_6_month_situation(
    driver, home, staffed, settings, pathways, reporting, admin
):
    sign_in(driver, home, staffed["mine"].token)
    open_list_by_keyboard(driver)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Mes salariés"
    table = driver.find_element(By.ID, "people-table").text
    assert all(staffed[w].name in table for w in ("ending", "steady", "exited"))
    Select(driver.find_element(By.ID, "filtre")).select_by_value("suivi")
    driver.find_element(By.ID, "apply").send_keys(Keys.ENTER)
    wait_for(driver, lambda d: "filtre=suivi" in d.current_url)
    assert listed(driver) == [staffed["exited"].pathway_id]
    driver.find_element(By.LINK_TEXT, staffed["exited"].name).click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "follow-up-form"))
    assert driver.find_element(By.ID, "person-name").text == staffed["exited"].name
    Select(driver.find_element(By.ID, "months_after")).select_by_value("6")
    Select(driver.find_element(By.ID, "situation")).select_by_value("cdi")
    Select(driver.find_element(By.ID, "source")).select_by_value("person")
    driver.find_element(By.ID, "record-follow-up").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "p.notice"))
    assert "enregistrée" in driver.find_element(By.CSS_SELECTOR, "p.notice").text
    six = driver.find_element(By.CSS_SELECTOR, '#follow-ups tr[data-months="6"]').text
    assert "Embauche en CDI non aidé" in six
    stream = pathways.get(
        f"/v1/pathways/{staffed['exited'].pathway_id}/events",
        headers=bearer(staffed["mine"].token),
    ).json
    seed.settle(settings, reporting, admin, max(e["position"] for e in stream))
    driver.find_element(By.ID, "back-to-list").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "apres-sortie"))
    figures = driver.find_element(By.ID, "apres-sortie")
    followed = figures.find_element(By.CSS_SELECTOR, '[data-metric="followed_6"] dd').text
    employed = figures.find_element(By.CSS_SELECTOR, '[data-metric="in_employment_6_months"] dd')
    api = reporting.get(
        f"/v1/reports/post-exit?from={TODAY - timedelta(days=365)}&to={TODAY}",
        headers=bearer(staffed["mine"].token),
    ).json["total"]
    assert (followed, employed.text) == ("1", "1")
    assert (api["followed_6"], api["in_employment_6_months"]) == (1, 1)


@pytest.mark.parametrize("scope", ["network", "territory"])
def test_a_network_or_territory_session_is_refused_both_pages(
    driver, home, staffed, registry, admin, scope
):
    bound = {"department": "35"} if scope == "territory" else {}
    sign_in(driver, home, seed.token(registry, admin, scope, **bound))
    assert not driver.find_elements(By.ID, "nav-salaries")
    for path in ("salaries", f"salaries/{staffed['ending'].pathway_id}"):
        driver.get(home + path)
        assert driver.find_element(By.TAG_NAME, "h1").text == "Page réservée aux structures"
        assert "réservées aux structures" in driver.find_element(By.CSS_SELECTOR, ".error").text
        assert staffed["ending"].name not in driver.page_source


def test_every_field_of_both_pages_has_a_label_and_the_keyboard_reaches_them(driver, home, staffed):
    sign_in(driver, home, staffed["mine"].token)
    open_list_by_keyboard(driver)
    assert driver.execute_script(UNLABELLED) == []
    reached = tab_through(driver)
    assert {"filtre", "tri", "apply"} <= set(reached)
    assert staffed["ending"].name in reached
    driver.get(f"{home}salaries/{staffed['exited'].pathway_id}")
    assert driver.execute_script(UNLABELLED) == []
    reached = tab_through(driver)
    assert {"months_after", "situation", "source", "occurred_on", "record-follow-up"} <= set(
        reached
    )


def tab_through(driver, steps: int = 40) -> list[str]:
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    reached = []
    for _ in range(steps):
        element = driver.switch_to.active_element
        reached.append(element.get_attribute("id") or element.text)
        element.send_keys(Keys.TAB)
    return reached


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1366, 768, "laptop"), (768, 1024, "tablet")]
)
def test_both_pages_fit_the_screen_width(driver, home, staffed, width, height, name):
    sign_in(driver, home, staffed["mine"].token)
    driver.set_window_size(width, height)
    for page, path in (
        ("salaries", "salaries"),
        ("fiche", f"salaries/{staffed['exited'].pathway_id}"),
    ):
        driver.get(home + path)
        wait_for(driver, lambda d: d.find_elements(By.TAG_NAME, "h1"))
        for folder in SCREENSHOTS:
            folder.mkdir(exist_ok=True)
            driver.save_screenshot(str(folder / f"{page}-{name}.png"))
            _full_page_screenshot(driver, folder / f"{page}-{name}-full.png")
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, page
