"""A deployment must choose its own secrets: a service refuses to start with a published value
(the old docker-compose.yml defaults, documentation examples) or a short one, and says so in
French (shared/settings.py check_secrets, called by shared/web.py when an app is created)."""

from __future__ import annotations

import pytest

from services.registry.app import create_app as registry_app
from services.reporting.app import create_app as reporting_app
from shared.settings import InsecureSetting, Settings

OLD_COMPOSE_DEFAULTS = {
    "admin_token": "change-me-admin-token",
    "identity_kek": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "secret_key": "change-me-secret-key",
}


@pytest.mark.parametrize(("name", "value"), sorted(OLD_COMPOSE_DEFAULTS.items()))
def test_the_old_compose_defaults_are_refused_at_start(settings, name, value):
    with pytest.raises(InsecureSetting) as refused:
        registry_app(Settings(**{**settings.__dict__, name: value}))
    assert f"Démarrage refusé : la valeur de {name.upper()} est une valeur publiée" in str(
        refused.value
    )


@pytest.mark.parametrize(
    "name", ["admin_token", "secret_key", "service_token", "oidc_client_secret"]
)
def test_a_short_secret_is_refused_at_start(settings, name):
    with pytest.raises(InsecureSetting, match=f"{name.upper()} est trop courte"):
        reporting_app(Settings(**{**settings.__dict__, name: "s3cr3t-Pass"}))


def test_generated_secrets_are_accepted(settings):
    settings.check_secrets()  # the test settings are generated like make run's
    assert Settings().check_secrets() is None  # unset: left to the code that needs them
