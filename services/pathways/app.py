"""Pathways service factory: persons and the event log."""

from __future__ import annotations

from flask import Flask

from services.pathways.imports import ids
from services.pathways.store import roles, vault
from services.pathways.store.engine import make_write_engine
from services.pathways.structures import KindCache
from services.pathways.web import event_types, imports, typed_events
from services.pathways.web import events as api
from services.pathways.web import persons as persons_api
from shared import db, queues, ratelimit
from shared.auth import CachingVerifier, registry_whoami
from shared.settings import Settings
from shared.web import create_service_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    keyring = vault.load_keyring(  # refuse to start without valid KEKs
        settings.identity_kek, settings.identity_kek_version, settings.identity_kek_previous
    )
    import_secret = ids.load_secret(settings.import_id_secret)  # and without this secret
    engine = db.make_engine(settings.database_url_for("pathways"))
    roles.use_writer_role(engine)
    redis = queues.connect(settings.redis_url)

    app, service_api = create_service_app(
        "pathways",
        settings,
        engine=engine,
        redis=redis,
        description="Personnes et journal des événements de parcours.",
    )
    app.extensions.update(
        # Appends only: their own pool, without pre-ping (services/pathways/store/engine.py).
        iae_write_engine=make_write_engine(
            settings.database_url_for("pathways"), settings.statement_timeout_ms
        ),
        iae_kek=keyring,
        iae_import_secret=import_secret,
        iae_verifier=CachingVerifier(
            registry_whoami(settings.registry_url, settings.http_timeout_seconds),
            settings.auth_cache_seconds,
            settings.auth_failure_seconds,
        ),
        iae_kinds=KindCache(
            settings.registry_url, settings.http_timeout_seconds, settings.auth_cache_seconds
        ),
    )
    typed_events.register(service_api.spec, service_api.ma_plugin.converter)
    service_api.register_blueprint(api.pathways)
    service_api.register_blueprint(event_types.blp)
    service_api.register_blueprint(persons_api.blp)
    service_api.register_blueprint(imports.blp)
    # An import parses a whole file: each token's uploads are rate-limited (429, Retry-After).
    ratelimit.install(app, settings)
    ratelimit.limit(app, settings.rate_limit_imports, ["imports.Imports"], scope="imports")
    return app
