"""One synthetic pathway: a person's events from opening to exit, valid under the contract's rules.

Shapes follow published IAE figures (DARES): pathways of a few months to two years, contracts of
each kind's usual types, monthly hours, MAD with each client kind where the kind allows it,
trainings, support actions, and exits of every category, about half of them sorties dynamiques.
Pure: the same seed, structure and number always give the same events and ids.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from client import activities
from client.synthetic import StructureSpec, demo_id, person, rng_for
from client.timeline import PathwaySpec, Timeline, weighted
from client.work import work
from shared.domain import codes
from shared.domain import events as ev

HISTORY_DAYS = 730  # pathways open over the last two years
MIN_DAYS, MODE_DAYS, MAX_DAYS = 45, 300, 730  # length of a pathway: months to two years
# Exits by category (our reading of DARES and dialogue de gestion figures): ~55 % dynamic.
EXIT_CATEGORY_WEIGHTS = {
    "emploi_durable": 0.24,
    "emploi_transition": 0.16,
    "sortie_positive": 0.15,
    "autre_sortie": 0.40,
    "retrait": 0.05,
}
AGE_BANDS = ((18, 25, 0.26), (26, 49, 0.56), (50, 62, 0.18))


def pathway(seed: int, structure: StructureSpec, number: int, today: date) -> PathwaySpec:
    """The `number`-th pathway of a structure, from opening to exit (or still open today)."""
    rng = rng_for(seed, "pathway", structure.index, number)
    opened_on = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
    exit_on = opened_on + timedelta(days=int(rng.triangular(MIN_DAYS, MAX_DAYS, MODE_DAYS)))
    exited = exit_on <= today
    t = Timeline(
        rng,
        demo_id(seed, "pathway", structure.index, number),
        opened_on,
        exit_on if exited else today,
        today,
        exited,
    )
    age = _weighted_age(rng)
    t.add(opened_on, ev.PATHWAY_OPENED, activities.opening(rng, structure.kind, age, opened_on))
    reason = _exit_reason(rng) if exited else None
    work(t, structure, reason, seed)
    activities.trainings(t)
    activities.support_actions(t)
    if structure.kind not in codes.NO_IMMERSION_KINDS and rng.random() < 0.1:
        activities.immersion(t)
    if reason:
        t.add(exit_on, ev.PATHWAY_EXITED, {"reason": reason})
    return PathwaySpec(
        t.pathway_id,
        structure.index,
        structure.kind,
        person(rng, age, opened_on),
        opened_on,
        exit_on if exited else None,
        reason,
        t.events(),
    )


def _weighted_age(rng: random.Random) -> int:
    low, high, _ = rng.choices(AGE_BANDS, weights=[w for *_, w in AGE_BANDS])[0]
    return rng.randint(low, high)


def _exit_reason(rng: random.Random) -> str:
    category = weighted(rng, EXIT_CATEGORY_WEIGHTS)
    return rng.choice(sorted(r for r, c in codes.EXIT_REASON_CATEGORY.items() if c == category))
