"""Opening, trainings, support actions and immersions of a synthetic pathway (domain §3, §7)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from client.synthetic import siret
from client.timeline import Timeline, weighted
from shared.domain import codes
from shared.domain import events as ev

ORIENTEUR_WEIGHTS = {
    "03": 45,
    "01": 14,
    "07": 10,
    "05": 8,
    "02": 5,
    "04": 5,
    "06": 5,
    "12": 3,
    "11": 2,
    "09": 2,
    "99": 1,
}
EMPLOYER_DIAGNOSIS_SHARE = 0.2
TRAINING_TITLES = {
    "qualifying": "Titre professionnel agent de propreté et d'hygiène",
    "pre_qualifying": "Remise à niveau savoirs de base",
    "adaptation": "CACES R489 chariots élévateurs",
    "other": "Sauveteur secouriste",
}


def opening(rng: random.Random, kind: str, age: int, opened_on: date) -> dict:
    """Orienteur, eligibility and PASS IAE; person and structure ids are the services' own."""
    employer = rng.random() < EMPLOYER_DIAGNOSIS_SHARE
    data: dict = {
        "orienteur": weighted(rng, ORIENTEUR_WEIGHTS),
        "eligibility": {
            "diagnosed_by": "employer" if employer else "prescriber",
            "criteria": _criteria(rng, kind, age, employer),
        },
        "education_level": rng.choice(sorted(codes.EDUCATION_LEVELS)),
    }
    if kind in codes.CONVENTIONED_KINDS:
        data["pass_iae"] = {
            "number": "99999" + f"{rng.randint(0, 9_999_999):07d}",
            "start_on": opened_on.isoformat(),
            "end_on": (opened_on + timedelta(days=729)).isoformat(),
        }
    return data


def _criteria(rng: random.Random, kind: str, age: int, employer: bool) -> list[str]:
    """Criteria consistent with age; an employer diagnosis meets its kind's rule (domain §3)."""
    by_age = ["JEUNE"] if age < 26 else ["SENIOR"] if age >= 50 else []
    level_1 = sorted(codes.LEVEL_1_CRITERIA)
    level_2 = sorted(codes.LEVEL_2_CRITERIA - {"JEUNE", "SENIOR"})
    required = codes.LEVEL_2_CRITERIA_REQUIRED.get(kind)
    if employer and required and rng.random() >= 0.6:
        chosen = by_age + rng.sample(level_2, required)
    elif employer and required:
        chosen = [rng.choice(level_1)] + rng.sample(level_2, rng.randint(0, 2))
    else:
        chosen = by_age + rng.sample(level_1 + level_2, rng.randint(1, 3))
    return sorted(set(chosen))


def trainings(t: Timeline) -> None:
    """A third of the people start a training; most complete it within four months."""
    started = t.some_day(14)
    if started is None or t.rng.random() >= 0.33:
        return
    kind = weighted(t.rng, {"qualifying": 35, "pre_qualifying": 25, "adaptation": 30, "other": 10})
    planned = float(t.rng.choice((35, 70, 140, 210, 400)))
    training_id = t.child_id("training")
    t.add(
        started,
        ev.TRAINING_STARTED,
        {
            "training_id": training_id,
            "kind": kind,
            "title": TRAINING_TITLES[kind],
            "planned_hours": planned,
        },
    )
    completed = started + timedelta(days=t.rng.randint(7, 120))
    if completed <= t.last_day:
        certified = kind == "qualifying" and t.rng.random() < 0.65
        t.add(
            completed,
            ev.TRAINING_COMPLETED,
            {
                "training_id": training_id,
                "hours": round(planned * t.rng.uniform(0.7, 1)),
                "certified": certified,
            },
        )


def support_actions(t: Timeline) -> None:
    """Social and professional support, about one action every two months."""
    months = (t.last_day - t.opened_on).days // 30
    for _ in range(min(8, 1 + months // 2)):
        topic = t.rng.choice(sorted(codes.SUPPORT_TOPICS))
        t.add(
            t.some_day() or t.opened_on,
            ev.SUPPORT_ACTION_RECORDED,
            {
                "domain": codes.SUPPORT_TOPIC_DOMAIN[topic],
                "topic": topic,
                "delivery": "internal" if t.rng.random() < 0.7 else "external",
                "hours": float(t.rng.choice((1, 2, 3, 4, 6))),
            },
        )


def immersion(t: Timeline) -> None:
    """A PMSMP of one to three weeks (one month at most, décret 2023-1304)."""
    start = t.some_day() or t.opened_on
    end = min(t.today, start + timedelta(days=t.rng.randint(4, 20)))
    t.add(
        start,
        ev.IMMERSION_RECORDED,
        {
            "objective": t.rng.choice(sorted(codes.IMMERSION_OBJECTIVES)),
            "start_on": start.isoformat(),
            "end_on": end.isoformat(),
            "host_siret": siret(t.rng),
        },
    )
