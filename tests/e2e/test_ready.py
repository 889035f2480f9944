"""`/ready` says 503, and what is missing, when a service's database or Redis does not answer;
200 when both do. Real engines: the missing one is a port where nothing listens."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib

import pytest

from shared.embedded import free_port

SERVICES = ("registry", "pathways", "reporting")


@contextlib.contextmanager
def ready_answer(name: str, settings):
    """`GET /ready` of a fresh app of the service; its connections closed afterwards."""
    app = importlib.import_module(f"services.{name}.app").create_app(settings)
    try:
        yield app.test_client().get("/ready")
    finally:
        app.extensions["iae_engine"].dispose()
        app.extensions["iae_redis"].close()


def missing(answer) -> list[str]:
    return [m.split(":")[0] for m in answer.get_json()["missing"]]


def nowhere_database(settings):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"
    return dataclasses.replace(settings, database_url=url)


def nowhere_redis(settings):
    return dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")


@pytest.mark.parametrize("name", SERVICES)
def test_ready_answers_200_when_database_and_redis_answer(settings, name):
    with ready_answer(name, settings) as answer:
        assert answer.status_code == 200


@pytest.mark.parametrize("name", SERVICES)
def test_ready_answers_503_naming_redis_when_redis_is_down(settings, name):
    with ready_answer(name, nowhere_redis(settings)) as answer:
        assert answer.status_code == 503
        assert answer.content_type == "application/problem+json"
        assert missing(answer) == ["redis"]


@pytest.mark.parametrize("name", SERVICES)
def test_ready_answers_503_naming_the_database_when_postgresql_is_down(settings, name):
    with ready_answer(name, nowhere_database(settings)) as answer:
        assert answer.status_code == 503
        assert missing(answer) == ["database"]
