"""« Mes salariés » and the person's file over HTTP: a structure's own people with their names
read live from the identity vault, filters, the timeline with its voids, the follow-up after the
exit recorded through the pathways API, refusals for other scopes, and no name kept by
reporting (docs/dashboard.md).

The structure's people (all opened eight months ago):

| who    | pathway                                                        | list filters          |
|--------|----------------------------------------------------------------|-----------------------|
| ending | CDDI ending in 20 days, PASS ending in 60 days, hours 2 months | alerte, contrat, pass |
| steady | CDDI ending in a year, a support action voided                 | —                     |
| exited | exited 10 days ago: the 1-month follow-up is due               | alerte, suivi         |
| erased | CDDI ending in a year, hours declared, then the person erased  | —                     |
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.reporting import dashboard_seed as seed
from tests.reporting import people_seed as people
from tests.reporting.people_seed import TODAY
from tests.support import bearer

RECENT_EXIT = TODAY - timedelta(days=10)


@pytest.fixture(scope="module")
def scene(settings, registry, pathways, reporting, admin):
    mine = seed.structure(registry, admin)
    other = seed.structure(registry, admin, kind="EI", department="29")
    start = people.OPENED
    ending = people.open_person(
        pathways,
        mine,
        people.contract(start, TODAY + timedelta(days=20)),
        people.month_hours(1, 120.5),
        people.month_hours(2, 98),
        pass_start=TODAY + timedelta(days=60) - timedelta(days=729),
    )
    action = people.event(
        "support_action_recorded",
        start + timedelta(days=3),
        {"domain": "social", "topic": "logement", "delivery": "internal"},
    )
    steady = people.open_person(
        pathways, mine, people.contract(start, TODAY + timedelta(days=365)), action
    )
    people.append(
        pathways,
        mine,
        steady,
        [
            people.event(
                "event_voided",
                start + timedelta(days=5),
                {"event_id": action["id"], "reason": "Saisie en double le jour de l'entrée"},
            )
        ],
    )
    exited = people.open_person(
        pathways,
        mine,
        people.event("pathway_exited", RECENT_EXIT, {"reason": "chomage"}),
    )
    erased = people.open_person(
        pathways,
        mine,
        people.contract(start, TODAY + timedelta(days=365)),
        people.month_hours(1, 77),
    )
    theirs = people.open_person(pathways, other)
    assert (
        pathways.delete(f"/v1/persons/{erased.person_id}", headers=bearer(mine.token)).status_code
        == 204
    )
    seed.settle(
        settings,
        reporting,
        admin,
        max(p.position for p in (ending, steady, exited, erased, theirs)),
    )
    return {
        "mine": mine,
        "other": other,
        "ending": ending,
        "steady": steady,
        "exited": exited,
        "erased": erased,
        "theirs": theirs,
    }


@pytest.fixture
def browser(services):
    return services["reporting"].app.test_client()


def signed_in(browser, token: str):
    assert seed.sign_in(browser, token).status_code == 303
    return browser


def rows(html: str, scene) -> set[str]:
    """Who the list shows, by the names the scene gave them."""
    return {w for w in ("ending", "steady", "exited", "erased") if scene[w].pathway_id in html}


def test_the_list_shows_the_structures_people_with_their_names(browser, scene):
    page = signed_in(browser, scene["mine"].token).get("/salaries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert rows(html, scene) == {"ending", "steady", "exited", "erased"}
    assert scene["ending"].name in html and scene["steady"].name in html
    assert scene["theirs"].pathway_id not in html and scene["theirs"].name not in html
    assert "Personne effacée" in html and scene["erased"].name not in html
    assert "120,5 h" in html  # the hours of last month
    assert "Contrat se terminant dans les 30 jours" in html
    assert 'aria-current="page"' in html and "Mes salariés" in html


@pytest.mark.parametrize(
    ("wanted", "shown"),
    [
        ("contrat", {"ending"}),
        ("pass", {"ending"}),
        ("suivi", {"exited"}),
        ("alerte", {"ending", "exited"}),
        ("inconnu", {"ending", "steady", "exited", "erased"}),
    ],
)
def test_each_filter_keeps_the_people_it_names(browser, scene, wanted, shown):
    html = (
        signed_in(browser, scene["mine"].token)
        .get(f"/salaries?filtre={wanted}")
        .get_data(as_text=True)
    )
    assert rows(html, scene) == shown


def test_sorting_by_contract_end_puts_the_nearest_first(browser, scene):
    html = (
        signed_in(browser, scene["mine"].token)
        .get("/salaries?tri=fin_contrat")
        .get_data(as_text=True)
    )
    assert html.index(scene["ending"].pathway_id) < html.index(scene["steady"].pathway_id)


@pytest.mark.parametrize("scope", ["network", "territory", "group", "admin"])
def test_any_other_scope_is_refused_both_pages_in_french(browser, scene, registry, admin, scope):
    bound = {"territory": {"department": "35"}, "group": {"group_id": seed.group(registry, admin)}}
    token = seed.token(registry, admin, scope, **bound.get(scope, {}))
    signed_in(browser, token)
    for path in ("/salaries", f"/salaries/{scene['ending'].pathway_id}"):
        page = browser.get(path)
        assert page.status_code == 403
        html = page.get_data(as_text=True)
        assert "réservées aux structures" in html
        assert scene["ending"].name not in html


def test_a_file_shows_identity_criteria_timeline_and_the_struck_through_void(browser, scene):
    steady = scene["steady"]
    page = signed_in(browser, scene["mine"].token).get(f"/salaries/{steady.pathway_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert steady.name in html
    assert "Bénéficiaire du RSA" in html
    assert '<li class="voided">' in html and "<del>" in html
    # The void's reason is sealed out of the log: the file reads it with the structure's rights.
    assert "Saisie en double le jour de l&#39;entrée" in html
    assert "Action d&#39;accompagnement" in html and "CDD d&#39;insertion" in html


def test_another_structures_pathway_has_no_file(browser, scene):
    page = signed_in(browser, scene["mine"].token).get(f"/salaries/{scene['theirs'].pathway_id}")
    assert page.status_code == 404
    assert scene["theirs"].name not in page.get_data(as_text=True)


def test_an_erased_person_keeps_the_figures_of_the_pathway(browser, scene):
    page = signed_in(browser, scene["mine"].token).get(f"/salaries/{scene['erased'].pathway_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<h1 id="person-name">Personne effacée</h1>' in html
    assert "77 h" in html and "CDD d&#39;insertion (en cours)" in html


def test_a_follow_up_is_recorded_through_the_form_and_reaches_the_report(
    browser, scene, settings, pathways, reporting, admin
):
    exited = scene["exited"]
    signed_in(browser, scene["mine"].token)
    file = browser.get(f"/salaries/{exited.pathway_id}").get_data(as_text=True)
    assert 'id="follow-up-form"' in file and "à renseigner" in file
    form = {
        "csrf_token": seed.csrf_of(file),
        "months_after": "1",
        "situation": "cdd_moins_6_mois",
        "source": "employer",
        "occurred_on": TODAY.isoformat(),
        "version": str(exited.version),
    }
    forged = browser.post(f"/salaries/{exited.pathway_id}/suivi", data={**form, "csrf_token": "x"})
    assert forged.status_code == 400
    early = {**form, "occurred_on": (RECENT_EXIT - timedelta(days=1)).isoformat()}
    refused = browser.post(f"/salaries/{exited.pathway_id}/suivi", data=early)
    assert refused.status_code == 422
    assert "entre la sortie et aujourd&#39;hui" in refused.get_data(as_text=True)
    done = browser.post(f"/salaries/{exited.pathway_id}/suivi", data=form)
    assert done.status_code == 303
    after = browser.get(f"/salaries/{exited.pathway_id}").get_data(as_text=True)
    assert "La situation après la sortie est enregistrée." in after
    assert "CDD ou intérim de moins de 6 mois (hors IAE)" in after
    # The report reads reporting's projection once it has caught up with the new event.
    seed.settle(settings, reporting, admin, _head(pathways, scene, exited))
    report = reporting.get(
        f"/v1/reports/post-exit?from={RECENT_EXIT}&to={TODAY}",
        headers=bearer(scene["mine"].token),
    ).json
    assert report["total"]["exits"] == 1 and report["total"]["followed_1"] == 1
    listed = browser.get("/salaries?filtre=suivi").get_data(as_text=True)
    assert exited.pathway_id not in listed


def _head(pathways, scene, person) -> int:
    """The position of the pathway's last event."""
    url = f"/v1/pathways/{person.pathway_id}/events"
    stream = pathways.get(url, headers=bearer(scene["mine"].token)).json
    return max(e["position"] for e in stream)


def test_names_never_reach_reportings_database_nor_its_logs(browser, scene, settings, caplog):
    caplog.set_level(logging.DEBUG)
    signed_in(browser, scene["mine"].token)
    for path in ("/salaries", f"/salaries/{scene['ending'].pathway_id}"):
        assert scene["ending"].name in browser.get(path).get_data(as_text=True)
    last_name = scene["ending"].name.split()[-1]
    assert last_name not in caplog.text
    engine = create_engine(settings.database_url_for("reporting"))
    try:
        with engine.connect() as conn:
            tables = (
                conn.execute(
                    text(
                        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
                .scalars()
                .all()
            )
            assert any(t.startswith("outcomes.") for t in tables)
            for table in tables:
                found = conn.execute(
                    text(f"SELECT count(*) FROM {table} t WHERE t::text LIKE :name"),
                    {"name": f"%{last_name}%"},
                ).scalar_one()
                assert found == 0, table
    finally:
        engine.dispose()
