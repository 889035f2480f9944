"""A client generated from the services' published OpenAPI documents, as an integrator would
generate one (openapi-python-client), drives a whole pathway: what the documents say is what
the services accept and answer."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from client.synthetic import rng_for, siret
from services.reporting.catchup import jobs
from shared.domain import events as ev
from tests.support import admin_token, catch_up_to

SERVICES = ("registry", "pathways", "reporting")
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = "post_hooks: []\n"
# The feed hands out an event once every older transaction of the PostgreSQL cluster has ended:
# on a server shared with other sessions, that may take a while (a deadline, not a measure).
FEED_PATIENCE = 120.0


def generate(spec: bytes, name: str, into: Path) -> None:
    """Generate the package `name` from `spec` into `into`, as a subprocess."""
    (into / f"{name}.json").write_bytes(spec)
    (into / f"{name}.yml").write_text(f"{CONFIG}package_name_override: {name}\n")
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(into / f"{name}.json"),
            "--config",
            str(into / f"{name}.yml"),
            "--meta",
            "none",
            "--output-path",
            str(into / name),
        ],
        capture_output=True,
        text=True,
        cwd=into,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def generated(services, tmp_path_factory):
    into = tmp_path_factory.mktemp("generated")
    for service in SERVICES:
        spec = services[service].app.test_client().get("/openapi.json")
        assert spec.status_code == 200
        generate(spec.data, f"iae_{service}_client", into)
    sys.path.insert(0, str(into))
    yield {s: Generated(f"iae_{s}_client") for s in SERVICES}
    sys.path.remove(str(into))


class Generated:
    """A generated package: its client classes, models and operations by module name."""

    def __init__(self, package: str):
        self.package = package
        self.models = importlib.import_module(f"{package}.models")

    def call(self, operation: str, client, **arguments):
        """The parsed answer of an operation (api/<tag>/<operation>.py), checked as documented."""
        module = next(
            importlib.import_module(f"{self.package}.api.{tag.name}.{operation}")
            for tag in (Path(sys.modules[self.package].__file__).parent / "api").iterdir()
            if (tag / f"{operation}.py").exists()
        )
        return module.sync_detailed(client=client, **arguments)

    def client(self, url: str, token: str | None = None):
        package = importlib.import_module(self.package)
        if token is None:
            return package.Client(base_url=url, raise_on_unexpected_status=True)
        return package.AuthenticatedClient(
            base_url=url, token=token, raise_on_unexpected_status=True
        )


def camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split("_"))


def test_the_generated_client_has_one_model_per_event_type_and_family(generated):
    models = generated["pathways"].models
    for event_type in ev.EVENT_TYPES:
        for family in ("Event", "FeedEvent", "StreamEvent", "Data", "StoredData"):
            assert hasattr(models, f"{camel(event_type)}{family}"), (event_type, family)
    listed = generated["pathways"].call(
        "get_v1_event_types", generated["pathways"].client(URLS["pathways"])
    )
    assert listed.status_code == 200
    assert [i.type_ for i in listed.parsed.items] == list(ev.EVENT_TYPES)


URLS: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def urls(settings):
    URLS.update(
        registry=settings.registry_url,
        pathways=settings.pathways_url,
        reporting=settings.extra["reporting_url"],
    )


def test_a_whole_pathway_runs_through_the_generated_clients(settings, generated):
    registry, pathways, reporting = (generated[s] for s in SERVICES)
    r, p = registry.models, pathways.models
    admin = registry.client(URLS["registry"], admin_token(settings))

    structure = registry.call(
        "post_v1_structures",
        admin,
        body=r.StructureIn(
            siret=siret(rng_for(uuid.uuid4().hex)),
            name="ACI des Coteaux",
            kind=r.StructureInKind("ACI"),
            department="35",
        ),
    )
    assert structure.status_code == 201 and isinstance(structure.parsed, r.StructureOut)
    structure_id = structure.parsed.id
    token = registry.call(
        "post_v1_tokens",
        admin,
        body=r.TokenIn(
            scope=r.TokenInScope("structure"), label="logiciel", structure_id=structure_id
        ),
    )
    assert token.status_code == 201, token.content
    software = pathways.client(URLS["pathways"], token.parsed.token)

    person = pathways.call(
        "post_v1_persons",
        software,
        body=p.PersonIn(
            first_name="Camille",
            last_name="Martin",
            birth_date=date(1990, 5, 17),
            sex=p.PersonInSex("F"),
        ),
    )
    assert person.status_code == 201, person.content

    opened_on = date.today() - timedelta(days=100)
    start_on = opened_on + timedelta(days=1)
    exit_on = date.today() - timedelta(days=3)
    contract_id = uuid.uuid4()
    events = [
        p.PathwayOpenedEvent(
            id=uuid.uuid4(),
            type_=p.PathwayOpenedEventType("pathway_opened"),
            occurred_on=opened_on,
            data=p.PathwayOpenedData(
                person_id=uuid.UUID(str(person.parsed.id)),
                structure_id=uuid.UUID(str(structure_id)),
                orienteur=p.PathwayOpenedDataOrienteur("03"),
                eligibility=p.Eligibility(
                    diagnosed_by=p.EligibilityDiagnosedBy("prescriber"),
                    criteria=[p.EligibilityCriteriaItem("RSA")],
                ),
            ),
        ),
        p.ContractStartedEvent(
            id=uuid.uuid4(),
            type_=p.ContractStartedEventType("contract_started"),
            occurred_on=start_on,
            data=p.ContractStartedData(
                contract_id=contract_id,
                contract_type=p.ContractStartedDataContractType("CDDI"),
                start_on=start_on,
                planned_end_on=start_on + timedelta(days=180),
                weekly_hours=26,
            ),
        ),
        p.HoursWorkedRecordedEvent(
            id=uuid.uuid4(),
            type_=p.HoursWorkedRecordedEventType("hours_worked_recorded"),
            occurred_on=start_on,
            data=p.HoursWorkedRecordedData(month=start_on.strftime("%Y-%m"), hours=60),
        ),
        p.ContractEndedEvent(
            id=uuid.uuid4(),
            type_=p.ContractEndedEventType("contract_ended"),
            occurred_on=exit_on,
            data=p.ContractEndedData(
                contract_id=contract_id,
                ended_on=exit_on,
                reason=p.ContractEndedDataReason("resignation"),
            ),
        ),
        p.PathwayExitedEvent(
            id=uuid.uuid4(),
            type_=p.PathwayExitedEventType("pathway_exited"),
            occurred_on=exit_on,
            data=p.PathwayExitedData(reason=p.PathwayExitedDataReason("cdd_6_mois_plus")),
        ),
    ]
    pathway_id = uuid.uuid4()
    appended = pathways.call(
        "post_v1_pathways_pathway_id_events",
        software,
        pathway_id=pathway_id,
        body=p.AppendIn(events=events, expected_version=0),
    )
    assert appended.status_code == 201, appended.content
    assert isinstance(appended.parsed, p.AppendOut) and appended.parsed.version == len(events)

    stream = pathways.call("get_v1_pathways_pathway_id_events", software, pathway_id=pathway_id)
    assert stream.status_code == 200, stream.content
    assert [type(e).__name__ for e in stream.parsed] == [
        f"{camel(e.type_.value)}StreamEvent" for e in events
    ]
    assert stream.parsed[0].data.eligibility.criteria == [p.EligibilityCriteriaItem("RSA")]
    assert stream.parsed[0].data.sex == p.PathwayOpenedStoredDataSex("F")

    last = appended.parsed.events[-1].position
    reader = pathways.client(URLS["pathways"], admin_token(settings))
    deadline, fed = time.monotonic() + FEED_PATIENCE, []
    while not fed:  # the feed hands out an event once older transactions of the cluster end
        assert time.monotonic() < deadline, "the feed never showed the pathway"
        feed = pathways.call("get_v1_feed", reader, after=last - len(events), limit=len(events))
        assert feed.status_code == 200, feed.content
        fed = [e for e in feed.parsed.events if str(e.pathway_id) == str(pathway_id)]
        time.sleep(0.05 * (not fed))
    assert isinstance(fed[0], p.PathwayOpenedFeedEvent) and fed[0].schema_version == 3

    jobs.configure(settings)  # the catch-up of this process reads with the session's token
    catch_up_to(settings, last, through_queue=True, timeout=FEED_PATIENCE)
    report = reporting.call(
        "get_v1_reports_outcomes",
        reporting.client(URLS["reporting"], token.parsed.token),
        structure_id=uuid.UUID(str(structure_id)),
        from_=opened_on,
    )
    assert report.status_code == 200, report.content
    total = report.parsed.total
    assert (total.entries, total.exits) == (1, 1)
    assert report.parsed.as_of_position >= last
