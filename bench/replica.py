"""Reports from a streaming standby: throughput with one reader (the primary) and with two (the
primary and a standby, each behind its own reporting service), on the national data."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench import clients, stack
from bench.reporting import DIMENSIONS
from services.reporting.catchup import checkpoints
from shared.embedded import EmbeddedPostgres, free_port
from shared.settings import Settings

REPLAY_TIMEOUT_S = 600.0


def report_client(index: int, urls: list[str], tokens: list[str], seed: int):
    """One-year outcome reports with a random `group_by`, on the reader `index` falls to; each
    client has its own token, as each staff member has (reports are rate-limited per token)."""
    s, rng = clients.session(tokens[index]), random.Random(seed + index)
    url = urls[index % len(urls)]
    this_month = date.today().replace(day=1)
    period = {
        "from": this_month.replace(year=this_month.year - 1).isoformat(),
        "to": (this_month - timedelta(days=1)).isoformat(),
    }

    def step() -> int:
        query = {**period, "group_by": rng.choice(DIMENSIONS)}
        clients.check(s.get(f"{url}/v1/reports/outcomes", params=query, timeout=60), 200)
        return 1

    return step, s.close


def start_standby(primary: EmbeddedPostgres, settings: Settings) -> tuple[EmbeddedPostgres, str]:
    """A standby of `primary`, once it has replayed what the primary's projections include;
    and the URL of reporting's database on it."""
    base = primary.data_dir.parent / "standby"
    standby = primary.standby(base, free_port()).start()
    primary_db = make_url(settings.database_url_for("reporting"))
    url = primary_db.set(port=standby.port).render_as_string(hide_password=False)
    wanted = _included(settings.database_url_for("reporting"))
    deadline = time.monotonic() + REPLAY_TIMEOUT_S
    while _included(url) < wanted:
        if time.monotonic() > deadline:
            raise RuntimeError("the standby did not replay the projections in time")
        time.sleep(0.5)
    return standby, url


def start_reader(settings: Settings, read_url: str):
    """A second reporting service, reading `read_url`; its URL and process."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**stack.environment(settings), "REPORTING_READ_DATABASE_URL": read_url}
    proc = stack.gunicorn("services.reporting.app:create_app()", url, env)
    try:
        stack.wait_ready([url], "/ready")
    except BaseException:
        stack.stop([proc])
        raise
    return url, proc


def _included(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return checkpoints.included_position(conn)
    finally:
        engine.dispose()
