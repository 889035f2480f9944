"""The ids an import gives are out of reach of other structures: keyed by the server's secret,
not derived from a published namespace. Structure B (the squatter) computes what it can of the
ids A's files will use; none is A's (docs/adr/0009)."""

from __future__ import annotations

import io
import uuid

import orjson

from tests.faults.traffic import IDENTITY, Org, opening

HEADER = "parcours;type;date;personne;orienteur;diagnostic;criteres;domaine;theme;realisation"
# The namespace the import ids were derived from until now, published with the code.
PUBLISHED = uuid.UUID("a3e5f0c2-7d4b-4f1e-8c9a-2b6d0e1f3a5c")
SUPPORT = {"domain": "social", "topic": "logement", "delivery": "internal"}


def _upload(world, scope: str, content: str):
    return world.client("pathways").post(
        "/v1/imports",
        headers=world.headers[scope],
        data={"file": (io.BytesIO(content.encode()), "evenements.csv")},
        content_type="multipart/form-data",
    )


def _person(world, scope: str) -> str:
    made = world.client("pathways").post("/v1/persons", headers=world.headers[scope], json=IDENTITY)
    assert made.status_code == 201, made.json
    return made.json["id"]


def _append(world, scope: str, pathway_id: str, events: list[dict]):
    return world.client("pathways").post(
        f"/v1/pathways/{pathway_id}/events", headers=world.headers[scope], json={"events": events}
    )


def _file(reference: str, person: str, day: str) -> str:
    return (
        f"{HEADER}\n{reference};pathway_opened;{day};{person};03;prescriber;RSA;;;\n"
        f"{reference};support_action_recorded;{day};;;;;social;logement;internal\n"
    )


def test_another_structure_can_neither_take_nor_reach_a_reference_first(world):
    reference = f"P-{uuid.uuid4().hex[:8]}"
    day = opening(Org(world.structure_a, ""), "")["occurred_on"]
    computed = str(uuid.uuid5(PUBLISHED, f"{world.structure_a}:parcours:{reference}"))
    b = Org(world.structure_b, "")
    taken = _append(world, "structure_b", computed, [opening(b, _person(world, "structure_b"))])
    assert taken.status_code == 201, taken.json
    content = _file(reference, _person(world, "structure_a"), day)

    first = _upload(world, "structure_a", content)
    again = _upload(world, "structure_a", content)

    assert (first.json["accepted"], first.json["rejected"]) == (2, []), first.json
    pathway_id = first.json["events"][0]["pathway_id"]
    assert pathway_id != computed
    assert (again.json["accepted"], again.json["already_present"]) == (0, 2), again.json
    b_reads = world.client("pathways").get(
        f"/v1/pathways/{computed}/events", headers=world.headers["structure_b"]
    )
    assert [e["data"].get("structure_id") for e in b_reads.json] == [world.structure_b]
    b_reaches = world.client("pathways").get(
        f"/v1/pathways/{pathway_id}/events", headers=world.headers["structure_b"]
    )
    assert b_reaches.status_code == 404


def test_another_structure_cannot_take_the_id_of_a_row_first(world):
    a = Org(world.structure_a, "")
    pathway_id = str(uuid.uuid4())  # opened through the API, then named by its id in a file
    opened = _append(world, "structure_a", pathway_id, [opening(a, _person(world, "structure_a"))])
    assert opened.status_code == 201, opened.json
    day = opening(a, "")["occurred_on"]
    row = {"type": "support_action_recorded", "occurred_on": day, "data": SUPPORT}
    content = orjson.dumps({"pathway_id": pathway_id, **row}, option=orjson.OPT_SORT_KEYS)
    computed = str(uuid.uuid5(PUBLISHED, f"{world.structure_a}|{content.decode()}|1"))
    b = Org(world.structure_b, "")
    squat = {**row, "id": computed}
    taken = _append(
        world, "structure_b", str(uuid.uuid4()), [opening(b, _person(world, "structure_b")), squat]
    )
    assert taken.status_code == 201, taken.json

    answer = _upload(
        world,
        "structure_a",
        f"{HEADER}\n{pathway_id};support_action_recorded;{day};;;;;social;logement;internal\n",
    )

    assert (answer.json["accepted"], answer.json["rejected"]) == (1, []), answer.json
    assert answer.json["events"][0]["event_id"] != computed
