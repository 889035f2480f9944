"""Every service answers errors as problem+json and exposes health, readiness, metrics and docs."""

from __future__ import annotations

import pytest

from tests.support import bearer

SERVICE_NAMES = ("registry", "pathways", "reporting")


@pytest.fixture(params=SERVICE_NAMES)
def client(request, services):
    return services[request.param].app.test_client()


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_health_answers_while_the_process_is_up(client):
    assert client.get("/health").json["status"] == "ok"


def test_ready_checks_the_database_and_redis(client):
    assert client.get("/ready").status_code == 200


def test_metrics_are_exposed_for_prometheus(client):
    client.get("/health")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"http_requests_total" in response.data


def test_the_openapi_document_and_its_docs_are_served_offline(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and spec.json["openapi"].startswith("3.")
    docs = client.get("/docs")
    assert docs.status_code == 200 and b"/docs/static/swagger-ui-bundle.js" in docs.data
    static = client.get("/docs/static/swagger-ui-bundle.js")
    static.close()
    assert static.status_code == 200


def test_an_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/nowhere"), 404)


def test_a_wrong_method_is_a_405_problem(client):
    assert_problem(client.delete("/health"), 405)


def test_a_missing_token_is_a_401_problem(registry):
    assert_problem(registry.get("/v1/whoami"), 401)


def test_an_unknown_token_is_a_401_problem(services):
    for name in SERVICE_NAMES:
        client = services[name].app.test_client()
        path = {
            "registry": "/v1/whoami",
            "pathways": "/v1/feed",
            "reporting": "/v1/reports/outcomes",
        }[name]
        assert_problem(client.get(path, headers=bearer("iae_nope")), 401)


def test_malformed_json_is_a_400_problem(registry, admin):
    response = registry.post(
        "/v1/structures", headers=admin, data=b"{not json", content_type="application/json"
    )
    assert_problem(response, 400)


def test_invalid_utf8_is_a_400_problem(registry, admin):
    response = registry.post(
        "/v1/structures",
        headers=admin,
        data=b'{"name": "\xff\xfe"}',
        content_type="application/json",
    )
    assert_problem(response, 400)


def test_a_body_that_is_not_json_is_a_415_problem(registry, admin):
    response = registry.post(
        "/v1/structures",
        headers=admin,
        data=b"name=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(response, 415)


def test_a_body_over_the_limit_is_a_413_problem(registry, admin, settings):
    big = b'{"name": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    response = registry.post(
        "/v1/structures", headers=admin, data=big, content_type="application/json"
    )
    assert_problem(response, 413)


def test_unknown_fields_are_refused_with_their_path(registry, admin):
    response = registry.post(
        "/v1/structures",
        headers=admin,
        json={
            "siret": "73282932000074",
            "name": "X",
            "kind": "AI",
            "department": "35",
            "colour": "red",
        },
    )
    body = assert_problem(response, 422)
    assert "colour" in body["errors"]


def test_an_unexpected_error_is_a_500_problem_without_a_stack_trace(settings):
    from services.registry.app import create_app

    app = create_app(settings)

    @app.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/__boom")
    app.extensions["iae_engine"].dispose()
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in body["detail"]


def test_every_response_carries_a_request_id(registry):
    response = registry.get("/health", headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"
