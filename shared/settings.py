"""Settings read from the environment, once, when an app or process is created (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from shared.domain.annexes import OVER_CONSUMPTION, UNDER_CONSUMPTION

SERVICES = ("registry", "pathways", "reporting")

# The secrets a deployment must choose itself: refused when short or known (check_secrets).
SECRET_SETTINGS = ("admin_token", "service_token", "identity_kek", "import_id_secret", "secret_key")
# Checked the same way when set, but a deployment may go without them (no identity provider).
OPTIONAL_SECRET_SETTINGS = ("oidc_client_secret",)
MIN_SECRET_CHARS = 24
# Values published with the project (old docker-compose.yml defaults, documentation examples):
# anyone can read them, so a deployment that kept one has no secret at all.
KNOWN_SECRETS = frozenset(
    {
        "change-me-admin-token",
        "change-me-secret-key",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",  # base64 of "0123456789abcdef" twice
        "admin",
        "secret",
        "changeme",
        "change-me",
        "postgres",
    }
)


class InsecureSetting(ValueError):
    """A secret setting that must not be used: the message says which and what to do, in French."""


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    return int(env.get(key, default))


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    return float(env.get(key, default))


@dataclass(frozen=True)
class Settings:
    """Every tunable of the system; the README's settings table mirrors this class."""

    database_url: str = ""  # server URL; each service uses its own database on it
    database_prefix: str = "iae"  # databases are named <prefix>_<service>
    # Reports, the dashboard and exports may read a streaming standby of reporting's database
    # (empty: the primary); past this replay delay, or when it cannot be read, the primary answers.
    reporting_read_database_url: str = ""
    reporting_read_max_lag_seconds: float = 5.0
    redis_url: str = ""
    queue_prefix: str = "iae"  # namespace of RQ queues and nudge keys in Redis
    admin_token: str = ""
    service_token: str = ""  # token the reporting worker uses to read the feed and the registry
    registry_url: str = "http://127.0.0.1:5001"
    pathways_url: str = "http://127.0.0.1:5002"
    identity_kek: str = ""  # base64 key-encryption key for persons' identity keys
    identity_kek_version: int = 1  # the version of IDENTITY_KEK, stored with each key it wraps
    identity_kek_previous: str = ""  # "1:<base64>,…": earlier KEKs, read only during a rotation
    import_id_secret: str = ""  # keys the ids of imported pathways and events (HMAC)
    secret_key: str = ""  # signs the dashboard session cookie
    max_body_bytes: int = 5 * 1024 * 1024
    page_size: int = 100
    max_page_size: int = 1000
    feed_max_page: int = 5000
    auth_cache_seconds: float = 60.0
    auth_failure_seconds: float = 5.0  # a refused token is refused again without a new check
    token_checks_at_once: int = 2  # Argon2 verifications running at once, per registry process
    http_timeout_seconds: float = 5.0
    sweep_seconds: float = 5.0
    catch_up_batch: int = 5000
    min_position_wait_seconds: float = 10.0
    # An annexe's realised ETP below / above these shares of its funded ETP raises an alert.
    annex_under_consumption: float = UNDER_CONSUMPTION
    annex_over_consumption: float = OVER_CONSUMPTION
    cookie_secure: bool = True
    log_level: str = "INFO"
    # Hardening of the web side: a web request's SQL statement is cancelled past this (0: never;
    # the worker, migrations and command-line tools set none), at most this many requests of a
    # process wait for `min_position` at once, each token's calls to reports and exports (and to
    # imports) are limited (Flask-Limiter notation; empty: no limit), and a dashboard session
    # ends after this long without a request, and this long after sign-in in any case.
    statement_timeout_ms: int = 5000
    min_position_waiters: int = 2
    rate_limit_reports: str = "50/second"
    rate_limit_imports: str = "2/second;500/hour"
    dashboard_session_idle_minutes: int = 60
    dashboard_session_hours: float = 8.0
    # Staff sign-in through OpenID Connect (ProConnect in production): the provider's issuer URL
    # (its discovery document is read from there), and the dashboard's client at that provider.
    # Without an issuer the dashboard offers the token form; with one, only the provider, unless
    # `dashboard_token_sign_in` keeps the form too. The registry mints a signed-in person's token
    # for `staff_token_minutes` at most (the session's absolute lifetime is shorter by default).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email"
    dashboard_token_sign_in: bool = False
    staff_token_minutes: int = 600
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Build settings from environment variables named like the fields, upper-cased."""
        env = os.environ if env is None else env
        values: dict = {}
        for f in fields(cls):
            key = f.name.upper()
            if key not in env or f.name == "extra":
                continue
            values[f.name] = _coerce(str(f.type), env[key])
        values["extra"] = {
            f"{s}_database_url": env[f"{s.upper()}_DATABASE_URL"]
            for s in SERVICES
            if env.get(f"{s.upper()}_DATABASE_URL")
        }
        return replace(cls(**values), **overrides)

    def check_secrets(self) -> None:
        """Refuse, at the start of an app or worker, a secret that is known or too short; an
        empty one is left to the code that needs it (e.g. pathways refuses to start without a
        KEK)."""
        for name in (*SECRET_SETTINGS, *OPTIONAL_SECRET_SETTINGS):
            value = str(getattr(self, name, "") or "")
            if not value:
                continue
            lowered = value.lower()
            if value in KNOWN_SECRETS or "change-me" in lowered or "changeme" in lowered:
                problem = "est une valeur publiée (exemple ou ancienne valeur par défaut)"
            elif len(value) < MIN_SECRET_CHARS or len(set(value)) < 8:
                problem = f"est trop courte (au moins {MIN_SECRET_CHARS} caractères variés)"
            else:
                continue
            hint = "openssl rand -base64 32" if name == "identity_kek" else "openssl rand -hex 32"
            raise InsecureSetting(
                f"Démarrage refusé : la valeur de {name.upper()} {problem}. "
                f"Générez-en une, par exemple avec : {hint}"
            )

    def database_url_for(self, service: str) -> str:
        """The URL of one service's own database (overridable with <SERVICE>_DATABASE_URL)."""
        explicit = self.extra.get(f"{service}_database_url")
        if explicit:
            return explicit
        return with_database(self.database_url, f"{self.database_prefix}_{service}")


def _coerce(type_name: str, raw: str):
    if type_name == "int":
        return int(raw)
    if type_name == "float":
        return float(raw)
    if type_name == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def with_database(url: str, database: str) -> str:
    """Replace the database name of a PostgreSQL URL, keeping its query string."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=database).render_as_string(hide_password=False)
