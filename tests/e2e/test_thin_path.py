"""The thinnest end-to-end path through the three services, with a real RQ worker."""

from __future__ import annotations

import uuid
from datetime import date

from tests.support import bearer, catch_up_to


def test_an_opened_pathway_is_counted_in_the_outcome_report(
    settings, registry, pathways, reporting, admin
):
    structure = registry.post(
        "/v1/structures",
        headers=admin,
        json={"siret": "73282932000074", "name": "AI du Val", "kind": "AI", "department": "35"},
    )
    assert structure.status_code == 201, structure.json
    structure_id = structure.json["id"]
    token = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": structure_id, "label": "logiciel"},
    ).json["token"]

    person = pathways.post(
        "/v1/persons",
        headers=bearer(token),
        json={
            "first_name": "Camille",
            "last_name": "Martin",
            "birth_date": "1990-05-17",
            "sex": "F",
        },
    )
    assert person.status_code == 201, person.json
    pathway_id = str(uuid.uuid4())
    appended = pathways.post(
        f"/v1/pathways/{pathway_id}/events",
        headers=bearer(token),
        json={
            "expected_version": 0,
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": date.today().isoformat(),
                    "data": {
                        "person_id": person.json["id"],
                        "structure_id": structure_id,
                        "orienteur": "03",
                        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
                    },
                }
            ],
        },
    )
    assert appended.status_code == 201, appended.json
    position = appended.json["events"][0]["position"]
    url = f"/v1/reports/outcomes?structure_id={structure_id}"
    catch_up_to(
        settings,
        position,
        lambda: reporting.get(url, headers=bearer(token)).json["as_of_position"],
        through_queue=True,
    )

    report = reporting.get(url, headers=bearer(token))
    assert report.status_code == 200, report.json
    assert report.json["total"]["entries"] == 1
    assert report.json["as_of_position"] >= appended.json["events"][0]["position"]
