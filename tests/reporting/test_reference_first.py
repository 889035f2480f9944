"""An events page naming a structure reporting has not copied yet brings the reference data first,
so a report never counts events whose structure (and so kind) it does not know."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

from builders import siret
from sqlalchemy import create_engine, text

from services.reporting.catchup import jobs
from tests.support import bearer


def _open_pathway(registry, pathways, admin) -> str:
    structure = registry.post(
        "/v1/structures",
        headers=admin,
        json={"siret": siret(), "name": "ACI du Lac", "kind": "ACI", "department": "35"},
    ).json["id"]
    token = registry.post(
        "/v1/tokens",
        headers=admin,
        json={"scope": "structure", "structure_id": structure, "label": "logiciel"},
    ).json["token"]
    person = pathways.post(
        "/v1/persons",
        headers=bearer(token),
        json={"first_name": "Lou", "last_name": "Morin", "birth_date": "1988-03-02", "sex": "F"},
    ).json["id"]
    opened = pathways.post(
        f"/v1/pathways/{uuid.uuid4()}/events",
        headers=bearer(token),
        json={
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "pathway_opened",
                    "occurred_on": date.today().isoformat(),
                    "data": {
                        "person_id": person,
                        "structure_id": structure,
                        "orienteur": "03",
                        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
                    },
                }
            ]
        },
    )
    assert opened.status_code == 201, opened.json
    return structure


def _known(settings, structure_id: str) -> bool:
    engine = create_engine(settings.database_url_for("reporting"))
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT count(*) FROM reference_data.structures WHERE id = :i"),
                    {"i": structure_id},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_catching_up_events_copies_the_structures_they_name_first(
    settings, registry, pathways, admin
):
    structure_id = _open_pathway(registry, pathways, admin)
    jobs.configure(settings)
    deadline = time.monotonic() + 30
    while not _known(settings, structure_id) and time.monotonic() < deadline:
        jobs.catch_up("all", patience=0.5)  # events only: no "reference" nudge is served here
    assert _known(settings, structure_id)


def test_a_page_waits_for_another_worker_copying_the_reference_data(
    settings, registry, pathways, admin
):
    structure_id = _open_pathway(registry, pathways, admin)
    jobs.configure(settings)
    engine = create_engine(settings.database_url_for("reporting"))
    try:
        with engine.connect() as other_worker:
            other_worker.execute(
                text("SELECT 1 FROM projection_checkpoints WHERE name = 'reference' FOR UPDATE")
            )
            release = threading.Timer(0.5, other_worker.rollback)
            release.start()
            jobs.ensure_reference(jobs.context()["engine"], [{"structure_id": structure_id}])
            release.join()
    finally:
        engine.dispose()
    assert _known(settings, structure_id)
