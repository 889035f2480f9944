"""Settings come from the environment only when asked, and name one database per service."""

from __future__ import annotations

from shared.settings import Settings, with_database


def test_settings_are_read_from_the_given_environment():
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@h:5432/x",
            "PAGE_SIZE": "50",
            "COOKIE_SECURE": "false",
            "AUTH_CACHE_SECONDS": "1.5",
        }
    )
    assert (s.database_url, s.page_size, s.cookie_secure, s.auth_cache_seconds) == (
        "postgresql://u@h:5432/x",
        50,
        False,
        1.5,
    )


def test_each_service_gets_its_own_database_on_the_server():
    s = Settings(database_url="postgresql://u:p@h:5432/postgres", database_prefix="iae")
    assert s.database_url_for("pathways") == "postgresql+psycopg://u:p@h:5432/iae_pathways"


def test_a_service_database_url_can_be_set_explicitly():
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://h/postgres",
            "REPORTING_DATABASE_URL": "postgresql+psycopg://other/reports",
        }
    )
    assert s.database_url_for("reporting") == "postgresql+psycopg://other/reports"
    assert s.database_url_for("registry").endswith("/iae_registry")


def test_with_database_keeps_the_query_string():
    url = with_database("postgresql+psycopg://h/db?sslmode=require", "other")
    assert url == "postgresql+psycopg://h/other?sslmode=require"
