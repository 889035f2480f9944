"""The read side: the real worker's catch-up and rebuild, projection lag, report latency."""

from __future__ import annotations

import multiprocessing as mp
import random
import subprocess
import sys
import time
from datetime import date, timedelta

import orjson

from bench import activity, clients, stack
from bench.measure import SETUP_TIMEOUT_S, percentile
from services.reporting.reports.etp import ETP_DIMENSIONS
from services.reporting.reports.labels import DIMENSION_LABELS
from shared.settings import Settings

# The tallies' dimensions, as before annexes: by annexe or measure the pathway rows answer,
# timed apart by `python -m bench.report_scale`.
DIMENSIONS = tuple(DIMENSION_LABELS)
POLL_S = 0.025


def probe(settings: Settings, action: str = "catch-up") -> dict:
    """Run the worker code once in its own process (its RSS is then the worker's alone)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.probe", action],
        env=stack.environment(settings),
        cwd=stack.ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the worker probe failed: {out.stderr[:3000]}")
    return orjson.loads(out.stdout.strip().splitlines()[-1])


def rebuild(settings: Settings) -> dict:
    """Every projection rebuilt from position 0 into fresh tables, then swapped in."""
    return probe(settings, "rebuild")


def _appender(
    index: int, url: str, token: str, structure_id: str, rate: float, duration: float, ready, out
) -> None:
    """Paced single-event appends; records (position, time the commit was acknowledged)."""
    s = clients.session(token)
    writer = clients.PathwayWriter(index, structure_id, clients.person_pool(s, url, 20, index))
    ready.wait(SETUP_TIMEOUT_S)
    seen, started = [], time.time()
    for i in range(int(rate * duration)):
        time.sleep(max(0.0, started + i / rate - time.time()))
        pathway_id, body = writer.next_request()
        r = s.post(f"{url}/v1/pathways/{pathway_id}/events", json=body, timeout=30)
        seen.append((clients.check(r, 201).json()["events"][0]["position"], time.time()))
    out.put(seen)


def _watch(url: str, token: str, structure_id: str, until: float) -> list[tuple[float, int]]:
    """Poll the report's `as_of_position` (a cheap one: one structure, this year)."""
    s, samples = clients.session(token), []
    while time.time() < until:
        r = clients.check(
            s.get(f"{url}/v1/reports/outcomes", params={"structure_id": structure_id}, timeout=30),
            200,
        )
        samples.append((time.time(), r.json()["as_of_position"]))
        time.sleep(POLL_S)
    return samples


def _lags(appends: list[tuple[int, float]], samples: list[tuple[float, int]]) -> list[float]:
    lags, i = [], 0
    for position, committed in sorted(appends):
        while i < len(samples) and (samples[i][1] < position or samples[i][0] < committed):
            i += 1
        lags.append(samples[i][0] - committed if i < len(samples) else float("inf"))
    return lags


def lag_p99(
    settings: Settings,
    token: str,
    structure_id: str,
    rate: float,
    duration: float,
    writers: int = 4,
) -> tuple[float, str]:
    """p99 seconds from an acknowledged append to a report that includes it, at `rate` events/s,
    and what PostgreSQL was doing during the spikes (bench/activity.py)."""
    ctx = mp.get_context("spawn")
    ready, out = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [
        ctx.Process(
            target=_appender,
            daemon=True,
            args=(
                i,
                settings.pathways_url,
                token,
                structure_id,
                rate / writers,
                duration,
                ready,
                out,
            ),
        )
        for i in range(writers)
    ]
    for p in procs:
        p.start()
    ready.wait(SETUP_TIMEOUT_S)
    with activity.Sampler(stack.psycopg_url(settings.database_url)) as sampler:
        samples = _watch(
            stack.reporting_url(settings), token, structure_id, time.time() + duration + 5
        )
    appends = [a for _ in procs for a in out.get(timeout=120)]
    for p in procs:
        p.join(30)
    lags = _lags(appends, samples)
    committed = [at for _, at in sorted(appends)]
    cause = activity.summary(
        *activity.spikes(list(zip(committed, lags, strict=True)), sampler.samples)
    )
    return percentile(lags, 99), cause


def report_p95_ms(base_url: str, token: str, requests_count: int, seed: int) -> float:
    """p95 latency of one-year outcome reports, each with a random `group_by`. The year is the
    twelve whole calendar months before the current one: the periods staff pick in the
    dashboard (year, quarter, month) are whole months; a custom day range is rarer."""
    return _year_p95(f"{base_url}/v1/reports/outcomes", DIMENSIONS, token, requests_count, seed)


def etp_report_p95_ms(base_url: str, token: str, requests_count: int, seed: int) -> float:
    """p95 latency of one-year ETP reports (the same twelve whole months as `report_p95_ms`),
    each with a random `group_by`: annexes and hours are read from their two small tables."""
    return _year_p95(f"{base_url}/v1/reports/etp", ETP_DIMENSIONS, token, requests_count, seed)


def post_exit_report_p95_ms(base_url: str, token: str, requests_count: int, seed: int) -> float:
    """p95 latency of the post-exit report on the exit cohorts of the same twelve months, each
    with a random `group_by` of the outcome report's tallied dimensions."""
    return _year_p95(f"{base_url}/v1/reports/post-exit", DIMENSIONS, token, requests_count, seed)


def _year_p95(url: str, dimensions, token: str, requests_count: int, seed: int) -> float:
    s, rng, params = clients.session(token), random.Random(seed), _last_year()
    times = [
        _timed(s, url, {**params, "group_by": rng.choice(dimensions)})
        for _ in range(requests_count)
    ]
    return percentile(times, 95)


def _last_year() -> dict[str, str]:
    """The twelve whole calendar months before the current one, as report parameters."""
    this_month = date.today().replace(day=1)
    return {
        "from": this_month.replace(year=this_month.year - 1).isoformat(),
        "to": (this_month - timedelta(days=1)).isoformat(),
    }


def asof_report_p95_ms(
    base_url: str, token: str, requests_count: int, seed: int
) -> tuple[float, float, float, int]:
    """p95 latency of a structure-year's outcome report (the twelve whole months of
    `report_p95_ms`), live and as of a random position of the second half of the log, for random
    structures; then of the network-year as of the log's middle, three times (knowledge time,
    docs/adr/0016-knowledge-time.md). (live, as of, network as of, network answers cut by the
    statement timeout: their time is then the timeout's)."""
    s, rng = clients.session(token), random.Random(seed)
    params = _last_year()
    url = f"{base_url}/v1/reports/outcomes"
    projections = clients.check(s.get(f"{base_url}/v1/projections", timeout=60), 200).json()
    head = next(p["position"] for p in projections if p["name"] == "outcomes")
    by_structure = s.get(url, params={**params, "group_by": "structure"}, timeout=120)
    structures = [r["key"]["structure"] for r in clients.check(by_structure, 200).json()["rows"]]
    live, as_of = [], []
    for _ in range(requests_count):
        one = {**params, "structure_id": rng.choice(structures)}
        live.append(_timed(s, url, one))
        as_of.append(_timed(s, url, {**one, "as_of_position": rng.randint(head // 2, head)}))
    network, cut = [], 0
    for _ in range(3):
        started = time.perf_counter()
        r = s.get(url, params={**params, "as_of_position": head // 2}, timeout=600)
        network.append((time.perf_counter() - started) * 1000)
        if r.status_code != 503:
            clients.check(r, 200)
        cut += r.status_code == 503
    return percentile(live, 95), percentile(as_of, 95), percentile(network, 95), cut


def _timed(s, url: str, params: dict) -> float:
    started = time.perf_counter()
    clients.check(s.get(url, params=params, timeout=600), 200)
    return (time.perf_counter() - started) * 1000
