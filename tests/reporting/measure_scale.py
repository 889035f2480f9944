"""Measure reporting at scale (not a test): raw scan, catch-up, rebuild and report latency.

    python -m tests.reporting.measure_scale --pathways 20000 --structures 500

Generated pathways are COPYed straight into a scratch pathways database (positions in
transaction order, one transaction per chunk, as the gap-free feed requires); the real worker
code then reads them through a live pathways app. Reference data goes straight into the
reporting database. Scratch databases are dropped at the end. Figures go to stdout as JSON.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import statistics
import time
import uuid
from datetime import date, timedelta

import orjson
import psycopg

from services.reporting.catchup import jobs
from shared.domain.territories import DEPARTMENT_REGION
from tests.support import Engines, bearer, drop_all, make_settings, migrate_all, start_services

KINDS = ("AI", "ACI", "EI", "ETTI", "ACI", "AI", "EI")
REASONS = ("cdi", "chomage", "cdd_moins_6_mois", "autre_siae", "deces", "formation_qualifiante")
DIMS = ("structure", "group", "kind", "department", "region", "month", "criterion", "sex")
CHUNK = 50_000
COPY = (
    "COPY events (position, event_id, pathway_id, version, structure_id, type, occurred_on,"
    " data) FROM STDIN"
)


def structures(n: int, rng: random.Random) -> list[tuple]:
    departments = sorted(DEPARTMENT_REGION)
    rows = []
    for i in range(n):
        dep = rng.choice(departments)
        rows.append(
            (str(uuid.uuid4()), f"Structure {i}", KINDS[i % 7], dep, DEPARTMENT_REGION[dep])
        )
    return rows


def pathway(rng: random.Random, structure_id: str, today: date) -> list[tuple[str, date, dict]]:
    """One pathway: opening, monthly hours, support, maybe a MAD, maybe an exit (maybe voided)."""
    opened = today - timedelta(days=rng.randrange(730))
    criteria = rng.sample(["RSA", "QPV", "TH", "JEUNE", "DELD", "SENIOR"], rng.randint(1, 3))
    opening = {
        "structure_id": structure_id,
        "sex": rng.choice("FM"),
        "age_band": rng.choice(["under_26", "26_49", "50_plus"]),
        "eligibility": {"diagnosed_by": "prescriber", "criteria": criteria},
    }
    events = [("pathway_opened", opened, opening)]
    end = min(today, opened + timedelta(days=rng.randrange(30, 700)))
    month = opened.replace(day=1)
    while month < end and len(events) < 14:
        declared = min(today, month + timedelta(days=35))
        events.append(
            ("hours_worked_recorded", declared, {"month": month.strftime("%Y-%m"), "hours": 70})
        )
        month = (month + timedelta(days=32)).replace(day=1)
    support = {"domain": "social", "topic": "logement", "delivery": "internal"}
    events.append(("support_action_recorded", opened + timedelta(days=5), support))
    if rng.random() < 0.3:
        mad = {"client_kind": "particulier", "start_on": str(opened), "hours": 20}
        events.append(("mise_a_disposition_recorded", opened, {**mad, "end_on": str(opened)}))
    if end < today:
        events.append(("pathway_exited", end, {"reason": rng.choice(REASONS)}))
    events.sort(key=lambda e: e[1])
    return [e for e in events if e[1] <= today]


def load_log(url: str, refs: list[tuple], pathways: int, seed: int) -> int:
    """COPY the pathways' events, interleaved in date order, in chunks of one transaction."""
    rng, today, rows = random.Random(seed), date.today(), []
    for _ in range(pathways):
        s = rng.choice(refs)[0]
        pid = str(uuid.uuid4())
        for version, (t, on, data) in enumerate(pathway(rng, s, today), start=1):
            rows.append((on, pid, version, s, t, data))
    rows.sort(key=lambda r: (r[0], r[2]))
    with psycopg.connect(url) as conn:
        for start in range(0, len(rows), CHUNK):
            with conn.transaction(), conn.cursor().copy(COPY) as copy:
                for i, (on, pid, v, s, t, data) in enumerate(rows[start : start + CHUNK]):
                    copy.write_row(
                        (start + i + 1, uuid.uuid4(), pid, v, s, t, on, orjson.dumps(data).decode())
                    )
    return len(rows)


def load_reference(url: str, refs: list[tuple]) -> None:
    with (
        psycopg.connect(url) as conn,
        conn.cursor().copy(
            "COPY reference_data.structures (id, name, kind, department, region) FROM STDIN"
        ) as copy,
    ):
        for row in refs:
            copy.write_row(row)


def raw_scan(url: str) -> float:
    """Events per second of a plain scan in position order, jsonb decoded."""
    started, n = time.perf_counter(), 0
    with psycopg.connect(url) as conn, conn.cursor(name="scan") as cur:
        cur.itersize = 5000
        cur.execute("SELECT * FROM events ORDER BY position")
        for _ in cur:
            n += 1
    return n / (time.perf_counter() - started)


def _timed(action: str, settings, out) -> None:
    jobs.configure(settings)
    started = time.perf_counter()
    applied = jobs.catch_up("all") if action == "catch-up" else jobs.rebuild("outcomes")
    seconds = time.perf_counter() - started
    jobs.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"seconds": round(seconds, 2), "applied": applied, "peak_rss_mb": round(rss)})


def worker_run(action: str, settings) -> dict:
    """The worker code in a process of its own, so that its peak RSS is its own."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_timed, args=(action, settings, out))
    proc.start()
    result = out.get()
    proc.join()
    result["events_per_s"] = round(result["applied"] / max(result["seconds"], 1e-9))
    return result


def report_latencies(client, token: str, repeats: int) -> dict:
    """Milliseconds per one-year report, by group_by (median and max of `repeats`): the twelve
    whole months before this one (tallies) and the year to today (pathway rows)."""
    today = date.today()
    month = today.replace(day=1)
    whole = f"from={month.replace(year=month.year - 1)}&to={month - timedelta(days=1)}"
    rolling = f"from={today - timedelta(days=364)}&to={today}"
    return {
        "whole_months": _latencies(client, token, repeats, whole),
        "to_today": _latencies(client, token, repeats, rolling),
    }


def _latencies(client, token: str, repeats: int, period: str) -> dict:
    base = f"/v1/reports/outcomes?{period}"
    found = {}
    for dims in ("", *DIMS, "age_band", "group,month", "criterion,sex"):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            r = client.get(f"{base}&group_by={dims}", headers=bearer(token))
            times.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, r.get_data(as_text=True)
        found[dims or "total"] = (round(statistics.median(times)), round(max(times)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pathways", type=int, default=20000)
    parser.add_argument("--structures", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engines = Engines(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    settings = make_settings(engines)
    migrate_all(settings)
    live = start_services(settings)
    try:
        refs = structures(args.structures, random.Random(1))
        load_reference(settings.database_url_for("reporting").replace("+psycopg", ""), refs)
        pw_url = settings.database_url_for("pathways").replace("+psycopg", "")
        figures: dict = {
            "load_avg": os.getloadavg()[0],
            "events": load_log(pw_url, refs, args.pathways, 2),
        }
        figures["raw_scan_eps"] = round(raw_scan(pw_url))
        figures["catch_up"] = worker_run("catch-up", settings)
        figures["rebuild"] = worker_run("rebuild", settings)
        client = live["reporting"].app.test_client()
        figures["report_ms"] = report_latencies(client, settings.admin_token, args.repeats)
        figures["load_avg_end"] = os.getloadavg()[0]
        print(orjson.dumps(figures).decode())
    finally:
        jobs.dispose()
        for server in live.values():
            server.stop()
        drop_all(settings)


if __name__ == "__main__":
    main()
