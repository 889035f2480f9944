"""Staff sign-in through a real OpenID provider (oidc-provider, on loopback), answer by answer:
an account opens its scope, an unknown e-mail and every tampered, replayed or badly signed answer
is refused with a French page and grants nothing, and signing out ends the session everywhere."""

from __future__ import annotations

import html
import uuid

import pytest
import requests

from tests.oidc.provider_support import provider_return, start_dashboard, state_of, with_state
from tests.reporting import dashboard_seed as seed
from tests.support import bearer

COOKIE = "iae_tableau"


@pytest.fixture(scope="module")
def dashboard(settings, services):
    provider, server = start_dashboard(settings)
    yield provider, server.url
    server.stop()
    provider.stop()


def new_email() -> str:
    return f"agent.{uuid.uuid4().hex[:10]}@exemple.fr"


def add_staff(registry, admin, email: str, scope: str, **target) -> dict:
    answer = registry.post(
        "/v1/staff", headers=admin, json={"email": email, "scope": scope, **target}
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def minted_for(registry, admin, account: dict) -> list[dict]:
    """The tokens the registry minted for that account."""
    tokens = registry.get("/v1/tokens?limit=1000", headers=admin).json
    return [t for t in tokens if t["staff_id"] == account["id"]]


def signed_out(session: requests.Session, url: str) -> bool:
    page = session.get(url + "/", timeout=10).text
    return 'id="proconnect"' in page and 'class="kpi"' not in page


def test_an_account_opens_its_scope_and_the_page_says_who_and_as_what(dashboard, registry, admin):
    _, url = dashboard
    mine = seed.structure(registry, admin)
    email = new_email()
    account = add_staff(registry, admin, email.upper(), "structure", structure_id=mine.structure_id)
    browser = requests.Session()

    answer = browser.get(provider_return(browser, url, email), allow_redirects=False, timeout=10)

    assert answer.status_code == 303 and answer.headers["Location"].endswith("/")
    page = browser.get(url + "/", timeout=10).text
    who = page.split('id="connecte"')[1].split("</span>")[0]
    assert email in who and f"Structure — {mine.name}" in who
    [token] = minted_for(registry, admin, account)
    assert token["scope"] == "structure" and token["structure_id"] == mine.structure_id
    audit = registry.get(
        "/v1/audit", headers=admin, query_string={"entity": "token", "entity_id": token["id"]}
    ).json
    [minting] = [entry for entry in audit if entry["action"] == "mint"]
    assert (minting["changes"]["acr"], minting["changes"]["amr"]) == ("eidas1", ["pwd"])


def test_an_email_without_account_is_refused_and_told_whom_to_ask(dashboard, registry, admin):
    _, url = dashboard
    browser = requests.Session()
    email = new_email()

    answer = browser.get(provider_return(browser, url, email), timeout=10)

    assert answer.status_code == 403
    text = html.unescape(answer.text)
    assert "n'a pas de compte" in text and "administrateur" in text
    assert email in answer.text
    assert signed_out(browser, url)


def test_a_tampered_state_is_refused_and_grants_nothing(dashboard, registry, admin):
    _, url = dashboard
    email = new_email()
    account = add_staff(registry, admin, email, "network")
    browser = requests.Session()

    answer = browser.get(with_state(provider_return(browser, url, email), "altere"), timeout=10)

    assert answer.status_code == 401 and "Connexion refusée" in answer.text
    assert "Aucun accès n'a été ouvert" in html.unescape(answer.text)
    assert signed_out(browser, url) and minted_for(registry, admin, account) == []


def test_a_replayed_code_is_refused(dashboard, registry, admin):
    _, url = dashboard
    email = new_email()
    account = add_staff(registry, admin, email, "network")
    browser = requests.Session()
    back = provider_return(browser, url, email)
    assert browser.get(back, allow_redirects=False, timeout=10).status_code == 303
    browser.cookies.clear()

    again = browser.get(back, timeout=10)  # the same answer, a second time
    assert again.status_code == 401 and "Connexion refusée" in again.text
    replayed = browser.get(with_state(back, state_of(browser, url)), timeout=10)  # a fresh state

    assert replayed.status_code == 401 and "Connexion refusée" in replayed.text
    assert signed_out(browser, url) and len(minted_for(registry, admin, account)) == 1


@pytest.mark.parametrize("mode", ["wrong_nonce", "expired", "wrong_key"])
def test_an_id_token_that_fails_its_checks_is_refused(dashboard, registry, admin, mode):
    provider, url = dashboard
    email = new_email()
    account = add_staff(registry, admin, email, "network")
    browser = requests.Session()
    back = provider_return(browser, url, email)

    provider.next_token(mode)
    answer = browser.get(back, timeout=10)

    assert answer.status_code == 401 and "Connexion refusée" in answer.text
    assert signed_out(browser, url) and minted_for(registry, admin, account) == []


def test_two_accounts_ask_which_one_to_act_as(dashboard, registry, admin):
    _, url = dashboard
    first, second = seed.structure(registry, admin), seed.structure(registry, admin)
    email = new_email()
    add_staff(registry, admin, email, "structure", structure_id=first.structure_id)
    chosen = add_staff(registry, admin, email, "structure", structure_id=second.structure_id)
    browser = requests.Session()

    answer = browser.get(provider_return(browser, url, email), allow_redirects=False, timeout=10)
    assert answer.headers["Location"].endswith("/connexion/compte")
    assert not browser.get(url + "/", timeout=10).text.count('class="kpi"')  # nothing yet
    page = browser.get(url + "/connexion/compte", timeout=10).text
    assert first.name in page and second.name in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    forged = browser.post(
        url + "/connexion/compte", data={"account": str(uuid.uuid4()), "csrf_token": csrf}
    )
    assert forged.status_code == 422
    browser.post(url + "/connexion/compte", data={"account": chosen["id"], "csrf_token": csrf})

    page = browser.get(url + "/", timeout=10).text
    assert f"Structure — {second.name}" in page.split('id="connecte"')[1].split("</span>")[0]


def test_signing_out_ends_the_session_and_its_token_everywhere(dashboard, registry, admin):
    _, url = dashboard
    email = new_email()
    account = add_staff(registry, admin, email, "network")
    browser = requests.Session()
    browser.get(provider_return(browser, url, email), timeout=10)
    cookie = browser.cookies.get(COOKIE)
    page = browser.get(url + "/", timeout=10).text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]

    browser.post(url + "/sign-out", data={"csrf_token": csrf}, timeout=10)

    copy = requests.Session()
    copy.cookies.set(COOKIE, cookie)
    assert signed_out(copy, url)
    [token] = minted_for(registry, admin, account)
    assert token["revoked_at"] is not None


def test_with_a_provider_the_token_form_is_closed(dashboard, registry, admin):
    _, url = dashboard
    browser = requests.Session()
    page = browser.get(url + "/", timeout=10).text
    assert "Se connecter avec ProConnect" in page and 'id="token"' not in page
    answer = browser.post(url + "/sign-in", data={"token": seed.token(registry, admin, "network")})
    assert answer.status_code == 403 and "ProConnect" in answer.text
    assert signed_out(browser, url)


def test_a_provider_without_its_client_or_service_token_refuses_to_start(settings):
    from dataclasses import replace

    from services.reporting.app import create_app

    incomplete = replace(settings, oidc_issuer="http://127.0.0.1:9", oidc_client_id="x")
    with pytest.raises(ValueError, match="OIDC_CLIENT_SECRET"):
        create_app(incomplete)


def test_an_account_removed_while_its_person_chooses_opens_nothing(dashboard, registry, admin):
    _, url = dashboard
    first, second = seed.structure(registry, admin), seed.structure(registry, admin)
    email = new_email()
    add_staff(registry, admin, email, "structure", structure_id=first.structure_id)
    chosen = add_staff(registry, admin, email, "structure", structure_id=second.structure_id)
    browser = requests.Session()
    browser.get(provider_return(browser, url, email), timeout=10)
    page = browser.get(url + "/connexion/compte", timeout=10).text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]

    assert registry.delete(f"/v1/staff/{chosen['id']}", headers=admin).status_code == 204
    answer = browser.post(
        url + "/connexion/compte", data={"account": chosen["id"], "csrf_token": csrf}
    )

    assert answer.status_code == 403 and "vient d'être retiré" in html.unescape(answer.text)
    assert signed_out(browser, url) and minted_for(registry, admin, chosen) == []


def test_a_report_frozen_by_a_staff_member_names_their_account(
    dashboard, registry, reporting, admin
):
    _, url = dashboard
    mine = seed.structure(registry, admin)
    email = new_email()
    account = add_staff(registry, admin, email, "structure", structure_id=mine.structure_id)
    browser = requests.Session()
    browser.get(provider_return(browser, url, email), timeout=10)
    page = browser.get(url + "/", timeout=10).text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    label = f"Bilan {uuid.uuid4().hex[:6]}"

    frozen = browser.post(
        url + "/rapports-figes",
        data={"csrf_token": csrf, "label": label, "report": "outcomes"},
        allow_redirects=False,
        timeout=30,
    )

    assert frozen.status_code == 303, frozen.text
    listed = reporting.get("/v1/reports/snapshots", headers=bearer(mine.token)).json
    items = listed["items"] if isinstance(listed, dict) else listed
    [snapshot] = [s for s in items if s["label"] == label]
    assert snapshot["created_by"]["staff_id"] == account["id"]
    assert email not in str(snapshot)
