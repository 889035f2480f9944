"""Stateful schemathesis: chains of calls that follow each service's OpenAPI links (create, then
read, change, delete what was created) must never get a 5xx nor an answer that breaks the schema.

Reporting declares no link: it creates nothing a later call could name (its only write, a
projection rebuild, answers 202 with nothing to follow), so it is fuzzed statelessly only.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from shared.domain.identifiers import luhn_ok
from tests.hostile.fuzz_support import CHECKS

# Small on purpose: the stateful part of the run stays within a minute on a 2-core machine.
BOUNDED = settings(
    max_examples=30,
    stateful_step_count=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
LINKED = ["registry", "pathways"]
# The chains a client follows after creating something: (operation, status) → link names.
CHAINS = {
    "registry": {
        ("POST /v1/structures", "201"): {
            "GetStructure",
            "PatchStructure",
            "JoinGroup",
            "CreateAnnex",
        },
        ("POST /v1/structures/{structure_id}/annexes", "201"): {"GetAnnex", "AmendAnnex"},
        ("POST /v1/groups", "201"): {"GetGroup", "AddMember"},
        ("POST /v1/tokens", "201"): {"RevokeToken"},
        ("POST /v1/staff", "201"): {"RemoveStaff"},
    },
    "pathways": {
        ("POST /v1/persons", "201"): {"GetPerson", "ErasePerson"},
        ("POST /v1/pathways/{pathway_id}/events", "201"): {"GetPathway", "GetPathwayEvents"},
        ("POST /v1/pathways/{pathway_id}/events", "200"): {"GetPathway", "GetPathwayEvents"},
    },
}
A_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _adult(body: dict) -> None:
    """An adult's birth date and no NIR: a random date is rarely 16 to 99 years ago and a random
    NIR never has its key, so without this no person would be created and no link followed."""
    if isinstance(body.get("birth_date"), str) and A_DATE.fullmatch(body["birth_date"]):
        body["birth_date"] = date(date.today().year - 30, 6, 15).isoformat()
        body.pop("nir", None)


def _fresh_siret() -> str:
    """A valid SIRET never used before, drawn outside Hypothesis: a replayed case must not
    meet the structure its first run created (that would answer 409, and the replay differ)."""
    stem = f"{uuid.uuid4().int % 10**13:013d}"
    return next(stem + d for d in "0123456789" if luhn_ok(stem + d))


def _registered(body: dict) -> None:
    """A SIRET with its Luhn key and a real département, for the same reason."""
    if isinstance(body.get("siret"), str):
        body["siret"] = _fresh_siret()
    if isinstance(body.get("department"), str):
        body["department"] = "35"


# Valid values the schema cannot express; invalid ones are fuzzed by the stateless tests.
PLAUSIBLE = {
    ("POST", "/v1/persons"): _adult,
    ("POST", "/v1/structures"): _registered,
    ("PATCH", "/v1/structures/{structure_id}"): _registered,
}


def _plausible(case) -> None:
    """Make a positive case likely to succeed, so that chains go past their first call."""
    fix = PLAUSIBLE.get((case.method.upper(), case.path))
    positive = case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE
    if fix and positive and isinstance(case.body, dict):
        fix(case.body)


def _spec(live) -> dict:
    """The document as a client reads it, over HTTP."""
    return requests.get(f"{live.url}/openapi.json", timeout=30).json()


def _machine(spec: dict, base_url: str, headers: dict, counts: Counter):
    """The state machine of one service, calling it over HTTP with the given token."""

    class Workflow(schemathesis.openapi.from_dict(spec).as_state_machine()):  # type: ignore[misc]
        def step(self, input):
            counts["calls"] += 1
            counts["links"] += input.transition is not None and input.is_applied
            return super().step(input)

        def before_call(self, case) -> None:
            _plausible(case)

        def get_call_kwargs(self, case) -> dict:
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            counts["server_errors"] += response.status_code >= 500
            assert response.status_code < 500, f"{response.status_code} {response.text[:500]}"
            case.validate_response(response, checks=CHECKS)

    return Workflow


def _links(spec: dict) -> dict[tuple[str, str], dict]:
    """Every answer of the document that declares links: (operation, status) → its links."""
    return {
        (f"{method.upper()} {path}", status): response["links"]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method != "parameters"
        for status, response in operation.get("responses", {}).items()
        if "links" in response
    }


def _path_parameters(spec: dict, operation_ref: str) -> set[str]:
    """The path parameters of the operation a local `operationRef` points at (a JSON pointer)."""
    *path, method = operation_ref.removeprefix("#/paths/").split("/")
    item = spec["paths"]["/".join(path).replace("~1", "/").replace("~0", "~")]
    declared = item.get("parameters", []) + item[method].get("parameters", [])
    return {p["name"] for p in declared if p["in"] == "path"}


@pytest.mark.parametrize("service", LINKED)
def test_each_creation_documents_the_calls_it_leads_to(services, service):
    found = _links(_spec(services[service]))
    assert {answer: set(named) for answer, named in found.items()} == CHAINS[service]


@pytest.mark.parametrize("service", LINKED)
def test_every_link_names_a_documented_operation_and_its_path_parameters(services, service):
    spec = _spec(services[service])
    for answer, named in _links(spec).items():
        for name, link in named.items():
            declared = _path_parameters(spec, link["operationRef"])
            assert link["parameters"] and set(link["parameters"]) <= declared, (answer, name)


@pytest.mark.parametrize("service", LINKED)
def test_linked_call_chains_never_get_a_5xx_or_an_undocumented_answer(
    services, admin, structure, tally, service
):
    headers = admin if service == "registry" else structure.headers
    live = services[service]
    counts: Counter = Counter()
    try:
        _machine(_spec(live), live.url, headers, counts).run(settings=BOUNDED)
    finally:
        tally["stateful_calls"] += counts["calls"]
        tally["stateful_links"] += counts["links"]
        tally["server_errors"] += counts["server_errors"]
    assert counts["links"] > 0, "no chain followed a link: the fuzzing stayed stateless"
