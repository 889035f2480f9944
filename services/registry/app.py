"""Registry service factory: structures, GES groups and tokens."""

from __future__ import annotations

from flask import Flask

from services.registry import api, tokens
from shared import db, queues
from shared.auth import CachingVerifier
from shared.settings import Settings
from shared.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    engine = db.make_engine(settings.database_url_for("registry"))
    redis = queues.connect(settings.redis_url)

    def readiness() -> list[str]:
        return [m for m in (db.ping(engine), queues.ping(redis)) if m]

    app, service_api = create_service_app(
        "registry", settings, readiness=readiness,
        description="Structures, groupes (GES) et jetons d'accès du réseau.",
    )
    factory = db.make_sessionmaker(engine)
    app.extensions["iae_engine"] = engine
    app.extensions["iae_db"] = factory
    app.extensions["iae_verifier"] = CachingVerifier(
        tokens.verifier(factory, settings.admin_token), settings.auth_cache_seconds
    )
    service_api.register_blueprint(api.structures)
    service_api.register_blueprint(api.access)
    return app
