"""The person's file from a pathway's events as the pathways API gives them: pure, no I/O."""

from __future__ import annotations

import uuid

from services.reporting.dashboard.person_file import ERASED, person_file


def event(kind: str, on: str, data: dict, version: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": kind,
        "occurred_on": on,
        "data": data,
        "version": version,
    }


def stream() -> list[dict]:
    contract = str(uuid.uuid4())
    opened = {
        "person_id": str(uuid.uuid4()),
        "structure_id": str(uuid.uuid4()),
        "orienteur": "03",
        "eligibility": {"diagnosed_by": "prescriber", "criteria": ["RSA"]},
    }
    started = {
        "contract_id": contract,
        "contract_type": "CDD_USAGE",
        "start_on": "2025-01-06",
        "planned_end_on": "2026-12-31",
        "weekly_hours": 20,
    }
    mads = [
        event(
            "mise_a_disposition_recorded",
            f"2025-0{m}-03",
            {
                "client_kind": "entreprise",
                "client_siret": "73282932000074",
                "start_on": f"2025-0{m}-03",
                "end_on": f"2025-0{m}-28",
                "hours": hours,
            },
            2 + i,
        )
        for i, (m, hours) in enumerate(((2, 200), (3, 112), (4, 100)))
    ]
    wrong = event("support_action_recorded", "2025-02-10", {"topic": "logement"}, 6)
    void = event(
        "event_voided", "2025-02-12", {"event_id": wrong["id"], "reason": "Erreur de personne"}, 7
    )
    return [
        event("pathway_opened", "2025-01-06", opened, 1),
        event("contract_started", "2025-01-06", started, 2),
        *mads,
        wrong,
        void,
    ]


def test_the_company_mad_hours_read_against_the_480_hours():
    file = person_file(
        stream(), {"first_name": "Ana", "last_name": "Lopes", "birth_date": "1990-01-01"}
    )
    assert file.name == "Ana Lopes"
    assert any("412 h sur 480 h" in line for line in file.limits)


def test_a_voided_event_is_marked_with_its_voids_date_and_reason():
    file = person_file(stream(), None)
    [voided] = [e for e in file.timeline if e.voided]
    assert voided.label == "Action d'accompagnement"
    assert (voided.voided_on.isoformat(), voided.void_reason) == (
        "2025-02-12",
        "Erreur de personne",
    )
    assert file.timeline[-1].text == "Annule : action d'accompagnement — motif : Erreur de personne"


def test_an_erased_person_keeps_the_pathway_and_its_figures():
    file = person_file(stream(), None)
    assert (file.name, file.erased) == (ERASED, True)
    assert file.criteria == ["Bénéficiaire du RSA"]
    assert file.contracts[0]["type"] == "CDD d'usage" and file.contracts[0]["running"]
