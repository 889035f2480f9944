"""Measure the append path in-process: single appends and 1,000-event batches through the real
pathways app (werkzeug test client: auth, validation, fold, decide, commit, nudge), and the
store path the HTTP view calls. Prints events/s (wall clock) and this process's CPU per event,
which a busy shared machine disturbs less than the wall clock; the load average is noted.

    DATABASE_URL=... REDIS_URL=... python -m scripts.measure_appends [--profile DIR] [--rounds N]

Without DATABASE_URL/REDIS_URL, embedded servers are started (as the tests do).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

from shared.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, wipe
from tests.support import Engines, bearer, drop_all, make_settings, migrate_all, start_services

ROOT = Path(__file__).resolve().parent.parent
PATHWAY_LENGTH = 20  # an opening then support actions, as the benchmark's clients write them


def opened(structure_id: str, person_id: str, today: date) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "pathway_opened",
        "occurred_on": today.isoformat(),
        "data": {
            "person_id": person_id,
            "structure_id": structure_id,
            "orienteur": "03",
            "eligibility": {"diagnosed_by": "prescriber", "criteria": ["DETLD", "QPV"]},
            "education_level": "50",
            "pass_iae": {
                "number": "999991234567",
                "start_on": today.isoformat(),
                "end_on": date(today.year + 2, 1, 1).isoformat(),
            },
        },
    }


def support(today: date) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "support_action_recorded",
        "occurred_on": today.isoformat(),
        "data": {"domain": "social", "topic": "logement", "delivery": "internal", "hours": 2},
    }


class Writer:
    """Pathways of 20 events written one request at a time, or 2-event items in batches."""

    def __init__(self, client, headers: dict, structure_id: str, persons: list[str]):
        self.client, self.headers = client, headers
        self.structure_id, self.persons = structure_id, persons
        self.pathway_id, self.version, self.count = str(uuid.uuid4()), 0, 0

    def _person(self) -> str:
        self.count += 1
        return self.persons[self.count % len(self.persons)]

    def single(self) -> int:
        if self.version == PATHWAY_LENGTH:
            self.pathway_id, self.version = str(uuid.uuid4()), 0
        today = date.today()
        event = opened(self.structure_id, self._person(), today) if self.version == 0 else None
        body = {"expected_version": self.version, "events": [event or support(today)]}
        answer = self.client.post(
            f"/v1/pathways/{self.pathway_id}/events", headers=self.headers, json=body
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
        self.version += 1
        return 1

    def batch(self, events: int = 1000) -> int:
        today = date.today()
        items = [
            {
                "pathway_id": str(uuid.uuid4()),
                "expected_version": 0,
                "events": [opened(self.structure_id, self._person(), today), support(today)],
            }
            for _ in range(events // 2)
        ]
        answer = self.client.post("/v1/events/batch", headers=self.headers, json={"items": items})
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        refused = [r for r in answer.json["results"] if r["status"] != 201]
        assert not refused, refused[:2]
        return events


def timed(step, seconds: float) -> tuple[float, float]:
    """Run `step` for about `seconds`; (events per wall second, CPU milliseconds per event)."""
    events, wall, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        events += step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return events / wall, 1000 * cpu / events


def report(name: str, samples: list[tuple[float, float]]) -> None:
    rates, cpus = [s[0] for s in samples], [s[1] for s in samples]
    print(
        f"{name:>14}: {statistics.median(rates):8,.0f} events/s "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f}); "
        f"{statistics.median(cpus):6.3f} ms CPU/event in this process",
        flush=True,
    )


def setup(services, settings) -> Writer:
    registry = services["registry"].app.test_client()
    pathways = services["pathways"].app.test_client()
    admin = bearer(settings.admin_token)
    made = registry.post(
        "/v1/structures",
        headers=admin,
        json={"siret": "73282932000074", "name": "Mesure", "kind": "ACI", "department": "35"},
    )
    structure_id = made.json["id"]
    token = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": structure_id, "label": "mesure"},
    ).json["token"]
    headers = bearer(token)
    identity = {"first_name": "Camille", "last_name": "Martin", "birth_date": "1980-04-12"}
    persons = [
        pathways.post("/v1/persons", headers=headers, json={**identity, "sex": "F"}).json["id"]
        for _ in range(50)
    ]
    return Writer(pathways, headers, structure_id, persons)


def profiled(step, seconds: float, path: Path) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    timed(step, seconds)
    profiler.stop()
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"profile written to {path}", flush=True)


def measure(services, settings, args) -> None:
    writer = setup(services, settings)
    writer.single(), writer.batch(100)  # warm caches (token, kind, schemas, pool)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    if args.profile:
        out = Path(args.profile)
        out.mkdir(parents=True, exist_ok=True)
        profiled(writer.single, args.seconds, out / "single.txt")
        profiled(writer.batch, 2 * args.seconds, out / "batch.txt")
        return
    singles, batches = [], []
    for _ in range(args.rounds):
        singles.append(timed(writer.single, args.seconds))
        batches.append(timed(writer.batch, 2 * args.seconds))
    report("single append", singles)
    report("batch of 1000", batches)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--profile", help="write pyinstrument profiles to this folder instead")
    args = parser.parse_args()
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    base = ROOT / "var" / "measure" / str(os.getpid())
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url:
        started.append(EmbeddedPostgres(base / "pg", free_port()).start())
        database_url = started[-1].url
    if not redis_url:
        started.append(EmbeddedRedis(base / "redis", free_port()).start())
        redis_url = started[-1].url
    settings = make_settings(Engines(database_url, redis_url))
    migrate_all(settings)
    services = start_services(settings)
    try:
        measure(services, settings, args)
    finally:
        for server in services.values():
            server.stop()
        drop_all(settings)
        for embedded in started:
            embedded.stop()
        if started:
            wipe(base)


if __name__ == "__main__":
    main()
