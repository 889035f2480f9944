"""Load a synthetic network through the HTTP API, as the structures' software would.

Registry first (structures, GES and their dated memberships, one token per structure), then,
structure by structure and in parallel, persons and pathways (`POST /v1/events/batch`).
Every event is built valid (client.generator); a rejection is reported, never hidden.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import requests
from tqdm import tqdm

from client.annexes import AnnexSpec, annexes
from client.api import ApiError, Client, Endpoints
from client.generator import pathway
from client.synthetic import GroupSpec, StructureSpec, groups, structures
from client.timeline import PathwaySpec
from shared.domain import events as ev

BATCH_PATHWAYS = 100  # pathways per batch request: ~2,500 events, well under the 5 MiB limit


@dataclass(frozen=True)
class Size:
    structures: int
    pathways: int


# national: 5,300 SIAE and about 250,000 entries a year (DARES), over the two years generated.
SIZES = {
    "small": Size(12, 300),
    "medium": Size(120, 6_000),
    "national": Size(5_300, 500_000),
}


@dataclass
class LoadReport:
    """What was created, and every item the API refused (expected: none)."""

    structures: dict[int, str] = field(default_factory=dict)
    groups: int = 0
    annexes: int = 0
    pathways: int = 0
    events: int = 0
    rejected: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Network:
    """The whole synthetic network of a seed, computed lazily pathway by pathway."""

    seed: int
    size: Size
    today: date

    @cached_property
    def structures(self) -> list[StructureSpec]:
        return structures(self.seed, self.size.structures, self.size.pathways)

    @cached_property
    def groups(self) -> list[GroupSpec]:
        return groups(self.seed, self.structures, self.today)

    def pathways_of(self, structure: StructureSpec) -> Iterator[PathwaySpec]:
        return (pathway(self.seed, structure, n, self.today) for n in range(structure.pathways))

    @cached_property
    def annexes(self) -> list[AnnexSpec]:
        """One annexe per conventioned structure and year, funding about its hours' ETP."""
        return annexes(self.seed, self.structures, self.hours(), self.today)

    def hours(self) -> dict[int, dict[str, float]]:
        """Hours declared by month, per structure (its pathways all count under its default
        measure: the generator names none at opening)."""
        found: dict[int, dict[str, float]] = {}
        for spec in self.structures:
            months = found.setdefault(spec.index, {})
            for p in self.pathways_of(spec):
                for event in p.events:
                    if event["type"] == ev.HOURS_WORKED_RECORDED:
                        month = event["data"]["month"]
                        months[month] = months.get(month, 0.0) + event["data"]["hours"]
        return found


def load(
    client: Client,
    network: Network,
    progress: Callable[[int], None] = lambda n: None,
    workers: int = 4,
) -> LoadReport:
    """Post the network with an admin client; `progress` gets the pathways done by each step."""
    report = LoadReport()
    specs = network.structures
    for spec in specs:
        report.structures[spec.index] = client.create_structure(**spec.body())["id"]
    report.groups = _load_groups(client, network.groups, report.structures)
    report.annexes = _load_annexes(client, network.annexes, report.structures)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [
            pool.submit(
                _load_structure, client, network, spec, report.structures[spec.index], progress
            )
            for spec in specs
        ]
        for job in jobs:
            pathways, events, rejected = job.result()
            report.pathways += pathways
            report.events += events
            report.rejected.extend(rejected)
    return report


def _load_groups(client: Client, specs: list[GroupSpec], ids: dict[int, str]) -> int:
    """Each GES with its memberships in date order: joins, leaves, rejoins."""
    for spec in specs:
        group_id = client.create_group(spec.name)["id"]
        for m in spec.members:
            client.join_group(group_id, ids[m.structure_index], m.joined_on.isoformat())
            if m.left_on:
                client.leave_group(group_id, ids[m.structure_index], m.left_on.isoformat())
    return len(specs)


def _load_annexes(client: Client, specs: list[AnnexSpec], ids: dict[int, str]) -> int:
    """Each annexe, then its avenants in date order."""
    for spec in specs:
        annex_id = client.create_annex(ids[spec.structure_index], **spec.body())["id"]
        for a in spec.amendments:
            client.amend_annex(annex_id, a.number, a.effective_on.isoformat(), a.etp_conventioned)
    return len(specs)


def _load_structure(
    admin: Client,
    network: Network,
    spec: StructureSpec,
    structure_id: str,
    progress: Callable[[int], None],
) -> tuple[int, int, list[dict]]:
    """One structure's persons and pathways, under its own token, in batches."""
    token = admin.create_token(
        "structure", f"Démonstration — {spec.name}", structure_id=structure_id
    )["token"]
    client = Client(admin.endpoints, token, admin.timeout)
    counts, rejected, chunk = [0, 0], [], []
    try:
        for spec_pathway in network.pathways_of(spec):
            chunk.append(spec_pathway)
            if len(chunk) == BATCH_PATHWAYS:
                rejected += _post(client, structure_id, chunk, counts, progress)
                chunk = []
        rejected += _post(client, structure_id, chunk, counts, progress)
    finally:
        client.close()
    return counts[0], counts[1], rejected


def _post(
    client: Client,
    structure_id: str,
    chunk: list[PathwaySpec],
    counts: list[int],
    progress: Callable[[int], None],
) -> list[dict]:
    """Create the chunk's persons, then append their pathways in one batch request."""
    if not chunk:
        return []
    items: list[dict] = [
        {
            "pathway_id": p.pathway_id,
            "expected_version": 0,
            "events": p.events_for(structure_id, client.create_person(**p.person.body())),
        }
        for p in chunk
    ]
    results = client.batch(items)
    counts[0] += len(chunk)
    counts[1] += sum(len(item["events"]) for item in items)
    progress(len(chunk))
    return [r for r in results if r.get("status") not in (200, 201)]


def wanted(
    env: dict[str, str],
    registry_is_empty: Callable[[], bool],
    interactive: bool,
    ask: Callable[[str], str] = input,
) -> bool:
    """Whether `make run` loads the small demo: DEMO=1/0 decide, else ask on a terminal.

    Only an empty registry gets the demo (a second load would clash with the first); without a
    terminal nothing is asked, so a service manager or CI never blocks on the question."""
    choice = env.get("DEMO", "").strip()
    if choice == "0" or (not choice and not interactive) or not registry_is_empty():
        return False
    if choice:
        return choice == "1"
    answer = ask("Charger les données de démonstration ? [O/n] ").strip().lower()
    return answer in ("", "o", "oui", "y", "yes")


def offer(env: dict[str, str], interactive: bool) -> None:
    """After `make run` is ready: load the small demo if wanted, with a progress bar."""
    endpoints = Endpoints.from_env(env)
    client = Client(endpoints, env.get("IAE_TOKEN") or env["ADMIN_TOKEN"])
    try:
        if not wanted(env, lambda: not client.structures(), interactive):
            return
        with tqdm(total=SIZES["small"].pathways, desc="démonstration", unit=" parcours") as bar:
            report = load(client, Network(1, SIZES["small"], date.today()), bar.update)
        print(
            f"Démonstration chargée : {len(report.structures)} structures, {report.pathways} "
            f"parcours ; tableau de bord : {endpoints.reporting}/",
            flush=True,
        )
    except (ApiError, requests.RequestException) as error:
        print(f"Démonstration non chargée : {error}", file=sys.stderr, flush=True)
    finally:
        client.close()
