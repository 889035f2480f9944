"""Registry service factory: structures, GES groups and tokens."""

from __future__ import annotations

from flask import Flask

from services.registry import verifier
from services.registry.api import BLUEPRINTS
from shared import db, queues
from shared.settings import Settings
from shared.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    engine = db.make_engine(settings.database_url_for("registry"))
    redis = queues.connect(settings.redis_url)

    app, service_api = create_service_app(
        "registry",
        settings,
        engine=engine,
        redis=redis,
        description="Structures, groupes (GES) et jetons d'accès du réseau.",
    )
    factory = db.make_sessionmaker(engine)
    app.extensions["iae_db"] = factory
    # No answer cache here: revocation is read on every request (ADR 0002).
    app.extensions["iae_verifier"] = verifier.TokenVerifier(factory, settings)
    for blueprint in BLUEPRINTS:
        service_api.register_blueprint(blueprint)
    return app
