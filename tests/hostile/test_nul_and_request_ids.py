"""Contract 1.1, common rules: a NUL character in any string is a 422 naming the field (never a
500), in an import file it refuses its line only; an `X-Request-Id` that is not 1–64 characters of
`[A-Za-z0-9._-]` is replaced by a generated one, never echoed nor stored as sent."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.faults.traffic import IDENTITY, opening, random_siret

NUL = "\x00"
GENERATED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _sent(tally, response, expected: set[int]):
    tally["hostile_cases"] += 1
    tally["server_errors"] += response.status_code >= 500
    assert response.status_code in expected, (response.status_code, response.get_data()[:300])
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
    return response


def _person(pathways, structure) -> str:
    made = pathways.post("/v1/persons", headers=structure.headers, json=IDENTITY)
    assert made.status_code == 201, made.json
    return made.json["id"]


def _training(day: str, title: str) -> dict:
    data = {"training_id": str(uuid.uuid4()), "kind": "other", "title": title}
    return {"id": str(uuid.uuid4()), "type": "training_started", "occurred_on": day, "data": data}


def _bodies(structure, person: str) -> dict[str, tuple[str, str, dict, str]]:
    """service, path, body with one NUL, and the field the answer must name."""
    opened = opening(structure, person)
    action = _training(opened["occurred_on"], "CACES" + NUL)
    return {
        "structure name": (
            "registry",
            "/v1/structures",
            {"siret": random_siret(), "name": "AI du Val" + NUL, "kind": "AI", "department": "35"},
            "name",
        ),
        "group name": ("registry", "/v1/groups", {"name": NUL + "GES"}, "name"),
        "person": ("pathways", "/v1/persons", {**IDENTITY, "last_name": "Mar\x00tin"}, "last_name"),
        "event": (
            "pathways",
            f"/v1/pathways/{uuid.uuid4()}/events",
            {"events": [opened, action]},
            "events.1.data.title",
        ),
        "batch item": (
            "pathways",
            "/v1/events/batch",
            {"items": [{"pathway_id": str(uuid.uuid4()), "events": [opened, action]}]},
            "items.0.events.1.data.title",
        ),
        "a key": ("pathways", "/v1/persons", {**IDENTITY, "nir" + NUL: "1"}, "nir\\u0000"),
    }


CASES = ["structure name", "group name", "person", "event", "batch item", "a key"]


@pytest.mark.parametrize("case", CASES)
def test_a_nul_in_a_json_string_is_a_422_naming_the_field(
    registry, pathways, admin, structure, tally, case
):
    clients = {"registry": registry, "pathways": pathways}
    service, path, body, field = _bodies(structure, _person(pathways, structure))[case]
    headers = admin if service == "registry" else structure.headers

    answer = _sent(tally, clients[service].post(path, headers=headers, json=body), {422})

    assert answer.json["errors"][field] == ["Le caractère nul (U+0000) n'est pas accepté."]


def test_the_token_is_checked_before_the_body_is_read(pathways, tally):
    body = {**IDENTITY, "last_name": "Mar\x00tin"}

    _sent(tally, pathways.post("/v1/persons", json=body), {401})


@pytest.mark.parametrize(
    ("service", "path", "field"),
    [
        ("registry", "/v1/structures?department=3%005", "department"),
        ("pathways", "/v1/feed?after=%00", "after"),
        ("reporting", "/v1/reports/outcomes?group_by=sex%00", "group_by"),
    ],
)
def test_a_nul_in_a_query_parameter_is_a_422_naming_it(
    registry, pathways, reporting, admin, tally, service, path, field
):
    clients = {"registry": registry, "pathways": pathways, "reporting": reporting}

    answer = _sent(tally, clients[service].get(path, headers=admin), {422})

    assert field in answer.json["errors"]


def test_an_escaped_backslash_before_u0000_is_no_nul(pathways, structure, tally):
    literal = {**IDENTITY, "first_name": "C\\u0000mille"}  # the text \u0000, six characters

    made = _sent(
        tally, pathways.post("/v1/persons", headers=structure.headers, json=literal), {201}
    )

    read = pathways.get(f"/v1/persons/{made.json['id']}", headers=structure.headers)
    assert read.json["first_name"] == "C\\u0000mille"


def test_a_nul_in_an_import_line_refuses_that_line_and_imports_the_others(
    pathways, structure, tally
):
    person = _person(pathways, structure)
    day = opening(structure, person)["occurred_on"]
    reference = f"NUL-{uuid.uuid4().hex[:8]}"
    lines = [
        "parcours;type;date;personne;orienteur;diagnostic;criteres;formation;type_formation;"
        "intitule;domaine;theme;realisation",
        f"{reference};pathway_opened;{day};{person};03;prescriber;RSA;;;;;;",
        f"{reference};training_started;{day};;;;;F-1;other;CAC{NUL}ES;;;",
        f"{reference};support_action_recorded;{day};;;;;;;;social;mobilite;internal",
    ]
    content = ("\n".join(lines) + "\n").encode()

    answer = _sent(
        tally,
        pathways.post(
            "/v1/imports",
            headers=structure.headers,
            data={"file": (io.BytesIO(content), "evenements.csv")},
            content_type="multipart/form-data",
        ),
        {200},
    )

    assert answer.json["accepted"] == 2, answer.json
    assert answer.json["rejected"] == [
        {"line": 3, "errors": {"intitule": ["Le caractère nul (U+0000) n'est pas accepté."]}}
    ]


@pytest.mark.parametrize(
    "sent", ["x" * 65, "a b", "<script>alert(1)</script>", "requête", "a/b", "'; DROP TABLE --"]
)
def test_a_request_id_that_is_not_a_short_token_is_replaced(registry, tally, sent):
    answer = _sent(tally, registry.get("/health", headers={"X-Request-Id": sent}), {200})

    echoed = answer.headers["X-Request-Id"]
    assert echoed != sent
    assert GENERATED.fullmatch(echoed)


@pytest.mark.parametrize("sent", ["a", "Req-2026.01_x", "9" * 64])
def test_a_short_token_request_id_is_kept(pathways, tally, sent):
    answer = _sent(tally, pathways.get("/health", headers={"X-Request-Id": sent}), {200})

    assert answer.headers["X-Request-Id"] == sent


def test_a_replaced_request_id_is_never_stored_with_the_events(
    pathways, structure, settings, tally
):
    sent = "r" * 5000
    events = [opening(structure, _person(pathways, structure))]
    answer = _sent(
        tally,
        pathways.post(
            f"/v1/pathways/{uuid.uuid4()}/events",
            headers={**structure.headers, "X-Request-Id": sent},
            json={"events": events},
        ),
        {201},
    )

    engine = create_engine(settings.database_url_for("pathways"))
    try:
        with engine.connect() as conn:
            metadata = conn.execute(
                text("SELECT metadata ->> 'request_id' FROM events WHERE event_id = :id"),
                {"id": events[0]["id"]},
            ).scalar_one()
    finally:
        engine.dispose()
    assert metadata == answer.headers["X-Request-Id"]
    assert GENERATED.fullmatch(metadata)
