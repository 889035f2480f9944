"""The phases of one run, in order: raw baselines, the peer, the write path, the read side."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import psycopg

from bench import bootstrap, clients, national, peer, raw, replica, reporting, stack, system
from bench.measure import Figure, load, repeat
from bench.sizes import Sizes
from shared import db, migrations
from shared.embedded import EmbeddedPostgres
from shared.settings import Settings

SCRATCH = ("raw", "peer", "store")
# GES in the national data (a dozen members each, whole months): the `group` report's rows.
NATIONAL_GROUPS = 30
READERS = 4  # clients asking for reports at once in the standby phase


@dataclass
class Run:
    """State shared by the phases: settings, sizes, figures so far, processes started."""

    settings: Settings
    sizes: Sizes
    figures: dict[str, Figure] = field(default_factory=dict)
    procs: list = field(default_factory=list)
    seed: int = 20261126
    operator_token: str = ""
    primary: EmbeddedPostgres | None = None  # the embedded server, when the run started one

    def operator(self) -> str:
        """A real admin token, made once with the bootstrap ADMIN_TOKEN (which may only create
        admin tokens) once the registry runs."""
        if not self.operator_token:
            s = self.settings
            self.operator_token = bootstrap.token(s.registry_url, s.admin_token, "admin")
        return self.operator_token

    def url(self, name: str) -> str:
        return stack.scratch_url(self.settings, name)

    def pg(self, name: str) -> str:
        return stack.psycopg_url(self.url(name))

    def add(self, figure: Figure) -> Figure:
        self.figures[figure.key] = figure
        print(f"  {figure.key}: {figure.median:,.3f} {figure.unit}", flush=True)
        return figure

    def load(
        self,
        key: str,
        factory,
        args: tuple,
        procs: int,
        window: float | None = None,
        unit: str = "events/s",
    ) -> None:
        s = self.sizes
        figure = load(key, factory, args, procs, s.reps, window or s.window_s, s.max_ops)
        figure.unit = unit
        self.add(figure)


def prepare(run: Run) -> None:
    """Every database at its latest migration; scratch ones hold the same event table."""
    stack.migrate(run.settings)
    for name in ("raw", "store"):
        migrations.upgrade("pathways", run.url(name))
    db.create_database(run.url("peer"))
    peer.create_tables(run.url("peer"))


def raw_baselines(run: Run) -> None:
    print("raw PostgreSQL", flush=True)
    run.load("raw_insert_commit_eps", raw.insert_commit_writer, (run.pg("raw"),), run.sizes.writers)
    run.load("raw_batch_insert_eps", raw.batch_writer, (run.pg("raw"),), run.sizes.writers)


def bare_http(run: Run) -> None:
    print("bare Flask + PostgreSQL under gunicorn", flush=True)
    url = f"http://127.0.0.1:{stack.free_port()}"
    env = {**stack.environment(run.settings), "BENCH_BARE_DATABASE_URL": run.url("raw")}
    proc = stack.gunicorn("bench.bare_app:create_app()", url, env)
    try:
        stack.wait_ready([url], "/health")
        args = (url, str(uuid.uuid4()))
        run.load(
            "bare_http_insert_rps",
            clients.bare_client,
            args,
            run.sizes.http_clients,
            unit="requests/s",
        )
    finally:
        stack.stop([proc])


def peer_and_store(run: Run) -> None:
    print("eventsourcing (peer) and the project's store, in-process", flush=True)
    for suffix, procs in (("", 1), ("_8", run.sizes.writers)):
        run.load(f"peer_eventsourcing{suffix}_eps", peer.writer, (run.url("peer"),), procs)
        run.load(f"store_append{suffix}_eps", system.store_writer, (run.url("store"),), procs)


def http_writes(run: Run) -> None:
    """The services under gunicorn; single appends and batches through the HTTP API."""
    print("the system over HTTP", flush=True)
    s = run.settings = stack.with_fresh_ports(run.settings)
    run.procs += stack.start_services(s)
    structure = bootstrap.structures(s.registry_url, run.operator(), 1, run.seed)[0]
    token = bootstrap.token(s.registry_url, run.operator(), "structure", structure["id"])
    persons = 20 if run.sizes.window_s < 2 else 100
    run.load(
        "http_append_eps",
        clients.append_client,
        (s.pathways_url, token, structure["id"], persons),
        run.sizes.http_clients,
    )
    run.load(
        "http_batch_eps",
        clients.batch_client,
        (s.pathways_url, token, structure["id"], run.sizes.batch_items),
        run.sizes.http_clients,
        window=2 * run.sizes.window_s,
    )


def pathways_pg(run: Run) -> str:
    return stack.psycopg_url(run.settings.database_url_for("pathways"))


def national_log(run: Run) -> tuple[national.Source, int]:
    """The log filled up to `rebuild_events` events with national-scale pathways."""
    s, z = run.settings, run.sizes
    print(
        f"national data: {z.national_structures} structures, log of {z.rebuild_events} events",
        flush=True,
    )
    made = bootstrap.structures(s.registry_url, run.operator(), z.national_structures, run.seed + 1)
    bootstrap.groups(s.registry_url, run.operator(), made, NATIONAL_GROUPS, run.seed + 2)
    national.annexes(s.registry_url, run.operator(), made, date.today())
    source = national.Source(run.seed, made, date.today())
    missing = max(0, z.rebuild_events - raw.count_events(pathways_pg(run)))
    _, opened = national.load(pathways_pg(run), source, events=missing)
    return source, opened


def scan_and_rebuild(run: Run) -> None:
    z = run.sizes
    run.add(repeat("raw_scan_eps", "events/s", z.reps, lambda: raw.scan(pathways_pg(run))))
    results = [reporting.rebuild(run.settings) for _ in range(z.slow_reps)]
    run.add(
        Figure(
            "rebuild_1m_s",
            "s",
            [r["seconds"] for r in results],
            note=f"log of {raw.count_events(pathways_pg(run)):,} events",
        )
    )
    run.add(Figure("worker_rss_mb", "MB", [r["peak_rss_mb"] for r in results]))


def catch_up(run: Run, source: national.Source) -> None:
    """More national pathways, loaded in chunks of `catch_up_events`, each caught up by the
    worker (the catch-up figure), as the log grows in production."""
    z = run.sizes
    figure = Figure("catch_up_eps", "events/s")
    for _ in range(z.catch_up_chunks):
        events, _ = national.load(pathways_pg(run), source, events=z.catch_up_events)
        result = reporting.probe(run.settings)
        figure.samples.append(events / result["seconds"])
    figure.note = f"chunks of {z.catch_up_events:,} events"
    run.add(figure)


def national_scale(run: Run, source: national.Source) -> None:
    """The log grown to `national_pathways` pathways, projected by the worker's rebuild (the
    quickest way the real code builds them; the time is kept as `national_rebuild_s`)."""
    z = run.sizes
    pg = pathways_pg(run)
    with psycopg.connect(pg) as conn:
        opened = conn.execute("SELECT count(*) FROM events WHERE version = 1").fetchall()[0][0]
    national.load(pg, source, pathways=max(0, z.national_pathways - opened))
    # As an operator does after a bulk load: otherwise autovacuum analyzes the log during the
    # lag measurement, in a transaction that holds the feed back while it lasts (ADR 0001).
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE events")
    events = raw.count_events(pg)
    print(f"national data: {z.national_pathways:,} pathways, {events:,} events", flush=True)
    result = reporting.rebuild(run.settings)
    run.add(
        Figure(
            "national_rebuild_s",
            "s",
            [result["seconds"]],
            note=f"{events:,} events, {z.national_pathways:,} pathways",
        )
    )


def reads(run: Run) -> None:
    s, z = run.settings, run.sizes
    network = bootstrap.token(s.registry_url, run.operator(), "network")
    url = stack.reporting_url(s)
    # Post-exit cohorts are read from the pathway rows (no tallies): fewer requests keep the
    # run bounded.
    for key, timing, count in (
        ("report_p95_ms", reporting.report_p95_ms, z.report_requests),
        ("etp_report_p95_ms", reporting.etp_report_p95_ms, z.report_requests),
        (
            "post_exit_report_p95_ms",
            reporting.post_exit_report_p95_ms,
            max(5, z.report_requests // 10),
        ),
    ):
        run.add(Figure(key, "ms", [timing(url, network, count, i) for i in range(z.reps)]))
    known = reporting.asof_report_p95_ms(url, network, z.report_requests, run.seed)
    run.add(Figure("structure_report_p95_ms", "ms", [known[0]], note="one structure, live"))
    run.add(Figure("asof_report_p95_ms", "ms", [known[1]], note="one structure, as of"))
    cut = f"; {known[3]} of 3 cut by the statement timeout" if known[3] else ""
    run.add(Figure("asof_network_report_p95_ms", "ms", [known[2]], note="network, as of" + cut))
    # A structure of its own: the one of the write phases holds hundreds of thousands of
    # events, and the watcher's report on it would measure report latency, not lag.
    structure = bootstrap.structures(s.registry_url, run.operator(), 1, run.seed + 2)[0]
    token = bootstrap.token(s.registry_url, run.operator(), "structure", structure["id"])
    worker = stack.start_worker(s)
    try:
        time.sleep(1.0)
        measured = [
            reporting.lag_p99(s, token, structure["id"], z.lag_rate, z.lag_s)
            for _ in range(z.slow_reps)
        ]
    finally:
        stack.stop([worker])
    causes = " | ".join(cause for _, cause in measured)
    note = f"{z.lag_rate:g} events/s for {z.lag_s:g} s; {causes}"
    run.add(Figure("lag_p99_s", "s", [p99 for p99, _ in measured], note=note))


def server_versions(settings: Settings) -> dict[str, str]:
    from shared import queues

    with psycopg.connect(stack.psycopg_url(settings.database_url)) as conn:
        pg = conn.execute("SHOW server_version").fetchall()[0][0]
    redis = queues.connect(settings.redis_url)
    try:
        return {"postgresql": pg, "redis": redis.info("server")["redis_version"]}
    finally:
        redis.close()


def standby_reads(run: Run) -> None:
    """Report throughput with the primary alone, then with the primary and a streaming standby
    behind two reporting services (the same clients, split between them)."""
    s = run.settings
    if run.primary is None:
        print("  report_rps_*: not measured (the standby is made from the embedded server)")
        return
    tokens = [bootstrap.token(s.registry_url, run.operator(), "network") for _ in range(READERS)]
    one = [stack.reporting_url(s)]
    run.load(
        "report_rps_1_reader",
        replica.report_client,
        (one, tokens, run.seed),
        READERS,
        unit="reports/s",
    )
    standby, read_url = replica.start_standby(run.primary, s)
    try:
        url, proc = replica.start_reader(s, read_url)
        try:
            two = [*one, url]
            run.load(
                "report_rps_2_readers",
                replica.report_client,
                (two, tokens, run.seed),
                READERS,
                unit="reports/s",
            )
        finally:
            stack.stop([proc])
    finally:
        standby.stop()
