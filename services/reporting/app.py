"""Reporting service factory: report API and dashboard over the projections."""

from __future__ import annotations

from flask import Flask

from services.reporting import api, reading, snapshots_api
from services.reporting.catchup.feed import ChangesClient, FeedClient
from services.reporting.dashboard import (
    connexion,  # noqa: F401 (its pages join the dashboard's)
    frozen,
    people,
)
from services.reporting.dashboard import views as dashboard
from shared import db, queues, ratelimit
from shared.auth import CachingVerifier, registry_whoami
from shared.settings import Settings
from shared.web import create_service_app

REPORT_WORK_MEM = "64MB"
# Reports and their files, through the API and the dashboard: one budget per token.
EXPENSIVE = (
    "reports.Outcomes",
    "reports.Etp",
    "snapshots.Snapshots",
    "snapshots.SnapshotChanges",
    "reports.PostExit",
    "dashboard.Export",
    "dashboard.EtpExport",
)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    # Reports sort and group tens of thousands of tally cells (a national breakdown by
    # structure): with the default 4 MB they spill to disk and take twice as long.
    options = {"options": f"-c timezone=UTC -c work_mem={REPORT_WORK_MEM}"}
    engine = db.make_engine(settings.database_url_for("reporting"), connect_args=options)
    standby = None
    if settings.reporting_read_database_url:
        standby = db.make_engine(settings.reporting_read_database_url, connect_args=options)
        db.limit_statements(standby, settings.statement_timeout_ms)
    redis = queues.connect(settings.redis_url)

    app, service_api = create_service_app(
        "reporting",
        settings,
        engine=engine,
        redis=redis,
        description="Rapports de sorties, alertes, projections et tableau de bord.",
    )
    app.extensions["iae_logs"] = {"feed": FeedClient(settings), "changes": ChangesClient(settings)}
    app.extensions["iae_verifier"] = CachingVerifier(
        registry_whoami(settings.registry_url, settings.http_timeout_seconds),
        settings.auth_cache_seconds,
        settings.auth_failure_seconds,
    )
    reading.install(app, engine, standby, settings.reporting_read_max_lag_seconds)
    service_api.register_blueprint(api.blp)
    service_api.register_blueprint(snapshots_api.blp)
    service_api.register_blueprint(dashboard.blp)
    service_api.register_blueprint(frozen.blp)
    service_api.register_blueprint(people.blp)
    api.install_waiting(app, settings.min_position_waiters)
    ratelimit.install(app, settings)
    ratelimit.limit(app, settings.rate_limit_reports, EXPENSIVE, scope="reports")
    return app
