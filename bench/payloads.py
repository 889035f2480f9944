"""Valid events and structures as docs/api.md and docs/domain.md describe them, for every load."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

# docs/domain.md §1: the kinds a structure may have, weighted like the national split (ACI 44 %…).
KINDS = (("ACI", 44), ("AI", 30), ("EI", 13), ("ETTI", 12), ("ETT_ESS", 1))
CONTRACT_OF_KIND = {
    "ACI": "CDDI",
    "AI": "CDDI",
    "EI": "CDDI",
    "ETTI": "MISSION",
    "ETT_ESS": "MISSION",
}
DEPARTMENTS = ("01", "13", "22", "29", "33", "35", "44", "56", "59", "69", "75", "93", "2A", "974")
# docs/domain.md §8: one reason of each category, the withdrawal included.
EXIT_REASONS = (
    "cdi",
    "cdd_6_mois_plus",
    "cdd_moins_6_mois",
    "formation_qualifiante",
    "autre_siae",
    "chomage",
    "sans_nouvelles",
    "deces",
)
CRITERIA = (
    ["RSA"],
    ["DETLD", "QPV"],
    ["JEUNE", "CAP_BEP", "MOBILITE"],
    ["ASS"],
    ["SENIOR", "DELD"],
)
AGE_BANDS = ("under_26", "26_49", "50_plus")


def luhn_siret(rng: random.Random) -> str:
    """A random 14-digit SIRET whose Luhn key is valid (docs/domain.md §2)."""
    digits = [rng.randrange(10) for _ in range(13)]
    digits[0] = rng.randrange(1, 10)  # never the La Poste prefix
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def structure(rng: random.Random, index: int) -> dict:
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    return {
        "siret": luhn_siret(rng),
        "name": f"Structure de mesure {index}",
        "kind": kind,
        "department": rng.choice(DEPARTMENTS),
    }


def event(kind: str, on: date, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": kind, "occurred_on": on.isoformat(), "data": data}


def opened(structure_id: str, person_id: str, on: date, rng: random.Random) -> dict:
    end = on + timedelta(days=729)
    return event(
        "pathway_opened",
        on,
        {
            "person_id": person_id,
            "structure_id": structure_id,
            "orienteur": "03",
            "eligibility": {"diagnosed_by": "prescriber", "criteria": rng.choice(CRITERIA)},
            "education_level": "50",
            "pass_iae": {
                "number": "99999" + f"{rng.randrange(10**7):07d}",
                "start_on": on.isoformat(),
                "end_on": end.isoformat(),
            },
        },
    )


def contract_started(kind: str, on: date) -> dict:
    return event(
        "contract_started",
        on,
        {
            "contract_id": str(uuid.uuid4()),
            "contract_type": CONTRACT_OF_KIND[kind],
            "start_on": on.isoformat(),
            "planned_end_on": (on + timedelta(days=180)).isoformat(),
            "weekly_hours": 26,
            "rome_code": "A1203",
        },
    )


def hours_worked(on: date, hours: float) -> dict:
    return event("hours_worked_recorded", on, {"month": on.strftime("%Y-%m"), "hours": hours})


def support_action(on: date) -> dict:
    return event(
        "support_action_recorded",
        on,
        {"domain": "social", "topic": "logement", "delivery": "internal", "hours": 2},
    )


def exited(on: date, reason: str) -> dict:
    return event("pathway_exited", on, {"reason": reason})
