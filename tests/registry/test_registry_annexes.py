"""Annexes financières and their avenants through the registry API (docs/domain.md §6b): every
refusal with its French problem, the no-overlap rule on creation and on PATCH, the audit trail
and the changes feed."""

from __future__ import annotations

import random

import pytest
from registry_builders import created, new_structure

from shared.domain.measures import MEASURES


def number(measure: str = "ACI") -> str:
    return f"{measure}035{random.randrange(10**8):08d}A0M0"


def annex_body(**fields) -> dict:
    return {
        "number": number(),
        "measure": "ACI_DC",
        "state": "VALIDE",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "etp_conventioned": 12.5,
        **fields,
    }


def post_annex(registry, admin, structure_id: str, **fields):
    return registry.post(
        f"/v1/structures/{structure_id}/annexes", headers=admin, json=annex_body(**fields)
    )


def new_annex(registry, admin, structure_id: str, **fields) -> dict:
    return created(post_annex(registry, admin, structure_id, **fields))


def refused(answer, status: int, field: str | None = None) -> dict:
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    assert answer.json["detail"]
    if field:
        assert field in answer.json["errors"], answer.json
    return answer.json


@pytest.fixture
def aci(registry, admin) -> dict:
    return new_structure(registry, admin, kind="ACI")


def test_an_annex_is_created_with_the_measure_s_reference_hours(registry, admin, aci):
    body = annex_body(number="aci 0351 2345 678a0m0")
    answer = created(registry.post(f"/v1/structures/{aci['id']}/annexes", headers=admin, json=body))

    assert answer["number"] == "ACI03512345678A0M0"
    assert answer["structure_id"] == aci["id"]
    assert answer["reference_hours"] == MEASURES["ACI_DC"].reference_hours
    assert answer["amendments"] == []
    assert (answer["state_label"], answer["counts"]) == ("Validée", True)
    assert registry.get(f"/v1/annexes/{answer['id']}", headers=admin).json == answer


def test_an_annex_may_set_its_own_reference_hours(registry, admin):
    etti = new_structure(registry, admin, kind="ETTI")
    answer = new_annex(registry, admin, etti["id"], measure="ETTI_DC", reference_hours=1607)
    assert answer["reference_hours"] == 1607


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"measure": "EI_DC"}, "measure"),
        ({"measure": "ACI_XX"}, "measure"),
        ({"ends_on": "2025-12-31"}, "ends_on"),
        ({"etp_conventioned": 0}, "etp_conventioned"),
        ({"etp_conventioned": -3}, "etp_conventioned"),
        ({"reference_hours": 0}, "reference_hours"),
        ({"reference_hours": 20000}, "reference_hours"),
        ({"number": "ACI-05"}, "number"),
        ({"state": "SIGNEE"}, "state"),
        ({"colour": "bleu"}, "colour"),
    ],
)
def test_invalid_annexes_are_refused_with_the_field_in_cause(registry, admin, aci, fields, field):
    problem = refused(post_annex(registry, admin, aci["id"], **fields), 422, field)
    assert problem["status"] == 422


def test_a_measure_of_another_kind_is_explained_in_french(registry, admin, aci):
    problem = refused(post_annex(registry, admin, aci["id"], measure="EI_DC"), 422, "measure")
    assert "n'est pas du type de la structure (ACI)" in problem["errors"]["measure"][0]


def test_an_unknown_structure_answers_404(registry, admin):
    refused(post_annex(registry, admin, "00000000-0000-4000-8000-000000000000"), 404)


def test_the_same_number_twice_answers_409(registry, admin, aci):
    other = new_structure(registry, admin, kind="ACI")
    first = new_annex(registry, admin, aci["id"])
    problem = refused(post_annex(registry, admin, other["id"], number=first["number"]), 409)
    assert problem["type"].endswith("duplicate-annex")


def test_two_counting_annexes_of_one_measure_never_overlap(registry, admin, aci):
    new_annex(registry, admin, aci["id"])
    problem = refused(
        post_annex(registry, admin, aci["id"], starts_on="2026-12-31", ends_on="2027-12-31"), 409
    )
    assert problem["type"].endswith("annex-overlap")
    assert "chevaucherait" in problem["detail"]


def test_drafts_other_measures_and_following_years_may_coexist(registry, admin, aci):
    new_annex(registry, admin, aci["id"])
    new_annex(registry, admin, aci["id"], state="BROUILLON")
    new_annex(registry, admin, aci["id"], measure="ACI_MP")
    new_annex(registry, admin, aci["id"], starts_on="2027-01-01", ends_on="2027-12-31")
    listed = registry.get(f"/v1/structures/{aci['id']}/annexes", headers=admin)
    assert listed.status_code == 200
    assert listed.headers["X-Total-Count"] == "4"


def test_a_patch_that_would_make_an_overlap_is_refused(registry, admin, aci):
    new_annex(registry, admin, aci["id"])
    draft = new_annex(registry, admin, aci["id"], state="BROUILLON")
    later = new_annex(registry, admin, aci["id"], starts_on="2027-01-01", ends_on="2027-06-30")

    to_count = registry.patch(f"/v1/annexes/{draft['id']}", headers=admin, json={"state": "VALIDE"})
    refused(to_count, 409)
    longer = registry.patch(
        f"/v1/annexes/{later['id']}", headers=admin, json={"ends_on": "2027-12-31"}
    )
    assert longer.status_code == 200, longer.json
    cancelled = registry.patch(
        f"/v1/annexes/{draft['id']}", headers=admin, json={"state": "ANNULE"}
    )
    assert cancelled.json["state"] == "ANNULE" and cancelled.json["counts"] is False


def test_a_patch_cannot_end_before_the_start_or_an_amendment(registry, admin, aci):
    annex = new_annex(registry, admin, aci["id"])
    path = f"/v1/annexes/{annex['id']}"
    refused(registry.patch(path, headers=admin, json={"ends_on": "2025-06-30"}), 422, "ends_on")
    amend = {"number": number(), "effective_on": "2026-10-01", "etp_conventioned": 9}
    created(registry.post(f"{path}/amendments", headers=admin, json=amend))
    problem = refused(
        registry.patch(path, headers=admin, json={"ends_on": "2026-09-30"}), 422, "ends_on"
    )
    assert "2026-10-01" in problem["detail"]
    refused(registry.patch(path, headers=admin, json={"number": "X"}), 422, "number")


def test_amendments_change_the_funded_etp_from_their_date(registry, admin, aci):
    annex = new_annex(registry, admin, aci["id"])
    path = f"/v1/annexes/{annex['id']}/amendments"
    second = {"number": number(), "effective_on": "2026-09-01", "etp_conventioned": 8}
    first = {"number": number(), "effective_on": "2026-04-01", "etp_conventioned": 14.5}
    created(registry.post(path, headers=admin, json=second))
    answer = created(registry.post(path, headers=admin, json=first))

    assert [(a["effective_on"], a["etp_conventioned"]) for a in answer["amendments"]] == [
        ("2026-04-01", 14.5),
        ("2026-09-01", 8.0),
    ]
    assert answer["etp_conventioned"] == 12.5  # the annexe's own figure is kept


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"effective_on": "2025-12-31"}, 422, "effective_on"),
        ({"effective_on": "2027-01-01"}, 422, "effective_on"),
        ({"etp_conventioned": 0}, 422, "etp_conventioned"),
        ({"number": "?"}, 422, "number"),
    ],
)
def test_invalid_amendments_are_refused(registry, admin, aci, fields, status, field):
    annex = new_annex(registry, admin, aci["id"])
    body = {"number": number(), "effective_on": "2026-06-01", "etp_conventioned": 10, **fields}
    answer = registry.post(f"/v1/annexes/{annex['id']}/amendments", headers=admin, json=body)
    refused(answer, status, field)


def test_the_same_amendment_number_twice_answers_409(registry, admin, aci):
    annex = new_annex(registry, admin, aci["id"])
    body = {"number": number(), "effective_on": "2026-06-01", "etp_conventioned": 10}
    path = f"/v1/annexes/{annex['id']}/amendments"
    created(registry.post(path, headers=admin, json=body))
    refused(registry.post(path, headers=admin, json=body), 409)


def test_annexes_are_listed_by_department_and_year(registry, admin):
    here = new_structure(registry, admin, department="2A")
    there = new_structure(registry, admin, department="971")
    mine = new_annex(registry, admin, here["id"])
    new_annex(registry, admin, here["id"], starts_on="2028-01-01", ends_on="2028-12-31")
    new_annex(registry, admin, there["id"])

    answer = registry.get(
        "/v1/annexes", headers=admin, query_string={"department": "2A", "year": 2026}
    )
    assert [a["id"] for a in answer.json] == [mine["id"]]
    assert answer.headers["X-Total-Count"] == "1"
    paged = registry.get("/v1/annexes", headers=admin, query_string={"limit": 1})
    assert len(paged.json) == 1 and int(paged.headers["X-Total-Count"]) >= 3


def test_every_annex_write_is_audited_and_published_whole(registry, admin, aci):
    def last_change(entity_id: str) -> dict:
        feed = registry.get("/v1/changes", headers=admin, query_string={"entities": "annex"})
        return [i for i in feed.json["items"] if i["id"] == entity_id][-1]

    annex = new_annex(registry, admin, aci["id"])
    assert last_change(annex["id"])["data"]["amendments"] == []
    amend = {"number": number(), "effective_on": "2026-03-01", "etp_conventioned": 11}
    created(registry.post(f"/v1/annexes/{annex['id']}/amendments", headers=admin, json=amend))
    registry.patch(f"/v1/annexes/{annex['id']}", headers=admin, json={"state": "CLOTURE"})

    data = last_change(annex["id"])["data"]
    assert data == {
        "id": annex["id"],
        "structure_id": aci["id"],
        "number": annex["number"],
        "measure": "ACI_DC",
        "state": "CLOTURE",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "etp_conventioned": 12.5,
        "reference_hours": MEASURES["ACI_DC"].reference_hours,
        "amendments": [
            {
                "id": data["amendments"][0]["id"],
                "number": amend["number"],
                "effective_on": "2026-03-01",
                "etp_conventioned": 11.0,
            }
        ],
    }
    audit = registry.get(
        "/v1/audit", headers=admin, query_string={"entity": "annex", "entity_id": annex["id"]}
    ).json
    assert [e["action"] for e in audit] == ["update", "amend", "create"]
    assert audit[0]["changes"] == {"state": {"from": "VALIDE", "to": "CLOTURE"}}


def test_a_refused_annex_write_leaves_no_trace(registry, admin, aci):
    before = registry.get("/v1/audit", headers=admin, query_string={"entity": "annex"})
    refused(post_annex(registry, admin, aci["id"], measure="EI_DC"), 422)
    after = registry.get("/v1/audit", headers=admin, query_string={"entity": "annex"})
    assert after.headers["X-Total-Count"] == before.headers["X-Total-Count"]


def test_the_changes_feed_shows_annexes_only_to_readers_that_ask(registry, admin, aci):
    annex = new_annex(registry, admin, aci["id"])
    default = registry.get("/v1/changes", headers=admin).json["items"]
    asked = registry.get(
        "/v1/changes", headers=admin, query_string={"entities": "structure,annex"}
    ).json["items"]
    assert annex["id"] not in {i["id"] for i in default}
    assert {"structure", "annex"} == {i["entity"] for i in asked}
    assert annex["id"] in {i["id"] for i in asked}
    refused(registry.get("/v1/changes", headers=admin, query_string={"entities": "token"}), 422)
