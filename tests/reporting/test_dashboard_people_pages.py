"""« Mes salariés » for a large structure: fifty people a page, each page's names read from the
identity vault in one call, whatever the number of people (docs/dashboard.md)."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from services.reporting.dashboard import pathways_api
from tests.reporting import dashboard_seed as seed
from tests.reporting import people_seed as people
from tests.support import bearer

PEOPLE = 120
PAGE = 50


@pytest.fixture(scope="module")
def large(settings, registry, pathways, reporting, admin):
    """A structure with PEOPLE pathways opened in one batch."""
    mine = seed.structure(registry, admin)
    items = []
    for _ in range(PEOPLE):
        person_id, _name = people.new_person(pathways, mine)
        items.append(
            {
                "pathway_id": str(uuid.uuid4()),
                "expected_version": 0,
                "events": [people.opening(person_id, mine)],
            }
        )
    answer = pathways.post("/v1/events/batch", headers=bearer(mine.token), json={"items": items})
    assert answer.status_code == 200, answer.json
    results = answer.json["results"]
    assert {r["status"] for r in results} == {201}
    seed.settle(settings, reporting, admin, max(r["events"][-1]["position"] for r in results))
    return mine


@pytest.fixture
def vault_calls(monkeypatch):
    """The paths the dashboard asks the pathways service for, in order (the calls go through)."""
    calls: list[str] = []
    real = requests.request

    def counted(method, url, **kwargs):
        calls.append(f"{method} {url.split('/v1/', 1)[1]}")
        return real(method, url, **kwargs)

    monkeypatch.setattr(pathways_api.requests, "request", counted)
    return calls


def test_each_page_shows_fifty_people_named_by_one_vault_call(services, large, vault_calls):
    browser = services["reporting"].app.test_client()
    assert seed.sign_in(browser, large.token).status_code == 303
    seen: set[str] = set()
    for page in (1, 2, 3):
        vault_calls.clear()
        html = browser.get(f"/salaries?page={page}").get_data(as_text=True)
        shown = re.findall(r'<tr data-pathway="([0-9a-f-]+)"', html)
        assert len(shown) == min(PAGE, PEOPLE - (page - 1) * PAGE)
        assert vault_calls == ["GET persons"]
        assert f"Page {page} sur 3" in html
        assert html.count("Nomtest") >= len(shown)  # every name read, none erased
        seen.update(shown)
    assert len(seen) == PEOPLE


def test_a_page_beyond_the_last_shows_the_last(services, large):
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, large.token)
    html = browser.get("/salaries?page=99").get_data(as_text=True)
    assert "Page 3 sur 3" in html and 'id="page-suivante"' not in html
    assert 'id="page-precedente"' in html
