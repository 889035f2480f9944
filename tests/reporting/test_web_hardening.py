"""The reporting service's web side under abuse: server-side dashboard sessions, the HTML pages'
headers, `min_position` waits that never starve other requests, statements cut at the timeout,
per-token rate limits, and the vendored Swagger UI."""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from services.reporting.app import create_app
from services.reporting.catchup import jobs
from tests.reporting import dashboard_seed as seed
from tests.support import bearer, dispose_engines

YEAR = date.today().year


@pytest.fixture(scope="module")
def mine(registry, admin):
    return seed.structure(registry, admin)


@pytest.fixture
def browser(services):
    return services["reporting"].app.test_client()


@pytest.fixture
def tuned(settings, services):
    """A second reporting app on the same databases, with the given settings changed."""
    made = []

    def make(**changes):
        app = create_app(replace(settings, **changes))
        made.append(app)
        return app

    yield make
    for app in made:
        dispose_engines(app)
        app.extensions["iae_redis"].close()


# --- Dashboard sessions (server-side) --------------------------------------------------------


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(services, mine):
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, mine.token)
    copied = browser.get_cookie("iae_tableau").value
    page = browser.get("/")
    assert 'id="selection"' in page.text
    browser.post("/sign-out", data={"csrf_token": seed.csrf_of(page.text)})

    thief = services["reporting"].app.test_client()
    thief.set_cookie("iae_tableau", copied)
    again = thief.get("/")
    assert again.status_code == 200
    assert "Jeton d'accès" in again.text and 'id="selection"' not in again.text
    download = thief.get("/export?format=csv")
    assert "Content-Disposition" not in download.headers and "Jeton d'accès" in download.text


def test_the_cookie_holds_only_a_random_id(services, mine):
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, mine.token)
    value = browser.get_cookie("iae_tableau").value
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", value)  # no data, no signature: an id


def test_a_session_past_its_lifetime_is_ended(tuned, mine):
    app = tuned(dashboard_session_hours=0.0)
    browser = app.test_client()
    assert seed.sign_in(browser, mine.token).status_code == 303  # signed in, then ended
    page = browser.get("/")
    assert page.status_code == 401 and "Session expirée" in page.text


def test_a_session_expires_in_redis_after_the_idle_time(services, settings, mine):
    browser = services["reporting"].app.test_client()
    seed.sign_in(browser, mine.token)
    sid = browser.get_cookie("iae_tableau").value
    redis = services["reporting"].app.extensions["iae_redis"]
    ttl = redis.ttl(f"{settings.queue_prefix}:session:{sid}")
    assert 0 < ttl <= settings.dashboard_session_idle_minutes * 60


# --- Headers of HTML pages -------------------------------------------------------------------


def assert_html_headers(answer) -> None:
    assert answer.mimetype == "text/html"
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"


def test_every_html_page_sends_the_security_headers(browser, mine):
    assert_html_headers(browser.get("/"))  # the sign-in page
    bad_form = browser.post("/sign-in", data={"token": "x", "csrf_token": "faux"})
    assert bad_form.status_code == 400
    assert_html_headers(bad_form)  # an error page
    seed.sign_in(browser, mine.token)
    assert_html_headers(browser.get("/"))
    assert_html_headers(browser.get(f"/etp?year={YEAR}"))
    wrong = browser.get("/export?format=pdf")
    assert wrong.status_code == 422
    assert_html_headers(wrong)


def test_the_pages_load_no_inline_script(browser, mine):
    seed.sign_in(browser, mine.token)
    for path in ("/", f"/etp?year={YEAR}"):
        html = browser.get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert "<style" not in html and " style=" not in html and " onclick=" not in html


# --- Swagger UI ------------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["registry", "pathways", "reporting"])
def test_the_docs_page_runs_swagger_ui_5_from_the_service(services, service):
    client = services[service].app.test_client()
    page = client.get("/docs")
    assert page.status_code == 200
    assert_html_headers(page)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert "/docs/static/swagger-ui-bundle.js" in scripts and "/docs/static/start.js" in scripts
    assert not re.search(r"<script>", page.text)  # nothing inline for the policy to refuse
    with client.get("/docs/static/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200
        assert re.search(rb'PACKAGE_VERSION:"5\.\d+\.\d+"', bundle.data)
    for name in ("start.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "LICENSE"):
        with client.get(f"/docs/static/{name}") as asset:
            assert asset.status_code == 200, name


# --- min_position ----------------------------------------------------------------------------


def test_a_position_beyond_the_log_head_answers_503_at_once(reporting, admin):
    answer = reporting.get("/v1/reports/outcomes?min_position=999999999", headers=admin)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
    assert "le journal ne l'a pas encore atteinte" in answer.json["detail"]


def test_waiting_requests_never_starve_the_others(
    settings, tuned, pathways, mine, reporting, admin
):
    """One waiting slot: held by a request for a position not yet projected, the next such
    request is refused at once, /health still answers, and the held one ends with its report."""
    app = tuned(min_position_waiters=1, min_position_wait_seconds=120.0)
    position = seed.pathway(pathways, mine, date(YEAR, 1, 2))
    # In the feed first: a transaction open elsewhere on a shared server holds the gap-free
    # feed back, and a position the feed does not show yet is refused at once, not awaited.
    feed, deadline = app.extensions["iae_logs"]["feed"], time.monotonic() + 60
    while not feed.page(position - 1, 1):
        assert time.monotonic() < deadline, "the appended event never reached the feed"
        time.sleep(0.05)
    held: dict = {}

    def wait() -> None:
        held["answer"] = app.test_client().get(
            f"/v1/reports/outcomes?min_position={position}", headers=admin
        )

    waiter = threading.Thread(target=wait)
    waiter.start()
    slots = app.extensions["iae_waiters"]
    while not held and slots._value:  # the waiter has taken the slot (or already answered)
        time.sleep(0.01)
    client = app.test_client()
    refused = client.get(f"/v1/reports/outcomes?min_position={position}", headers=admin)
    assert refused.status_code == 503
    assert "trop de requêtes attendent" in refused.json["detail"]
    assert refused.headers["Retry-After"]
    assert client.get("/health").status_code == 200
    assert client.get("/v1/reports/outcomes", headers=admin).status_code == 200
    seed.settle(settings, reporting, admin, position)
    waiter.join(60)
    assert held["answer"].status_code == 200
    assert held["answer"].json["as_of_position"] >= position


# --- statement_timeout -----------------------------------------------------------------------


def test_a_statement_over_the_timeout_is_a_503_problem(tuned):
    app = tuned(statement_timeout_ms=100)

    @app.get("/slow-statement")
    def slow():
        with app.extensions["iae_engine"].connect() as conn:
            conn.execute(text("SELECT pg_sleep(5)"))
        return "jamais"

    answer = app.test_client().get("/slow-statement")
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert "temps de calcul" in answer.json["detail"]
    assert answer.headers["Retry-After"]


def test_web_requests_have_a_statement_timeout_and_the_worker_none(settings, services):
    with services["reporting"].app.extensions["iae_engine"].connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "5s"
    jobs.configure(settings)  # what the worker does at start (rebuilds, catch-up)
    with jobs._context["engine"].connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "0"


# --- Rate limits -----------------------------------------------------------------------------


def test_the_report_rate_limit_is_per_token(tuned, registry, admin):
    app = tuned(rate_limit_reports="2/minute", queue_prefix="rl" + uuid.uuid4().hex[:10])
    client = app.test_client()
    network = bearer(seed.token(registry, admin, "network"))
    for _ in range(2):
        assert client.get("/v1/reports/outcomes", headers=network).status_code == 200
    limited = client.get("/v1/reports/etp", headers=network)
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert "Trop de requêtes" in limited.json["detail"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert client.get("/v1/reports/outcomes", headers=admin).status_code == 200  # another token
    assert client.get("/health").status_code == 200
